"""The clarifications API (contract §4): list, write, submit, publish, retract."""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from moderation.api.common import ERRORS, Pagination
from moderation.api.filters import ClarificationFilter
from moderation.api.permissions import IsSaringStaff
from moderation.api.serializers import (
    ClarificationSerializer,
    ClarificationVersionSerializer,
    RetractSerializer,
)
from moderation.choices import ClarificationStatus
from moderation.clarifications.selectors import clarifications_for_user
from moderation.clarifications.services import (
    clarification_create,
    clarification_publish,
    clarification_retract,
    clarification_submit,
)
from moderation.models import Clarification
from moderation.web import request_user


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
        return clarifications_for_user(request_user(self.request))

    @extend_schema(responses={200: ClarificationSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(responses={201: ClarificationSerializer, **ERRORS})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = ClarificationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        clarification = clarification_create(user=request_user(request), **body.validated_data)
        return Response(ClarificationSerializer(clarification).data, status=201)


def _clarification(request: Request, pk: int) -> Clarification:
    return generics.get_object_or_404(clarifications_for_user(request_user(request)), pk=pk)


class ClarificationSubmit(APIView):
    permission_classes = [IsSaringStaff]

    @extend_schema(
        tags=["clarifications"], request=None, responses={200: ClarificationSerializer, **ERRORS}
    )
    @transaction.atomic  # the answer is rendered before the change commits: both, or neither
    def post(self, request: Request, pk: int) -> Response:
        """Send a draft to a KPU approver (draft → in_review)."""
        clarification = clarification_submit(
            clarification=_clarification(request, pk), user=request_user(request)
        )
        return Response(ClarificationSerializer(clarification).data)


class ClarificationPublish(APIView):
    permission_classes = [IsSaringStaff]

    @extend_schema(
        tags=["clarifications"], request=None, responses={200: ClarificationSerializer, **ERRORS}
    )
    @transaction.atomic  # the answer is rendered before the change commits: both, or neither
    def post(self, request: Request, pk: int) -> Response:
        """A KPU approver (not the author) publishes a new frozen version; platforms are told."""
        clarification = clarification_publish(
            clarification=_clarification(request, pk), user=request_user(request)
        )
        return Response(ClarificationSerializer(clarification).data)


class ClarificationRetract(APIView):
    permission_classes = [IsSaringStaff]

    @extend_schema(
        tags=["clarifications"],
        request=RetractSerializer,
        responses={200: ClarificationSerializer, **ERRORS},
    )
    @transaction.atomic  # the answer is rendered before the change commits: both, or neither
    def post(self, request: Request, pk: int) -> Response:
        body = RetractSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        clarification = clarification_retract(
            clarification=_clarification(request, pk),
            user=request_user(request),
            reason=body.validated_data.get("reason", ""),
        )
        return Response(ClarificationSerializer(clarification).data)


class ClarificationVersionList(APIView):
    """Every published version of a clarification, newest first (contract §4)."""

    permission_classes = [IsSaringStaff]

    @extend_schema(
        tags=["clarifications"],
        responses={200: ClarificationVersionSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        clarification = _clarification(request, pk)
        versions = (
            clarification.versions.filter(status=ClarificationStatus.PUBLISHED)
            .select_related("author", "approver")
            .order_by("-version")
        )
        return Response(ClarificationVersionSerializer(versions, many=True).data)
