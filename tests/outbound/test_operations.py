"""The operators page: who may see it, what it shows, send again, re-enable a callback URL."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from moderation.choices import AuditAction, DeliveryStatus, Role
from moderation.errors import Conflict, NotPermitted
from moderation.models import AuditEvent, OutboundDelivery
from moderation.outbound.callbacks import delivery_enqueue
from moderation.outbound.operations import (
    delivery_resend,
    platform_callback_disable,
    platform_callback_enable,
)
from tests.factories import UserFactory
from tests.oversight.support import record_beat_start, record_run

pytestmark = pytest.mark.django_db


def deliveries(platform, n, status=DeliveryStatus.FAILED, **fields):
    rows = []
    for i in range(n):
        row = delivery_enqueue(
            platform=platform,
            event_type="decision.recorded",
            data={"decision_id": i},
            subject=f"decision:{i}",
        )
        rows.append(row)
    defaults = {"attempts": 32, "last_status_code": 500, "last_error": "HTTP 500: boom"}
    OutboundDelivery.objects.filter(pk__in=[r.pk for r in rows]).update(
        status=status, **{**defaults, **fields}
    )
    for row in rows:
        row.refresh_from_db()
    return rows


@pytest.fixture
def metube_supervisor(other_platform):
    return UserFactory(
        username="mira", organisation=other_platform.organisation, roles=[Role.SUPERVISOR]
    )


def page(slug="tiktok"):
    return reverse("operations_platform", args=[slug])


# --- Access ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args", "method"),
    [
        ("operations_callbacks", [], "get"),
        ("operations_platform", ["tiktok"], "get"),
        ("operations_resend", ["tiktok"], "post"),
        ("operations_callback_enable", ["tiktok"], "post"),
        ("operations_callback_disable", ["tiktok"], "post"),
    ],
)
def test_moderators_clarifiers_and_outsiders_are_refused(
    client, tiktok, moderator, kpu_clarifier, outsider, name, args, method
):
    for user in (moderator, kpu_clarifier, outsider):
        client.force_login(user)
        assert getattr(client, method)(reverse(name, args=args)).status_code == 403


def test_signed_out_visitors_are_sent_to_login(client, tiktok):
    response = client.get(reverse("operations_callbacks"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_platform_supervisor_sees_only_their_platform(
    client, tiktok, other_platform, supervisor, platform_admin
):
    client.force_login(supervisor)
    overview = client.get(reverse("operations_callbacks"))
    assert [s.platform.slug for s in overview.context["summaries"]] == ["tiktok"]
    assert client.get(page("metube")).status_code == 403
    assert client.post(reverse("operations_resend", args=["metube"])).status_code == 403

    client.force_login(platform_admin)
    overview = client.get(reverse("operations_callbacks"))
    assert [s.platform.slug for s in overview.context["summaries"]] == ["metube", "tiktok"]


def test_an_unknown_platform_is_not_found(client, platform_admin):
    client.force_login(platform_admin)
    assert client.get(page("nope")).status_code == 404


# --- What it shows --------------------------------------------------------------------------


def test_counts_by_status_oldest_waiting_and_failures_with_their_last_error(
    client, tiktok, supervisor
):
    deliveries(tiktok, 2, DeliveryStatus.FAILED, last_error="HTTP 502: Bad Gateway")
    deliveries(tiktok, 3, DeliveryStatus.DELIVERED)
    [waiting] = deliveries(tiktok, 1, DeliveryStatus.PENDING, attempts=4)
    OutboundDelivery.objects.filter(pk=waiting.pk).update(
        created_at=timezone.now() - timedelta(hours=2)
    )
    client.force_login(supervisor)

    overview = client.get(reverse("operations_callbacks"))
    [summary] = overview.context["summaries"]
    assert summary.counts == {"failed": 2, "delivered": 3, "pending": 1}
    assert summary.oldest_waiting_at < timezone.now() - timedelta(minutes=119)

    response = client.get(page())
    assert response.status_code == 200
    assert response.context["status"] == DeliveryStatus.FAILED
    assert response.text.count("HTTP 502: Bad Gateway") == 2
    assert "Kirim ulang yang dipilih" in response.text
    assert client.get(page() + "?status=bogus").status_code == 400


def test_the_platform_page_costs_the_same_queries_for_10_or_100_failures(
    client, tiktok, supervisor, django_assert_max_num_queries
):
    client.force_login(supervisor)
    deliveries(tiktok, 10)
    with django_assert_max_num_queries(15) as ten:
        client.get(page())
    deliveries(tiktok, 90)
    with django_assert_max_num_queries(len(ten.captured_queries)):
        response = client.get(page())
    assert len(response.context["page"].object_list) == 50


# --- Send again -----------------------------------------------------------------------------


def test_send_again_chosen_failures(
    client, tiktok, supervisor, private_redis, django_capture_on_commit_callbacks
):
    first, second, third = deliveries(tiktok, 3)
    [delivered] = deliveries(tiktok, 1, DeliveryStatus.DELIVERED)
    client.force_login(supervisor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("operations_resend", args=["tiktok"]),
            {"delivery": [first.pk, second.pk, delivered.pk]},
        )

    assert response.status_code == 302
    statuses = dict(OutboundDelivery.objects.values_list("pk", "status"))
    assert statuses[first.pk] == statuses[second.pk] == DeliveryStatus.PENDING
    assert statuses[third.pk] == DeliveryStatus.FAILED
    assert statuses[delivered.pk] == DeliveryStatus.DELIVERED  # never sent twice
    first.refresh_from_db()
    assert first.attempts == 0
    assert first.webhook_id == OutboundDelivery.objects.get(pk=first.pk).webhook_id
    assert AuditEvent.objects.filter(action=AuditAction.DELIVERY_RESEND).count() == 2
    assert private_redis.queue_length("callbacks") == 2


def test_send_again_all_failures(client, tiktok, platform_admin):
    deliveries(tiktok, 4)
    client.force_login(platform_admin)
    client.post(reverse("operations_resend", args=["tiktok"]), {"all": "1"})
    assert set(OutboundDelivery.objects.values_list("status", flat=True)) == {"pending"}


def test_send_again_refuses_bad_input(client, tiktok, supervisor):
    deliveries(tiktok, 1)
    client.force_login(supervisor)
    resend = reverse("operations_resend", args=["tiktok"])
    assert client.post(resend, {"delivery": ["abc"]}).status_code == 400
    response = client.post(resend, {}, follow=True)
    assert "Pilih minimal satu" in response.text
    assert set(OutboundDelivery.objects.values_list("status", flat=True)) == {"failed"}


def test_send_again_ignores_another_platforms_delivery(client, tiktok, other_platform, supervisor):
    [theirs] = deliveries(other_platform, 1)
    client.force_login(supervisor)
    client.post(reverse("operations_resend", args=["tiktok"]), {"delivery": [theirs.pk]})
    theirs.refresh_from_db()
    assert theirs.status == DeliveryStatus.FAILED


def test_send_again_waits_for_a_disabled_callback_to_be_on(tiktok, supervisor):
    [failed] = deliveries(tiktok, 1)
    tiktok.callback_enabled = False
    tiktok.save(update_fields=["callback_enabled"])
    with pytest.raises(Conflict):
        delivery_resend(deliveries=[failed], user=supervisor)


def test_send_again_service_checks_the_platform(tiktok, other_platform, metube_supervisor):
    [failed] = deliveries(tiktok, 1)
    with pytest.raises(NotPermitted):
        delivery_resend(deliveries=[failed], user=metube_supervisor)


# --- Turning the callback URL off and on ----------------------------------------------------


def test_re_enable_a_disabled_callback_resumes_paused_deliveries(
    client, tiktok, platform_admin, private_redis, django_capture_on_commit_callbacks
):
    deliveries(tiktok, 2, DeliveryStatus.PENDING, attempts=1)
    platform_callback_disable(platform=tiktok, user=None, reason="HTTP 410 Gone")
    assert set(OutboundDelivery.objects.values_list("status", flat=True)) == {"paused"}
    client.force_login(platform_admin)
    assert "HTTP 410 Gone" in client.get(page()).text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("operations_callback_enable", args=["tiktok"]))

    assert response.status_code == 302
    tiktok.refresh_from_db()
    assert tiktok.callback_enabled
    assert tiktok.callback_disabled_reason == ""
    assert set(OutboundDelivery.objects.values_list("status", flat=True)) == {"pending"}
    assert private_redis.queue_length("callbacks") == 2
    audit = AuditEvent.objects.get(action=AuditAction.PLATFORM_CALLBACK_ENABLE)
    assert audit.actor == platform_admin
    assert audit.after["resumed"] == 2


def test_enable_twice_changes_nothing_the_second_time(tiktok, platform_admin):
    platform_callback_disable(platform=tiktok, user=platform_admin, reason="maintenance")
    platform_callback_enable(platform=tiktok, user=platform_admin)
    platform_callback_enable(platform=tiktok, user=platform_admin)
    assert AuditEvent.objects.filter(action=AuditAction.PLATFORM_CALLBACK_ENABLE).count() == 1


def test_disable_by_hand_needs_a_reason(client, tiktok, supervisor):
    client.force_login(supervisor)
    disable = reverse("operations_callback_disable", args=["tiktok"])

    client.post(disable, {"reason": " "})
    tiktok.refresh_from_db()
    assert tiktok.callback_enabled

    client.post(disable, {"reason": "Platform migrasi server"})
    tiktok.refresh_from_db()
    assert not tiktok.callback_enabled
    assert tiktok.callback_disabled_reason == "Platform migrasi server"
    audit = AuditEvent.objects.get(action=AuditAction.PLATFORM_CALLBACK_DISABLE)
    assert audit.actor == supervisor


def test_deliveries_paused_while_the_platform_was_off_can_be_resumed(
    client, tiktok, platform_admin, django_capture_on_commit_callbacks
):
    deliveries(tiktok, 2, DeliveryStatus.PAUSED)
    client.force_login(platform_admin)
    assert "Kirim 2 pengiriman yang dijeda" in client.get(page()).text

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("operations_callback_enable", args=["tiktok"]))

    assert set(OutboundDelivery.objects.values_list("status", flat=True)) == {"pending"}
    audit = AuditEvent.objects.get(action=AuditAction.PLATFORM_CALLBACK_ENABLE)
    assert audit.before["callback_enabled"] is True
    assert audit.after["resumed"] == 2


def test_the_operations_page_shows_each_periodic_job_and_its_last_run(
    client, supervisor, job_records
):
    now = timezone.now()
    record_beat_start(now - timedelta(minutes=10))
    record_run("delivery-sweep", started_at=now - timedelta(seconds=5))
    client.force_login(supervisor)
    response = client.get(reverse("operations_callbacks"))
    page = response.content.decode()
    assert 'id="periodic-jobs"' in page
    assert "delivery-sweep" in page
    assert "audit-log-seal" in page
    sweep = next(j for j in response.context["periodic_jobs"].jobs if j.name == "delivery-sweep")
    assert sweep.last_run is not None
