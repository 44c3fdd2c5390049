"""Queues, clarifications, the audit log and callback operations: who may see and do what."""

from collections.abc import Collection

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from moderation.choices import (
    CaseStatus,
    Role,
)
from moderation.errors import (
    NotPermitted,
)
from moderation.models import Clarification, Platform, Queue, User
from moderation.permissions.roles import (
    NOTHING,
    in_scope_q,
    is_administrator,
    is_kpu,
    is_moderator,
    is_platform_staff,
    is_read_only,
    is_supervisor,
    platform_scope,
    platform_slugs_of,
)

_PUBLISHERS_ONLY = _("Hanya penyetuju KPU yang dapat menerbitkan klarifikasi.")


_OWN_CLARIFICATION = _("Penulis tidak boleh menyetujui klarifikasinya sendiri.")
_OWN_TEXT = _("Anda ikut menulis teks ini; penyetuju lain yang harus menerbitkannya.")


def can_see_queue(user: User, queue: Queue) -> bool:
    """Supervisors see every queue that can hold cases of their scope. Moderators see the work
    queues (not approvals) that can hold cases of their platform. KPU staff see the queues of
    cases awaiting clarification."""
    filters = queue.filters or {}
    slugs = set(filters.get("platforms") or [])
    if slugs and is_platform_staff(user) and not slugs & set(platform_slugs_of(user)):
        return False
    if is_supervisor(user):
        return True
    if filters.get("awaiting_approval"):
        return False
    statuses = set(filters.get("statuses") or [])
    if is_kpu(user) and CaseStatus.AWAITING_CLARIFICATION in statuses:
        return True
    return is_moderator(user) and is_platform_staff(user)


def can_claim_from_queues(user: User) -> bool:
    return (is_supervisor(user) or is_moderator(user)) and not is_read_only(user)


def platforms_visible(user: User) -> QuerySet[Platform]:
    """The platforms whose cases a user may read (what a platform filter offers)."""
    if not (is_supervisor(user) or is_kpu(user) or is_moderator(user)):
        return Platform.objects.none()
    return Platform.objects.filter(in_scope_q(user, "pk")).order_by("name")


def can_edit_queues(user: User) -> bool:
    return is_supervisor(user) and not is_read_only(user)


def can_approve_decisions(user: User) -> bool:
    return is_supervisor(user) and not is_read_only(user)


def _kpu_side(user: User) -> bool:
    """Neither platform staff nor read-only Bawaslu, whatever roles the account holds: only
    they may write a clarification."""
    return not is_platform_staff(user) and not is_read_only(user)


def can_write_clarifications(user: User) -> bool:
    """KPU clarifiers (and approvers) write and submit clarifications; platform staff never."""
    return is_kpu(user) and _kpu_side(user)


def can_create_clarification(user: User) -> bool:
    """KPU staff, and KPU's own administrators; platform staff never write one."""
    return (is_kpu(user) or is_administrator(user)) and _kpu_side(user)


def can_publish_clarifications(user: User) -> bool:
    """KPU approvers publish, send back and retract clarifications; platform staff never."""
    return user.has_role(Role.KPU_APPROVER) and _kpu_side(user)


def clarification_publish_refusal(
    user: User, clarification: Clarification, *, writer_ids: Collection[int] = ()
) -> NotPermitted | None:
    """Why ``user`` may not publish ``clarification``, or None. Four eyes: an approver, and
    never the author nor anyone who wrote the text in review (``writer_ids``)."""
    if not can_publish_clarifications(user):
        return NotPermitted(_PUBLISHERS_ONLY)
    writers = set(writer_ids) or {clarification.author_id}
    if user.pk not in writers:
        return None
    if clarification.author_id == user.pk:
        return NotPermitted(_OWN_CLARIFICATION)
    return NotPermitted(_OWN_TEXT)


def can_attach_clarifications(user: User) -> bool:
    """Who may attach published clarifications to cases in bulk: KPU staff, moderators and
    supervisors; Bawaslu reads only."""
    return not is_read_only(user) and (is_kpu(user) or is_moderator(user) or is_supervisor(user))


def can_read_clarification_drafts(user: User) -> bool:
    """Drafts are KPU's and supervisors'; everyone else reads the published ones."""
    return is_kpu(user) or is_supervisor(user)


def can_read_audit_log(user: User) -> bool:
    return is_supervisor(user)


def audit_events_visible_q(user: User) -> Q:
    """The audit events a user may read: every one for KPU's and Bawaslu's supervisors and
    administrators; for a platform's, those about its cases and those by its own staff."""
    if not can_read_audit_log(user):
        return NOTHING
    scope = platform_scope(user)
    if scope is None:
        return Q()
    return (
        Q(case__platform_id__in=scope)
        | Q(object_type="platform", object_id__in=[str(pk) for pk in scope])
        | Q(actor_organisation_id=user.organisation_id)
    )


def can_read_dashboard(user: User) -> bool:
    """The oversight dashboards, the neutrality view and the statement-of-reasons export:
    supervisors and administrators of KPU, Bawaslu and the platforms (a platform's own see
    their platform only: ``dashboard_platforms``)."""
    return bool(user.is_authenticated and user.is_active and is_supervisor(user))


def dashboard_platforms(user: User) -> QuerySet[Platform]:
    """The platforms a dashboard reader may filter by (and whose numbers they see)."""
    if not can_read_dashboard(user):
        return Platform.objects.none()
    return Platform.objects.filter(in_scope_q(user, "pk")).order_by("name")


def can_operate_callbacks(user: User) -> bool:
    """Supervisors and administrators watch callbacks (each on the platforms they may)."""
    return bool(
        user.is_authenticated and user.is_active and is_supervisor(user) and not is_read_only(user)
    )


def platforms_operable(user: User) -> QuerySet[Platform]:
    """The platforms whose callbacks a user may watch and act on: a platform's own
    supervisors and administrators that platform only, KPU's every platform."""
    if not can_operate_callbacks(user):
        return Platform.objects.none()
    return Platform.objects.filter(in_scope_q(user, "pk"))


def can_operate_platform(user: User, platform: Platform) -> bool:
    return platforms_operable(user).filter(pk=platform.pk).exists()
