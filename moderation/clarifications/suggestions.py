"""Which published clarifications answer a case: ranked, scored 0..1, with the words that matched.

How a case is matched:

1. Its text (the video's caption with its hashtags, and the flags' notes) goes through the
   normaliser (matching.py) into content words and their roots. Run-together hashtags are
   split with a vocabulary that includes the published clarifications' own words.
2. Words we do not recognise (typos, unlisted slang: "sirekep", "danain") stand for the closest
   word of a published clarification by trigram similarity (pg_trgm's measure).
3. The roots become lexemes of PostgreSQL's ``indonesian`` text search configuration; the
   GIN index on ``search_vector`` finds every published clarification sharing one of them.
4. Each candidate gets six features: how much of the case's informative words it explains
   (``explained``: words weighted by their rarity among published clarifications, claim, title
   and keywords counting more than the body), how completely the case covers one of its
   phrases (``phrase``: the claim, the title or a keyword) and its claim (``claim``), the
   evidence itself (``evidence``, counted in words found in a single clarification, so that it
   means the same with 40 published clarifications as with 500), its lead over the best other
   candidate (``lead``), and, for the ten leading candidates, pg_trgm's ``similarity()``
   between the case's text as written and the clarification's claim, title and keywords
   (``trigram``). A logistic model turns them into the probability that the clarification
   answers the case: that is the score. Its coefficients were fitted on the development half
   of bench/clarifications/eval.json with 500 published clarifications
   (bench/clarifications/fit.py); the held-out half measures it (bench/results/clarifications.md).
5. A case gets suggestions only when the ``confidence`` that one of the first three answers it
   (their summed scores, candidates that matched the same words of the case counted once)
   reaches ``THRESHOLD``, so an unrelated case gets an empty list. Then the first place, the
   second and third down to ``FOLLOWER_FLOOR`` (much lower: the threshold has already answered
   whether anything fits; the runner-up of two close clarifications is often the right one),
   and further places to those at or above ``THRESHOLD``. The case's flag reasons only order
   equal scores (answering clarifications first).

Near-identical clarifications ("Pemilu 2024 diundur" and "Pilkada 2024 diundur") share their
common words, which are therefore worth little; the rarer word that tells them apart decides,
and a case that names neither does not cover either phrase fully, so neither scores high.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from threading import Lock

from django.db import connection

from moderation.choices import ClarificationStatus
from moderation.clarifications.matching import Term, is_known_word, terms
from moderation.clarifications.search import TEXT_SEARCH_CONFIG
from moderation.models import Case, Clarification, Flag

# Weights of a matched word by where the clarification has it.
FIELD_WEIGHTS = {"A": 1.0, "B": 0.5, "C": 0.5, "D": 0.3}
# What an informative word of the case that no published clarification contains weighs, in
# units of inverse document frequency: unexplained words lower the share a candidate explains.
UNKNOWN_WORD_WEIGHT = 1.5
# Trigram similarity a misspelt word needs with a clarification's word to count as it.
TYPO_MIN_SIMILARITY = 0.5
TYPO_MIN_LENGTH = 4
# A word in more than this share of published clarifications does not retrieve candidates on
# its own (it still counts for candidates found through other words).
RETRIEVAL_MAX_SHARE = 0.25
# How many of the best candidates get the pg_trgm feature (the costly part of the SQL), and at
# most how many suggestions a case gets (the contract's "at most 10").
LEADING_CANDIDATES = 10

# The logistic model: score = 1 / (1 + exp(-(INTERCEPT + sum(w * feature)))). Fitted by
# bench/clarifications/fit.py on the development half of the evaluation set.
INTERCEPT = -6.445
COEFFICIENTS = {
    "explained": 0.255,
    "phrase": 0.236,
    "claim": 0.642,
    "evidence": 3.903,
    "lead": 3.909,
    "trigram": 6.789,
}
# A case gets suggestions only when the confidence that one of its first three candidates answers
# it reaches this (``confidence``; chosen on the development half for false suggestions, fit.py).
THRESHOLD = 0.25
# Once the case gets suggestions, the second and third places are filled with the next candidates
# scoring at least this: near-identical or topically close clarifications split the probability
# between them, and the right one is often the runner-up (chosen on the development half, fit.py).
FOLLOWER_FLOOR = 0.005
# How many places the lower floor fills (the first included); below them only THRESHOLD counts.
FOLLOWER_PLACES = 3


@dataclass(frozen=True, slots=True)
class SuggestedClarification:
    id: int
    title: str
    claim: str
    rating: str
    version: int


@dataclass(frozen=True, slots=True)
class Suggestion:
    clarification: SuggestedClarification
    score: float  # 0..1, the estimated probability that it answers the case
    matched: list[str]  # the case's words that matched, as normalised, in the case's order


@dataclass(slots=True)
class Candidate:
    """A published clarification sharing words with the case, with the features of its score.
    Its title, claim and so on are read only for the leading ones (``clarification``)."""

    id: int
    matched: list[str]
    features: dict[str, float] = field(default_factory=dict)
    score: float = 0.0
    clarification: SuggestedClarification | None = None
    reasons: list[str] = field(default_factory=list)


# --- The published clarifications' statistics, cached per process ------------------------------


def trigrams(word: str) -> frozenset[str]:
    """pg_trgm's trigrams of one word: lower case, two spaces before and one after."""
    padded = f"  {word.lower()} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def trigram_similarity(a: str, b: str) -> float:
    """pg_trgm's ``similarity()`` for two single words: shared trigrams over all trigrams."""
    ta, tb = trigrams(a), trigrams(b)
    union = len(ta | tb)
    return len(ta & tb) / union if union else 0.0


