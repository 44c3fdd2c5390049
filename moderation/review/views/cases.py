"""The case page and everything done from it: claim, lease, release, skip, escalate, decide,
reassign, attach a clarification. Every write is one service call; errors become messages or
a designed state on the page (already taken, lease expired, the case changed)."""

import contextlib
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from moderation.choices import Action, ApprovalState, CaseAction, ClarificationRating
from moderation.clarifications.selectors import clarifications_published
from moderation.clarifications.services import clarification_attach
from moderation.clarifications.suggestions import clarification_suggestions
from moderation.errors import (
    AlreadyClaimed,
    InvalidInput,
    LeaseExpired,
    ModerationError,
    NotFound,
    NotPermitted,
    StaleVersion,
    UpstreamUnavailable,
)
from moderation.models import Case, Queue, User
from moderation.oversight.dashboard_forms import CaseSubjectsForm
from moderation.oversight.neutrality import case_subject_ids
from moderation.permissions import can_work_case, case_actions
from moderation.problems import PROBLEM_CONTENT_TYPE, problem_body
from moderation.review.cases import case_escalate_to_kpu
from moderation.review.claims import (
    case_claim,
    case_claim_next,
    case_lease_keep,
    case_lease_let_go,
    case_reassign,
    case_release,
    case_skip,
)
from moderation.review.decisions import decision_needs_approval, decision_record
from moderation.review.forms import (
    AttachClarificationForm,
    DecisionForm,
    EscalateForm,
    ReassignForm,
    SkipForm,
    add_service_errors,
)
from moderation.review.queue_filters import queue_is_claimable
from moderation.review.queues import queue_for_user
from moderation.review.selectors import (
    CaseDetail,
    audit_user_names,
    case_changes_since,
    case_detail,
    case_for_user,
    moderators_for_case,
)
from moderation.review.thumbnails import thumbnail_fetch, video_embed_url
from moderation.review.waves import case_wave
from moderation.review.workspace import (
    decision_draft_for,
    decision_draft_save,
    moderator_preference_for,
)
from moderation.web import case_url, redirect_back, request_user, workspace_view

# Suggested clarifications 1..3 are attached with Shift+1..3 (1..6 pick the decision's action).
ATTACH_KEYS = 3


def _queue_from(request: HttpRequest) -> Queue | None:
    slug = request.GET.get("queue") or request.POST.get("queue") or ""
    if not slug:
        return None
    try:
        return queue_for_user(user=request_user(request), slug=slug)
    except ModerationError:
        return None


def _after_case_url(queue: Queue | None) -> str:
    return reverse("queue_detail", args=[queue.slug]) if queue else reverse("queues")


def _advance(
    request: HttpRequest, user: User, queue: Queue | None, passing: Case | None = None
) -> HttpResponse:
    """Where a moderator lands after deciding, skipping, releasing or escalating: the next case
    of the same queue, claimed for them (unless they turned that off, and always when they
    asked for the next case with ``n``), else the queue list."""
    wanted = request.POST.get("advance") == "1" or moderator_preference_for(user).auto_advance
    if queue is None or not wanted or not queue_is_claimable(queue):
        return redirect(_after_case_url(queue))
    try:
        following = case_claim_next(user=user, queue=queue, passing=passing)
    except ModerationError as exc:
        messages.info(request, exc.detail)
        return redirect(_after_case_url(queue))
    if following is None:
        messages.info(
            request,
            _("Tidak ada kasus lain yang bisa Anda ambil di antrean “%(queue)s” saat ini.")
            % {"queue": queue.display_name},
        )
        return redirect(f"{_after_case_url(queue)}?empty=claim")
    return redirect(case_url(following.pk, queue.slug))


def _back_to_case(pk: int, queue: Queue | None) -> HttpResponse:
    return redirect(case_url(pk, queue.slug if queue else ""))


def _target(request: HttpRequest, pk: int) -> tuple[User, Case, Queue | None]:
    """Who acts, on which case (one they may read), from which queue."""
    user = request_user(request)
    return user, case_for_user(user=user, case_id=pk), _queue_from(request)


