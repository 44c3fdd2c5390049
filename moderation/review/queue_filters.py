"""A queue is a saved filter over cases (``Queue.filters``, JSON). This module validates the
filters, turns them into a ``Q``, and holds the rules claim-next applies with them (skipped
cases stay out for ``SKIP_COOLDOWN``).

The filters, all optional::

    {"reasons": ["hoax", ...], "platforms": ["tiktok"], "languages": ["id"],
     "statuses": ["new", "in_review"], "min_priority": 60, "max_priority": null,
     "awaiting_approval": true}

``reasons`` matches a case with any of them; no ``statuses`` means every open status;
``awaiting_approval`` true keeps only held decisions, false leaves them out.
"""

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, Expression, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from moderation.choices import (
    CLAIMABLE_STATUSES,
    OPEN_CASE_STATUSES,
    AuditAction,
    CaseStatus,
    Reason,
)
from moderation.errors import InvalidInput
from moderation.models import AuditEvent, Platform, Queue, User
from moderation.permissions import status_now_q

FILTER_KEYS = (
    "reasons",
    "platforms",
    "languages",
    "statuses",
    "min_priority",
    "max_priority",
    "awaiting_approval",
)


# A case a moderator skipped stays out of their claim-next for this long.
SKIP_COOLDOWN = timedelta(hours=1)


