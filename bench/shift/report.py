"""The markdown of one shift run, and its place in bench/results/shift.md."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results" / "shift.md"


def _ms(value: float) -> str:
    return "-" if value != value else f"{value:.0f} ms"


def _s(value: float) -> str:
    return "-" if value != value else f"{value:.2f} s"


def render_section(r: dict[str, Any]) -> str:
    a = r["args"]
    la = r["load_average"]
    lines = [
        f"### {a['replicas']} of each: {a['minutes']:g} minutes, started {r['started'][:19]} UTC "
        f"(commit {r['commit']})",
        "",
        f"{a['replicas']} gunicorn instance(s) ({a['web_workers']} workers x {a['threads']} "
        f"threads each), {a['replicas']} Celery worker(s) (concurrency {a['concurrency']} each), "
        f"{a['replicas']} beat(s), HAProxy with TLS in front; {a['flag_rate']:g} flags/s; "
        f"{a['moderators']} moderators thinking {a['think_min']:g}-{a['think_max']:g} s. "
        f"Load average (1/5/15 min) at start {' '.join(f'{x:.2f}' for x in la['start'])}, "
        f"at end {' '.join(f'{x:.2f}' for x in la['end'])}, on {r['cpus']} CPUs shared with other "
        f"engineers' work. Logs: `{r['logs']}/`.",
        "",
        "| operation | count | per s | p50 | p95 | p99 | errors (5xx or no answer) | statuses |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for op in r["ops"]:
        statuses = ", ".join(f"{k}: {v}" for k, v in op["statuses"].items())
        lines.append(
            f"| {op['op']} | {op['count']} | {op['per_second']:.2f} | {_ms(op['p50_ms'])} | "
            f"{_ms(op['p95_ms'])} | {_ms(op['p99_ms'])} | {op['errors']} "
            f"({op['error_rate'] * 100:.1f} %) | {statuses} |"
        )
    e4 = r["e2e_flag_to_claimable_outside_faults"]
    e1, e2, e3 = (
        r["e2e_flag_to_claimable"],
        r["e2e_decision_to_callback"],
        r["e2e_decision_to_callback_outside_faults"],
    )
    lines += [
        "",
        "| end to end | n | p50 | p95 | p99 | max |",
        "|---|---:|---:|---:|---:|---:|",
        f"| flag accepted (2xx) -> case listed (sampled 1 in 10 new videos) | {e1['n']} | "
        f"{_s(e1['p50_s'])} | {_s(e1['p95_s'])} | {_s(e1['p99_s'])} | {_s(e1['max_s'])} |",
        f"| the same, flags accepted outside fault windows | {e4['n']} | {_s(e4['p50_s'])} | "
        f"{_s(e4['p95_s'])} | {_s(e4['p99_s'])} | {_s(e4['max_s'])} |",
        f"| decision committed (201, or approval) -> callback received, all | {e2['n']} | "
        f"{_s(e2['p50_s'])} | {_s(e2['p95_s'])} | {_s(e2['p99_s'])} | {_s(e2['max_s'])} |",
        f"| the same, decisions outside fault windows | {e3['n']} | {_s(e3['p50_s'])} | "
        f"{_s(e3['p95_s'])} | {_s(e3['p99_s'])} | {_s(e3['max_s'])} |",
        "",
        "Faults (seconds into the shift):",
        "",
    ]
    for f in r["faults"]:
        lines.append(
            f"- {f['at_s']:.0f} s, {f['name']} ({f['lasted_s']:.0f} s): " + "; ".join(f["notes"])
        )
    if not r["faults"]:
        lines.append("- none (--no-faults)")
    fl, de, hb = r["ledger_flags"], r["ledger_decisions"], r["held_by_two"]
    p, w = r["platform"], r["work"]
    outside = r["server_errors_outside_fault_windows"]
    lines += [
        "",
        "Ledgers against the database (after the platform's owed retries and a drain of "
        f"{r['drained_after_s']:.0f} s):",
        "",
        f"- flags: the platform got a 2xx for **{fl['acknowledged']}**; stored "
        f"{fl['stored']}; **lost {fl['lost']}**, **duplicated {fl['duplicated']}**, not on a "
        f"case {fl['without_case']}; stored without the platform seeing a 2xx "
        f"{fl['stored_not_acknowledged']}; raw events not processed "
        f"{fl['raw_events_not_processed']}. Platform: {p['retries_sent']} retries sent, "
        f"{p['replays']} deliberate re-sends "
        f"under a new webhook-id, {p['rejected_4xx']} answered 4xx, {p['given_up']} given up.",
        f"- decisions: {de['decisions_in_db']} in the database ({w['decisions']} answered 201 to "
        f"moderators, {de['acknowledged_by_api_but_missing']} of those missing), {de['final']} "
        f"final, {de['held_pending_at_end']} still held for approval; reached the platform "
        f"{de['reached_platform']}, **not reached {de['not_reached']}**, **under two webhook-ids "
        f"{de['reached_under_two_webhook_ids']}**, more than one outbox row "
        f"{de['decisions_with_more_than_one_outbox_row']}; sent before approval "
        f"{de['sent_before_approval']}. Endpoint: {de['receipts_total']} callbacks received, "
        f"{de['receipts_2xx']} answered 200, {de['webhook_ids_acknowledged_more_than_once']} "
        f"webhook-ids answered 200 more than once (a retry after a lost answer; same id, so the "
        f"platform drops it), {de['receipts_bad_signature']} bad signatures, "
        f"{de['receipts_unknown_webhook_id']} unknown ids.",
        f"- claims: {hb['claims']} claims on {hb['cases']} cases; **held by two moderators at "
        f"once: {hb['overlaps']}**. Skips {w['skips']}, escalations {w['escalations']}, approvals "
        f"{w['approvals']}, stale or lost claims (409) {w['conflicts_409']}.",
        f"- audit chain: `verify_audit_log --seal` exit {r['audit_chain']['exit']}: "
        + " / ".join(r["audit_chain"]["output"]),
        f"- **server errors outside the fault windows: {len(outside)}**"
        + (
            ": " + ", ".join(f"{e['op']} {e['status']} at {e['at']}" for e in outside[:10])
            if outside
            else ""
        ),
        f"- beat: {r['beat']['beats']} beat(s); sends per beat {r['beat']['sends_per_beat']}, "
        f"switches between beats {r['beat']['switches_between_beats']}; delivery-sweep sent "
        f"{r['beat']['delivery_sweep_sent']} times (expected about "
        f"{r['beat']['delivery_sweep_expected']}), twice within 5 s "
        f"{r['beat']['delivery_sweep_doubled_within_5s']}; 'another beat holds the lock' "
        f"messages {r['beat']['waiting_messages']}.",
        "- processes restarted by the supervisor: "
        + (", ".join(f"{k} {v}" for k, v in r["restarts"].items() if v) or "none"),
        "",
        *_capacity(r),
        "CPU seconds during the shift: "
        + ", ".join(f"{k} {v:.0f}" for k, v in sorted(r["cpu_seconds"].items())),
        "",
    ]
    return "\n".join(lines)


def _capacity(r: dict[str, Any]) -> list[str]:
    c = r.get("capacity")
    if not c:
        return []
    lines = [
        f"Capacity after the shift (not in the ledgers): each pushed alone for "
        f"{c['seconds_each']:g} s; CPU per item summed over gunicorn, Celery, beat, PostgreSQL, "
        "Redis and HAProxy (the simulators excluded).",
        "",
        "| pushed | per s | p50 | p95 | server CPU per item "
        "| of which gunicorn / celery / postgres | load (1 min) at start |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    for name in ("flags", "decisions"):
        x = c[name]
        each = x["cpu_ms_each"]
        lines.append(
            f"| {name} | {x['per_second']:.1f} | {_ms(x['p50_ms'])} | {_ms(x['p95_ms'])} | "
            f"{x['app_cpu_ms_each']:.1f} ms | {each.get('gunicorn', 0):.1f} / "
            f"{each.get('celery', 0):.1f} / {each.get('postgres', 0):.1f} ms | "
            f"{x['load_average_1m_at_start']:.1f} |"
        )
    return [*lines, ""]


def update_results(replicas: int, section: str) -> None:
    begin, end = f"<!-- shift:r{replicas} -->", f"<!-- /shift:r{replicas} -->"
    text = RESULTS.read_text() if RESULTS.exists() else "# Shift\n\n"
    block = f"{begin}\n{section}\n{end}"
    if begin in text:
        text = re.sub(re.escape(begin) + r".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    RESULTS.write_text(text)