def _act(
    request: HttpRequest,
    pk: int,
    queue: Queue | None,
    act: Callable[[], object],
    done: Callable[[], str],
    *,
    stay: bool = False,
) -> HttpResponse:
    """Run a service call for a button on the case page: on success say ``done()`` and go on
    to the next case of the queue (or stay on the case); refused, show why on the case page."""
    try:
        act()
    except ModerationError as exc:
        messages.error(request, exc.detail)
        return _back_to_case(pk, queue)
    messages.success(request, done())
    if stay:
        return _back_to_case(pk, queue)
    return _advance(request, request_user(request), queue, passing=Case(pk=pk))


def _case_context(
    request: HttpRequest,
    detail: CaseDetail,
    *,
    decision_form: DecisionForm | None = None,
    **extra: Any,
) -> dict[str, Any]:
    user = request_user(request)
    case = detail.case
    queue = _queue_from(request)
    actions = case_actions(
        user,
        case,
        deciders=detail.deciders,
        pending_decider_id=detail.pending_decision.decided_by_id
        if detail.pending_decision
        else None,
    )
    published = clarifications_published()
    attached_ids = {link.clarification_id for link in detail.clarifications}
    can_decide = actions.allows(CaseAction.DECIDE) and actions.holds_claim
    draft = decision_draft_for(user=user, case=case)
    if decision_form is None and can_decide:
        decision_form = DecisionForm(
            initial={
                "version": case.version,
                "seen_event": detail.last_event_id,
                "category": case.reasons[0] if case.reasons else "",
                "ground": "community_guidelines",
                "clarification": next(iter(attached_ids), None),
                "statement_of_reasons": draft.statement_of_reasons if draft else "",
                "facts": draft.facts if draft else "",
            },
            clarifications=published,
        )
    can_reassign = actions.allows(CaseAction.REASSIGN)
    can_attach = actions.allows(CaseAction.ATTACH_CLARIFICATION)
    context: dict[str, Any] = {
        "detail": detail,
        "case": case,
        "video": case.video,
        "queue": queue,
        "actions": actions,
        "holds_claim": actions.holds_claim,
        "taken_by_other": actions.held_by_other,
        "can_claim": actions.allows(CaseAction.CLAIM) and not actions.holds_claim,
        "can_decide": can_decide,
        "can_escalate": actions.allows(CaseAction.ESCALATE),
        "can_release": actions.allows(CaseAction.RELEASE),
        "can_reassign": can_reassign,
        "can_approve": actions.allows(CaseAction.REJECT_DECISION)
        and detail.pending_decision is not None,
        "can_attach": can_attach,
        "original_decider": actions.appeal_self_review,
        "queue_claimable": bool(queue and queue_is_claimable(queue) and can_work_case(user, case)),
        "decision_form": decision_form,
        "skip_form": SkipForm(),
        "escalate_form": EscalateForm(),
        "reassign_form": ReassignForm(moderators=moderators_for_case(case))
        if can_reassign
        else None,
        "attach_form": AttachClarificationForm(
            clarifications=published.exclude(pk__in=attached_ids)
        )
        if can_attach
        else None,
        "label_action": Action.LABEL,
        # The text this user typed here before: shown read-only when they cannot decide now
        # (the claim went to someone else, the case moved on), so nothing typed is lost.
        "draft": draft,
        "preference": moderator_preference_for(user),
        "embed_url": video_embed_url(case.video),
        "high_impact_held": decision_needs_approval(case=case, action=Action.REMOVE),
        "attached_ids": attached_ids,
        # Published clarifications that fit the case (the engine's threshold): numbered for
        # the Shift+1..3 attach keys; the ones already attached are listed without a key.
        "suggestions": clarification_suggestions(case=case),
        "attach_keys": ATTACH_KEYS,
        "rating_labels": {value: str(label) for value, label in ClarificationRating.choices},
        # The hoax wave this case belongs to, if it repeats a case decided with a clarification.
        "wave": case_wave(user=user, case=case),
        # Which candidate pairs, parties or candidates the content concerns (neutrality).
        "subjects_form": CaseSubjectsForm(initial={"subjects": case_subject_ids(case)})
        if can_work_case(user, case)
        else None,
    }
    context.update(extra)
    return context


