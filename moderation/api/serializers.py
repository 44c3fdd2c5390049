"""API shapes (contract §4). Output serializers read prefetched rows; input serializers check
shape only. Rules and writes stay in the services."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.core.validators import RegexValidator
from django.db import models
from rest_framework import serializers

from moderation.choices import (
    Action,
    AutomatedDecision,
    ClarificationRating,
    CloseReason,
    Ground,
    Reason,
)
from moderation.models import (
    AuditEvent,
    Case,
    CaseClarification,
    Clarification,
    ClarificationVersion,
    Decision,
    Flag,
    User,
)
from moderation.models.clarifications import validate_official_source
from moderation.permissions import case_holder_id, case_status_now


class DateTimeField(serializers.DateTimeField):
    """DRF's date-time, shown in WIB; a stored date that WIB would push past year 9999 (from
    before the webhook's date window) is shown in UTC instead of failing the whole answer."""

    def to_representation(self, value: Any) -> Any:
        try:
            return super().to_representation(value)
        except (serializers.ValidationError, OverflowError, ValueError):
            return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class ModelSerializer[T: models.Model](serializers.ModelSerializer[T]):
    """Our model serializers: model date-times use the DateTimeField above."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: DateTimeField,
    }


def username_field() -> serializers.SlugRelatedField[User]:
    """A user shown by username (read-only)."""
    return serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)


# --- Cases -------------------------------------------------------------------------------------


class VideoRefSerializer(serializers.Serializer):
    """``video`` in a case: the platform's slug, its video id and the URL."""

    platform = serializers.CharField(source="platform.slug")
    id = serializers.CharField(source="platform_video_id")
    url = serializers.URLField()


class VideoSerializer(VideoRefSerializer):
    author_id = serializers.CharField()
    author_handle = serializers.CharField()
    caption = serializers.CharField()
    language = serializers.CharField()
    region = serializers.CharField()
    published_at = DateTimeField(allow_null=True)
    view_count = serializers.IntegerField(allow_null=True)
    thumbnail_url = serializers.CharField(help_text="http(s) URL, or empty when none was sent.")
    author_is_political = serializers.BooleanField()


class CaseListSerializer(ModelSerializer):
    reasons = serializers.ListField(child=serializers.CharField())
    video = VideoRefSerializer()
    # A claim whose lease ran out holds nothing (permissions.lease_is_live): the status and
    # assignee are the case's as they are now, whatever the expiry job has done yet.
    status = serializers.SerializerMethodField()
    assignee = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "status",
            "priority",
            "flag_count",
            "reasons",
            "video",
            "assignee",
            "due_at",
        ]
        read_only_fields = fields

    def get_status(self, case: Case) -> str:
        return case_status_now(case)

    def get_assignee(self, case: Case) -> str | None:
        return case.assignee.get_username() if case_holder_id(case) and case.assignee else None


class FlagSerializer(ModelSerializer):
    flag_id = serializers.CharField(source="platform_flag_id")

    class Meta:
        model = Flag
        fields = ["id", "flag_id", "reason", "source", "confidence", "note", "flagged_at"]
        read_only_fields = fields


class PriorityLineSerializer(serializers.Serializer):
    signal = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # DRF pops declared fields
    points = serializers.IntegerField()


class DecisionSerializer(ModelSerializer):
    decided_by = username_field()
    approved_by = username_field()
    is_final = serializers.BooleanField(read_only=True)

    class Meta:
        model = Decision
        fields = [
            "id",
            "case",
            "action",
            "ground",
            "category",
            "statement_of_reasons",
            "clarification",
            "automated_detection",
            "automated_decision",
            "territorial_scope",
            "facts",
            "decided_by",
            "decided_at",
            "case_version",
            "supersedes",
            "approval_state",
            "approved_by",
            "approved_at",
            "approval_note",
            "is_final",
        ]
        read_only_fields = fields


class AttachedClarificationSerializer(ModelSerializer):
    id = serializers.IntegerField(source="clarification.id")
    title = serializers.CharField(source="clarification.title")
    rating = serializers.CharField(source="clarification.rating")
    status = serializers.CharField(source="clarification.status")
    version = serializers.IntegerField(source="clarification.version")
    attached_by = username_field()

    class Meta:
        model = CaseClarification
        fields = ["id", "title", "rating", "status", "version", "attached_by", "attached_at"]
        read_only_fields = fields


