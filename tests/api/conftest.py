"""API test helpers: a token client per persona."""

import pytest

from tests.clients import token_client


@pytest.fixture
def api():
    """``api(user)``: a client authenticated with the user's DRF token."""
    return token_client
