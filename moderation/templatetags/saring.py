"""Template helpers for the workspace: WIB times, SLA countdowns, ages, reach, role names."""

from datetime import UTC, datetime, timedelta
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from moderation.accounts.second_factor import second_factor_required
from moderation.choices import AuditAction, CaseStatus, PrioritySignal, Reason, Role
from moderation.priority import humanise_count

register = template.Library()


def _duration(delta: timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)s h %(h)s j") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s j %(m)s m") % {"h": hours, "m": mins}
    return _("%(m)s m") % {"m": mins}


def _local(value: datetime) -> tuple[datetime, str]:
    """The value in WIB, or in UTC when WIB would leave the calendar (a stored year-9999 date
    from before the webhook's date window): a page never fails on a stored date."""
    try:
        return timezone.localtime(value), "WIB"
    except (OverflowError, ValueError):
        return value.astimezone(UTC), "UTC"


@register.filter
def wib(value: datetime | None, fmt: str = "j M Y H:i") -> str:
    """A datetime in WIB (Asia/Jakarta), with the zone named."""
    if not value:
        return "—"
    from django.utils.dateformat import format as date_format

    local, zone = _local(value)
    return f"{date_format(local, fmt)} {zone}"


@register.filter
def age(value: datetime | None) -> str:
    """How long ago, short: 3 j 20 m."""
    if not value:
        return "—"
    return _duration(timezone.now() - value)


@register.filter
def sla_state(due_at: datetime | None, near_minutes: int = 60) -> str:
    """ok, near or past: for the colour of an SLA countdown."""
    if not due_at:
        return "none"
    left = due_at - timezone.now()
    if left.total_seconds() < 0:
        return "past"
    if left <= timedelta(minutes=near_minutes):
        return "near"
    return "ok"


@register.filter
def countdown(due_at: datetime | None) -> str:
    """Time left to the SLA, or how far past it."""
    if not due_at:
        return "—"
    left = due_at - timezone.now()
    if left.total_seconds() < 0:
        return _("lewat %(t)s") % {"t": _duration(left)}
    return _duration(left)


@register.filter
def reach(value: int | None) -> str:
    return "—" if value is None else humanise_count(value)


@register.filter
def iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


@register.filter
def role_labels(user: Any) -> str:
    names = user.role_names() if hasattr(user, "role_names") else set()
    return ", ".join(str(Role(n).label) for n in Role.values if n in names)


@register.filter
def audit_label(action: str) -> str:
    try:
        return str(AuditAction(action).label)
    except ValueError:
        return action


AUDIT_KEYS = {
    "status": gettext_lazy("status"),
    "assignee": gettext_lazy("penanggung jawab"),
    "reason": gettext_lazy("alasan"),
    "note": gettext_lazy("catatan"),
    "clarification": gettext_lazy("klarifikasi"),
    "action": gettext_lazy("tindakan"),
    "approval_state": gettext_lazy("persetujuan"),
    "version": gettext_lazy("versi"),
}


def _audit_value(key: str, value: Any, names: dict[int, str]) -> str:
    if value is None or value == "":
        return "—"
    if key == "status" and value in CaseStatus.values:
        return str(CaseStatus(value).label)
    if key in ("assignee", "decided_by") and isinstance(value, int):
        return names.get(value, f"#{value}")
    return str(value)


@register.filter
def audit_changes(event: Any) -> str:
    """before → after, one key at a time, for the case history. User ids become usernames
    when the selector put them on the event (``_user_names``)."""
    before = event.before or {}
    after = event.after or {}
    names: dict[int, str] = getattr(event, "_user_names", {})
    parts = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        label = str(AUDIT_KEYS.get(key, key))
        if key in before and key in after:
            parts.append(
                f"{label}: {_audit_value(key, old, names)} → {_audit_value(key, new, names)}"
            )
        else:
            shown = new if key in after else old
            parts.append(f"{label}: {_audit_value(key, shown, names)}")
    return "; ".join(parts)


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key) if mapping else None


@register.simple_tag
def workspace_roles(user: Any) -> dict[str, bool]:
    """What the navigation shows; the views and services enforce the same rules."""
    from moderation.permissions import (
        can_read_audit_log,
        is_kpu,
        is_moderator,
        is_staff_member,
        is_supervisor,
    )

    if not getattr(user, "is_authenticated", False):
        return {}
    verified = getattr(user, "is_verified", None)  # set by django-otp's middleware
    if verified is not None and not verified() and second_factor_required(user):
        return {}  # signed in with the password only: nothing to navigate to yet
    return {
        "staff": is_staff_member(user),
        "supervisor": is_supervisor(user),
        "moderator": is_moderator(user),
        "kpu": is_kpu(user),
        "audit": can_read_audit_log(user),
        "admin": bool(user.is_staff),
    }


@register.filter
def signal_label(signal: str) -> str:
    """The name of a priority signal (the breakdown's ``signal`` key) in the user's language."""
    try:
        return str(PrioritySignal(signal).label)
    except ValueError:
        return signal


@register.filter
def reason_label(value: str) -> str:
    try:
        return str(Reason(value).label)
    except ValueError:
        return value
