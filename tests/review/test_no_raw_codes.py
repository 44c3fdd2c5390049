"""Issue 14 point 10: no raw codes on screen. The main pages, rendered in Indonesian and in
English with a case that has history, a breakdown, a held decision and notifications, show
no snake_case code and no untranslated Django default in the text a person reads."""

import re
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from moderation.choices import Action, PhaseKind, Reason
from moderation.models import Case, ElectionPhase, Queue
from moderation.review.approvals import decision_approve
from moderation.review.claims import case_claim_next
from moderation.review.decisions import decision_record

pytestmark = pytest.mark.django_db

SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
# Django's defaults that its Indonesian catalogue lacks, or that read as dashes in any language.
DJANGO_DEFAULTS = {"id": ("Select an option", "---------"), "en": ("---------",)}


class _Text(HTMLParser):
    """The text a person reads: text nodes outside script, style and code, plus the labels of
    options and buttons; not attributes."""

    SKIP = {"script", "style", "code", "pre", "textarea"}

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


# The English the priority breakdown was stored in ("views 6.1M", "reason incitement"): an
# Indonesian page must not show it.
ENGLISH_LEFTOVERS = re.compile(r"\b(views|reason|source|flags|SLA breached|SLA in)\b")


def raw_codes(html: str, language: str) -> list[str]:
    text = visible_text(html)
    found = [m.group(0) for m in SNAKE.finditer(text)]
    found += [d for d in DJANGO_DEFAULTS[language] if d in text]
    if language == "id":
        found += [m.group(0) for m in ENGLISH_LEFTOVERS.finditer(text)]
    return found


@pytest.fixture
def shift_data(moderator, supervisor, make_case, current_phase_quiet):
    """A case claimed by claim-next, a held regional restriction approved, the moderator told."""
    case = make_case(priority=95, reasons=(Reason.INCITEMENT, Reason.QUIET_PERIOD_CAMPAIGN))
    case.video.view_count = 6_100_000
    case.video.save(update_fields=["view_count"])
    case_claim_next(user=moderator, queue=Queue.objects.get(slug="kebencian-permusuhan"))
    case = Case.objects.get(pk=case.pk)
    Case.objects.filter(pk=case.pk).update(
        priority_breakdown=[
            {"signal": "reach", "label": "views 6.1M", "points": 30},
            {"signal": "severity", "label": "reason incitement", "points": 20},
            {"signal": "source", "label": "source trusted_flagger", "points": 10},
            {"signal": "phase", "label": "quiet_period and quiet_period_campaign", "points": 25},
            {"signal": "sla", "label": "SLA in 12 min", "points": 10},
        ]
    )
    case = Case.objects.get(pk=case.pk)
    decision = decision_record(
        case=case,
        user=moderator,
        version=case.version,
        action=Action.RESTRICT_REGION,
        ground="community_guidelines",
        category=Reason.INCITEMENT,
        statement_of_reasons="Ajakan kekerasan di wilayah tertentu.",
        territorial_scope=["ID"],
    )
    if decision.approval_state == "pending":
        decision_approve(decision=decision, user=supervisor)
    return case


@pytest.fixture
def current_phase_quiet(db):
    today = timezone.localdate()
    return ElectionPhase.objects.create(
        election="Pilkada 2026",
        kind=PhaseKind.QUIET_PERIOD,
        name="Masa tenang",
        starts_on=today,
        ends_on=today,
    )


WORKSPACE_PAGES = [
    "/queues/",
    "/queues/kebencian-permusuhan/",
    "/queues/kebencian-permusuhan/?assignee=none",
    "/cases/{case}/",
    "/cases/{case}/?queue=kebencian-permusuhan",
    "/notifications/",
    "/notifications/preferences/",
    "/preferences/",
]
SUPERVISOR_PAGES = ["/approvals/", "/operations/callbacks/", "/cases/{case}/", "/queues/new/"]
API_PAGES = ["/api/v1/cases/", "/api/v1/cases/{case}/", "/api/v1/cases/?status=banned"]


def _check(client, urls, case, language, accept="text/html"):
    problems = {}
    for url in urls:
        url = url.format(case=case.pk)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language, HTTP_ACCEPT=accept)
        assert response.status_code in (200, 400), (url, response.status_code)
        found = raw_codes(response.content.decode(), language)
        if found:
            problems[url] = sorted(set(found))
    return problems


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_workspace_shows_no_raw_codes(
    language, moderator, supervisor, shift_data, client, settings
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(moderator)
    problems = _check(client, WORKSPACE_PAGES, shift_data, language)
    client.force_login(supervisor)
    problems.update(_check(client, SUPERVISOR_PAGES, shift_data, language))
    assert problems == {}


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_api_browsable_pages_show_no_raw_codes(
    language, supervisor, shift_data, client, settings
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(supervisor)
    assert _check(client, API_PAGES, shift_data, language) == {}


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_admin_shows_no_raw_codes(language, platform_admin, shift_data, client, settings):
    platform_admin.is_staff = True
    platform_admin.is_superuser = True
    platform_admin.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(platform_admin)
    pages = [
        "/admin/",
        "/admin/moderation/case/",
        "/admin/moderation/case/{case}/change/",
        "/admin/moderation/queue/",
        "/admin/moderation/decision/",
    ]
    assert _check(client, pages, shift_data, language) == {}


def test_a_bad_filter_value_on_the_browsable_api_is_an_html_page(supervisor, client):
    client.force_login(supervisor)
    page = client.get("/api/v1/cases/?status=banned", HTTP_ACCEPT="text/html")
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")
    assert "<html" in page.content.decode()
    api = client.get("/api/v1/cases/?status=banned", HTTP_ACCEPT="application/json")
    assert api["Content-Type"] == "application/problem+json"
    assert api.json()["status"] == 400


def test_every_field_the_admin_shows_has_a_label_of_its_own():
    """A field without a verbose_name shows its English attribute name in the admin."""
    from django.apps import apps

    unlabelled = [
        f"{model.__name__}.{field.name}"
        for model in apps.get_app_config("moderation").get_models()
        for field in model._meta.get_fields()
        if hasattr(field, "verbose_name")
        and not field.auto_created
        and str(field.verbose_name) == field.name.replace("_", " ")
        # Labels that are the same word in Indonesian.
        and field.name not in {"platform", "status", "video", "slug", "email"}
    ]
    assert unlabelled == []


@pytest.mark.parametrize(("language", "name"), [("id", "Indonesia"), ("en", "Indonesian")])
def test_the_videos_language_is_named_not_coded(
    language, name, moderator, make_case, client, settings
):
    case = make_case()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(moderator)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'<dd title="id">{name}</dd>' in page
