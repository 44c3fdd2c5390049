"""Every service writes an audit event.

The services are found, not listed: every public function of the domain packages' modules
(administration, intake, review, clarifications, outbound, oversight) with a keyword-only
``user`` or ``actor`` - something a person does. Each must have a recipe below (a new service
without one fails ``test_every_service_has_a_recipe``), and each recipe runs the real service
against the real database and checks that it appended the audit event it names, by that person.
"""

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from moderation.choices import (
    Action,
    AuditAction,
    AuditExportFormat,
    CaseStatus,
    DeliveryStatus,
    Ground,
    NotificationKind,
    Reason,
    Role,
    SubjectKind,
)
from moderation.models import (
    AuditEvent,
    ElectoralSubject,
    Notification,
    OutboundDelivery,
    TuningParameter,
)
from moderation.oversight.audit_search import AuditFilter
from moderation.oversight.dashboard import DashboardScope
from tests.factories import PublishedClarificationFactory, VideoFactory

pytestmark = pytest.mark.django_db

DOMAIN_PACKAGES = ("administration", "intake", "review", "clarifications", "outbound", "oversight")
# Modules of reads (selectors and searches): they write nothing, so audit nothing.
READ_MODULES = ("selectors", "search", "queues", "queue_filters", "suggestions", "matching")
# Functions with a ``user`` that are not a person's change, and why.
NOT_SERVICES = {
    "audit_record": "the audit log's writer itself",
    "audit_columns": "the columns audit_record writes",
    "audit_export_progress_start": "a progress counter in the cache, not a change",
    "audit_export_progress_set": "a progress counter in the cache, not a change",
    "audit_export_progress": "reads the progress counter",
    # Reads kept next to their services: they write nothing.
    "bulk_attach_preview": "a read: what a bulk attach would change, shown before it is confirmed",
    "clarification_for_attach": "a read: the published clarification to attach, or why not",
    "decision_draft_for": "a read: the moderator's own unsent text on a case",
    "case_wave": "a read: the wave a case belongs to, as the user may see it",
    "wave_members": "a read: the open cases that repeat a decided one",
    "wave_marked_cases": "a read: which rows of a queue page repeat a decided case",
    "wave_source_for": "a read: the decision a wave is applied from, or why not",
    # Heartbeats of the case page (issue 14 point 7): the claim, the release and the expiry
    # are audited; keeping the claim alive, or letting it run out, writes no audit row.
    "case_lease_renew": "a lease heartbeat: the claim, release and expiry are audited, not this",
    "case_lease_let_go": "a lease heartbeat: the claim, release and expiry are audited, not this",
    # Drafts: the decision itself is audited.
    "decision_draft_save": (
        "a moderator's own unsent text, saved as they type; the decision itself is audited"
    ),
    "decision_draft_discard": (
        "a moderator's own unsent text, saved as they type; the decision itself is audited"
    ),
}


def services() -> dict[str, Callable[..., Any]]:
    found: dict[str, Callable[..., Any]] = {}
    for package in DOMAIN_PACKAGES:
        pkg = importlib.import_module(f"moderation.{package}")
        for info in pkgutil.iter_modules(pkg.__path__):
            if info.name.startswith("_") or info.name.endswith(READ_MODULES):
                continue
            module = importlib.import_module(f"{pkg.__name__}.{info.name}")
            for name, fn in vars(module).items():
                if name.startswith("_") or not inspect.isfunction(fn):
                    continue
                if fn.__module__ != module.__name__ or name in NOT_SERVICES:
                    continue
                params = inspect.signature(fn).parameters
                if any(
                    p in params and params[p].kind is inspect.Parameter.KEYWORD_ONLY
                    for p in ("user", "actor")
                ):
                    found[name] = fn
    return found


@dataclass
class People:
    moderator: Any
    second_moderator: Any
    supervisor: Any
    kpu_clarifier: Any
    kpu_approver: Any
    platform_admin: Any
    tiktok: Any
    make_case: Any


REASONS = "Video menyebut TPS tutup pukul 10.00; menurut PKPU TPS buka 07.00-13.00."
CLARIFICATION = {
    "claim": "Pemilu 2024 diundur ke 2025.",
    "rating": "false",
    "title": "Pemilu 2024 tetap 14 Februari 2024",
    "body": "KPU menetapkan hari pemungutan suara 14 Februari 2024 (PKPU 3/2022).",
    "sources": ["https://www.kpu.go.id/berita/baca/1"],
}


