"""Verification you can see: someone with the database superuser's rights switches the
triggers off and edits or deletes a sealed event; ``verify_audit_log`` names the first broken
link and exits non-zero, the audit page shows the break, administrators are notified. And the
other audit points: sign-in, sign-out, failed sign-in, lockout, admin changes with before and
after."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from moderation.choices import AuditAction, NotificationKind, Role
from moderation.models import AuditEvent, AuditSeal, AuditVerification, Notification
from moderation.oversight.audit import audit_record
from moderation.oversight.seal import audit_log_seal
from tests.clients import signed_in
from tests.factories import DEFAULT_PASSWORD, CaseFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sealed(moderator):
    case = CaseFactory()
    events = [
        audit_record(action=AuditAction.CASE_CLAIM, obj=case, case=case, actor=moderator)
        for _ in range(6)
    ]
    seal = audit_log_seal(now=timezone.now() + timedelta(minutes=10))
    assert seal is not None
    return events


def as_superuser(sql: str, params: list[object]) -> None:
    """What someone with the database superuser's rights can do: switch every trigger off."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE moderation_auditevent DISABLE TRIGGER ALL")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE moderation_auditevent ENABLE TRIGGER ALL")


def test_an_intact_chain_verifies_and_the_page_says_so(sealed, kpu_supervisor, capsys):
    call_command("verify_audit_log", "--no-progress")
    assert "6 events in 1 seals verified" in capsys.readouterr().out
    html = signed_in(kpu_supervisor).get("/audit/").content.decode()
    assert 'data-chain="ok"' in html
    assert "1 segel, 6 peristiwa" in html


def test_the_page_says_when_the_chain_was_never_verified(kpu_supervisor):
    html = signed_in(kpu_supervisor).get("/audit/").content.decode()
    assert 'data-chain="unverified"' in html


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        (
            'UPDATE moderation_auditevent SET after = \'{"status": "x"}\' WHERE id = %s',
            "contents changed since sealed",
        ),
        ("DELETE FROM moderation_auditevent WHERE id = %s", "5 found, 6 sealed"),
    ],
)
def test_tampering_is_reported_by_the_command_the_page_and_to_administrators(
    sealed, sql, problem, kpu_supervisor, platform_admin, capsys
):
    as_superuser(sql, [sealed[2].pk])
    seal = AuditSeal.objects.get()
    first, last = seal.first_event_id, seal.last_event_id
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit_log")
    message = str(failure.value)
    assert f"first broken link: events {first}-{last}" in message
    assert problem in message
    # The progress bar went to stderr as the seals were checked.
    assert "events" in capsys.readouterr().err
    run = AuditVerification.objects.get()
    assert not run.ok
    assert problem in run.first_problem
    html = signed_in(kpu_supervisor).get("/audit/").content.decode()
    assert 'data-chain="broken"' in html
    assert f"events {first}-{last}" in html
    assert problem in html
    alert = Notification.objects.get(kind=NotificationKind.AUDIT_LOG_BROKEN)
    assert alert.recipient == platform_admin
    # The periodic task finds the same break and does not notify twice.
    from moderation.tasks import audit_log_verify

    assert audit_log_verify() is False
    assert Notification.objects.filter(kind=NotificationKind.AUDIT_LOG_BROKEN).count() == 1


# --- sign-in, sign-out, failures, lockout ---------------------------------------------------


