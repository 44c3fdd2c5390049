"""The case state machine, as a pure function: (status, event) -> next status.

Nothing here touches the database. Services ask ``next_status`` before they write, and an
illegal move raises ``InvalidTransition``. tests/moderation/test_transitions.py checks every pair.
"""

from moderation.choices import CaseEvent, CaseStatus, ClarificationEvent, ClarificationStatus
from moderation.errors import InvalidTransition

S = CaseStatus
E = CaseEvent

TRANSITIONS: dict[tuple[str, str], str] = {
    # A moderator takes a case from the queue; appeals keep their status while reviewed.
    (S.NEW, E.CLAIM): S.IN_REVIEW,
    (S.APPEALED, E.CLAIM): S.APPEALED,
    # Giving a case back, by hand or because the lease ran out.
    (S.IN_REVIEW, E.RELEASE): S.NEW,
    (S.APPEALED, E.RELEASE): S.APPEALED,
    (S.IN_REVIEW, E.LEASE_EXPIRE): S.NEW,
    (S.APPEALED, E.LEASE_EXPIRE): S.APPEALED,
    # Routing to KPU for an official clarification.
    (S.NEW, E.ESCALATE_TO_KPU): S.AWAITING_CLARIFICATION,
    (S.IN_REVIEW, E.ESCALATE_TO_KPU): S.AWAITING_CLARIFICATION,
    # A clarification arrives: a case that waited for it goes back to the queue.
    (S.AWAITING_CLARIFICATION, E.CLARIFICATION_ATTACH): S.NEW,
    (S.NEW, E.CLARIFICATION_ATTACH): S.NEW,
    (S.IN_REVIEW, E.CLARIFICATION_ATTACH): S.IN_REVIEW,
    (S.APPEALED, E.CLARIFICATION_ATTACH): S.APPEALED,
    # Deciding needs a claim first (in_review), or a claimed appeal.
    (S.IN_REVIEW, E.DECIDE): S.DECIDED,
    (S.APPEALED, E.DECIDE): S.DECIDED,
    # A high-impact decision waits for a supervisor; the case stays where it is until then.
    (S.IN_REVIEW, E.DECISION_HOLD): S.IN_REVIEW,
    (S.APPEALED, E.DECISION_HOLD): S.APPEALED,
    (S.IN_REVIEW, E.DECISION_APPROVE): S.DECIDED,
    (S.APPEALED, E.DECISION_APPROVE): S.DECIDED,
    (S.IN_REVIEW, E.DECISION_REJECT): S.NEW,
    (S.APPEALED, E.DECISION_REJECT): S.APPEALED,
    # The creator appeals a decision.
    (S.DECIDED, E.APPEAL): S.APPEALED,
    # More flags on an open case join it without changing its status.
    (S.NEW, E.FLAG_JOIN): S.NEW,
    (S.IN_REVIEW, E.FLAG_JOIN): S.IN_REVIEW,
    (S.AWAITING_CLARIFICATION, E.FLAG_JOIN): S.AWAITING_CLARIFICATION,
    (S.APPEALED, E.FLAG_JOIN): S.APPEALED,
    # Closing (the video was removed, a duplicate, superseded) from anywhere but closed.
    (S.NEW, E.CLOSE): S.CLOSED,
    (S.IN_REVIEW, E.CLOSE): S.CLOSED,
    (S.AWAITING_CLARIFICATION, E.CLOSE): S.CLOSED,
    (S.DECIDED, E.CLOSE): S.CLOSED,
    (S.APPEALED, E.CLOSE): S.CLOSED,
}


def _label(choices: type[CaseStatus] | type[CaseEvent], value: str) -> object:
    return choices(value).label if value in choices.values else value


def invalid_transition(status: str, event: str) -> InvalidTransition:
    """The refusal of ``event`` in ``status``, its message naming both in the reader's words."""
    return InvalidTransition(
        status, event, status_label=_label(CaseStatus, status), event_label=_label(CaseEvent, event)
    )


def next_status(status: str, event: str) -> str:
    """The status a case moves to when ``event`` happens in ``status``, or InvalidTransition."""
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise invalid_transition(status, event) from None


def is_allowed(status: str, event: str) -> bool:
    return (status, event) in TRANSITIONS


# --- Clarifications: draft -> in_review -> published -> retracted ------------------------------

C = ClarificationStatus
CE = ClarificationEvent

CLARIFICATION_TRANSITIONS: dict[tuple[str, str], str] = {
    (C.DRAFT, CE.SUBMIT): C.IN_REVIEW,
    (C.IN_REVIEW, CE.RETURN): C.DRAFT,
    (C.IN_REVIEW, CE.PUBLISH): C.PUBLISHED,
    # Editing a published clarification and publishing again makes a new version.
    (C.PUBLISHED, CE.PUBLISH): C.PUBLISHED,
    (C.PUBLISHED, CE.RETRACT): C.RETRACTED,
}


def clarification_next_status(status: str, event: str) -> str:
    try:
        return CLARIFICATION_TRANSITIONS[(status, event)]
    except KeyError:
        raise InvalidTransition(
            status,
            event,
            status_label=ClarificationStatus(status).label
            if status in ClarificationStatus.values
            else None,
            event_label=ClarificationEvent(event).label
            if event in ClarificationEvent.values
            else None,
        ) from None
