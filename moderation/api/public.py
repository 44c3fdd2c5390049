"""The public clarifications API (contract §5): no authentication, cacheable.

``GET /api/v1/public/clarifications/?since=<RFC 3339>&page=N``: published and retracted
clarifications, newest first, each as in the ``clarification.published`` callback plus
``status``, so a platform that missed a callback can catch up."""

from typing import Any

from django.db.models import Max
from django.utils.cache import patch_cache_control
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from moderation.api.common import ERRORS, Pagination
from moderation.clarifications.public import etag_of, public_item
from moderation.clarifications.selectors import (
    clarifications_public,
    labelled_videos,
    labels_fingerprint,
)
from moderation.errors import InvalidInput
from moderation.models import Clarification

MAX_AGE = 60


class PublicPagination(Pagination):
    page_size = 50
    max_page_size = 100


class PublicClarificationList(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["public"],
        parameters=[
            OpenApiParameter("since", str, description="RFC 3339; changed at or after"),
            OpenApiParameter("page", int),
        ],
        responses={200: dict, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        since_text = request.query_params.get("since", "")
        since = parse_datetime(since_text) if since_text else None
        if since_text and (since is None or since.tzinfo is None):
            raise InvalidInput.of(
                {"since": _("waktu RFC 3339 dengan zona, mis. 2024-02-14T00:00:00Z")}
            )
        latest = Clarification.objects.aggregate(last=Max("updated_at"))["last"]
        etag = etag_of(
            "api",
            since_text,
            request.query_params.get("page", "1"),
            request.query_params.get("page_size", ""),
            latest,
            labels_fingerprint(),
        )
        if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
            response = Response(status=304)
        else:
            paginator = PublicPagination()
            page = paginator.paginate_queryset(
                clarifications_public(since=since), request, view=self
            )
            rows = list(page or [])
            videos = labelled_videos([c.pk for c in rows])
            response = paginator.get_paginated_response(
                [public_item(c, videos[c.pk]) for c in rows]
            )
        response["ETag"] = etag
        patch_cache_control(response, public=True, max_age=MAX_AGE)
        return response
