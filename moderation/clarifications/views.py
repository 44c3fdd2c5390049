"""The KPU clarification workspace: list and search, the editor with its live preview, the
review queue, versions and their diff. Access first, then the form, then the service."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from moderation.choices import ClarificationRating, ClarificationStatus, Reason
from moderation.clarifications.diff import version_diff
from moderation.clarifications.forms import (
    ClarificationForm,
    ClarificationSearchForm,
    PreviewForm,
    RetractForm,
    ReturnForm,
    lines,
)
from moderation.clarifications.public import source_items
from moderation.clarifications.selectors import (
    ClarificationFilters,
    clarification_authors,
    clarification_versions,
    clarifications_for_user,
    clarifications_in_review,
    clarifications_search,
)
from moderation.clarifications.services import (
    clarification_create,
    clarification_publish,
    clarification_publish_check,
    clarification_retract,
    clarification_return,
    clarification_revision,
    clarification_submit,
    clarification_update,
    clarification_working_copy,
    edit_token,
)
from moderation.errors import ModerationError, NotPermitted
from moderation.models import Clarification, ClarificationVersion, User
from moderation.permissions import (
    can_create_clarification,
    can_publish_clarifications,
    can_read_clarification_drafts,
    can_write_clarifications,
)
from moderation.web import request_user, workspace_view

PAGE_SIZE = 25


def reason_labels(reasons: list[str]) -> list[tuple[str, str]]:
    labels = dict(Reason.choices)
    return [(r, str(labels.get(r, r))) for r in reasons]


def _clarification(request: HttpRequest, pk: int) -> Clarification:
    return get_object_or_404(clarifications_for_user(request_user(request)), pk=pk)


@workspace_view
def clarification_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    authors = list(clarification_authors().values_list("username", flat=True))
    form = ClarificationSearchForm(request.GET or None, authors=authors)
    filters = ClarificationFilters()
    if form.is_valid():
        filters = ClarificationFilters(**form.cleaned_data)
    rows = clarifications_search(user, filters).order_by("-updated_at", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "moderation/clarifications/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_create": can_create_clarification(user),
            "in_review": len(clarifications_in_review(user))
            if can_read_clarification_drafts(user)
            else None,
        },
    )


def _editor(
    request: HttpRequest,
    form: ClarificationForm,
    clarification: Clarification | None,
    *,
    status: int = 200,
) -> HttpResponse:
    revision = clarification_revision(clarification) if clarification else None
    copy = revision or clarification
    return render(
        request,
        "moderation/clarifications/editor.html",
        {
            "form": form,
            "clarification": clarification,
            "revising": clarification is not None
            and clarification.status == ClarificationStatus.PUBLISHED,
            "next_version": (clarification.version + 1) if clarification else 1,
            "review_note": copy.review_note if copy is not None else "",
            "action": reverse("clarification_edit", args=[clarification.pk])
            if clarification
            else reverse("clarification_new"),
            "cancel": reverse("clarification_detail", args=[clarification.pk])
            if clarification
            else reverse("clarification_list"),
            "draft_key": f"clarification-{clarification.pk if clarification else 'new'}",
        },
        status=status,
    )


@workspace_view
def clarification_new(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not can_create_clarification(user):
        raise NotPermitted(_("Hanya staf KPU yang dapat menulis klarifikasi."))
    if request.method != "POST":
        return _editor(request, ClarificationForm(initial={"token": "new"}), None)
    form = ClarificationForm(request.POST)
    if not form.is_valid():
        return _editor(request, form, None, status=400)
    try:
        clarification = clarification_create(user=user, **form.fields_for_service())
    except ModerationError as exc:
        form.add_service_error(exc)
        return _editor(request, form, None, status=exc.status_code)
    messages.success(request, _("Draf klarifikasi #%(id)s disimpan.") % {"id": clarification.pk})
    return redirect("clarification_edit", pk=clarification.pk)


@workspace_view
def clarification_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The editor of the text being written: the draft, or the next version of a published
    clarification (its published text stays live until the new one is published)."""
    user = request_user(request)
    if not can_write_clarifications(user):
        raise NotPermitted(_("Hanya staf KPU yang dapat menulis klarifikasi."))
    clarification = _clarification(request, pk)
    copy = clarification_working_copy(clarification)
    editable = clarification.status == ClarificationStatus.DRAFT or (
        clarification.status == ClarificationStatus.PUBLISHED
        and (copy is None or copy.status == ClarificationStatus.DRAFT)
    )
    if not editable:
        messages.error(
            request,
            _("Klarifikasi ini sedang ditinjau atau sudah ditarik; ia tidak dapat diubah kini."),
        )
        return redirect("clarification_detail", pk=pk)
    if request.method != "POST":
        initial = ClarificationForm.initial_from(
            copy or clarification, edit_token(copy, clarification)
        )
        return _editor(request, ClarificationForm(initial=initial), clarification)
    form = ClarificationForm(request.POST)
    if not form.is_valid():
        return _editor(request, form, clarification, status=400)
    try:
        clarification_update(
            clarification=clarification,
            user=user,
            token=form.cleaned_data.get("token") or None,
            **form.fields_for_service(),
        )
    except ModerationError as exc:
        form.add_service_error(exc)
        return _editor(request, form, clarification, status=exc.status_code)
    if request.POST.get("then") == "submit":
        return _submit(request, clarification)
    messages.success(request, _("Perubahan disimpan."))
    return redirect("clarification_edit", pk=pk)


