"""Hoax waves: one false claim copied into many videos.

A wave is a case already decided with a KPU clarification (its *source*) and the open cases
whose videos repeat it: a near-identical caption (pg_trgm similarity of at least
``WAVE_SIMILARITY``) or the same set of hashtags (at least ``MIN_HASHTAGS`` of them, the
all-purpose ones like #fyp left out). The case page shows the wave; the queue marks its
members. A moderator applies the source's decision (action, clarification, statement of
reasons) to the members they select: each member gets its own decision through
``decision_record``, with its own audit event and callback, and the same rules as one decided
by hand (a claim first, a supervisor's approval for high-impact decisions, the appeal rule).

Candidates are found through the index on the words of captions (``video_caption_words``,
migration 0014): a caption's candidates share any three of its five longest words, or all its
specific hashtags. Only those are compared (pg_trgm's ``similarity()``), so the cost does not
grow with the number of videos (bench/results/waves.md).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations

from django.contrib.postgres.search import SearchQuery
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from moderation.choices import (
    OPEN_CASE_STATUSES,
    ApprovalState,
    CaseAction,
    CaseStatus,
    ClarificationStatus,
)
from moderation.clarifications.matching import stop_words
from moderation.clarifications.services import clarification_attach
from moderation.errors import InvalidInput, ModerationError
from moderation.models import (
    CaptionWords,
    Case,
    CaseClarification,
    Clarification,
    Decision,
    User,
)
from moderation.permissions import case_actions, cases_visible_q
from moderation.review.claims import case_claim
from moderation.review.decisions import decision_record

# Captions at least this similar (pg_trgm's similarity(), 0..1) are the same message.
WAVE_SIMILARITY = 0.6
# Shorter captions ("wkwk", "cek") say too little to be called copies of each other.
MIN_CAPTION_LENGTH = 20
# A hashtag set identifies a wave when it has at least this many specific hashtags.
MIN_HASHTAGS = 2
# Hashtags on every other video, whatever it says: they never make two videos alike.
GENERIC_HASHTAGS = frozenset(
    {
        "fyp",
        "fy",
        "fypシ",
        "fypage",
        "foryou",
        "foryoupage",
        "viral",
        "viralvideo",
        "trending",
        "tiktok",
        "xyzbca",
        "masukberanda",
        "beranda",
        "berandatiktok",
        "capcut",
    }
)
# At most this many members are shown (and can be selected) at once, most similar first.
WAVE_MEMBERS_SHOWN = 50
# How many decided cases are considered as the source of a case's wave.
SOURCE_CANDIDATES = 10

FINAL_APPROVAL_STATES = (ApprovalState.NOT_REQUIRED, ApprovalState.APPROVED)
SETTLED_STATUSES = (CaseStatus.DECIDED, CaseStatus.CLOSED)

_HASHTAG = re.compile(r"#(\w+)")
# pg_trgm's words: runs of letters and digits.
_TRGM_WORD = re.compile(r"[^\W_]+")
# Words the ``simple`` text search configuration keeps as they are (lower case ASCII letters
# and digits): only these go into a tsquery.
_QUERY_WORD = re.compile(r"[a-z0-9]+")
# A caption's candidates share any WORDS_REQUIRED of its KEY_WORDS longest words (long words
# are the rare ones): a copy with a few edits keeps them, an unrelated caption seldom has them.
KEY_WORDS = 5
WORDS_REQUIRED = 3
MIN_KEY_WORD_LENGTH = 4
# At most this many captions sharing a caption's key words are compared with it.
MAX_CANDIDATES = 2000
# At most this many sources are compared with a queue page's rows.
MARK_SOURCES = 500


class Match:
    CAPTION = "caption"
    HASHTAGS = "hashtags"


def caption_hashtags(caption: str) -> frozenset[str]:
    """The specific hashtags of a caption, lower case, without the all-purpose ones."""
    return frozenset(tag.lower() for tag in _HASHTAG.findall(caption or "")) - GENERIC_HASHTAGS


@dataclass(frozen=True)
class WaveMember:
    case: Case
    similarity: float  # of its caption to the source's, 0..1
    match: str  # Match.CAPTION or Match.HASHTAGS
    carries_clarification: bool
    refusal: str  # why the user cannot apply the decision to it now; "" when they can


@dataclass(frozen=True)
class Wave:
    source: Decision  # the source case's decision, with ``case`` and ``clarification`` loaded
    clarification: Clarification
    members: list[WaveMember]

    @property
    def source_case(self) -> Case:
        return self.source.case

    @property
    def applicable(self) -> list[WaveMember]:
        return [m for m in self.members if not m.refusal]


@dataclass(frozen=True)
class WaveOutcome:
    """What applying the wave's decision did to one selected member."""

    case_id: int
    decision: Decision | None
    refusal: str = ""

    @property
    def held(self) -> bool:
        return self.decision is not None and self.decision.approval_state == ApprovalState.PENDING


