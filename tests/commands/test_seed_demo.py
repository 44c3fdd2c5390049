import pytest
from django.core.management import CommandError, call_command

from moderation.choices import CaseStatus, FlagSource, Reason, Role
from moderation.models import Appeal, Case, Clarification, Decision, Flag, Platform, User, Video

pytestmark = pytest.mark.django_db


def test_seed_demo_is_complete_and_idempotent(capsys, settings):
    call_command("seed_demo", videos=60)
    out = capsys.readouterr().out
    for username in ("moderator", "klarifikator", "penyetuju", "supervisor", "admin"):
        assert username in out
        assert User.objects.get(username=username).check_password("Saring-demo-2024")
    assert "whsec_" in out
    for role in Role.values:
        assert User.objects.filter(groups__name=role).exists()
    assert Platform.objects.get(slug="tiktok").secrets.exists()
    assert set(Flag.objects.values_list("reason", flat=True)) == set(Reason.values)
    assert set(Flag.objects.values_list("source", flat=True)) == set(FlagSource.values)
    assert Clarification.objects.filter(status="published").exists()
    assert Decision.objects.exists()
    assert Appeal.objects.count() == 1
    assert Case.objects.filter(status=CaseStatus.AWAITING_CLARIFICATION).exists()
    counts = (
        Video.objects.count(),
        Flag.objects.count(),
        Case.objects.count(),
        Decision.objects.count(),
        Clarification.objects.count(),
    )

    call_command("seed_demo", videos=60)
    assert (
        Video.objects.count(),
        Flag.objects.count(),
        Case.objects.count(),
        Decision.objects.count(),
        Clarification.objects.count(),
    ) == counts


def test_seed_demo_refuses_production(settings):
    settings.SARING_ENV = "production"
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo")


def test_seed_demo_refuses_silly_sizes():
    with pytest.raises(CommandError, match="--videos"):
        call_command("seed_demo", videos=0)
