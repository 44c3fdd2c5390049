"""The browser workspace, one URL module per domain (pemilu/urls.py includes this one)."""

from django.urls import include, path

urlpatterns = [
    path("", include("moderation.clarifications.urls")),
    path("", include("moderation.clarifications.attach_urls")),
    path("", include("moderation.outbound.urls")),
    path("", include("moderation.oversight.urls")),
    path("", include("moderation.oversight.audit_urls")),
    path("", include("moderation.oversight.dashboard_urls")),
    path("", include("moderation.review.urls")),
]
