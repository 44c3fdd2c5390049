"""The OpenAPI schema and its docs are served, with local assets (no CDN)."""

import pytest

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


def test_schema_lists_every_contract_operation(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in CONTRACT_PATHS:
        assert path in paths, path


def test_docs_use_local_assets(client):
    body = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in body
    assert "cdn." not in body
    assert "/static/drf_spectacular_sidecar/" in body
