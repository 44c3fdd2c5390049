"""Attaching one clarification to the open cases of a search: the confirmation list, the
commit (one audited write per case) and every refusal."""

import pytest

from moderation.choices import AuditAction, CaseStatus, ClarificationStatus, Role
from moderation.clarifications import attach
from moderation.clarifications.attach import bulk_attach_preview
from moderation.clarifications.services import clarification_attach
from moderation.models import AuditEvent, Case, CaseClarification
from tests.clients import signed_in
from tests.factories import (
    ClarificationFactory,
    OrganisationFactory,
    PublishedClarificationFactory,
    UserFactory,
    VideoFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clarification(kpu_clarifier):
    return PublishedClarificationFactory(
        author=kpu_clarifier, title="Pemilu 2024 tidak diundur", claim="Pemilu diundur ke 2025"
    )


@pytest.fixture
def cases(make_case, tiktok, other_platform):
    def case(caption, platform=tiktok, **kwargs):  # type: ignore[no-untyped-def]
        return make_case(platform, video=VideoFactory(platform=platform, caption=caption), **kwargs)

    return {
        "loud": case("PEMILU DIUNDUR ke 2025!! sebarkan", priority=90),
        "tagged": case("katanya begitu #pemilu #diundur #pemiluditunda", priority=40),
        "awaiting": case("pemilu diundur? tanya KPU", status=CaseStatus.AWAITING_CLARIFICATION),
        "carrying": case("pemilu diundur kata teman", priority=10),
        "decided": case("pemilu diundur katanya", status=CaseStatus.DECIDED),
        "unrelated": case("resep nasi goreng kampung"),
        "elsewhere": case("pemilu diundur juga di sini", platform=other_platform),
    }


def url(clarification):  # type: ignore[no-untyped-def]
    return f"/clarifications/{clarification.pk}/attach/"


def test_preview_lists_exactly_what_will_change(moderator, clarification, cases):
    clarification_attach(case=cases["carrying"], clarification=clarification, user=moderator)
    preview = bulk_attach_preview(user=moderator, clarification=clarification, query="diundur")
    assert [c.pk for c in preview.will_change] == [
        cases["loud"].pk,
        cases["awaiting"].pk,
        cases["tagged"].pk,
    ]  # highest priority first; never a decided case, another platform's or an unrelated one
    assert [c.pk for c in preview.already] == [cases["carrying"].pk]
    assert (preview.will_change_total, preview.already_total) == (3, 1)


def test_kpu_sees_every_platform(kpu_clarifier, clarification, cases):
    preview = bulk_attach_preview(user=kpu_clarifier, clarification=clarification, query="diundur")
    assert cases["elsewhere"].pk in {c.pk for c in preview.will_change}


def test_the_list_is_limited_and_says_so(moderator, clarification, cases):
    preview = bulk_attach_preview(
        user=moderator, clarification=clarification, query="diundur", limit=2
    )
    assert len(preview.will_change) == 2
    assert preview.truncated


def test_confirmation_page_then_commit(moderator, clarification, cases):
    client = signed_in(moderator)
    clarification_attach(case=cases["carrying"], clarification=clarification, user=moderator)
    page = client.get(url(clarification), {"q": "pemilu diundur"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "3 kasus akan mendapat klarifikasi ini" in body
    assert "1 kasus sudah membawa klarifikasi ini" in body
    for key in ("loud", "awaiting"):
        assert f'name="cases" value="{cases[key].pk}"' in body
    assert f'name="cases" value="{cases["carrying"].pk}"' not in body
    assert f'data-case="{cases["elsewhere"].pk}"' not in body

    chosen = [cases["loud"].pk, cases["awaiting"].pk]
    done = client.post(url(clarification), {"q": "pemilu diundur", "cases": chosen}, follow=True)
    assert done.status_code == 200
    assert "Klarifikasi dilampirkan ke 2 kasus." in done.content.decode()
    for pk in chosen:
        assert CaseClarification.objects.filter(case_id=pk, clarification=clarification).exists()
        assert (
            AuditEvent.objects.filter(
                case_id=pk, action=AuditAction.CLARIFICATION_ATTACH, actor=moderator
            ).count()
            == 1
        )
    assert Case.objects.get(pk=cases["awaiting"].pk).status == CaseStatus.NEW  # back in queue
    assert not CaseClarification.objects.filter(case=cases["tagged"]).exists()  # not chosen


def test_empty_selection_is_a_form_error(moderator, clarification, cases):
    response = signed_in(moderator).post(url(clarification), {"q": "diundur"})
    assert response.status_code == 400
    assert "Pilih minimal satu kasus." in response.content.decode()
    assert 'value="diundur"' in response.content.decode()  # what was typed is kept
    assert not CaseClarification.objects.exists()


def test_a_case_of_another_platform_is_refused_and_nothing_written(moderator, clarification, cases):
    response = signed_in(moderator).post(
        url(clarification),
        {"q": "diundur", "cases": [cases["loud"].pk, cases["elsewhere"].pk]},
    )
    assert response.status_code == 400
    assert f"#{cases['elsewhere'].pk}" in response.content.decode()
    assert not CaseClarification.objects.exists()


@pytest.mark.parametrize("cases_value", ["abc", "1.5", ""])
def test_garbage_case_ids_are_a_form_error(moderator, clarification, cases, cases_value):
    response = signed_in(moderator).post(url(clarification), {"q": "diundur", "cases": cases_value})
    assert response.status_code == 400
    assert not CaseClarification.objects.exists()


@pytest.mark.parametrize("query", ["a", "  ", "!!", "x" * 3000])
def test_a_search_without_words_is_a_form_error(moderator, clarification, cases, query):
    response = signed_in(moderator).get(url(clarification), {"q": query})
    assert response.status_code in (200, 400)
    if query.strip() and query != "x" * 3000:
        assert response.status_code == 400
        assert 'data-state="form-error"' in response.content.decode()


def test_unknown_clarification_is_404(moderator):
    assert signed_in(moderator).get("/clarifications/999999/attach/?q=pemilu").status_code == 404


@pytest.mark.parametrize("status", [ClarificationStatus.RETRACTED, ClarificationStatus.DRAFT])
def test_a_retracted_or_draft_clarification_cannot_be_attached(
    moderator, kpu_clarifier, cases, status
):
    clarification = ClarificationFactory(author=kpu_clarifier, status=status)
    client = signed_in(moderator)
    page = client.get(url(clarification), {"q": "diundur"})
    assert page.status_code == 409
    assert 'data-state="not-attachable"' in page.content.decode()
    commit = client.post(url(clarification), {"q": "diundur", "cases": [cases["loud"].pk]})
    assert commit.status_code == 409
    assert not CaseClarification.objects.exists()


def test_who_may_use_it(outsider, clarification, cases, client):
    bawaslu = UserFactory(
        username="bawaslu",
        organisation=OrganisationFactory(slug="bawaslu", kind="bawaslu"),
        roles=[Role.SUPERVISOR],
    )
    assert signed_in(outsider).get(url(clarification)).status_code == 403
    assert signed_in(bawaslu).get(url(clarification), {"q": "diundur"}).status_code == 403
    assert client.get(url(clarification)).status_code == 302  # to the login page
    assert signed_in(outsider).delete(url(clarification)).status_code in (403, 405)


def test_a_case_that_changed_meanwhile_is_reported_and_the_others_proceed(
    moderator, second_moderator, clarification, cases
):
    listed = [cases["loud"].pk, cases["tagged"].pk, cases["awaiting"].pk]
    # After the list was shown: one case was closed, another got the clarification from Budi.
    Case.objects.filter(pk=cases["loud"].pk).update(status=CaseStatus.CLOSED)
    clarification_attach(case=cases["tagged"], clarification=clarification, user=second_moderator)

    result = attach.clarification_attach_many(
        user=moderator, clarification=clarification, query="diundur", case_ids=listed
    )

    assert result.attached == [cases["awaiting"].pk]
    assert set(result.refused) == {cases["loud"].pk, cases["tagged"].pk}
    assert not CaseClarification.objects.filter(case=cases["loud"]).exists()
    assert (
        AuditEvent.objects.filter(action=AuditAction.CLARIFICATION_ATTACH, actor=moderator).count()
        == 1
    )


def test_the_link_for_the_clarification_page(clarification, kpu_clarifier):
    from django.template.loader import render_to_string

    html = render_to_string(
        "moderation/_clarification_attach_link.html", {"clarification": clarification}
    )
    assert f'href="/clarifications/{clarification.pk}/attach/"' in html
    retracted = ClarificationFactory(author=kpu_clarifier, status=ClarificationStatus.RETRACTED)
    assert "href" not in render_to_string(
        "moderation/_clarification_attach_link.html", {"clarification": retracted}
    )
