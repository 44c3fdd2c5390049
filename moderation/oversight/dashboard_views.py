"""The oversight dashboard page, its sections as fragments (HTMX polls them every 30 seconds
while the range reaches today), the statement-of-reasons export, and the case page's
neutrality form. Thin: access, validate, read or call the service."""

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from moderation.choices import Action, DeliveryStatus, SubjectKind
from moderation.errors import ModerationError
from moderation.models import Case
from moderation.oversight import dashboard as figures
from moderation.oversight.charts import Series, bar_chart, hbar_chart, line_chart
from moderation.oversight.dashboard import DashboardScope
from moderation.oversight.dashboard_forms import CaseSubjectsForm, DashboardFilterForm
from moderation.oversight.neutrality import case_subjects_set, neutrality_by_subject
from moderation.oversight.transparency import (
    statements_csv,
    statements_json,
    transparency_export_record,
)
from moderation.permissions import can_read_case, can_read_dashboard
from moderation.web import redirect_back, request_user, workspace_view

SECTION_TEMPLATE = "moderation/oversight/dashboard/_{name}.html"


def _require_reader(request: HttpRequest) -> None:
    if not can_read_dashboard(request_user(request)):
        raise PermissionDenied(_("Dasbor hanya untuk supervisor dan administrator."))


def _day(d: date) -> str:
    return date_format(d, "j M")


def _flow(scope: DashboardScope) -> dict[str, Any]:
    rows = figures.flow_by_day(scope)
    labels = [_day(r.day) for r in rows]
    return {
        "rows": rows,
        "backlog_chart": line_chart(
            "chart-backlog",
            _("Antrean tertunda di akhir tiap hari"),
            labels,
            [Series(_("Tertunda"), [r.backlog for r in rows])],
        ),
        "flow_chart": bar_chart(
            "chart-flow",
            _("Kasus masuk dan keputusan per hari"),
            labels,
            [
                Series(_("Kasus masuk"), [r.opened for r in rows]),
                Series(_("Keputusan"), [r.decided for r in rows]),
            ],
        ),
    }


def _sla(scope: DashboardScope) -> dict[str, Any]:
    by_phase = figures.sla_by_phase(scope)
    by_reason = figures.sla_by_reason(scope)
    for row in by_phase:
        row.label = row.label or _("Di luar tahapan")
    return {
        "by_phase": by_phase,
        "by_reason": by_reason,
        "phase_chart": hbar_chart(
            "chart-sla-phase",
            _("Kepatuhan SLA per tahapan (%)"),
            [(r.label, r.rate or 0) for r in by_phase],
            unit="%",
        ),
        "reason_chart": hbar_chart(
            "chart-sla-reason",
            _("Kepatuhan SLA per alasan (%)"),
            [(r.label, r.rate or 0) for r in by_reason],
            unit="%",
        ),
    }


def _times(scope: DashboardScope) -> dict[str, Any]:
    times = figures.time_to_first_decision(scope)
    return {
        "times": times,
        "chart": line_chart(
            "chart-times",
            _("Menit sampai keputusan pertama, per hari kasus dibuka"),
            [_day(d) for d, _m, _p in times.by_day],
            [
                Series(_("Median"), [m for _d, m, _p in times.by_day]),
                Series(_("Persentil 90"), [p for _d, _m, p in times.by_day]),
            ],
        ),
    }


def _decisions(scope: DashboardScope) -> dict[str, Any]:
    counts = figures.decisions_breakdown(scope)
    by_action = [(str(Action(a).label), n) for a, n in counts.by_action]
    by_category = [(figures.reason_label(c), n) for c, n in counts.by_category]
    return {
        "counts": counts,
        "by_action": by_action,
        "by_category": by_category,
        "action_chart": hbar_chart("chart-actions", _("Keputusan per tindakan"), by_action),
        "category_chart": hbar_chart("chart-categories", _("Keputusan per kategori"), by_category),
    }


def _moderators(scope: DashboardScope) -> dict[str, Any]:
    rows = figures.moderator_throughput(scope)
    return {
        "rows": rows,
        "chart": hbar_chart(
            "chart-moderators",
            _("Keputusan per moderator"),
            [(r.name, r.decisions) for r in rows],
        ),
    }


def _clarifications(scope: DashboardScope) -> dict[str, Any]:
    rows = figures.clarifications_and_labels(scope)
    return {
        "rows": rows,
        "chart": bar_chart(
            "chart-clarifications",
            _("Klarifikasi terbit dan kasus berlabel per hari"),
            [_day(r.day) for r in rows],
            [
                Series(_("Klarifikasi terbit"), [r.published for r in rows]),
                Series(_("Kasus berlabel"), [r.labelled for r in rows]),
            ],
        ),
    }


def _callbacks(scope: DashboardScope) -> dict[str, Any]:
    rows = figures.callback_health(scope)
    return {"rows": rows, "statuses": DeliveryStatus}


def _neutrality(scope: DashboardScope) -> dict[str, Any]:
    groups = neutrality_by_subject(scope)
    pairs = groups.get(SubjectKind.CANDIDATE_PAIR, [])
    return {
        "groups": [(SubjectKind(kind).label, rows) for kind, rows in groups.items() if rows],
        "pairs_chart": bar_chart(
            "chart-neutrality-pairs",
            _("Laporan, penghapusan dan label per pasangan calon"),
            [r.label for r in pairs],
            [
                Series(_("Laporan"), [r.flags for r in pairs]),
                Series(_("Dihapus"), [r.removals for r in pairs]),
                Series(_("Dilabeli"), [r.labels for r in pairs]),
            ],
        )
        if pairs
        else None,
    }


