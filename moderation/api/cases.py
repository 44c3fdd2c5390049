"""The cases API (contract §4). Thin: access, validate, one service call, serialize.

Role rules are those of the browser pages: selectors refuse what a user may not read and
services what they may not do (permissions.case_actions); every domain error leaves through the
one problem+json handler in api/errors.py.
"""

from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from moderation.api.common import ERRORS, Pagination
from moderation.api.filters import CaseFilter
from moderation.api.permissions import IsSaringStaff
from moderation.api.serializers import (
    AttachedClarificationSerializer,
    AttachSerializer,
    CaseDetailSerializer,
    CaseListSerializer,
    ClaimNextSerializer,
    DecisionCreateSerializer,
    DecisionSerializer,
    ReleaseSerializer,
    SuggestionListSerializer,
)
from moderation.clarifications.services import (
    clarification_attach,
)
from moderation.clarifications.suggestions import clarification_suggestions
from moderation.models import Case, CaseClarification, Decision
from moderation.review.claims import case_claim, case_claim_next, case_release, case_skip
from moderation.review.decisions import decision_record
from moderation.review.queues import queue_for_user
from moderation.review.selectors import case_for_user, cases_visible
from moderation.web import request_user


def _case_payload(case_id: int) -> dict[str, Any]:
    """The case detail, loaded in a fixed number of queries."""
    case = (
        Case.objects.select_related("video__platform", "assignee")
        .prefetch_related(
            "flags",
            Prefetch(
                "case_clarifications",
                queryset=CaseClarification.objects.select_related(
                    "clarification", "attached_by"
                ).order_by("attached_at"),
            ),
            Prefetch(
                "decisions",
                queryset=Decision.objects.select_related("decided_by", "approved_by").order_by(
                    "decided_at", "pk"
                ),
            ),
        )
        .get(pk=case_id)
    )
    return CaseDetailSerializer(case).data  # type: ignore[return-value]


@extend_schema(tags=["cases"], responses={200: CaseListSerializer(many=True), **ERRORS})
class CaseList(generics.ListAPIView):
    """Cases you may read, highest priority first. Moderators see their own platform's."""

    serializer_class = CaseListSerializer
    permission_classes = [IsSaringStaff]
    filterset_class = CaseFilter
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[Case]:
        if getattr(self, "swagger_fake_view", False):
            return Case.objects.none()
        return (
            cases_visible(request_user(self.request))
            .select_related("video__platform", "assignee")
            .order_by("-priority", "opened_at", "pk")
        )


class CaseDetail(APIView):
    permission_classes = [IsSaringStaff]

    @extend_schema(tags=["cases"], responses={200: CaseDetailSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        case = case_for_user(user=request_user(request), case_id=pk)
        return Response(_case_payload(case.pk))


class CaseClaim(APIView):
    permission_classes = [IsSaringStaff]

    @extend_schema(tags=["cases"], request=None, responses={200: CaseDetailSerializer, **ERRORS})
    @transaction.atomic  # the answer is rendered before the change commits: both, or neither
    def post(self, request: Request, pk: int) -> Response:
        """Claim a case (a lease of LEASE_MINUTES). 409 when someone else holds it."""
        case = case_for_user(user=request_user(request), case_id=pk)
        case_claim(case=case, user=request_user(request))
        return Response(_case_payload(case.pk))


class CaseRelease(APIView):
    permission_classes = [IsSaringStaff]

    @extend_schema(
        tags=["cases"], request=ReleaseSerializer, responses={200: CaseDetailSerializer, **ERRORS}
    )
    @transaction.atomic  # the answer is rendered before the change commits: both, or neither
    def post(self, request: Request, pk: int) -> Response:
        """Give the case back to its queue; with a ``reason`` it is recorded as a skip."""
        body = ReleaseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = request_user(request)
        case = case_for_user(user=user, case_id=pk)
        reason = body.validated_data.get("reason", "").strip()
        if reason:
            case_skip(case=case, user=user, reason=reason)
        else:
            case_release(case=case, user=user)
        return Response(_case_payload(case.pk))


class CaseClaimNext(APIView):
    permission_classes = [IsSaringStaff]

    @extend_schema(
        tags=["cases"],
        request=ClaimNextSerializer,
        responses={
            200: CaseDetailSerializer,
            204: OpenApiResponse(description="Nothing to claim"),
            **ERRORS,
        },
    )
    @transaction.atomic  # the answer is rendered before the change commits: both, or neither
    def post(self, request: Request) -> Response:
        """The highest-priority unclaimed case you may work (of ``queue`` if given), claimed
        with SKIP LOCKED: concurrent callers never get the same case. 204 when none is left."""
        body = ClaimNextSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = request_user(request)
        queue = None
        if slug := body.validated_data.get("queue"):
            queue = queue_for_user(user=user, slug=slug)
        case = case_claim_next(user=user, queue=queue)
        if case is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(_case_payload(case.pk))


class CaseDecisionCreate(APIView):
    permission_classes = [IsSaringStaff]

    @extend_schema(
        tags=["cases"],
        request=DecisionCreateSerializer,
        responses={201: DecisionSerializer, **ERRORS},
    )
    @transaction.atomic  # the answer is rendered before the change commits: both, or neither
    def post(self, request: Request, pk: int) -> Response:
        """Record a decision on a case you hold. ``version`` must be the case version you saw;
        a stale one is a 409 problem (``/problems/stale-version``) and nothing is written.
        remove / restrict_region on a big video or a political author is held for a supervisor
        (``approval_state: pending``)."""
        user = request_user(request)
        case = case_for_user(user=user, case_id=pk)
        body = DecisionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        decision = decision_record(
            case=case,
            user=user,
            version=data["version"],
            action=data["action"],
            ground=data["ground"],
            category=data["category"],
            statement_of_reasons=data["statement_of_reasons"],
            clarification=data.get("clarification"),
            automated_detection=data["automated_detection"],
            automated_decision=data["automated_decision"],
            territorial_scope=data["territorial_scope"],
            facts=data["facts"],
        )
        decision = Decision.objects.select_related("decided_by", "approved_by").get(pk=decision.pk)
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class CaseClarificationAttach(APIView):
    permission_classes = [IsSaringStaff]

    @extend_schema(
        tags=["cases"],
        request=AttachSerializer,
        responses={201: AttachedClarificationSerializer, **ERRORS},
    )
    @transaction.atomic  # the answer is rendered before the change commits: both, or neither
    def post(self, request: Request, pk: int) -> Response:
        """Attach a published clarification. A case awaiting clarification returns to the
        queue."""
        user = request_user(request)
        case = case_for_user(user=user, case_id=pk)
        body = AttachSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        link = clarification_attach(
            case=case, clarification=body.validated_data["clarification"], user=user
        )
        link = CaseClarification.objects.select_related("clarification", "attached_by").get(
            pk=link.pk
        )
        return Response(AttachedClarificationSerializer(link).data, status=201)


class CaseSuggestedClarifications(APIView):
    permission_classes = [IsSaringStaff]

    @extend_schema(tags=["cases"], responses={200: SuggestionListSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        """Published clarifications ranked for this case, best first, at most 10, each with
        its ``score`` (0..1) and the words that ``matched``. Only suggestions above the
        engine's confidence threshold are listed: an empty ``results`` means none fits."""
        case = case_for_user(user=request_user(request), case_id=pk)
        suggestions = clarification_suggestions(case=case)
        body = {"count": len(suggestions), "results": suggestions}
        return Response(SuggestionListSerializer(body).data)