@workspace_view
def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    detail = case_detail(user=request_user(request), case_id=pk)
    return render(request, "moderation/case_detail.html", _case_context(request, detail))


@require_POST
@workspace_view
def case_claim_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, case, queue = _target(request, pk)
    try:
        case_claim(case=case, user=user)
    except AlreadyClaimed as exc:
        holder = Case.objects.select_related("assignee").get(pk=pk).assignee
        if holder is not None:
            messages.error(
                request,
                _("Kasus ini sudah diambil oleh %(user)s.") % {"user": holder.get_username()},
            )
        else:
            messages.error(request, exc.detail)
    except ModerationError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request, _("Kasus diambil. Klaim Anda diperpanjang selama halaman terbuka.")
        )
    return _back_to_case(pk, queue)


@require_POST
@workspace_view
def case_lease(request: HttpRequest, pk: int) -> HttpResponse:
    """Polled by the open case page: keep the claim alive, or say it is gone."""
    user = request_user(request)
    case = case_for_user(user=user, case_id=pk)
    kept = case_lease_keep(case=case, user=user)
    return render(
        request,
        "moderation/_lease.html",
        {"case": kept.case, "lease_state": kept.state},
        status=200,
    )


@require_POST
@workspace_view
def case_release_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Release by the button; or, by navigator.sendBeacon when the page is left (204), let the
    claim run out shortly unless the page comes back (a reload keeps the claim, and writes no
    audit row)."""
    user, case, queue = _target(request, pk)
    if request.POST.get("beacon") == "1":
        case_lease_let_go(case=case, user=user)
        return HttpResponse(status=204)
    try:
        case_release(case=case, user=user)
    except ModerationError as exc:
        messages.error(request, exc.detail)
        return _back_to_case(pk, queue)
    messages.success(request, _("Kasus #%(id)s dilepas ke antrean.") % {"id": pk})
    return _advance(request, user, queue, passing=case)


@require_POST
@workspace_view
def case_skip_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, case, queue = _target(request, pk)
    form = SkipForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pilih alasan melewati kasus ini."))
        return _back_to_case(pk, queue)
    return _act(
        request,
        pk,
        queue,
        lambda: case_skip(case=case, user=user, reason=form.reason_text()),
        lambda: _("Kasus #%(id)s dilewati.") % {"id": pk},
    )


@require_POST
@workspace_view
def case_escalate_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, case, queue = _target(request, pk)
    form = EscalateForm(request.POST)
    note = form.cleaned_data.get("note", "") if form.is_valid() else ""
    return _act(
        request,
        pk,
        queue,
        lambda: case_escalate_to_kpu(case=case, user=user, note=note),
        lambda: _("Kasus #%(id)s diteruskan ke KPU untuk klarifikasi.") % {"id": pk},
    )


@require_POST
@workspace_view
def case_reassign_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, case, queue = _target(request, pk)
    form = ReassignForm(request.POST, moderators=moderators_for_case(case))
    if not form.is_valid():
        messages.error(request, _("Pilih moderator tujuan."))
        return _back_to_case(pk, queue)
    assignee = form.cleaned_data["assignee"]
    return _act(
        request,
        pk,
        queue,
        lambda: case_reassign(case=case, user=user, assignee=assignee),
        lambda: _("Kasus dialihkan ke %(user)s.") % {"user": assignee.get_username()},
        stay=True,
    )


@require_POST
@workspace_view
def case_attach_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, case, queue = _target(request, pk)
    form = AttachClarificationForm(request.POST, clarifications=clarifications_published())
    if not form.is_valid():
        messages.error(request, _("Pilih klarifikasi yang sudah terbit."))
        return redirect_back(request, case_url(pk, queue.slug if queue else ""))
    try:
        clarification_attach(case=case, clarification=form.cleaned_data["clarification"], user=user)
        messages.success(request, _("Klarifikasi dilampirkan."))
    except ModerationError as exc:
        messages.error(request, exc.detail)
    return redirect_back(request, case_url(pk, queue.slug if queue else ""))


@require_GET
@workspace_view
def case_thumbnail(request: HttpRequest, pk: int) -> HttpResponse:
    """The video's thumbnail through our size-limited proxy, for those who may read the case;
    a problem+json 404 or 502 when there is none to show."""
    case = case_for_user(user=request_user(request), case_id=pk)
    try:
        thumbnail = thumbnail_fetch(case.video)
    except (NotFound, UpstreamUnavailable) as exc:
        return JsonResponse(
            problem_body(
                status_code=exc.status_code,
                title=str(exc.title),
                detail=exc.detail,
                type_=exc.problem_type,
            ),
            status=exc.status_code,
            content_type=PROBLEM_CONTENT_TYPE,
        )
    response = HttpResponse(thumbnail.content, content_type=thumbnail.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


@require_POST
@workspace_view
def case_draft_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Autosave of the decision text (htmx, as the moderator types): 204, or a 4xx."""
    user = request_user(request)
    case = case_for_user(user=user, case_id=pk)
    try:
        decision_draft_save(
            user=user,
            case=case,
            statement_of_reasons=request.POST.get("statement_of_reasons", ""),
            facts=request.POST.get("facts", ""),
        )
    except InvalidInput as exc:
        return HttpResponse(exc.detail, status=400, content_type="text/plain; charset=utf-8")
    return HttpResponse(status=204)


