"""Queue reads: the queues a user sees, the overview, one queue's page of cases and its live
count. Every read goes through ``permissions.cases_listable_q(user)``, so a moderator only
ever sees their own platform's cases and KPU staff only the cases awaiting clarification,
whatever the queue says."""

import contextlib
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Min, Q, QuerySet
from django.utils import timezone

from moderation.choices import OPEN_CASE_STATUSES, Reason
from moderation.errors import NotFound, NotPermitted
from moderation.models import Case, Queue, User
from moderation.permissions import (
    can_claim_from_queues,
    can_see_queue,
    cases_listable_q,
    cases_workable_q,
    is_kpu,
    is_moderator,
    is_staff_member,
    is_supervisor,
    lease_expired_q,
    platform_ids_of,
    platform_scope,
    statuses_stored_for,
    unclaimed_q,
)
from moderation.policy import CACHE_ERRORS, tuning_values
from moderation.review.queue_filters import _platform_ids, queue_filter_q, queue_is_claimable

# The live count and the list's total stop counting here: "1,000+" is enough to plan a shift,
# and counting every open case on each poll is not (bench/results/queue.md).
COUNT_CAP = 1_000


PER_PAGE_CHOICES = (25, 50, 100)


# Each order is an index walk over the open cases (Case.Meta.indexes "case_open_by_*").
SORTS: dict[str, tuple[Any, ...]] = {
    "priority": ("-priority", "opened_at", "pk"),
    "oldest": ("opened_at", "pk"),
    "due": (F("due_at").asc(nulls_last=True), "pk"),
}


def queues_for_user(user: User) -> list[Queue]:
    if not is_staff_member(user):
        raise NotPermitted()
    return [q for q in Queue.objects.order_by("position", "name") if can_see_queue(user, q)]


def queue_for_user(*, user: User, slug: str) -> Queue:
    if not is_staff_member(user):
        raise NotPermitted()
    queue = Queue.objects.filter(slug=slug).first()
    if queue is None:
        raise NotFound()
    if not can_see_queue(user, queue):
        raise NotPermitted()
    return queue


@dataclass(frozen=True)
class QueueListParams:
    """What the queue page's filter bar asks for. Unknown values fall back to defaults."""

    reason: str = ""
    platform: str = ""
    language: str = ""
    assignee: str = ""  # "" anyone, "none" unclaimed, "me" claimed by me
    search: str = ""  # a case id or a platform video id
    sort: str = "priority"
    page: int = 1
    per_page: int = 50

    @classmethod
    def from_query(cls, data: Mapping[str, str]) -> "QueueListParams":
        def number(key: str, default: int) -> int:
            try:
                return max(1, int(data.get(key, default)))
            except (TypeError, ValueError):
                return default

        per_page = number("per_page", 50)
        return cls(
            reason=data.get("reason", "") if data.get("reason") in Reason.values else "",
            platform=(data.get("platform") or "")[:50],
            language=(data.get("language") or "")[:35],
            assignee=data.get("assignee", "") if data.get("assignee") in ("none", "me") else "",
            search=(data.get("q") or "").strip()[:128],
            sort=data.get("sort", "priority") if data.get("sort") in SORTS else "priority",
            page=min(number("page", 1), 10_000),
            per_page=per_page if per_page in PER_PAGE_CHOICES else 50,
        )


@dataclass
class QueuePage:
    rows: list[Case]
    page: int
    per_page: int
    total: int
    total_capped: bool
    has_next: bool
    params: QueueListParams
    first_index: int = field(init=False)

    def __post_init__(self) -> None:
        self.first_index = (self.page - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.rows) - 1 if self.rows else 0

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def queue_cases(
    *, user: User, queue: Queue, params: QueueListParams | None = None
) -> QuerySet[Case]:
    """The cases of ``queue`` that ``user`` may see, narrowed and sorted by ``params``."""
    params = params or QueueListParams()
    qs = Case.objects.filter(cases_listable_q(user)).filter(queue_filter_q(queue.filters or {}))
    if params.reason:
        qs = qs.filter(reasons__overlap=[params.reason])
    if params.platform:
        qs = qs.filter(platform_id__in=_platform_ids([params.platform]))
    if params.language:
        qs = qs.filter(language=params.language)
    if params.assignee == "none":
        qs = qs.filter(unclaimed_q(timezone.now()))
    elif params.assignee == "me":
        qs = qs.filter(assignee=user).exclude(lease_expired_q(timezone.now()))
    if params.search:
        term = params.search.lstrip("#")
        match = Q(video__platform_video_id=term)
        if term.isdigit() and len(term) < 16:
            match |= Q(pk=int(term))
        qs = qs.filter(match)
    return qs.order_by(*SORTS[params.sort])


