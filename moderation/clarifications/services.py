"""Official KPU clarifications: write, submit, publish (a new frozen version each time),
retract, and attach to cases."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from moderation.choices import (
    AuditAction,
    CallbackEventType,
    CaseAction,
    CaseEvent,
    CaseStatus,
    ClarificationEvent,
    ClarificationRating,
    ClarificationStatus,
    Reason,
)
from moderation.clarifications.search import clarification_search_refresh
from moderation.errors import Conflict, InvalidInput, NotPermitted
from moderation.models import (
    AuditEvent,
    Case,
    CaseClarification,
    Clarification,
    ClarificationVersion,
    Platform,
    User,
)
from moderation.models.clarifications import is_official_source
from moderation.outbound.callbacks import delivery_enqueue
from moderation.outbound.payloads import clarification_data
from moderation.oversight.audit import audit_record
from moderation.oversight.notifications import (
    notify_clarification_returned,
    notify_clarification_submitted,
    notify_escalation_answered,
)
from moderation.permissions import (
    can_create_clarification,
    can_publish_clarifications,
    can_write_clarifications,
    case_actions,
    clarification_publish_refusal,
)
from moderation.transitions import clarification_next_status, next_status

WIB = ZoneInfo("Asia/Jakarta")

EDITABLE_FIELDS = [
    "claim",
    "rating",
    "title",
    "body",
    "title_en",
    "body_en",
    "sources",
    "language",
    "keywords",
    "reasons",
]
# What a version freezes: everything written except the language (Indonesian, always).
VERSION_FIELDS = [name for name in EDITABLE_FIELDS if name != "language"]
# The longest text each field takes. A clarification is read next to a short video: the body
# is an explanation, not a report.
MAX_LENGTHS = {"claim": 1000, "title": 300, "body": 20_000, "title_en": 300, "body_en": 20_000}
MAX_SOURCES = 20
MAX_KEYWORDS = 30
MAX_NOTE = 5000


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    """Text arrives as typed, less NUL characters (PostgreSQL stores none); lists trimmed,
    blanks and repeats dropped, order kept."""
    cleaned = dict(fields)
    for name in ("sources", "keywords"):
        if isinstance(cleaned.get(name), list):
            items = [str(v).replace("\x00", "").strip() for v in cleaned[name]]
            cleaned[name] = list(dict.fromkeys(v for v in items if v))
    for name in ("claim", "title", "body", "title_en", "body_en"):
        if isinstance(cleaned.get(name), str):
            cleaned[name] = cleaned[name].replace("\x00", "").strip()
    return cleaned


def _validate(fields: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    for name in ("claim", "title", "body"):
        if not str(fields.get(name) or "").strip():
            errors[name] = _("wajib diisi")
    for name, limit in MAX_LENGTHS.items():
        length = len(str(fields.get(name) or ""))
        if length > limit:
            errors[name] = _("paling banyak %(limit)s karakter (kini %(length)s)") % {
                "limit": f"{limit:,}".replace(",", "."),
                "length": f"{length:,}".replace(",", "."),
            }
    if fields.get("rating") not in ClarificationRating.values:
        errors["rating"] = _("salah satu dari %(values)s") % {
            "values": ", ".join(ClarificationRating.values)
        }
    sources = fields.get("sources") or []
    if not isinstance(sources, list) or not all(isinstance(u, str) for u in sources):
        errors["sources"] = _("daftar URL http(s) atau rujukan peraturan")
    elif bad := [u for u in sources if len(u) > 1000 or not is_official_source(u)]:
        errors["sources"] = _(
            'bukan URL http(s) atau rujukan peraturan (mis. "PKPU 25/2023 Pasal 18"): %(bad)s'
        ) % {"bad": ", ".join(b[:100] for b in bad[:3])}
    elif len(sources) > MAX_SOURCES:
        errors["sources"] = _("paling banyak %(n)s sumber") % {"n": MAX_SOURCES}
    keywords = fields.get("keywords") or []
    if not isinstance(keywords, list) or not all(
        isinstance(k, str) and len(k) <= 100 for k in keywords
    ):
        errors["keywords"] = _("frasa pendek, masing-masing paling banyak 100 karakter")
    elif len(keywords) > MAX_KEYWORDS:
        errors["keywords"] = _("paling banyak %(n)s kata kunci") % {"n": MAX_KEYWORDS}
    reasons = fields.get("reasons") or []
    if not isinstance(reasons, list) or not set(reasons) <= set(Reason.values):
        errors["reasons"] = _("salah satu dari %(values)s") % {"values": ", ".join(Reason.values)}
    if errors:
        raise InvalidInput.of(errors)


def edit_token(
    copy: Clarification | ClarificationVersion | None, clarification: Clarification
) -> str:
    """What an editor sends back to show which text it started from: the working copy's last
    change, or (no revision yet) the published version it would revise."""
    if copy is None:
        return f"v{clarification.version}:new"
    return copy.updated_at.isoformat()


def clarification_revision(clarification: Clarification) -> ClarificationVersion | None:
    """The open revision of a published clarification (draft or in review), if any."""
    return (
        ClarificationVersion.objects.filter(
            clarification=clarification,
            status__in=[ClarificationStatus.DRAFT, ClarificationStatus.IN_REVIEW],
        )
        .select_related("author")
        .first()
    )


def clarification_working_copy(
    clarification: Clarification,
) -> Clarification | ClarificationVersion | None:
    """The text being written: the clarification itself until its first publication, then
    its open revision (None when there is none yet: editing starts one)."""
    if clarification.status in (ClarificationStatus.DRAFT, ClarificationStatus.IN_REVIEW):
        return clarification
    if clarification.status == ClarificationStatus.PUBLISHED:
        return clarification_revision(clarification)
    return None


def _locked_revision(clarification: Clarification) -> ClarificationVersion | None:
    return (
        ClarificationVersion.objects.select_for_update()
        .filter(
            clarification=clarification,
            status__in=[ClarificationStatus.DRAFT, ClarificationStatus.IN_REVIEW],
        )
        .first()
    )


def _writers(copy: Clarification | ClarificationVersion) -> list[int]:
    ids = [copy.author_id, *copy.writer_ids] if copy.author_id else list(copy.writer_ids)
    return list(dict.fromkeys(ids))


def clarification_create(*, user: User, **fields: Any) -> Clarification:
    if not can_create_clarification(user):
        raise NotPermitted()
    fields = _clean(fields)
    _validate(fields)
    with transaction.atomic():
        clarification = Clarification.objects.create(
            author=user,
            writer_ids=[user.pk],
            **{k: v for k, v in fields.items() if k in EDITABLE_FIELDS},
        )
        audit_record(
            action=AuditAction.CLARIFICATION_CREATE,
            obj=clarification,
            actor=user,
            after={"title": clarification.title, "rating": clarification.rating},
        )
    return clarification


def clarification_update(
    *, clarification: Clarification, user: User, token: str | None = None, **fields: Any
) -> Clarification:
    """Change the text being written. A draft changes in place; a published clarification gets
    (or keeps) an open revision, the next version, while its published text stays live.

    ``token`` is the ``edit_token`` the editor was opened with: when someone else has saved
    the text since, nothing is written and Conflict says who and when."""
    if not can_write_clarifications(user):
        raise NotPermitted()
    fields = _clean({k: v for k, v in fields.items() if k in EDITABLE_FIELDS})
    with transaction.atomic():
        clarification = Clarification.objects.select_for_update().get(pk=clarification.pk)
        if clarification.status == ClarificationStatus.RETRACTED:
            raise InvalidInput(_("Klarifikasi yang ditarik tidak dapat diubah."))
        if clarification.status == ClarificationStatus.IN_REVIEW:
            raise InvalidInput(
                _("Klarifikasi ini sedang ditinjau; ia dapat diubah setelah dikembalikan.")
            )
        revision = (
            _locked_revision(clarification)
            if clarification.status == ClarificationStatus.PUBLISHED
            else None
        )
        if revision is not None and revision.status == ClarificationStatus.IN_REVIEW:
            raise InvalidInput(
                _("Versi %(v)s sedang ditinjau; ia dapat diubah setelah dikembalikan.")
                % {"v": revision.version}
            )
        copy: Clarification | ClarificationVersion | None = (
            clarification if clarification.status == ClarificationStatus.DRAFT else revision
        )
        stale = (
            _stale(copy, clarification, user)
            if token is not None and token != edit_token(copy, clarification)
            else None
        )
        if stale is not None:
            raise stale
        base = copy if copy is not None else clarification
        names = EDITABLE_FIELDS if copy is clarification else VERSION_FIELDS
        merged = {name: getattr(base, name) for name in names}
        merged.update({k: v for k, v in fields.items() if k in names})
        _validate(merged)
        before = {k: getattr(base, k) for k in fields if k in names}
        if copy is None:
            copy = ClarificationVersion.objects.create(
                clarification=clarification,
                version=clarification.version + 1,
                status=ClarificationStatus.DRAFT,
                author=user,
                writer_ids=[user.pk],
                **merged,
            )
        else:
            for name, value in merged.items():
                setattr(copy, name, value)
            if user.pk not in copy.writer_ids:
                copy.writer_ids = [*copy.writer_ids, user.pk]
            copy.save(update_fields=[*names, "writer_ids", "updated_at"])
        after: dict[str, Any] = {k: merged[k] for k in before}
        if isinstance(copy, ClarificationVersion):
            after["version"] = copy.version
        audit_record(
            action=AuditAction.CLARIFICATION_UPDATE,
            obj=clarification,
            actor=user,
            before=before,
            after=after,
        )
    return clarification


def _stale(
    copy: Clarification | ClarificationVersion | None, clarification: Clarification, user: User
) -> Conflict | None:
    """The refusal of an edit started from an older text, unless the newer text is the
    user's own (their autosave, or a save in another tab): then nothing of someone else's is
    overwritten."""
    if copy is None:
        return Conflict(
            _(
                "Klarifikasi ini berubah sejak Anda membukanya. Muat ulang halaman untuk melihat "
                "versi terbarunya."
            )
        )
    last = (
        AuditEvent.objects.filter(
            object_type="clarification",
            object_id=str(clarification.pk),
            action=AuditAction.CLARIFICATION_UPDATE,
        )
        .select_related("actor")
        .order_by("-pk")
        .first()
    )
    if last is not None and last.actor_id == user.pk:
        return None
    who = last.actor.get_username() if last is not None and last.actor else "-"
    return Conflict(
        _(
            "%(who)s mengubah teks ini pada %(when)s WIB sejak Anda membukanya. Teks Anda belum "
            "disimpan: salin bagian yang Anda perlukan, lalu muat ulang halaman."
        )
        % {"who": who, "when": timezone.localtime(copy.updated_at, WIB).strftime("%d-%m-%Y %H:%M")},
        changed_by=who,
    )


def clarification_submit(
    *, clarification: Clarification, user: User, now: datetime | None = None
) -> Clarification:
    """Send the text being written to KPU's approvers: the draft, or the open revision."""
    if not can_write_clarifications(user):
        raise NotPermitted()
    with transaction.atomic():
        clarification = Clarification.objects.select_for_update().get(pk=clarification.pk)
        revision = (
            _locked_revision(clarification)
            if clarification.status == ClarificationStatus.PUBLISHED
            else None
        )
        copy: Clarification | ClarificationVersion = revision or clarification
        before = copy.status
        copy.status = clarification_next_status(before, ClarificationEvent.SUBMIT)
        copy.save(update_fields=["status", "updated_at"])
        version = revision.version if revision else clarification.version + 1
        audit_record(
            action=AuditAction.CLARIFICATION_SUBMIT,
            obj=clarification,
            actor=user,
            before={"status": before},
            after={"status": copy.status, "version": version},
        )
        notify_clarification_submitted(
            clarification=clarification,
            version=version,
            title=copy.title,
            exclude=_writers(copy),
            now=now,
        )
    return clarification


