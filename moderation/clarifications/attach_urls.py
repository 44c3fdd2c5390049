"""Attaching a clarification to many cases at once (attach_views.py)."""

from django.urls import path

from moderation.clarifications import attach_views

urlpatterns = [
    path(
        "clarifications/<int:pk>/attach/",
        attach_views.clarification_attach_bulk,
        name="clarification_attach_bulk",
    ),
]
