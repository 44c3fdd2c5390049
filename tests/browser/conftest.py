"""End-to-end tests: Playwright (sync API) drives Debian's Chromium, headless, against
pytest-django's live server and the real test database. Screenshots of the main pages go to
test-artifacts/screenshots/ (git-ignored) on every run."""

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# body are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

from playwright.sync_api import Browser, Page, sync_playwright

from moderation.choices import PhaseKind
from moderation.models import ElectionPhase
from tests.factories import DEFAULT_PASSWORD

CHROMIUM = os.environ.get("SARING_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: `make chromium` or apt-get install chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Browser, live_server) -> Iterator[Callable[..., Page]]:
    """``new_page(user=None, language="id")``: a page in a fresh browser context (its own
    cookies), signed in through the login form when a user is given."""
    contexts = []

    def make(user=None, language: str = "id") -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            locale="id-ID" if language == "id" else "en-GB",
            timezone_id="Asia/Jakarta",
            viewport={"width": 1400, "height": 900},
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        if user is not None:
            sign_in(page, user)
        return page

    yield make
    # Leave every page first: its release beacon and last polls reach the live server now,
    # not while the database is being flushed after the test.
    for context in contexts:
        for page in context.pages:
            page.goto("about:blank")
    time.sleep(0.5)
    for context in contexts:
        context.close()


def sign_in(page: Page, user) -> None:
    """The login form; then, for a role that needs it, the authenticator's current code (the
    device made as enrolment would; tests/browser/test_second_factor.py enrols for real)."""
    from moderation.accounts.second_factor import second_factor_required
    from tests.clients import totp_device, totp_now

    device = totp_device(user) if second_factor_required(user) else None
    page.goto("/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if device is not None:
        page.wait_for_url("**/login/otp/**")
        device.refresh_from_db()
        device.last_t = -1  # the same user may sign in twice within one 30-second step
        device.save(update_fields=["last_t"])
        page.fill("#id_code", totp_now(device))
        page.click("#main button[type=submit]")
        page.wait_for_load_state()


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def current_phase(db) -> ElectionPhase:
    """A phase that covers today, so the pages show one (the 2024 calendar is long past)."""
    today = timezone.localdate()
    return ElectionPhase.objects.create(
        election="Pilkada 2026",
        kind=PhaseKind.CAMPAIGN,
        name="Masa kampanye",
        starts_on=today.replace(day=1),
        ends_on=today.replace(day=28) if today.day <= 28 else today,
    )
