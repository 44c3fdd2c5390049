"""The access matrix (issue 12): every URL pattern, found by walking the URL resolver, has a row
here with the status each persona gets: anonymous, each role of KPU and of TikTok, an account
without a role, Bawaslu's read-only supervisor, and the roles of another platform (MeTube)
against TikTok's objects (object-level: case, decision and notification ids of another
platform). A new URL without a row fails ``test_every_url_pattern_has_a_row``.

Each request runs in a savepoint that is rolled back, so every persona meets the same world.
Every answer also carries the Content-Security-Policy, and every HTML page keeps it
(tests/security/csp.py). Session sign-ins have passed the second factor (tests/conftest.py).

Reading a row: pages answer 200, or 302 (to the login page for anonymous; back to the page with
a message for an action refused or done), 400 (a filter naming a platform the user may not
see: MeTube's supervisor asking for TikTok's dashboard), 403 or 404; API answers 200/201/204,
400, 401/403, 404, 409. ``MATRIX_PRINT=1 pytest tests/test_access_matrix.py -s`` prints what
is observed.
"""

import os
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from moderation.choices import Action, AuditAction, Ground, OrganisationKind, Reason, Role
from moderation.clarifications.services import (
    clarification_create,
    clarification_publish,
    clarification_submit,
)
from moderation.models import AuditEvent, Notification
from moderation.review.claims import case_claim
from moderation.review.decisions import decision_record
from tests.factories import (
    CaseFactory,
    ClarificationFactory,
    OrganisationFactory,
    UserFactory,
    VideoFactory,
)
from tests.security.csp import csp_problems

pytestmark = pytest.mark.django_db

CLARIFICATION = {
    "claim": "Pemilu 2024 diundur ke 2025.",
    "rating": "false",
    "title": "Pemilu 2024 tetap 14 Februari 2024",
    "body": "KPU menetapkan hari pemungutan suara 14 Februari 2024 (PKPU 3/2022).",
    "sources": ["https://www.kpu.go.id/berita/baca/1"],
}

PERSONAS = ["anon", "mod", "sup", "kcl", "kap", "ksup", "adm", "out", "baw", "omod", "osup"]


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # {case}, {held}, {clar} (draft), {rev}, {pub}, {note}, {event}
    expect: tuple[int, ...]  # one status per persona, in PERSONAS order
    data: dict | None = None


def S(line: str) -> tuple[int, ...]:
    statuses = tuple(int(x) for x in line.split())
    assert len(statuses) == len(PERSONAS), line
    return statuses