def clarification_return(
    *, clarification: Clarification, user: User, note: str, now: datetime | None = None
) -> Clarification:
    """A KPU approver sends the text in review back to its writers with a comment."""
    if not can_publish_clarifications(user):
        raise NotPermitted(_("Hanya penyetuju KPU yang dapat mengembalikan klarifikasi."))
    note = (note or "").replace("\x00", "").strip()
    if not note:
        raise InvalidInput.of({"note": _("tulis apa yang perlu diperbaiki")})
    if len(note) > MAX_NOTE:
        raise InvalidInput.of({"note": _("paling banyak %(n)s karakter") % {"n": MAX_NOTE}})
    with transaction.atomic():
        clarification = Clarification.objects.select_for_update().get(pk=clarification.pk)
        revision = (
            _locked_revision(clarification)
            if clarification.status == ClarificationStatus.PUBLISHED
            else None
        )
        copy: Clarification | ClarificationVersion = revision or clarification
        before = copy.status
        copy.status = clarification_next_status(before, ClarificationEvent.RETURN)
        copy.review_note = note
        copy.save(update_fields=["status", "review_note", "updated_at"])
        version = revision.version if revision else clarification.version + 1
        audit_record(
            action=AuditAction.CLARIFICATION_RETURN,
            obj=clarification,
            actor=user,
            before={"status": before},
            after={"status": copy.status, "version": version, "note": note},
        )
        notify_clarification_returned(
            clarification=clarification,
            version=version,
            title=copy.title,
            note=note,
            reviewer=user,
            recipients=_writers(copy),
            now=now,
        )
    return clarification