@dataclass(slots=True)
class _Corpus:
    stamp: tuple[object, ...]
    size: int
    document_frequency: dict[str, int]
    vocabulary: frozenset[str]
    phrases: dict[int, list[str]]  # clarification id -> lexemes of its claim, title, keywords
    phrase_mass: dict[str, float] = field(default_factory=dict)
    _trigram_index: dict[str, list[str]] | None = None

    def idf(self, lexeme: str) -> float:
        return _idf(self.document_frequency.get(lexeme, 0), self.size)

    @property
    def idf_max(self) -> float:
        """The rarity of a word in one clarification only: evidence is counted in such words,
        so that it means the same with 40 published clarifications as with 500."""
        return _idf(1, self.size)

    def mass_of(self, phrase: str) -> float:
        """The summed rarity of a phrase's lexemes: what covering all of it is worth."""
        mass = self.phrase_mass.get(phrase)
        if mass is None:
            mass = self.phrase_mass[phrase] = sum(self.idf(w) for w in set(phrase.split()))
        return mass

    def closest_word(self, word: str) -> tuple[str, float] | None:
        """The published clarifications' word most similar to a misspelt one, by pg_trgm's
        measure, through an in-memory trigram index of their vocabulary (a few thousand
        words; asking PostgreSQL would cost an index scan per word)."""
        if self._trigram_index is None:
            index: dict[str, list[str]] = {}
            for known in self.vocabulary:
                if not known.isdigit():
                    for gram in trigrams(known):
                        index.setdefault(gram, []).append(known)
            self._trigram_index = index
        candidates = {w for g in trigrams(word) for w in self._trigram_index.get(g, ())}
        scored = [(trigram_similarity(word, w), w) for w in candidates]
        best = max(scored, default=(0.0, ""), key=lambda pair: (pair[0], -len(pair[1])))
        return (best[1], best[0]) if best[0] >= TYPO_MIN_SIMILARITY else None


_corpus: _Corpus | None = None
_corpus_lock = Lock()
_lexemes: dict[str, str] = {}
_LEXEME_CACHE_SIZE = 200_000