#                      anon mod sup kcl kap ksup adm out baw omod osup
ROWS: dict[str, Row] = {
    "webhook-receive": Row(
        "POST", "/api/v1/webhooks/tiktok/", S("401 401 401 401 401 401 401 401 401 401 401"), {}
    ),
    "healthz": Row("GET", "/healthz", S("200 200 200 200 200 200 200 200 200 200 200")),
    "readyz": Row("GET", "/readyz", S("200 200 200 200 200 200 200 200 200 200 200")),
    "set_language": Row(
        "POST",
        "/i18n/setlang/",
        S("302 302 302 302 302 302 302 302 302 302 302"),
        {"language": "en", "next": "/"},
    ),
    "login": Row("GET", "/login/", S("200 200 200 200 200 200 200 200 200 200 200")),
    "otp_verify": Row("GET", "/login/otp/", S("302 302 302 302 302 302 302 302 302 302 302")),
    "otp_enrol": Row("GET", "/login/otp/enrol/", S("302 200 302 200 200 302 302 200 302 200 302")),
    "logout": Row("POST", "/logout/", S("302 302 302 302 302 302 302 302 302 302 302")),
    "api-schema": Row("GET", "/api/schema/", S("401 200 200 200 200 200 200 200 200 200 200")),
    "api-docs": Row("GET", "/api/docs/", S("302 200 200 200 200 200 200 200 200 200 200")),
    "api-redoc": Row("GET", "/api/redoc/", S("302 302 302 302 302 302 302 302 302 302 302")),
    "api-case-list": Row("GET", "/api/v1/cases/", S("401 200 200 200 200 200 200 403 200 200 200")),
    "api-case-claim-next": Row(
        "POST", "/api/v1/cases/claim-next/", S("401 200 200 204 204 200 200 403 204 204 204")
    ),
    "api-case-detail": Row(
        "GET", "/api/v1/cases/{case}/", S("401 200 200 200 200 200 200 403 200 403 403")
    ),
    "api-case-claim": Row(
        "POST", "/api/v1/cases/{case}/claim/", S("401 200 409 403 403 409 409 403 403 403 403")
    ),
    "api-case-release": Row(
        "POST", "/api/v1/cases/{case}/release/", S("401 200 200 403 403 200 200 403 403 403 403")
    ),
    "api-case-decisions": Row(
        "POST",
        "/api/v1/cases/{case}/decisions/",
        S("401 400 400 400 400 400 400 403 400 403 403"),
        {},
    ),
    "api-case-clarifications": Row(
        "POST",
        "/api/v1/cases/{case}/clarifications/",
        S("401 400 400 400 400 400 400 403 400 403 403"),
        {},
    ),
    "api-clarification-list": Row(
        "GET", "/api/v1/clarifications/", S("401 200 200 200 200 200 200 403 200 200 200")
    ),
    "api-clarification-submit": Row(
        "POST",
        "/api/v1/clarifications/{clar}/submit/",
        S("401 404 403 200 200 403 403 403 403 404 403"),
    ),
    "api-clarification-publish": Row(
        "POST",
        "/api/v1/clarifications/{clar}/publish/",
        S("401 404 403 403 409 403 403 403 403 404 403"),
    ),
    "api-clarification-retract": Row(
        "POST",
        "/api/v1/clarifications/{clar}/retract/",
        S("401 404 403 403 409 403 403 403 403 404 403"),
        {},
    ),
    "api-audit-events": Row(
        "GET", "/api/v1/audit-events/", S("401 403 200 403 403 200 200 403 200 403 200")
    ),
    "clarification_public": Row(
        "GET", "/klarifikasi/{clar}/", S("404 404 404 404 404 404 404 404 404 404 404")
    ),
    "operations_callbacks": Row(
        "GET", "/operations/callbacks/", S("302 403 200 403 403 200 200 403 403 403 200")
    ),
    "operations_platform": Row(
        "GET", "/operations/callbacks/tiktok/", S("302 403 200 403 403 200 200 403 403 403 403")
    ),
    "operations_resend": Row(
        "POST",
        "/operations/callbacks/tiktok/resend/",
        S("302 403 302 403 403 302 302 403 403 403 403"),
    ),
    "operations_callback_enable": Row(
        "POST",
        "/operations/callbacks/tiktok/enable/",
        S("302 403 302 403 403 302 302 403 403 403 403"),
    ),
    "operations_callback_disable": Row(
        "POST",
        "/operations/callbacks/tiktok/disable/",
        S("302 403 302 403 403 302 302 403 403 403 403"),
    ),
    "notifications": Row(
        "GET", "/notifications/", S("302 200 200 200 200 200 200 403 200 200 200")
    ),
    "notifications_bell": Row(
        "GET", "/notifications/bell/", S("302 200 200 200 200 200 200 403 200 200 200")
    ),
    "notification_read": Row(
        "POST", "/notifications/{note}/read/", S("302 302 404 404 404 404 404 403 404 404 404")
    ),
    "notifications_read_all": Row(
        "POST", "/notifications/read-all/", S("302 302 302 302 302 302 302 403 302 302 302")
    ),
    "notification_preferences": Row(
        "GET", "/notifications/preferences/", S("302 200 200 200 200 200 200 403 200 200 200")
    ),
    "home": Row("GET", "/", S("302 302 302 302 302 302 302 403 302 302 302")),
    "queues": Row("GET", "/queues/", S("302 200 200 200 200 200 200 403 200 200 200")),
    "queue_create": Row("GET", "/queues/new/", S("302 403 200 403 403 200 200 403 403 403 200")),
    "queue_detail": Row(
        "GET", "/queues/informasi-palsu/", S("302 200 200 403 403 200 200 403 200 200 200")
    ),
    "queue_edit": Row(
        "GET", "/queues/informasi-palsu/edit/", S("302 403 200 403 403 200 200 403 403 403 200")
    ),
    "queue_count": Row(
        "GET", "/queues/informasi-palsu/count/", S("302 200 200 403 403 200 200 403 200 200 200")
    ),
    "queue_claim_next": Row(
        "POST",
        "/queues/informasi-palsu/claim-next/",
        S("302 302 302 403 403 302 302 403 302 302 302"),
    ),
    "case_detail": Row("GET", "/cases/{case}/", S("302 200 200 200 200 200 200 403 200 403 403")),
    "case_claim": Row(
        "POST", "/cases/{case}/claim/", S("302 302 302 302 302 302 302 403 302 403 403")
    ),
    "case_lease": Row(
        "POST", "/cases/{case}/lease/", S("302 200 200 200 200 200 200 403 200 403 403")
    ),
    "case_release": Row(
        "POST", "/cases/{case}/release/", S("302 302 302 302 302 302 302 403 302 403 403")
    ),
    "case_skip": Row(
        "POST", "/cases/{case}/skip/", S("302 302 302 302 302 302 302 403 302 403 403")
    ),
    "case_escalate": Row(
        "POST", "/cases/{case}/escalate/", S("302 302 302 302 302 302 302 403 302 403 403")
    ),
    "case_reassign": Row(
        "POST", "/cases/{case}/reassign/", S("302 302 302 302 302 302 302 403 302 403 403")
    ),
    "case_attach": Row(
        "POST", "/cases/{case}/clarifications/", S("302 302 302 302 302 302 302 403 302 403 403")
    ),
    "case_decide": Row(
        "POST", "/cases/{case}/decisions/", S("302 400 400 400 400 400 400 403 400 403 403")
    ),
    "approvals": Row("GET", "/approvals/", S("302 403 200 403 403 200 200 403 403 403 200")),
    "decision_approve": Row(
        "POST", "/decisions/{held}/approve/", S("302 403 302 403 403 302 302 403 403 403 302")
    ),
    "decision_reject": Row(
        "POST", "/decisions/{held}/reject/", S("302 403 302 403 403 302 302 403 403 403 302")
    ),
    "api-case-suggested-clarifications": Row(
        "GET",
        "/api/v1/cases/{case}/suggested-clarifications/",
        S("401 200 200 200 200 200 200 403 200 403 403"),
    ),
    "api-clarification-versions": Row(
        "GET",
        "/api/v1/clarifications/{clar}/versions/",
        S("401 404 200 200 200 200 200 403 200 404 200"),
    ),
    "api-public-clarifications": Row(
        "GET", "/api/v1/public/clarifications/", S("200 200 200 200 200 200 200 200 200 200 200")
    ),
    "clarification_public_list": Row(
        "GET", "/klarifikasi/", S("200 200 200 200 200 200 200 200 200 200 200")
    ),
    "clarification_list": Row(
        "GET", "/clarifications/", S("302 200 200 200 200 200 200 403 200 200 200")
    ),
    "clarification_new": Row(
        "GET", "/clarifications/new/", S("302 403 403 200 200 403 200 403 403 403 403")
    ),
    "clarification_review": Row(
        "GET", "/clarifications/review/", S("302 403 200 200 200 200 200 403 200 403 200")
    ),
    "clarification_preview": Row(
        "POST", "/clarifications/preview/", S("302 403 403 200 200 403 403 403 403 403 403")
    ),
    "clarification_detail": Row(
        "GET", "/clarifications/{clar}/", S("302 404 200 200 200 200 200 403 200 404 200")
    ),
    "clarification_edit": Row(
        "GET", "/clarifications/{clar}/edit/", S("302 403 403 200 200 403 403 403 403 403 403")
    ),
    "clarification_autosave": Row(
        "POST", "/clarifications/{clar}/autosave/", S("302 403 403 200 200 403 403 403 403 403 403")
    ),
    "clarification_submit": Row(
        "POST", "/clarifications/{clar}/submit/", S("302 403 403 302 302 403 403 403 403 403 403")
    ),
    "clarification_publish": Row(
        "POST", "/clarifications/{rev}/publish/", S("302 404 302 302 302 302 302 403 302 404 302")
    ),
    "clarification_return": Row(
        "POST",
        "/clarifications/{rev}/return/",
        S("302 404 302 302 302 302 302 403 302 404 302"),
        {"note": "Sumbernya kurang."},
    ),
    "clarification_retract": Row(
        "POST",
        "/clarifications/{pub}/retract/",
        S("302 302 302 302 302 302 302 403 302 302 302"),
        {"reason": "Ada putusan baru."},
    ),
    "clarification_version": Row(
        "GET", "/clarifications/{pub}/versions/1/", S("302 200 200 200 200 200 200 403 200 200 200")
    ),
    "clarification_diff": Row(
        "GET", "/clarifications/{clar}/diff/", S("302 404 302 302 302 302 302 403 302 404 302")
    ),
    "clarification_attach_bulk": Row(
        "GET", "/clarifications/{pub}/attach/", S("302 200 200 200 200 200 200 403 403 200 200")
    ),
    "audit_log": Row("GET", "/audit/", S("302 403 200 403 403 200 200 403 200 403 200")),
    "audit_event": Row("GET", "/audit/{event}/", S("302 403 200 403 403 200 200 403 200 403 404")),
    "audit_export": Row("GET", "/audit/export/", S("302 403 200 403 403 200 200 403 200 403 200")),
    "audit_export_progress": Row(
        "GET", "/audit/export/progress/", S("302 403 200 403 403 200 200 403 200 403 200")
    ),
    "dashboard": Row(
        "GET",
        "/oversight/dashboard/?platform=tiktok",
        S("302 403 200 403 403 200 200 403 200 403 400"),
    ),
    "dashboard_section": Row(
        "GET",
        "/oversight/dashboard/sections/flow/?platform=tiktok",
        S("302 403 200 403 403 200 200 403 200 403 400"),
    ),
    "transparency_export": Row(
        "GET",
        "/oversight/statements-of-reasons/?platform=tiktok",
        S("302 403 200 403 403 200 200 403 200 403 400"),
    ),
    "case_subjects": Row(
        "POST", "/cases/{case}/subjects/", S("302 302 302 302 302 302 302 403 302 403 403")
    ),
    "case_clarification_search": Row(
        "GET",
        "/cases/{case}/clarifications/search/",
        S("302 200 200 200 200 200 200 403 200 403 403"),
    ),
    "case_wave_apply": Row(
        "POST", "/cases/{case}/wave/", S("302 302 302 302 302 302 302 403 302 403 403")
    ),
    "case_draft": Row(
        "POST", "/cases/{case}/draft/", S("302 204 204 403 403 204 204 403 403 403 403")
    ),
    "case_thumbnail": Row(
        "GET", "/cases/{case}/thumbnail/", S("302 404 404 404 404 404 404 403 404 403 403")
    ),
    "preferences": Row("GET", "/preferences/", S("302 200 200 200 200 200 200 403 200 200 200")),
    # The Django admin, one row for all its patterns: administrators only (is_staff).
    "admin:*": Row(
        "GET", "/admin/moderation/case/", S("302 302 302 302 302 302 200 302 302 302 302")
    ),
}
# Names served only with DEBUG on (the developer's platform sink).
DEBUG_ONLY = {"dev_platform_sink"}


