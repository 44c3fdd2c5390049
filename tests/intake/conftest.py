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


@pytest.fixture(autouse=True)
def _processing_request_unthrottled(monkeypatch):
    """Each test starts as a fresh process would: its first receipt asks for processing."""
    monkeypatch.setattr("moderation.intake.receive._last_request", float("-inf"))


@pytest.fixture(autouse=True)
def _fresh_ingest_policy():
    """Per-process memos start empty, as in a fresh process."""
    from moderation.intake.policy import ingest_policy_forget
    from moderation.intake.receive import webhook_platforms_forget

    ingest_policy_forget()
    webhook_platforms_forget()
    yield
    ingest_policy_forget()
    webhook_platforms_forget()
