"""The clarification pages of the workspace: who sees and does what, bad input answered with a
form error that keeps what was typed (never a 500), HTML escaped everywhere, the list's
filters and case counts, and a fixed number of queries per page."""

import re

import pytest
from django.urls import reverse

from moderation.clarifications.services import (
    clarification_create,
    clarification_publish,
    clarification_submit,
    clarification_update,
    edit_token,
)
from moderation.models import CaseClarification, Clarification
from tests.clients import signed_in
from tests.factories import CaseFactory, PublishedClarificationFactory, UserFactory

pytestmark = pytest.mark.django_db

FORM = {
    "claim": "Pemilu 2024 diundur ke 2025.",
    "rating": "false",
    "title": "Pemilu 2024 tetap 14 Februari 2024",
    "body": "KPU menetapkan hari pemungutan suara 14 Februari 2024.",
    "title_en": "",
    "body_en": "",
    "sources": "https://www.kpu.go.id/berita/baca/1\nPKPU 3/2022 Pasal 1",
    "keywords": "pemilu ditunda, pemilu diundur",
    "reasons": ["hoax"],
    "token": "new",
}
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def service_fields(**change):
    return {
        "claim": FORM["claim"],
        "rating": "false",
        "title": FORM["title"],
        "body": FORM["body"],
        "sources": ["https://www.kpu.go.id/berita/baca/1"],
        **change,
    }


