"""`make run` on another port: the demo platform's callbacks and the printed links follow the
address actually served (seed_demo --base-url, fed from scripts/devserver.py --print-url)."""

import pytest
from django.core.management import CommandError, call_command

from moderation.choices import AuditAction
from moderation.models import AuditEvent, Platform

pytestmark = pytest.mark.django_db

SINK = "/dev/platform-sink/tiktok/"


def test_the_demo_callbacks_and_links_use_the_served_address(capsys):
    call_command("seed_demo", videos=30, base_url="http://127.0.0.1:8123")
    out = capsys.readouterr().out
    assert Platform.objects.get(slug="tiktok").callback_url == "http://127.0.0.1:8123" + SINK
    assert "Sign in at http://127.0.0.1:8123/" in out
    assert "webhook URL            : http://127.0.0.1:8123/api/v1/webhooks/tiktok/" in out
    assert "8000" not in out


def test_served_elsewhere_next_time_the_callbacks_follow_and_the_change_is_audited(capsys):
    call_command("seed_demo", videos=30, base_url="http://127.0.0.1:8123")
    call_command("seed_demo", videos=30, base_url="http://127.0.0.1:9001/")
    platform = Platform.objects.get(slug="tiktok")
    assert platform.callback_url == "http://127.0.0.1:9001" + SINK
    update = AuditEvent.objects.filter(action=AuditAction.PLATFORM_UPDATE).latest("id")
    assert update.before["callback_url"] == "http://127.0.0.1:8123" + SINK
    assert "Sign in at http://127.0.0.1:9001/" in capsys.readouterr().out


def test_a_callback_url_someone_set_by_hand_is_left_alone():
    call_command("seed_demo", videos=30, base_url="http://127.0.0.1:8123")
    Platform.objects.filter(slug="tiktok").update(callback_url="https://example.test/hooks")
    call_command("seed_demo", videos=30, base_url="http://127.0.0.1:9001")
    assert Platform.objects.get(slug="tiktok").callback_url == "https://example.test/hooks"


def test_without_base_url_it_is_public_base_url(settings, capsys):
    settings.SARING = {**settings.SARING, "PUBLIC_BASE_URL": "http://localhost:8200/"}
    call_command("seed_demo", videos=30)
    assert Platform.objects.get(slug="tiktok").callback_url == "http://localhost:8200" + SINK
    assert "Sign in at http://localhost:8200/" in capsys.readouterr().out


@pytest.mark.parametrize("base_url", ["", "127.0.0.1:8123", "ftp://127.0.0.1/", "http://"])
def test_a_bad_base_url_is_refused_with_one_clear_line(base_url):
    with pytest.raises(CommandError, match=r"^--base-url must be an http\(s\) URL"):
        call_command("seed_demo", videos=30, base_url=base_url)
    assert not Platform.objects.filter(slug="tiktok").exists()
