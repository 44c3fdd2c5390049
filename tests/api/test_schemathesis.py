"""schemathesis against our OpenAPI schema (issue 12), bounded in time: every operation, a few
generated requests each, as an administrator and as a moderator. No answer may be a server
error, and every answer must match the schema (status documented, content type, body shape,
nullable fields declared, enums complete, formats true, every status documented).

Not checked, on purpose: ``negative_data_rejection`` (input outside the schema must be refused:
we are lenient where DRF is, e.g. a page_size of 0 or over the maximum is served at the default
or the maximum) and ``positive_data_acceptance`` (schema-valid input must be accepted: Django's
URLValidator is stricter than JSON Schema's ``uri``, e.g. a 300-character host name). Both
answer a 4xx problem, never a 5xx; what the schema says about inputs was tightened where it
could be (pages from 1, text with a visible character, JSON request bodies).

The schema is the one /api/schema/ serves (drf-spectacular's generator, built once here); the
requests go to the WSGI app in this process, on the test database, with a DRF token.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from tests.factories import PublishedClarificationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

schema = schemathesis.openapi.from_dict(
    SchemaGenerator().get_schema(request=None, public=True)  # type: ignore[arg-type]
)
schema.app = get_wsgi_application()
# Text never carries NUL: PostgreSQL cannot store it and DRF refuses it (400) by design.
schema.config.generation.update(allow_x00=False)

BOUNDED = settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def _connection_kept_open():
    """As Django's test client does: a request's end must not close the test's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(_connection_kept_open, make_case, moderator, kpu_clarifier):
    for priority in (80, 40):
        make_case(priority=priority)
    PublishedClarificationFactory(author=kpu_clarifier)


@pytest.mark.parametrize("persona", ["platform_admin", "moderator"])
@schema.parametrize()
@BOUNDED
def test_api_answers_match_the_schema(case, persona, request, world):
    user = request.getfixturevalue(persona)
    token, _ = Token.objects.get_or_create(user=user)
    case.call_and_validate(
        headers={"Authorization": f"Token {token.key}"},
        excluded_checks=[negative_data_rejection, positive_data_acceptance],
    )
