import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from moderation.request_context import RequestMeta, reset_request_meta, set_request_meta

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def client_ip(request: HttpRequest) -> str | None:
    # Behind the reverse proxy, REMOTE_ADDR is set by gunicorn from the proxy; we do not trust
    # X-Forwarded-For here because a client could forge it into the audit log.
    return request.META.get("REMOTE_ADDR") or None


class RequestIdMiddleware:
    """Gives each request our own id for logs and audit, answered in X-Request-ID. A client's
    sane X-Request-ID is kept beside it (audit ``client_request_id``), never instead of it: an id
    a client chose cannot collide with, or impersonate, another request's audit trail."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        client_request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else ""
        request_id = uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = set_request_meta(
            RequestMeta(
                request_id=request_id,
                ip_address=client_ip(request),
                client_request_id=client_request_id,
            )
        )
        try:
            response = self.get_response(request)
        finally:
            reset_request_meta(token)
        response["X-Request-ID"] = request_id
        return response