def claimed(p: People) -> Any:
    from moderation.review.claims import case_claim

    return case_claim(case=p.make_case(), user=p.moderator)


def held_decision(p: People) -> Any:
    from moderation.review.claims import case_claim
    from moderation.review.decisions import decision_record

    case = case_claim(
        case=p.make_case(video=VideoFactory(platform=p.tiktok, view_count=3_000_000)),
        user=p.moderator,
    )
    return decision_record(
        case=case,
        user=p.moderator,
        version=case.version,
        action=Action.REMOVE,
        ground=Ground.COMMUNITY_GUIDELINES,
        category=Reason.HOAX,
        statement_of_reasons=REASONS,
    )


def submitted_clarification(p: People) -> Any:
    from moderation.clarifications.services import clarification_create, clarification_submit

    draft = clarification_create(user=p.kpu_clarifier, **CLARIFICATION)
    return clarification_submit(clarification=draft, user=p.kpu_clarifier)


def failed_delivery(p: People) -> Any:
    from moderation.outbound.callbacks import delivery_enqueue

    row = delivery_enqueue(
        platform=p.tiktok, event_type="decision.recorded", data={"decision_id": 1}, subject="d:1"
    )
    OutboundDelivery.objects.filter(pk=row.pk).update(status=DeliveryStatus.FAILED, attempts=32)
    row.refresh_from_db()
    return row


def handed_over_then_let_go(p: People) -> Any:
    """A case the supervisor handed to the moderator, whose page's beacon then released it
    (no CASE_CLAIM by the moderator yet)."""
    from moderation.review.claims import case_reassign, case_release

    case = case_reassign(case=p.make_case(), user=p.supervisor, assignee=p.moderator)
    return case_release(case=case, user=p.moderator)


WAVE_SOURCE = "PEMILU 2024 DIUNDUR ke 2025!! kata orang dalam KPU, sebarkan #pemiluditunda #kpu"
WAVE_COPY = "pemilu 2024 diundur ke 2025!!! kata orang dalam kpu, sebarkan #pemiluditunda #kpu"


def wave_applied(p: People, s: dict[str, Any]) -> Any:
    """Budi labelled the first video with KPU's clarification; the moderator applies that
    decision to a copy."""
    from moderation.review.claims import case_claim
    from moderation.review.decisions import decision_record

    def wave_case(caption: str) -> Any:
        return p.make_case(video=VideoFactory(platform=p.tiktok, caption=caption, view_count=5_000))

    first = case_claim(case=wave_case(WAVE_SOURCE), user=p.second_moderator)
    source = decision_record(
        case=first,
        user=p.second_moderator,
        version=first.version,
        action=Action.LABEL,
        ground=Ground.COMMUNITY_GUIDELINES,
        category=Reason.HOAX,
        statement_of_reasons="Klaim pemilu diundur keliru; lihat klarifikasi resmi KPU.",
        clarification=PublishedClarificationFactory(
            title="Pemilu 2024 tidak diundur", claim="Pemilu 2024 diundur ke 2025"
        ),
    )
    copy = wave_case(WAVE_COPY)
    outcomes = s["wave_decision_apply"](source=source, case_ids=[copy.pk], user=p.moderator)
    assert [o.decision is not None for o in outcomes] == [True], outcomes
    return outcomes


# Each recipe: (who acts, what they do) -> the action it must audit.
Recipe = Callable[[People, dict[str, Callable[..., Any]]], tuple[Any, str]]


def _r(action: str, actor: str, call: Callable[[People, dict[str, Any]], Any]) -> Recipe:
    def run(p: People, s: dict[str, Any]) -> tuple[Any, str]:
        call(p, s)
        return getattr(p, actor), action

    return run


