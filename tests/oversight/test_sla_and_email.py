"""SLA warnings and breaches (once per case per threshold), grouped email through the email
outbox, and the 08:00 WIB digest."""

from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.core import mail
from django.utils import timezone

from moderation.choices import (
    CaseStatus,
    EmailKind,
    EmailStatus,
    NotificationChannel,
    NotificationEmailState,
    NotificationKind,
    Role,
)
from moderation.models import Case, EmailDelivery, Notification, Video
from moderation.outbound.emails import (
    email_delivery_send,
    notification_digest_send,
    notification_emails_flush,
)
from moderation.oversight.notifications import notification_preference_set
from moderation.oversight.sla import notifications_sla_scan
from pemilu.celery import app
from tests.factories import CaseFactory, UserFactory
from tests.outbound.support import free_port

pytestmark = pytest.mark.django_db


def kinds(case):
    return sorted(Notification.objects.filter(case=case).values_list("kind", flat=True))


def send_all_emails():
    return [
        email_delivery_send(email_id=pk)
        for pk in EmailDelivery.objects.values_list("pk", flat=True)
    ]


def test_a_case_near_its_sla_warns_its_assignee_and_supervisors_once(
    tiktok, moderator, supervisor, platform_admin
):
    now = timezone.now()
    case = CaseFactory(
        video__platform=tiktok,
        status=CaseStatus.IN_REVIEW,
        assignee=moderator,
        lease_expires_at=now + timedelta(minutes=10),
        due_at=now + timedelta(minutes=10),
    )
    CaseFactory(video__platform=tiktok, due_at=now + timedelta(minutes=20))  # not yet

    notifications_sla_scan(now=now)
    notifications_sla_scan(now=now + timedelta(minutes=1))

    warned = Notification.objects.filter(kind=NotificationKind.SLA_WARNING)
    assert set(warned.values_list("recipient__username", flat=True)) == {"rina", "dewi"}
    assert set(warned.values_list("case", flat=True)) == {case.pk}


def test_a_breach_is_told_once_more_after_the_warning(tiktok, supervisor):
    now = timezone.now()
    case = CaseFactory(video__platform=tiktok, due_at=now + timedelta(minutes=5))

    notifications_sla_scan(now=now)
    notifications_sla_scan(now=now + timedelta(minutes=6))
    notifications_sla_scan(now=now + timedelta(minutes=7))

    assert kinds(case) == [NotificationKind.SLA_BREACHED, NotificationKind.SLA_WARNING]


def test_a_case_first_seen_past_its_sla_gets_only_the_breach(tiktok, supervisor):
    now = timezone.now()
    case = CaseFactory(video__platform=tiktok, due_at=now - timedelta(minutes=1))
    notifications_sla_scan(now=now)
    assert kinds(case) == [NotificationKind.SLA_BREACHED]


def test_decided_and_closed_cases_have_no_sla(tiktok, supervisor):
    now = timezone.now()
    for status in (CaseStatus.DECIDED, CaseStatus.CLOSED):
        CaseFactory(video__platform=tiktok, status=status, due_at=now - timedelta(hours=1))
    notifications_sla_scan(now=now)
    assert not Notification.objects.exists()


def make_breached_cases(platform, n, assignee):
    now = timezone.now()
    videos = Video.objects.bulk_create(
        Video(platform=platform, platform_video_id=f"burst{i:05d}", url="https://t.co/v")
        for i in range(n)
    )
    return Case.objects.bulk_create(
        Case(
            platform=platform,
            video=video,
            status=CaseStatus.IN_REVIEW,
            assignee=assignee,
            lease_expires_at=now + timedelta(minutes=10),
            reasons=["hoax"],
            opened_at=now - timedelta(hours=3),
            due_at=now - timedelta(minutes=1),
        )
        for video in videos
    )


