"""The dashboards' per-day summaries (moderation/oversight/dashboard_days.py): one row per
platform and WIB day with every figure's additive parts, so a page over weeks reads a few
hundred small rows instead of scanning a million cases. A row is used only while nothing it
summarises has changed: the triggers below mark a (platform, day) dirty whenever a case,
decision, pair/party link or callback of a past day is written, and the page computes dirty,
missing and today's days from the tables themselves. docs/decisions/0014-dashboard-days.md."""

import pgtrigger
from django.db import models
from django.utils.translation import gettext_lazy as _


class DashboardDay(models.Model):
    """What happened on one platform on one WIB day, as the dashboards count it. Written only
    by ``dashboard_days_refresh``; ``facts`` holds the breakdowns (dashboard_days.DayFacts)."""

    platform = models.ForeignKey(
        "moderation.Platform", on_delete=models.CASCADE, verbose_name=_("platform")
    )
    day = models.DateField(_("hari (WIB)"))
    opened = models.IntegerField(_("kasus dibuka"), default=0)
    settled = models.IntegerField(_("kasus selesai"), default=0)
    # Minutes from opening to first decision of each case opened that day that has one, sorted,
    # as doubles (a page over weeks reads hundreds of thousands; an array of text would cost
    # more to parse than the rest of the page). subject_minutes: the same per pair and party.
    minutes = models.BinaryField(_("menit ke keputusan pertama"), default=b"", blank=True)
    subject_minutes = models.BinaryField(
        _("menit ke keputusan pertama per peserta pemilu"), default=b"", blank=True
    )
    # The due times (epoch seconds, sorted) of the cases opened that day and not settled, in all
    # and per reason: a reader's clock splits them into running and breached.
    unsettled_dues = models.BinaryField(_("tenggat kasus belum selesai"), default=b"", blank=True)
    reason_dues = models.BinaryField(
        _("tenggat kasus belum selesai per alasan"), default=b"", blank=True
    )
    facts = models.JSONField(_("rincian"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("dihitung"))

    class Meta:
        verbose_name = _("ringkasan harian dasbor")
        verbose_name_plural = _("ringkasan harian dasbor")
        constraints = [
            models.UniqueConstraint(fields=["platform", "day"], name="dashboard_day_unique"),
        ]
        indexes = [models.Index(fields=["day"], name="dashboard_day_day")]

    def __str__(self) -> str:
        return f"{self.platform_id} {self.day}"


class DashboardDirtyDay(models.Model):
    """A (platform, WIB day) whose summary is out of date: appended by the triggers (no
    conflict handling, so writers never wait on each other), removed by the refresh that
    recomputes the day."""

    id = models.BigAutoField(_("nomor"), primary_key=True)
    platform_id = models.BigIntegerField(_("platform"))
    day = models.DateField(_("hari (WIB)"))

    class Meta:
        verbose_name = _("hari dasbor yang berubah")
        verbose_name_plural = _("hari dasbor yang berubah")
        indexes = [models.Index(fields=["day"], name="dashboard_dirty_day")]

    def __str__(self) -> str:
        return f"{self.platform_id} {self.day}"


# The SQL function every trigger below calls, saring_dashboard_mark (created by migration
# 0095_dashboard_days), marks the WIB days of the given moments dirty for the platform, leaving
# out today and later (always computed live).


def dashboard_mark_trigger(name: str, body: str) -> pgtrigger.Trigger:
    """An AFTER INSERT/UPDATE/DELETE row trigger running ``body`` (plpgsql using OLD/NEW)."""
    return pgtrigger.Trigger(
        name=name,
        when=pgtrigger.After,
        operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
        func=body + " RETURN NULL;",
    )


CASE_MARKS = dashboard_mark_trigger(
    "case_dashboard_mark",
    "IF TG_OP = 'UPDATE' AND (OLD.platform_id, OLD.opened_at, OLD.due_at, OLD.first_decided_at,"
    " OLD.closed_at, OLD.flag_count, OLD.reasons) IS NOT DISTINCT FROM (NEW.platform_id,"
    " NEW.opened_at, NEW.due_at, NEW.first_decided_at, NEW.closed_at, NEW.flag_count,"
    " NEW.reasons) THEN RETURN NULL; END IF;"
    # One call when the platform stays: the function marks each distinct day once.
    " IF TG_OP = 'UPDATE' AND OLD.platform_id = NEW.platform_id THEN"
    " PERFORM saring_dashboard_mark(NEW.platform_id, ARRAY[OLD.opened_at,"
    " OLD.first_decided_at, OLD.closed_at, NEW.opened_at, NEW.first_decided_at,"
    " NEW.closed_at]); RETURN NULL; END IF;"
    " IF TG_OP <> 'INSERT' THEN PERFORM saring_dashboard_mark(OLD.platform_id,"
    " ARRAY[OLD.opened_at, OLD.first_decided_at, OLD.closed_at]); END IF;"
    " IF TG_OP <> 'DELETE' THEN PERFORM saring_dashboard_mark(NEW.platform_id,"
    " ARRAY[NEW.opened_at, NEW.first_decided_at, NEW.closed_at]); END IF;",
)

DECISION_MARKS = dashboard_mark_trigger(
    "decision_dashboard_mark",
    "IF TG_OP = 'UPDATE' AND (OLD.case_id, OLD.decided_at, OLD.approval_state, OLD.action,"
    " OLD.category, OLD.decided_by_id) IS NOT DISTINCT FROM (NEW.case_id, NEW.decided_at,"
    " NEW.approval_state, NEW.action, NEW.category, NEW.decided_by_id) THEN RETURN NULL;"
    " END IF;"
    " IF TG_OP = 'UPDATE' AND OLD.case_id = NEW.case_id THEN"
    " PERFORM saring_dashboard_mark((SELECT platform_id FROM moderation_case"
    " WHERE id = NEW.case_id), ARRAY[OLD.decided_at, NEW.decided_at]); RETURN NULL; END IF;"
    " IF TG_OP <> 'INSERT' THEN PERFORM saring_dashboard_mark((SELECT platform_id FROM"
    " moderation_case WHERE id = OLD.case_id), ARRAY[OLD.decided_at]); END IF;"
    " IF TG_OP <> 'DELETE' THEN PERFORM saring_dashboard_mark((SELECT platform_id FROM"
    " moderation_case WHERE id = NEW.case_id), ARRAY[NEW.decided_at]); END IF;",
)

# A pair/party link counts on the case's opening day and on the days of the case's decisions
# (removals and labels per pair and party).
CASE_SUBJECT_MARKS = dashboard_mark_trigger(
    "case_subject_dashboard_mark",
    "IF TG_OP <> 'INSERT' THEN PERFORM saring_dashboard_mark(OLD.case_platform_id,"
    " ARRAY[OLD.case_opened_at] || ARRAY(SELECT decided_at FROM moderation_decision"
    " WHERE case_id = OLD.case_id)); END IF;"
    " IF TG_OP <> 'DELETE' THEN PERFORM saring_dashboard_mark(NEW.case_platform_id,"
    " ARRAY[NEW.case_opened_at] || ARRAY(SELECT decided_at FROM moderation_decision"
    " WHERE case_id = NEW.case_id)); END IF;",
)

DELIVERY_MARKS = dashboard_mark_trigger(
    "delivery_dashboard_mark",
    "IF TG_OP = 'UPDATE' AND (OLD.platform_id, OLD.created_at, OLD.status) IS NOT DISTINCT FROM"
    " (NEW.platform_id, NEW.created_at, NEW.status) THEN RETURN NULL; END IF;"
    " IF TG_OP = 'UPDATE' AND OLD.platform_id = NEW.platform_id THEN"
    " PERFORM saring_dashboard_mark(NEW.platform_id, ARRAY[OLD.created_at, NEW.created_at]);"
    " RETURN NULL; END IF;"
    " IF TG_OP <> 'INSERT' THEN PERFORM saring_dashboard_mark(OLD.platform_id,"
    " ARRAY[OLD.created_at]); END IF;"
    " IF TG_OP <> 'DELETE' THEN PERFORM saring_dashboard_mark(NEW.platform_id,"
    " ARRAY[NEW.created_at]); END IF;",
)
