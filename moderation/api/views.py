"""The staff REST API (contract §4). Thin: access, validate, one service call, serialize.

Role rules are those of the browser pages: selectors refuse what a user may not read and
services what they may not do; every domain error leaves through the one problem+json
handler in moderation/api/errors.py.
"""

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from moderation.api.filters import AuditEventFilter, CaseFilter, ClarificationFilter
from moderation.api.permissions import CanReadAuditLog, IsSaringStaff
from moderation.api.serializers import (
    AttachedClarificationSerializer,
    AttachSerializer,
    AuditEventSerializer,
    CaseDetailSerializer,
    CaseListSerializer,
    ClaimNextSerializer,
    ClarificationSerializer,
    DecisionCreateSerializer,
    DecisionSerializer,
    ReleaseSerializer,
    RetractSerializer,
)
from moderation.models import AuditEvent, Case, CaseClarification, Clarification, Decision, User
from moderation.queues import queue_for_user
from moderation.selectors import (
    audit_events_search,
    case_for_user,
    cases_visible,
    clarifications_for_user,
)
from moderation.services.cases import case_claim, case_claim_next, case_release, case_skip
from moderation.services.clarifications import (
    clarification_attach,
    clarification_create,
    clarification_publish,
    clarification_retract,
    clarification_submit,
)
from moderation.services.decisions import decision_record

PROBLEM = OpenApiResponse(description="application/problem+json (RFC 9457)")
ERRORS = {400: PROBLEM, 401: PROBLEM, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM}


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


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


# --- Cases -------------------------------------------------------------------------------------


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
            cases_visible(_user(self.request))
            .select_related("video__platform", "assignee")
            .order_by("-priority", "opened_at", "pk")
        )


class CaseDetail(APIView):
    permission_classes = [IsSaringStaff]

    @extend_schema(tags=["cases"], responses={200: CaseDetailSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        case = case_for_user(user=_user(request), case_id=pk)
        return Response(_case_payload(case.pk))


class CaseClaim(APIView):
    permission_classes = [IsSaringStaff]

    @extend_schema(tags=["cases"], request=None, responses={200: CaseDetailSerializer, **ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        """Claim a case (a lease of LEASE_MINUTES). 409 when someone else holds it."""
        case = case_for_user(user=_user(request), case_id=pk)
        case_claim(case=case, user=_user(request))
        return Response(_case_payload(case.pk))


class CaseRelease(APIView):
    permission_classes = [IsSaringStaff]

    @extend_schema(
        tags=["cases"], request=ReleaseSerializer, responses={200: CaseDetailSerializer, **ERRORS}
    )
    def post(self, request: Request, pk: int) -> Response:
        """Give the case back to its queue; with a ``reason`` it is recorded as a skip."""
        body = ReleaseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = _user(request)
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
    def post(self, request: Request) -> Response:
        """The highest-priority unclaimed case you may work (of ``queue`` if given), claimed
        with SKIP LOCKED: concurrent callers never get the same case. 204 when none is left."""
        body = ClaimNextSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = _user(request)
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
    def post(self, request: Request, pk: int) -> Response:
        """Record a decision on a case you hold. ``version`` must be the case version you saw;
        a stale one is a 409 problem (``/problems/stale-version``) and nothing is written.
        remove / restrict_region on a big video or a political author is held for a supervisor
        (``approval_state: pending``)."""
        user = _user(request)
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
    def post(self, request: Request, pk: int) -> Response:
        """Attach a published clarification. A case awaiting clarification returns to the
        queue."""
        user = _user(request)
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


# --- Clarifications ----------------------------------------------------------------------------


@extend_schema(tags=["clarifications"])
class ClarificationListCreate(generics.ListCreateAPIView):
    """KPU staff and supervisors list every clarification, others the published ones. KPU
    clarifiers create drafts."""

    serializer_class = ClarificationSerializer
    permission_classes = [IsSaringStaff]
    filterset_class = ClarificationFilter
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[Clarification]:
        if getattr(self, "swagger_fake_view", False):
            return Clarification.objects.none()
        return clarifications_for_user(_user(self.request))

    @extend_schema(responses={201: ClarificationSerializer, **ERRORS})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = ClarificationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        clarification = clarification_create(user=_user(request), **body.validated_data)
        return Response(ClarificationSerializer(clarification).data, status=201)


def _clarification(request: Request, pk: int) -> Clarification:
    return generics.get_object_or_404(clarifications_for_user(_user(request)), pk=pk)


class ClarificationSubmit(APIView):
    permission_classes = [IsSaringStaff]

    @extend_schema(
        tags=["clarifications"], request=None, responses={200: ClarificationSerializer, **ERRORS}
    )
    def post(self, request: Request, pk: int) -> Response:
        """Send a draft to a KPU approver (draft → in_review)."""
        clarification = clarification_submit(
            clarification=_clarification(request, pk), user=_user(request)
        )
        return Response(ClarificationSerializer(clarification).data)


class ClarificationPublish(APIView):
    permission_classes = [IsSaringStaff]

    @extend_schema(
        tags=["clarifications"], request=None, responses={200: ClarificationSerializer, **ERRORS}
    )
    def post(self, request: Request, pk: int) -> Response:
        """A KPU approver (not the author) publishes a new frozen version; platforms are told."""
        clarification = clarification_publish(
            clarification=_clarification(request, pk), user=_user(request)
        )
        return Response(ClarificationSerializer(clarification).data)


class ClarificationRetract(APIView):
    permission_classes = [IsSaringStaff]

    @extend_schema(
        tags=["clarifications"],
        request=RetractSerializer,
        responses={200: ClarificationSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        body = RetractSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        clarification = clarification_retract(
            clarification=_clarification(request, pk),
            user=_user(request),
            reason=body.validated_data.get("reason", ""),
        )
        return Response(ClarificationSerializer(clarification).data)


# --- Audit -------------------------------------------------------------------------------------


@extend_schema(tags=["audit"], responses={200: AuditEventSerializer(many=True), **ERRORS})
class AuditEventList(generics.ListAPIView):
    """The audit log, newest first (supervisors). Filters: actor, action, since, until, case."""

    serializer_class = AuditEventSerializer
    permission_classes = [CanReadAuditLog]
    filterset_class = AuditEventFilter
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[AuditEvent]:
        if getattr(self, "swagger_fake_view", False):
            return AuditEvent.objects.none()
        return audit_events_search(user=_user(self.request))
