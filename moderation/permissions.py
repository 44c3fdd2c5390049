"""Who may do what. Services and selectors call these; templates only mirror them."""

from django.db.models import Q

from moderation.choices import CaseStatus, Role
from moderation.errors import NotPermitted
from moderation.models import Case, Platform, Queue, User

STAFF_ROLES = tuple(Role.values)


def is_staff_member(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_role(*STAFF_ROLES))


def is_supervisor(user: User) -> bool:
    return user.has_role(Role.SUPERVISOR, Role.ADMINISTRATOR)


def is_kpu(user: User) -> bool:
    return user.has_role(Role.KPU_CLARIFIER, Role.KPU_APPROVER)


def is_moderator(user: User) -> bool:
    return user.has_role(Role.PLATFORM_MODERATOR)


def cases_visible_q(user: User) -> Q:
    """The cases a user may read, as a filter. Nothing for outsiders."""
    if is_supervisor(user) or is_kpu(user):
        return Q()
    if is_moderator(user) and user.organisation_id:
        return Q(platform_id__in=platform_ids_of(user))
    return Q(pk__in=[])


def cases_workable_q(user: User) -> Q:
    """The cases a user may claim and decide."""
    if is_supervisor(user):
        return Q()
    if is_moderator(user) and user.organisation_id:
        return Q(platform_id__in=platform_ids_of(user))
    return Q(pk__in=[])


def can_read_case(user: User, case: Case) -> bool:
    if is_supervisor(user) or is_kpu(user):
        return True
    return bool(
        is_moderator(user)
        and user.organisation_id
        and case.platform.organisation_id == user.organisation_id
    )


def can_work_case(user: User, case: Case) -> bool:
    if is_supervisor(user):
        return True
    return bool(
        is_moderator(user)
        and user.organisation_id
        and case.platform.organisation_id == user.organisation_id
    )


def require(condition: bool, message: str = "") -> None:
    if not condition:
        raise NotPermitted(message)


# --- Workspace rules (queues, case page, API) ---------------------------------------------------


def _own_platforms(user: User) -> list[tuple[int, str]]:
    cached: list[tuple[int, str]] | None = getattr(user, "_own_platforms", None)
    if cached is None:
        cached = (
            list(
                Platform.objects.filter(organisation_id=user.organisation_id).values_list(
                    "pk", "slug"
                )
            )
            if user.organisation_id
            else []
        )
        user._own_platforms = cached  # type: ignore[attr-defined]
    return cached


def platform_ids_of(user: User) -> list[int]:
    """The platforms a moderator works for (their organisation's), cached on the user object.

    Resolved to ids so that queue queries filter ``platform_id IN (...)`` and can walk the
    queue indexes in priority order instead of joining through the organisation.
    """
    return [pk for pk, _ in _own_platforms(user)]


def platform_slugs_of(user: User) -> list[str]:
    return [slug for _, slug in _own_platforms(user)]


def cases_listable_q(user: User) -> Q:
    """The cases a user sees in queue lists: moderators their platform's, KPU staff the cases
    awaiting clarification, supervisors everything."""
    if is_supervisor(user):
        return Q()
    q = Q(pk__in=[])
    if is_moderator(user) and user.organisation_id:
        q |= Q(platform_id__in=platform_ids_of(user))
    if is_kpu(user):
        q |= Q(status=CaseStatus.AWAITING_CLARIFICATION)
    return q


def can_see_queue(user: User, queue: Queue) -> bool:
    """Supervisors see every queue. Moderators see the work queues (not approvals) that can
    hold cases of their platform. KPU staff see the queues of cases awaiting clarification."""
    if is_supervisor(user):
        return True
    filters = queue.filters or {}
    if filters.get("awaiting_approval"):
        return False
    statuses = set(filters.get("statuses") or [])
    if is_kpu(user) and CaseStatus.AWAITING_CLARIFICATION in statuses:
        return True
    if is_moderator(user) and user.organisation_id:
        slugs = filters.get("platforms") or []
        if not slugs:
            return True
        return bool(set(slugs) & set(platform_slugs_of(user)))
    return False


def can_edit_queues(user: User) -> bool:
    return is_supervisor(user)


def can_approve_decisions(user: User) -> bool:
    return is_supervisor(user)


def can_reassign(user: User) -> bool:
    return is_supervisor(user)


def can_read_audit_log(user: User) -> bool:
    return is_supervisor(user)


def can_attach_clarification(user: User, case: Case) -> bool:
    return is_kpu(user) or can_work_case(user, case)


def can_read_clarifications(user: User) -> bool:
    """Drafts are KPU's and supervisors'; moderators read the published ones to label with."""
    return is_staff_member(user)
