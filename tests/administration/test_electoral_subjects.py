"""Administrators maintain the candidate pairs, parties and candidates of the neutrality view
in the admin; each save and delete is audited, a duplicate ballot number is a form error."""

import pytest
from django.test import Client

from moderation.choices import AuditAction, SubjectKind
from moderation.models import AuditEvent, ElectoralSubject

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(platform_admin) -> Client:
    from importlib import import_module

    from django.apps import apps

    import_module("moderation.migrations.0017_neutrality").seed(apps)
    platform_admin.is_staff = True
    platform_admin.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(platform_admin)
    return client


def test_a_candidate_added_in_the_admin_is_audited(admin_client, platform_admin):
    pair = ElectoralSubject.objects.create(
        election="Pilkada 2029", kind=SubjectKind.CANDIDATE_PAIR, ballot_number=1, name="A - B"
    )
    response = admin_client.post(
        "/admin/moderation/electoralsubject/add/",
        {
            "election": "Pilkada 2029",
            "kind": SubjectKind.CANDIDATE,
            "ballot_number": "",
            "name": "Calon A",
            "short_name": "A",
            "parent": pair.pk,
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    candidate = ElectoralSubject.objects.get(name="Calon A")
    assert candidate.parent == pair
    event = AuditEvent.objects.get(action=AuditAction.ELECTORAL_SUBJECT_SAVE)
    assert event.actor == platform_admin
    assert event.after["name"] == "Calon A"
    assert admin_client.get("/admin/moderation/electoralsubject/").status_code == 200


def test_a_duplicate_ballot_number_is_a_form_error(admin_client):
    ElectoralSubject.objects.create(
        election="Pilkada 2029", kind=SubjectKind.PARTY, ballot_number=7, name="Partai X"
    )
    response = admin_client.post(
        "/admin/moderation/electoralsubject/add/",
        {
            "election": "Pilkada 2029",
            "kind": SubjectKind.PARTY,
            "ballot_number": "7",
            "name": "Partai Y",
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert "Partai Y" in response.content.decode()
    assert not ElectoralSubject.objects.filter(name="Partai Y").exists()
    assert not AuditEvent.objects.filter(action=AuditAction.ELECTORAL_SUBJECT_SAVE).exists()


def test_supervisors_do_not_edit_the_list(supervisor):
    client = Client()
    client.force_login(supervisor)
    assert client.get("/admin/moderation/electoralsubject/").status_code in (302, 403)
