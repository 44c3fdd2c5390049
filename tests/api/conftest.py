"""API test helpers: token and session clients per persona."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.views.conftest import make_case  # noqa: F401  (shared fixture)


def token_client(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api():
    """``api(user)``: a client authenticated with the user's DRF token."""
    return token_client
