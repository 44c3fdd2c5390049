"""The second-factor pages: the code after the password, and the enrolment by QR code."""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login

from moderation.accounts.second_factor import (
    authenticator,
    enrolment_confirm,
    enrolment_start,
    second_factor_required,
    second_factor_verify,
)
from moderation.web import request_user


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Kode"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return str(settings.LOGIN_REDIRECT_URL)


def _done(request: HttpRequest) -> bool:
    user = request_user(request)
    return not second_factor_required(user) or user.is_verified()  # type: ignore[attr-defined]


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The authenticator's code (or a recovery code) after the password."""
    if _done(request):
        return redirect(_next(request))
    user = request_user(request)
    if authenticator(user) is None:
        return redirect(f"{reverse('otp_enrol')}?{urlencode({'next': _next(request)})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = second_factor_verify(user=user, token=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error(
            "code",
            _("Kode salah atau sudah dipakai. Setelah beberapa kali salah, tunggu sebentar."),
        )
    return render(request, "registration/otp_verify.html", {"form": form, "next": _next(request)})


@login_required
def otp_enrol(request: HttpRequest) -> HttpResponse:
    """Scan the QR code (or type the secret), confirm with the first code, keep the recovery
    codes shown once."""
    user = request_user(request)
    if authenticator(user) is not None:
        return redirect(f"{reverse('otp_verify')}?{urlencode({'next': _next(request)})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = enrolment_confirm(user=user, token=form.cleaned_data["code"])
        if confirmed is not None:
            device, codes = confirmed
            otp_login(request, device)
            return render(
                request,
                "registration/recovery_codes.html",
                {"codes": codes, "next": _next(request)},
            )
        form.add_error("code", _("Kode salah. Periksa jam ponsel Anda dan coba kode berikutnya."))
    enrolment = enrolment_start(user=user)
    return render(
        request,
        "registration/otp_enrol.html",
        {"form": form, "enrolment": enrolment, "next": _next(request)},
    )
