"""Administrators change the election policy (phases, SLA targets, tuning), platforms and the
political-author mark through the admin; every change goes through a service and is audited
with the fields before and after. Bad values are form errors, nothing typed is lost."""

import pytest
from django.test import Client

from moderation.administration.configuration import configuration_save
from moderation.choices import AuditAction, Reason
from moderation.errors import InvalidInput, NotPermitted
from moderation.models import AuditEvent, ElectionPhase, Platform, SlaTarget, TuningParameter
from moderation.policy import tuning_values
from tests.factories import VideoFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(platform_admin) -> Client:
    """Andi at /admin/ (the OTP requirement is off under SARING_ENV=test)."""
    platform_admin.is_staff = True
    platform_admin.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(platform_admin)
    return client


def test_a_tuning_value_changed_in_the_admin_is_audited_and_used(admin_client, platform_admin):
    response = admin_client.post(
        "/admin/moderation/tuningparameter/add/",
        {"key": "approval.reach_threshold", "value": "250000", "description": "Pemilu 2029"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action=AuditAction.TUNING_SAVE)
    assert event.actor == platform_admin
    assert event.before == {}
    assert event.after["value"] == 250000.0
    assert tuning_values()["approval.reach_threshold"] == 250000.0

    parameter = TuningParameter.objects.get()
    admin_client.post(
        f"/admin/moderation/tuningparameter/{parameter.pk}/change/",
        {"key": "approval.reach_threshold", "value": "500000", "description": "Pemilu 2029"},
    )
    change = AuditEvent.objects.filter(action=AuditAction.TUNING_SAVE).latest("pk")
    assert change.before == {"value": 250000.0}
    assert change.after == {"value": 500000.0}


def test_the_tuning_form_offers_only_known_keys_with_their_ranges(admin_client):
    page = admin_client.get("/admin/moderation/tuningparameter/add/").content.decode()
    assert '<select name="key"' in page
    assert "priority.per_flag (0 .. 100; " in page
    refused = admin_client.post(
        "/admin/moderation/tuningparameter/add/", {"key": "priority.made_up", "value": "5"}
    )
    assert refused.status_code == 200
    assert 'class="errorlist' in refused.content.decode()
    assert not TuningParameter.objects.exists()


@pytest.mark.parametrize(
    ("key", "value", "field", "says"),
    [
        ("priority.per_flag", "250", "value", "Nilai harus antara 0.0 dan 100.0"),
        ("reopen.reach_growth_factor", "0.5", "value", "Nilai harus antara 1.0"),
    ],
)
def test_a_bad_tuning_value_is_a_form_error_and_keeps_what_was_typed(
    admin_client, key, value, field, says
):
    response = admin_client.post(
        "/admin/moderation/tuningparameter/add/", {"key": key, "value": value}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert says in page
    assert f'value="{key}" selected' in page
    assert not TuningParameter.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.TUNING_SAVE).exists()


def test_an_sla_target_edited_in_the_list_is_audited(admin_client):
    target = SlaTarget.objects.filter(phase__isnull=True, reason=Reason.HOAX).get()
    old = target.target_minutes
    response = admin_client.post(
        "/admin/moderation/slatarget/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(target.pk),
            "form-0-target_minutes": str(old + 30),
            "_save": "Simpan",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action=AuditAction.SLA_TARGET_SAVE)
    assert event.before == {"target_minutes": old}
    assert event.after == {"target_minutes": old + 30}


def test_deleting_a_phase_is_audited_with_what_it_was(admin_client):
    phase = ElectionPhase.objects.order_by("pk").first()
    admin_client.post(f"/admin/moderation/electionphase/{phase.pk}/delete/", {"post": "yes"})
    assert not ElectionPhase.objects.filter(pk=phase.pk).exists()
    event = AuditEvent.objects.get(action=AuditAction.ELECTION_PHASE_DELETE)
    assert event.before["name"] == phase.name
    assert event.before["starts_on"] == phase.starts_on.isoformat()


def test_only_administrators_change_the_policy(supervisor):
    with pytest.raises(NotPermitted):
        configuration_save(obj=TuningParameter(key="priority.per_flag", value=5), user=supervisor)


def test_the_service_refuses_an_unknown_key(platform_admin):
    with pytest.raises(InvalidInput) as caught:
        configuration_save(obj=TuningParameter(key="nope", value=1), user=platform_admin)
    assert "key" in caught.value.extra["errors"]


def test_a_platform_edited_in_the_admin_is_audited(admin_client, tiktok):
    response = admin_client.post(
        f"/admin/moderation/platform/{tiktok.pk}/change/",
        {
            "name": "TikTok Indonesia",
            "callback_url": "https://tiktok.example/kpu/callbacks",
            "enabled": "on",
            "secrets-TOTAL_FORMS": "0",
            "secrets-INITIAL_FORMS": str(tiktok.secrets.count()),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    platform = Platform.objects.get(pk=tiktok.pk)
    assert platform.name == "TikTok Indonesia"
    event = AuditEvent.objects.get(action=AuditAction.PLATFORM_UPDATE)
    assert event.before["name"] == "TikTok"
    assert event.after == {
        "name": "TikTok Indonesia",
        "callback_url": "https://tiktok.example/kpu/callbacks",
    }
    # A platform is added with `manage.py platform_add` (it prints the secrets), not here.
    assert admin_client.get("/admin/moderation/platform/add/").status_code == 403


def test_the_political_author_mark_is_an_audited_admin_action(admin_client, tiktok):
    video = VideoFactory(platform=tiktok)
    response = admin_client.post(
        "/admin/moderation/video/",
        {"action": "mark_political", "_selected_action": [str(video.pk)]},
    )
    assert response.status_code == 302
    video.refresh_from_db()
    assert video.author_is_political
    event = AuditEvent.objects.get(action=AuditAction.VIDEO_POLITICAL_AUTHOR)
    assert event.after == {"author_is_political": True}
    # The video itself is not editable in the admin.
    change = admin_client.get(f"/admin/moderation/video/{video.pk}/change/")
    assert change.status_code in (200, 403)
    assert b'name="author_is_political"' not in change.content
