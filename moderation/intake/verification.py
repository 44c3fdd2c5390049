"""Standard Webhooks 1.0 signature verification (contract §2).

The signed content is ``{webhook-id}.{webhook-timestamp}.{raw body}`` and the signature is
``v1,base64(HMAC-SHA256(secret_bytes, content))``. We compute it over the raw body *bytes*, so a
body that is not UTF-8 is still authenticated (and then answered 400, not 401). The
``standardwebhooks`` library computes the same HMAC over a ``str`` body; tests/webhooks/
test_verification.py checks that both agree on its vectors and on random inputs.

Unlike ``standardwebhooks.Webhook.verify``, a malformed entry in the space-separated signature
list (no comma, bad base64, unknown version) is skipped rather than raised, so "any one valid
signature is enough" holds whatever else the list contains, and a malformed header never
becomes a 500.
"""

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from moderation.intake.secrets import SECRET_PREFIX, MalformedSecret, secret_validate

SIGNATURE_VERSION = "v1"
# A webhook timestamp is unix seconds: digits only (no sign, fraction or exponent).
_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")
_BASE64 = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")
# At most this many entries of the signature list are looked at (a platform sends one or two).
MAX_SIGNATURES = 10


class SignatureRejected(Exception):
    """The receipt is not authentic. ``reason`` is for the security log, never for the body."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def secret_key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_`` secret, or MalformedSecret."""
    secret_validate(secret)
    return base64.b64decode(secret[len(SECRET_PREFIX) :])


def signature_compute(*, key: bytes, webhook_id: bytes, timestamp: int, body: bytes) -> bytes:
    return hmac.new(key, b"%s.%d.%s" % (webhook_id, timestamp, body), hashlib.sha256).digest()


def _candidate_signatures(header: str) -> list[bytes]:
    """The decodable ``v1`` signatures of a header; malformed entries are skipped."""
    candidates: list[bytes] = []
    for entry in header.split(" ")[: MAX_SIGNATURES * 2]:
        version, comma, encoded = entry.partition(",")
        if not comma or version != SIGNATURE_VERSION or not _BASE64.match(encoded):
            continue
        try:
            decoded = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            continue
        if len(decoded) == hashlib.sha256().digest_size:
            candidates.append(decoded)
        if len(candidates) >= MAX_SIGNATURES:
            break
    return candidates


@dataclass(frozen=True)
class VerifiedReceipt:
    webhook_id: str
    timestamp: datetime


def receipt_verify(
    *,
    headers: Mapping[str, str],
    body: bytes,
    secrets: Iterable[str],
    now: datetime,
    tolerance_seconds: int,
) -> VerifiedReceipt:
    """Check the three webhook-* headers against every given secret, or SignatureRejected.

    ``headers`` are the values as the WSGI server decoded them (latin-1), so re-encoding with
    latin-1 gives back the bytes the platform signed.
    """
    webhook_id = headers.get("webhook-id") or ""
    timestamp_header = headers.get("webhook-timestamp") or ""
    signature_header = headers.get("webhook-signature") or ""
    if not webhook_id:
        raise SignatureRejected("missing webhook-id")
    if not timestamp_header:
        raise SignatureRejected("missing webhook-timestamp")
    if not signature_header:
        raise SignatureRejected("missing webhook-signature")
    if not _TIMESTAMP.match(timestamp_header):
        raise SignatureRejected("malformed webhook-timestamp")
    timestamp = int(timestamp_header)
    age = now.timestamp() - timestamp
    if age > tolerance_seconds:
        raise SignatureRejected("webhook-timestamp too old")
    if age < -tolerance_seconds:
        raise SignatureRejected("webhook-timestamp too far ahead")
    candidates = _candidate_signatures(signature_header)
    if not candidates:
        raise SignatureRejected("malformed webhook-signature")
    try:
        id_bytes = webhook_id.encode("latin-1")
    except UnicodeEncodeError:
        raise SignatureRejected("malformed webhook-id") from None
    matched = False
    for secret in secrets:
        try:
            key = secret_key(secret)
        except MalformedSecret:
            continue
        expected = signature_compute(key=key, webhook_id=id_bytes, timestamp=timestamp, body=body)
        for candidate in candidates:
            # Constant time, and no early exit: every pair is compared.
            matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise SignatureRejected("no valid signature")
    return VerifiedReceipt(
        webhook_id=webhook_id, timestamp=datetime.fromtimestamp(timestamp, tz=UTC)
    )
