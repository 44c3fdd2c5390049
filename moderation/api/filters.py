"""Query-string filters of the list endpoints (contract §4). Bad values are 400 problems."""

from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField

from moderation.choices import AuditAction, CaseStatus, ClarificationStatus
from moderation.models import AuditEvent, Case, Clarification, Platform
from moderation.permissions import status_now_q

# The browsable API's filter form is read by people: its labels are translated phrases, and a
# choice left empty reads "any", not Django's dashes.
_ANY = _("semua")


class _UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time turned into UTC, so any offset Python accepts (up to 23:59)
    reaches PostgreSQL as one it accepts too; one that leaves the calendar in UTC is a 400."""

    def to_python(self, value: Any) -> datetime | None:
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(UTC)
        except (OverflowError, ValueError) as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc


class UtcDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = _UtcDateTimeField


class CaseFilter(filters.FilterSet):
    platform = filters.CharFilter(
        method="filter_platform", help_text="Platform slug.", label=_("Platform (slug)")
    )
    video = filters.CharFilter(
        field_name="video__platform_video_id",
        help_text="The platform's video id.",
        label=_("ID video di platform"),
    )
    # As the answer shows it (``case_status_now``): a claim whose lease ran out is new again.
    status = filters.ChoiceFilter(
        choices=CaseStatus.choices,
        label=_("Status"),
        empty_label=_ANY,
        method="filter_status",
    )

    class Meta:
        model = Case
        fields = ["platform", "video", "status"]

    def filter_status(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.filter(status_now_q([value], timezone.now()))

    def filter_platform(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        # A subquery on the slug, so the case indexes on platform_id still apply.
        return queryset.filter(
            platform_id__in=Platform.objects.filter(slug=value).values_list("pk", flat=True)
        )


class ClarificationFilter(filters.FilterSet):
    status = filters.ChoiceFilter(
        choices=ClarificationStatus.choices, label=_("Status"), empty_label=_ANY
    )

    class Meta:
        model = Clarification
        fields = ["status"]


class AuditEventFilter(filters.FilterSet):
    """``actor`` is a username or a user id; ``since`` inclusive, ``until`` exclusive."""

    actor = filters.CharFilter(
        method="filter_actor", help_text="Username or user id.", label=_("Pelaku")
    )
    action = filters.ChoiceFilter(
        choices=AuditAction.choices, label=_("Tindakan"), empty_label=_ANY
    )
    since = UtcDateTimeFilter(
        field_name="created_at", lookup_expr="gte", label=_("Sejak (ISO 8601)")
    )
    until = UtcDateTimeFilter(
        field_name="created_at", lookup_expr="lt", label=_("Sampai (ISO 8601, tidak termasuk)")
    )
    case = filters.NumberFilter(field_name="case_id", label=_("Kasus"))

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "since", "until", "case"]

    def filter_actor(
        self, queryset: QuerySet[AuditEvent], name: str, value: str
    ) -> QuerySet[AuditEvent]:
        if value.isdigit():
            return queryset.filter(actor_id=int(value))
        return queryset.filter(actor__username=value)