def test_a_burst_of_500_breaches_is_one_email_per_user(
    tiktok, moderator, supervisor, kpu, private_redis
):
    kpu_supervisor = UserFactory(username="kusuma", organisation=kpu, roles=[Role.SUPERVISOR])
    for user in (moderator, supervisor, kpu_supervisor):
        notification_preference_set(
            user=user, kind=NotificationKind.SLA_BREACHED, channel=NotificationChannel.EMAIL_NOW
        )
    make_breached_cases(tiktok, 500, assignee=moderator)

    notifications_sla_scan()
    assert Notification.objects.filter(kind=NotificationKind.SLA_BREACHED).count() == 1500

    assert notification_emails_flush() == 3  # three emails published to the email queue
    assert private_redis.queue_length("email") == 3
    assert private_redis.queue_length("callbacks") == 0
    assert send_all_emails() == ["sent"] * 3

    assert sorted(m.to[0] for m in mail.outbox) == [
        "dewi@example.org",
        "kusuma@example.org",
        "rina@example.org",
    ]
    message = mail.outbox[0]
    assert message.subject == "[Saring] 500 notifikasi baru"
    assert "Kasus melewati tenggat SLA (500)" in message.body
    assert "dan 480 lainnya" in message.body
    assert not Notification.objects.filter(email_state=NotificationEmailState.WAITING).exists()

    # The next cycle and a duplicate message send nothing more.
    assert notification_emails_flush() == 0
    assert send_all_emails() == ["skipped"] * 3
    assert len(mail.outbox) == 3


def test_in_app_only_users_get_no_email(tiktok, moderator, supervisor):
    make_breached_cases(tiktok, 3, assignee=moderator)
    notifications_sla_scan()
    notification_emails_flush()
    assert not EmailDelivery.objects.exists()


def test_the_daily_digest_is_one_email_per_user_with_everything_since_yesterday(
    tiktok, moderator, supervisor
):
    for user in (moderator, supervisor):
        notification_preference_set(
            user=user,
            kind=NotificationKind.SLA_BREACHED,
            channel=NotificationChannel.DAILY_DIGEST,
        )
    make_breached_cases(tiktok, 7, assignee=moderator)
    notifications_sla_scan()

    assert notification_emails_flush() == 0  # the digest waits for 08:00
    assert notification_digest_send() == 2
    assert notification_digest_send() == 0  # running twice sends nothing twice
    send_all_emails()

    assert len(mail.outbox) == 2
    assert all("Ringkasan harian" in m.subject for m in mail.outbox)
    assert all("(7)" in m.body for m in mail.outbox)
    assert set(EmailDelivery.objects.values_list("kind", flat=True)) == {EmailKind.DIGEST}


def test_the_digest_is_scheduled_at_0800_wib():
    entry = app.conf.beat_schedule["notification-digest-send"]
    assert entry["schedule"] == crontab(hour=8, minute=0)
    assert app.conf.timezone == "Asia/Jakarta"


def test_an_unreachable_mail_server_is_retried_then_failed(tiktok, moderator, settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    notification_preference_set(
        user=moderator, kind=NotificationKind.SLA_BREACHED, channel=NotificationChannel.EMAIL_NOW
    )
    make_breached_cases(tiktok, 1, assignee=moderator)
    notifications_sla_scan()
    notification_emails_flush()
    email = EmailDelivery.objects.get()

    assert email_delivery_send(email_id=email.pk) == "retry"
    email.refresh_from_db()
    assert email.status == EmailStatus.PENDING
    assert email.next_attempt_at > timezone.now()
    assert "Connection" in email.last_error or "refused" in email.last_error

    EmailDelivery.objects.filter(pk=email.pk).update(attempts=7, next_attempt_at=timezone.now())
    assert email_delivery_send(email_id=email.pk) == "failed"


def test_an_email_is_written_in_the_language_its_reader_chose(tiktok, moderator, supervisor):
    """Rina switched the header to English; Dewi did not. One breach each, e-mailed now."""
    moderator.language = "en"
    moderator.save(update_fields=["language"])
    for user in (moderator, supervisor):
        notification_preference_set(
            user=user, kind=NotificationKind.SLA_BREACHED, channel=NotificationChannel.EMAIL_NOW
        )
    make_breached_cases(tiktok, 1, assignee=moderator)
    notifications_sla_scan()
    notification_emails_flush()
    send_all_emails()

    by_address = {m.to[0]: m for m in mail.outbox}
    english, indonesian = by_address["rina@example.org"], by_address["dewi@example.org"]
    assert "is past its SLA deadline" in english.subject
    assert english.body.startswith("Hello ")
    assert "Case past its SLA deadline (1)" in english.body
    assert "melewati tenggat SLA" in indonesian.subject
    assert indonesian.body.startswith("Halo ")
