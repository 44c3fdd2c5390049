"""The thumbnail proxy against a real local HTTP server (pytest-httpserver): the image comes
through our own URL, for those who may read the case, within a size cap, a type check and a
timeout; failures are problem+json."""

import time
import uuid

import pytest
from werkzeug import Response

from moderation.choices import Role
from moderation.models import Video
from tests.clients import signed_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


@pytest.fixture
def thumb_case(make_case, httpserver):
    """A case whose video's thumbnail lives at a fresh path on the local server."""

    def make(path_suffix=".jpg"):
        case = make_case()
        path = f"/thumbs/{uuid.uuid4().hex}{path_suffix}"
        Video.objects.filter(pk=case.video_id).update(thumbnail_url=httpserver.url_for(path))
        case.video.refresh_from_db()
        return case, path

    return make


def test_the_thumbnail_comes_through_our_proxy_and_is_cached(moderator, thumb_case, httpserver):
    case, path = thumb_case()
    httpserver.expect_oneshot_request(path).respond_with_data(JPEG, content_type="image/jpeg")
    client = signed_in(moderator)
    response = client.get(f"/cases/{case.pk}/thumbnail/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response.content == JPEG
    assert response["Cache-Control"].startswith("private")
    # The second view is served from the cache: the one-shot upstream answer is used up.
    again = client.get(f"/cases/{case.pk}/thumbnail/")
    assert (again.status_code, again.content) == (200, JPEG)
    assert fetches(httpserver, path) == 1
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'src="/cases/{case.pk}/thumbnail/"' in page
    assert httpserver.url_for(path) not in page  # the browser never asks the platform itself
    assert "blurred" in page
    assert "data-reveal-thumb" in page


def test_png_is_accepted(moderator, thumb_case, httpserver):
    case, path = thumb_case(".png")
    httpserver.expect_request(path).respond_with_data(PNG, content_type="image/png")
    response = signed_in(moderator).get(f"/cases/{case.pk}/thumbnail/")
    assert (response.status_code, response["Content-Type"]) == (200, "image/png")


def fetches(httpserver, path):
    """How many times this test's path was asked for (the server's log spans the session)."""
    return sum(1 for request, _response in httpserver.log if request.path == path)


def _problem(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def test_too_large_by_its_length(moderator, thumb_case, httpserver, settings):
    settings.SARING = {**settings.SARING, "THUMBNAIL_MAX_BYTES": 100}
    case, path = thumb_case()
    httpserver.expect_request(path).respond_with_data(JPEG, content_type="image/jpeg")
    body = _problem(signed_in(moderator).get(f"/cases/{case.pk}/thumbnail/"), 502)
    assert body["type"] == "/problems/upstream-unavailable"
    assert "terlalu besar" in body["detail"]


def test_too_large_while_streaming_without_a_length(moderator, thumb_case, httpserver, settings):
    settings.SARING = {**settings.SARING, "THUMBNAIL_MAX_BYTES": 1000}

    def endless(request):
        def chunks():
            yield b"\xff\xd8\xff"
            for _ in range(100):
                yield b"\x00" * 100

        return Response(chunks(), content_type="image/jpeg")  # chunked: no Content-Length

    case, path = thumb_case()
    httpserver.expect_request(path).respond_with_handler(endless)
    body = _problem(signed_in(moderator).get(f"/cases/{case.pk}/thumbnail/"), 502)
    assert "terlalu besar" in body["detail"]


def test_wrong_type_is_refused(moderator, thumb_case, httpserver):
    case, path = thumb_case()
    httpserver.expect_request(path).respond_with_data("<html>hi</html>", content_type="text/html")
    body = _problem(signed_in(moderator).get(f"/cases/{case.pk}/thumbnail/"), 502)
    assert "JPEG, PNG atau WebP" in body["detail"]


def test_an_image_type_over_other_bytes_is_refused(moderator, thumb_case, httpserver):
    case, path = thumb_case()
    httpserver.expect_request(path).respond_with_data(b"<svg onload=x>", content_type="image/png")
    _problem(signed_in(moderator).get(f"/cases/{case.pk}/thumbnail/"), 502)


def test_a_slow_platform_times_out(moderator, thumb_case, httpserver, settings):
    settings.SARING = {**settings.SARING, "THUMBNAIL_TIMEOUT_SECONDS": 0.3}

    def slow(request):
        time.sleep(1.0)
        return Response(JPEG, content_type="image/jpeg")

    case, path = thumb_case()
    httpserver.expect_request(path).respond_with_handler(slow)
    started = time.monotonic()
    body = _problem(signed_in(moderator).get(f"/cases/{case.pk}/thumbnail/"), 502)
    assert time.monotonic() - started < 1.0
    assert "tepat waktu" in body["detail"]


def test_an_upstream_error_is_a_502_and_is_remembered_briefly(moderator, thumb_case, httpserver):
    case, path = thumb_case()
    httpserver.expect_request(path).respond_with_data("gone", status=404)
    client = signed_in(moderator)
    _problem(client.get(f"/cases/{case.pk}/thumbnail/"), 502)
    _problem(client.get(f"/cases/{case.pk}/thumbnail/"), 502)
    assert fetches(httpserver, path) == 1


def test_no_thumbnail_is_a_404_problem(moderator, make_case):
    case = make_case()  # thumbnail_url=""
    body = _problem(signed_in(moderator).get(f"/cases/{case.pk}/thumbnail/"), 404)
    assert body["status"] == 404


def test_private_hosts_are_refused_in_production(moderator, thumb_case, httpserver, settings):
    settings.SARING = {**settings.SARING, "THUMBNAIL_ALLOW_PRIVATE_HOSTS": False}
    case, path = thumb_case()
    httpserver.expect_request(path).respond_with_data(JPEG, content_type="image/jpeg")
    _problem(signed_in(moderator).get(f"/cases/{case.pk}/thumbnail/"), 502)
    assert fetches(httpserver, path) == 0


def test_only_those_who_may_read_the_case(outsider, other_platform, thumb_case, httpserver):
    case, path = thumb_case()
    httpserver.expect_request(path).respond_with_data(JPEG, content_type="image/jpeg")
    assert signed_in(outsider).get(f"/cases/{case.pk}/thumbnail/").status_code == 403
    elsewhere = UserFactory(
        username="meta-mod",
        organisation=other_platform.organisation,
        roles=[Role.PLATFORM_MODERATOR],
    )
    assert signed_in(elsewhere).get(f"/cases/{case.pk}/thumbnail/").status_code in (403, 404)
    assert fetches(httpserver, path) == 0