@require_POST
@workspace_view
def clarification_autosave(request: HttpRequest, pk: int) -> HttpResponse:
    """Save a draft in the background while it is written (the editor posts here a few
    seconds after typing stops). Answers a status line and the new edit token; a text that
    does not validate yet, or that someone else changed, is not saved and the line says so."""
    user = request_user(request)
    if not can_write_clarifications(user):
        raise NotPermitted()
    clarification = _clarification(request, pk)
    form = ClarificationForm(request.POST)
    context: dict[str, Any] = {"saved": False, "token": request.POST.get("token", "")}
    if not form.is_valid():
        context["problem"] = _("Belum tersimpan otomatis: lengkapi isian yang wajib.")
    else:
        try:
            clarification_update(
                clarification=clarification,
                user=user,
                token=form.cleaned_data.get("token") or None,
                **form.fields_for_service(),
            )
        except ModerationError as exc:
            context["problem"] = _("Belum tersimpan otomatis: %(why)s") % {"why": exc.detail}
        else:
            clarification.refresh_from_db()
            copy = clarification_working_copy(clarification)
            context.update(saved=True, token=edit_token(copy, clarification), at=timezone.now())
    return render(request, "moderation/clarifications/_autosave.html", context)


@require_POST
@workspace_view
def clarification_preview(request: HttpRequest) -> HttpResponse:
    """The public page's look of whatever is typed so far (the editor's live preview)."""
    if not can_write_clarifications(request_user(request)):
        raise NotPermitted()
    form = PreviewForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    rating = data.get("rating") or ""
    preview = {
        "claim": data.get("claim", ""),
        "title": data.get("title", ""),
        "body": data.get("body", ""),
        "rating": rating,
        "rating_label": ClarificationRating(rating).label if rating else "",
        "sources": source_items(lines(data.get("sources") or "")),
    }
    return render(request, "moderation/clarifications/_preview.html", {"c": preview})


def _submit(request: HttpRequest, clarification: Clarification) -> HttpResponse:
    try:
        clarification_submit(clarification=clarification, user=request_user(request))
    except ModerationError as exc:
        messages.error(request, exc.detail)
        return redirect("clarification_edit", pk=clarification.pk)
    messages.success(request, _("Klarifikasi diajukan ke penyetuju KPU."))
    return redirect("clarification_detail", pk=clarification.pk)


@require_POST
@workspace_view
def clarification_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_write_clarifications(request_user(request)):
        raise NotPermitted()
    return _submit(request, _clarification(request, pk))


def _actions(
    user: User, clarification: Clarification, revision: ClarificationVersion | None
) -> dict[str, Any]:
    """What this user may do with this clarification now, and why not where it matters."""
    copy = revision or clarification
    in_review = copy.status == ClarificationStatus.IN_REVIEW
    writer = can_write_clarifications(user)
    refusal = clarification_publish_check(user, clarification, revision) if in_review else None
    return {
        "edit": writer
        and (
            clarification.status == ClarificationStatus.DRAFT
            or (
                clarification.status == ClarificationStatus.PUBLISHED
                and (revision is None or revision.status == ClarificationStatus.DRAFT)
            )
        ),
        "submit": writer
        and copy.status == ClarificationStatus.DRAFT
        and (clarification.status == ClarificationStatus.DRAFT or revision is not None),
        "review": in_review and can_publish_clarifications(user),
        "publish_refusal": refusal.detail if refusal else "",
        "retract": can_publish_clarifications(user)
        and clarification.status == ClarificationStatus.PUBLISHED,
    }