class CaseDetailSerializer(CaseListSerializer):
    """One case with its flags, clarifications and decisions; ``version`` is what a decision
    must send back."""

    close_reason = serializers.ChoiceField(
        choices=CloseReason.choices, allow_blank=True, read_only=True
    )
    video = VideoSerializer()
    priority_breakdown = PriorityLineSerializer(many=True)
    flags = FlagSerializer(many=True)
    clarifications = AttachedClarificationSerializer(many=True, source="case_clarifications")
    decisions = DecisionSerializer(many=True)

    class Meta:
        model = Case
        fields = [
            *CaseListSerializer.Meta.fields,
            "version",
            "language",
            "awaiting_approval",
            "lease_expires_at",
            "opened_at",
            "last_flag_at",
            "decided_at",
            "closed_at",
            "close_reason",
            "priority_breakdown",
            "flags",
            "clarifications",
            "decisions",
        ]
        read_only_fields = fields


# --- Inputs ------------------------------------------------------------------------------------


class ClaimNextSerializer(serializers.Serializer):
    queue = serializers.SlugField(
        required=False, allow_blank=True, help_text="A queue slug; default (or empty): any case."
    )


class ReleaseSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="Given: the release is recorded as a skip with this reason.",
    )


class DecisionCreateSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=Action.choices)
    ground = serializers.ChoiceField(choices=Ground.choices)
    category = serializers.ChoiceField(choices=Reason.choices)
    statement_of_reasons = serializers.CharField(max_length=5000)
    clarification = serializers.PrimaryKeyRelatedField(
        queryset=Clarification.objects.all(), required=False, allow_null=True
    )
    version = serializers.IntegerField(
        min_value=1, help_text="The case version the decider saw; a stale one gets 409."
    )
    automated_detection = serializers.BooleanField(required=False, default=False)
    automated_decision = serializers.ChoiceField(
        choices=AutomatedDecision.choices, required=False, default=AutomatedDecision.NOT_AUTOMATED
    )
    territorial_scope = serializers.ListField(
        child=serializers.RegexField(r"^[A-Z]{2}$"), required=False, default=list
    )
    facts = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["action"] == Action.LABEL and not attrs.get("clarification"):
            raise serializers.ValidationError(
                {"clarification": "A label decision needs a published clarification."}
            )
        return attrs


class AttachSerializer(serializers.Serializer):
    clarification = serializers.PrimaryKeyRelatedField(queryset=Clarification.objects.all())


# --- Clarifications ----------------------------------------------------------------------------


class ClarificationSerializer(ModelSerializer):
    author = username_field()
    approver = username_field()
    rating = serializers.ChoiceField(choices=ClarificationRating.choices)
    # URLs or regulation references; the service says which one is neither.
    sources = serializers.ListField(
        child=serializers.CharField(max_length=1000, validators=[validate_official_source]),
        required=False,
    )

    class Meta:
        model = Clarification
        # Text must have a visible character: DRF trims it, and blank is refused. The pattern
        # says so in the schema.
        extra_kwargs = {
            field: {"validators": [RegexValidator(r"\S", "must not be blank")]}
            for field in ("claim", "title", "body", "language")
        }
        fields = [
            "id",
            "claim",
            "rating",
            "title",
            "body",
            "title_en",
            "body_en",
            "language",
            "sources",
            "status",
            "version",
            "author",
            "approver",
            "created_at",
            "updated_at",
            "published_at",
            "retracted_at",
        ]
        read_only_fields = [
            "id",
            "status",
            "version",
            "author",
            "approver",
            "created_at",
            "updated_at",
            "published_at",
            "retracted_at",
        ]


class ClarificationVersionSerializer(serializers.ModelSerializer):
    author = username_field()
    approver = username_field()

    class Meta:
        model = ClarificationVersion
        fields = [
            "version",
            "claim",
            "rating",
            "title",
            "body",
            "title_en",
            "body_en",
            "sources",
            "author",
            "approver",
            "published_at",
        ]
        read_only_fields = fields


class RetractSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


# --- Audit -------------------------------------------------------------------------------------


class AuditEventSerializer(ModelSerializer):
    actor = username_field()

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "actor",
            "actor_kind",
            "actor_organisation",
            "action",
            "object_type",
            "object_id",
            "case",
            "before",
            "after",
            "ip_address",
            "request_id",
        ]
        read_only_fields = fields


class SuggestedClarificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    claim = serializers.CharField()
    rating = serializers.CharField()
    version = serializers.IntegerField()


class SuggestionSerializer(serializers.Serializer):
    """One published clarification suggested for a case (contract §4)."""

    clarification = SuggestedClarificationSerializer()
    score = serializers.FloatField(min_value=0, max_value=1)
    matched = serializers.ListField(child=serializers.CharField())


class SuggestionListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = SuggestionSerializer(many=True)
