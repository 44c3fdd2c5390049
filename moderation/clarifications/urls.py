"""Clarification pages: KPU's workspace (write, review, versions) and the public pages of
published clarifications (contract §5)."""

from django.urls import path

from moderation.clarifications import public_views, views

urlpatterns = [
    # Public (contract §5)
    path("klarifikasi/", public_views.clarification_public_list, name="clarification_public_list"),
    path("klarifikasi/<int:pk>/", public_views.clarification_public, name="clarification_public"),
    # KPU's workspace
    path("clarifications/", views.clarification_list, name="clarification_list"),
    path("clarifications/new/", views.clarification_new, name="clarification_new"),
    path("clarifications/review/", views.clarification_review, name="clarification_review"),
    path("clarifications/preview/", views.clarification_preview, name="clarification_preview"),
    path("clarifications/<int:pk>/", views.clarification_detail, name="clarification_detail"),
    path("clarifications/<int:pk>/edit/", views.clarification_edit, name="clarification_edit"),
    path(
        "clarifications/<int:pk>/autosave/",
        views.clarification_autosave,
        name="clarification_autosave",
    ),
    path(
        "clarifications/<int:pk>/submit/",
        views.clarification_submit_view,
        name="clarification_submit",
    ),
    path(
        "clarifications/<int:pk>/publish/",
        views.clarification_publish_view,
        name="clarification_publish",
    ),
    path(
        "clarifications/<int:pk>/return/",
        views.clarification_return_view,
        name="clarification_return",
    ),
    path(
        "clarifications/<int:pk>/retract/",
        views.clarification_retract_view,
        name="clarification_retract",
    ),
    path(
        "clarifications/<int:pk>/versions/<int:version>/",
        views.clarification_version,
        name="clarification_version",
    ),
    path("clarifications/<int:pk>/diff/", views.clarification_diff, name="clarification_diff"),
]
