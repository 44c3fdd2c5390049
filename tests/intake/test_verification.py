"""Our Standard Webhooks verification agrees with the ``standardwebhooks`` library: its
published vector, and any message it signs. It also survives what the library does not:
malformed entries in the signature list, non-UTF-8 bodies."""

import base64
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from standardwebhooks import Webhook, WebhookVerificationError

from moderation.intake.secrets import MalformedSecret
from moderation.intake.verification import SignatureRejected, receipt_verify, secret_key

NOW = datetime(2024, 2, 12, 3, 15, 9, tzinfo=UTC)
TOLERANCE = 300

# The vector of the Standard Webhooks reference libraries.
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def verify(headers, body, secrets, now=NOW):
    return receipt_verify(
        headers=headers, body=body, secrets=secrets, now=now, tolerance_seconds=TOLERANCE
    )


def test_the_reference_vector_verifies():
    headers = {
        "webhook-id": VECTOR_ID,
        "webhook-timestamp": str(VECTOR_TIMESTAMP),
        "webhook-signature": VECTOR_SIGNATURE,
    }
    now = datetime.fromtimestamp(VECTOR_TIMESTAMP + 10, tz=UTC)
    verified = verify(headers, VECTOR_BODY, [VECTOR_SECRET], now=now)
    assert verified.webhook_id == VECTOR_ID
    assert verified.timestamp == datetime.fromtimestamp(VECTOR_TIMESTAMP, tz=UTC)
    with pytest.raises(SignatureRejected):
        verify(headers, VECTOR_BODY + b" ", [VECTOR_SECRET], now=now)


secrets_st = st.binary(min_size=24, max_size=64).map(
    lambda b: "whsec_" + base64.b64encode(b).decode()
)
ids_st = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1)
bodies_st = st.text(max_size=300)
offsets_st = st.integers(min_value=-TOLERANCE, max_value=TOLERANCE)


@settings(max_examples=200, deadline=None)
@given(secret=secrets_st, msg_id=ids_st, body=bodies_st, offset=offsets_st)
def test_whatever_the_library_signs_verifies(secret, msg_id, body, offset):
    when = NOW + timedelta(seconds=offset)
    signature = Webhook(secret).sign(msg_id, when, body)
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": signature,
    }
    verify(headers, body.encode(), [secret])
    with pytest.raises(SignatureRejected):
        verify(headers, body.encode() + b"x", [secret])
    with pytest.raises(SignatureRejected):
        verify(headers, body.encode(), [secret_other(secret)])


def secret_other(secret: str) -> str:
    key = bytearray(base64.b64decode(secret.removeprefix("whsec_")))
    key[0] ^= 1
    return "whsec_" + base64.b64encode(bytes(key)).decode()


@settings(max_examples=200, deadline=None)
@given(
    secret=secrets_st,
    body=bodies_st,
    entries=st.lists(
        st.one_of(
            st.just("VALID"),
            st.text(max_size=60).filter(lambda s: " " not in s),
            st.builds(lambda b: "v1," + base64.b64encode(b).decode(), st.binary(max_size=40)),
        ),
        min_size=1,
        max_size=5,
    ),
)
def test_we_accept_exactly_when_one_entry_is_the_valid_signature(secret, body, entries):
    msg_id = "msg_1"
    now = datetime.now(tz=UTC)  # the library checks the timestamp against the wall clock
    valid = Webhook(secret).sign(msg_id, now, body)
    header = " ".join(valid if e == "VALID" else e for e in entries)
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": header,
    }
    should_pass = valid in header.split(" ")
    try:
        verify(headers, body.encode(), [secret], now=now)
        passed = True
    except SignatureRejected:
        passed = False
    assert passed == should_pass
    # Where the library gives an answer at all, it is the same one.
    if all(e == "VALID" or e.startswith("v1,") for e in entries):
        try:
            Webhook(secret).verify(body, headers, json_parse=False)
            library_passed = True
        except (WebhookVerificationError, ValueError):
            library_passed = False
        # (The library stops at the first malformed entry, so compare only when the valid
        # signature comes first or there is none.)
        if header.split(" ")[0] == valid or not should_pass:
            assert library_passed == should_pass


def test_any_of_several_secrets_verifies():
    old, new = "whsec_" + base64.b64encode(b"o" * 32).decode(), VECTOR_SECRET
    body = "{}"
    signature = Webhook(old).sign("msg_1", NOW, body)
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(int(NOW.timestamp())),
        "webhook-signature": signature,
    }
    verify(headers, body.encode(), [new, old])
    verify(headers, body.encode(), ["not-a-secret", old])
    with pytest.raises(SignatureRejected, match="no valid signature"):
        verify(headers, body.encode(), [new])


def test_non_utf8_bodies_are_verified_over_their_bytes():
    body = b'{"x": "\xff"}'
    key = secret_key(VECTOR_SECRET)
    import hashlib
    import hmac

    mac = hmac.new(key, b"msg_1.%d." % int(NOW.timestamp()) + body, hashlib.sha256).digest()
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(int(NOW.timestamp())),
        "webhook-signature": "v1," + base64.b64encode(mac).decode(),
    }
    verify(headers, body, [VECTOR_SECRET])


@pytest.mark.parametrize(
    ("offset", "ok"), [(-300, True), (300, True), (-301, False), (301, False), (0, True)]
)
def test_tolerance_edges(offset, ok):
    when = NOW + timedelta(seconds=offset)
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": Webhook(VECTOR_SECRET).sign("msg_1", when, "{}"),
    }
    if ok:
        verify(headers, b"{}", [VECTOR_SECRET])
    else:
        with pytest.raises(SignatureRejected, match="too"):
            verify(headers, b"{}", [VECTOR_SECRET])


@pytest.mark.parametrize(
    "secret",
    ["", "whsec_", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_c2hvcnQ=", "whsec_!!!!", "whsec_a"],
)
def test_malformed_secrets_are_refused(secret):
    with pytest.raises(MalformedSecret):
        secret_key(secret)
