"""What a notification says, per kind, in the reader's language.

A notification stores its kind and the values its text needs (``Notification.params``); its
title and body are rendered from the templates below when someone reads it, in the language
they chose. The services also store the text rendered in Indonesian (``title``, ``body``): that
is what the admin, searches and notifications written before ``params`` existed show.

Pure: no database, no request.
"""

from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from moderation.choices import Action, CaseStatus, NotificationKind, Reason

TITLES = {
    NotificationKind.CASE_ROUTED_TO_KPU: _("Kasus #%(case)s menunggu klarifikasi KPU"),
    NotificationKind.DECISION_AWAITING_APPROVAL: _(
        "Keputusan #%(decision)s (%(action)s) menunggu persetujuan"
    ),
    NotificationKind.APPEAL_RECEIVED: _(
        "Banding atas keputusan #%(decision)s pada kasus #%(case)s"
    ),
    NotificationKind.DELIVERY_FAILED: _("Callback %(event_type)s ke %(platform)s gagal permanen"),
    NotificationKind.CALLBACK_DISABLED: _("Callback %(platform)s dimatikan"),
    NotificationKind.SLA_WARNING: _("Kasus #%(case)s mendekati tenggat SLA (%(due)s WIB)"),
    NotificationKind.SLA_BREACHED: _("Kasus #%(case)s melewati tenggat SLA (%(due)s WIB)"),
    NotificationKind.CLARIFICATION_SUBMITTED: _(
        "Klarifikasi #%(clarification)s versi %(version)s menunggu persetujuan"
    ),
    NotificationKind.CLARIFICATION_RETURNED: _(
        "Klarifikasi #%(clarification)s versi %(version)s dikembalikan oleh %(reviewer)s"
    ),
    NotificationKind.AUDIT_LOG_BROKEN: _("Rantai segel log audit rusak (%(count)s masalah)"),
    NotificationKind.DECISION_APPROVED: _(
        "Keputusan #%(decision)s (%(action)s) pada kasus #%(case)s disetujui"
    ),
    NotificationKind.DECISION_REJECTED: _(
        "Keputusan #%(decision)s (%(action)s) pada kasus #%(case)s ditolak"
    ),
    NotificationKind.ESCALATION_ANSWERED: _("KPU menjawab kasus #%(case)s"),
}

_VIDEO_REASONS = _("Video %(video)s (%(platform)s); alasan: %(reasons)s.")
_NOTE = _("Catatan: %(note)s")
_AWAITING_APPROVAL = _(
    "Kasus #%(case)s, video %(video)s (%(platform)s). Diputuskan oleh %(decided_by)s."
)
_DELIVERY_FAILED = _("%(subject)s: %(attempts)s percobaan. Galat terakhir: %(last_error)s")
_CALLBACK_DISABLED = _("Pengiriman yang menunggu dijeda sampai operator menyalakannya kembali.")
_AUDIT_LOG_BROKEN = _(
    "Mata rantai rusak pertama: %(problem)s. Jalankan manage.py verify_audit_log dan periksa "
    "cadangan basis data."
)
_REVIEWED = _("Ditinjau oleh %(reviewer)s.")
_REJECTED_BACK = _("Kasus kembali ke antrean.")
_ESCALATION_ANSWERED = _("Klarifikasi “%(clarification)s” dilampirkan; kasus kembali ke antrean.")
_SLA = _("Video %(video)s (%(platform)s); status %(status)s; alasan: %(reasons)s.")


def _body(kind: str, params: dict[str, Any]) -> str:
    """The body for this kind; free text from the platform or an operator (an appeal's
    statement, a reason) is quoted as it came."""
    if kind == NotificationKind.CASE_ROUTED_TO_KPU:
        body = str(_VIDEO_REASONS) % params
        return body + "\n" + str(_NOTE) % params if params.get("note") else body
    if kind == NotificationKind.DECISION_AWAITING_APPROVAL:
        return str(_AWAITING_APPROVAL) % params
    if kind == NotificationKind.APPEAL_RECEIVED:
        return str(params.get("statement", ""))
    if kind == NotificationKind.DELIVERY_FAILED:
        return str(_DELIVERY_FAILED) % params
    if kind == NotificationKind.CALLBACK_DISABLED:
        return f"{params.get('reason', '')}\n{_CALLBACK_DISABLED}"
    if kind == NotificationKind.CLARIFICATION_SUBMITTED:
        return str(params.get("title", ""))
    if kind == NotificationKind.CLARIFICATION_RETURNED:
        return f"{params.get('title', '')}\n" + str(_NOTE) % params
    if kind == NotificationKind.AUDIT_LOG_BROKEN:
        return str(_AUDIT_LOG_BROKEN) % params
    if kind in (NotificationKind.SLA_WARNING, NotificationKind.SLA_BREACHED):
        return str(_SLA) % params
    if kind in (NotificationKind.DECISION_APPROVED, NotificationKind.DECISION_REJECTED):
        body = str(_REVIEWED) % params
        if params.get("note"):
            body += "\n" + str(_NOTE) % params
        if kind == NotificationKind.DECISION_REJECTED:
            body += "\n" + str(_REJECTED_BACK)
        return body
    if kind == NotificationKind.ESCALATION_ANSWERED:
        return str(_VIDEO_REASONS) % params + "\n" + str(_ESCALATION_ANSWERED) % params
    return ""


def _readable(params: dict[str, Any]) -> dict[str, Any]:
    """The params with codes (an action, reasons, a status) as the reader's words."""
    readable = dict(params)
    if params.get("action") in Action.values:
        readable["action"] = Action(params["action"]).label
    if params.get("status") in CaseStatus.values:
        readable["status"] = CaseStatus(params["status"]).label
    reasons = params.get("reasons")
    if isinstance(reasons, str) and reasons not in ("", "-"):
        codes = [r.strip() for r in reasons.split(",")]
        readable["reasons"] = ", ".join(
            str(Reason(code).label) if code in Reason.values else code for code in codes
        )
    return readable


def notification_text(kind: str, params: dict[str, Any]) -> tuple[str, str] | None:
    """(title, body) in the active language, or None if this kind has no template or the
    params do not fit it (then the stored text is shown)."""
    template = TITLES.get(kind)  # type: ignore[call-overload]
    if template is None:
        return None
    params = _readable(params)
    try:
        return str(template) % params, _body(kind, params)
    except (KeyError, TypeError, ValueError):
        return None


def notification_text_stored(kind: str, params: dict[str, Any]) -> tuple[str, str]:
    """(title, body) in Indonesian, for the stored columns."""
    with translation.override("id"):
        text = notification_text(kind, params)
    if text is None:
        raise ValueError(f"no notification text for {kind} with {sorted(params)}")
    return text
