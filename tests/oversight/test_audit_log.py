"""The audit log is append-only in the database itself, not just in the admin."""

import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction

from moderation.choices import AuditAction
from moderation.models import AuditEvent, Decision
from moderation.oversight.audit import audit_record
from tests.factories import CaseFactory, DecisionFactory

pytestmark = pytest.mark.django_db

REFUSED = (InternalError, IntegrityError, ProgrammingError)


@pytest.fixture
def event(moderator):
    case = CaseFactory()
    return audit_record(action=AuditAction.CASE_CLAIM, obj=case, case=case, actor=moderator)


def test_update_through_the_orm_is_refused(event):
    with pytest.raises(REFUSED), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="case.release")
    event.refresh_from_db()
    assert event.action == AuditAction.CASE_CLAIM


def test_update_in_raw_sql_is_refused(event):
    with pytest.raises(REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE moderation_auditevent SET before = '{}' WHERE id = %s", [event.pk])


def test_delete_is_refused(event):
    with pytest.raises(REFUSED), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM moderation_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_audit_event_records_actor_and_organisation(event, moderator):
    assert event.actor == moderator
    assert event.actor_organisation_id == moderator.organisation_id
    assert event.actor_kind == "user"


def test_recorded_decision_content_is_immutable():
    decision = DecisionFactory()
    with pytest.raises(REFUSED), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).update(statement_of_reasons="rewritten")
    with pytest.raises(REFUSED), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).delete()
    decision.refresh_from_db()
    assert decision.statement_of_reasons != "rewritten"


def test_decision_approval_fields_may_change():
    decision = DecisionFactory(approval_state="pending")
    Decision.objects.filter(pk=decision.pk).update(approval_state="approved")
    decision.refresh_from_db()
    assert decision.approval_state == "approved"
