from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from moderation.choices import AuditAction
from moderation.models import AuditSeal
from moderation.oversight.audit import audit_record
from moderation.oversight.seal import audit_log_seal, audit_log_verify
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(moderator):
    case = CaseFactory()
    return [
        audit_record(action=AuditAction.CASE_CLAIM, obj=case, case=case, actor=moderator)
        for _ in range(5)
    ]


def later():
    return timezone.now() + timedelta(minutes=10)


def test_seal_then_verify_is_clean(events, capsys):
    seal = audit_log_seal(now=later())
    assert seal.event_count == 5
    assert audit_log_seal(now=later()) is None  # nothing new to seal
    assert audit_log_verify().ok
    call_command("verify_audit_log")
    assert "5 events in 1 seals" in capsys.readouterr().out


def test_unsettled_events_wait(events):
    assert audit_log_seal(now=timezone.now()) is None


def test_seals_chain(events, moderator):
    first = audit_log_seal(now=later())
    case = CaseFactory()
    audit_record(action=AuditAction.CASE_RELEASE, obj=case, case=case, actor=moderator)
    second = audit_log_seal(now=later())
    assert second.previous_digest == first.digest
    assert second.first_event_id == first.last_event_id + 1
    assert audit_log_verify().seals == 2


def _tamper(sql, params):
    # What an attacker with the table owner's rights would do: switch the triggers off.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE moderation_auditevent DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE moderation_auditevent ENABLE TRIGGER USER")


def test_changed_event_is_detected(events):
    audit_log_seal(now=later())
    _tamper(
        "UPDATE moderation_auditevent SET action = 'case.release' WHERE id = %s", [events[2].pk]
    )
    result = audit_log_verify()
    assert not result.ok
    assert "contents changed" in result.problems[0]
    with pytest.raises(CommandError, match="FAILED"):
        call_command("verify_audit_log")


def test_deleted_event_is_detected(events):
    audit_log_seal(now=later())
    _tamper("DELETE FROM moderation_auditevent WHERE id = %s", [events[0].pk])
    result = audit_log_verify()
    assert not result.ok
    assert "4 found, 5 sealed" in result.problems[0]


def test_seals_themselves_are_append_only(events):
    from django.db import transaction

    audit_log_seal(now=later())
    with pytest.raises(Exception, match="pgtrigger"), transaction.atomic():
        AuditSeal.objects.update(digest="0" * 64)
