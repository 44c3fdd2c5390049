"""Hoax waves on the real database: which cases repeat a decided one, and applying its decision
to selected members through the claim and decision services."""

import pytest

from moderation.choices import (
    Action,
    ApprovalState,
    AuditAction,
    CallbackEventType,
    CaseStatus,
    ClarificationStatus,
)
from moderation.errors import InvalidInput
from moderation.models import AuditEvent, Case, CaseClarification, Decision, OutboundDelivery
from moderation.review.claims import case_claim
from moderation.review.decisions import decision_record
from moderation.review.waves import (
    Match,
    caption_hashtags,
    case_wave,
    wave_decision_apply,
    wave_marked_cases,
    wave_source_for,
)
from tests.factories import PublishedClarificationFactory, VideoFactory

SOURCE_CAPTION = "PEMILU 2024 DIUNDUR ke 2025!! kata orang dalam KPU, sebarkan #pemiluditunda #kpu"
COPY_CAPTION = "pemilu 2024 diundur ke 2025!!! kata orang dalam kpu, sebarkan #pemiluditunda #kpu"
COPY_CAPTION_2 = "Pemilu 2024 diundur ke 2025 kata orang dalam KPU sebarkan ya #pemiluditunda #kpu"
HASHTAG_ONLY = "beneran ga sih?? aku kaget bgt 😱 #PemiluDitunda #kpu #fyp"
UNRELATED = "resep nasi goreng kampung enak banget, wajib coba #kuliner #masak"


@pytest.fixture
def clarification(kpu_clarifier):
    return PublishedClarificationFactory(
        author=kpu_clarifier,
        title="Pemilu 2024 tidak diundur",
        claim="Pemilu 2024 diundur ke 2025",
    )


@pytest.fixture
def wave_case(tiktok, make_case):
    def make(caption: str, platform=None, **video):  # type: ignore[no-untyped-def]
        platform = platform or tiktok
        return make_case(
            platform,
            video=VideoFactory(platform=platform, caption=caption, view_count=5_000, **video),
        )

    return make


@pytest.fixture
def source(wave_case, second_moderator, clarification) -> Decision:
    """Budi labelled the first video of the wave with KPU's clarification."""
    case = case_claim(case=wave_case(SOURCE_CAPTION), user=second_moderator)
    return decision_record(
        case=case,
        user=second_moderator,
        version=case.version,
        action=Action.LABEL,
        ground="community_guidelines",
        category="hoax",
        statement_of_reasons="Klaim pemilu diundur keliru; lihat klarifikasi resmi KPU.",
        clarification=clarification,
    )


def test_caption_hashtags_ignore_case_and_generic_tags():
    assert caption_hashtags(HASHTAG_ONLY) == {"pemiluditunda", "kpu"}
    assert caption_hashtags("tanpa tagar") == frozenset()


def test_wave_groups_near_identical_captions_and_the_same_hashtags(
    source, wave_case, moderator, other_platform
):
    copy = wave_case(COPY_CAPTION)
    tagged = wave_case(HASHTAG_ONLY)
    unrelated = wave_case(UNRELATED)
    elsewhere = wave_case(COPY_CAPTION, platform=other_platform)

    wave = case_wave(user=moderator, case=copy)

    assert wave is not None
    assert wave.source.pk == source.pk
    assert wave.clarification.pk == source.clarification_id
    by_case = {m.case.pk: m for m in wave.members}
    assert set(by_case) == {copy.pk, tagged.pk}  # not the unrelated, nor another platform's
    assert by_case[copy.pk].match == Match.CAPTION
    assert by_case[copy.pk].similarity >= 0.6
    assert by_case[tagged.pk].match == Match.HASHTAGS
    assert next(m.case.pk for m in wave.members) == copy.pk  # most similar first
    assert case_wave(user=moderator, case=unrelated) is None
    assert elsewhere.pk not in by_case


