"""Reads for the operators page: delivery counts per platform, the oldest waiting, failures."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Min, QuerySet

from moderation.choices import DeliveryStatus
from moderation.models import OutboundDelivery, Platform

WAITING_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


@dataclass
class PlatformDeliverySummary:
    platform: Platform
    counts: dict[str, int] = field(default_factory=dict)
    oldest_waiting_at: datetime | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)

    @property
    def status_counts(self) -> list[tuple[str, str, int]]:
        """(status, label, count) for every status, in the choices' order."""
        return [(value, str(label), self.count(value)) for value, label in DeliveryStatus.choices]


def platform_delivery_summaries(platforms: QuerySet[Platform]) -> list[PlatformDeliverySummary]:
    """Counts by status and the oldest waiting delivery, per platform, in two queries."""
    summaries = {p.pk: PlatformDeliverySummary(platform=p) for p in platforms.order_by("slug")}
    rows = (
        OutboundDelivery.objects.filter(platform_id__in=summaries)
        .values("platform_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        summaries[row["platform_id"]].counts[row["status"]] = row["n"]
    oldest = (
        OutboundDelivery.objects.filter(platform_id__in=summaries, status__in=WAITING_STATUSES)
        .values("platform_id")
        .annotate(oldest=Min("created_at"))
        .order_by()
    )
    for waiting in oldest:
        summaries[waiting["platform_id"]].oldest_waiting_at = waiting["oldest"]
    return list(summaries.values())


def platform_deliveries(platform: Platform, *, status: str) -> QuerySet[OutboundDelivery]:
    rows = OutboundDelivery.objects.filter(platform=platform, status=status)
    if status in WAITING_STATUSES or status == DeliveryStatus.PAUSED:
        return rows.order_by("created_at", "pk")
    return rows.order_by("-created_at", "-pk")
