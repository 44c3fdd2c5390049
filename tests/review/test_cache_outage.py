"""Redis (the cache) down or restarting: moderators keep deciding and supervisors keep reading
the queues. Found by the shift (bench/shift, "Redis stopped for a minute"): every decision
and every queues page answered 500 because the tuning values and the queue counts are cached.

The outage is real: the cache points at a port where nothing listens."""

import pytest

from moderation.choices import CaseStatus
from moderation.models import Case
from moderation.review.claims import case_claim
from tests.clients import signed_in, token_client

CLOSED_PORT = 1  # nothing listens on 127.0.0.1:1

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{CLOSED_PORT}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    settings.SARING = {**settings.SARING, "QUEUE_OVERVIEW_CACHE_SECONDS": 15}


def test_a_decision_is_recorded_with_the_cache_down(cache_down, moderator, make_case):
    case = case_claim(case=make_case(), user=moderator)
    response = token_client(moderator).post(
        f"/api/v1/cases/{case.pk}/decisions/",
        {
            "action": "remove",  # asks whether it needs approval: the cached tuning values
            "ground": "community_guidelines",
            "category": "hoax",
            "statement_of_reasons": "Hoaks tentang jadwal pemungutan suara.",
            "version": case.version,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DECIDED


def test_the_queues_page_counts_without_the_cache(cache_down, supervisor, make_case):
    make_case()
    response = signed_in(supervisor).get("/queues/")
    assert response.status_code == 200