def clarification_publish_check(
    user: User, clarification: Clarification, revision: ClarificationVersion | None = None
) -> NotPermitted | None:
    """Why ``user`` may not publish what is in review, or None (four eyes: no one who wrote
    the text publishes it)."""
    copy: Clarification | ClarificationVersion = revision or clarification
    return clarification_publish_refusal(user, clarification, writer_ids=_writers(copy))


def _announce(clarification: Clarification, event_type: str) -> None:
    for platform in Platform.objects.filter(enabled=True).exclude(callback_url=""):
        delivery_enqueue(
            platform=platform,
            event_type=event_type,
            data=clarification_data(clarification, platform_id=platform.pk),
            subject=f"clarification:{clarification.pk}:v{clarification.version}",
        )


def clarification_publish(
    *, clarification: Clarification, user: User, now: datetime | None = None
) -> Clarification:
    """A KPU approver signs off: a new frozen version, and the platforms are told.

    The first publication freezes the clarification's own text as version 1; later ones
    publish the revision in review, which becomes the clarification's live text."""
    now = now or timezone.now()
    with transaction.atomic():
        clarification = Clarification.objects.select_for_update().get(pk=clarification.pk)
        revision = (
            _locked_revision(clarification)
            if clarification.status == ClarificationStatus.PUBLISHED
            else None
        )
        if refusal := clarification_publish_check(user, clarification, revision):
            raise refusal
        before = clarification.status
        clarification.status = clarification_next_status(before, ClarificationEvent.PUBLISH)
        if clarification.status == before and (
            revision is None or revision.status != ClarificationStatus.IN_REVIEW
        ):
            raise InvalidInput(_("Tidak ada versi baru yang menunggu persetujuan."))
        if revision is not None:
            for name in VERSION_FIELDS:
                setattr(clarification, name, getattr(revision, name))
            revision.status = ClarificationStatus.PUBLISHED
            revision.approver = user
            revision.published_at = now
            revision.review_note = ""
            revision.save(
                update_fields=["status", "approver", "published_at", "review_note", "updated_at"]
            )
            clarification.version = revision.version
        else:
            clarification.version += 1
            ClarificationVersion.objects.create(
                clarification=clarification,
                version=clarification.version,
                status=ClarificationStatus.PUBLISHED,
                author=clarification.author,
                writer_ids=_writers(clarification),
                approver=user,
                published_at=now,
                **{k: getattr(clarification, k) for k in VERSION_FIELDS},
            )
        clarification.approver = user
        clarification.published_at = now
        clarification.review_note = ""
        clarification.save(
            update_fields=[
                *VERSION_FIELDS,
                "status",
                "version",
                "approver",
                "published_at",
                "review_note",
                "updated_at",
            ]
        )
        clarification_search_refresh(clarification=clarification)
        audit_record(
            action=AuditAction.CLARIFICATION_PUBLISH,
            obj=clarification,
            actor=user,
            before={"status": before},
            after={"status": clarification.status, "version": clarification.version},
        )
        _announce(clarification, CallbackEventType.CLARIFICATION_PUBLISHED)
    return clarification


