"""Issue 12, point 4 in Chromium: the main pages, the admin and the API docs load under the
Content-Security-Policy with no violation reported (console or securitypolicyviolation)."""

import pytest
from playwright.sync_api import Page

from moderation.review.claims import case_claim
from tests.browser.conftest import shot

pytestmark = pytest.mark.django_db(transaction=True)

LISTEN = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(
    `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def _watch(page: Page) -> list[str]:
    seen: list[str] = []
    page.context.add_init_script(LISTEN)
    page.on(
        "console",
        lambda message: (
            seen.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    return seen


def _visit(page: Page, url: str, console: list[str], name: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__cspViolations || []")
    shot(page, name)
    assert violations == [], (url, violations)
    assert console == [], (url, console)


def test_main_pages_load_without_csp_violations(
    new_page, moderator, kpu_supervisor, make_case, current_phase
):
    case = make_case()
    case_claim(case=case, user=moderator)

    anonymous = new_page()
    console = _watch(anonymous)
    _visit(anonymous, "/login/", console, "csp-00-login")

    page = new_page(moderator)
    console = _watch(page)
    for i, url in enumerate(["/queues/", "/queues/informasi-palsu/", f"/cases/{case.pk}/"]):
        _visit(page, url, console, f"csp-1{i}-moderator")
    # The case page's scripts ran: the keyboard help opens, the lease ticks.
    page.keyboard.press("?")
    assert page.locator("#shortcut-help").is_visible()
    _visit(page, "/notifications/", console, "csp-13-notifications")

    page = new_page(kpu_supervisor)
    console = _watch(page)
    for i, url in enumerate(["/approvals/", "/operations/callbacks/", "/api/docs/"]):
        _visit(page, url, console, f"csp-2{i}-supervisor")
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)  # Swagger UI rendered
    assert page.evaluate("window.__cspViolations") == []


def test_the_admin_loads_without_csp_violations(new_page, platform_admin, current_phase):
    platform_admin.is_staff = platform_admin.is_superuser = True
    platform_admin.save()
    page = new_page(platform_admin)
    console = _watch(page)
    for i, url in enumerate(
        ["/admin/", "/admin/moderation/case/", "/admin/moderation/electionphase/add/"]
    ):
        _visit(page, url, console, f"csp-3{i}-admin")
