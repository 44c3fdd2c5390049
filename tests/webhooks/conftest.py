import pytest
from django.test import Client

from moderation.models import Platform


@pytest.fixture
def secret(tiktok: Platform) -> str:
    """TikTok's inbound signing secret (PlatformFactory gives it one)."""
    return tiktok.secrets.get().secret


@pytest.fixture
def client() -> Client:
    return Client(REMOTE_ADDR="203.0.113.7")