# --- Finding similar cases -------------------------------------------------------------------


def caption_trigrams(caption: str) -> frozenset[str]:
    """pg_trgm's trigrams of a text: each run of letters and digits, lower case, padded with
    two spaces before and one after."""
    out: set[str] = set()
    for word in _TRGM_WORD.findall((caption or "").lower()):
        padded = f"  {word} "
        out.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(out)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def caption_similarity(a: str, b: str) -> float:
    """pg_trgm's ``similarity()``: shared trigrams over all trigrams of the two texts."""
    return _jaccard(caption_trigrams(a), caption_trigrams(b))


def _key_words(caption: str) -> set[str]:
    """A caption's ``KEY_WORDS`` longest words (long words are the rare ones), leaving out
    Indonesian stop words and the all-purpose hashtags, which every other caption has."""
    common = stop_words() | GENERIC_HASHTAGS
    words = sorted(
        {
            w
            for w in _QUERY_WORD.findall(caption.lower())
            if len(w) >= MIN_KEY_WORD_LENGTH and w not in common
        },
        key=lambda w: (-len(w), w),
    )
    return set(words[:KEY_WORDS])


def wave_query(caption: str) -> str | None:
    """A tsquery (``simple`` configuration) that every near-identical copy of ``caption`` is
    all but sure to match and few other captions do: any ``WORDS_REQUIRED`` of its
    ``KEY_WORDS`` longest words (both, when it has only two). None when it has fewer."""
    if len(caption.strip()) < MIN_CAPTION_LENGTH:
        return None
    words = sorted(_key_words(caption), key=lambda w: (-len(w), w))
    if len(words) < 2:
        return None
    required = min(WORDS_REQUIRED, len(words))
    return " | ".join("(" + " & ".join(group) + ")" for group in combinations(words, required))


def _words_match(query: str) -> SearchQuery:
    return SearchQuery(query, search_type="raw", config="simple")


def _sharing_words(cases: QuerySet[Case], query: str) -> QuerySet[Case]:
    """The cases whose video's caption matches ``query`` (through the words index)."""
    return cases.alias(caption_words=CaptionWords("video__caption")).filter(
        caption_words=_words_match(query)
    )


def _hashtag_query(tags: frozenset[str]) -> str | None:
    usable = sorted(t for t in tags if _QUERY_WORD.fullmatch(t))
    return " & ".join(usable) if len(usable) >= MIN_HASHTAGS else None


def _similar(cases: QuerySet[Case], *, caption: str, limit: int) -> list[tuple[Case, float, str]]:
    """Cases of ``cases`` whose caption is near-identical to ``caption`` (pg_trgm similarity
    of at least ``WAVE_SIMILARITY``) or has the same specific hashtags: (case, similarity, how
    it matched), most similar first. The words index picks at most ``MAX_CANDIDATES``
    candidates and only those are compared, here rather than in SQL: PostgreSQL takes
    similarity() for cheap and would compute it on every caption."""
    mine = caption_trigrams(caption)
    scored: dict[int, tuple[float, str]] = {}
    if query := wave_query(caption):
        for pk, theirs in _sharing_words(cases, query).values_list("pk", "video__caption")[
            :MAX_CANDIDATES
        ]:
            similarity = _jaccard(mine, caption_trigrams(theirs))
            if similarity >= WAVE_SIMILARITY:
                scored[pk] = (similarity, Match.CAPTION)
    tags = caption_hashtags(caption)
    if query := _hashtag_query(tags):
        # The words index finds captions with these words anywhere; the regular expressions
        # keep those carrying them as hashtags, and the exact set is checked here.
        carrying = _sharing_words(cases, query)
        for tag in sorted(tags):
            carrying = carrying.filter(video__caption__iregex=rf"#{tag}(\W|$)")
        for pk, theirs in carrying.values_list("pk", "video__caption")[:MAX_CANDIDATES]:
            if pk not in scored and caption_hashtags(theirs) == tags:
                scored[pk] = (_jaccard(mine, caption_trigrams(theirs)), Match.HASHTAGS)
    if not scored:
        return []
    loaded = cases.select_related("video", "platform", "assignee").in_bulk(list(scored))
    ranked = sorted(
        ((loaded[pk], round(similarity, 3), match) for pk, (similarity, match) in scored.items()),
        key=lambda row: (-row[1], -row[0].priority, row[0].pk),
    )
    return ranked[:limit]


