"""The operators' page for callbacks."""

from django.urls import path

from moderation.outbound import views

urlpatterns = [
    path("operations/callbacks/", views.operations_callbacks, name="operations_callbacks"),
    path(
        "operations/callbacks/<slug:slug>/", views.operations_platform, name="operations_platform"
    ),
    path(
        "operations/callbacks/<slug:slug>/resend/",
        views.operations_resend,
        name="operations_resend",
    ),
    path(
        "operations/callbacks/<slug:slug>/enable/",
        views.operations_callback_enable,
        name="operations_callback_enable",
    ),
    path(
        "operations/callbacks/<slug:slug>/disable/",
        views.operations_callback_disable,
        name="operations_callback_disable",
    ),
]
