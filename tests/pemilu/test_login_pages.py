"""Issue 14 point 12: what a person reads when signing in goes wrong."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_wrong_password_reads_well_in_indonesian(client, moderator):
    response = client.post("/login/", {"username": "rina", "password": "salah"})
    body = response.content.decode()
    assert "Masukkan nama pengguna dan kata sandi yang benar." in body
    assert "nama pengguna nama pengguna" not in body


def test_a_wrong_password_reads_well_in_english(client, moderator, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post("/login/", {"username": "rina", "password": "wrong"})
    assert "Please enter a correct username and password." in response.content.decode()


def test_the_lockout_answer_is_a_page_that_says_when_to_try_again(client, moderator, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = client.post("/login/", {"username": "rina", "password": "salah"})
    assert response.status_code == 429
    body = response.content.decode()
    assert 'data-state="locked-out"' in body
    assert '<link rel="stylesheet"' in body  # the site's layout
    assert "Coba lagi setelah pukul" in body
    assert "WIB" in body