def capped_count(qs: QuerySet[Case], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(count, capped): counts at most ``cap`` rows, in one query."""
    n = qs.order_by()[: cap + 1].count()
    return (cap, True) if n > cap else (n, False)


def queue_page(*, user: User, queue: Queue, params: QueueListParams) -> QueuePage:
    """One page of a queue: two queries (count and rows), whatever the page size."""
    qs = queue_cases(user=user, queue=queue, params=params)
    total, capped = capped_count(qs)
    offset = (params.page - 1) * params.per_page
    rows = list(
        qs.select_related("video", "platform", "assignee")[offset : offset + params.per_page + 1]
    )
    return QueuePage(
        rows=rows[: params.per_page],
        page=params.page,
        per_page=params.per_page,
        total=total,
        total_capped=capped,
        has_next=len(rows) > params.per_page,
        params=params,
    )


def queue_count(*, user: User, queue: Queue) -> tuple[int, bool]:
    return capped_count(queue_cases(user=user, queue=queue))


@dataclass(frozen=True)
class QueueSummary:
    queue: Queue
    open: int
    oldest_opened_at: datetime | None
    past_sla: int
    near_sla: int
    claimable: bool

    @property
    def oldest_age(self) -> timedelta | None:
        return timezone.now() - self.oldest_opened_at if self.oldest_opened_at else None


def _overview_scope(user: User) -> str:
    """Users with the same scope see the same overview numbers (they share the cache)."""
    scope = platform_scope(user)
    if is_supervisor(user):
        return "all" if scope is None else "sp" + ",".join(str(pk) for pk in sorted(scope))
    parts = []
    if is_moderator(user):
        parts.append("p" + ",".join(str(pk) for pk in sorted(platform_ids_of(user))))
    if is_kpu(user):
        parts.append("kpu")
    return "-".join(parts) or "none"


def _overview_numbers(
    *, user: User, queues: list[Queue], now: datetime
) -> dict[int, tuple[int, datetime | None, int, int]]:
    near = now + timedelta(minutes=tuning_values()["priority.sla_near_minutes"])
    aggregates: dict[str, Any] = {}
    statuses: set[str] = set()
    for i, queue in enumerate(queues):
        qf = queue_filter_q(queue.filters or {}, now)
        statuses |= statuses_stored_for((queue.filters or {}).get("statuses") or OPEN_CASE_STATUSES)
        aggregates[f"open_{i}"] = Count("pk", filter=qf)
        aggregates[f"oldest_{i}"] = Min("opened_at", filter=qf)
        aggregates[f"past_{i}"] = Count("pk", filter=qf & Q(due_at__lt=now))
        aggregates[f"near_{i}"] = Count("pk", filter=qf & Q(due_at__gte=now, due_at__lt=near))
    row = (
        Case.objects.filter(cases_listable_q(user))
        .filter(status__in=sorted(statuses))
        .aggregate(**aggregates)
    )
    return {
        queue.pk: (row[f"open_{i}"], row[f"oldest_{i}"], row[f"past_{i}"], row[f"near_{i}"])
        for i, queue in enumerate(queues)
    }


def queue_overview(*, user: User, now: datetime | None = None) -> list[QueueSummary]:
    """Per visible queue: open cases, the oldest one, and cases past or near their SLA.

    One aggregate query with a FILTER clause per queue, so the cost does not grow with the
    number of queues; cached for ``SARING["QUEUE_OVERVIEW_CACHE_SECONDS"]`` per visibility
    scope and queue definitions.
    """
    now = now or timezone.now()
    queues = queues_for_user(user)
    if not queues:
        return []
    ttl = settings.SARING.get("QUEUE_OVERVIEW_CACHE_SECONDS", 0)
    numbers = None
    if ttl:
        definitions = json.dumps([[q.pk, q.filters] for q in queues], sort_keys=True)
        digest = hashlib.sha256(definitions.encode()).hexdigest()[:16]
        key = f"queue-overview:v1:{_overview_scope(user)}:{digest}"
        try:
            numbers = cache.get(key)
        except CACHE_ERRORS:  # Redis down: count without the cache
            ttl = 0
    if numbers is None:
        numbers = _overview_numbers(user=user, queues=queues, now=now)
        if ttl:
            with contextlib.suppress(*CACHE_ERRORS):
                cache.set(key, numbers, timeout=ttl)
    can_claim = can_claim_from_queues(user)
    return [
        QueueSummary(
            queue=queue,
            open=numbers[queue.pk][0],
            oldest_opened_at=numbers[queue.pk][1],
            past_sla=numbers[queue.pk][2],
            near_sla=numbers[queue.pk][3],
            claimable=can_claim and queue_is_claimable(queue),
        )
        for queue in queues
    ]


def cases_claimed_by(*, user: User) -> QuerySet[Case]:
    """The cases a user holds a claim on right now (the "my work" panel)."""
    return (
        Case.objects.filter(cases_workable_q(user), assignee=user)
        .exclude(lease_expired_q(timezone.now()))
        .select_related("video", "platform")
        .order_by("lease_expires_at")
    )
