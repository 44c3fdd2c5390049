"""Issue 12, point 3 in Chromium: a supervisor's first sign-in enrols an authenticator from the
QR page (the code computed here from the secret the page shows, as an app would), keeps the
recovery codes, and a later sign-in takes a recovery code; no CSP violation on the way."""

import base64
import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.browser.conftest import shot
from tests.browser.test_csp import _watch
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def _password(page, user) -> None:
    page.goto("/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_supervisor_enrols_and_signs_in_with_totp(new_page, supervisor, current_phase):
    page = new_page()
    console = _watch(page)
    _password(page, supervisor)
    expect(page).to_have_url(re.compile(r"/login/otp/enrol/"))
    qr = page.locator(".otp-qr img")
    expect(qr).to_be_visible()
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    assert page.evaluate("document.querySelector('.otp-qr img').naturalWidth") > 0
    shot(page, "otp-01-enrol")

    secret = page.locator("#otp-secret").inner_text()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("#id_code", f"{totp(key):06d}")
    page.get_by_role("button", name="Aktifkan").click()
    expect(page.locator("#recovery-codes")).to_be_visible()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    shot(page, "otp-02-recovery-codes")
    page.get_by_role("link", name="Lanjutkan").click()
    expect(page).to_have_url(re.compile(r"/queues/$"))
    expect(page.locator(".mainnav")).to_contain_text("Persetujuan")
    assert page.evaluate("window.__cspViolations || []") == []
    assert console == []

    # A later sign-in (a new browser): the code screen; a recovery code works once.
    later = new_page()
    _password(later, supervisor)
    expect(later).to_have_url(re.compile(r"/login/otp/"))
    shot(later, "otp-03-verify")
    later.fill("#id_code", codes[0])
    later.get_by_role("button", name="Verifikasi").click()
    expect(later).to_have_url(re.compile(r"/queues/$"))

    again = new_page()
    _password(again, supervisor)
    again.fill("#id_code", codes[0])
    again.get_by_role("button", name="Verifikasi").click()
    expect(again.locator(".errorlist")).to_contain_text("Kode salah")
    again.goto("/approvals/")
    expect(again).to_have_url(re.compile(r"/login/otp/"))