_TABLE = Clarification._meta.db_table
# The stamp of the published set, and (in the same round trip) a case's flag notes.
_STAMP_SQL = f"""
SELECT count(*), max(updated_at), coalesce(sum(version), 0),
       coalesce(sum(length(search_text)), 0),
       ARRAY(SELECT f.note FROM {Flag._meta.db_table} f
             WHERE f.case_id = %s AND f.note <> '' ORDER BY f.flagged_at, f.id)
FROM {_TABLE} WHERE status = %s
"""  # noqa: S608 (names from the model, values are parameters)
_DOCUMENT_FREQUENCY_SQL = f"""
SELECT word, ndoc FROM ts_stat(
    'SELECT search_vector FROM {_TABLE}
     WHERE status = ''{ClarificationStatus.PUBLISHED}'' AND search_vector IS NOT NULL')
"""  # noqa: S608 (names from the model, values are parameters)
_VOCABULARY_SQL = f"""
SELECT id, search_text, search_phrases FROM {_TABLE} WHERE status = %s
"""  # noqa: S608 (names from the model, values are parameters)
_LEXEMES_SQL = f"""
SELECT s, array_to_string(tsvector_to_array(to_tsvector('{TEXT_SEARCH_CONFIG}', s)), ' ')
FROM unnest(%s::text[]) AS s
"""  # noqa: S608 (names from the model, values are parameters)
_CANDIDATES_SQL = f"""
SELECT c.id,
       ARRAY(SELECT u.lexeme || ':' || array_to_string(u.weights, '')
             FROM unnest(c.search_vector) AS u
             WHERE u.lexeme = ANY(%(lexemes)s)) AS hits
FROM {_TABLE} c
WHERE c.status = %(published)s AND c.search_vector @@ %(query)s::tsquery
"""  # noqa: S608 (names from the model, values are parameters)
# pg_trgm's similarity between the case's text as written and a clarification's claim, title and
# keywords. It costs ~0.1 ms a row, so it is asked only for the leading candidates, together with
# what a suggestion shows of them.
_LEADING_SQL = f"""
SELECT c.id, c.title, c.claim, c.rating, c.version, c.reasons,
       similarity(lower(c.claim || ' ' || c.title || ' ' || array_to_string(c.keywords, ' ')),
                  %(text)s)
FROM {_TABLE} c
WHERE c.id = ANY(%(ids)s)
"""  # noqa: S608 (names from the model, values are parameters)


def _current_corpus(*, case_id: int | None = None) -> tuple[_Corpus, list[str]]:
    """Document frequencies and vocabulary of the published clarifications, reloaded when the
    set changes (a publication, a retraction, a new version or refreshed search columns); and
    the flag notes of case ``case_id``, read in the same round trip."""
    global _corpus
    with connection.cursor() as cursor:
        cursor.execute(_STAMP_SQL, [case_id, ClarificationStatus.PUBLISHED])
        *head, notes = cursor.fetchone()
        stamp = tuple(head)
        cached = _corpus
        if cached is not None and cached.stamp == stamp:
            return cached, list(notes)
        cursor.execute(_DOCUMENT_FREQUENCY_SQL)
        frequency = {word: int(count) for word, count in cursor.fetchall()}
        cursor.execute(_VOCABULARY_SQL, [ClarificationStatus.PUBLISHED])
        rows = cursor.fetchall()
    corpus = _Corpus(
        stamp=stamp,
        size=int(stamp[0]) if stamp else 0,  # type: ignore[call-overload]
        document_frequency=frequency,
        vocabulary=frozenset(word for _, text, _ in rows for word in text.split()),
        phrases={pk: [p for p in phrases if p] for pk, _, phrases in rows},
    )
    with _corpus_lock:
        _corpus = corpus
    return corpus, list(notes)


def _lexemes_of(stems: Iterable[str]) -> dict[str, str]:
    """Each root's lexeme in the ``indonesian`` configuration (cached: it never changes)."""
    wanted = {s for s in stems if s}
    missing = sorted(wanted - _lexemes.keys())
    if len(_lexemes) > _LEXEME_CACHE_SIZE:  # captions bring new words forever; stay bounded
        _lexemes.clear()
        missing = sorted(wanted)
    if missing:
        with connection.cursor() as cursor:
            cursor.execute(_LEXEMES_SQL, [missing])
            for stem, lexeme in cursor.fetchall():
                _lexemes[stem] = lexeme.split(" ")[0] if lexeme else ""
    return {s: _lexemes[s] for s in wanted}


# --- Scoring ------------------------------------------------------------------------------------


def _idf(document_frequency: int, size: int) -> float:
    return math.log(1.0 + (size - document_frequency + 0.5) / (document_frequency + 0.5))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def score_of(features: dict[str, float]) -> float:
    return _sigmoid(INTERCEPT + sum(COEFFICIENTS[k] * v for k, v in features.items()))


def case_text(case: Case) -> str:
    """What a case is matched on: the video's caption (hashtags included) and the flag notes.
    (clarification_suggestions reads the notes together with the published set's stamp.)"""
    notes = Flag.objects.filter(case=case).exclude(note="").values_list("note", flat=True)
    return "\n".join([case.video.caption, *notes])


def candidates_for_text(text: str) -> list[Candidate]:
    """Every published clarification sharing a word with ``text``, with its features and
    score, best first. The bench fits the model on these."""
    corpus, _ = _current_corpus()
    return _candidates(text, corpus)


