"""Contract §4 audit search: GET /api/v1/audit-events/?actor=&action=&since=&until=&case="""

from datetime import timedelta

import pytest
from django.utils import timezone

from moderation.review.claims import case_claim, case_release
from tests.api.test_cases_api import assert_problem

pytestmark = pytest.mark.django_db


def test_supervisor_searches_the_audit_log(api, supervisor, moderator, make_case):
    case = make_case()
    other = make_case()
    case_claim(case=case, user=moderator)
    case_release(case=case, user=moderator)
    case_claim(case=other, user=supervisor)
    client = api(supervisor)

    def actions(query):
        return [e["action"] for e in client.get(f"/api/v1/audit-events/?{query}").json()["results"]]

    assert actions(f"case={case.pk}") == ["case.release", "case.claim"]
    assert actions("actor=rina") == ["case.release", "case.claim"]
    assert actions(f"actor={supervisor.pk}") == ["case.claim"]
    assert actions("action=case.release") == ["case.release"]
    soon = (timezone.now() + timedelta(minutes=1)).isoformat()
    assert actions(f"since={soon.replace('+', '%2B')}") == []
    assert len(actions(f"until={soon.replace('+', '%2B')}")) == 3
    event = client.get(f"/api/v1/audit-events/?case={case.pk}").json()["results"][0]
    assert event["actor"] == "rina"
    assert event["before"]["assignee"] == moderator.pk


def test_audit_bad_input(api, supervisor):
    client = api(supervisor)
    for query in ("since=yesterday", "action=case.explode", "case=abc", "until=2024-13-40"):
        assert_problem(client.get(f"/api/v1/audit-events/?{query}"), 400)


def test_audit_refused_to_moderators_kpu_and_outsiders(api, moderator, kpu_clarifier, outsider):
    for user in (moderator, kpu_clarifier, outsider):
        assert_problem(api(user).get("/api/v1/audit-events/"), 403)


def test_audit_query_count_does_not_grow(
    api, supervisor, moderator, make_case, django_assert_max_num_queries
):
    client = api(supervisor)
    case_claim(case=make_case(), user=moderator)
    client.get("/api/v1/audit-events/")
    with django_assert_max_num_queries(8) as few:
        client.get("/api/v1/audit-events/")
    for _ in range(15):
        case_claim(case=make_case(), user=moderator)
    with django_assert_max_num_queries(len(few)):
        client.get("/api/v1/audit-events/?page_size=100")
