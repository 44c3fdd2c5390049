"""Every model is in the admin; the admin pages load for an administrator; secrets are masked."""

import pytest
from django.apps import apps
from django.contrib import admin

from moderation.models import Platform, PlatformSecret

pytestmark = pytest.mark.django_db


def test_every_model_is_registered():
    missing = [
        m.__name__
        for m in apps.get_app_config("moderation").get_models()
        if m not in admin.site._registry
    ]
    # Inbound secrets are shown masked inside their platform only, never in a list of their own.
    assert missing == ["PlatformSecret"]
    inlines = [i.model for i in admin.site._registry[Platform].inlines]
    assert PlatformSecret in inlines


def test_admin_changelists_load(client, platform_admin, tiktok):
    platform_admin.is_staff = platform_admin.is_superuser = True
    platform_admin.save()
    client.force_login(platform_admin)
    for model in apps.get_app_config("moderation").get_models():
        if model not in admin.site._registry:
            continue
        url = f"/admin/moderation/{model._meta.model_name}/"
        assert client.get(url).status_code == 200, url


def test_platform_secrets_are_masked(client, platform_admin, tiktok):
    platform_admin.is_staff = platform_admin.is_superuser = True
    platform_admin.save()
    client.force_login(platform_admin)
    page = client.get(f"/admin/moderation/platform/{tiktok.pk}/change/").content.decode()
    assert tiktok.callback_secret not in page
    for secret in Platform.objects.get(pk=tiktok.pk).secrets.values_list("secret", flat=True):
        assert secret not in page
    assert "whsec_" in page  # the masked prefix is shown
