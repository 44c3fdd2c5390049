"""Clarification pages: the public page of each published clarification (contract §5)."""

from django.urls import path

from moderation.clarifications import views

urlpatterns = [
    path("klarifikasi/<int:pk>/", views.clarification_public, name="clarification_public"),
]