@require_POST
@workspace_view
def case_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a decision. On a stale version, show what changed and keep the typed text."""
    user = request_user(request)
    detail = case_detail(user=user, case_id=pk)
    case = detail.case
    queue = _queue_from(request)
    published = clarifications_published()
    form = DecisionForm(request.POST, clarifications=published)
    # Keep the typed text first: whatever happens to the decision, it is not lost (a recorded
    # decision discards the draft in its own transaction).
    with contextlib.suppress(ModerationError):
        decision_draft_save(
            user=user,
            case=case,
            statement_of_reasons=request.POST.get("statement_of_reasons", "")[:5000],
            facts=request.POST.get("facts", "")[:5000],
        )

    def page(status: int, form: DecisionForm | None = None, **extra: Any) -> HttpResponse:
        """The case page again, with the typed decision (``form``, or the posted data)."""
        form = form or DecisionForm(request.POST, clarifications=published)
        context = _case_context(request, detail, decision_form=form, **extra)
        return render(request, "moderation/case_detail.html", context, status=status)

    if not form.is_valid():
        return page(400, form)
    data = form.cleaned_data
    try:
        decision = decision_record(
            case=case,
            user=user,
            version=data["version"],
            action=data["action"],
            ground=data["ground"],
            category=data["category"],
            statement_of_reasons=data["statement_of_reasons"],
            clarification=data.get("clarification"),
            territorial_scope=data.get("territorial_scope") or [],
            facts=data.get("facts") or "",
        )
    except StaleVersion as exc:
        changes = audit_user_names(
            list(case_changes_since(case=case, event_id=data.get("seen_event") or 0))
        )
        fresh = request.POST.copy()
        fresh["version"] = str(case.version)
        fresh["seen_event"] = str(detail.last_event_id)
        fresh_form = DecisionForm(fresh, clarifications=published)
        return page(409, fresh_form, conflict={"error": exc, "changes": changes})
    except LeaseExpired:
        return page(409, lease_lost=True)
    except InvalidInput as exc:
        add_service_errors(form, exc, {})
        return page(400, form)
    except ModerationError as exc:
        messages.error(request, exc.detail)
        status = 403 if isinstance(exc, NotPermitted) else 409
        return page(status, lease_lost=case.assignee_id != user.pk, keep_form=True)
    if decision.approval_state == ApprovalState.PENDING:
        messages.warning(
            request,
            _(
                "Keputusan #%(id)s dicatat dan menunggu persetujuan supervisor sebelum "
                "dikirim ke platform."
            )
            % {"id": decision.pk},
        )
    else:
        messages.success(
            request,
            _("Keputusan #%(id)s dicatat untuk kasus #%(case)s.")
            % {"id": decision.pk, "case": case.pk},
        )
    return _advance(request, user, queue)