@workspace_view
def clarification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    clarification = _clarification(request, pk)
    revision = (
        clarification_revision(clarification) if can_read_clarification_drafts(user) else None
    )
    versions = clarification_versions(clarification)
    if not can_read_clarification_drafts(user):
        versions = [v for v in versions if v.status == ClarificationStatus.PUBLISHED]
    return render(
        request,
        "moderation/clarifications/detail.html",
        {
            "clarification": clarification,
            "revision": revision,
            "text": revision or clarification,
            "versions": versions,
            "case_count": clarification.case_clarifications.count(),
            "reason_labels": reason_labels(clarification.reasons),
            "actions": _actions(user, clarification, revision),
            "return_form": ReturnForm(),
            "retract_form": RetractForm(),
        },
    )


@workspace_view
def clarification_review(request: HttpRequest) -> HttpResponse:
    """KPU approvers' queue: every text waiting for approval, with what each may do."""
    user = request_user(request)
    items = clarifications_in_review(user)
    rows = [(item, _actions(user, item.clarification, item.revision)) for item in items]
    return render(
        request,
        "moderation/clarifications/review.html",
        {
            "rows": rows,
            "return_form": ReturnForm(),
            "is_approver": can_publish_clarifications(user),
        },
    )


@require_POST
@workspace_view
def clarification_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    clarification = _clarification(request, pk)
    try:
        clarification = clarification_publish(
            clarification=clarification, user=request_user(request)
        )
    except ModerationError as exc:
        messages.error(request, exc.detail)
        return redirect("clarification_detail", pk=pk)
    messages.success(
        request,
        _("Klarifikasi #%(id)s versi %(v)s terbit; platform diberi tahu.")
        % {"id": clarification.pk, "v": clarification.version},
    )
    return redirect("clarification_detail", pk=pk)


@require_POST
@workspace_view
def clarification_return_view(request: HttpRequest, pk: int) -> HttpResponse:
    clarification = _clarification(request, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tulis komentar untuk penulis: apa yang perlu diperbaiki."))
        return redirect("clarification_detail", pk=pk)
    try:
        clarification_return(
            clarification=clarification, user=request_user(request), note=form.cleaned_data["note"]
        )
    except ModerationError as exc:
        messages.error(request, exc.detail)
        return redirect("clarification_detail", pk=pk)
    messages.success(request, _("Klarifikasi dikembalikan ke penulis dengan komentar Anda."))
    return redirect("clarification_review")


@require_POST
@workspace_view
def clarification_retract_view(request: HttpRequest, pk: int) -> HttpResponse:
    clarification = _clarification(request, pk)
    form = RetractForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Penarikan memerlukan alasan."))
        return redirect("clarification_detail", pk=pk)
    try:
        clarification_retract(
            clarification=clarification,
            user=request_user(request),
            reason=form.cleaned_data["reason"],
        )
    except ModerationError as exc:
        messages.error(request, exc.detail)
        return redirect("clarification_detail", pk=pk)
    messages.success(request, _("Klarifikasi ditarik; platform diberi tahu."))
    return redirect("clarification_detail", pk=pk)


def _version(
    request: HttpRequest, clarification: Clarification, number: Any
) -> ClarificationVersion:
    versions = clarification.versions.select_related("author", "approver")
    if not can_read_clarification_drafts(request_user(request)):
        versions = versions.filter(status=ClarificationStatus.PUBLISHED)
    try:
        number = int(number)
    except (TypeError, ValueError):
        number = -1
    return get_object_or_404(versions, version=number)


@workspace_view
def clarification_version(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    clarification = _clarification(request, pk)
    return render(
        request,
        "moderation/clarifications/version.html",
        {"clarification": clarification, "v": _version(request, clarification, version)},
    )


@workspace_view
def clarification_diff(request: HttpRequest, pk: int) -> HttpResponse:
    """The word-level diff of two versions (``?a=1&b=2``; by default the last two)."""
    clarification = _clarification(request, pk)
    versions = clarification_versions(clarification)
    if not can_read_clarification_drafts(request_user(request)):
        versions = [v for v in versions if v.status == ClarificationStatus.PUBLISHED]
    if len(versions) < 2:
        messages.info(request, _("Baru ada satu versi: belum ada yang dibandingkan."))
        return redirect("clarification_detail", pk=pk)
    old = _version(request, clarification, request.GET.get("a", versions[1].version))
    new = _version(request, clarification, request.GET.get("b", versions[0].version))
    return render(
        request,
        "moderation/clarifications/diff.html",
        {
            "clarification": clarification,
            "versions": versions,
            "old": old,
            "new": new,
            "diffs": version_diff(old, new),
        },
    )
