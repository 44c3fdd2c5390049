"""platform_add and platform_rotate_secret (contract §1), called as an operator would.

The one-line-on-stderr behaviour of bad input, through a real manage.py process, is in
test_command_errors.py; here call_command shows the effects and the CommandError messages."""

import io
import logging
import re
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from moderation.choices import AuditAction, OrganisationKind
from moderation.intake.secrets import secret_generate
from moderation.models import AuditEvent, Platform, PlatformSecret
from tests.intake.helpers import deliver, flag_event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_platform_cache():
    from moderation.intake.receive import webhook_platforms_forget

    webhook_platforms_forget()
    yield
    webhook_platforms_forget()


SECRET_RE = re.compile(r"whsec_[A-Za-z0-9+/]+=*")


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def add(slug="metube", url="https://metube.example/kpu/callbacks", *extra: str) -> str:
    return run("platform_add", slug, "--name", "MeTube", "--callback-url", url, *extra)


def test_platform_add_creates_the_platform_and_prints_generated_secrets_once():
    out = add()

    platform = Platform.objects.get(slug="metube")
    assert platform.name == "MeTube"
    assert platform.callback_url == "https://metube.example/kpu/callbacks"
    assert platform.organisation.kind == OrganisationKind.PLATFORM
    inbound = platform.secrets.get()
    assert inbound.expires_at is None
    printed = SECRET_RE.findall(out)
    assert printed == [inbound.secret, platform.callback_secret]
    assert "/api/v1/webhooks/metube/" in out
    event = AuditEvent.objects.get(action=AuditAction.PLATFORM_ADD)
    assert event.after == {
        "slug": "metube",
        "name": "MeTube",
        "callback_url": "https://metube.example/kpu/callbacks",
    }


def test_a_new_platform_can_deliver_at_once():
    out = add()
    secret = SECRET_RE.findall(out)[0]
    response = deliver(Client(), secret, flag_event(), slug="metube")
    assert response.status_code == 202


def test_given_secrets_are_used_and_not_printed():
    secret, callback_secret = secret_generate(), secret_generate(48)
    out = add(
        "metube",
        "https://metube.example/cb",
        "--secret",
        secret,
        "--callback-secret",
        callback_secret,
    )
    platform = Platform.objects.get(slug="metube")
    assert platform.secrets.get().secret == secret
    assert platform.callback_secret == callback_secret
    assert "whsec_" not in out


def test_running_again_updates_the_callback_url_and_keeps_the_secrets():
    add()
    platform = Platform.objects.get(slug="metube")
    inbound = platform.secrets.get().secret
    callback_secret = platform.callback_secret

    out = add("metube", "https://metube.example/v2/callbacks")

    platform.refresh_from_db()
    assert platform.callback_url == "https://metube.example/v2/callbacks"
    assert platform.secrets.get().secret == inbound
    assert platform.callback_secret == callback_secret
    assert "whsec_" not in out
    assert "updated" in out
    update = AuditEvent.objects.get(action=AuditAction.PLATFORM_UPDATE)
    assert update.after["changed"] == ["callback_url"]
    assert "whsec_" not in str(update.before) + str(update.after)


def test_running_again_with_a_new_secret_replaces_the_old_one():
    add()
    old = Platform.objects.get(slug="metube").secrets.get()
    new = secret_generate()
    add("metube", "https://metube.example/kpu/callbacks", "--secret", new)
    old.refresh_from_db()
    assert old.expires_at is not None
    assert old.expires_at <= timezone.now()
    assert PlatformSecret.objects.get(secret=new).expires_at is None


def test_running_again_unchanged_changes_nothing():
    add()
    out = add()
    assert "unchanged" in out
    assert not AuditEvent.objects.filter(action=AuditAction.PLATFORM_UPDATE).exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Bad Slug!", "--name", "X", "--callback-url", "https://x.example/"], "slug"),
        (["metube", "--name", "", "--callback-url", "https://x.example/"], "--name"),
        (["metube", "--name", "X", "--callback-url", "ftp://x.example/"], "URL"),
        (
            ["metube", "--name", "X", "--callback-url", "https://x.example/", "--secret", "abc"],
            "whsec_",
        ),
        (
            [
                "metube",
                "--name",
                "X",
                "--callback-url",
                "https://x.example/",
                "--secret",
                "whsec_c2hvcnQ=",
            ],
            "bytes",
        ),
    ],
)
def test_platform_add_bad_input_is_a_command_error(args, message):
    with pytest.raises(CommandError, match=message):
        run("platform_add", *args)
    assert not Platform.objects.filter(slug="metube").exists()


def test_rotate_adds_a_secret_and_keeps_the_old_one_for_24_hours(tiktok):
    old = tiktok.secrets.get()
    before = timezone.now()

    out = run("platform_rotate_secret", "tiktok")

    old.refresh_from_db()
    new = tiktok.secrets.get(expires_at__isnull=True)
    assert SECRET_RE.findall(out) == [new.secret]
    assert before + timedelta(hours=24) <= old.expires_at <= timezone.now() + timedelta(hours=24)
    event = AuditEvent.objects.get(action=AuditAction.PLATFORM_SECRET_ROTATE)
    assert event.after["grace_hours"] == 24
    assert "whsec_" not in str(event.after)
    # Both sign valid deliveries during the grace period.
    assert deliver(Client(), old.secret, flag_event()).status_code == 202
    assert deliver(Client(), new.secret, flag_event()).status_code == 202


def test_rotate_with_a_grace_period(tiktok):
    old = tiktok.secrets.get()
    run("platform_rotate_secret", "tiktok", "--grace", "2")
    old.refresh_from_db()
    assert old.expires_at <= timezone.now() + timedelta(hours=2)
    assert old.expires_at > timezone.now() + timedelta(hours=1, minutes=59)


def test_rotate_with_no_grace_expires_the_old_secret_now(tiktok):
    old = tiktok.secrets.get()
    run("platform_rotate_secret", "tiktok", "--grace", "0")
    assert deliver(Client(), old.secret, flag_event()).status_code == 401


def test_rotating_twice_keeps_the_earlier_expiry(tiktok):
    first = tiktok.secrets.get()
    run("platform_rotate_secret", "tiktok", "--grace", "1")
    run("platform_rotate_secret", "tiktok", "--grace", "24")
    first.refresh_from_db()
    assert first.expires_at <= timezone.now() + timedelta(hours=1)
    assert tiktok.secrets.count() == 3
    assert tiktok.secrets.filter(expires_at__isnull=True).count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [(["no-such-platform"], "no-such-platform"), (["tiktok", "--grace", "-1"], "grace")],
)
def test_rotate_bad_input_is_a_command_error(tiktok, args, message):
    with pytest.raises(CommandError, match=message):
        run("platform_rotate_secret", *args)
    assert tiktok.secrets.count() == 1


def test_secrets_are_never_logged(caplog, tiktok):
    caplog.set_level(logging.DEBUG)
    out = add() + run("platform_rotate_secret", "tiktok")
    for secret in SECRET_RE.findall(out):
        assert secret not in caplog.text
