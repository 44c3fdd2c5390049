"""The parser's shortcuts give the answers of the slow paths they skip: the quick document walk
(``_clean``) agrees with the walk that names every problem (``_check_values``), and a URL taken
by the plain-URL pattern is one Django's URLValidator accepts."""

import json
import math

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation.intake.json_body import MAX_DEPTH, _check_values, _clean, json_load
from moderation.intake.parsing import _PLAIN_URL, _url_problem

odd_text = st.one_of(
    st.text(max_size=8),
    st.sampled_from(["\x00", "a\x00b", "\ud800", "x\udfffy", "é", "\u0000", "k" * 201]),
)
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    odd_text,
)
documents = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(odd_text, children, max_size=4),
    ),
    max_leaves=30,
)


def _nested(depth: int, leaf: object) -> object:
    node = leaf
    for n in range(depth):
        node = [node] if n % 2 else {"k": node}
    return node


deep_documents = st.builds(
    _nested, st.integers(min_value=MAX_DEPTH - 3, max_value=MAX_DEPTH + 3), leaves
)


def _problems(document: object) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    _check_values(document, errors)
    return errors


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(document=st.one_of(documents, deep_documents))
def test_the_quick_walk_agrees_with_the_naming_walk(document):
    assert _clean(document, 0, strings=True) == (not _problems(document))


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(document=st.one_of(documents, deep_documents), ensure_ascii=st.booleans())
def test_string_checks_are_skipped_only_where_no_escape_could_hide_a_problem(
    document, ensure_ascii
):
    """What envelope_parse does with a real body: skip the string checks when the body has no
    \\u escape. The answer must be the same as with every check."""
    try:
        body = json.dumps(document, ensure_ascii=ensure_ascii, allow_nan=False).encode()
    except (ValueError, UnicodeEncodeError):
        return  # not representable as a JSON body (NaN, infinity, or a lone surrogate in UTF-8)
    try:
        parsed = json_load(body)
    except Exception:
        return
    assert _clean(parsed, 0, strings=b"\\u" in body) == (not _problems(parsed))


def test_an_overflowing_number_is_caught_by_both_walks():
    parsed = json_load(b'{"data": {"view_count": 1e999}}')
    assert math.isinf(parsed["data"]["view_count"])
    assert not _clean(parsed, 0, strings=False)
    assert _problems(parsed) == [{"field": "data.view_count", "message": "number out of range"}]


@settings(max_examples=500)
@given(url=st.from_regex(_PLAIN_URL, fullmatch=True))
def test_a_plain_url_is_one_urlvalidator_accepts(url):
    URLValidator(schemes=["http", "https"])(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.tiktok.com/@user/video/7312345678901234567",
        "http://example.co.id/a?b=c#d",
        "https://p16-sign-sg.tiktokcdn.com/obj/example-thumbnail.jpeg",
    ],
)
def test_common_platform_urls_take_the_plain_path(url):
    assert _PLAIN_URL.match(url)
    assert _url_problem(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/x",
        "https://example.com/x\n",
        "https://exa mple.com/",
        "https://-bad-.com/",
        "javascript:alert(1)",
        "https://" + "a" * 250 + ".com/",
        "https://example",
    ],
)
def test_anything_else_goes_through_urlvalidator(url):
    assert not _PLAIN_URL.match(url)
    with pytest.raises(ValidationError):
        URLValidator(schemes=["http", "https"])(url)
    assert _url_problem(url) == "must be an http(s) URL"


def test_ip_hosts_and_ports_are_still_accepted_by_the_slow_path():
    for url in ("http://127.0.0.1:8000/cb", "https://[::1]/x", "https://example.com:8443/x"):
        assert not _PLAIN_URL.match(url)
        assert _url_problem(url) is None
