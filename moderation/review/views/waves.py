"""From the case page: search published clarifications to attach (an htmx fragment), and apply
the decision of a hoax wave's source to the members selected."""

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from moderation.choices import CaseAction
from moderation.clarifications.attach import search_words
from moderation.clarifications.selectors import clarifications_published
from moderation.errors import InvalidInput
from moderation.permissions import case_actions
from moderation.review.selectors import case_for_user
from moderation.review.waves import wave_decision_apply, wave_source_for
from moderation.web import case_url, redirect_back, request_user, workspace_view

SEARCH_RESULTS = 10


@require_GET
@workspace_view
def case_clarification_search(request: HttpRequest, pk: int) -> HttpResponse:
    """Published clarifications whose title, claim or keywords contain every word typed."""
    user = request_user(request)
    case = case_for_user(user=user, case_id=pk)
    query = request.GET.get("q", "")[:200]
    words = search_words(query)
    found = []
    if words:
        q = Q()
        for word in words:
            q &= (
                Q(title__icontains=word) | Q(claim__icontains=word) | Q(search_text__icontains=word)
            )
        found = list(clarifications_published().filter(q)[:SEARCH_RESULTS])
    attached = set(case.case_clarifications.values_list("clarification_id", flat=True))
    return render(
        request,
        "moderation/_clarification_search_results.html",
        {
            "case": case,
            "query": query,
            "words": words,
            "found": found,
            "attached_ids": attached,
            "can_attach": case_actions(user, case).allows(CaseAction.ATTACH_CLARIFICATION),
        },
    )


def _case_ids(values: list[str]) -> list[int]:
    ids = []
    for value in values:
        try:
            ids.append(int(value))
        except ValueError:
            raise InvalidInput(_("Pilihan kasus tidak valid.")) from None
    return ids


@require_POST
@workspace_view
def case_wave_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply the wave source's decision to the selected members; say what each got."""
    user = request_user(request)
    case = case_for_user(user=user, case_id=pk)
    back = redirect_back(request, case_url(case.pk, request.GET.get("queue", "")))
    try:
        source = wave_source_for(
            user=user, decision_id=_case_ids([request.POST.get("source", "")])[0]
        )
        outcomes = wave_decision_apply(
            source=source, case_ids=_case_ids(request.POST.getlist("cases")), user=user
        )
    except InvalidInput as exc:
        messages.error(request, exc.detail)
        return back
    decided = [o for o in outcomes if o.decision is not None and not o.held]
    held = [o for o in outcomes if o.held]
    if decided:
        messages.success(
            request,
            ngettext(
                "Keputusan diterapkan pada %(n)s kasus: %(ids)s.",
                "Keputusan diterapkan pada %(n)s kasus: %(ids)s.",
                len(decided),
            )
            % {"n": len(decided), "ids": ", ".join(f"#{o.case_id}" for o in decided)},
        )
    if held:
        messages.warning(
            request,
            _("Menunggu persetujuan supervisor: %(ids)s.")
            % {"ids": ", ".join(f"#{o.case_id}" for o in held)},
        )
    for outcome in outcomes:
        if outcome.refusal:
            messages.error(
                request,
                _("Kasus #%(id)s tidak diubah: %(reason)s")
                % {"id": outcome.case_id, "reason": outcome.refusal},
            )
    return back
