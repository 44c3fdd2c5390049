from django.urls import path

from moderation import views

urlpatterns = [
    path("", views.home, name="home"),
]