def _decisions_with_clarification() -> QuerySet[Decision]:
    """Final decisions that came with a published clarification: a label decision's own, or
    one attached to its case."""
    attached = CaseClarification.objects.filter(
        case_id=OuterRef("case_id"), clarification__status=ClarificationStatus.PUBLISHED
    )
    return Decision.objects.filter(approval_state__in=FINAL_APPROVAL_STATES).filter(
        Q(clarification__status=ClarificationStatus.PUBLISHED) | Exists(attached)
    )


def decided_with_clarification() -> QuerySet[Case]:
    """Settled cases whose decision came with a published clarification: wave sources."""
    return Case.objects.filter(status__in=SETTLED_STATUSES).filter(
        Exists(_decisions_with_clarification().filter(case_id=OuterRef("pk")))
    )


def _source_decision(case: Case) -> Decision | None:
    """The newest final decision of a settled case, with the clarification it came with."""
    decision = (
        _decisions_with_clarification()
        .filter(case=case)
        .select_related("case__video", "case__platform", "clarification", "decided_by")
        .order_by("-decided_at", "-pk")
        .first()
    )
    if decision is None:
        return None
    if decision.clarification is None or decision.clarification.status != (
        ClarificationStatus.PUBLISHED
    ):
        link = (
            CaseClarification.objects.filter(
                case=case, clarification__status=ClarificationStatus.PUBLISHED
            )
            .select_related("clarification")
            .order_by("-attached_at", "-pk")
            .first()
        )
        if link is None:
            return None
        decision.clarification = link.clarification
    return decision


def _member_refusal(user: User, case: Case, now: datetime) -> str:
    """Why applying a decision to ``case`` would be refused now ("" if it would not be):
    the same rules the claim and decision services apply."""
    actions = case_actions(user, case, now=now)
    if actions.holds_claim:
        refusal = actions.refusals.get(CaseAction.DECIDE)
    elif case.status == CaseStatus.AWAITING_CLARIFICATION and not case.assignee_id:
        # Attaching the clarification puts it back in the queue (new) first.
        refusal = actions.refusals.get(CaseAction.ATTACH_CLARIFICATION)
    else:
        refusal = actions.refusals.get(CaseAction.CLAIM)
    if refusal is None:
        return ""
    if actions.held_by_other and case.assignee is not None:
        return _("Sedang ditangani oleh %(user)s.") % {"user": case.assignee.get_username()}
    return str(refusal.detail)


def wave_members(
    *, user: User, source: Decision, now: datetime | None = None, limit: int = WAVE_MEMBERS_SHOWN
) -> list[WaveMember]:
    """The open cases ``user`` may read that repeat the source case's video."""
    now = now or timezone.now()
    source_case = source.case
    open_cases = Case.objects.filter(cases_visible_q(user), status__in=OPEN_CASE_STATUSES).exclude(
        video_id=source_case.video_id
    )
    similar = _similar(open_cases, caption=source_case.video.caption, limit=limit)
    carrying = set(
        CaseClarification.objects.filter(
            case_id__in=[case.pk for case, _s, _m in similar], clarification=source.clarification
        ).values_list("case_id", flat=True)
    )
    return [
        WaveMember(
            case=case,
            similarity=similarity,
            match=match,
            carries_clarification=case.pk in carrying,
            refusal=_member_refusal(user, case, now),
        )
        for case, similarity, match in similar
    ]


def case_wave(*, user: User, case: Case, now: datetime | None = None) -> Wave | None:
    """The wave ``case`` belongs to, as ``user`` may see it: its source (this case when it was
    itself decided with a clarification, else the most similar such case) and its open
    members. None when the case repeats no decided case."""
    source: Decision | None = None
    if case.status in SETTLED_STATUSES:
        source = _source_decision(case)
    if source is None:
        candidates = Case.objects.filter(cases_visible_q(user)).filter(
            pk__in=decided_with_clarification().values("pk")
        )
        for candidate, _similarity, _match in _similar(
            candidates.exclude(video_id=case.video_id),
            caption=case.video.caption,
            limit=SOURCE_CANDIDATES,
        ):
            source = _source_decision(candidate)
            if source is not None:
                break
    if source is None or source.clarification is None:
        return None
    members = wave_members(user=user, source=source, now=now)
    if not members:
        return None
    return Wave(source=source, clarification=source.clarification, members=members)


