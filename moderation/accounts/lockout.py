"""The page a locked-out sign-in gets (django-axes calls ``lockout_response``): the site's layout,
and when to try again. Lockouts are per account and client address (AXES_LOCKOUT_PARAMETERS),
the address taken behind TRUSTED_PROXY_COUNT proxies (moderation.middleware.client_ip)."""

from datetime import datetime
from typing import Any

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from moderation.middleware import client_ip


def lockout_until(request: HttpRequest, username: str) -> datetime:
    """When the lockout of this account from this address ends: the cool-off after the last
    failure (a failure during the lockout starts it again)."""
    cool_off = get_cool_off(request)
    last = (
        AccessAttempt.objects.filter(username=username, ip_address=client_ip(request))
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    return (last or timezone.now()) + cool_off


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    until = lockout_until(request, username)
    minutes = max(1, int((until - timezone.now()).total_seconds() + 59) // 60)
    return render(
        request,
        "registration/lockout.html",
        {"until": until, "minutes": minutes, "username": username},
        status=429,
    )
