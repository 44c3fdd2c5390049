"""Issue 12, point 6: the smaller points, each at the level a user or a client meets it."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from moderation.admin.site import AdminLoginForm
from moderation.choices import CaseStatus
from moderation.review.claims import case_claim
from tests.clients import signed_in, token_client
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def test_the_admin_login_never_writes_the_password_back(rf, platform_admin):
    """django-otp's admin form asks for the token after a right password; it would put the
    typed password back into the page. Ours does not."""
    platform_admin.is_staff = True
    platform_admin.save()
    request = rf.post("/admin/login/")
    form = AdminLoginForm(
        request, data={"username": platform_admin.username, "password": DEFAULT_PASSWORD}
    )
    assert not form.is_valid()  # no token
    html = str(form["password"])
    assert DEFAULT_PASSWORD not in html
    assert 'value="' not in html


def test_the_workspace_login_never_writes_the_password_back(client, moderator):
    response = client.post("/login/", {"username": "rina", "password": "wrong-but-typed"})
    assert response.status_code == 200
    assert b"wrong-but-typed" not in response.content


@pytest.mark.parametrize("how", ["session", "token"])
def test_signed_in_answers_are_private_and_vary(how, moderator, make_case):
    case = make_case()
    client = signed_in(moderator) if how == "session" else token_client(moderator)
    urls = [f"/api/v1/cases/{case.pk}/", "/api/v1/cases/"]
    if how == "session":
        urls += [f"/cases/{case.pk}/", "/queues/", "/notifications/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "private, no-store", url
        vary = {v.strip() for v in response["Vary"].split(",")}
        assert {"Cookie", "Authorization"} <= vary, url


def test_the_public_clarification_page_stays_cacheable_for_the_public(kpu_clarifier):
    from tests.factories import PublishedClarificationFactory

    clarification = PublishedClarificationFactory(author=kpu_clarifier)
    response = Client().get(f"/klarifikasi/{clarification.pk}/")
    assert "no-store" not in response.get("Cache-Control", "")


def test_releasing_a_case_you_do_not_hold_says_so(moderator, second_moderator, make_case):
    free = make_case()
    api = token_client(moderator)
    response = api.post(f"/api/v1/cases/{free.pk}/release/")
    assert response.status_code == 409
    assert response["Content-Type"].startswith(PROBLEM)
    assert "tidak sedang diklaim" in response.json()["detail"]

    page = signed_in(moderator).post(f"/cases/{free.pk}/release/", follow=True)
    text = page.content.decode()
    assert "tidak sedang diklaim" in text
    assert "dilepas ke antrean" not in text

    held = case_claim(case=make_case(), user=second_moderator)
    response = api.post(f"/api/v1/cases/{held.pk}/release/")
    assert response.status_code == 403
    held.refresh_from_db()
    assert held.status == CaseStatus.IN_REVIEW
    assert held.assignee == second_moderator


def test_a_url_too_long_is_a_414_problem(moderator):
    response = token_client(moderator).get("/api/v1/cases/?video=" + "9" * 5000)
    assert response.status_code == 414
    assert response["Content-Type"].startswith(PROBLEM)
    assert response.json()["status"] == 414
    assert Client().get("/queues/?q=" + "x" * 5000).status_code == 414


def test_headers_too_large_are_a_431_problem(moderator):
    response = Client().get("/login/", headers={"X-Padding": "a" * 9000})
    assert response.status_code == 431
    assert response["Content-Type"].startswith(PROBLEM)
    assert "X-Padding" in response.json()["detail"]
    many = {f"X-Pad-{i}": "b" * 4000 for i in range(10)}
    assert Client().get("/login/", headers=many).status_code == 431
    assert Client().get("/login/", headers={"X-Padding": "a" * 4000}).status_code == 200


def test_the_signature_cap_is_documented():
    notes = (Path(settings.BASE_DIR) / "docs" / "webhooks.md").read_text()
    assert "at most 10" in notes
