"""The audit log pages (oversight/audit_views.py)."""

from django.urls import path

from moderation.oversight import audit_views

urlpatterns = [
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("audit/<int:pk>/", audit_views.audit_event_detail, name="audit_event"),
    path("audit/export/", audit_views.audit_export, name="audit_export"),
    path(
        "audit/export/progress/",
        audit_views.audit_export_progress_view,
        name="audit_export_progress",
    ),
]
