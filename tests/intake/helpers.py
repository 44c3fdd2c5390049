"""Build and sign webhook receipts as a platform would: JSON fixture files, Standard Webhooks
signatures made with the ``standardwebhooks`` library (raw HMAC only for non-UTF-8 bodies)."""

import base64
import copy
import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from standardwebhooks import Webhook

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "webhooks"


def fixture(name: str) -> dict[str, Any]:
    """A deep copy of tests/fixtures/webhooks/<name>.json."""
    return copy.deepcopy(json.loads((FIXTURES / f"{name}.json").read_text()))


def flag_event(
    *, flag_id: str | None = None, video_id: str | None = None, **data: Any
) -> dict[str, Any]:
    """flag.created from the fixture, with a fresh flag_id (and video id if given)."""
    event = fixture("flag.created")
    event["data"]["flag_id"] = flag_id or f"flg_{uuid.uuid4().hex}"
    if video_id is not None:
        event["data"]["video"]["id"] = video_id
        event["data"]["video"]["url"] = f"https://www.tiktok.com/@akun/video/{video_id}"
    video = data.pop("video", None)
    event["data"].update(data)
    if video:
        event["data"]["video"].update(video)
    return event


def encode(body: dict[str, Any] | bytes | str) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body).encode()


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The webhook-signature header value for these bytes."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        key = base64.b64decode(secret.removeprefix("whsec_"))
        content = f"{webhook_id}.{timestamp}.".encode() + body
        return "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    return Webhook(secret).sign(webhook_id, datetime.fromtimestamp(timestamp, tz=UTC), text)


def signed_headers(
    secret: str,
    body: bytes,
    *,
    webhook_id: str | None = None,
    timestamp: int | None = None,
) -> dict[str, str]:
    webhook_id = webhook_id or f"msg_{uuid.uuid4().hex}"
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, webhook_id, timestamp, body),
    }


def url(slug: str = "tiktok") -> str:
    return f"/api/v1/webhooks/{slug}/"


def deliver(
    client: Any,
    secret: str,
    body: dict[str, Any] | bytes | str,
    *,
    slug: str = "tiktok",
    webhook_id: str | None = None,
    timestamp: int | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """POST a signed receipt with a Django test client."""
    raw = encode(body)
    all_headers = signed_headers(secret, raw, webhook_id=webhook_id, timestamp=timestamp)
    all_headers.update(headers or {})
    return client.post(url(slug), data=raw, content_type="application/json", headers=all_headers)


def process() -> int:
    """What the raw_events_process task does right after a receipt is stored."""
    from moderation.intake.processing import raw_events_process

    return raw_events_process()
