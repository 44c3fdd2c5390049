"""POST /api/v1/webhooks/<platform-slug>/ (contract §2). Thin: every step is a call.

Order: size cap (413) → platform (404) → signature (401) → headers and body (400) → store
(202 / 200; processing follows right after, see ingest.py) → 503 if PostgreSQL is unavailable.
Every rejection writes one line to the ``saring.security`` log: platform, reason, client IP and
webhook id, never the body. A plain Django view rather than DRF: the body is read raw (the
signature covers its exact bytes), and the hot path stays short.
"""

import logging
import re
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, JsonResponse, UnreadablePostError
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt

from moderation.errors import ModerationError
from moderation.intake.json_body import FieldError, PayloadInvalid, error
from moderation.intake.parsing import envelope_parse
from moderation.intake.receipts import WebhookReceipt, natural_key
from moderation.intake.receive import receipt_ingest, webhook_platform
from moderation.intake.verification import SignatureRejected, receipt_verify
from moderation.middleware import client_ip
from moderation.problems import PROBLEM_CONTENT_TYPE, problem_body

security_log = logging.getLogger("saring.security")
logger = logging.getLogger("saring.ingest")

_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,50}$")
_WEBHOOK_ID = re.compile(r"^[\x21-\x7e]{1,256}$")  # printable ASCII, as stored in RawEvent
RETRY_AFTER_SECONDS = 30


def _loggable(value: str) -> str:
    """Attacker-controlled text, safe for one log line."""
    return value[:100].encode("unicode_escape").decode("ascii")


def _problem(
    status: int,
    *,
    title: str,
    detail: str,
    type_: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JsonResponse:
    response = JsonResponse(
        problem_body(status_code=status, title=title, detail=detail, type_=type_, **extra),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _reject(request: HttpRequest, slug: str, reason: str, response: JsonResponse) -> JsonResponse:
    security_log.warning(
        "webhook rejected status=%s platform=%s reason=%s ip=%s webhook_id=%s",
        response.status_code,
        _loggable(slug),
        reason,
        client_ip(request) or "-",
        _loggable(request.headers.get("webhook-id", "")) or "-",
    )
    return response


def _invalid(errors: list[FieldError]) -> JsonResponse:
    return _problem(
        400,
        title="Invalid webhook",
        detail="; ".join(f"{e['field'] or 'body'}: {e['message']}" for e in errors)[:1000],
        type_="/problems/invalid-webhook",
        errors=errors,
    )


def _too_large(cap: int) -> JsonResponse:
    return _problem(
        413,
        title="Payload too large",
        detail=f"The body is over {cap} bytes.",
        type_="/problems/payload-too-large",
    )


def _read_body(request: HttpRequest, cap: int) -> bytes | None:
    """At most ``cap`` bytes of the body, or None if it is longer (read no more than cap+1)."""
    chunks: list[bytes] = []
    remaining = cap + 1
    while remaining > 0:
        chunk = request.read(remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    body = b"".join(chunks)
    return body if len(body) <= cap else None


@csrf_exempt
def webhook_receive(request: HttpRequest, slug: str) -> JsonResponse:
    if request.method != "POST":
        return _problem(
            405,
            title="Method not allowed",
            detail="Webhooks are delivered with POST.",
            type_="about:blank",
            headers={"Allow": "POST"},
        )
    try:
        # Platforms read our answers in English, the contract's language, whatever the
        # services' messages are written in (Indonesian at the source, translated).
        with translation.override("en"):
            return _receive(request, slug)
    except (OperationalError, InterfaceError) as exc:
        logger.error("database unavailable for webhook on %s: %s", _loggable(slug), exc)
        return _problem(
            503,
            title="Service unavailable",
            detail="The database is unavailable; nothing was stored. Retry later.",
            type_="/problems/unavailable",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )


def _receive(request: HttpRequest, slug: str) -> JsonResponse:
    now = timezone.now()
    cap: int = settings.SARING["WEBHOOK_MAX_BYTES"]
    content_length = request.META.get("CONTENT_LENGTH") or ""
    if content_length.isdigit() and int(content_length) > cap:
        return _reject(request, slug, "body over the size cap (content-length)", _too_large(cap))
    try:
        body = _read_body(request, cap)
    except UnreadablePostError:
        return _reject(request, slug, "body unreadable", _invalid([error("", "unreadable body")]))
    if body is None:
        return _reject(request, slug, "body over the size cap", _too_large(cap))

    found = webhook_platform(slug, now=now) if _SLUG.match(slug) else None
    if found is None:
        return _reject(
            request,
            slug,
            "unknown platform",
            _problem(
                404,
                title="Unknown platform",
                detail="No platform is registered under this slug.",
                type_="/problems/unknown-platform",
            ),
        )

    try:
        verified = receipt_verify(
            headers=request.headers,
            body=body,
            secrets=found.secrets,
            now=now,
            tolerance_seconds=settings.SARING["WEBHOOK_TOLERANCE_SECONDS"],
        )
    except SignatureRejected as exc:
        return _reject(
            request,
            slug,
            exc.reason,
            _problem(
                401,
                title="Invalid signature",
                detail="The webhook-id, webhook-timestamp and webhook-signature headers do not "
                "verify (Standard Webhooks; the timestamp may be 5 minutes old or ahead).",
                type_="/problems/invalid-signature",
            ),
        )

    if not _WEBHOOK_ID.match(verified.webhook_id):
        errors = [error("webhook-id", "1 to 256 printable ASCII characters")]
        return _reject(request, slug, "malformed webhook-id", _invalid(errors))
    try:
        envelope = envelope_parse(body)
    except PayloadInvalid as exc:
        fields = ",".join(sorted({e["field"] or "body" for e in exc.errors}))
        return _reject(request, slug, f"invalid payload: {_loggable(fields)}", _invalid(exc.errors))

    receipt = WebhookReceipt(
        platform_id=found.platform_id,
        webhook_id=verified.webhook_id,
        event_type=envelope.type,
        body=body.decode(),
        webhook_timestamp=verified.timestamp,
        received_at=now,
        natural_key=natural_key(envelope),
    )
    try:
        outcome = receipt_ingest(receipt=receipt, envelope=envelope, now=now)
    except ModerationError as exc:
        problems: dict[str, object] = exc.extra.get("errors") or {"data": exc.detail}
        field_errors = [error(field, str(message)) for field, message in problems.items()]
        return _reject(request, slug, f"event refused: {exc.detail}", _invalid(field_errors))

    body_out = {"status": outcome, "webhook_id": verified.webhook_id}
    if outcome == "ignored":
        body_out["type"] = envelope.type
    return JsonResponse(body_out, status=200 if outcome == "duplicate" else 202)
