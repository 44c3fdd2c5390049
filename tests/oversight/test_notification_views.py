"""The notification centre: bell, list, mark-as-read (plain and HTMX), preferences."""

import pytest
from django.urls import reverse
from django.utils import timezone

from moderation.choices import NotificationChannel, NotificationKind
from moderation.models import Notification, NotificationPreference
from moderation.review.cases import case_escalate_to_kpu
from moderation.review.claims import case_claim
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def notify(user, n=1, **fields):
    now = timezone.now()
    return Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind=fields.get("kind", NotificationKind.SLA_BREACHED),
            title=f"Kasus #{i} melewati tenggat SLA",
            body="Video 73 (TikTok).",
            created_at=now,
        )
        for i in range(n)
    )


def login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("name", "args", "method"),
    [
        ("notifications", [], "get"),
        ("notifications_bell", [], "get"),
        ("notification_preferences", [], "get"),
        ("notifications_read_all", [], "post"),
        ("notification_read", [1], "post"),
    ],
)
def test_signed_out_visitors_are_sent_to_login(client, name, args, method):
    response = getattr(client, method)(reverse(name, args=args))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize(
    "name", ["notifications", "notifications_bell", "notification_preferences"]
)
def test_an_account_without_a_role_is_refused(client, outsider, name):
    assert login(client, outsider).get(reverse(name)).status_code == 403


def test_the_list_shows_my_notifications_and_the_unread_count(client, moderator, supervisor):
    notify(moderator, 3)
    notify(supervisor, 2)

    response = login(client, moderator).get(reverse("notifications"))

    assert response.status_code == 200
    assert response.context["unread"] == 3
    assert len(response.context["items"]) == 3
    assert "Kasus #0 melewati tenggat SLA" in response.text


def test_the_list_costs_the_same_queries_for_10_or_100_rows(
    client, moderator, django_assert_max_num_queries
):
    login(client, moderator)
    notify(moderator, 10)
    with django_assert_max_num_queries(12) as ten:
        client.get(reverse("notifications"))
    notify(moderator, 90)
    with django_assert_max_num_queries(len(ten.captured_queries)):
        response = client.get(reverse("notifications"))
    assert len(response.context["items"]) == 50  # one page


def test_marking_one_as_read(client, moderator):
    first, second = notify(moderator, 2)
    login(client, moderator)

    response = client.post(reverse("notification_read", args=[first.pk]), {"next": "/x/"})

    assert response.status_code == 302
    assert response["Location"] == "/x/"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None


