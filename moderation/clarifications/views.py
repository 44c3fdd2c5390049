"""Pages anyone may open, signed in or not."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from moderation.choices import ClarificationStatus
from moderation.models import Clarification


def clarification_public(request: HttpRequest, pk: int) -> HttpResponse:
    """The public page of a published clarification (linked from callbacks)."""
    clarification = get_object_or_404(
        Clarification,
        pk=pk,
        status__in=[ClarificationStatus.PUBLISHED, ClarificationStatus.RETRACTED],
    )
    return render(request, "moderation/clarification_public.html", {"clarification": clarification})
