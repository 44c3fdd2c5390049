"""The notification centre: the header bell, the list with mark-as-read, and the preferences.

HTMX-friendly: with an ``HX-Request`` the POST views answer with the fragment to swap (and the
bell out of band); without JavaScript they redirect back. Thin: access, validate, service.
"""

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language

from moderation.choices import NotificationChannel, NotificationKind
from moderation.errors import ModerationError
from moderation.models import Notification, User
from moderation.oversight.notifications import (
    notification_channels,
    notification_mark_read,
    notification_preference_set,
    notifications_mark_all_read,
    user_language_set,
)
from moderation.permissions import is_staff_member
from moderation.web import request_user

PAGE_SIZE = 50
OPERATIONS_KINDS = {NotificationKind.DELIVERY_FAILED, NotificationKind.CALLBACK_DISABLED}

View = Callable[..., HttpResponse]


def staff_view(view: View) -> View:
    """Signed in, with a Saring role."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_staff_member(request.user):  # type: ignore[arg-type]
            raise PermissionDenied(_("Akun Anda belum memiliki peran di Saring."))
        return view(request, *args, **kwargs)

    return wrapper


@lru_cache(maxsize=1)
def _has_case_page() -> bool:
    try:
        reverse("case_detail", args=[1])
    except NoReverseMatch:
        return False
    return True


CLARIFICATION_KINDS = (
    NotificationKind.CLARIFICATION_SUBMITTED,
    NotificationKind.CLARIFICATION_RETURNED,
)


def notification_link(notification: Notification) -> str:
    """Where a notification leads: its case, or the operators page of its platform."""
    if notification.kind in OPERATIONS_KINDS and notification.platform is not None:
        return reverse("operations_platform", args=[notification.platform.slug])
    if notification.kind in CLARIFICATION_KINDS and notification.params.get("clarification"):
        return reverse("clarification_detail", args=[notification.params["clarification"]])
    if notification.case_id and _has_case_page():
        return reverse("case_detail", args=[notification.case_id])
    return ""


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def _back(request: HttpRequest) -> HttpResponseRedirect:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(reverse("notifications"))


@require_GET
@staff_view
def notifications(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    only_unread = request.GET.get("unread") == "1"
    rows = (
        Notification.objects.filter(recipient=user)
        .select_related("platform")
        .order_by("-created_at", "-id")
    )
    if only_unread:
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    items = [(n, notification_link(n)) for n in page.object_list]
    context = {
        "page": page,
        "items": items,
        "only_unread": only_unread,
        "unread": unread_count(user),
    }
    return render(request, "moderation/notifications/list.html", context)


@require_GET
@staff_view
def notifications_bell(request: HttpRequest) -> HttpResponse:
    """The bell alone, for HTMX polling (``hx-trigger="every 30s"``)."""
    return render(request, "moderation/notifications/_bell.html")


@require_POST
@staff_view
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    notification = get_object_or_404(
        Notification.objects.select_related("platform"), pk=pk, recipient=user
    )
    notification_mark_read(notification=notification, user=user)
    if request.headers.get("HX-Request"):
        return render(
            request,
            "moderation/notifications/_row.html",
            {"n": notification, "link": notification_link(notification), "oob_bell": True},
        )
    return _back(request)


@require_POST
@staff_view
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    marked = notifications_mark_all_read(user=user)
    messages.success(request, _("%(n)d notifikasi ditandai sudah dibaca.") % {"n": marked})
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return _back(request)


@require_http_methods(["GET", "POST"])
@staff_view
def notification_preferences(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    errors: dict[str, str] = {}
    if request.method == "POST":
        current = notification_channels(user)
        for kind in current:
            channel = request.POST.get(f"channel_{kind}")
            if channel is None or channel == current[kind]:
                continue
            try:
                notification_preference_set(user=user, kind=kind, channel=channel)
            except ModerationError as exc:
                errors[kind] = exc.detail
        if not errors:
            messages.success(request, _("Preferensi notifikasi disimpan."))
            return HttpResponseRedirect(reverse("notification_preferences"))
    channels = notification_channels(user)
    rows = [
        (kind, NotificationKind(kind).label, channels[kind], errors.get(kind, ""))
        for kind in channels
    ]
    return render(
        request,
        "moderation/notifications/preferences.html",
        {"rows": rows, "choices": NotificationChannel.choices},
        status=400 if errors else 200,
    )


@require_POST
def language_choose(request: HttpRequest) -> HttpResponse:
    """The header's language switch: Django's set_language (cookie, redirect back), and for a
    signed-in user the choice is remembered for their e-mails. Anyone may switch, signed in or
    not (the login page has the switch too)."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_language_set(user=request.user, language=language)  # type: ignore[arg-type]
    return response
