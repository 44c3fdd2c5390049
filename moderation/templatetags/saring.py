"""Template helpers for the workspace: WIB times, SLA countdowns, ages, reach, role names,
country names."""

from datetime import UTC, datetime, timedelta
from typing import Any

from babel import Locale, UnknownLocaleError
from django import template
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from moderation.accounts.second_factor import second_factor_required
from moderation.choices import (
    Action,
    ApprovalState,
    AuditAction,
    CaseStatus,
    ClarificationRating,
    CloseReason,
    Ground,
    PrioritySignal,
    Reason,
    Role,
    SkipReason,
)
from moderation.permissions import case_holder_id, case_status_now
from moderation.priority import breakdown_line_text, humanise_count

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


# ISO 3166-1's user-assigned and reserved codes that CLDR nevertheless names ("Unknown Region",
# "Outlying Oceania", pseudo-locales): a platform sending one has not told us a country.
PSEUDO_REGIONS = frozenset({"ZZ", "QO", "XA", "XB", "EU", "EZ", "UN"})


@register.filter
def region_name(code: str | None) -> str:
    """An ISO 3166-1 alpha-2 code as the country's name in the page's language (CLDR, through
    Babel), with the code beside it: "Indonesia (ID)". An unknown code shows as sent."""
    if not code:
        return "—"
    upper = code.strip().upper()
    name = None
    # Two letters, not one of the codes CLDR keeps for unknown or pseudo regions.
    if len(upper) == 2 and upper.isalpha() and upper.isascii() and upper not in PSEUDO_REGIONS:
        language = (translation.get_language() or "id").split("-")[0]
        try:
            name = Locale.parse(language).territories.get(upper)
        except (ValueError, UnknownLocaleError):
            name = None
    return f"{name} ({upper})" if name else code


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
def language_name(code: str | None) -> str:
    """A video's language code as the reader's name for it ("id" -> "Indonesia"), with the
    code when Django does not know it."""
    if not code:
        return "—"
    try:
        return str(translation.get_language_info(code.lower())["name_translated"])
    except KeyError:
        return code


@register.filter
def in_minutes(delta: timedelta | None) -> int:
    """A duration in whole minutes, rounded up (for "try again in N minutes")."""
    if not delta:
        return 0
    return max(1, -(-int(delta.total_seconds()) // 60))


@register.filter
def wib_from_now(delta: timedelta | None) -> str:
    """The WIB clock time ``delta`` from now (for "after 14:35")."""
    if delta is None:
        return "—"
    return wib(timezone.now() + delta, "H:i")


@register.filter
def late_by(done_at: datetime | None, due_at: datetime | None) -> str:
    """How long after its SLA due time a case was settled."""
    if not done_at or not due_at:
        return "—"
    return _duration(done_at - due_at)


@register.filter
def settled_at(case: Any) -> datetime | None:
    """When a decided or closed case was settled (its SLA clock stopped then); None while open."""
    if case.status == CaseStatus.DECIDED:
        return case.decided_at
    if case.status == CaseStatus.CLOSED:
        return case.closed_at or case.decided_at
    return None


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
    "via": gettext_lazy("lewat"),
    "ground": gettext_lazy("dasar"),
    "category": gettext_lazy("kategori"),
    "supersedes": gettext_lazy("menggantikan"),
    "close_reason": gettext_lazy("alasan penutupan"),
    "rating": gettext_lazy("penilaian"),
    "decision": gettext_lazy("keputusan"),
    "priority": gettext_lazy("prioritas"),
    "title": gettext_lazy("judul"),
}

# How a claim was taken (the audit row's "via").
CLAIM_VIA = {
    "claim": gettext_lazy("tombol ambil"),
    "claim_next": gettext_lazy("ambil berikutnya"),
}

# Which choices name the codes a key holds.
_AUDIT_CHOICES: dict[str, Any] = {
    "status": CaseStatus,
    "action": Action,
    "ground": Ground,
    "category": Reason,
    "approval_state": ApprovalState,
    "close_reason": CloseReason,
    "rating": ClarificationRating,
}


def _audit_value(key: str, value: Any, names: dict[int, str]) -> str:
    if value is None or value == "":
        return "—"
    choices = _AUDIT_CHOICES.get(key)
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    if key == "via" and value in CLAIM_VIA:
        return str(CLAIM_VIA[value])
    if key == "reason" and isinstance(value, str):
        # A skip's reason: "<code>" or "<code>: <the moderator's note>".
        code, _sep, note = value.partition(": ")
        if code in SkipReason.values:
            label = str(SkipReason(code).label)
            return f"{label}: {note}" if note else label
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
        label = str(AUDIT_KEYS.get(key, key.replace("_", " ")))
        if key in before and key in after:
            parts.append(
                f"{label}: {_audit_value(key, old, names)} → {_audit_value(key, new, names)}"
            )
        else:
            shown = new if key in after else old
            parts.append(f"{label}: {_audit_value(key, shown, names)}")
    return "; ".join(parts)


@register.filter
def holder(case: Any) -> Any:
    """The user holding the case now (None once the lease ran out, whatever the expiry job
    has done)."""
    return case.assignee if case_holder_id(case) else None


@register.filter
def status_now(case: Any) -> str:
    """The case's status code now (a lapsed claim is back in the queue)."""
    return case_status_now(case)


@register.filter
def status_label(value: str) -> str:
    try:
        return str(CaseStatus(value).label)
    except ValueError:
        return value


@register.filter
def breakdown_label(line: dict[str, Any]) -> str:
    """One line of a priority breakdown in the reader's words."""
    return breakdown_line_text(line)


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