def url_names() -> set[str]:
    names: set[str] = set()

    def walk(resolver: URLResolver, namespace: str) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                walk(pattern, inner if not pattern.namespace else pattern.namespace)
            elif isinstance(pattern, URLPattern):
                if namespace == "admin":
                    names.add("admin:*")
                else:
                    names.add(pattern.name or f"<unnamed {pattern.pattern}>")

    walk(get_resolver(), "")
    return names


def test_every_url_pattern_has_a_row():
    missing = url_names() - set(ROWS) - DEBUG_ONLY
    assert not missing, f"URL patterns without a row in the access matrix: {sorted(missing)}"
    stale = set(ROWS) - url_names()
    assert not stale, f"rows for URL names that no longer exist: {sorted(stale)}"


@pytest.fixture
def world(tiktok, other_platform, kpu, moderator, second_moderator, supervisor, kpu_clarifier,
          kpu_approver, kpu_supervisor, platform_admin, outsider):  # fmt: skip
    platform_admin.is_staff = True
    platform_admin.save()
    bawaslu = OrganisationFactory(slug="bawaslu", kind=OrganisationKind.BAWASLU)
    people = {
        "anon": None,
        "mod": moderator,
        "sup": supervisor,
        "kcl": kpu_clarifier,
        "kap": kpu_approver,
        "ksup": kpu_supervisor,
        "adm": platform_admin,
        "out": outsider,
        "baw": UserFactory(username="bagus", organisation=bawaslu, roles=[Role.SUPERVISOR]),
        "omod": UserFactory(
            username="mira",
            organisation=other_platform.organisation,
            roles=[Role.PLATFORM_MODERATOR],
        ),
        "osup": UserFactory(
            username="mega", organisation=other_platform.organisation, roles=[Role.SUPERVISOR]
        ),
    }
    # TikTok's case, claimed by its moderator; a second TikTok case with a held removal.
    case = case_claim(case=CaseFactory(video=VideoFactory(platform=tiktok)), user=moderator)
    big = case_claim(
        case=CaseFactory(video=VideoFactory(platform=tiktok, view_count=5_000_000)),
        user=second_moderator,
    )
    held = decision_record(
        case=big, user=second_moderator, version=big.version, action=Action.REMOVE,
        ground=Ground.COMMUNITY_GUIDELINES, category=Reason.HOAX,
        statement_of_reasons="Video menyebut tanggal pemungutan suara yang salah.",
    )  # fmt: skip
    # Claimable work on both platforms, so claim-next finds something where allowed.
    CaseFactory(video=VideoFactory(platform=tiktok), reasons=[Reason.HOAX])
    clarification = ClarificationFactory(author=kpu_clarifier)
    # KPU's clarifications further along: one in review, one published (version 1).
    in_review = clarification_submit(
        clarification=clarification_create(user=kpu_clarifier, **CLARIFICATION),
        user=kpu_clarifier,
    )
    published = clarification_publish(
        clarification=clarification_submit(
            clarification=clarification_create(user=kpu_clarifier, **CLARIFICATION),
            user=kpu_clarifier,
        ),
        user=kpu_approver,
    )
    note = Notification.objects.create(
        recipient=moderator, kind="case_assigned", title="Kasus", created_at=timezone.now()
    )
    event = AuditEvent.objects.filter(case=case).latest("pk")
    ids = {
        "case": case.pk,
        "held": held.pk,
        "clar": clarification.pk,
        "rev": in_review.pk,
        "pub": published.pk,
        "note": note.pk,
        "event": event.pk,
    }
    return people, ids


