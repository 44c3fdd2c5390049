"""Issue 12, point 2: extreme dates. Every date a platform sends is checked against a sane window
at the webhook (400 naming the field); a stored date outside it (from before the window) never
breaks a page or an API answer; a case action either changes the case and answers success, or
does neither; the API's date filters answer 400, never 500. Hypothesis fuzzes both edges."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from moderation.choices import CaseStatus
from moderation.models import Case, Decision, Flag, RawEvent
from tests.clients import signed_in, token_client
from tests.factories import DecisionFactory
from tests.intake.helpers import deliver, fixture, flag_event, process

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
WINDOW_START = datetime(2000, 1, 1, tzinfo=UTC)

# (fixture, path to the date inside the event)
DATE_FIELDS = [
    ("flag.created", ("timestamp",)),
    ("flag.created", ("data", "flagged_at")),
    ("flag.created", ("data", "video", "published_at")),
    ("video.updated.full", ("data", "video", "published_at")),
    ("video.removed", ("data", "removed_at")),
    ("appeal.created", ("data", "created_at")),
]


@pytest.fixture
def secret(tiktok):
    return tiktok.secrets.get().secret


@pytest.fixture
def appealable(tiktok):
    """A decision the appeal fixture can name: without it a well-dated appeal.created is a 400 at
    data.decision_id (the fixture's decision 1842 does not exist), not the 202 it should be."""
    return DecisionFactory(case__video__platform=tiktok)


def _event_with(
    name: str, path: tuple[str, ...], value: str, decision: Decision | None = None
) -> dict:
    event = flag_event() if name == "flag.created" else fixture(name)
    if name == "appeal.created" and decision is not None:
        event["data"]["decision_id"] = decision.pk
    parent = event
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return event


@pytest.mark.parametrize(("name", "path"), DATE_FIELDS)
@pytest.mark.parametrize(
    "value",
    ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "1999-12-31T23:59:59Z", "2999-01-01T00:00Z"],
)
def test_a_date_outside_the_window_is_a_400_naming_the_field(secret, name, path, value):
    if value == "2999-01-01T00:00Z":
        value = "2999-01-01T00:00:00Z"
    response = deliver(Client(), secret, _event_with(name, path, value))
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    fields = [e["field"] for e in response.json()["errors"]]
    assert fields == [".".join(path)]
    assert not RawEvent.objects.exists()


def test_dates_at_the_edges_of_the_window_are_accepted(secret):
    tomorrowish = (timezone.now() + timedelta(hours=23)).strftime("%Y-%m-%dT%H:%M:%SZ")
    event = flag_event(flagged_at=tomorrowish, video={"published_at": "2000-01-01T00:00:00Z"})
    assert deliver(Client(), secret, event).status_code == 202


@pytest.fixture
def extreme_case(make_case):
    """A case whose platform dates were stored before the window existed: year 9999 and year 1."""
    case = make_case()
    far = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    Flag.objects.filter(case=case).update(flagged_at=far)
    case.video.published_at = datetime(1, 1, 1, tzinfo=UTC)
    case.video.save(update_fields=["published_at"])
    Case.objects.filter(pk=case.pk).update(last_flag_at=far)
    return case


def test_pages_render_stored_extreme_dates(extreme_case, moderator, kpu_supervisor):
    for user in (moderator, kpu_supervisor):
        client = signed_in(user)
        page = client.get(f"/cases/{extreme_case.pk}/")
        assert page.status_code == 200
        assert b"9999" in page.content  # shown in UTC rather than failing in WIB
        assert client.get("/queues/").status_code == 200


def test_api_renders_stored_extreme_dates_and_actions_succeed(extreme_case, moderator):
    api = token_client(moderator)
    detail = api.get(f"/api/v1/cases/{extreme_case.pk}/")
    assert detail.status_code == 200
    assert detail.json()["flags"][0]["flagged_at"].startswith("9999-12-31T23:59:59")
    assert api.get("/api/v1/cases/").status_code == 200

    claimed = api.post("/api/v1/cases/claim-next/")
    assert claimed.status_code == 200, claimed.content
    extreme_case.refresh_from_db()
    assert extreme_case.status == CaseStatus.IN_REVIEW
    assert extreme_case.assignee == moderator

    released = api.post(f"/api/v1/cases/{extreme_case.pk}/release/")
    assert released.status_code == 200, released.content
    extreme_case.refresh_from_db()
    assert extreme_case.status == CaseStatus.NEW
    assert extreme_case.assignee is None


def test_audit_filter_with_an_offset_postgresql_refuses_is_read_in_utc(kpu_supervisor):
    api = token_client(kpu_supervisor)
    response = api.get("/api/v1/audit-events/?until=2024-01-01T00:00:00%2B17:23")
    assert response.status_code == 200, response.content
    for query in ("since=0001-01-01T00:00:00%2B01:00", "until=9999-12-31T23:59:59-01:00"):
        response = api.get(f"/api/v1/audit-events/?{query}")
        assert response.status_code == 400, response.content
        assert response["Content-Type"].startswith(PROBLEM)


# --- Fuzzing ------------------------------------------------------------------------------------

offsets = st.one_of(
    st.just("Z"),
    st.builds(
        lambda sign, h, m: f"{sign}{h:02d}:{m:02d}",
        st.sampled_from("+-"),
        st.integers(0, 99),
        st.integers(0, 99),
    ),
)
rfc3339ish = st.builds(
    lambda y, mo, d, h, mi, s, off: f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}{off}",
    st.integers(0, 9999),
    st.integers(0, 13),
    st.integers(0, 32),
    st.integers(0, 25),
    st.integers(0, 61),
    st.integers(0, 61),
    offsets,
)
date_strings = st.one_of(
    rfc3339ish,
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.text(max_size=30),
)


@FUZZ
@given(
    field=st.sampled_from(DATE_FIELDS),
    value=date_strings,
)
# CI's failing case: a well-dated appeal must be a 202, which needs a decision it can name.
@example(field=("appeal.created", ("data", "created_at")), value="2024-02-14T08:00:00+07:00")
def test_fuzz_webhook_dates(secret, appealable, field, value):
    """Whatever date a platform sends: 202 with the date inside the window, or 400 naming the
    field. Never a 500 (the test client re-raises any exception a view lets escape)."""
    name, path = field
    # Each example in its own savepoint, rolled back: the fixtures' ids repeat, and a processed
    # event's flag keeps its raw event (PROTECT), so deleting between examples cannot work.
    with transaction.atomic():
        response = deliver(Client(), secret, _event_with(name, path, value, appealable))
        assert response.status_code in {202, 400}, response.content
        if response.status_code == 400:
            assert [e["field"] for e in response.json()["errors"]] == [".".join(path)]
        else:
            process()
        transaction.set_rollback(True)


@FUZZ
@given(param=st.sampled_from(["since", "until"]), value=date_strings)
def test_fuzz_audit_filters(kpu_supervisor, param, value):
    response = token_client(kpu_supervisor).get("/api/v1/audit-events/", {param: value})
    assert response.status_code in {200, 400}, response.content
