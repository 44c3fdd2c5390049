"""Roles, the platforms a user works for, and the isolation rule: platform staff of every
role see and act on their own platform only; KPU staff on every platform; Bawaslu reads."""

from django.db.models import Q

from moderation.choices import (
    OrganisationKind,
    Role,
)
from moderation.models import Platform, User

STAFF_ROLES = tuple(Role.values)


def is_staff_member(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_role(*STAFF_ROLES))


def is_supervisor(user: User) -> bool:
    """Supervisors and administrators: they watch queues, approve and reassign."""
    return user.has_role(Role.SUPERVISOR, Role.ADMINISTRATOR)


def is_administrator(user: User) -> bool:
    return user.has_role(Role.ADMINISTRATOR)


def is_kpu(user: User) -> bool:
    return user.has_role(Role.KPU_CLARIFIER, Role.KPU_APPROVER)


def is_moderator(user: User) -> bool:
    return user.has_role(Role.PLATFORM_MODERATOR)


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
    """The platforms of the user's organisation, cached on the user object.

    Resolved to ids so that queue queries filter ``platform_id IN (...)`` and can walk the
    queue indexes in priority order instead of joining through the organisation.
    """
    return [pk for pk, _slug in _own_platforms(user)]


def platform_slugs_of(user: User) -> list[str]:
    return [slug for _pk, slug in _own_platforms(user)]


def works_for_platform(user: User, platform_id: int) -> bool:
    return platform_id in platform_ids_of(user)


def is_platform_staff(user: User) -> bool:
    organisation = user.organisation if user.organisation_id else None
    return organisation is not None and organisation.kind == OrganisationKind.PLATFORM


def is_read_only(user: User) -> bool:
    """Bawaslu's staff read everything their role shows, and change nothing."""
    organisation = user.organisation if user.organisation_id else None
    return organisation is not None and organisation.kind == OrganisationKind.BAWASLU


def platform_scope(user: User) -> list[int] | None:
    """The platforms a user's reads and actions are limited to: their organisation's for
    platform staff; None (every platform) for KPU, Bawaslu and others."""
    return platform_ids_of(user) if is_platform_staff(user) else None


def in_scope_q(user: User, field: str = "platform_id") -> Q:
    """``field`` (a platform id) within the user's platform scope, as a filter."""
    scope = platform_scope(user)
    return Q() if scope is None else Q(**{f"{field}__in": scope})


def in_scope(user: User, platform_id: int) -> bool:
    scope = platform_scope(user)
    return scope is None or platform_id in scope


NOTHING = Q(pk__in=[])
