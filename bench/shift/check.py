"""After the shift: the platform's ledgers against the database.

- every flag the platform got a 2xx for is stored exactly once and sits on a case;
- every final decision reached the platform under exactly one webhook-id (retries keep it);
- no case was held by two moderators at once;
- the audit chain verifies (manage.py verify_audit_log).
"""

from __future__ import annotations

import itertools
import subprocess
from collections import Counter, defaultdict
from typing import Any

import psycopg

from bench.shift.stack import PYTHON, ROOT


def flags(db_url: str, ledger: dict[str, dict[str, Any]]) -> dict[str, Any]:
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "SELECT f.platform_flag_id, count(*), bool_and(f.case_id IS NOT NULL) "
            "FROM moderation_flag f GROUP BY f.platform_flag_id"
        ).fetchall()
        unprocessed = conn.execute(
            "SELECT count(*) FROM moderation_rawevent WHERE status <> 'processed'"
        ).fetchone()[0]
        raw_total = conn.execute("SELECT count(*) FROM moderation_rawevent").fetchone()[0]
        cases = conn.execute(
            "SELECT status, count(*) FROM moderation_case GROUP BY status"
        ).fetchall()
    stored = {flag_id: (count, on_case) for flag_id, count, on_case in rows}
    lost = [f for f in ledger if f not in stored]
    duplicated = [f for f, (count, _) in stored.items() if count > 1]
    without_case = [f for f, (_, on_case) in stored.items() if not on_case]
    unacknowledged = [f for f in stored if f not in ledger]
    return {
        "acknowledged": len(ledger),
        "stored": len(stored),
        "lost": len(lost),
        "lost_examples": lost[:5],
        "duplicated": len(duplicated),
        "without_case": len(without_case),
        "stored_not_acknowledged": len(unacknowledged),
        "raw_events": raw_total,
        "raw_events_not_processed": unprocessed,
        "cases_by_status": dict(cases),
    }


def decisions(
    db_url: str, endpoint_rows: list[list], seen_by_moderators: set[int]
) -> dict[str, Any]:
    with psycopg.connect(db_url) as conn:
        db = conn.execute("SELECT id, approval_state FROM moderation_decision").fetchall()
        outbox = conn.execute(
            "SELECT (payload->'data'->>'decision_id')::bigint, webhook_id, status "
            "FROM moderation_outbounddelivery WHERE event_type = 'decision.recorded'"
        ).fetchall()
    final = {pk for pk, state in db if state in ("not_required", "approved")}
    pending = {pk for pk, state in db if state == "pending"}
    ids_per_decision: dict[int, set[str]] = defaultdict(set)
    outbox_status = Counter()
    for decision_id, webhook_id, status in outbox:
        ids_per_decision[decision_id].add(webhook_id)
        outbox_status[status] += 1
    ok_receipts = Counter(
        r[1] for r in endpoint_rows if r[2] == "decision.recorded" and r[4] == 200
    )
    all_receipts = Counter(r[1] for r in endpoint_rows if r[2] == "decision.recorded")
    ids_reached: dict[int, set[str]] = defaultdict(set)
    for r in endpoint_rows:
        if r[2] == "decision.recorded" and r[4] == 200:
            ids_reached[int(r[3])].add(r[1])
    known_ids = {w for _, w, _ in outbox}
    not_reached = sorted(final - set(ids_reached))
    under_two_ids = sorted(d for d, ids in ids_reached.items() if len(ids) > 1)
    return {
        "decisions_in_db": len(db),
        "final": len(final),
        "held_pending_at_end": len(pending),
        "acknowledged_by_api_but_missing": len(seen_by_moderators - {pk for pk, _ in db}),
        "outbox_rows_per_status": dict(outbox_status),
        "decisions_with_more_than_one_outbox_row": sum(
            1 for ids in ids_per_decision.values() if len(ids) > 1
        ),
        "reached_platform": len(set(ids_reached) & final),
        "not_reached": len(not_reached),
        "not_reached_examples": not_reached[:5],
        "reached_under_two_webhook_ids": len(under_two_ids),
        "webhook_ids_acknowledged_more_than_once": sum(1 for c in ok_receipts.values() if c > 1),
        "receipts_total": sum(all_receipts.values()),
        "receipts_2xx": sum(ok_receipts.values()),
        "receipts_unknown_webhook_id": sum(1 for w in all_receipts if w not in known_ids),
        "receipts_bad_signature": sum(1 for r in endpoint_rows if not r[5]),
        "sent_before_approval": len(set(ids_reached) & pending),
    }


def held_by_two(claims: list[tuple[int, str, float, float]]) -> dict[str, Any]:
    """Each claim is (case, moderator, surely held from, surely held until): from the claim's
    answer to the decision's request. Two moderators' intervals on one case must not overlap."""
    per_case: dict[int, list[tuple[float, float, str]]] = defaultdict(list)
    for case, who, start, end in claims:
        per_case[case].append((start, end, who))
    overlaps = []
    for case, spans in per_case.items():
        spans.sort()
        for (_s1, e1, w1), (s2, _e2, w2) in itertools.pairwise(spans):
            if w1 != w2 and s2 < e1:
                overlaps.append((case, w1, w2, round(e1 - s2, 3)))
    return {
        "claims": len(claims),
        "cases": len(per_case),
        "overlaps": len(overlaps),
        "overlap_examples": overlaps[:5],
    }


def audit_chain(env: dict[str, str]) -> dict[str, Any]:
    result = subprocess.run(
        [PYTHON, "manage.py", "verify_audit_log"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return {
        "exit": result.returncode,
        "output": (result.stdout + result.stderr).strip().splitlines()[-3:],
    }
