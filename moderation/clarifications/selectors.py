"""Reads of clarifications: what a user may see, and what may label a case."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from moderation.choices import Action, ApprovalState, ClarificationStatus
from moderation.errors import NotPermitted
from moderation.models import (
    CaseClarification,
    Clarification,
    ClarificationVersion,
    Decision,
    User,
    Video,
)
from moderation.permissions import can_read_clarification_drafts, is_staff_member


def clarifications_published() -> QuerySet[Clarification]:
    """Clarifications a label decision or an attachment may use, newest first."""
    return Clarification.objects.filter(status=ClarificationStatus.PUBLISHED).order_by(
        "-published_at", "-pk"
    )


def clarifications_for_user(user: User) -> QuerySet[Clarification]:
    """KPU staff and supervisors see every clarification; everyone else the published ones."""
    if not is_staff_member(user):
        raise NotPermitted()
    qs = Clarification.objects.select_related("author", "approver").order_by("-created_at", "-pk")
    if can_read_clarification_drafts(user):
        return qs
    return qs.filter(status__in=[ClarificationStatus.PUBLISHED, ClarificationStatus.RETRACTED])


# --- The workspace: list, review queue, versions ----------------------------------------------


@dataclass(frozen=True, slots=True)
class ClarificationFilters:
    status: str = ""
    rating: str = ""
    author: str = ""
    q: str = ""


def clarifications_search(user: User, filters: ClarificationFilters) -> QuerySet[Clarification]:
    """The clarifications a user may read, filtered, each with ``case_count`` (cases carrying
    it) and ``revision_status`` (its open revision's status, or None)."""
    qs = clarifications_for_user(user)
    if filters.status:
        if filters.status in (ClarificationStatus.DRAFT, ClarificationStatus.IN_REVIEW):
            # A published clarification whose next version is in this state counts too.
            qs = qs.filter(
                Q(status=filters.status)
                | Q(status=ClarificationStatus.PUBLISHED, versions__status=filters.status)
            )
        else:
            qs = qs.filter(status=filters.status)
    if filters.rating:
        qs = qs.filter(rating=filters.rating)
    if filters.author:
        qs = qs.filter(author__username=filters.author)
    if filters.q:
        words = filters.q.split()[:8]
        for word in words:
            qs = qs.filter(
                Q(title__icontains=word)
                | Q(claim__icontains=word)
                | Q(body__icontains=word)
                | Q(title_en__icontains=word)
                | (Q(pk=int(word)) if word.isdigit() and len(word) < 10 else Q(pk__in=[]))
            )
    open_revision = ClarificationVersion.objects.filter(
        clarification=OuterRef("pk"),
        status__in=[ClarificationStatus.DRAFT, ClarificationStatus.IN_REVIEW],
    ).values("status")[:1]
    case_count = (
        CaseClarification.objects.filter(clarification=OuterRef("pk"))
        .order_by()
        .values("clarification")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(
        case_count=Coalesce(Subquery(case_count), 0),
        revision_status=Subquery(open_revision),
    ).distinct()


def clarification_authors() -> QuerySet[User]:
    """Who has written clarifications (the author filter's choices)."""
    return User.objects.filter(clarifications_written__isnull=False).distinct().order_by("username")


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One text waiting for an approver: a first version, or the revision of a published one."""

    clarification: Clarification
    revision: ClarificationVersion | None

    @property
    def text(self) -> Clarification | ClarificationVersion:
        return self.revision or self.clarification

    @property
    def version(self) -> int:
        return self.revision.version if self.revision else self.clarification.version + 1


def clarifications_in_review(user: User) -> list[ReviewItem]:
    """What waits for KPU's approvers, oldest first."""
    if not can_read_clarification_drafts(user):
        raise NotPermitted()
    firsts = Clarification.objects.filter(status=ClarificationStatus.IN_REVIEW).select_related(
        "author"
    )
    revisions = ClarificationVersion.objects.filter(
        status=ClarificationStatus.IN_REVIEW,
        clarification__status=ClarificationStatus.PUBLISHED,
    ).select_related("clarification", "clarification__author", "author")
    items = [ReviewItem(c, None) for c in firsts] + [
        ReviewItem(r.clarification, r) for r in revisions
    ]
    return sorted(items, key=lambda item: (item.text.updated_at, item.clarification.pk))


def clarification_versions(clarification: Clarification) -> list[ClarificationVersion]:
    """Every version, the open revision included, newest first."""
    return list(clarification.versions.select_related("author", "approver").order_by("-version"))


# --- The public side (contract §5) ---------------------------------------------------------


PUBLIC_STATUSES = [ClarificationStatus.PUBLISHED, ClarificationStatus.RETRACTED]


def clarifications_public(q: str = "", since: datetime | None = None) -> QuerySet[Clarification]:
    """Published and retracted clarifications, newest first, optionally searched."""
    qs = Clarification.objects.filter(status__in=PUBLIC_STATUSES)
    if since is not None:
        qs = qs.filter(Q(published_at__gte=since) | Q(retracted_at__gte=since))
    for word in q.split()[:8]:
        qs = qs.filter(
            Q(title__icontains=word)
            | Q(claim__icontains=word)
            | Q(body__icontains=word)
            | Q(title_en__icontains=word)
            | Q(body_en__icontains=word)
        )
    return qs.order_by("-published_at", "-pk")


def _labels_in_force(clarification_ids: list[int] | None = None) -> QuerySet[Decision]:
    qs = Decision.objects.filter(
        action=Action.LABEL,
        approval_state__in=[ApprovalState.NOT_REQUIRED, ApprovalState.APPROVED],
        superseded_by__isnull=True,
    )
    if clarification_ids is not None:
        qs = qs.filter(clarification_id__in=clarification_ids)
    return qs


def labels_fingerprint(clarification_id: int | None = None) -> tuple[int, int | None]:
    """How many label decisions are in force and the newest one (for one clarification, or
    all): part of a public ETag, which changes when a video is labelled or unlabelled."""
    found = _labels_in_force(None if clarification_id is None else [clarification_id]).aggregate(
        n=Count("pk"), last=Max("pk")
    )
    return found["n"], found["last"]


def labelled_videos(clarification_ids: list[int]) -> dict[int, list[Video]]:
    """The videos each clarification labels: a label decision in force (not held for
    approval, not rejected, not superseded), one query for a whole page."""
    decisions = (
        _labels_in_force(clarification_ids)
        .select_related("case__video", "case__video__platform")
        .order_by("case__video__platform_video_id", "pk")
    )
    videos: dict[int, dict[int, Video]] = {pk: {} for pk in [0, *clarification_ids]}
    for decision in decisions:
        video = decision.case.video
        videos[decision.clarification_id or 0].setdefault(video.pk, video)
    return {pk: list(found.values()) for pk, found in videos.items()}
