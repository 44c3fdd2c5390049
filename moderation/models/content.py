from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from moderation.choices import FlagSource, RawEventStatus, Reason
from moderation.models.platforms import Platform


class CaptionWords(models.Func):
    """``to_tsvector('simple', caption)``: a caption's words, lower case, unstemmed. Written
    exactly as the ``video_caption_words`` index is, so that queries on it use the index."""

    function = "to_tsvector"
    template = "%(function)s('simple'::regconfig, %(expressions)s)"
    output_field = SearchVectorField()


class Video(models.Model):
    # No index of its own on the foreign keys below where a unique constraint or a composite
    # index already starts with the same column: every index is paid for on every insert.
    platform = models.ForeignKey(
        Platform,
        on_delete=models.PROTECT,
        related_name="videos",
        db_index=False,
        verbose_name=_("platform"),
    )
    platform_video_id = models.CharField(_("ID video platform"), max_length=128)
    url = models.URLField(max_length=1000, blank=True, verbose_name=_("URL"))
    author_id = models.CharField(max_length=128, blank=True, verbose_name=_("ID pembuat"))
    author_handle = models.CharField(max_length=200, blank=True, verbose_name=_("akun pembuat"))
    caption = models.TextField(blank=True, verbose_name=_("keterangan video"))
    language = models.CharField(max_length=35, blank=True, verbose_name=_("bahasa"))
    region = models.CharField(max_length=2, blank=True, verbose_name=_("wilayah"))
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("diterbitkan"))
    view_count = models.BigIntegerField(null=True, blank=True, verbose_name=_("jumlah tayangan"))
    view_count_updated_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("tayangan dibaca")
    )
    thumbnail_url = models.URLField(max_length=1000, blank=True, verbose_name=_("URL gambar mini"))
    # A candidate, party or official account: high-impact decisions on it need approval.
    author_is_political = models.BooleanField(_("akun politik/resmi"), default=False)
    removed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("dihapus"))
    removed_by = models.CharField(max_length=20, blank=True, verbose_name=_("dihapus oleh"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("diperbarui"))

    class Meta:
        verbose_name = _("video")
        verbose_name_plural = _("video")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "platform_video_id"], name="video_unique_per_platform"
            ),
            models.CheckConstraint(
                condition=models.Q(view_count__gte=0) | models.Q(view_count__isnull=True),
                name="video_view_count_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["author_id"]),
            # Hoax waves (review/waves.py) and attaching by search (clarifications/attach.py):
            # the captions that share a caption's rarest words are found through this index,
            # and only those are compared with it.
            GinIndex(CaptionWords("caption"), name="video_caption_words"),
        ]

    def __str__(self) -> str:
        return f"{self.platform_id}:{self.platform_video_id}"


class RawEvent(models.Model):
    """Every signed webhook delivery we accepted, exactly as it came, even for ignored types."""

    platform = models.ForeignKey(  # (platform, webhook_id) is unique: that index serves it
        Platform,
        on_delete=models.PROTECT,
        related_name="raw_events",
        db_index=False,
        verbose_name=_("platform"),
    )
    webhook_id = models.CharField(max_length=256, verbose_name=_("ID webhook"))
    event_type = models.CharField(max_length=100, verbose_name=_("jenis peristiwa"))
    body = models.TextField(verbose_name=_("isi mentah"))
    webhook_timestamp = models.DateTimeField(null=True, blank=True, verbose_name=_("waktu webhook"))
    received_at = models.DateTimeField(db_index=True, verbose_name=_("diterima"))
    status = models.CharField(
        max_length=20,
        choices=RawEventStatus.choices,
        default=RawEventStatus.RECEIVED,
        verbose_name=_("status"),
    )
    processed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("diproses"))
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("percobaan"))
    last_error = models.TextField(blank=True, verbose_name=_("galat terakhir"))
    # What makes the event a duplicate beyond its webhook-id: "flag:<flag_id>" for flag.created.
    # Unique per platform, so one INSERT ... ON CONFLICT DO NOTHING catches both kinds of repeat.
    # NULL, not "", for events without one: the unique constraint ignores NULLs.
    natural_key = models.CharField(  # noqa: DJ001
        max_length=300, null=True, blank=True, verbose_name=_("kunci alami")
    )

    class Meta:
        verbose_name = _("event mentah")
        verbose_name_plural = _("event mentah")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "webhook_id"], name="raw_event_unique_webhook_id"
            ),
            models.UniqueConstraint(
                fields=["platform", "natural_key"],
                condition=models.Q(natural_key__isnull=False),
                name="raw_event_unique_natural_key",
            ),
        ]
        indexes = [
            models.Index(
                fields=["received_at"],
                name="raw_event_unprocessed",
                condition=models.Q(status="received"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.webhook_id}"


class Flag(models.Model):
    platform = models.ForeignKey(  # (platform, platform_flag_id) is unique: that index serves it
        Platform,
        on_delete=models.PROTECT,
        related_name="flags",
        db_index=False,
        verbose_name=_("platform"),
    )
    platform_flag_id = models.CharField(_("ID laporan platform"), max_length=256)
    video = models.ForeignKey(
        Video, on_delete=models.PROTECT, related_name="flags", verbose_name=_("video")
    )
    case = models.ForeignKey(  # the (case, flagged_at) index serves it
        "moderation.Case",
        on_delete=models.PROTECT,
        related_name="flags",
        null=True,
        blank=True,
        db_index=False,
        verbose_name=_("kasus"),
    )
    raw_event = models.ForeignKey(
        RawEvent,
        on_delete=models.PROTECT,
        related_name="flags",
        null=True,
        blank=True,
        verbose_name=_("peristiwa mentah"),
    )
    reason = models.CharField(_("alasan"), max_length=40, choices=Reason.choices)
    source = models.CharField(_("sumber"), max_length=20, choices=FlagSource.choices)
    confidence = models.FloatField(null=True, blank=True, verbose_name=_("keyakinan"))
    note = models.TextField(blank=True, verbose_name=_("catatan"))
    flagged_at = models.DateTimeField(verbose_name=_("dilaporkan"))
    received_at = models.DateTimeField(verbose_name=_("diterima"))

    class Meta:
        verbose_name = _("laporan")
        verbose_name_plural = _("laporan")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "platform_flag_id"], name="flag_unique_per_platform"
            ),
            models.CheckConstraint(
                condition=models.Q(confidence__isnull=True)
                | models.Q(confidence__gte=0, confidence__lte=1),
                name="flag_confidence_0_1",
            ),
        ]
        indexes = [models.Index(fields=["case", "flagged_at"])]  # video: its foreign key's index

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.get_source_display()})"
