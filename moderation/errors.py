"""One family of domain errors. The API handler turns them into problem+json; the browser views
turn them into messages. Each carries the HTTP status it maps to and a stable problem type."""

from typing import Any

from django.utils.translation import gettext_lazy as _


class ModerationError(Exception):
    status_code = 400
    problem_type = "about:blank"
    title: Any = _("Permintaan tidak dapat diproses")

    def __init__(self, detail: Any = "", **extra: Any) -> None:
        self.detail = str(detail) if detail else str(self.title)
        self.extra = extra
        super().__init__(self.detail)


class InvalidTransition(ModerationError):
    status_code = 409
    problem_type = "/problems/invalid-transition"
    title = _("Perubahan status tidak diizinkan")

    def __init__(
        self, status: str, event: str, *, status_label: Any = None, event_label: Any = None
    ) -> None:
        """``status`` and ``event`` are codes (kept in the problem's extra members); the
        message names them by their labels when given (``transitions.invalid_transition``)."""
        self.status = status
        self.event = event
        super().__init__(
            _("Kasus berstatus “%(status)s” tidak dapat menerima peristiwa “%(event)s”.")
            % {"status": status_label or status, "event": event_label or event},
            current_status=status,
            event=event,
        )


class StaleVersion(ModerationError):
    status_code = 409
    problem_type = "/problems/stale-version"
    title = _("Kasus telah berubah")

    def __init__(self, *, expected: int, current: int) -> None:
        self.expected = expected
        self.current = current
        super().__init__(
            _("Kasus berubah sejak Anda membukanya (versi %(expected)s, kini %(current)s).")
            % {"expected": expected, "current": current},
            expected_version=expected,
            current_version=current,
        )


class AlreadyClaimed(ModerationError):
    status_code = 409
    problem_type = "/problems/already-claimed"
    title = _("Kasus sudah diambil")


class LeaseExpired(ModerationError):
    status_code = 409
    problem_type = "/problems/lease-expired"
    title = _("Masa klaim habis")


class NotPermitted(ModerationError):
    status_code = 403
    problem_type = "/problems/not-permitted"
    title = _("Tidak diizinkan")


class InvalidInput(ModerationError):
    status_code = 400
    problem_type = "/problems/invalid-input"
    title = _("Masukan tidak valid")

    @classmethod
    def of(cls, errors: dict[str, Any]) -> "InvalidInput":
        """One message per field; the detail lists them all."""
        return cls("; ".join(f"{k}: {v}" for k, v in errors.items()), errors=errors)


class NotFound(ModerationError):
    status_code = 404
    problem_type = "/problems/not-found"
    title = _("Tidak ditemukan")


class Conflict(ModerationError):
    status_code = 409
    problem_type = "/problems/conflict"
    title = _("Konflik")


class UpstreamUnavailable(ModerationError):
    """Something we fetch from a platform (a video thumbnail) could not be had or is not what
    it should be."""

    status_code = 502
    problem_type = "/problems/upstream-unavailable"
    title = _("Sumber di platform tidak tersedia")
