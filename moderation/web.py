"""What every browser view shares: the signed-in user, typed; access for workspace pages
(signed in, a Saring role, domain errors as the 403 and 404 pages); safe redirects back."""

import json
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework.request import Request

from moderation.errors import NotFound, NotPermitted
from moderation.models import User
from moderation.permissions import is_staff_member
from moderation.problems import PROBLEM_CONTENT_TYPE, problem_body

View = Callable[..., HttpResponse]


def request_user(request: HttpRequest | Request) -> User:
    """The signed-in user of a page or an API request (the views' decorators and DRF's
    permission classes have turned anonymous requests away before this is asked)."""
    return cast(User, request.user)


def workspace_view(view: View) -> View:
    """Signed in with a Saring role. NotPermitted from a selector or service becomes the 403
    page and NotFound the 404 page; each view handles the other domain errors itself."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_staff_member(request_user(request)):
            raise PermissionDenied(_("Akun Anda belum memiliki peran di Saring."))
        try:
            return view(request, *args, **kwargs)
        except NotPermitted as exc:
            raise PermissionDenied(exc.detail) from exc
        except NotFound as exc:
            raise Http404(exc.detail) from exc

    return wrapper


def case_url(case_id: int, queue_slug: str = "") -> str:
    """The case page, remembering the queue it was opened from."""
    url = reverse("case_detail", args=[case_id])
    return f"{url}?{urlencode({'queue': queue_slug})}" if queue_slug else url


def redirect_back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    """To ``next`` when it is a local URL, else to ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(fallback)


# How long a page or API client should wait before trying again while the database is away
# (a restart or a fail-over takes seconds).
RETRY_AFTER_SECONDS = 10


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500. A database that cannot be reached (a restart, a fail-over) is not a bug in a
    page: the page says "try again" with a 503 and Retry-After, and the API answers a
    problem+json 503 as the webhook does. Every other error is the plain 500 page."""
    exc = sys.exc_info()[1]
    if not isinstance(exc, OperationalError | InterfaceError):
        return defaults.server_error(request)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if request.path.startswith("/api/"):
        body = problem_body(
            status_code=503,
            title="Service unavailable",
            detail="The database is unavailable; nothing was changed. Retry later.",
            type_="/problems/unavailable",
        )
        return HttpResponse(
            json.dumps(body), status=503, content_type=PROBLEM_CONTENT_TYPE, headers=headers
        )
    # Rendered without the request: the context processors would ask the database again.
    return HttpResponse(loader.get_template("503.html").render(), status=503, headers=headers)
