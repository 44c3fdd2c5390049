"""Attaching one published clarification to many open cases at once: "every open case whose
video says this". The user searches, sees exactly which cases will change (and which already
carry the clarification), confirms, and each case is attached in its own audited write
(``clarification_attach``), so one refusal does not undo the others."""

import re
from dataclasses import dataclass
from datetime import datetime

from django.contrib.postgres.search import SearchQuery
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from moderation.choices import OPEN_CASE_STATUSES, ClarificationStatus
from moderation.clarifications.services import clarification_attach
from moderation.errors import InvalidInput, ModerationError, NotFound, NotPermitted
from moderation.models import CaptionWords, Case, CaseClarification, Clarification, User
from moderation.permissions import (
    can_attach_clarifications,
    cases_visible_q,
)

# At most this many cases are listed, and attached, per confirmation; the rest wait for the
# next round (the list says how many more match).
BULK_ATTACH_LIMIT = 100
# Words shorter than this are ignored in the search (they match almost every caption).
MIN_WORD_LENGTH = 3
MAX_QUERY_LENGTH = 200

# Words of the ``simple`` text search configuration: lower case ASCII letters and digits.
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class BulkAttachPreview:
    clarification: Clarification
    query: str
    will_change: list[Case]  # open cases without it that the user may attach it to
    already: list[Case]  # open cases matching the search that already carry it
    will_change_total: int
    already_total: int

    @property
    def truncated(self) -> bool:
        return self.will_change_total > len(self.will_change)


@dataclass(frozen=True)
class BulkAttachResult:
    attached: list[int]
    refused: dict[int, str]  # case id: why


def clarification_for_attach(*, user: User, clarification_id: int) -> Clarification:
    """The clarification to attach: NotFound when unknown, InvalidInput unless published."""
    if not can_attach_clarifications(user):
        raise NotPermitted()
    clarification = Clarification.objects.filter(pk=clarification_id).first()
    if clarification is None:
        raise NotFound()
    if clarification.status != ClarificationStatus.PUBLISHED:
        detail = (
            _("Klarifikasi ini sudah ditarik dan tidak dapat dilampirkan lagi.")
            if clarification.status == ClarificationStatus.RETRACTED
            else _("Hanya klarifikasi yang sudah terbit yang dapat dilampirkan.")
        )
        raise InvalidInput(detail, errors={"clarification": detail})
    return clarification


def search_words(query: str) -> list[str]:
    """The words of a search that count, lower case, each once."""
    words = _WORD.findall(query[:MAX_QUERY_LENGTH].lower())
    return list(dict.fromkeys(w for w in words if len(w) >= MIN_WORD_LENGTH))


def _matching(user: User, query: str, *, open_only: bool = True) -> QuerySet[Case]:
    """Open cases the user may read whose caption has, for every word of ``query``, a word
    starting with it ("diundur" finds "diundur!!", "undur" does not; a hashtag is one word:
    "pemiluditunda" finds #pemiluditunda), through the index on caption words."""
    words = search_words(query)
    if not words:
        raise InvalidInput(
            _("Masukkan kata pencarian (minimal %(n)s huruf).") % {"n": MIN_WORD_LENGTH},
            errors={"q": _("kata pencarian kosong")},
        )
    q = (
        Q(cases_visible_q(user), status__in=OPEN_CASE_STATUSES)
        if open_only
        else cases_visible_q(user)
    )
    every_word = SearchQuery(
        " & ".join(f"{word}:*" for word in words), search_type="raw", config="simple"
    )
    return (
        Case.objects.filter(q)
        .alias(caption_words=CaptionWords("video__caption"))
        .filter(caption_words=every_word)
    )


def bulk_attach_preview(
    *, user: User, clarification: Clarification, query: str, limit: int = BULK_ATTACH_LIMIT
) -> BulkAttachPreview:
    """What attaching ``clarification`` to every open case matching ``query`` would change."""
    carries = CaseClarification.objects.filter(case_id=OuterRef("pk"), clarification=clarification)
    matching = _matching(user, query).annotate(carries=Exists(carries))
    order = ("-priority", "opened_at", "pk")
    will_change = matching.filter(carries=False)
    already = matching.filter(carries=True)
    related = ("video", "platform", "assignee")
    return BulkAttachPreview(
        clarification=clarification,
        query=query.strip(),
        will_change=list(will_change.select_related(*related).order_by(*order)[:limit]),
        already=list(already.select_related(*related).order_by(*order)[:limit]),
        will_change_total=will_change.count(),
        already_total=already.count(),
    )


def clarification_attach_many(
    *,
    user: User,
    clarification: Clarification,
    query: str,
    case_ids: list[int],
    now: datetime | None = None,
) -> BulkAttachResult:
    """Attach ``clarification`` to the confirmed cases, each in its own transaction. Every id
    must be a case the user may read that ``query`` finds (else InvalidInput and nothing is
    written); one that changed since the list was shown (closed, or attached meanwhile) is
    reported in ``refused`` and the others proceed."""
    now = now or timezone.now()
    selected = list(dict.fromkeys(case_ids))
    if not selected:
        raise InvalidInput(
            _("Pilih minimal satu kasus."), errors={"cases": _("tidak ada kasus yang dipilih")}
        )
    if len(selected) > BULK_ATTACH_LIMIT:
        raise InvalidInput(
            _("Paling banyak %(n)s kasus sekaligus.") % {"n": BULK_ATTACH_LIMIT},
            errors={"cases": _("terlalu banyak kasus")},
        )
    # Cases the user may not read, or that the search does not find, were never on the list.
    known = set(
        _matching(user, query, open_only=False).filter(pk__in=selected).values_list("pk", flat=True)
    )
    strangers = [pk for pk in selected if pk not in known]
    if strangers:
        raise InvalidInput(
            _("Kasus %(ids)s tidak ada dalam daftar konfirmasi.")
            % {"ids": ", ".join(f"#{pk}" for pk in strangers)},
            errors={"cases": _("kasus di luar daftar")},
        )
    # Listed, but changed since (closed, decided, or attached by someone else): reported.
    carrying = set(
        CaseClarification.objects.filter(
            case_id__in=selected, clarification=clarification
        ).values_list("case_id", flat=True)
    )
    attached: list[int] = []
    refused: dict[int, str] = {}
    for case in Case.objects.filter(pk__in=selected).order_by("pk"):
        if case.pk in carrying:
            refused[case.pk] = _("sudah membawa klarifikasi ini")
            continue
        try:
            clarification_attach(case=case, clarification=clarification, user=user, now=now)
        except ModerationError as exc:
            refused[case.pk] = str(exc.detail)
        else:
            attached.append(case.pk)
    return BulkAttachResult(attached=attached, refused=refused)
