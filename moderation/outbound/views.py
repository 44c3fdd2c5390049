"""The operators page for callbacks: per platform, counts by status, the oldest waiting
delivery, failed deliveries with their last error and attempts, "send again" for one or many,
and turning a disabled callback URL back on.

For supervisors and administrators (a platform's own supervisor sees only that platform).
Thin: access, validate, call a service in moderation/services/deliveries.py.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from moderation.choices import DeliveryStatus
from moderation.errors import ModerationError
from moderation.models import OutboundDelivery, Platform, User
from moderation.outbound.operations import (
    delivery_resend,
    platform_callback_disable,
    platform_callback_enable,
)
from moderation.outbound.selectors import platform_deliveries, platform_delivery_summaries
from moderation.oversight.periodic_jobs import periodic_jobs_overview
from moderation.permissions import can_operate_callbacks, platforms_operable
from moderation.web import request_user

PAGE_SIZE = 50


def _operable(request: HttpRequest) -> tuple[User, QuerySet[Platform]]:
    user = request_user(request)
    if not can_operate_callbacks(user):
        raise PermissionDenied(_("Halaman ini untuk supervisor dan administrator."))
    return user, platforms_operable(user)


def _platform(request: HttpRequest, slug: str) -> tuple[User, Platform]:
    user, platforms = _operable(request)
    platform = platforms.filter(slug=slug).first()
    if platform is None:
        if Platform.objects.filter(slug=slug).exists():
            raise PermissionDenied(_("Anda tidak dapat mengelola platform ini."))
        raise Http404(slug)
    return user, platform


def _to_platform(platform: Platform, status: str = "") -> HttpResponseRedirect:
    url = reverse("operations_platform", args=[platform.slug])
    return HttpResponseRedirect(f"{url}?status={status}" if status else url)


@require_GET
@login_required
def operations_callbacks(request: HttpRequest) -> HttpResponse:
    platforms = _operable(request)[1]
    summaries = platform_delivery_summaries(platforms)
    return render(
        request,
        "moderation/operations/callbacks.html",
        {
            "summaries": summaries,
            "now": timezone.now(),
            # What keeps callbacks moving: the sweep and the other periodic jobs.
            "periodic_jobs": periodic_jobs_overview(),
        },
    )


@require_GET
@login_required
def operations_platform(request: HttpRequest, slug: str) -> HttpResponse:
    platform = _platform(request, slug)[1]
    status = request.GET.get("status") or DeliveryStatus.FAILED
    if status not in DeliveryStatus.values:
        return HttpResponse(_("Status tidak dikenal."), status=400)
    summary = platform_delivery_summaries(Platform.objects.filter(pk=platform.pk))[0]
    page = Paginator(platform_deliveries(platform, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "moderation/operations/platform.html",
        {
            "platform": platform,
            "summary": summary,
            "status": status,
            "status_label": DeliveryStatus(status).label,
            "page": page,
            "resendable": status == DeliveryStatus.FAILED,
            "now": timezone.now(),
        },
    )


@require_POST
@login_required
def operations_resend(request: HttpRequest, slug: str) -> HttpResponse:
    user, platform = _platform(request, slug)
    failed = OutboundDelivery.objects.filter(platform=platform, status=DeliveryStatus.FAILED)
    if request.POST.get("all") == "1":
        chosen = list(failed)
    else:
        try:
            ids = [int(v) for v in request.POST.getlist("delivery")]
        except ValueError:
            return HttpResponse(_("ID pengiriman tidak valid."), status=400)
        chosen = list(OutboundDelivery.objects.filter(platform=platform, pk__in=ids))
    if not chosen:
        messages.error(request, _("Pilih minimal satu pengiriman yang gagal."))
        return _to_platform(platform, DeliveryStatus.FAILED)
    try:
        queued = delivery_resend(deliveries=chosen, user=user)
    except ModerationError as exc:
        messages.error(request, exc.detail)
        return _to_platform(platform, DeliveryStatus.FAILED)
    messages.success(
        request, _("%(n)d pengiriman dijadwalkan untuk dikirim ulang.") % {"n": queued}
    )
    return _to_platform(platform, DeliveryStatus.FAILED)


@require_POST
@login_required
def operations_callback_enable(request: HttpRequest, slug: str) -> HttpResponse:
    user, platform = _platform(request, slug)
    try:
        platform_callback_enable(platform=platform, user=user)
    except ModerationError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request, _("Callback %(name)s dinyalakan kembali.") % {"name": platform.name}
        )
    return _to_platform(platform)


@require_POST
@login_required
def operations_callback_disable(request: HttpRequest, slug: str) -> HttpResponse:
    user, platform = _platform(request, slug)
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(request, _("Tuliskan alasan mematikan callback."))
        return _to_platform(platform)
    try:
        platform_callback_disable(platform=platform, user=user, reason=reason)
    except ModerationError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Callback %(name)s dimatikan.") % {"name": platform.name})
    return _to_platform(platform)
