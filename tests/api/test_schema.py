"""The OpenAPI schema and its docs are served, with local assets (no CDN)."""

import pytest

from tests.clients import signed_in

pytestmark = pytest.mark.django_db

CONTRACT_PATHS = [
    "/api/v1/cases/",
    "/api/v1/cases/{id}/",
    "/api/v1/cases/{id}/claim/",
    "/api/v1/cases/{id}/release/",
    "/api/v1/cases/claim-next/",
    "/api/v1/cases/{id}/decisions/",
    "/api/v1/cases/{id}/clarifications/",
    "/api/v1/clarifications/",
    "/api/v1/clarifications/{id}/publish/",
    "/api/v1/clarifications/{id}/retract/",
    "/api/v1/audit-events/",
]


def test_schema_lists_every_contract_operation(moderator):
    client = signed_in(moderator)
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in CONTRACT_PATHS:
        assert path in paths, path


def test_docs_use_local_assets(moderator):
    body = signed_in(moderator).get("/api/docs/").content.decode()
    assert "swagger-ui" in body
    assert "cdn." not in body
    assert "/static/drf_spectacular_sidecar/" in body


def test_schema_and_docs_need_a_sign_in(client):
    schema = client.get("/api/schema/")
    assert schema.status_code in {401, 403}
    assert schema["Content-Type"].startswith("application/problem+json")
    response = client.get("/api/docs/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_docs_pages_carry_their_own_csp(moderator):
    client = signed_in(moderator)
    assert client.get("/api/redoc/")["Location"] == "/api/docs/"
    for page in ("/api/docs/",):
        response = client.get(page)
        assert response.status_code == 200
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy
        assert "unsafe-eval" not in policy
        assert "fonts.googleapis" not in response.content.decode()