def clarification_retract(
    *, clarification: Clarification, user: User, reason: str = "", now: datetime | None = None
) -> Clarification:
    """A KPU approver withdraws a published clarification, saying why. Its public page stays,
    marked retracted; an open revision is closed unpublished (it is kept)."""
    now = now or timezone.now()
    if not can_publish_clarifications(user):
        raise NotPermitted(_("Hanya penyetuju KPU yang dapat menarik klarifikasi."))
    reason = (reason or "").replace("\x00", "").strip()
    if len(reason) > MAX_NOTE:
        raise InvalidInput.of({"reason": _("paling banyak %(n)s karakter") % {"n": MAX_NOTE}})
    with transaction.atomic():
        clarification = Clarification.objects.select_for_update().get(pk=clarification.pk)
        before = clarification.status
        clarification.status = clarification_next_status(before, ClarificationEvent.RETRACT)
        clarification.retracted_at = now
        clarification.retraction_reason = reason
        clarification.save(
            update_fields=["status", "retracted_at", "retraction_reason", "updated_at"]
        )
        revision = _locked_revision(clarification)
        if revision is not None:
            revision.status = ClarificationStatus.RETRACTED
            revision.save(update_fields=["status", "updated_at"])
        audit_record(
            action=AuditAction.CLARIFICATION_RETRACT,
            obj=clarification,
            actor=user,
            before={"status": before},
            after={"status": clarification.status, "reason": reason},
        )
        _announce(clarification, CallbackEventType.CLARIFICATION_RETRACTED)
    return clarification


