"""Who may do what. Services and selectors call these; templates only mirror them."""

from django.db.models import Q

from moderation.choices import Role
from moderation.errors import NotPermitted
from moderation.models import Case, User

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
        return Q(platform__organisation_id=user.organisation_id)
    return Q(pk__in=[])


def cases_workable_q(user: User) -> Q:
    """The cases a user may claim and decide."""
    if is_supervisor(user):
        return Q()
    if is_moderator(user) and user.organisation_id:
        return Q(platform__organisation_id=user.organisation_id)
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
