"""The oversight dashboards, the statement-of-reasons export and the neutrality form."""

from django.urls import path

from moderation.oversight import dashboard_views as views

urlpatterns = [
    path("oversight/dashboard/", views.dashboard, name="dashboard"),
    path(
        "oversight/dashboard/sections/<slug:name>/",
        views.dashboard_section,
        name="dashboard_section",
    ),
    path(
        "oversight/statements-of-reasons/",
        views.transparency_export,
        name="transparency_export",
    ),
    path("cases/<int:pk>/subjects/", views.case_subjects, name="case_subjects"),
]