def clarification_attach(
    *, case: Case, clarification: Clarification, user: User, now: datetime | None = None
) -> CaseClarification:
    """Link a published clarification to a case. A case waiting for KPU returns to the queue."""
    now = now or timezone.now()
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",), no_key=True)
            .select_related("platform")
            .get(pk=case.pk)
        )
        case_actions(user, case, now=now).require(CaseAction.ATTACH_CLARIFICATION)
        if clarification.status != ClarificationStatus.PUBLISHED:
            raise InvalidInput(
                _("Hanya klarifikasi yang sudah terbit yang dapat dilampirkan."),
                errors={"clarification": _("belum terbit")},
            )
        link, created = CaseClarification.objects.get_or_create(
            case=case,
            clarification=clarification,
            defaults={"attached_by": user, "attached_at": now},
        )
        if not created:
            return link
        before = case.status
        case.status = next_status(case.status, CaseEvent.CLARIFICATION_ATTACH)
        case.version += 1
        case.save(update_fields=["status", "version", "updated_at"])
        audit_record(
            action=AuditAction.CLARIFICATION_ATTACH,
            obj=link,
            case=case,
            actor=user,
            before={"status": before},
            after={"status": case.status, "clarification": clarification.pk},
        )
        if before == CaseStatus.AWAITING_CLARIFICATION:
            notify_escalation_answered(
                case=case,
                escalated_by=_escalated_by(case),
                clarification_title=clarification.title,
            )
    return link


def _escalated_by(case: Case) -> list[int]:
    """Who sent the case to KPU this last time (the latest escalation's actor)."""
    actor = (
        AuditEvent.objects.filter(case=case, action=AuditAction.CASE_ESCALATE_TO_KPU)
        .exclude(actor__isnull=True)
        .order_by("-pk")
        .values_list("actor_id", flat=True)
        .first()
    )
    return [actor] if actor else []