def _candidates(text: str, corpus: _Corpus) -> list[Candidate]:
    if corpus.size == 0:
        return []
    case_terms = terms(text, vocabulary=corpus.vocabulary)
    if not case_terms:
        return []
    lexeme = _lexemes_of(t.stem for t in case_terms)

    # Words no clarification has and that are not Indonesian we know: most likely typos or
    # unlisted slang; each stands for the closest published word, weighted by similarity.
    corrected: dict[str, tuple[list[Term], float]] = {}
    for term in case_terms:
        if (
            term.word in corrected
            or lexeme.get(term.stem, "") in corpus.document_frequency
            or term.word.isdigit()
            or len(term.word) < TYPO_MIN_LENGTH
            or is_known_word(term.word, vocabulary=corpus.vocabulary)
        ):
            continue
        closest = corpus.closest_word(term.word)
        if closest is not None and terms(closest[0]):
            corrected[term.word] = (terms(closest[0]), closest[1])
    lexeme |= _lexemes_of(t.stem for ts, _ in corrected.values() for t in ts)

    # The case's lexemes, each once: its weight (1, or the typo similarity) and its words.
    weight: dict[str, float] = {}
    shown: dict[str, list[str]] = {}
    for term in case_terms:
        sources: list[tuple[Term, float]] = [(term, 1.0)]
        if term.word in corrected:
            replacement, similarity = corrected[term.word]
            sources = [(t, similarity) for t in replacement]
        for source, w in sources:
            lex = lexeme.get(source.stem, "")
            if not lex:
                continue
            weight[lex] = max(weight.get(lex, 0.0), w)
            if term.word not in shown.setdefault(lex, []):
                shown[lex].append(term.word)

    size = corpus.size
    frequency = corpus.document_frequency
    idf = {lex: corpus.idf(lex) for lex in weight}
    known = [lex for lex in weight if frequency.get(lex, 0) > 0]
    if not known:
        return []
    unknown_count = len(weight) - len(known)
    case_mass = sum(weight[lex] * idf[lex] for lex in known) + UNKNOWN_WORD_WEIGHT * unknown_count

    retrieving = [lex for lex in known if frequency[lex] <= RETRIEVAL_MAX_SHARE * size] or [
        min(known, key=lambda lex: frequency[lex])
    ]
    query = " | ".join(f"'{lex}'" for lex in retrieving)
    with connection.cursor() as cursor:
        cursor.execute(
            _CANDIDATES_SQL,
            {"lexemes": known, "published": ClarificationStatus.PUBLISHED, "query": query},
        )
        rows = cursor.fetchall()

    candidates: list[Candidate] = []
    for pk, hits in rows:
        evidence = 0.0
        matched_lexemes: set[str] = set()
        for hit in hits:
            lex, _, weights = hit.rpartition(":")
            best = max(FIELD_WEIGHTS.get(w, 0.5) for w in weights or "D")
            evidence += weight[lex] * best * idf[lex]
            matched_lexemes.add(lex)
        covers = [
            _cover(corpus, phrase, weight, idf, matched_lexemes)
            for phrase in corpus.phrases.get(pk, [])
        ]
        matched_words = list(
            dict.fromkeys(
                t.word
                for t in case_terms
                if any(t.word in shown.get(lex, ()) for lex in matched_lexemes)
            )
        )
        candidates.append(
            Candidate(
                id=pk,
                matched=matched_words,
                features={
                    "explained": evidence / case_mass if case_mass else 0.0,
                    "phrase": max(covers, default=0.0),
                    "claim": covers[0] if covers else 0.0,
                    "evidence": math.log1p(evidence / corpus.idf_max),
                    "trigram": 0.0,
                },
            )
        )
    if not candidates:
        return []
    _add_lead(candidates)
    for candidate in candidates:
        candidate.score = score_of(candidate.features)
    candidates.sort(key=lambda c: (-c.score, c.id))
    _complete_leading(candidates[:LEADING_CANDIDATES], text)
    candidates.sort(key=lambda c: (-c.score, c.id))
    return candidates


