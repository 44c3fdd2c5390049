"""The dev stand-in for a platform's callback endpoint checks our signatures like a platform."""

import json
from datetime import UTC, datetime

import pytest
from django.test import RequestFactory
from standardwebhooks.webhooks import Webhook

from moderation.outbound.dev_sink import platform_sink

pytestmark = pytest.mark.django_db


def post(platform, body, signature_secret):
    ts = datetime.now(tz=UTC)
    headers = {
        "HTTP_WEBHOOK_ID": "msg_1",
        "HTTP_WEBHOOK_TIMESTAMP": str(int(ts.timestamp())),
        "HTTP_WEBHOOK_SIGNATURE": Webhook(signature_secret).sign("msg_1", ts, body),
    }
    request = RequestFactory().post(
        "/dev/platform-sink/tiktok/", body, content_type="application/json", **headers
    )
    return platform_sink(request, platform.slug)


def test_a_signed_callback_is_accepted(tiktok):
    body = json.dumps({"type": "decision.recorded", "data": {}})
    assert post(tiktok, body, tiktok.callback_secret).status_code == 204


def test_a_wrongly_signed_callback_is_refused(tiktok):
    from tests.factories import whsec

    body = json.dumps({"type": "decision.recorded", "data": {}})
    assert post(tiktok, body, whsec()).status_code == 401


def test_the_sink_is_not_routed_outside_debug(client, tiktok, settings):
    assert not settings.DEBUG
    assert client.post("/dev/platform-sink/tiktok/", {}).status_code == 404
