"""Issue 12, point 3 over HTTP: supervisors and administrators sign in with a TOTP code (every
role with OTP_REQUIRED_FOR_ALL_ROLES), enrol by QR code, keep recovery codes, can be reset by an
administrator (audited); their API tokens expire. (tests/browser/test_second_factor.py enrols
and signs in in Chromium.)"""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from moderation.choices import AuditAction
from moderation.models import AuditEvent
from tests.clients import token_client, totp_device, totp_now
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def password_only(user) -> Client:
    client = Client()
    response = client.post("/login/", {"username": user.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("persona", ["supervisor", "kpu_supervisor", "platform_admin"])
def test_a_password_alone_reaches_nothing_for_supervisors_and_administrators(request, persona):
    user = request.getfixturevalue(persona)
    totp_device(user)
    client = password_only(user)
    for url in ("/queues/", "/approvals/", "/operations/callbacks/", "/queues/new/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/otp/?next="), url
    api = client.get("/api/v1/cases/")
    assert api.status_code == 403
    assert api["Content-Type"].startswith("application/problem+json")
    assert client.post("/api/v1/cases/claim-next/").status_code == 403


def test_moderators_sign_in_with_the_password(moderator):
    assert password_only(moderator).get("/queues/").status_code == 200


def test_a_setting_requires_it_for_every_role(settings, moderator, kpu_clarifier):
    settings.OTP_REQUIRED_FOR_ALL_ROLES = True
    for user in (moderator, kpu_clarifier):
        response = password_only(user).get("/queues/")
        assert response.status_code == 302
        assert response["Location"].startswith("/login/otp/enrol/")


def test_sign_in_with_the_authenticator_code(supervisor):
    device = totp_device(supervisor)
    client = password_only(supervisor)
    wrong = client.post("/login/otp/", {"code": "000000", "next": "/approvals/"})
    assert wrong.status_code == 200
    assert "Kode salah" in wrong.content.decode()
    assert client.get("/approvals/").status_code == 302
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the wrong code above started django-otp's throttle
    device.throttling_failure_timestamp = None
    device.save()
    right = client.post("/login/otp/", {"code": totp_now(device), "next": "/approvals/"})
    assert right.status_code == 302
    assert right["Location"] == "/approvals/"
    assert client.get("/approvals/").status_code == 200
    # The same code cannot be used twice.
    again = password_only(supervisor)
    assert again.post("/login/otp/", {"code": totp_now(device)}).status_code == 200


def test_enrolment_by_qr_code_then_recovery_codes(supervisor):
    client = password_only(supervisor)
    response = client.get("/queues/")
    assert response["Location"].startswith("/login/otp/enrol/")
    page = client.get(response["Location"])
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html  # the QR code, inline as data (CSP-safe)
    secret = re.search(r'<code id="otp-secret">([A-Z2-7]+)</code>', html).group(1)
    device = TOTPDevice.objects.get(user=supervisor, confirmed=False)
    assert len(secret) >= 32
    assert client.post("/login/otp/enrol/", {"code": "123456"}).status_code == 200
    assert not TOTPDevice.objects.filter(user=supervisor, confirmed=True).exists()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    done = client.post("/login/otp/enrol/", {"code": totp_now(device), "next": "/queues/"})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())
    assert len(codes) == 10
    assert client.get("/queues/").status_code == 200  # enrolment signed the session in

    # A recovery code signs in once.
    other = password_only(supervisor)
    assert other.post("/login/otp/", {"code": codes[0]}).status_code == 302
    assert other.get("/queues/").status_code == 200
    third = password_only(supervisor)
    assert third.post("/login/otp/", {"code": codes[0]}).status_code == 200


def test_an_administrator_resets_a_lost_authenticator(supervisor, platform_admin):
    totp_device(supervisor)
    StaticDevice.objects.create(user=supervisor, name="recovery", confirmed=True)
    signed = password_only(supervisor)
    out = io.StringIO()
    call_command("user_otp_reset", "dewi", stdout=out)
    assert "2 device(s) removed" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=supervisor).exists()
    assert signed.get("/queues/").status_code == 302  # the session ended
    event = AuditEvent.objects.get(action=AuditAction.USER_OTP_RESET)
    assert event.object_id == str(supervisor.pk)
    # Next sign-in: enrolment again.
    assert password_only(supervisor).get("/queues/")["Location"].startswith("/login/otp/enrol/")


def test_the_reset_is_an_admin_action_too(supervisor, platform_admin):
    platform_admin.is_staff = platform_admin.is_superuser = True
    platform_admin.save()
    totp_device(supervisor)
    admin = Client()
    admin.force_login(platform_admin)
    response = admin.post(
        "/admin/moderation/user/",
        {"action": "second_factor_reset", "_selected_action": [supervisor.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=supervisor).exists()
    event = AuditEvent.objects.get(action=AuditAction.USER_OTP_RESET)
    assert event.actor == platform_admin


def test_supervisor_tokens_expire_moderator_tokens_do_not(settings, supervisor, moderator):
    assert token_client(supervisor).get("/api/v1/cases/").status_code == 200
    old = timezone.now() - timedelta(hours=settings.SECOND_FACTOR_ROLE_TOKEN_HOURS, minutes=1)
    Token.objects.update(created=old)
    expired = token_client(supervisor).get("/api/v1/cases/")
    assert expired.status_code in {401, 403}
    assert "expired" in expired.json()["detail"]
    Token.objects.create(user=moderator).__class__.objects.filter(user=moderator).update(
        created=old
    )
    assert token_client(moderator).get("/api/v1/cases/").status_code == 200


def test_password_only_session_cannot_use_the_api_with_a_cookie(supervisor):
    totp_device(supervisor)
    client = APIClient()
    client.post("/login/", {"username": "dewi", "password": DEFAULT_PASSWORD})
    assert client.get("/api/v1/audit-events/").status_code == 403
