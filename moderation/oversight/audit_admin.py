"""Changes made in the Django admin, with the fields before and after.

The admin saves the rows it may edit (organisations, users) itself; ``AuditedAdmin``
(moderation/admin/base.py) calls ``admin_change_record`` in the same transaction as the save
(Django's change form runs in one). A user's roles and organisation get their own actions,
so that "who gave whom which role" is one filter on the audit page.
"""

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import Group
from django.db import models, transaction

from moderation.choices import AuditAction
from moderation.models import AuditEvent, Case, User
from moderation.oversight.audit import audit_record

SECRET_WORDS = ("password", "secret", "token")
MASK = "••••"


def _json_value(value: Any) -> Any:
    if isinstance(value, User):
        return value.get_username()
    if isinstance(value, Group):
        return value.name  # a role
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (models.QuerySet, list, tuple, set)):
        return sorted(str(_json_value(v)) for v in value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def admin_values(values: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """JSON-safe values of ``fields``; secrets are masked, never stored."""
    out: dict[str, Any] = {}
    for name in fields:
        if any(word in name.lower() for word in SECRET_WORDS):
            out[name] = MASK
            continue
        out[name] = _json_value(values.get(name))
    return out


def admin_change_record(
    *,
    user: User,
    obj: models.Model,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
    case: Case | None = None,
) -> list[AuditEvent]:
    """One event per concern: a user's roles and organisation each get their own action; the
    other changed fields share one ``admin.change`` (or add / delete) event."""
    events: list[AuditEvent] = []
    before, after = dict(before), dict(after)
    with transaction.atomic():
        if isinstance(obj, User) and action == AuditAction.ADMIN_CHANGE:
            for field, specific in (
                ("groups", AuditAction.USER_ROLES_CHANGE),
                ("organisation", AuditAction.USER_ORGANISATION_CHANGE),
            ):
                if field in after or field in before:
                    events.append(
                        audit_record(
                            action=specific,
                            obj=obj,
                            actor=user,
                            before={field: before.pop(field, None)},
                            after={field: after.pop(field, None)},
                        )
                    )
        if before or after or action != AuditAction.ADMIN_CHANGE:
            events.append(
                audit_record(
                    action=action,
                    obj=obj,
                    actor=user,
                    case=case,
                    before=before,
                    after={"model": obj._meta.label, **after},
                )
            )
    return events
