"""Issue 12, point 5 over HTTP: the client address behind TRUSTED_PROXY_COUNT proxies, for the
lockout and the audit log; lockouts per account and address with a cool-off; failures kept; the
lockout page in the site's layout, saying when to try again."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client
from django.utils import timezone

from moderation.choices import AuditAction
from moderation.models import AuditEvent
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def via_proxy(forwarded_for: str) -> Client:
    """A browser whose requests reach us through our TLS proxy."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


def fail(client: Client, username: str = "rina", times: int = 1):
    response = None
    for _ in range(times):
        response = client.post("/login/", {"username": username, "password": "not-it-at-all"})
    return response


def sign_in(client: Client, username: str = "rina"):
    return client.post("/login/", {"username": username, "password": DEFAULT_PASSWORD})


def test_lockout_is_per_account_and_client_address(behind_one_proxy, settings, moderator):
    alice = via_proxy("198.51.100.7")
    fail(alice, times=settings.AXES_FAILURE_LIMIT)
    locked = sign_in(alice)
    assert locked.status_code == 429
    assert "_auth_user_id" not in alice.session
    # Another client behind the same proxy is not locked out of the same account.
    other = via_proxy("203.0.113.9")
    assert sign_in(other).status_code == 302
    assert AccessAttempt.objects.get(username="rina").ip_address == "198.51.100.7"


def test_a_client_cannot_choose_its_address(behind_one_proxy, settings, moderator):
    """Entries left of the one our proxy appended are the client's own and never trusted."""
    fail(via_proxy("198.51.100.7"), times=settings.AXES_FAILURE_LIMIT)
    spoofing = via_proxy("1.1.1.1, 198.51.100.7")
    assert sign_in(spoofing).status_code == 429


def test_without_proxies_forwarded_for_is_ignored(settings, moderator):
    settings.TRUSTED_PROXY_COUNT = 0
    fail(Client(REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="1.1.1.1"), times=2)
    assert AccessAttempt.objects.get(username="rina").ip_address == "192.0.2.1"


def test_the_lockout_page_uses_the_layout_and_says_when(behind_one_proxy, settings, moderator):
    client = via_proxy("198.51.100.7")
    page = fail(client, times=settings.AXES_FAILURE_LIMIT)
    assert page.status_code == 429
    html = page.content.decode()
    assert 'class="topbar"' in html  # the site's layout
    until = timezone.localtime(timezone.now() + timedelta(hours=settings.AXES_COOLOFF_TIME))
    assert (
        until.strftime("%H:%M") in html or (until - timedelta(minutes=1)).strftime("%H:%M") in html
    )
    assert "Coba lagi setelah pukul" in html
    assert "menit lagi" in html


def test_the_lockout_ends_after_the_cool_off(behind_one_proxy, settings, moderator):
    client = via_proxy("198.51.100.7")
    fail(client, times=settings.AXES_FAILURE_LIMIT)
    assert sign_in(client).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)
    )
    assert sign_in(client).status_code == 302


def test_failures_are_kept_after_a_success(behind_one_proxy, settings, moderator):
    client = via_proxy("198.51.100.7")
    fail(client, times=settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(client).status_code == 302
    assert (
        AccessFailureLog.objects.filter(username="rina").count() == settings.AXES_FAILURE_LIMIT - 1
    )
    client.post("/logout/")
    # The count was not wiped by the success: one more failure locks the account out.
    assert fail(client).status_code == 429


def test_the_audit_log_records_the_client_address(behind_one_proxy, moderator, make_case):
    case = make_case()
    client = via_proxy("198.51.100.7")
    assert sign_in(client).status_code == 302
    client.post(f"/cases/{case.pk}/claim/")
    event = AuditEvent.objects.get(action=AuditAction.CASE_CLAIM)
    assert event.ip_address == "198.51.100.7"
