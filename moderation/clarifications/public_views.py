"""Pages anyone may open, signed in or not (contract §5): a clarification's public page and the
public list. Indonesian by default, English with ``?lang=en`` where a translation exists.
Cacheable by anyone: the same URL gives the same bytes to every reader (no CSRF token, no
session, no names of staff), with an ETag over what the page shows."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from moderation.choices import ClarificationRating
from moderation.clarifications.public import (
    claim_review_graph,
    etag_of,
    has_english,
    json_ld_script,
    source_items,
)
from moderation.clarifications.selectors import (
    PUBLIC_STATUSES,
    clarifications_public,
    labelled_videos,
    labels_fingerprint,
)
from moderation.models import Clarification

MAX_AGE = 300
PAGE_SIZE = 20


def _page(template: str, context: dict[str, Any]) -> str:
    """Rendered without the request: no context processor runs, so nothing reads the session
    or the user and the response does not vary by cookie."""
    return render_to_string(template, context)


def _language(request: HttpRequest) -> str:
    return "en" if request.GET.get("lang") == "en" else "id"


def _cached(request: HttpRequest, etag: str, build: Callable[[], HttpResponse]) -> HttpResponse:
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = build()
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


@require_safe
def clarification_public(request: HttpRequest, pk: int) -> HttpResponse:
    """The public page of a published clarification (linked from callbacks); a retracted
    one's page stays, marked retracted, without its ClaimReview."""
    clarification = get_object_or_404(Clarification, pk=pk, status__in=PUBLIC_STATUSES)
    wanted = _language(request)
    english = wanted == "en" and has_english(clarification)
    language = "en" if english else "id"
    labels = labels_fingerprint(clarification.pk)
    etag = etag_of(
        "page",
        pk,
        clarification.version,
        clarification.status,
        clarification.updated_at,
        language,
        labels,
    )

    def build() -> HttpResponse:
        with translation.override(language):
            videos = labelled_videos([clarification.pk])[clarification.pk]
            rating_label = str(ClarificationRating(clarification.rating).label)
            first = clarification.versions.filter(version=1).first()
            graph = claim_review_graph(
                clarification,
                first_published=first,
                videos=videos,
                language=language,
                rating_label=rating_label,
            )
            context = {
                "c": {
                    "claim": clarification.claim,
                    "title": clarification.title_en if english else clarification.title,
                    "body": clarification.body_en if english else clarification.body,
                    "rating": clarification.rating,
                    "rating_label": rating_label,
                    "sources": source_items(clarification.sources),
                },
                "clarification": clarification,
                "first_published": first.published_at if first else None,
                "english": english,
                "has_english": has_english(clarification),
                "json_ld": json_ld_script(graph),
                "language": language,
                "video_count": len(videos),
            }
            response = HttpResponse(_page("moderation/clarifications/public.html", context))
        response["Content-Language"] = language
        return response

    return _cached(request, etag, build)


@require_safe
def clarification_public_list(request: HttpRequest) -> HttpResponse:
    """Published and retracted clarifications, newest first, searchable, paginated."""
    language = _language(request)
    q = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    rows = clarifications_public(q)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    latest = Clarification.objects.filter(status__in=PUBLIC_STATUSES).aggregate(
        last=Max("updated_at")
    )["last"]
    etag = etag_of("list", language, q, page.number, latest)

    def build() -> HttpResponse:
        with translation.override(language):
            response = HttpResponse(
                _page(
                    "moderation/clarifications/public_list.html",
                    {
                        "page": page,
                        "q": q,
                        "language": language,
                        "query": urlencode(
                            {k: v for k, v in (("q", q), ("lang", language)) if v and v != "id"}
                        ),
                    },
                )
            )
        response["Content-Language"] = language
        return response

    return _cached(request, etag, build)
