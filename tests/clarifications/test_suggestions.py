"""Suggestions on the real database: the evaluation set's 38 clarifications are the published
set (bench/clarifications/eval.json), the cases are written here."""

import json
from pathlib import Path

import pytest
from django.utils import timezone

from moderation.choices import ClarificationStatus, Reason
from moderation.clarifications import suggestions as engine
from moderation.clarifications.search import clarification_search_refresh
from moderation.clarifications.suggestions import (
    SuggestedClarification,
    Suggestion,
    clarification_suggestions,
    suggestions_for_text,
)
from moderation.models import Clarification
from tests.factories import (
    CaseFactory,
    ClarificationFactory,
    FlagFactory,
    IndexedClarificationFactory,
    UserFactory,
    VideoFactory,
)

EVAL_SET = Path(__file__).resolve().parents[2] / "bench" / "clarifications" / "eval.json"


@pytest.fixture
def published(db) -> dict[str, Clarification]:
    """The evaluation set's clarifications, published and indexed, by their slug."""
    data = json.loads(EVAL_SET.read_text(encoding="utf-8"))
    author = UserFactory(username="penulis")  # one author: hashing 38 passwords takes a minute
    out = {}
    for row in data["clarifications"]:
        out[row["id"]] = IndexedClarificationFactory(
            author=author,
            claim=row["claim"],
            title=row["title"],
            body=row["body"],
            rating=row["rating"],
            keywords=row["keywords"],
            reasons=row["reasons"],
            title_en=row.get("title_en", ""),
            body_en=row.get("body_en", ""),
        )
    return out


def case_with(caption: str, *notes: str, reasons=(Reason.HOAX,)):  # type: ignore[no-untyped-def]
    case = CaseFactory(video=VideoFactory(caption=caption), reasons=list(reasons))
    for note in notes:
        FlagFactory(case=case, note=note)
    return case


def first_title(case) -> str | None:  # type: ignore[no-untyped-def]
    found = clarification_suggestions(case=case)
    return found[0].clarification.title if found else None


def test_a_matching_caption_gets_the_clarification_first_with_score_and_matched_words(published):
    case = case_with("GUYS PEMILU DIUNDUR KE 2025!!! 😱 udh fix #pemiluditunda #fyp")
    found = clarification_suggestions(case=case)
    assert found
    best = found[0]
    right = published["pemilu-diundur"]
    assert isinstance(best, Suggestion)
    assert best.clarification == SuggestedClarification(
        id=right.pk, title=right.title, claim=right.claim, rating=right.rating, version=1
    )
    assert engine.THRESHOLD <= best.score <= 1
    assert {"pemilu", "diundur", "2025"} <= set(best.matched)
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)


def test_an_unrelated_case_gets_nothing(published):
    assert clarification_suggestions(case=case_with("resep nasi goreng kampung 🍳 enak bgt")) == []


def test_a_case_without_words_gets_nothing(published):
    assert clarification_suggestions(case=case_with("😱😱🔥🔥 #fyp #viral")) == []
    assert clarification_suggestions(case=case_with("")) == []


def test_nothing_published_nothing_suggested(db):
    ClarificationFactory(status=ClarificationStatus.DRAFT)
    assert clarification_suggestions(case=case_with("pemilu diundur ke 2025")) == []


@pytest.mark.parametrize(
    ("caption", "slug"),
    [
        ("pemilu 2024 diundur ke 2025, pilpres batal bulan februari", "pemilu-diundur"),
        ("pilkada serentak diundur ke 2025, pemilihan bupati ga jadi november", "pilkada-diundur"),
        ("quick count itu hasil resmi kpu ya? udh pasti menang", "quick-count-resmi"),
        ("lembaga survei quick count dibayar kpu pake duit negara", "quick-count-dibayar"),
        ("surat suara di gudang logistik udh tercoblos paslon tertentu", "surat-suara-tercoblos"),
        (
            "surat suara pos buat wni di luar negeri udh tercoblos sblm dikirim ppln",
            "surat-suara-ln-tercoblos",
        ),
    ],
)
def test_near_identical_clarifications_are_told_apart(published, caption, slug):
    assert first_title(case_with(caption)) == published[slug].title


def test_flag_notes_count(published):
    case = case_with("liat sampe habis 😳", "Klaim: tinta pemilu mengandung babi, tidak halal")
    assert first_title(case) == published["tinta-babi"].title


def test_a_misspelt_word_still_matches(published):
    case = case_with("ktp yg udh kedaluarsa masa berlakunya ga bisa dipake nyoblos")
    assert first_title(case) == published["ktp-kedaluwarsa"].title


def test_drafts_and_retracted_clarifications_are_never_suggested(published):
    right = published["tinta-babi"]
    Clarification.objects.filter(pk=right.pk).update(
        status=ClarificationStatus.RETRACTED, retracted_at=timezone.now()
    )
    ClarificationFactory(
        status=ClarificationStatus.DRAFT, claim="Tinta pemilu mengandung babi", title="Draf tinta"
    )
    found = clarification_suggestions(case=case_with("tinta pemilu mengandung babi, ga halal"))
    assert right.pk not in [s.clarification.id for s in found]
    assert "Draf tinta" not in [s.clarification.title for s in found]


def test_a_newly_published_clarification_is_suggested_at_once(published):
    caption = "server kpu diretas hacker, data pemilih bocor semua"
    before = clarification_suggestions(case=case_with(caption))
    new = IndexedClarificationFactory(
        author=published["pemilu-diundur"].author,
        claim="Server KPU diretas dan data pemilih bocor.",
        title="Data pemilih KPU aman, tidak ada peretasan",
        body="KPU memastikan sistem informasi data pemilih aman dan tidak diretas.",
        keywords=["server KPU diretas", "data pemilih bocor", "peretasan KPU"],
    )
    after = clarification_suggestions(case=case_with(caption))
    assert new.pk not in [s.clarification.id for s in before]
    assert after
    assert after[0].clarification.id == new.pk
    assert {"server", "diretas", "bocor"} <= set(after[0].matched)


