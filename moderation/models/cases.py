from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from moderation.choices import OPEN_CASE_STATUSES, CaseStatus, CloseReason, Reason
from moderation.models.content import Video
from moderation.models.dashboard import CASE_MARKS
from moderation.models.platforms import Platform


class Case(models.Model):
    """One video with one or more flags. Its state changes only through services."""

    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, related_name="cases", verbose_name=_("platform")
    )
    video = models.ForeignKey(  # the case_video_opened index (video, -opened_at) serves it
        Video,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
        verbose_name=_("video"),
    )
    status = models.CharField(
        _("status"), max_length=30, choices=CaseStatus.choices, default=CaseStatus.NEW
    )
    priority = models.IntegerField(_("prioritas"), default=0)
    # [{"signal": "reach", "label": "views 2.5M", "points": 40}, ...]
    priority_breakdown = models.JSONField(_("rincian prioritas"), default=list, blank=True)
    flag_count = models.PositiveIntegerField(_("jumlah laporan"), default=0)
    reasons = ArrayField(
        models.CharField(max_length=40, choices=Reason.choices),
        default=list,
        blank=True,
        verbose_name=_("alasan"),
    )
    # Denormalised from the video so that queues filter without a join.
    language = models.CharField(max_length=35, blank=True, verbose_name=_("bahasa"))
    # The video's views as last seen while the case was open; frozen once it is decided or
    # closed, so it is the reach the decision was taken on. A re-flag reopens a settled case
    # when the video has since grown past TuningParameter "reopen.reach_growth_factor" times it.
    view_count = models.BigIntegerField(_("jumlah tayangan"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
        null=True,
        blank=True,
        verbose_name=_("penanggung jawab"),
    )
    lease_expires_at = models.DateTimeField(null=True, blank=True, verbose_name=_("klaim berakhir"))
    due_at = models.DateTimeField(_("tenggat SLA"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, verbose_name=_("versi"))
    reopened_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="reopened_as",
        null=True,
        blank=True,
        verbose_name=_("dibuka ulang dari"),
    )
    # True while a decision on it waits for a supervisor.
    awaiting_approval = models.BooleanField(default=False, verbose_name=_("menunggu persetujuan"))
    close_reason = models.CharField(
        max_length=40, choices=CloseReason.choices, blank=True, verbose_name=_("alasan penutupan")
    )
    opened_at = models.DateTimeField(verbose_name=_("dibuka"))
    last_flag_at = models.DateTimeField(null=True, blank=True, verbose_name=_("laporan terakhir"))
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("diputuskan"))
    # When the first decision that took effect (not held, or held and approved) was recorded.
    # Kept by the decision_first_on_case trigger on Decision (never written by code), so the
    # dashboards read time to first decision, SLA and backlog from this table alone.
    first_decided_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("keputusan pertama")
    )
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ditutup"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("diperbarui"))

    class Meta:
        verbose_name = _("kasus")
        verbose_name_plural = _("kasus")
        triggers = [CASE_MARKS]
        constraints = [
            models.UniqueConstraint(
                fields=["video"],
                condition=models.Q(status__in=OPEN_CASE_STATUSES),
                name="case_one_open_per_video",
            ),
            models.CheckConstraint(
                condition=models.Q(assignee__isnull=True)
                | models.Q(lease_expires_at__isnull=False),
                name="case_claim_has_lease",
            ),
        ]
        indexes = [
            # The claim-next query: unclaimed open work, highest priority first.
            models.Index(
                fields=["platform", "-priority", "opened_at"],
                name="case_queue_unclaimed",
                condition=models.Q(status__in=["new", "appealed"], assignee__isnull=True),
            ),
            models.Index(fields=["status", "-priority"], name="case_status_priority"),
            models.Index(
                fields=["lease_expires_at"],
                name="case_lease_active",
                condition=models.Q(assignee__isnull=False),
            ),
            models.Index(fields=["due_at"], name="case_due_at"),
            models.Index(fields=["video", "-opened_at"], name="case_video_opened"),
            # The queue lists: open cases in each of the list's sort orders, so a page of 100
            # is an index walk, not a sort of every open case (bench/results/queue.md).
            models.Index(
                fields=["-priority", "opened_at", "id"],
                name="case_open_by_priority",
                condition=models.Q(status__in=OPEN_CASE_STATUSES),
            ),
            models.Index(
                fields=["due_at", "id"],
                name="case_open_by_due",
                condition=models.Q(status__in=OPEN_CASE_STATUSES),
            ),
            models.Index(
                fields=["opened_at", "id"],
                name="case_open_by_age",
                condition=models.Q(status__in=OPEN_CASE_STATUSES),
            ),
            # A case's platform without its row: the dashboards read it for each decision of a
            # day (decisions carry no platform), an index-only lookup instead of a heap fetch.
            models.Index(fields=["id"], include=["platform"], name="case_platform_by_id"),
            # The oversight dashboards: every case figure is a range over opened_at, read
            # from the index alone (bench/results/dashboard.md).
            models.Index(
                fields=["opened_at"],
                name="case_opened_dashboard",
                include=[
                    "id",  # to join the day's pair/party links without the rows
                    "platform",
                    "due_at",
                    "first_decided_at",
                    "closed_at",
                    "flag_count",
                    "reasons",
                ],
            ),
            # ... and the cases settled (first decided or closed) in a range, for the backlog.
            models.Index(
                fields=["first_decided_at"],
                name="case_first_decided_dashboard",
                include=["platform", "closed_at", "opened_at"],
                condition=models.Q(first_decided_at__isnull=False),
            ),
            models.Index(
                fields=["closed_at"],
                name="case_closed_dashboard",
                include=["platform", "first_decided_at", "opened_at"],
                condition=models.Q(closed_at__isnull=False),
            ),
            models.Index(
                fields=["opened_at"],
                name="case_unsettled_dashboard",
                include=["platform"],
                condition=models.Q(first_decided_at__isnull=True, closed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.video}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CASE_STATUSES
