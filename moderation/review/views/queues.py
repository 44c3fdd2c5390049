"""Start pages, the queues overview, one queue's list, claim-next, and queue editing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from moderation.choices import CaseStatus, PrioritySignal, Reason
from moderation.errors import InvalidInput, ModerationError
from moderation.permissions import (
    can_claim_from_queues,
    can_edit_queues,
    is_kpu,
    is_moderator,
    is_staff_member,
    is_supervisor,
    platform_scope,
    platforms_visible,
)
from moderation.review.claims import case_claim_next
from moderation.review.forms import QueueForm, add_service_errors
from moderation.review.queue_definitions import queue_create, queue_update
from moderation.review.queue_filters import queue_is_approval, queue_is_claimable
from moderation.review.queues import (
    PER_PAGE_CHOICES,
    SORTS,
    QueueListParams,
    cases_claimed_by,
    queue_count,
    queue_for_user,
    queue_overview,
    queue_page,
    queues_for_user,
)
from moderation.review.waves import wave_marked_cases
from moderation.web import case_url, request_user, workspace_view


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role starts somewhere else: moderators resume a case they hold or see their
    queues, KPU staff the cases awaiting clarification, supervisors the overview."""
    user = request_user(request)
    if not is_staff_member(user):
        raise PermissionDenied(_("Akun Anda belum memiliki peran di Saring."))
    if is_moderator(user) and not is_supervisor(user):
        held = cases_claimed_by(user=user).filter(lease_expires_at__gt=timezone.now()).first()
        if held is not None:
            return redirect(case_url(held.pk))
    if is_kpu(user) and not (is_supervisor(user) or is_moderator(user)):
        for queue in queues_for_user(user):
            if CaseStatus.AWAITING_CLARIFICATION in (queue.filters or {}).get("statuses", []):
                return redirect("queue_detail", slug=queue.slug)
    return redirect("queues")


@workspace_view
def queues_overview(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    context = {
        "summaries": queue_overview(user=user),
        "claimed": list(cases_claimed_by(user=user)[:20]),
        "can_edit_queues": can_edit_queues(user),
    }
    if request.htmx and request.GET.get("fragment") == "overview":  # type: ignore[attr-defined]
        return render(request, "moderation/_overview_table.html", context)
    return render(request, "moderation/queues_overview.html", context)


@workspace_view
def queue_detail(request: HttpRequest, slug: str) -> HttpResponse:
    user = request_user(request)
    queue = queue_for_user(user=user, slug=slug)
    if queue_is_approval(queue):
        return redirect("approvals")
    params = QueueListParams.from_query(request.GET)
    page = queue_page(user=user, queue=queue, params=params)
    scope = platform_scope(user)
    platforms = list(platforms_visible(user)) if scope is None or len(scope) > 1 else []
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "moderation/queue_detail.html",
        {
            "queue": queue,
            "page": page,
            # Rows repeating a case decided with a clarification (review/waves.py).
            "wave_cases": wave_marked_cases(user=user, cases=page.rows),
            "params": params,
            "query_without_page": query.urlencode(),
            "claimable": queue_is_claimable(queue) and can_claim_from_queues(user),
            "can_edit_queues": can_edit_queues(user),
            "reasons": Reason.choices,
            # Translated once per request, not once per row.
            "labels": {
                "reason": {value: str(label) for value, label in Reason.choices},
                "status": {value: str(label) for value, label in CaseStatus.choices},
                "signal": {key: str(label) for key, label in PrioritySignal.choices},
            },
            # A platform filter only for those who see more than one platform's cases.
            "platforms": platforms if len(platforms) > 1 else [],
            "sorts": [(key, SORT_LABELS[key]) for key in SORTS],
            "per_page_choices": PER_PAGE_CHOICES,
            "is_filtered": any(
                [params.reason, params.platform, params.language, params.assignee, params.search]
            ),
        },
    )


SORT_LABELS = {
    "priority": gettext_lazy("Prioritas tertinggi"),
    "oldest": gettext_lazy("Terlama"),
    "due": gettext_lazy("Tenggat SLA terdekat"),
}


@workspace_view
def queue_count_fragment(request: HttpRequest, slug: str) -> HttpResponse:
    """The live count polled by the queue page (HTMX)."""
    queue = queue_for_user(user=request_user(request), slug=slug)
    count, capped = queue_count(user=request_user(request), queue=queue)
    return render(
        request, "moderation/_queue_count.html", {"count": count, "capped": capped, "queue": queue}
    )


@require_POST
@workspace_view
def queue_claim_next(request: HttpRequest, slug: str) -> HttpResponse:
    """The highest-priority unclaimed case of this queue, claimed with SKIP LOCKED."""
    user = request_user(request)
    queue = queue_for_user(user=user, slug=slug)
    try:
        case = case_claim_next(user=user, queue=queue)
    except ModerationError as exc:
        messages.error(request, exc.detail)
        return redirect("queue_detail", slug=queue.slug)
    if case is None:
        messages.info(
            request,
            _("Tidak ada kasus yang bisa Anda ambil di antrean “%(queue)s” saat ini.")
            % {"queue": queue.display_name},
        )
        return redirect(f"{_queue_url(queue.slug)}?empty=claim")
    return redirect(case_url(case.pk, queue.slug))


def _queue_url(slug: str) -> str:
    return reverse("queue_detail", args=[slug])


def _queue_form_view(request: HttpRequest, slug: str | None) -> HttpResponse:
    user = request_user(request)
    if not can_edit_queues(user):
        raise PermissionDenied(_("Hanya supervisor yang dapat mengubah antrean."))
    queue = queue_for_user(user=user, slug=slug) if slug else None
    if request.method == "POST":
        form = QueueForm(request.POST, editing=queue)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if queue is None:
                    queue = queue_create(
                        user=user,
                        name=data["name"],
                        name_en=data.get("name_en") or "",
                        slug=data.get("slug") or "",
                        description=data.get("description") or "",
                        position=data["position"],
                        filters=form.filters(),
                    )
                    messages.success(request, _("Antrean dibuat."))
                else:
                    queue = queue_update(
                        queue=queue,
                        user=user,
                        name=data["name"],
                        name_en=data.get("name_en") or "",
                        description=data.get("description") or "",
                        position=data["position"],
                        filters=form.filters(),
                    )
                    messages.success(request, _("Antrean disimpan."))
                return redirect("queue_detail", slug=queue.slug)
            except InvalidInput as exc:
                add_service_errors(form, exc, {"filters": "__all__"})
        status = 400
    else:
        initial = QueueForm.initial_for(queue) if queue else {"statuses": [CaseStatus.NEW]}
        form = QueueForm(initial=initial, editing=queue)
        status = 200
    return render(
        request, "moderation/queue_form.html", {"form": form, "queue": queue}, status=status
    )


@workspace_view
def queue_create_page(request: HttpRequest) -> HttpResponse:
    return _queue_form_view(request, None)


@workspace_view
def queue_edit_page(request: HttpRequest, slug: str) -> HttpResponse:
    return _queue_form_view(request, slug)


__all__ = [
    "home",
    "queue_claim_next",
    "queue_count_fragment",
    "queue_create_page",
    "queue_detail",
    "queue_edit_page",
    "queues_overview",
]
