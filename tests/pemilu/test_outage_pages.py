"""PostgreSQL unreachable (a restart, a fail-over): the workspace shows a "try again" page and
the API a problem+json, both 503 with Retry-After, never the 500 page. Found by the shift
(bench/shift): during a PostgreSQL restart every page answered 500.

The outage is real: the connection points at a port where nothing listens."""

from contextlib import contextmanager

import pytest
from django.db import connection

from tests.clients import signed_in, token_client

CLOSED_PORT = "1"  # nothing listens on 127.0.0.1:1


@contextmanager
def database_down():
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["PORT"] = CLOSED_PORT
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.mark.django_db(transaction=True)
def test_a_workspace_page_says_try_again_when_the_database_is_down(moderator):
    client = signed_in(moderator)
    client.raise_request_exception = False
    with database_down():
        response = client.get("/queues/")

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    page = response.content.decode()
    assert "Coba lagi" in page
    assert "try again" in page.lower()
    # Once the database is back, the same page works.
    assert client.get("/queues/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_503_problem_when_the_database_is_down(moderator):
    client = token_client(moderator)
    client.raise_request_exception = False
    with database_down():
        response = client.get("/api/v1/cases/")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert int(response["Retry-After"]) > 0
    assert response.json()["status"] == 503
    assert client.get("/api/v1/cases/").status_code == 200


@pytest.mark.django_db
def test_any_other_error_is_still_the_500_page(rf):
    from moderation.web import server_error

    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(rf.get("/queues/"))
    assert response.status_code == 500
