"""A session signed in with the password alone, for a user who needs a second factor, reaches
only the second-factor pages (and sign-out) until a code is given."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from moderation.accounts.second_factor import authenticator, second_factor_required
from moderation.problems import PROBLEM_CONTENT_TYPE, problem_body

# What a half-signed-in session may still reach: the sign-in pages themselves, sign-out, static
# files, the language switch, health checks, the platform webhook and the public pages
# (/klarifikasi/ holds only the public clarification pages; staff pages live elsewhere).
OPEN_PREFIXES = (
    "/login/",
    "/logout/",
    "/static/",
    "/i18n/",
    "/healthz",
    "/readyz",
    "/api/v1/webhooks/",
    "/klarifikasi/",
)


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(OPEN_PREFIXES):
            # Before request.user: reading it reads the session, and an anonymous public page
            # would then vary on Cookie (and not be cached).
            return self.get_response(request)
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[union-attr,attr-defined]
            and second_factor_required(user)  # type: ignore[arg-type]
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    problem_body(
                        status_code=403,
                        title="Second factor required",
                        detail="Sign in with your authenticator code first (/login/otp/).",
                        type_="/problems/second-factor-required",
                    ),
                    status=403,
                    content_type=PROBLEM_CONTENT_TYPE,
                )
            page = "otp_verify" if authenticator(user) else "otp_enrol"  # type: ignore[arg-type]
            return redirect(f"{reverse(page)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
