"""The audit log in the browser (supervisors and administrators; platform supervisors see
their platform's events and their own organisation's staff): the filtered log with keyset
pages, one event with its before/after diff, the streamed export and its progress, and the
seal chain's state. Thin: access, validate, selector or service."""

import secrets
from typing import Any, cast
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from moderation.choices import AuditExportFormat
from moderation.errors import InvalidInput, NotPermitted
from moderation.models import AuditEvent, User
from moderation.oversight.audit_export import (
    audit_export_lines,
    audit_export_progress,
    audit_export_progress_set,
    audit_export_progress_start,
    audit_export_record,
)
from moderation.oversight.audit_forms import AuditFilterForm
from moderation.oversight.audit_search import (
    AuditFilter,
    TextPlan,
    audit_diff,
    audit_event_for_user,
    audit_events_filtered,
    audit_matches,
    audit_page,
    planned,
    text_plan,
)
from moderation.oversight.audit_verification import audit_chain_state
from moderation.permissions import can_read_audit_log, platform_scope
from moderation.web import request_user, workspace_view

PAGING_KEYS = ("after", "before")
TOKEN_CHARS = set("0123456789abcdef")


def _require_reader(user: User) -> None:
    if not can_read_audit_log(user):
        raise NotPermitted(_("Log audit hanya untuk supervisor dan administrator."))


def _filter_query(params: QueryDict, **extra: str) -> str:
    """The filter's query string without paging (and with ``extra``)."""
    kept = [(k, v) for k, values in params.lists() for v in values if k not in PAGING_KEYS]
    kept = [(k, v) for k, v in kept if k not in extra and k not in ("format", "progress") and v]
    return urlencode(kept + [(k, v) for k, v in extra.items() if v])


def _only_text(audit_filter: AuditFilter, plan: TextPlan, user: User) -> bool:
    """A common word is the only filter and the reader sees every event: more than the
    count's cap match, known already. (The word was counted over the whole log: for a
    platform's reader it says nothing about the events they may see, and must not.)"""
    return (
        plan.common
        and audit_filter == AuditFilter(text=audit_filter.text)
        and platform_scope(user) is None
    )


def _page_context(request: HttpRequest, user: User, form: AuditFilterForm) -> dict[str, Any]:
    return {
        "form": form,
        "chain": audit_chain_state(),
        "formats": AuditExportFormat.choices,
        "export_token": secrets.token_hex(8),
        "query": _filter_query(request.GET),
    }


@require_GET
@workspace_view
def audit_log(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    _require_reader(user)
    form = AuditFilterForm(request.GET or None, user=user)
    context = _page_context(request, user, form)
    if request.GET and not form.is_valid():
        return render(request, "moderation/oversight/audit_log.html", context, status=400)
    audit_filter = form.audit_filter() if form.is_bound else AuditFilterForm.empty()
    qs = audit_events_filtered(user=user, audit_filter=audit_filter)
    try:
        plan = text_plan(audit_filter.text)
        with planned(plan):
            page = audit_page(
                qs, after=request.GET.get("after", ""), before=request.GET.get("before", "")
            )
            counted, more, estimate = audit_matches(
                qs, known_more=_only_text(audit_filter, plan, user)
            )
    except InvalidInput as exc:
        errors = exc.extra.get("errors") or {}
        context["page_error"] = "; ".join(str(v) for v in errors.values()) or exc.detail
        return render(request, "moderation/oversight/audit_log.html", context, status=400)
    context.update(
        page=page,
        counted=counted,
        more=more,
        estimate=estimate,
        newer_url=f"?{_filter_query(request.GET, before=page.newer)}" if page.newer else "",
        older_url=f"?{_filter_query(request.GET, after=page.older)}" if page.older else "",
        first_url=f"?{_filter_query(request.GET)}",
        paged=bool(request.GET.get("after") or request.GET.get("before")),
    )
    return render(request, "moderation/oversight/audit_log.html", context)


def audit_object_link(event: AuditEvent) -> tuple[str, str]:
    """(label, url) of what an event is about: its case, decision or clarification."""
    if event.object_type == "clarification" and event.object_id.isdigit():
        return (
            _("Klarifikasi #%(id)s") % {"id": event.object_id},
            reverse("clarification_public", args=[int(event.object_id)]),
        )
    if event.case_id:
        url = reverse("case_detail", args=[event.case_id])
        if event.object_type == "decision":
            return _("Keputusan #%(id)s") % {"id": event.object_id}, f"{url}#decisions-h"
        return _("Kasus #%(id)s") % {"id": event.case_id}, url
    return "", ""


@require_GET
@workspace_view
def audit_event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    _require_reader(user)
    event = audit_event_for_user(user=user, event_id=pk)
    label, url = audit_object_link(event)
    context = {
        "event": event,
        "diff": audit_diff(event),
        "object_label": label,
        "object_url": url,
        "case_url": reverse("case_detail", args=[event.case_id]) if event.case_id else "",
        "back": request.GET.get("back", ""),
    }
    return render(request, "moderation/oversight/audit_event.html", context)


@require_GET
@workspace_view
def audit_export(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    _require_reader(user)
    form = AuditFilterForm(request.GET, user=user)
    context = _page_context(request, user, form)
    export_format = request.GET.get("format", AuditExportFormat.CSV)
    if export_format not in AuditExportFormat.values:
        context["page_error"] = _("Format ekspor tidak dikenal: %(f)s") % {"f": export_format}
        return render(request, "moderation/oversight/audit_log.html", context, status=400)
    if not form.is_valid():
        return render(request, "moderation/oversight/audit_log.html", context, status=400)
    audit_filter = form.audit_filter()
    qs = audit_events_filtered(user=user, audit_filter=audit_filter)
    plan = text_plan(audit_filter.text)
    with planned(plan):
        empty = not qs.exists()
        # Counted only for an export that will run (an empty one is refused below).
        estimate = (
            0 if empty else audit_matches(qs, known_more=_only_text(audit_filter, plan, user))[2]
        )
    if empty:
        context["page_error"] = _(
            "Tidak ada peristiwa audit yang cocok dengan saringan ini: tidak ada yang diekspor."
        )
        return render(request, "moderation/oversight/audit_log.html", context, status=400)
    audit_export_record(
        user=user, audit_filter=audit_filter, export_format=export_format, estimate=estimate
    )
    token = request.GET.get("progress", "")
    on_progress = None
    if token and len(token) <= 32 and set(token) <= TOKEN_CHARS:
        audit_export_progress_start(user=user, token=token, estimate=estimate)

        def on_progress(done: int, finished: bool) -> None:
            audit_export_progress_set(user=user, token=token, done=done, finished=finished)

    as_csv = export_format == AuditExportFormat.CSV
    response = StreamingHttpResponse(
        audit_export_lines(qs, export_format=export_format, on_progress=on_progress, plan=plan),
        content_type="text/csv; charset=utf-8" if as_csv else "application/x-ndjson",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    extension = "csv" if as_csv else "jsonl"
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.{extension}"'
    response["X-Estimated-Rows"] = str(estimate)
    response["Cache-Control"] = "no-store"
    return cast(HttpResponse, response)  # a streamed response, where a view returns one


@require_GET
@workspace_view
def audit_export_progress_view(request: HttpRequest) -> HttpResponse:
    """The progress fragment the page polls while an export streams."""
    user = request_user(request)
    _require_reader(user)
    token = request.GET.get("token", "")
    state = None
    if token and len(token) <= 32 and set(token) <= TOKEN_CHARS:
        state = audit_export_progress(user=user, token=token)
    return render(request, "moderation/oversight/_audit_export_progress.html", {"state": state})
