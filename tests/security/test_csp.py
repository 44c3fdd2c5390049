"""Issue 12, point 4: Django's Content-Security-Policy on every page, with nonces; no inline
script without one. (tests/test_access_matrix.py checks the header on every URL pattern too;
tests/browser/test_csp.py loads the pages in Chromium and listens for violations.)"""

import pytest
from django.test import Client

from moderation.review.claims import case_claim
from tests.clients import signed_in, token_client
from tests.factories import PublishedClarificationFactory
from tests.security.csp import csp_problems

pytestmark = pytest.mark.django_db


def test_the_policy_itself(client):
    policy = client.get("/login/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"].startswith("'self'")
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe" not in directives["script-src"] + directives["style-src"]


def test_workspace_pages_keep_the_policy(
    moderator, kpu_supervisor, platform_admin, kpu_clarifier, make_case
):
    platform_admin.is_staff = platform_admin.is_superuser = True
    platform_admin.save()
    case = make_case()
    case_claim(case=case, user=moderator)
    clarification = PublishedClarificationFactory(author=kpu_clarifier)
    pages = {
        moderator: [
            "/queues/",
            "/queues/informasi-palsu/",
            f"/cases/{case.pk}/",
            "/notifications/",
        ],
        kpu_supervisor: [
            "/queues/",
            f"/cases/{case.pk}/",
            "/approvals/",
            "/operations/callbacks/",
            "/operations/callbacks/tiktok/",
            "/queues/new/",
        ],
        platform_admin: [
            "/admin/",
            "/admin/moderation/user/",
            "/admin/moderation/case/",
            f"/admin/moderation/case/{case.pk}/change/",
            "/admin/moderation/electionphase/add/",
        ],
    }
    for user, urls in pages.items():
        client = signed_in(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (user, url, response.status_code)
            assert csp_problems(response) == [], (user, url)
    anonymous = [
        "/login/",
        "/admin/login/",
        f"/klarifikasi/{clarification.pk}/",
        "/cases/999999/",
    ]
    for url in anonymous:
        client = signed_in(moderator) if url.startswith("/cases/") else Client()
        assert csp_problems(client.get(url)) == [], url


def test_api_docs_have_their_own_policy_and_no_inline_script_without_the_nonce(moderator):
    client = signed_in(moderator)
    for url in ("/api/docs/",):
        response = client.get(url)
        assert response.status_code == 200
        # Swagger UI and Redoc set styles from script: style attributes are theirs, not ours.
        assert csp_problems(response, allow_style_attributes=True) == [], url


def test_api_answers_carry_the_header_too(moderator):
    response = token_client(moderator).get("/api/v1/cases/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