def test_the_decided_case_shows_its_own_wave(source, wave_case, moderator):
    copy = wave_case(COPY_CAPTION)
    wave = case_wave(user=moderator, case=Case.objects.get(pk=source.case_id))
    assert wave is not None
    assert [m.case.pk for m in wave.members] == [copy.pk]


def test_no_wave_without_a_clarification(wave_case, moderator, second_moderator):
    case = case_claim(case=wave_case(SOURCE_CAPTION), user=second_moderator)
    decision_record(
        case=case,
        user=second_moderator,
        version=case.version,
        action=Action.NO_ACTION,
        ground="community_guidelines",
        category="hoax",
        statement_of_reasons="Tidak melanggar.",
    )
    assert case_wave(user=moderator, case=wave_case(COPY_CAPTION)) is None


def test_a_retracted_clarification_ends_the_wave(source, wave_case, moderator):
    copy = wave_case(COPY_CAPTION)
    source.clarification.status = ClarificationStatus.RETRACTED
    source.clarification.save(update_fields=["status"])
    assert case_wave(user=moderator, case=copy) is None
    with pytest.raises(InvalidInput):
        wave_source_for(user=moderator, decision_id=source.pk)


def test_queue_marks_the_members_in_one_query(
    source, wave_case, moderator, django_assert_max_num_queries
):
    copy = wave_case(COPY_CAPTION)
    unrelated = wave_case(UNRELATED)
    others = [wave_case(f"video lain nomor {i} tentang hal lain sama sekali") for i in range(10)]
    # The user's organisation and platforms, and one query for
    # the page: the same number for 2 rows or 12.
    with django_assert_max_num_queries(3):
        marked = wave_marked_cases(user=moderator, cases=[copy, unrelated, *others])
    assert marked == {copy.pk}


def test_apply_records_one_decision_per_member_with_its_audit_event_and_callback(
    source, wave_case, moderator, supervisor, second_moderator
):
    first = wave_case(COPY_CAPTION)
    second = wave_case(COPY_CAPTION_2)
    political = wave_case(COPY_CAPTION + " !!", author_is_political=True)
    taken = case_claim(case=wave_case(COPY_CAPTION + " ya"), user=second_moderator)
    deliveries_before = OutboundDelivery.objects.count()

    outcomes = wave_decision_apply(
        source=source,
        case_ids=[first.pk, second.pk, political.pk, taken.pk],
        user=moderator,
    )

    by_case = {o.case_id: o for o in outcomes}
    for member in (first, second):
        decision = by_case[member.pk].decision
        assert decision is not None
        assert not by_case[member.pk].held
        assert (decision.action, decision.clarification_id, decision.decided_by_id) == (
            Action.LABEL,
            source.clarification_id,
            moderator.pk,
        )
        assert decision.statement_of_reasons == source.statement_of_reasons
        assert Case.objects.get(pk=member.pk).status == CaseStatus.DECIDED
        assert AuditEvent.objects.filter(
            case_id=member.pk, action=AuditAction.DECISION_RECORD, object_id=str(decision.pk)
        ).exists()
        assert OutboundDelivery.objects.filter(
            subject=f"decision:{decision.pk}", event_type=CallbackEventType.DECISION_RECORDED
        ).exists()
        assert CaseClarification.objects.filter(
            case_id=member.pk, clarification=source.clarification
        ).exists()
    # Labels are not high-impact; a remove on a political account would be held. Here the
    # political member is labelled, which needs no approval.
    assert by_case[political.pk].decision is not None
    refused = by_case[taken.pk]
    assert refused.decision is None
    assert refused.refusal == "Sedang ditangani oleh budi."
    assert Case.objects.get(pk=taken.pk).assignee_id == second_moderator.pk
    assert not Decision.objects.filter(case_id=taken.pk).exists()
    assert not CaseClarification.objects.filter(case_id=taken.pk).exists()  # rolled back
    assert OutboundDelivery.objects.count() == deliveries_before + 3


