import ipaddress
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_vary_headers

from moderation.problems import PROBLEM_CONTENT_TYPE, problem_body
from moderation.request_context import RequestMeta, reset_request_meta, set_request_meta

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, for the audit log, the security log and the sign-in lockout.

    With TRUSTED_PROXY_COUNT = 0 (nothing in front of gunicorn) it is REMOTE_ADDR. Behind N
    trusted reverse proxies, each appending the address it received from to X-Forwarded-For,
    it is the N-th entry from the right: the address our outermost proxy saw. Entries further
    left are whatever the client sent and are never trusted, so a client cannot choose its
    address. A header with fewer entries than proxies (a request that bypassed them) or a
    malformed entry falls back to REMOTE_ADDR.

    Our own rule rather than django-ipware's ``proxy_count``: ipware counts the hops in the
    header differently (its count 0 means one proxy) and, strict, gives up on a client that
    sends its own X-Forwarded-For; axes calls this function (AXES_CLIENT_IP_CALLABLE).
    """
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote


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


# --- Request size limits (issue 12): 414 and 431 as problem+json ----------------------------

# gunicorn runs with --limit-request-line 8190 and --limit-request-field_size 16380 (Dockerfile),
# so requests between these limits and gunicorn's reach Django and are answered here with a
# problem+json; beyond gunicorn's own limits gunicorn answers a plain 400 before Django runs.
MAX_URL_LENGTH = 4096
MAX_HEADER_FIELD = 8190
MAX_HEADERS_TOTAL = 32768


def _problem(status: int, title: str, detail: str) -> HttpResponse:
    return JsonResponse(
        problem_body(status_code=status, title=title, detail=detail),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )


class RequestLimitsMiddleware:
    """A URL over MAX_URL_LENGTH is a 414, headers over their limits a 431, both problem+json."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        url_length = len(meta.get("PATH_INFO", "")) + len(meta.get("QUERY_STRING", ""))
        if url_length > MAX_URL_LENGTH:
            return _problem(
                414,
                "URI Too Long",
                f"The URL is {url_length} characters; at most {MAX_URL_LENGTH}.",
            )
        total = 0
        for key, value in meta.items():
            if key.startswith("HTTP_") and isinstance(value, str):
                size = len(key) + len(value)
                total += size
                if size > MAX_HEADER_FIELD:
                    return _problem(
                        431,
                        "Request Header Fields Too Large",
                        f"The {key[5:].replace('_', '-').title()} header is too large; "
                        f"at most {MAX_HEADER_FIELD} characters.",
                    )
        if total > MAX_HEADERS_TOTAL:
            return _problem(
                431,
                "Request Header Fields Too Large",
                f"The headers are too large together; at most {MAX_HEADERS_TOTAL} characters.",
            )
        return self.get_response(request)


# --- Signed-in answers are private (issue 12) ------------------------------------------------


def _signed_in(request: HttpRequest) -> bool:
    if "HTTP_AUTHORIZATION" in request.META:
        return True
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        # No session and no token: not signed in. Asking request.user would read the session
        # and make every anonymous answer (the public clarification pages) vary on Cookie.
        return False
    user = getattr(request, "user", None)  # DRF sets a token's user here too
    return bool(user is not None and user.is_authenticated)


class PrivateAnswersMiddleware:
    """Every answer to a signed-in request (a session or an API token) may show case data: no
    shared or browser cache keeps it (``Cache-Control: private, no-store``) and any cache that
    sees it knows it depends on the cookie and the token (``Vary: Cookie, Authorization``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _signed_in(request):
            response["Cache-Control"] = "private, no-store"
            patch_vary_headers(response, ("Cookie", "Authorization"))
        return response
