import pytest

from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def test_repeated_wrong_passwords_lock_the_account_out(client, moderator, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/login/", {"username": "rina", "password": "wrong-password"})
        assert response.status_code in (200, 429)
    # Even the right password is refused while locked out.
    response = client.post("/login/", {"username": "rina", "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_right_password_signs_in(client, moderator):
    response = client.post("/login/", {"username": "rina", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(moderator.pk)


def test_production_settings_are_safe_by_default():
    import subprocess
    import sys

    code = (
        "import os; os.environ['SARING_ENV']='production'; os.environ.pop('DEBUG', None);"
        "os.environ['SECRET_KEY']='x'*60;"
        "import django; from django.conf import settings; django.setup();"
        "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE,"
        " settings.SECURE_SSL_REDIRECT, settings.ALLOWED_HOSTS)"
    )
    env = {
        k: v
        for k, v in __import__("os").environ.items()
        if k not in ("DEBUG", "SARING_ENV", "ALLOWED_HOSTS")
    }
    env["DJANGO_SETTINGS_MODULE"] = "pemilu.settings"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == "False True True True []"


def test_production_without_a_secret_key_refuses_to_serve():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SARING_ENV")}
    env["SARING_ENV"] = "production"
    env["DJANGO_SETTINGS_MODULE"] = "pemilu.settings"
    out = subprocess.run(
        [sys.executable, "-c", "import pemilu.wsgi"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert out.returncode != 0
    assert "SECRET_KEY" in out.stderr


def test_admin_asks_for_a_one_time_password_in_production():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("SARING_ENV", "DEBUG")}
    env.update(
        SARING_ENV="production", SECRET_KEY="x" * 60, DJANGO_SETTINGS_MODULE="pemilu.settings"
    )
    code = (
        "import django; django.setup(); import pemilu.urls;"
        "from django.contrib import admin; from django_otp.admin import OTPAdminSite;"
        "print(isinstance(admin.site._wrapped, OTPAdminSite))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == "True"


def test_migrations_can_be_checked_without_a_secret_key():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SARING_ENV")}
    env["DJANGO_SETTINGS_MODULE"] = "pemilu.settings"
    out = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert out.returncode == 0, out.stderr