def wave_marked_cases(*, user: User, cases: Sequence[Case]) -> set[int]:
    """Which of ``cases`` (a queue page, videos loaded) repeat, near-identically, a case
    ``user`` may read that was decided with a clarification. One query: the sources sharing
    words with any row, through the words index; the similarity is then computed here."""
    queries = {
        case.pk: query
        for case in cases
        if case.status in OPEN_CASE_STATUSES and (query := wave_query(case.video.caption))
    }
    if not queries:
        return set()
    sources = list(
        decided_with_clarification()
        .filter(cases_visible_q(user))
        .alias(caption_words=CaptionWords("video__caption"))
        .filter(caption_words=_words_match(" | ".join(f"({q})" for q in queries.values())))
        .values_list("video_id", "video__caption")[:MARK_SOURCES]
    )
    # Each source's words and trigrams once; a row is compared only with the sources that
    # have at least WORDS_REQUIRED of its key words (what its query asked for).
    candidates = [
        (video_id, set(_QUERY_WORD.findall(caption.lower())), caption_trigrams(caption))
        for video_id, caption in sources
    ]
    marked = set()
    for case in cases:
        if case.pk not in queries:
            continue
        keys = _key_words(case.video.caption)
        mine: frozenset[str] | None = None
        for video_id, words, theirs in candidates:
            if video_id == case.video_id or len(keys & words) < min(WORDS_REQUIRED, len(keys)):
                continue
            mine = mine if mine is not None else caption_trigrams(case.video.caption)
            if _jaccard(mine, theirs) >= WAVE_SIMILARITY:
                marked.add(case.pk)
                break
    return marked


# --- Applying the source's decision ----------------------------------------------------------


def wave_source_for(*, user: User, decision_id: int) -> Decision:
    """A decision that can be the source of a wave, as ``user`` may see it, or InvalidInput."""
    decision = (
        _decisions_with_clarification()
        .filter(pk=decision_id, case__status__in=SETTLED_STATUSES)
        .select_related("case__video", "case__platform")
        .first()
    )
    if (
        decision is None
        or not Case.objects.filter(cases_visible_q(user), pk=decision.case_id).exists()
    ):
        raise InvalidInput(
            _("Keputusan ini tidak dapat diterapkan pada gelombang."),
            errors={"source": _("bukan keputusan final dengan klarifikasi terbit")},
        )
    source = _source_decision(decision.case)
    if source is None or source.pk != decision.pk:
        raise InvalidInput(
            _("Keputusan ini tidak dapat diterapkan pada gelombang."),
            errors={"source": _("bukan keputusan terbaru kasusnya")},
        )
    return source


def _apply_one(
    *, source: Decision, clarification: Clarification, case: Case, user: User, now: datetime
) -> Decision:
    """One member, all or nothing: attach the clarification, claim, decide."""
    with transaction.atomic():
        clarification_attach(case=case, clarification=clarification, user=user, now=now)
        claimed = case_claim(case=case, user=user, now=now)
        return decision_record(
            case=claimed,
            user=user,
            version=claimed.version,
            action=source.action,
            ground=source.ground,
            category=source.category,
            statement_of_reasons=source.statement_of_reasons,
            clarification=clarification,
            territorial_scope=list(source.territorial_scope),
            facts=source.facts,
            now=now,
        )


def wave_decision_apply(
    *, source: Decision, case_ids: Sequence[int], user: User, now: datetime | None = None
) -> list[WaveOutcome]:
    """Apply ``source``'s decision to the selected members of its wave, each in its own
    transaction through the claim and decision services: a member someone else holds, or
    one the user may not decide, is refused with the reason and the others proceed."""
    now = now or timezone.now()
    selected = list(dict.fromkeys(case_ids))
    if not selected:
        raise InvalidInput(
            _("Pilih minimal satu kasus dari gelombang ini."),
            errors={"cases": _("tidak ada kasus yang dipilih")},
        )
    clarification = source.clarification
    if clarification is None:
        raise InvalidInput(errors={"source": _("tanpa klarifikasi")})
    members = {m.case.pk: m for m in wave_members(user=user, source=source, now=now)}
    strangers = [pk for pk in selected if pk not in members]
    if strangers:
        raise InvalidInput(
            _("Kasus %(ids)s bukan anggota gelombang ini.")
            % {"ids": ", ".join(f"#{pk}" for pk in strangers)},
            errors={"cases": _("kasus di luar gelombang")},
        )
    outcomes = []
    for pk in selected:
        try:
            decision = _apply_one(
                source=source,
                clarification=clarification,
                case=members[pk].case,
                user=user,
                now=now,
            )
        except ModerationError as exc:
            member = Case.objects.select_related("assignee").get(pk=pk)
            reason = str(exc.detail)
            if member.assignee_id and member.assignee_id != user.pk and member.assignee:
                reason = _("Sedang ditangani oleh %(user)s.") % {
                    "user": member.assignee.get_username()
                }
            outcomes.append(WaveOutcome(case_id=pk, decision=None, refusal=reason))
        else:
            outcomes.append(WaveOutcome(case_id=pk, decision=decision))
    return outcomes
