"""The page behind "attach to all open cases matching this search", linked from a
clarification's page: search, a confirmation list of exactly what will change, commit."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from moderation.clarifications.attach import (
    BULK_ATTACH_LIMIT,
    bulk_attach_preview,
    clarification_attach_many,
    clarification_for_attach,
)
from moderation.errors import InvalidInput
from moderation.web import request_user, workspace_view

TEMPLATE = "moderation/clarification_attach.html"


def _ids(values: list[str]) -> list[int] | None:
    try:
        return [int(v) for v in values]
    except ValueError:
        return None


@workspace_view
def clarification_attach_bulk(request: HttpRequest, pk: int) -> HttpResponse:
    """GET ?q=: the confirmation list. POST q + cases: attach each confirmed case."""
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    user = request_user(request)
    data = request.POST if request.method == "POST" else request.GET
    query = data.get("q", "")[:200]
    context: dict[str, Any] = {"query": query, "limit": BULK_ATTACH_LIMIT, "errors": []}
    try:
        clarification = clarification_for_attach(user=user, clarification_id=pk)
    except InvalidInput as exc:
        # A draft or retracted clarification: nothing can be attached (409, the page says why).
        context["refusal"] = exc.detail
        return render(request, TEMPLATE, context, status=409)
    context["clarification"] = clarification
    if not query.strip() and request.method == "GET":
        return render(request, TEMPLATE, context)
    status = 200
    selected: list[int] = []
    if request.method == "POST":
        ids = _ids(request.POST.getlist("cases"))
        try:
            if ids is None:
                raise InvalidInput(_("Pilihan kasus tidak valid."))
            selected = ids
            result = clarification_attach_many(
                user=user, clarification=clarification, query=query, case_ids=ids
            )
        except InvalidInput as exc:
            context["errors"].append(exc.detail)
            status = 400
        else:
            if result.attached:
                messages.success(
                    request,
                    ngettext(
                        "Klarifikasi dilampirkan ke %(n)s kasus.",
                        "Klarifikasi dilampirkan ke %(n)s kasus.",
                        len(result.attached),
                    )
                    % {"n": len(result.attached)},
                )
            for case_id, reason in result.refused.items():
                messages.error(
                    request,
                    _("Kasus #%(id)s tidak diubah: %(reason)s") % {"id": case_id, "reason": reason},
                )
            url = reverse("clarification_attach_bulk", args=[clarification.pk])
            return HttpResponseRedirect(f"{url}?{urlencode({'q': query})}")
    try:
        context["preview"] = bulk_attach_preview(
            user=user, clarification=clarification, query=query
        )
    except InvalidInput as exc:
        context["errors"].append(exc.detail)
        status = 400
    else:
        context["selected"] = (
            set(selected) if selected else {c.pk for c in context["preview"].will_change}
        )
    return render(request, TEMPLATE, context, status=status)
