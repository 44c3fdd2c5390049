"""What a moderator keeps for themselves: workspace preferences and the decision text they are
typing on a case (a server-side draft, saved as they type; a recorded decision discards it)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from moderation.choices import AuditAction
from moderation.errors import InvalidInput
from moderation.models import Case, DecisionDraft, ModeratorPreference, User
from moderation.oversight.audit import audit_record
from moderation.permissions import require_workable

DRAFT_MAX_CHARS = 5000


def moderator_preference_for(user: User) -> ModeratorPreference:
    """The user's preferences (the defaults, unsaved, when they never chose)."""
    preference = ModeratorPreference.objects.filter(user=user).first()
    return preference or ModeratorPreference(user=user)


def moderator_preference_set(
    *, user: User, auto_advance: bool, blur_thumbnails: bool
) -> ModeratorPreference:
    with transaction.atomic():
        preference, _ = ModeratorPreference.objects.select_for_update().get_or_create(user=user)
        before = {
            "auto_advance": preference.auto_advance,
            "blur_thumbnails": preference.blur_thumbnails,
        }
        after = {"auto_advance": auto_advance, "blur_thumbnails": blur_thumbnails}
        if before == after:
            return preference
        preference.auto_advance = auto_advance
        preference.blur_thumbnails = blur_thumbnails
        preference.save(update_fields=["auto_advance", "blur_thumbnails", "updated_at"])
        audit_record(
            action=AuditAction.MODERATOR_PREFERENCE_SET,
            obj=preference,
            actor=user,
            before=before,
            after=after,
        )
    return preference


def decision_draft_for(*, user: User, case: Case) -> DecisionDraft | None:
    draft = DecisionDraft.objects.filter(user=user, case=case).first()
    return None if draft is None or draft.is_empty else draft


def decision_draft_save(
    *, user: User, case: Case, statement_of_reasons: str, facts: str, now: datetime | None = None
) -> DecisionDraft:
    """Keep what ``user`` typed on ``case`` (one draft per user and case, the last one wins).
    Anyone who may decide cases of its platform at all may keep a draft on it (a claim lost
    while typing must not lose the text); those who only read the case (KPU's clarifiers and
    approvers, Bawaslu) write no decision text."""
    now = now or timezone.now()
    require_workable(user, case)
    # PostgreSQL text cannot hold NUL; a pasted one must not cost the whole draft (a 500).
    statement_of_reasons = statement_of_reasons.replace("\x00", "")
    facts = facts.replace("\x00", "")
    if len(statement_of_reasons) > DRAFT_MAX_CHARS or len(facts) > DRAFT_MAX_CHARS:
        raise InvalidInput.of({"statement_of_reasons": f"max {DRAFT_MAX_CHARS}"})
    draft, _ = DecisionDraft.objects.update_or_create(
        user=user,
        case=case,
        defaults={"statement_of_reasons": statement_of_reasons, "facts": facts, "updated_at": now},
    )
    return draft


def decision_draft_discard(*, user: User, case: Case) -> None:
    """Called inside the transaction that records the user's decision on the case."""
    DecisionDraft.objects.filter(user=user, case=case).delete()
