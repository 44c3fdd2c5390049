"""What every browser view shares: the signed-in user, typed; access for workspace pages
(signed in, a Saring role, domain errors as the 403 and 404 pages); safe redirects back."""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from rest_framework.request import Request

from moderation.errors import NotFound, NotPermitted
from moderation.models import User
from moderation.permissions import is_staff_member

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
