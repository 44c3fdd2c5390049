from collections.abc import Callable
from typing import cast

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path
from django.views.decorators.csp import csp_override
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from moderation import health
from moderation.admin.site import SaringOTPAdminSite
from moderation.intake.views import webhook_receive
from moderation.oversight import views as views_notifications


def api_docs_page(view_class: type[SpectacularSwaggerView]) -> Callable:
    """A docs page: a sign-in first (unless API_DOCS_PUBLIC), and the CSP its viewer needs."""
    policy = cast(dict[str, list[str]], settings.API_DOCS_CSP)
    view = csp_override(policy)(view_class.as_view(url_name="api-schema"))
    if settings.API_DOCS_PUBLIC:
        return view
    return login_required(view)


if settings.ADMIN_REQUIRE_OTP:
    admin.site.__class__ = SaringOTPAdminSite

urlpatterns = [
    # Platform webhooks (contract §2), first: the busiest URL is resolved without trying the
    # others. With or without the trailing slash: a POST redirected to add it would lose its body.
    re_path(r"^api/v1/webhooks/(?P<slug>[^/]+)/?$", webhook_receive, name="webhook-receive"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # The language switch, before Django's own: it also remembers a signed-in user's choice.
    path("i18n/setlang/", views_notifications.language_choose, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="registration/login.html"),
        name="login",
    ),
    path("login/otp/", include("moderation.accounts.urls")),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs_page(SpectacularSwaggerView), name="api-docs"),
    # Redoc is not served: its page loads its logo from cdn.redoc.ly whatever the options, which
    # the CSP refuses (and which would tell a third party who reads our API docs).
    path("api/redoc/", RedirectView.as_view(pattern_name="api-docs"), name="api-redoc"),
    path("api/v1/", include("moderation.api.urls")),
    path("", include("moderation.urls")),
]

# A database outage is a "try again" page (503), not the 500 page (moderation/web.py).
handler500 = "moderation.web.server_error"

if settings.DEBUG:
    from moderation.outbound.dev_sink import platform_sink

    urlpatterns.append(
        path("dev/platform-sink/<slug:slug>/", platform_sink, name="dev_platform_sink")
    )