def test_a_clarifier_writes_a_draft_through_the_form(kpu_clarifier):
    client = signed_in(kpu_clarifier)
    assert client.get(reverse("clarification_new")).status_code == 200
    response = client.post(reverse("clarification_new"), FORM)
    clarification = Clarification.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("clarification_edit", args=[clarification.pk])
    assert clarification.sources == ["https://www.kpu.go.id/berita/baca/1", "PKPU 3/2022 Pasal 1"]
    assert clarification.keywords == ["pemilu ditunda", "pemilu diundur"]
    assert clarification.reasons == ["hoax"]
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b'name="token"' in page.content


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"claim": "   "}, "claim", "harus diisi"),
        ({"body": "x" * 100_000}, "body", "20.000"),
        ({"sources": "lihat situs KPU"}, "sources", "rujukan peraturan"),
        ({"rating": "maybe"}, "rating", ""),
        ({"title": "t" * 301}, "title", "300"),
    ],
)
def test_bad_input_is_a_form_error_that_keeps_what_was_typed(kpu_clarifier, change, field, words):
    client = signed_in(kpu_clarifier)
    data = {**FORM, **change}
    response = client.post(reverse("clarification_new"), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    assert words in " ".join(form.errors[field])
    html = response.content.decode()
    assert "data-form-errors" in html
    # Everything else typed is still there.
    assert FORM["title"] in html or field == "title"
    assert "pemilu ditunda, pemilu diundur" in html
    assert not Clarification.objects.exists()


def test_a_stale_edit_gets_a_form_error_naming_who_changed_it_and_keeps_the_text(
    kpu, kpu_clarifier
):
    other = UserFactory(username="wati", organisation=kpu, roles=["kpu_clarifier"])
    draft = clarification_create(user=kpu_clarifier, **service_fields())
    opened = edit_token(draft, draft)
    clarification_update(clarification=draft, user=other, token=opened, title="Judul Wati")
    response = signed_in(kpu_clarifier).post(
        reverse("clarification_edit", args=[draft.pk]),
        {**FORM, "title": "Judul Sari yang panjang", "token": opened},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "wati" in html
    assert "Judul Sari yang panjang" in html
    assert Clarification.objects.get(pk=draft.pk).title == "Judul Wati"


def test_html_in_every_field_is_escaped_on_every_page(kpu_clarifier, kpu_approver, client):
    fields = {
        "claim": XSS,
        "rating": "false",
        "title": XSS,
        "body": XSS,
        "title_en": XSS,
        "body_en": XSS,
        "sources": ["https://www.kpu.go.id/?q=<b>x</b>"],
        "keywords": [XSS[:90]],
        "reasons": ["hoax"],
    }
    draft = clarification_create(user=kpu_clarifier, **fields)
    clarification_submit(clarification=draft, user=kpu_clarifier)
    writer = signed_in(kpu_clarifier)
    approver = signed_in(kpu_approver)
    pages = [
        (writer, reverse("clarification_list")),
        (writer, reverse("clarification_list") + "?q=%3Cscript%3E"),
        (writer, reverse("clarification_detail", args=[draft.pk])),
        (approver, reverse("clarification_review")),
    ]
    preview = writer.post(reverse("clarification_preview"), {**FORM, "title": XSS, "body": XSS})
    bodies = [preview.content.decode()]
    clarification_publish(clarification=draft, user=kpu_approver)
    clarification_update(clarification=draft, user=kpu_clarifier, body=XSS + " baru")
    pages += [
        (writer, reverse("clarification_edit", args=[draft.pk])),
        (writer, reverse("clarification_version", args=[draft.pk, 1])),
        (writer, reverse("clarification_diff", args=[draft.pk]) + "?a=1&b=2"),
        (client, reverse("clarification_public", args=[draft.pk])),
        (client, reverse("clarification_public", args=[draft.pk]) + "?lang=en"),
        (client, reverse("clarification_public_list")),
    ]
    for who, url in pages:
        response = who.get(url)
        assert response.status_code == 200, url
        bodies.append(response.content.decode())
    for body in bodies:
        assert "<script>alert" not in body
        assert "<img src=x" not in body
        assert "onerror=alert(1)>" not in body or "&lt;img" in body


def test_the_preview_looks_like_the_public_page(kpu_clarifier):
    response = signed_in(kpu_clarifier).post(reverse("clarification_preview"), FORM)
    html = response.content.decode()
    assert 'class="rating rating-false"' in html
    assert FORM["title"] in html
    assert 'href="https://www.kpu.go.id/berita/baca/1"' in html
    assert "PKPU 3/2022 Pasal 1" in html
    assert 'href="PKPU' not in html


def test_the_review_page_shows_the_four_eyes_rule_on_a_disabled_button(kpu, kpu_approver):
    own = clarification_create(user=kpu_approver, **service_fields())
    clarification_submit(clarification=own, user=kpu_approver)
    html = signed_in(kpu_approver).get(reverse("clarification_review")).content.decode()
    button = re.search(r"<button[^>]*data-publish[^>]*>", html)
    assert button is not None
    assert "disabled" in button.group(0)
    assert "Penulis tidak boleh menyetujui klarifikasinya sendiri." in html
    other = UserFactory(username="putri", organisation=kpu, roles=["kpu_approver"])
    html = signed_in(other).get(reverse("clarification_review")).content.decode()
    button = re.search(r"<button[^>]*data-publish[^>]*>", html)
    assert button is not None
    assert "disabled" not in button.group(0)


def test_who_may_do_what(kpu_clarifier, kpu_approver, moderator, supervisor, outsider):
    draft = clarification_create(user=kpu_clarifier, **service_fields())
    live = PublishedClarificationFactory(author=kpu_clarifier)
    # Moderators read the published ones, never drafts, and never write.
    reader = signed_in(moderator)
    assert reader.get(reverse("clarification_list")).status_code == 200
    assert reader.get(reverse("clarification_detail", args=[live.pk])).status_code == 200
    assert reader.get(reverse("clarification_detail", args=[draft.pk])).status_code == 404
    assert reader.get(reverse("clarification_new")).status_code == 403
    assert reader.post(reverse("clarification_new"), FORM).status_code == 403
    assert reader.get(reverse("clarification_edit", args=[live.pk])).status_code == 403
    assert reader.get(reverse("clarification_review")).status_code == 403
    # Supervisors read drafts too, and still write nothing.
    boss = signed_in(supervisor)
    assert boss.get(reverse("clarification_detail", args=[draft.pk])).status_code == 200
    assert boss.post(reverse("clarification_edit", args=[draft.pk]), FORM).status_code == 403
    assert boss.post(reverse("clarification_publish", args=[draft.pk])).status_code == 302
    # A clarifier may not publish, send back or retract.
    clarification_submit(clarification=draft, user=kpu_clarifier)
    writer = signed_in(kpu_clarifier)
    writer.post(reverse("clarification_publish", args=[draft.pk]))
    writer.post(reverse("clarification_return", args=[draft.pk]), {"note": "x"})
    writer.post(reverse("clarification_retract", args=[live.pk]), {"reason": "x"})
    assert Clarification.objects.get(pk=draft.pk).status == "in_review"
    assert Clarification.objects.get(pk=live.pk).status == "published"
    # No role: no page.
    assert signed_in(outsider).get(reverse("clarification_list")).status_code == 403
    assert signed_in(outsider).get(reverse("clarification_list")).status_code == 403


def test_send_back_without_a_comment_is_refused_with_a_message(kpu_clarifier, kpu_approver):
    draft = clarification_create(user=kpu_clarifier, **service_fields())
    clarification_submit(clarification=draft, user=kpu_clarifier)
    response = signed_in(kpu_approver).post(
        reverse("clarification_return", args=[draft.pk]), {"note": ""}, follow=True
    )
    assert response.status_code == 200
    assert "Tulis komentar untuk penulis" in response.content.decode()
    assert Clarification.objects.get(pk=draft.pk).status == "in_review"


def test_the_list_filters_and_counts_cases_in_a_fixed_number_of_queries(
    kpu_clarifier, kpu_approver, django_assert_max_num_queries
):
    published = PublishedClarificationFactory.create_batch(30, author=kpu_clarifier)
    for case in CaseFactory.create_batch(3):
        CaseClarification.objects.create(
            case=case, clarification=published[0], attached_at=published[0].published_at
        )
    clarification_create(user=kpu_clarifier, **service_fields(title="Tinta pemilu luntur"))
    client = signed_in(kpu_approver)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("clarification_list"))
    assert response.status_code == 200
    rows = response.context["page"].object_list
    assert len(rows) == 25
    counts = {c.pk: c.case_count for c in response.context["page"].paginator.object_list}
    assert counts[published[0].pk] == 3
    found = client.get(reverse("clarification_list") + "?q=tinta&status=draft")
    assert [c.title for c in found.context["page"].object_list] == ["Tinta pemilu luntur"]
    by_rating = client.get(reverse("clarification_list") + "?rating=true")
    assert list(by_rating.context["page"].object_list) == []
    by_author = client.get(reverse("clarification_list") + "?author=sari&page=2")
    assert len(by_author.context["page"].object_list) == 6
    # An unknown filter value is ignored, not a 500.
    assert client.get(reverse("clarification_list") + "?status=nope&page=x").status_code == 200


def test_bad_version_numbers_are_404_not_500(kpu_clarifier):
    live = PublishedClarificationFactory(author=kpu_clarifier)
    client = signed_in(kpu_clarifier)
    assert client.get(reverse("clarification_version", args=[live.pk, 9])).status_code == 404
    assert client.get(reverse("clarification_diff", args=[live.pk]) + "?a=x&b=1").status_code in (
        302,
        404,
    )


def test_autosave_saves_a_draft_and_hands_back_the_new_token(kpu, kpu_clarifier):
    draft = clarification_create(user=kpu_clarifier, **service_fields())
    client = signed_in(kpu_clarifier)
    url = reverse("clarification_autosave", args=[draft.pk])
    opened = edit_token(draft, draft)
    response = client.post(url, {**FORM, "title": "Judul tersimpan otomatis", "token": opened})
    html = response.content.decode()
    assert 'data-autosaved="1"' in html
    draft.refresh_from_db()
    assert draft.title == "Judul tersimpan otomatis"
    assert f'value="{edit_token(draft, draft)}"' in html
    assert 'hx-swap-oob="true"' in html
    # The user's own later save from the page opened before the autosave is not "stale".
    saved = client.post(
        reverse("clarification_edit", args=[draft.pk]),
        {**FORM, "title": "Judul akhir", "token": opened},
    )
    assert saved.status_code == 302
    # Someone else's change is: the autosave does not overwrite it and says so.
    other = UserFactory(username="wati", organisation=kpu, roles=["kpu_clarifier"])
    clarification_update(clarification=draft, user=other, title="Judul Wati")
    late = client.post(url, {**FORM, "title": "Judul Sari", "token": opened}).content.decode()
    assert 'data-autosaved="0"' in late
    assert "wati" in late
    assert Clarification.objects.get(pk=draft.pk).title == "Judul Wati"
    # Half-typed text is not saved, and not an error page.
    half = client.post(url, {**FORM, "claim": ""})
    assert half.status_code == 200
    assert 'data-autosaved="0"' in half.content.decode()


def test_the_review_queue_and_the_detail_page_cost_a_fixed_number_of_queries(
    kpu, kpu_clarifier, kpu_approver, django_assert_max_num_queries
):
    for n in range(12):
        draft = clarification_create(user=kpu_clarifier, **service_fields(title=f"Judul {n}"))
        clarification_submit(clarification=draft, user=kpu_clarifier)
    live = PublishedClarificationFactory(author=kpu_clarifier)
    clarification_update(clarification=live, user=kpu_clarifier, title="Revisi")
    clarification_submit(clarification=live, user=kpu_clarifier)
    client = signed_in(kpu_approver)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("clarification_review"))
    assert len(response.context["rows"]) == 13
    with django_assert_max_num_queries(14):
        assert client.get(reverse("clarification_detail", args=[live.pk])).status_code == 200


def test_out_of_range_numbers_are_404s_not_500s(kpu_clarifier, client):
    live = PublishedClarificationFactory(author=kpu_clarifier)
    writer = signed_in(kpu_clarifier)
    huge = 10**20
    assert writer.get(f"/clarifications/{huge}/").status_code == 404
    assert writer.get(f"/clarifications/{live.pk}/versions/{huge}/").status_code == 404
    assert writer.get(f"/clarifications/{live.pk}/diff/?a={huge}&b=-1").status_code in (302, 404)
    assert writer.get(f"/clarifications/?q={huge}&page={huge}").status_code == 200
    assert client.get(f"/klarifikasi/{huge}/").status_code == 404
    assert client.get(f"/klarifikasi/?page={huge}&q=%00").status_code == 200
    assert client.get(f"/api/v1/public/clarifications/?page={huge}").status_code == 404
    # NUL characters (PostgreSQL stores none) are a form error, or dropped by the services.
    assert writer.post(reverse("clarification_new"), {**FORM, "body": "a\x00b"}).status_code == 400
    made = clarification_create(user=kpu_clarifier, **service_fields(claim="klaim\x00palsu"))
    assert made.claim == "klaimpalsu"