RECIPES: dict[str, Recipe] = {
    # administration
    "configuration_save": _r(
        AuditAction.TUNING_SAVE,
        "platform_admin",
        lambda p, s: s["configuration_save"](
            obj=TuningParameter(key="priority.per_flag", value=5), user=p.platform_admin
        ),
    ),
    "configuration_delete": _r(
        AuditAction.TUNING_DELETE,
        "platform_admin",
        lambda p, s: s["configuration_delete"](
            obj=s["configuration_save"](
                obj=TuningParameter(key="priority.per_flag", value=5), user=p.platform_admin
            ),
            user=p.platform_admin,
        ),
    ),
    "platform_add": _r(
        AuditAction.PLATFORM_ADD,
        "platform_admin",
        lambda p, s: s["platform_add"](
            slug="vidio",
            name="Vidio",
            callback_url="https://vidio.example/cb",
            actor=p.platform_admin,
        ),
    ),
    "platform_update": _r(
        AuditAction.PLATFORM_UPDATE,
        "platform_admin",
        lambda p, s: s["platform_update"](
            platform=p.tiktok,
            user=p.platform_admin,
            name="TikTok ID",
            callback_url=p.tiktok.callback_url,
            enabled=True,
        ),
    ),
    "platform_secret_rotate": _r(
        AuditAction.PLATFORM_SECRET_ROTATE,
        "platform_admin",
        lambda p, s: s["platform_secret_rotate"](slug="tiktok", actor=p.platform_admin),
    ),
    "user_add": _r(
        AuditAction.USER_ADD,
        "platform_admin",
        lambda p, s: s["user_add"](
            username="sari.baru",
            role=Role.PLATFORM_MODERATOR,
            organisation_slug=p.moderator.organisation.slug,
            actor=p.platform_admin,
        ),
    ),
    "user_disable": _r(
        AuditAction.USER_DISABLE,
        "platform_admin",
        lambda p, s: s["user_disable"](
            username=p.second_moderator.username, actor=p.platform_admin
        ),
    ),
    "user_second_factor_reset": _r(
        AuditAction.USER_OTP_RESET,
        "platform_admin",
        lambda p, s: s["user_second_factor_reset"](user=p.second_moderator, actor=p.platform_admin),
    ),
    "video_author_political_set": _r(
        AuditAction.VIDEO_POLITICAL_AUTHOR,
        "platform_admin",
        lambda p, s: s["video_author_political_set"](
            video=VideoFactory(platform=p.tiktok), political=True, user=p.platform_admin
        ),
    ),
    # clarifications
    "clarification_create": _r(
        AuditAction.CLARIFICATION_CREATE,
        "kpu_clarifier",
        lambda p, s: s["clarification_create"](user=p.kpu_clarifier, **CLARIFICATION),
    ),
    "clarification_update": _r(
        AuditAction.CLARIFICATION_UPDATE,
        "kpu_clarifier",
        lambda p, s: s["clarification_update"](
            clarification=s["clarification_create"](user=p.kpu_clarifier, **CLARIFICATION),
            user=p.kpu_clarifier,
            title="Judul baru",
        ),
    ),
    "clarification_submit": _r(
        AuditAction.CLARIFICATION_SUBMIT, "kpu_clarifier", lambda p, s: submitted_clarification(p)
    ),
    "clarification_publish": _r(
        AuditAction.CLARIFICATION_PUBLISH,
        "kpu_approver",
        lambda p, s: s["clarification_publish"](
            clarification=submitted_clarification(p), user=p.kpu_approver
        ),
    ),
    "clarification_retract": _r(
        AuditAction.CLARIFICATION_RETRACT,
        "kpu_approver",
        lambda p, s: s["clarification_retract"](
            clarification=s["clarification_publish"](
                clarification=submitted_clarification(p), user=p.kpu_approver
            ),
            user=p.kpu_approver,
            reason="keliru",
        ),
    ),
    "clarification_return": _r(
        AuditAction.CLARIFICATION_RETURN,
        "kpu_approver",
        lambda p, s: s["clarification_return"](
            clarification=submitted_clarification(p),
            user=p.kpu_approver,
            note="Sumber PKPU kurang lengkap.",
        ),
    ),
    "clarification_attach_many": _r(
        AuditAction.CLARIFICATION_ATTACH,
        "moderator",
        lambda p, s: s["clarification_attach_many"](
            user=p.moderator,
            clarification=PublishedClarificationFactory(),
            query="diundur",
            case_ids=[
                p.make_case(
                    status=CaseStatus.AWAITING_CLARIFICATION,
                    video=VideoFactory(platform=p.tiktok, caption="Pemilu 2024 diundur ke 2025"),
                ).pk
            ],
        ),
    ),
    "clarification_attach": _r(
        AuditAction.CLARIFICATION_ATTACH,
        "kpu_clarifier",
        lambda p, s: s["clarification_attach"](
            case=p.make_case(status=CaseStatus.AWAITING_CLARIFICATION),
            clarification=PublishedClarificationFactory(),
            user=p.kpu_clarifier,
        ),
    ),
    # outbound
    "delivery_resend": _r(
        AuditAction.DELIVERY_RESEND,
        "supervisor",
        lambda p, s: s["delivery_resend"](deliveries=[failed_delivery(p)], user=p.supervisor),
    ),
    "platform_callback_disable": _r(
        AuditAction.PLATFORM_CALLBACK_DISABLE,
        "platform_admin",
        lambda p, s: s["platform_callback_disable"](
            platform=p.tiktok, user=p.platform_admin, reason="x"
        ),
    ),
    "platform_callback_enable": _r(
        AuditAction.PLATFORM_CALLBACK_ENABLE,
        "platform_admin",
        lambda p, s: s["platform_callback_enable"](
            platform=s["platform_callback_disable"](
                platform=p.tiktok, user=p.platform_admin, reason="x"
            ),
            user=p.platform_admin,
        ),
    ),
    # review
    "case_claim": _r(AuditAction.CASE_CLAIM, "moderator", lambda p, s: claimed(p)),
    "case_claim_next": _r(
        AuditAction.CASE_CLAIM,
        "moderator",
        lambda p, s: (p.make_case(), s["case_claim_next"](user=p.moderator)),
    ),
    # A live claim is renewed without an audit row; what it audits is taking back the user's
    # own claim that their reloaded page's release beacon let go moments ago.
    "case_lease_keep": _r(
        AuditAction.CASE_CLAIM,
        "moderator",
        lambda p, s: s["case_lease_keep"](case=handed_over_then_let_go(p), user=p.moderator),
    ),
    "case_release": _r(
        AuditAction.CASE_RELEASE,
        "moderator",
        lambda p, s: s["case_release"](case=claimed(p), user=p.moderator),
    ),
    "case_skip": _r(
        AuditAction.CASE_SKIP,
        "moderator",
        lambda p, s: s["case_skip"](case=claimed(p), user=p.moderator, reason="not_my_language"),
    ),
    "case_reassign": _r(
        AuditAction.CASE_REASSIGN,
        "supervisor",
        lambda p, s: s["case_reassign"](
            case=claimed(p), user=p.supervisor, assignee=p.second_moderator
        ),
    ),
    "case_escalate_to_kpu": _r(
        AuditAction.CASE_ESCALATE_TO_KPU,
        "moderator",
        lambda p, s: s["case_escalate_to_kpu"](case=claimed(p), user=p.moderator, note="perlu KPU"),
    ),
    "case_close": _r(
        AuditAction.CASE_CLOSE,
        "supervisor",
        lambda p, s: s["case_close"](case=p.make_case(), user=p.supervisor, reason="duplicate"),
    ),
    "decision_record": _r(
        AuditAction.DECISION_RECORD,
        "moderator",
        lambda p, s: s["decision_record"](
            case=(c := claimed(p)),
            user=p.moderator,
            version=c.version,
            action=Action.NO_ACTION,
            ground=Ground.COMMUNITY_GUIDELINES,
            category=Reason.HOAX,
            statement_of_reasons=REASONS,
        ),
    ),
    "decision_approve": _r(
        AuditAction.DECISION_APPROVE,
        "supervisor",
        lambda p, s: s["decision_approve"](decision=held_decision(p), user=p.supervisor, note="ok"),
    ),
    "decision_reject": _r(
        AuditAction.DECISION_REJECT,
        "supervisor",
        lambda p, s: s["decision_reject"](
            decision=held_decision(p), user=p.supervisor, note="label saja"
        ),
    ),
    "moderator_preference_set": _r(
        AuditAction.MODERATOR_PREFERENCE_SET,
        "moderator",
        lambda p, s: s["moderator_preference_set"](
            user=p.moderator, auto_advance=False, blur_thumbnails=True
        ),
    ),
    "wave_decision_apply": _r(AuditAction.DECISION_RECORD, "moderator", wave_applied),
    "queue_create": _r(
        AuditAction.QUEUE_CREATE,
        "supervisor",
        lambda p, s: s["queue_create"](
            user=p.supervisor, name="Hoaks besar", filters={"reasons": ["hoax"]}
        ),
    ),
    "queue_update": _r(
        AuditAction.QUEUE_UPDATE,
        "supervisor",
        lambda p, s: s["queue_update"](
            queue=s["queue_create"](user=p.supervisor, name="Hoaks", filters={"reasons": ["hoax"]}),
            user=p.supervisor,
            name="Hoaks besar",
            filters={"reasons": ["hoax"]},
        ),
    ),
    # oversight
    "notification_mark_read": _r(
        AuditAction.NOTIFICATION_READ,
        "supervisor",
        lambda p, s: s["notification_mark_read"](
            notification=Notification.objects.create(
                recipient=p.supervisor,
                kind=NotificationKind.SLA_WARNING,
                title="t",
                body="b",
                created_at=timezone.now(),
            ),
            user=p.supervisor,
        ),
    ),
    "notifications_mark_all_read": _r(
        AuditAction.NOTIFICATION_READ,
        "supervisor",
        lambda p, s: (
            Notification.objects.create(
                recipient=p.supervisor,
                kind=NotificationKind.SLA_WARNING,
                title="t",
                body="b",
                created_at=timezone.now(),
            ),
            s["notifications_mark_all_read"](user=p.supervisor),
        ),
    ),
    "notification_preference_set": _r(
        AuditAction.NOTIFICATION_PREFERENCE_SET,
        "supervisor",
        lambda p, s: s["notification_preference_set"](
            user=p.supervisor, kind=NotificationKind.SLA_WARNING, channel="email_now"
        ),
    ),
    "user_language_set": _r(
        AuditAction.USER_LANGUAGE_SET,
        "supervisor",
        lambda p, s: s["user_language_set"](user=p.supervisor, language="en"),
    ),
    "user_sign_in_record": _r(
        AuditAction.USER_SIGN_IN,
        "moderator",
        lambda p, s: s["user_sign_in_record"](user=p.moderator),
    ),
    "user_sign_out_record": _r(
        AuditAction.USER_SIGN_OUT,
        "moderator",
        lambda p, s: s["user_sign_out_record"](user=p.moderator),
    ),
    "admin_change_record": _r(
        AuditAction.USER_ROLES_CHANGE,
        "platform_admin",
        lambda p, s: s["admin_change_record"](
            user=p.platform_admin,
            obj=p.moderator,
            action=AuditAction.ADMIN_CHANGE,
            before={"groups": [Role.PLATFORM_MODERATOR]},
            after={"groups": [Role.SUPERVISOR]},
        ),
    ),
    "case_subjects_set": _r(
        AuditAction.CASE_SUBJECTS_SET,
        "moderator",
        lambda p, s: s["case_subjects_set"](
            case=p.make_case(),
            user=p.moderator,
            subject_ids=[
                ElectoralSubject.objects.create(
                    election="Pilpres 2024",
                    kind=SubjectKind.CANDIDATE_PAIR,
                    ballot_number=1,
                    name="Pasangan 01",
                ).pk
            ],
        ),
    ),
    "transparency_export_record": _r(
        AuditAction.TRANSPARENCY_EXPORT,
        "supervisor",
        lambda p, s: s["transparency_export_record"](
            user=p.supervisor,
            scope=DashboardScope(
                since=date(2024, 2, 1),
                until=date(2024, 2, 14),
                platform_ids=None,
                now=timezone.now(),
            ),
            fmt="csv",
        ),
    ),
    "audit_export_record": _r(
        AuditAction.AUDIT_EXPORT,
        "supervisor",
        lambda p, s: s["audit_export_record"](
            user=p.supervisor,
            audit_filter=AuditFilter(),
            export_format=AuditExportFormat.CSV,
            estimate=0,
        ),
    ),
}


@pytest.fixture
def people(
    moderator,
    second_moderator,
    supervisor,
    kpu_clarifier,
    kpu_approver,
    platform_admin,
    tiktok,
    make_case,
) -> People:
    return People(
        moderator,
        second_moderator,
        supervisor,
        kpu_clarifier,
        kpu_approver,
        platform_admin,
        tiktok,
        make_case,
    )


def test_every_service_has_a_recipe():
    found = services()
    assert len(found) >= 30, sorted(found)
    missing = sorted(set(found) - set(RECIPES))
    assert not missing, f"services without an audit recipe: {missing}"
    stale = sorted(set(RECIPES) - set(found))
    assert not stale, f"recipes for functions that are not services: {stale}"


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_the_service_writes_its_audit_event(name, people):
    found = services()
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    actor, action = RECIPES[name](people, found)
    written = AuditEvent.objects.filter(id__gt=before, action=action)
    assert written.exists(), f"{name} wrote no {action} event"
    assert written.filter(actor=actor).exists(), f"{name}: {action} not by {actor}"