SECTIONS: dict[str, Callable[[DashboardScope], dict[str, Any]]] = {
    "flow": _flow,
    "sla": _sla,
    "times": _times,
    "decisions": _decisions,
    "moderators": _moderators,
    "clarifications": _clarifications,
    "callbacks": _callbacks,
    "neutrality": _neutrality,
}


def _section(name: str, scope: DashboardScope, query: str, generation: str) -> dict[str, Any]:
    """One section's numbers and charts. Shared for ``DASHBOARD_CACHE_SECONDS`` (30, the
    polling interval) between everyone who reads the same range, platforms and language while
    no counted row is added (``data_generation``); 0 turns the cache off."""
    seconds = getattr(settings, "DASHBOARD_CACHE_SECONDS", 30)
    key = ":".join(
        [
            "dashboard",
            name,
            scope.since.isoformat(),
            scope.until.isoformat(),
            ",".join(map(str, scope.platform_ids)) if scope.platform_ids is not None else "*",
            str(scope.is_live),
            get_language() or "",
            generation,
        ]
    )
    figures_of = cache.get(key) if seconds else None
    if figures_of is None:
        figures_of = SECTIONS[name](scope)
        if seconds:
            cache.set(key, figures_of, seconds)
    return {
        "name": name,
        "template": SECTION_TEMPLATE.format(name=name),
        "scope": scope,
        "live": scope.is_live,
        "poll_url": f"{reverse('dashboard_section', args=[name])}?{query}",
        **figures_of,
    }


@require_GET
@workspace_view
def dashboard(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    form = DashboardFilterForm(request.GET or None, user=request_user(request))
    if request.GET and not form.is_valid():
        return render(request, "moderation/oversight/dashboard.html", {"form": form}, status=400)
    if not request.GET:
        # The defaults (the last two weeks), shown in the form as if typed.
        form = DashboardFilterForm({}, user=request_user(request))
        form.is_valid()
        form = DashboardFilterForm(QueryDict(_query(form)), user=request_user(request))
        form.is_valid()
    scope = form.scope()
    query = _query(form)
    context = {
        "form": form,
        "scope": scope,
        "query": query,
        "platform_name": form.platform_name(),
    }
    with figures.dashboard_reads():
        generation = figures.data_generation()
        context["sections"] = [_section(name, scope, query, generation) for name in SECTIONS]
    return render(request, "moderation/oversight/dashboard.html", context)


def _query(form: DashboardFilterForm) -> str:
    return urlencode(
        {
            "since": form.cleaned_data["since"].isoformat(),
            "until": form.cleaned_data["until"].isoformat(),
            "platform": form.cleaned_data.get("platform") or "",
        }
    )


@require_GET
@workspace_view
def dashboard_section(request: HttpRequest, name: str) -> HttpResponse:
    """One section, for HTMX polling."""
    _require_reader(request)
    if name not in SECTIONS:
        raise Http404()
    form = DashboardFilterForm(request.GET, user=request_user(request))
    if not form.is_valid():
        return render(
            request, "moderation/oversight/dashboard/_errors.html", {"form": form}, status=400
        )
    with figures.dashboard_reads():
        section = _section(name, form.scope(), _query(form), figures.data_generation())
    return render(request, "moderation/oversight/dashboard/_section.html", {"section": section})


EXPORT_FORMATS = {
    "csv": ("text/csv; charset=utf-8", statements_csv),
    "json": ("application/json", statements_json),
}


@require_GET
@workspace_view
def transparency_export(request: HttpRequest) -> HttpResponse:
    """The statements of reasons of the filtered range, streamed; the export is audited."""
    _require_reader(request)
    user = request_user(request)
    form = DashboardFilterForm(request.GET, user=user)
    fmt = request.GET.get("format", "csv")
    if fmt not in EXPORT_FORMATS:
        form.is_valid()
        form.add_error(None, _("Format ekspor harus csv atau json."))
    if not form.is_valid():
        return render(request, "moderation/oversight/dashboard.html", {"form": form}, status=400)
    scope = form.scope()
    content_type, stream = EXPORT_FORMATS[fmt]
    transparency_export_record(user=user, scope=scope, fmt=fmt)
    response = StreamingHttpResponse(stream(scope), content_type=content_type)
    name = f"statements-of-reasons_{scope.since.isoformat()}_{scope.until.isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response  # type: ignore[return-value]  # streamed; workspace_view passes it on


@require_POST
@workspace_view
def case_subjects(request: HttpRequest, pk: int) -> HttpResponse:
    """The case page's neutrality form: which pairs, parties or candidates the content
    concerns."""
    user = request_user(request)
    case = Case.objects.filter(pk=pk).first()
    if case is None:
        raise Http404()
    if not can_read_case(user, case):
        raise PermissionDenied()
    back = reverse("case_detail", args=[pk])
    form = CaseSubjectsForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("subjects", []):
            messages.error(request, str(error))
        return redirect_back(request, back)
    try:
        case_subjects_set(
            case=case, user=user, subject_ids=[s.pk for s in form.cleaned_data["subjects"]]
        )
    except ModerationError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Peserta pemilu pada kasus ini disimpan."))
    return redirect_back(request, back)