@pytest.fixture
def remove_source(wave_case, second_moderator, clarification) -> Decision:
    """A removal that came with KPU's clarification attached to the case."""
    case = wave_case(SOURCE_CAPTION)
    from moderation.clarifications.services import clarification_attach

    clarification_attach(case=case, clarification=clarification, user=second_moderator)
    case = case_claim(case=case, user=second_moderator)
    return decision_record(
        case=case,
        user=second_moderator,
        version=case.version,
        action=Action.REMOVE,
        ground="community_guidelines",
        category="hoax",
        statement_of_reasons="Hoaks penundaan pemilu yang diulang-ulang.",
    )


def test_a_member_needing_four_eyes_goes_to_approval(remove_source, wave_case, moderator):
    small = wave_case(COPY_CAPTION)
    big = wave_case(COPY_CAPTION_2, author_is_political=True)

    outcomes = {
        o.case_id: o
        for o in wave_decision_apply(
            source=wave_source_for(user=moderator, decision_id=remove_source.pk),
            case_ids=[small.pk, big.pk],
            user=moderator,
        )
    }

    assert outcomes[small.pk].decision.approval_state == ApprovalState.NOT_REQUIRED
    held = outcomes[big.pk].decision
    assert outcomes[big.pk].held
    assert held.approval_state == ApprovalState.PENDING
    assert Case.objects.get(pk=big.pk).awaiting_approval
    assert AuditEvent.objects.filter(case_id=big.pk, action=AuditAction.DECISION_HOLD).exists()
    assert not OutboundDelivery.objects.filter(subject=f"decision:{held.pk}").exists()
    assert OutboundDelivery.objects.filter(
        subject=f"decision:{outcomes[small.pk].decision.pk}"
    ).exists()


def test_an_appeal_is_not_reviewed_by_its_original_decider(
    source, wave_case, moderator, appealed_case
):
    appealed, _decision = appealed_case(moderator, wave_case(COPY_CAPTION))
    outcomes = wave_decision_apply(source=source, case_ids=[appealed.pk], user=moderator)
    assert outcomes[0].decision is None
    assert "banding" in outcomes[0].refusal


def test_apply_refuses_an_empty_selection_and_cases_outside_the_wave(
    source, wave_case, moderator, other_platform
):
    stranger = wave_case(UNRELATED)
    elsewhere = wave_case(COPY_CAPTION, platform=other_platform)
    with pytest.raises(InvalidInput):
        wave_decision_apply(source=source, case_ids=[], user=moderator)
    for case in (stranger, elsewhere):
        with pytest.raises(InvalidInput):
            wave_decision_apply(source=source, case_ids=[case.pk], user=moderator)
    assert not Decision.objects.exclude(pk=source.pk).exists()


def test_unknown_or_undecided_sources_are_refused(wave_case, moderator):
    with pytest.raises(InvalidInput):
        wave_source_for(user=moderator, decision_id=999_999)


def test_wave_query_uses_the_longest_words_that_are_not_stop_words():
    from moderation.review.waves import wave_query

    query = wave_query("Katanya PEMILU 2024 diundur sampai 2025, yang bener aja!! #fyp")
    assert query is not None
    assert "fyp" not in query
    assert "yang" not in query  # a stop word
    assert "diundur" in query
    assert " & " in query
    assert wave_query("pendek saja ya") is None
    assert wave_query("😱😱😱😱😱😱😱😱😱😱😱😱 #fyp #viral") is None


def test_caption_similarity_is_pg_trgm_similarity(db):
    from django.db import connection

    from moderation.review.waves import caption_similarity

    pairs = [
        (SOURCE_CAPTION, COPY_CAPTION),
        (SOURCE_CAPTION, HASHTAG_ONLY),
        ("Émilie à l'école!!", "emilie a l ecole"),
        (UNRELATED, COPY_CAPTION_2),
    ]
    with connection.cursor() as cursor:
        for a, b in pairs:
            cursor.execute("SELECT similarity(%s, %s)", [a, b])
            (expected,) = cursor.fetchone()
            assert caption_similarity(a, b) == pytest.approx(expected, abs=1e-6), (a, b)
