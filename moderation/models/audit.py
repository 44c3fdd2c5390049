from typing import Any

import pgtrigger
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import TextField, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _

from moderation.choices import ActorKind, AuditAction


class StoredGeneratedField(models.GeneratedField):
    """A stored generated column whose system checks do not ask the database server.

    Django's checks for GeneratedField read the server's features, which connects: with the
    database down, ``manage.py check`` and a Celery worker's start-up (which runs the checks)
    would fail instead of starting and recording what fails. We run on PostgreSQL only
    (ADR 0001), which has stored generated columns since version 12."""

    def _check_supported(self, databases: Any) -> list[Any]:
        return []

    def _check_persistence(self, databases: Any) -> list[Any]:
        return []


class AuditEvent(models.Model):
    """Who did what to which object, with before and after values.

    Append-only from day one: PostgreSQL triggers refuse UPDATE and DELETE. (TRUNCATE is
    left to the table owner: the test runner flushes with it; see docs/decisions/0002.)
    Sealing (``AuditSeal``) chains digests over ranges of events so that tampering with the
    table behind the triggers' back is detected by ``manage.py verify_audit_log``.
    """

    created_at = models.DateTimeField(verbose_name=_("waktu"))  # the audit_time index serves it
    actor = models.ForeignKey(  # the audit_actor index (actor, -created_at) serves it
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="audit_events",
        null=True,
        blank=True,
        db_index=False,
        verbose_name=_("pelaku"),
    )
    actor_kind = models.CharField(
        max_length=20, choices=ActorKind.choices, verbose_name=_("jenis pelaku")
    )
    actor_organisation = models.ForeignKey(
        "moderation.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisasi pelaku"),
    )
    action = models.CharField(
        max_length=40, choices=AuditAction.choices, verbose_name=_("tindakan")
    )
    object_type = models.CharField(max_length=40, verbose_name=_("jenis objek"))
    object_id = models.CharField(max_length=64, verbose_name=_("ID objek"))
    case = models.ForeignKey(  # the audit_case index (case, id) serves it
        "moderation.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        db_index=False,
        verbose_name=_("kasus"),
    )
    before = models.JSONField(default=dict, blank=True, verbose_name=_("sebelum"))
    after = models.JSONField(default=dict, blank=True, verbose_name=_("sesudah"))
    ip_address = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("alamat IP"))
    # Our own id of the request (RequestIdMiddleware); a client's X-Request-ID is kept beside
    # it, never instead of it, so that a client cannot choose the id an event is found by.
    request_id = models.CharField(max_length=64, blank=True, verbose_name=_("ID permintaan"))
    client_request_id = models.CharField(
        max_length=64, blank=True, db_default="", verbose_name=_("ID permintaan klien")
    )
    # The audit page's free-text search: object id, action, request ids and the before/after
    # values, as words ('simple' configuration: no stemming, names and ids stay whole).
    search = StoredGeneratedField(
        expression=SearchVector(
            Concat(
                "action",
                Value(" "),
                "object_type",
                Value(" "),
                "object_id",
                Value(" "),
                "request_id",
                Value(" "),
                "client_request_id",
                Value(" "),
                Cast("before", TextField()),
                Value(" "),
                Cast("after", TextField()),
                output_field=TextField(),
            ),
            config="simple",
        ),
        output_field=SearchVectorField(),
        db_persist=True,
        verbose_name=_("pencarian"),
    )

    class Meta:
        verbose_name = _("peristiwa audit")
        verbose_name_plural = _("peristiwa audit")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["created_at", "id"], name="audit_time"),
            models.Index(fields=["case", "id"], name="audit_case"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor"),
            models.Index(fields=["action", "-created_at"], name="audit_action"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor_organisation", "-created_at"], name="audit_organisation"),
            GinIndex(fields=["search"], name="audit_search"),
        ]
        triggers = [
            pgtrigger.Protect(
                name="audit_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"


class AuditSeal(models.Model):
    """A digest over a contiguous range of audit events, chained to the previous seal."""

    first_event_id = models.BigIntegerField(verbose_name=_("peristiwa pertama"))
    last_event_id = models.BigIntegerField(unique=True, verbose_name=_("peristiwa terakhir"))
    event_count = models.PositiveIntegerField(verbose_name=_("jumlah peristiwa"))
    digest = models.CharField(max_length=64, verbose_name=_("sidik"))
    previous_digest = models.CharField(
        max_length=64, blank=True, verbose_name=_("sidik sebelumnya")
    )
    sealed_at = models.DateTimeField(verbose_name=_("disegel"))

    class Meta:
        verbose_name = _("segel audit")
        verbose_name_plural = _("segel audit")
        ordering = ["last_event_id"]
        triggers = [
            pgtrigger.Protect(
                name="audit_seal_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_event_id}-{self.last_event_id} {self.digest[:12]}"


class AuditVerification(models.Model):
    """One run of ``audit_log_verify`` (the periodic task or ``manage.py verify_audit_log``):
    what the audit page shows as the seal chain's state."""

    started_at = models.DateTimeField(verbose_name=_("mulai"))
    finished_at = models.DateTimeField(verbose_name=_("selesai"))
    ok = models.BooleanField(verbose_name=_("utuh"))
    seals = models.PositiveIntegerField(verbose_name=_("segel"))
    events = models.BigIntegerField(verbose_name=_("peristiwa"))
    last_event_id = models.BigIntegerField(
        null=True, blank=True, verbose_name=_("peristiwa terakhir")
    )
    first_problem = models.TextField(blank=True, verbose_name=_("masalah pertama"))
    problem_count = models.PositiveIntegerField(default=0, verbose_name=_("jumlah masalah"))

    class Meta:
        verbose_name = _("verifikasi log audit")
        verbose_name_plural = _("verifikasi log audit")
        ordering = ["-finished_at"]
        indexes = [models.Index(fields=["-finished_at"], name="audit_verification_recent")]

    def __str__(self) -> str:
        return f"{self.finished_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'BROKEN'}"
