"""What the public reads about a clarification (contract §5): schema.org ClaimReview and
MediaReview JSON-LD for its page, the items of the public API, and the ETags of both.

Nothing here names a person: the author of every review is KPU, as an organisation."""

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from moderation.choices import ClarificationRating, ClarificationStatus
from moderation.models import Clarification, ClarificationVersion, Video
from moderation.outbound.payloads import utc_rfc3339

KPU = {
    "@type": "Organization",
    "name": "Komisi Pemilihan Umum Republik Indonesia",
    "alternateName": "KPU",
    "url": "https://www.kpu.go.id/",
}

# The rating scale of every ClaimReview: 1 (false) to 5 (true).
BEST_RATING = 5
WORST_RATING = 1
RATING_VALUES = {
    ClarificationRating.FALSE: 1,
    ClarificationRating.MISLEADING: 2,
    ClarificationRating.MISSING_CONTEXT: 3,
    ClarificationRating.TRUE: 5,
}
# schema.org MediaManipulationRatingEnumeration: the labelled videos are the platform users'
# own recordings; what KPU rates is the claim they carry, or the context they leave out.
MEDIA_CATEGORY = {
    ClarificationRating.MISSING_CONTEXT: "https://schema.org/DecontextualizedContent",
}
MEDIA_CATEGORY_DEFAULT = "https://schema.org/OriginalMediaContent"


def public_url(clarification_id: int) -> str:
    base = settings.SARING["PUBLIC_BASE_URL"].rstrip("/")
    return base + reverse("clarification_public", args=[clarification_id])


def has_english(clarification: Clarification) -> bool:
    return bool(clarification.title_en.strip() and clarification.body_en.strip())


def _rating(clarification: Clarification, rating_label: str) -> dict[str, Any]:
    return {
        "@type": "Rating",
        "ratingValue": RATING_VALUES[ClarificationRating(clarification.rating)],
        "bestRating": BEST_RATING,
        "worstRating": WORST_RATING,
        "alternateName": rating_label,
    }


def claim_review_graph(
    clarification: Clarification,
    *,
    first_published: ClarificationVersion | None,
    videos: Iterable[Video],
    language: str,
    rating_label: str,
) -> list[dict[str, Any]]:
    """The ClaimReview of a published clarification and one MediaReview per labelled video;
    nothing for a retracted one (its page stays, without a review in force)."""
    if clarification.status != ClarificationStatus.PUBLISHED:
        return []
    url = public_url(clarification.pk)
    first = first_published.published_at if first_published else clarification.published_at
    date_published = utc_rfc3339(first)
    english = language == "en" and has_english(clarification)
    videos = list(videos)
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": clarification.claim,
        "headline": clarification.title_en if english else clarification.title,
        "reviewBody": clarification.body_en if english else clarification.body,
        "inLanguage": "en" if english else "id",
        "datePublished": date_published,
        "dateModified": utc_rfc3339(clarification.published_at),
        "version": clarification.version,
        "author": KPU,
        "publisher": KPU,
        "reviewRating": _rating(clarification, rating_label),
        "itemReviewed": {"@type": "Claim", "text": clarification.claim, "inLanguage": "id"},
    }
    if appearance := [{"@type": "VideoObject", "url": v.url} for v in videos if v.url]:
        review["itemReviewed"]["appearance"] = appearance
    if clarification.sources:
        review["citation"] = list(clarification.sources)
    graph = [review]
    category = MEDIA_CATEGORY.get(ClarificationRating(clarification.rating), MEDIA_CATEGORY_DEFAULT)
    for video in videos:
        graph.append(
            {
                "@context": "https://schema.org",
                "@type": "MediaReview",
                "url": url,
                "datePublished": date_published,
                "author": KPU,
                "mediaAuthenticityCategory": category,
                "originalMediaContextDescription": clarification.claim,
                "reviewRating": _rating(clarification, rating_label),
                "itemReviewed": {
                    "@type": "MediaReviewItem",
                    "creativeWork": {
                        "@type": "VideoObject",
                        "url": video.url or None,
                        "identifier": f"{video.platform.slug}:{video.platform_video_id}",
                    },
                },
            }
        )
    return graph


_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld_script(graph: list[dict[str, Any]]) -> SafeString:
    """A <script type="application/ld+json"> block; <, > and & are escaped inside the JSON so
    no text can close the element."""
    if not graph:
        return SafeString("")
    data = graph[0] if len(graph) == 1 else graph
    text = json.dumps(data, ensure_ascii=False, indent=1).translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', SafeString(text))


def public_item(clarification: Clarification, videos: Iterable[Video]) -> dict[str, Any]:
    """An item of the public API: as in the ``clarification.published`` callback (every
    platform's labelled videos), plus ``status``."""
    return {
        "clarification_id": clarification.pk,
        "version": clarification.version,
        "title": clarification.title,
        "body": clarification.body,
        "language": clarification.language,
        "rating": clarification.rating,
        "claim": clarification.claim,
        "sources": list(clarification.sources),
        "url": public_url(clarification.pk),
        "video_ids": sorted({v.platform_video_id for v in videos}),
        "published_at": utc_rfc3339(clarification.published_at),
        "status": clarification.status,
        "retracted_at": utc_rfc3339(clarification.retracted_at),
        "title_en": clarification.title_en,
        "body_en": clarification.body_en,
    }


def etag_of(*parts: object) -> str:
    """A strong ETag over what a public response shows."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32]
    return f'"{digest}"'


def source_items(sources: Iterable[str]) -> list[dict[str, str]]:
    """Sources as a page shows them: a URL is a link, a regulation reference plain text."""
    return [{"text": s, "url": s if s.startswith(("https://", "http://")) else ""} for s in sources]
