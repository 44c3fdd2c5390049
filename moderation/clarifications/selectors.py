"""Reads of clarifications: what a user may see, and what may label a case."""

from django.db.models import QuerySet

from moderation.choices import ClarificationStatus
from moderation.errors import NotPermitted
from moderation.models import Clarification, User
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