def test_sign_in_and_sign_out_are_audited(moderator):
    client = Client()
    response = client.post("/login/", {"username": "rina", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    signed = AuditEvent.objects.get(action=AuditAction.USER_SIGN_IN)
    assert signed.actor == moderator
    assert signed.object_id == str(moderator.pk)
    assert len(signed.request_id) == 32
    assert signed.ip_address == "127.0.0.1"
    client.post("/logout/")
    assert AuditEvent.objects.get(action=AuditAction.USER_SIGN_OUT).actor == moderator


def test_failed_sign_ins_and_the_lockout_are_audited(client, moderator, settings, supervisor):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "rina", "password": "salah"})
    failures = AuditEvent.objects.filter(action=AuditAction.USER_SIGN_IN_FAIL)
    assert failures.count() >= settings.AXES_FAILURE_LIMIT - 1
    failure = failures.first()
    assert failure.actor is None
    assert failure.object_id == "rina"
    assert "salah" not in str(failure.after)  # never the password
    # Rina's own platform's supervisor sees attempts on her account.
    assert failure.actor_organisation_id == moderator.organisation_id
    lockout = AuditEvent.objects.get(action=AuditAction.USER_LOCKOUT)
    assert lockout.object_id == "rina"
    html = signed_in(supervisor).get("/audit/", {"action": "user.lockout"}).content.decode()
    assert f'data-event="{lockout.pk}"' in html


def test_a_failed_sign_in_for_an_unknown_name_is_audited(client):
    client.post("/login/", {"username": "x" * 140, "password": "salah"})
    event = AuditEvent.objects.get(action=AuditAction.USER_SIGN_IN_FAIL)
    assert event.object_id == "x" * 64
    assert event.actor_organisation_id is None


# --- admin changes --------------------------------------------------------------------------


@pytest.fixture
def admin_client(platform_admin) -> Client:
    platform_admin.is_staff = True
    platform_admin.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(platform_admin)
    return client


def test_roles_and_organisation_changed_in_the_admin_are_audited(
    admin_client, platform_admin, moderator, kpu
):
    from django.contrib.auth.models import Group

    supervisor_group = Group.objects.get(name=Role.SUPERVISOR)
    response = admin_client.post(
        f"/admin/moderation/user/{moderator.pk}/change/",
        {
            "username": "rina",
            "first_name": "Rina",
            "last_name": "",
            "email": "rina@example.test",
            "is_active": "on",
            "groups": [supervisor_group.pk],
            "organisation": kpu.pk,
            "language": moderator.language or "id",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2024-01-01",
            "date_joined_1": "08:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    roles = AuditEvent.objects.get(action=AuditAction.USER_ROLES_CHANGE)
    assert roles.actor == platform_admin
    assert roles.before == {"groups": [Role.PLATFORM_MODERATOR]}
    assert roles.after == {"groups": [Role.SUPERVISOR]}
    organisation = AuditEvent.objects.get(action=AuditAction.USER_ORGANISATION_CHANGE)
    assert organisation.before["organisation"] == moderator.organisation_id
    assert organisation.after["organisation"] == kpu.pk
    other = AuditEvent.objects.get(action=AuditAction.ADMIN_CHANGE)
    assert other.after["first_name"] == "Rina"
    assert other.before["first_name"] == ""


def test_an_organisation_added_and_deleted_in_the_admin_is_audited(admin_client):
    response = admin_client.post(
        "/admin/moderation/organisation/add/",
        {"name": "Pantau Pemilu", "slug": "pantau", "kind": "other"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    added = AuditEvent.objects.get(action=AuditAction.ADMIN_ADD)
    assert added.after["name"] == "Pantau Pemilu"
    assert added.after["model"] == "moderation.Organisation"
    admin_client.post(f"/admin/moderation/organisation/{added.object_id}/delete/", {"post": "yes"})
    deleted = AuditEvent.objects.get(action=AuditAction.ADMIN_DELETE)
    assert deleted.object_id == added.object_id


def test_passwords_are_never_stored(admin_client):
    response = admin_client.post(
        "/admin/moderation/user/add/",
        {
            "username": "baru",
            "password1": "Rahasia-Sekali-42",
            "password2": "Rahasia-Sekali-42",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    added = AuditEvent.objects.get(action=AuditAction.ADMIN_ADD)
    assert "Rahasia" not in str(added.after)
    assert UserFactory._meta.model.objects.filter(username="baru").exists()