def _complete_leading(leading: list[Candidate], text: str) -> None:
    """pg_trgm similarity for the leading candidates, then their final score, and what a
    suggestion shows of them. The others keep the score without it: the feature's weight is
    positive, so it only lifts, and they are too far behind to be shown."""
    if not leading:
        return
    with connection.cursor() as cursor:
        cursor.execute(_LEADING_SQL, {"ids": [c.id for c in leading], "text": text.lower()})
        rows = {row[0]: row for row in cursor.fetchall()}
    for candidate in leading:
        pk, title, claim, rating, version, reasons, similarity = rows[candidate.id]
        candidate.clarification = SuggestedClarification(
            id=pk, title=title, claim=claim, rating=rating, version=version
        )
        candidate.reasons = list(reasons)
        candidate.features["trigram"] = float(similarity or 0.0)
        candidate.score = score_of(candidate.features)


def _cover(
    corpus: _Corpus,
    phrase: str,
    weight: dict[str, float],
    idf: dict[str, float],
    matched: set[str],
) -> float:
    """The share of a phrase's rarity that the case's words cover."""
    total = corpus.mass_of(phrase)
    if total <= 0:
        return 0.0
    return sum(weight[w] * idf[w] for w in set(phrase.split()) & matched) / total


def _add_lead(candidates: list[Candidate]) -> None:
    """How far each candidate is ahead of the best other one (negative: behind it), on the
    two shares above."""
    bases = sorted(
        (c.features["explained"] + c.features["phrase"] for c in candidates), reverse=True
    )
    for candidate in candidates:
        mine = candidate.features["explained"] + candidate.features["phrase"]
        runner_up = bases[1] if len(bases) > 1 else 0.0
        best_other = bases[0] if mine < bases[0] else runner_up
        candidate.features["lead"] = mine - best_other


def suggestions_for_text(
    text: str, *, reasons: Sequence[str] = (), limit: int = 10
) -> list[Suggestion]:
    """The clarifications that fit ``text`` at or above ``THRESHOLD``, best first."""
    return _fitting(candidates_for_text(text), reasons=reasons, limit=limit)


def confidence(leading: Sequence[tuple[float, Sequence[str]]]) -> float:
    """How likely it is that one of the first ``FOLLOWER_PLACES`` candidates answers the case,
    from their (score, matched words), best first: the sum of their scores, the answers being
    exclusive, except that candidates which matched the very same words of the case count once
    (at the best of their scores). Such candidates are one piece of evidence, not several:
    forty near-identical regional clarifications sharing "TPS dipindahkan" with the case each
    get the same middling score, and forty times it would be a certainty."""
    best_by_words: dict[frozenset[str], float] = {}
    for score, matched in leading[:FOLLOWER_PLACES]:
        key = frozenset(matched)
        best_by_words[key] = max(best_by_words.get(key, 0.0), score)
    return min(1.0, sum(best_by_words.values()))


def _fitting(
    candidates: list[Candidate], *, reasons: Sequence[str], limit: int
) -> list[Suggestion]:
    """Nothing unless the ``confidence`` of the first places reaches ``THRESHOLD``; then the
    first ``FOLLOWER_PLACES`` places down to ``FOLLOWER_FLOOR`` (the first always), and any
    further candidate at or above ``THRESHOLD``. Among equal scores, one answering the case's
    reasons first."""
    wanted = set(reasons)
    leading = [c for c in candidates[:LEADING_CANDIDATES] if c.clarification is not None]
    leading.sort(key=lambda c: (-round(c.score, 6), not (wanted & set(c.reasons))))
    if not leading or confidence([(c.score, c.matched) for c in leading]) < THRESHOLD:
        return []
    shown = [
        c
        for place, c in enumerate(leading)
        if place == 0
        or c.score >= THRESHOLD
        or (place < FOLLOWER_PLACES and c.score >= FOLLOWER_FLOOR)
    ]
    return [
        Suggestion(clarification=c.clarification, score=round(c.score, 4), matched=c.matched)
        for c in shown[: max(0, min(limit, LEADING_CANDIDATES))]
        if c.clarification is not None
    ]


def clarification_suggestions(*, case: Case, limit: int = 10) -> list[Suggestion]:
    """Published clarifications for ``case``, best first, at most ``limit``; empty when none
    fits. Three small queries (four while a root's lexeme is not cached yet); see
    bench/results/clarifications.md for the latency. Pass a case with its video loaded
    (``select_related("video")``), or that is one more."""
    corpus, notes = _current_corpus(case_id=case.pk)
    text = "\n".join([case.video.caption, *notes])
    return _fitting(_candidates(text, corpus), reasons=case.reasons, limit=limit)
