from django.urls import path

from moderation.accounts import views

urlpatterns = [
    path("", views.otp_verify, name="otp_verify"),
    path("enrol/", views.otp_enrol, name="otp_enrol"),
]