def test_search_columns_follow_the_text_only_when_refreshed(published):
    clarification = published["debat-dibatalkan"]
    caption = "kpu larang penonton bawa spanduk di arena debat, katanya disita"

    def entry(found: list[Suggestion]) -> Suggestion | None:
        return next((s for s in found if s.clarification.id == clarification.pk), None)

    clarification.keywords = [*clarification.keywords, "larangan spanduk di arena debat"]
    clarification.save(update_fields=["keywords"])
    before = entry(suggestions_for_text(caption))
    clarification_search_refresh(clarification=clarification)
    after = entry(suggestions_for_text(caption))
    assert before is None or "spanduk" not in before.matched
    assert after is not None
    assert "spanduk" in after.matched
    assert before is None or after.score > before.score
    assert suggestions_for_text(caption)[0].clarification.id == clarification.pk


def test_a_full_save_after_a_refresh_keeps_the_search_columns(published):
    clarification = published["tinta-babi"]
    clarification.save()  # e.g. the Django admin: every column is written
    found = suggestions_for_text("tinta pemilu mengandung babi, ga halal")
    assert found
    assert found[0].clarification.id == clarification.pk


def test_limit(published):
    case = case_with("surat suara tercoblos, pemilu diundur, tinta babi, quick count resmi")
    assert len(clarification_suggestions(case=case, limit=1)) <= 1
    assert clarification_suggestions(case=case, limit=0) == []


def test_queries_per_call(published, django_assert_max_num_queries):
    case = case_with("pemilu diundur ke 2025", "perlu klarifikasi")
    clarification_suggestions(case=case)  # loads the published set's statistics once
    case.refresh_from_db()
    with django_assert_max_num_queries(5):  # video, stamp + notes, candidates, pg_trgm (+lexemes)
        clarification_suggestions(case=case)


def _candidate(
    pk: int, score: float, reasons: tuple[str, ...] = (), matched: tuple[str, ...] = ("w",)
) -> engine.Candidate:
    shown = SuggestedClarification(id=pk, title=f"t{pk}", claim=f"c{pk}", rating="false", version=1)
    return engine.Candidate(
        id=pk, matched=list(matched), score=score, clarification=shown, reasons=list(reasons)
    )


def test_confidence_adds_up_distinct_evidence_and_counts_the_same_words_once():
    assert engine.confidence([]) == 0
    assert engine.confidence([(0.2, ["tps", "pindah"])]) == pytest.approx(0.2)
    # Forty near-identical regional clarifications matching the same words are one piece.
    assert engine.confidence([(0.2, ["tps", "pindah"])] * 40) == pytest.approx(0.2)
    assert engine.confidence([(0.2, ["tps"]), (0.15, ["pindah", "tps"])]) == pytest.approx(0.35)
    # Only the first three places count, and it is a probability.
    assert engine.confidence([(0.5, [str(i)]) for i in range(5)]) == 1.0
    assert engine.confidence([(0.1, ["a"]), (0.1, ["b"]), (0.1, ["c"]), (0.4, ["d"])]) == (
        pytest.approx(0.3)
    )


def test_nothing_is_shown_unless_the_confidence_reaches_the_threshold():
    below = engine.THRESHOLD - 0.001
    same_words = [_candidate(1, below), _candidate(2, below - 0.01), _candidate(3, below - 0.02)]
    assert engine._fitting(same_words, reasons=(), limit=10) == []
    # Two candidates below the threshold on different words of the case: together they reach it.
    half = engine.THRESHOLD / 2 + 0.01
    apart = [_candidate(1, half, matched=("sirekap",)), _candidate(2, half, matched=("bengkak",))]
    assert [s.clarification.id for s in engine._fitting(apart, reasons=(), limit=10)] == [1, 2]


def test_once_the_first_is_shown_the_second_and_third_places_fill_down_to_the_floor():
    floor = engine.FOLLOWER_FLOOR
    assert floor < engine.THRESHOLD
    candidates = [
        _candidate(1, engine.THRESHOLD + 0.1),
        _candidate(2, floor + 0.002),
        _candidate(3, floor + 0.001),
        _candidate(4, floor + 0.0005),  # fourth place: only THRESHOLD counts there
        _candidate(5, floor / 2),
    ]
    found = engine._fitting(candidates, reasons=(), limit=10)
    assert [s.clarification.id for s in found] == [1, 2, 3]
    assert [s.clarification.id for s in engine._fitting(candidates, reasons=(), limit=2)] == [1, 2]


def test_below_the_floor_nothing_follows_and_above_the_threshold_all_do():
    high = engine.THRESHOLD + 0.01
    assert [
        s.clarification.id
        for s in engine._fitting(
            [_candidate(1, high + 0.1), _candidate(2, engine.FOLLOWER_FLOOR / 2)],
            reasons=(),
            limit=10,
        )
    ] == [1]
    many = [_candidate(pk, high + 0.01 * (9 - pk)) for pk in range(1, 6)]
    assert len(engine._fitting(many, reasons=(), limit=10)) == 5


def test_equal_scores_put_the_clarification_answering_the_case_reasons_first():
    candidates = [_candidate(1, 0.5, ("hoax",)), _candidate(2, 0.5, ("voter_suppression",))]
    found = engine._fitting(candidates, reasons=["voter_suppression"], limit=10)
    assert [s.clarification.id for s in found] == [2, 1]
