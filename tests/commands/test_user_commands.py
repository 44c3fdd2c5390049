"""Issue 12, point 7: user_add and user_disable, as an operator runs them. Effects through
call_command and the real sign-in; bad input through a real manage.py process (one line,
non-zero exit)."""

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from moderation.choices import AuditAction, Role
from moderation.models import AuditEvent, User
from tests.clients import token_client

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _password(output: str) -> str:
    return re.search(r"shown only this once: (\S+)", output).group(1)


def test_user_add_makes_a_working_account(tiktok):
    output = run("user_add", "wulan", "--role", "platform_moderator", "--organisation", "tiktok")
    user = User.objects.get(username="wulan")
    assert user.organisation == tiktok.organisation
    assert user.role_names() == {Role.PLATFORM_MODERATOR}
    assert not user.is_staff
    client = Client()
    response = client.post("/login/", {"username": "wulan", "password": _password(output)})
    assert response.status_code == 302
    assert client.get("/queues/").status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.USER_ADD)
    assert event.after == {
        "username": "wulan",
        "role": "platform_moderator",
        "organisation": "tiktok",
    }


def test_user_add_an_administrator_with_email(kpu):
    output = run(
        "user_add", "agus", "--role", "administrator", "--organisation", "kpu", "--email", "a@x.id"
    )
    user = User.objects.get(username="agus")
    assert user.is_staff
    assert user.email == "a@x.id"
    assert "authenticator" in output


def test_a_createsuperuser_account_gains_an_organisation_and_a_role(kpu):
    User.objects.create_superuser("root", "root@x.id", "a-long-password-123")
    output = run("user_add", "root", "--role", "administrator", "--organisation", "kpu")
    assert "given a role and an organisation" in output
    root = User.objects.get(username="root")
    assert root.organisation == kpu
    assert root.role_names() == {Role.ADMINISTRATOR}


def test_user_add_refuses_an_existing_staff_member(moderator):
    with pytest.raises(CommandError, match="already exists"):
        run("user_add", "rina", "--role", "supervisor", "--organisation", "tiktok")
    moderator.refresh_from_db()
    assert moderator.role_names() == {Role.PLATFORM_MODERATOR}


def test_user_disable_ends_sessions_and_revokes_tokens(moderator, make_case):
    browser = Client()
    from tests.factories import DEFAULT_PASSWORD

    browser.post("/login/", {"username": "rina", "password": DEFAULT_PASSWORD})
    assert browser.get("/queues/").status_code == 200
    api = token_client(moderator)
    assert api.get("/api/v1/cases/").status_code == 200

    output = run("user_disable", "rina")
    assert "1 session(s) ended, 1 API token(s) revoked" in output

    assert browser.get("/queues/").status_code == 302  # back to the login page
    assert api.get("/api/v1/cases/").status_code in {401, 403}
    response = Client().post("/login/", {"username": "rina", "password": DEFAULT_PASSWORD})
    assert response.status_code == 200  # the form again: an inactive account cannot sign in
    assert AuditEvent.objects.filter(action=AuditAction.USER_DISABLE).count() == 1


BAD = [
    (["user_add", "x", "--role", "king", "--organisation", "kpu"], "role"),
    (["user_add", "x", "--role", "supervisor", "--organisation", "nowhere"], "nowhere"),
    (["user_add", "x", "--organisation", "kpu"], "required"),
    (["user_add", "bad name!", "--role", "supervisor", "--organisation", "kpu"], "bad name!"),
    (["user_add", "hasan", "--role", "supervisor", "--organisation", "kpu"], "hasan"),
    (["user_disable", "nobody"], "nobody"),
    (["user_disable"], "required"),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("argv", "expected"), BAD, ids=[" ".join(c[0]) for c in BAD])
def test_bad_input_is_one_clear_line(argv, expected, kpu_approver):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "SARING_ENV": "test",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.stderr
    assert len(lines) == 1, result.stderr
    assert expected.lower() in lines[0].lower()