def test_marking_as_read_with_htmx_returns_the_row_and_the_bell(client, moderator):
    [notification] = notify(moderator, 1)
    login(client, moderator)

    response = client.post(
        reverse("notification_read", args=[notification.pk]), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert f'id="notification-{notification.pk}"' in response.text
    assert 'id="notification-bell"' in response.text
    assert 'hx-swap-oob="true"' in response.text
    assert "Tandai sudah dibaca" not in response.text


def test_someone_elses_notification_is_not_found(client, moderator, supervisor):
    [theirs] = notify(supervisor, 1)
    response = login(client, moderator).post(reverse("notification_read", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_as_read_needs_a_post(client, moderator):
    [notification] = notify(moderator, 1)
    response = login(client, moderator).get(reverse("notification_read", args=[notification.pk]))
    assert response.status_code == 405


def test_mark_all_as_read(client, moderator, supervisor):
    notify(moderator, 4)
    notify(supervisor, 1)
    response = login(client, moderator).post(reverse("notifications_read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=moderator, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=supervisor, read_at__isnull=True).count() == 1


def test_the_bell_shows_the_unread_count(client, moderator):
    notify(moderator, 7)
    response = login(client, moderator).get(reverse("notifications_bell"))
    assert response.status_code == 200
    assert 'class="notification-count"' in response.text
    assert ">7</span>" in response.text
    assert reverse("notifications") in response.text


def test_the_bell_include_renders_for_a_signed_in_page(rf, moderator):
    from django.template.loader import render_to_string

    notify(moderator, 120)
    request = rf.get("/")
    request.user = moderator
    html = render_to_string(
        "moderation/notifications/_bell.html", {"user": moderator}, request=request
    )
    assert "99+" in html


def test_preferences_show_my_kinds_and_save_a_choice(client, supervisor):
    login(client, supervisor)
    page = client.get(reverse("notification_preferences"))
    kinds = [row[0] for row in page.context["rows"]]
    assert kinds == [
        NotificationKind.DECISION_AWAITING_APPROVAL,
        NotificationKind.SLA_WARNING,
        NotificationKind.SLA_BREACHED,
        NotificationKind.APPEAL_RECEIVED,
        NotificationKind.DECISION_APPROVED,
        NotificationKind.DECISION_REJECTED,
        NotificationKind.ESCALATION_ANSWERED,
    ]

    response = client.post(
        reverse("notification_preferences"),
        {f"channel_{NotificationKind.SLA_BREACHED}": NotificationChannel.DAILY_DIGEST},
    )

    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=supervisor)
    assert (preference.kind, preference.channel) == (
        NotificationKind.SLA_BREACHED,
        NotificationChannel.DAILY_DIGEST,
    )


def test_preferences_refuse_an_unknown_channel(client, supervisor):
    response = login(client, supervisor).post(
        reverse("notification_preferences"),
        {f"channel_{NotificationKind.SLA_BREACHED}": "pigeon"},
    )
    assert response.status_code == 400
    assert not NotificationPreference.objects.exists()


def _routed_to_kpu(tiktok, moderator, kpu_clarifier):
    case = CaseFactory(video__platform=tiktok)
    case_escalate_to_kpu(
        case=case_claim(case=case, user=moderator), user=moderator, note="Perlu data KPU"
    )
    return Notification.objects.get(recipient=kpu_clarifier), case


@pytest.mark.parametrize(
    ("language", "title", "note"),
    [
        (None, "Kasus #{case} menunggu klarifikasi KPU", "Catatan: Perlu data KPU"),
        ("id", "Kasus #{case} menunggu klarifikasi KPU", "Catatan: Perlu data KPU"),
        ("en", "Case #{case} awaits KPU clarification", "Note: Perlu data KPU"),
    ],
)
def test_a_notification_reads_in_the_readers_language(
    client, settings, tiktok, moderator, kpu_clarifier, language, title, note
):
    """The text is rendered from its kind and values when read; the stored title stays
    Indonesian. What the moderator typed is quoted as typed."""
    notification, case = _routed_to_kpu(tiktok, moderator, kpu_clarifier)
    assert notification.title == f"Kasus #{case.pk} menunggu klarifikasi KPU"
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = login(client, kpu_clarifier).get(reverse("notifications"))

    assert title.format(case=case.pk) in response.text
    assert note in response.text


def test_a_notification_without_values_shows_its_stored_text_in_any_language(
    client, settings, moderator
):
    """Rows written before notifications kept their values."""
    notify(moderator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = login(client, moderator).get(reverse("notifications"))
    assert "Kasus #0 melewati tenggat SLA" in response.text


def test_switching_language_signed_in_is_remembered_for_emails(client, settings, moderator):
    response = login(client, moderator).post(
        reverse("set_language"), {"language": "en", "next": reverse("notifications")}
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    moderator.refresh_from_db()
    assert moderator.language == "en"


def test_switching_language_signed_out_sets_only_the_cookie(client, settings):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_an_unknown_language_changes_nothing(client, moderator):
    response = login(client, moderator).post(reverse("set_language"), {"language": "xx"})
    assert response.status_code == 302
    moderator.refresh_from_db()
    assert moderator.language == ""


def test_the_language_switch_needs_a_post(client):
    assert client.get(reverse("set_language")).status_code == 405
