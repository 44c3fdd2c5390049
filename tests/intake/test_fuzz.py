"""Whatever a platform (or anyone) sends, the endpoint answers with a status from the contract's
table, never a 500. The Django test client re-raises any exception the view lets escape, so an
unhandled error fails the test as loudly as a 500 would."""

import json
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.intake.helpers import encode, fixture, signed_headers, url

pytestmark = pytest.mark.django_db

CONTRACT_STATUSES = {200, 202, 400, 401, 404, 413}
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(["", "\x00", "2024-01-12T08:30:00Z", "hoax", "kpu", "https://x.example/v"]),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=10), children, max_size=4),
    ),
    max_leaves=20,
)
EVENT_NAMES = [
    "flag.created",
    "flag.created.automated",
    "video.updated",
    "video.updated.full",
    "video.removed",
    "appeal.created",
    "unknown.type",
]


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            out += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            out += _paths(child, (*prefix, i))
    return out


@st.composite
def mutated_events(draw: st.DrawFn) -> bytes:
    """A fixture event with one or two values replaced, removed, or given an extra key."""
    event = fixture(draw(st.sampled_from(EVENT_NAMES)))
    for _ in range(draw(st.integers(min_value=1, max_value=2))):
        path = draw(st.sampled_from(_paths(event)))
        replacement = draw(json_values)
        if not path:
            event = replacement
            break
        parent = event
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = replacement
        else:
            parent[path[-1]] = replacement
    return json.dumps(event).encode()


bodies = st.one_of(
    mutated_events(),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
)


def _post(raw: bytes, headers: dict[str, str], slug: str = "tiktok") -> int:
    response = Client().post(url(slug), data=raw, content_type="application/json", headers=headers)
    assert response.status_code in CONTRACT_STATUSES, response.content
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json"
        body = response.json()
        assert body["status"] == response.status_code
        if response.status_code == 400:
            assert all(set(e) == {"field", "message"} for e in body["errors"])
    return response.status_code


@FUZZ
@given(raw=bodies)
def test_signed_bodies_never_500(secret, raw):
    _post(raw, signed_headers(secret, raw))


header_text = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=120)


@FUZZ
@given(
    raw=bodies,
    webhook_id=st.one_of(st.none(), header_text),
    timestamp=st.one_of(st.none(), header_text, st.integers().map(str)),
    signature=st.one_of(
        st.none(),
        header_text,
        st.lists(st.sampled_from(["v1,", "v1,AAAA", "v2,x", ",", " ", "v1,=="]), max_size=6).map(
            "".join
        ),
    ),
    slug=st.sampled_from(["tiktok", "nope", "TIKTOK", "tik tok"]),
)
def test_arbitrary_headers_never_500(secret, raw, webhook_id, timestamp, signature, slug):
    headers = {
        name: value
        for name, value in (
            ("webhook-id", webhook_id),
            ("webhook-timestamp", timestamp),
            ("webhook-signature", signature),
        )
        if value is not None
    }
    assert _post(raw, headers, slug=slug) in {400, 401, 404, 413}


@FUZZ
@given(raw=mutated_events(), webhook_id=header_text.filter(bool))
def test_any_signed_webhook_id_never_500(secret, raw, webhook_id):
    # Sign what a WSGI server would hand us for these header bytes.
    _post(raw, signed_headers(secret, raw, webhook_id=webhook_id))


def test_fuzz_baseline_event_is_accepted(secret):
    raw = encode(fixture("flag.created"))
    assert _post(raw, signed_headers(secret, raw)) == 202