_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def queue_filters_clean(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validated, normalised filters, or InvalidInput with one message per bad key."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    unknown = set(raw) - set(FILTER_KEYS)
    if unknown:
        errors["filters"] = _("kunci tidak dikenal: %(keys)s") % {
            "keys": ", ".join(sorted(unknown))
        }

    def str_list(key: str) -> list[str]:
        value = raw.get(key) or []
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            errors[key] = _("daftar teks")
            return []
        return sorted({v.strip() for v in value if v.strip()})

    reasons = str_list("reasons")
    if bad := [r for r in reasons if r not in Reason.values]:
        errors["reasons"] = _("alasan tidak dikenal: %(values)s") % {"values": ", ".join(bad)}
    statuses = str_list("statuses")
    if bad := [s for s in statuses if s not in CaseStatus.values]:
        errors["statuses"] = _("status tidak dikenal: %(values)s") % {"values": ", ".join(bad)}
    platforms = str_list("platforms")
    if platforms:
        known = set(Platform.objects.filter(slug__in=platforms).values_list("slug", flat=True))
        if bad := [p for p in platforms if p not in known]:
            errors["platforms"] = _("platform tidak dikenal: %(values)s") % {
                "values": ", ".join(bad)
            }
    languages = [x.lower() for x in str_list("languages")]
    if bad := [x for x in languages if not _LANGUAGE.match(x)]:
        errors["languages"] = _("bukan kode bahasa BCP 47: %(values)s") % {"values": ", ".join(bad)}

    bounds: dict[str, int | None] = {}
    for key in ("min_priority", "max_priority"):
        value = raw.get(key)
        if value in (None, ""):
            bounds[key] = None
        elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
            errors[key] = _("bilangan bulat, 0 atau lebih")
            bounds[key] = None
        else:
            bounds[key] = value
    low, high = bounds["min_priority"], bounds["max_priority"]
    if low is not None and high is not None and low > high:
        errors["max_priority"] = _("tidak boleh di bawah prioritas minimum")

    awaiting = raw.get("awaiting_approval")
    if awaiting is not None and not isinstance(awaiting, bool):
        errors["awaiting_approval"] = _("true, false, atau dikosongkan")

    if errors:
        raise InvalidInput.of(errors)
    for key, value in (
        ("reasons", reasons),
        ("platforms", platforms),
        ("languages", languages),
        ("statuses", statuses),
    ):
        if value:
            clean[key] = value
    for key, bound in bounds.items():
        if bound is not None:
            clean[key] = bound
    if awaiting is not None:
        clean["awaiting_approval"] = awaiting
    return clean


def _platform_ids(slugs: list[str]) -> QuerySet[Platform, int]:
    # A subquery, not a list: the filter costs no extra query, however many queues there are.
    return Platform.objects.filter(slug__in=slugs).values_list("pk", flat=True)


def queue_filter_q(
    filters: Mapping[str, Any], now: datetime | None = None, *, stored_status: bool = False
) -> Q:
    """The cases a queue holds, as a filter (before the user's own visibility). Statuses are
    as they are now: a lapsed claim in review counts as new (``status_now_q``); with
    ``stored_status``, as stored (claim-next, which returns lapsed claims to the queue first
    and caches its SQL, so it must not carry a moment)."""
    statuses = filters.get("statuses") or OPEN_CASE_STATUSES
    if stored_status:
        q = Q(status__in=list(statuses))
    else:
        q = status_now_q(statuses, now or timezone.now())
    if filters.get("reasons"):
        q &= Q(reasons__overlap=list(filters["reasons"]))
    if filters.get("platforms"):
        q &= Q(platform_id__in=_platform_ids(list(filters["platforms"])))
    if filters.get("languages"):
        q &= Q(language__in=list(filters["languages"]))
    if filters.get("min_priority") is not None:
        q &= Q(priority__gte=filters["min_priority"])
    if filters.get("max_priority") is not None:
        q &= Q(priority__lte=filters["max_priority"])
    if filters.get("awaiting_approval") is not None:
        q &= Q(awaiting_approval=bool(filters["awaiting_approval"]))
    return q


def queue_is_claimable(queue: Queue) -> bool:
    """Whether claim-next makes sense: the queue holds new or appealed, unheld cases."""
    filters = queue.filters or {}
    if filters.get("awaiting_approval"):
        return False
    statuses = set(filters.get("statuses") or OPEN_CASE_STATUSES)
    return bool(statuses & set(CLAIMABLE_STATUSES))


def queue_is_approval(queue: Queue) -> bool:
    return bool((queue.filters or {}).get("awaiting_approval"))


def cases_skipped_recently(*, user: User, now: datetime | None = None) -> list[int]:
    """Cases this user skipped within the cooldown; claim-next leaves them for others."""
    since = (now or timezone.now()) - SKIP_COOLDOWN
    return [
        case_id
        for case_id in AuditEvent.objects.filter(
            actor=user, action=AuditAction.CASE_SKIP, created_at__gte=since
        ).values_list("case_id", flat=True)
        if case_id is not None
    ]


def queue_require_claimable(queue: Queue) -> None:
    """InvalidInput unless claim-next makes sense on ``queue``."""
    if not queue_is_claimable(queue):
        raise InvalidInput(
            _("Antrean ini tidak berisi kasus yang bisa diambil."),
            errors={"queue": "not claimable"},
        )


def queue_claim_filter(
    *,
    user: User,
    queue: Queue,
    now: datetime | None = None,
    skipped_since: datetime | Expression | None = None,
) -> Q:
    """The filter claim-next applies for this queue: the queue's cases, minus what this user
    skipped since ``skipped_since`` (by default ``now - SKIP_COOLDOWN``; a NOT EXISTS in the
    same query, no extra round trip). ``case_claim_next`` passes a statement parameter there, so
    that its compiled SQL serves every later claim. Visibility (own platform) is added by the
    service itself."""
    queue_require_claimable(queue)
    return queue_filter_q(queue.filters or {}, stored_status=True) & not_skipped_recently_q(
        user=user, now=now, skipped_since=skipped_since
    )


def not_skipped_recently_q(
    *,
    user: User,
    now: datetime | None = None,
    skipped_since: datetime | Expression | None = None,
) -> Q:
    """Cases this user has not skipped since ``skipped_since`` (by default ``now -
    SKIP_COOLDOWN``): claim-next leaves a skipped case to others for a while, in a queue or
    not."""
    if skipped_since is None:
        skipped_since = (now or timezone.now()) - SKIP_COOLDOWN
    skipped = AuditEvent.objects.filter(
        case_id=OuterRef("pk"),
        actor=user,
        action=AuditAction.CASE_SKIP,
        created_at__gte=skipped_since,
    )
    return ~Q(Exists(skipped))
