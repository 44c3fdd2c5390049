"""The supervisors' approval queue: held decisions, approved or rejected with a reason."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from moderation.errors import ModerationError, NotPermitted
from moderation.models import Decision
from moderation.permissions import can_approve_decisions
from moderation.review.approvals import decision_approve, decision_reject
from moderation.review.forms import ApproveForm, RejectForm
from moderation.review.selectors import decisions_pending_approval
from moderation.web import redirect_back, request_user, workspace_view


@workspace_view
def approvals(request: HttpRequest) -> HttpResponse:
    decisions = list(decisions_pending_approval(request_user(request))[:200])
    return render(
        request,
        "moderation/approvals.html",
        {"decisions": decisions, "approve_form": ApproveForm(), "reject_form": RejectForm()},
    )


def _pending(request: HttpRequest, pk: int) -> Decision:
    if not can_approve_decisions(request_user(request)):
        raise NotPermitted(detail=_("Hanya supervisor yang dapat menyetujui keputusan."))
    return get_object_or_404(Decision.objects.select_related("case"), pk=pk)


@require_POST
@workspace_view
def decision_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _pending(request, pk)
    form = ApproveForm(request.POST)
    note = form.cleaned_data.get("note", "") if form.is_valid() else ""
    try:
        decision_approve(decision=decision, user=request_user(request), note=note)
    except ModerationError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request,
            _("Keputusan #%(id)s disetujui dan dikirim ke platform.") % {"id": decision.pk},
        )
    return redirect_back(request, reverse("approvals"))


@require_POST
@workspace_view
def decision_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _pending(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Penolakan memerlukan alasan."))
        return redirect_back(request, reverse("approvals"))
    try:
        decision_reject(
            decision=decision, user=request_user(request), note=form.cleaned_data["note"]
        )
    except ModerationError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request,
            _("Keputusan #%(id)s ditolak; kasus kembali ke antrean.") % {"id": decision.pk},
        )
    return (
        redirect("approvals")
        if not request.POST.get("next")
        else redirect_back(request, reverse("approvals"))
    )
