"""Every (status, event) pair: the legal ones go where the table says, the rest are refused."""

import itertools

import pytest

from moderation.choices import CaseEvent, CaseStatus
from moderation.errors import InvalidTransition
from moderation.transitions import (
    CLARIFICATION_TRANSITIONS,
    TRANSITIONS,
    clarification_next_status,
    next_status,
)

S, E = CaseStatus, CaseEvent

# The whole machine, written out again by hand so that a change to transitions.py must be
# made on purpose in two places.
EXPECTED = {
    (S.NEW, E.CLAIM): S.IN_REVIEW,
    (S.APPEALED, E.CLAIM): S.APPEALED,
    (S.IN_REVIEW, E.RELEASE): S.NEW,
    (S.APPEALED, E.RELEASE): S.APPEALED,
    (S.IN_REVIEW, E.LEASE_EXPIRE): S.NEW,
    (S.APPEALED, E.LEASE_EXPIRE): S.APPEALED,
    (S.NEW, E.ESCALATE_TO_KPU): S.AWAITING_CLARIFICATION,
    (S.IN_REVIEW, E.ESCALATE_TO_KPU): S.AWAITING_CLARIFICATION,
    (S.AWAITING_CLARIFICATION, E.CLARIFICATION_ATTACH): S.NEW,
    (S.NEW, E.CLARIFICATION_ATTACH): S.NEW,
    (S.IN_REVIEW, E.CLARIFICATION_ATTACH): S.IN_REVIEW,
    (S.APPEALED, E.CLARIFICATION_ATTACH): S.APPEALED,
    (S.IN_REVIEW, E.DECIDE): S.DECIDED,
    (S.APPEALED, E.DECIDE): S.DECIDED,
    (S.IN_REVIEW, E.DECISION_HOLD): S.IN_REVIEW,
    (S.APPEALED, E.DECISION_HOLD): S.APPEALED,
    (S.IN_REVIEW, E.DECISION_APPROVE): S.DECIDED,
    (S.APPEALED, E.DECISION_APPROVE): S.DECIDED,
    (S.IN_REVIEW, E.DECISION_REJECT): S.NEW,
    (S.APPEALED, E.DECISION_REJECT): S.APPEALED,
    (S.DECIDED, E.APPEAL): S.APPEALED,
    (S.NEW, E.FLAG_JOIN): S.NEW,
    (S.IN_REVIEW, E.FLAG_JOIN): S.IN_REVIEW,
    (S.AWAITING_CLARIFICATION, E.FLAG_JOIN): S.AWAITING_CLARIFICATION,
    (S.APPEALED, E.FLAG_JOIN): S.APPEALED,
    (S.NEW, E.CLOSE): S.CLOSED,
    (S.IN_REVIEW, E.CLOSE): S.CLOSED,
    (S.AWAITING_CLARIFICATION, E.CLOSE): S.CLOSED,
    (S.DECIDED, E.CLOSE): S.CLOSED,
    (S.APPEALED, E.CLOSE): S.CLOSED,
}

ALL_PAIRS = list(itertools.product(S.values, E.values))


def test_table_matches_the_written_machine():
    assert TRANSITIONS == EXPECTED


@pytest.mark.parametrize(("status", "event"), ALL_PAIRS)
def test_every_pair(status, event):
    if (status, event) in EXPECTED:
        assert next_status(status, event) == EXPECTED[(status, event)]
    else:
        with pytest.raises(InvalidTransition) as excinfo:
            next_status(status, event)
        assert excinfo.value.status == status
        assert excinfo.value.event == event
        assert excinfo.value.status_code == 409


def test_closed_is_terminal():
    for event in E.values:
        with pytest.raises(InvalidTransition):
            next_status(S.CLOSED, event)


CLARIFICATION_STATUSES = ["draft", "in_review", "published", "retracted"]
CLARIFICATION_EVENTS = ["submit", "return", "publish", "retract"]


@pytest.mark.parametrize(
    ("status", "event"), list(itertools.product(CLARIFICATION_STATUSES, CLARIFICATION_EVENTS))
)
def test_every_clarification_pair(status, event):
    if (status, event) in CLARIFICATION_TRANSITIONS:
        assert (
            clarification_next_status(status, event) == CLARIFICATION_TRANSITIONS[(status, event)]
        )
    else:
        with pytest.raises(InvalidTransition):
            clarification_next_status(status, event)