# Who may change nothing of TikTok's, whatever they send: anonymous, an account without a role,
# Bawaslu (read-only) and the other platform's staff (isolation, object level).
CHANGE_NOTHING = {"anon", "out", "baw", "omod", "osup"}
# Platform staff never change a clarification (KPU writes, submits, publishes and retracts).
PLATFORM_STAFF = {"mod", "sup", "omod", "osup"}
CLARIFICATION_URLS = ("clarification_", "api-clarification-")


READS_AUDITED = (
    AuditAction.NOTIFICATION_READ,
    AuditAction.AUDIT_EXPORT,
    AuditAction.TRANSPARENCY_EXPORT,
)


def fingerprint(ids: dict[str, int], user) -> tuple:
    """The state of TikTok's objects and KPU's clarifications in the world, and the audit log's
    length. Some reads are audited as the reader's own record (their notifications read, an
    export of what they may read) and change nothing of TikTok's: those events of the requesting
    user are not counted; any other audit event is."""
    from moderation.models import AuditEvent, Case, Clarification, Decision, Platform

    cases = tuple(Case.objects.order_by("pk").values_list("pk", "status", "assignee_id", "version"))
    decisions = tuple(Decision.objects.order_by("pk").values_list("pk", "approval_state"))
    clarifications = tuple(
        Clarification.objects.filter(pk__in=[ids["clar"], ids["rev"], ids["pub"]])
        .order_by("pk")
        .values_list("pk", "status", "version")
    )
    note = Notification.objects.values_list("read_at", flat=True).get(pk=ids["note"])
    platforms = tuple(Platform.objects.order_by("pk").values_list("pk", "callback_enabled"))
    events = AuditEvent.objects.all()
    if user is not None:
        events = events.exclude(actor=user, action__in=READS_AUDITED)
    return cases, decisions, clarifications, note, platforms, events.count()


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("name", sorted(ROWS))
def test_the_matrix(name, world):
    people, ids = world
    row = ROWS[name]
    path = row.path.format(**ids)
    observed = []
    problems = []
    for persona in PERSONAS:
        client = _client(people[persona])
        with transaction.atomic():
            before = fingerprint(ids, people[persona])
            if row.method == "GET":
                response = client.get(path)
            else:
                response = client.post(path, row.data or {})
            changes_own = name in ("logout", "set_language", "webhook-receive")
            bound = persona in CHANGE_NOTHING or (
                persona in PLATFORM_STAFF and name.startswith(CLARIFICATION_URLS)
            )
            if bound and not changes_own and fingerprint(ids, people[persona]) != before:
                problems.append((persona, "changed TikTok's objects or the audit log"))
            transaction.set_rollback(True)
        observed.append(response.status_code)
        found = csp_problems(response) if response.status_code == 200 else []
        if name == "api-docs":  # Swagger UI's own style attributes (its page allows them)
            found = [p for p in found if "style attribute" not in p]
        if found:
            problems.append((persona, found))
        if "Content-Security-Policy" not in response:
            problems.append((persona, "no Content-Security-Policy"))
    if os.environ.get("MATRIX_PRINT"):
        print(f'\n    "{name}": S("{" ".join(map(str, observed))}"),')
    assert dict(zip(PERSONAS, observed, strict=True)) == dict(
        zip(PERSONAS, row.expect, strict=True)
    ), name
    assert not problems, problems
