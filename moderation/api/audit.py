"""The audit log API (contract §4): supervisors read events, newest first, filtered."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics

from moderation.api.common import ERRORS, Pagination
from moderation.api.filters import AuditEventFilter
from moderation.api.permissions import CanReadAuditLog
from moderation.api.serializers import (
    AuditEventSerializer,
)
from moderation.models import AuditEvent
from moderation.oversight.selectors import audit_events_search
from moderation.web import request_user


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
        return audit_events_search(user=request_user(self.request))
