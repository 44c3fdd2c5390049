"""Fill a dedicated database with the audit log of a whole election: 10 million events.

    .venv/bin/python bench/audit/generate.py [--events 10000000] [--cases 1000000]
        [--database saring_audit_bench] [--seed 2024] [--skip-cases]

1. Cases: ``bench/queue/generate.py``'s loader recreates and migrates the database and COPYs
   platforms, videos, cases and flags (audit events point at real cases: ``case_id`` is a
   foreign key).
2. People: 240 platform moderators (TikTok 160, MeTube 50, Vidio 30), each platform's
   supervisors, 15 KPU clarifiers, 5 approvers, 4 KPU supervisors, 2 Bawaslu supervisors and
   3 administrators, through the ORM.
3. Events: generated in time order over the Pemilu 2024 season (campaign 28 Nov 2023 -
   10 Feb 2024, quiet period, voting day 14 Feb, the count to 20 Mar), denser towards voting
   day. Each case gets its life story (opened by the platform, flags joining, priority
   updates, claims, lease renewals, releases and skips, a decision, sometimes held and
   approved, escalated to KPU with a clarification attached, appealed, closed); staff sign
   in and out each shift, fail to sign in now and then, read notifications, change their
   preferences; KPU writes and publishes clarifications; administrators tune. Ids follow
   time, as they do when a live system writes them. COPY in batches, with the secondary
   indexes (including the GIN index over the ``search`` column, which PostgreSQL computes as
   rows arrive) dropped during the load and rebuilt after.
4. Seals: the generated range is sealed afterwards by the real ``audit_log_seal`` (50,000
   events a seal, chained), exactly as the beat task would have, so ``verify_audit_log``
   checks the same digests it would in production. The time it takes is printed.

A progress bar goes to stderr for each step.
"""

import argparse
import heapq
import json
import os
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.queue.common import Progress, database_url, django_setup  # noqa: E402
from bench.queue.generate import generate as generate_cases  # noqa: E402
from bench.queue.generate import secondary_indexes, tsv  # noqa: E402

SEASON_START = datetime(2023, 11, 28, tzinfo=UTC) - timedelta(hours=7)  # 00:00 WIB
VOTING_DAY = datetime(2024, 2, 14, tzinfo=UTC) - timedelta(hours=7)
SEASON_END = datetime(2024, 3, 20, tzinfo=UTC) - timedelta(hours=7)
COLUMNS = [
    "id",
    "created_at",
    "actor_id",
    "actor_kind",
    "actor_organisation_id",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "before",
    "after",
    "ip_address",
    "request_id",
    "client_request_id",
]
ACTIONS_DECISION = ["remove", "label", "restrict_region", "no_action", "no_action", "label"]
GROUNDS = ["uu_ite", "uu_pemilu", "pkpu", "terms_of_service"]


def people() -> dict[str, list[tuple[int, int]]]:
    """(user id, organisation id) of each kind of bench user, created through the ORM."""
    from django.contrib.auth.models import Group

    from moderation.choices import OrganisationKind, Role
    from moderation.models import Organisation, User

    def org(slug: str, name: str, kind: str) -> Organisation:
        found, _ = Organisation.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": kind}
        )
        return found

    groups = {g.name: g for g in Group.objects.all()}
    out: dict[str, list[tuple[int, int]]] = {}

    def add(kind: str, prefix: str, organisation: Organisation, role: str, n: int) -> None:
        for i in range(n):
            user, _ = User.objects.get_or_create(
                username=f"{prefix}-{i:03d}", defaults={"organisation": organisation}
            )
            user.groups.add(groups[role])
            out.setdefault(kind, []).append((user.pk, organisation.pk))

    kpu = org("kpu", "KPU RI", OrganisationKind.KPU)
    bawaslu = org("bawaslu", "Bawaslu RI", OrganisationKind.BAWASLU)
    for slug, n in (("tiktok", 160), ("metube", 50), ("vidio", 30)):
        platform_org = Organisation.objects.get(slug=slug)
        add(f"moderator:{slug}", f"{slug}-mod", platform_org, Role.PLATFORM_MODERATOR, n)
        add(f"supervisor:{slug}", f"{slug}-sup", platform_org, Role.SUPERVISOR, 3)
    add("clarifier", "kpu-clar", kpu, Role.KPU_CLARIFIER, 15)
    add("approver", "kpu-appr", kpu, Role.KPU_APPROVER, 5)
    add("supervisor:kpu", "kpu-sup", kpu, Role.SUPERVISOR, 4)
    add("supervisor:bawaslu", "bawaslu-sup", bawaslu, Role.SUPERVISOR, 2)
    add("administrator", "admin", kpu, Role.ADMINISTRATOR, 3)
    return out


def season_time(rng: random.Random) -> datetime:
    """A moment of the season, denser towards voting day (and in waking hours)."""
    span = (SEASON_END - SEASON_START).total_seconds()
    while True:
        t = SEASON_START + timedelta(seconds=rng.random() * span)
        days_from_vote = abs((t - VOTING_DAY).total_seconds()) / 86400
        weight = 1.0 / (1.0 + days_from_vote / 10)
        hour_wib = (t.hour + 7) % 24
        if hour_wib < 6:
            weight *= 0.25
        if rng.random() < weight:
            return t


class Events:
    """Builds events into a heap ordered by time; ``drain_until`` yields them in order."""

    def __init__(self, rng: random.Random, staff: dict[str, list[tuple[int, int]]]) -> None:
        self.rng = rng
        self.staff = staff
        self.heap: list[tuple[datetime, int, tuple[object, ...]]] = []
        self.seq = 0
        self.decision_id = 0
        self.clarification_id = 0
        self.notification_id = 0

    def push(
        self,
        at: datetime,
        action: str,
        object_type: str,
        object_id: object,
        *,
        actor: tuple[int, int] | None = None,
        kind: str = "user",
        case_id: int | None = None,
        before: dict[str, object] | None = None,
        after: dict[str, object] | None = None,
        ip: bool = True,
    ) -> None:
        self.seq += 1
        rng = self.rng
        row = (
            actor[0] if actor else None,
            kind if actor else (kind if kind != "user" else "system"),
            actor[1] if actor else None,
            action,
            object_type,
            str(object_id),
            case_id,
            json.dumps(before or {}),
            json.dumps(after or {}),
            f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
            if actor and ip
            else None,
            f"{rng.getrandbits(128):032x}" if actor else "",
            f"cli-{rng.getrandbits(40):x}" if actor and rng.random() < 0.05 else "",
        )
        heapq.heappush(self.heap, (at, self.seq, row))

    def case_story(self, case_id: int, platform: str, opened: datetime) -> None:
        rng = self.rng
        mods = self.staff[f"moderator:{platform}"]
        sups = self.staff[f"supervisor:{platform}"] + self.staff["supervisor:kpu"]
        t = opened
        self.push(
            t,
            "case.open",
            "case",
            case_id,
            kind="platform",
            case_id=case_id,
            after={"status": "new", "priority": rng.randint(10, 120)},
        )
        # Flags joining: most videos get a few, a viral one hundreds.
        for _ in range(min(150, int(rng.paretovariate(1.25)) - 1 + int(rng.expovariate(0.5)))):
            t += timedelta(minutes=rng.expovariate(1 / 20))
            self.push(
                t,
                "case.flag_join",
                "case",
                case_id,
                kind="platform",
                case_id=case_id,
                after={"flag": f"flg_{rng.getrandbits(40):x}"},
            )
        for _ in range(rng.choice((0, 1, 1, 2))):
            t += timedelta(minutes=rng.expovariate(1 / 15))
            old = rng.randint(10, 120)
            self.push(
                t,
                "case.priority_update",
                "case",
                case_id,
                case_id=case_id,
                before={"priority": old},
                after={"priority": old + rng.randint(1, 30)},
            )
        status = "new"
        for attempt in range(rng.choice((1, 1, 1, 2, 3))):
            moderator = rng.choice(mods)
            t += timedelta(minutes=rng.expovariate(1 / 40))
            self.push(
                t,
                "case.claim",
                "case",
                case_id,
                actor=moderator,
                case_id=case_id,
                before={"status": status},
                after={"status": "in_review", "assignee": moderator[0], "via": "next"},
            )
            for _ in range(rng.choice((0, 0, 1, 2))):
                t += timedelta(minutes=rng.uniform(5, 15))
                self.push(t, "case.lease_renew", "case", case_id, actor=moderator, case_id=case_id)
            if attempt < 2 and rng.random() < 0.35:
                t += timedelta(minutes=rng.uniform(1, 10))
                action = rng.choice(("case.release", "case.skip", "case.lease_expire"))
                self.push(
                    t,
                    action,
                    "case",
                    case_id,
                    actor=None if action == "case.lease_expire" else moderator,
                    case_id=case_id,
                    before={"status": "in_review"},
                    after={"status": "new", "assignee": None},
                )
                status = "new"
                continue
            t += timedelta(minutes=rng.uniform(2, 25))
            if rng.random() < 0.08:
                self.push(
                    t,
                    "case.escalate_to_kpu",
                    "case",
                    case_id,
                    actor=moderator,
                    case_id=case_id,
                    before={"status": "in_review"},
                    after={"status": "awaiting_clarification", "note": "perlu klarifikasi"},
                )
                t += timedelta(hours=rng.uniform(1, 12))
                self.clarification_id += 1
                self.push(
                    t,
                    "clarification.attach",
                    "clarification",
                    self.clarification_id,
                    actor=rng.choice(self.staff["clarifier"]),
                    case_id=case_id,
                    after={"case": case_id, "status": "new"},
                )
                t += timedelta(minutes=rng.expovariate(1 / 30))
                moderator = rng.choice(mods)
                self.push(
                    t,
                    "case.claim",
                    "case",
                    case_id,
                    actor=moderator,
                    case_id=case_id,
                    before={"status": "new"},
                    after={"status": "in_review"},
                )
                t += timedelta(minutes=rng.uniform(2, 20))
            self.decision_id += 1
            action = rng.choice(ACTIONS_DECISION)
            decision = {
                "decision": self.decision_id,
                "action": action,
                "ground": rng.choice(GROUNDS),
                "status": "decided",
            }
            if action in ("remove", "restrict_region") and rng.random() < 0.3:
                self.push(
                    t,
                    "decision.hold",
                    "decision",
                    self.decision_id,
                    actor=moderator,
                    case_id=case_id,
                    before={"status": "in_review"},
                    after=decision,
                )
                t += timedelta(minutes=rng.expovariate(1 / 30))
                verdict = "decision.approve" if rng.random() < 0.85 else "decision.reject"
                self.push(
                    t,
                    verdict,
                    "decision",
                    self.decision_id,
                    actor=rng.choice(sups),
                    case_id=case_id,
                    before={"approval_state": "pending"},
                    after={"approval_state": verdict.split(".")[1] + "d"},
                )
            else:
                self.push(
                    t,
                    "decision.record",
                    "decision",
                    self.decision_id,
                    actor=moderator,
                    case_id=case_id,
                    before={"status": "in_review"},
                    after=decision,
                )
            if rng.random() < 0.03:
                t += timedelta(days=rng.uniform(0.5, 4))
                self.push(
                    t,
                    "appeal.open",
                    "appeal",
                    self.decision_id,
                    kind="platform",
                    case_id=case_id,
                    before={"status": "decided"},
                    after={"status": "appealed", "decision": self.decision_id},
                )
                reviewer = rng.choice(mods)
                t += timedelta(hours=rng.uniform(1, 24))
                self.push(
                    t,
                    "case.claim",
                    "case",
                    case_id,
                    actor=reviewer,
                    case_id=case_id,
                    before={"status": "appealed"},
                    after={"status": "in_review"},
                )
                self.decision_id += 1
                self.push(
                    t + timedelta(minutes=12),
                    "decision.record",
                    "decision",
                    self.decision_id,
                    actor=reviewer,
                    case_id=case_id,
                    after={
                        "decision": self.decision_id,
                        "action": "no_action",
                        "supersedes": self.decision_id - 1,
                    },
                )
            break
        if rng.random() < 0.2:
            self.push(
                t + timedelta(days=2),
                "case.close",
                "case",
                case_id,
                actor=rng.choice(sups),
                case_id=case_id,
                before={"status": "decided"},
                after={"status": "closed"},
            )

    def staff_day(self, day: datetime) -> None:
        """Sign-ins, sign-outs, failures, notifications and office work of one day."""
        rng = self.rng
        weight = 1.0 / (1.0 + abs((day - VOTING_DAY).total_seconds()) / 86400 / 10)
        for kind, users in self.staff.items():
            for user in users:
                if rng.random() > 0.6 + 0.4 * weight:
                    continue
                start = day + timedelta(hours=rng.choice((1, 9, 17)) + rng.random())
                if rng.random() < 0.03:
                    self.push(
                        start - timedelta(minutes=1),
                        "user.sign_in_fail",
                        "user",
                        f"user-{user[0]}",
                        kind="system",
                        after={"username": "?"},
                    )
                self.push(start, "user.sign_in", "user", user[0], actor=user)
                for _ in range(rng.randint(0, 12)):
                    self.notification_id += 1
                    self.push(
                        start + timedelta(minutes=rng.uniform(1, 470)),
                        "notification.read",
                        "notification",
                        self.notification_id,
                        actor=user,
                        after={"read_at": "…"},
                    )
                if kind == "clarifier" and rng.random() < 0.5:
                    self.clarification_id += 1
                    at = start + timedelta(minutes=rng.uniform(10, 200))
                    cid = self.clarification_id
                    self.push(
                        at,
                        "clarification.create",
                        "clarification",
                        cid,
                        actor=user,
                        after={"title": f"Klarifikasi {cid}", "status": "draft"},
                    )
                    self.push(
                        at + timedelta(minutes=20),
                        "clarification.update",
                        "clarification",
                        cid,
                        actor=user,
                        before={"body": "draf"},
                        after={"body": "draf kedua"},
                    )
                    self.push(
                        at + timedelta(minutes=40),
                        "clarification.submit",
                        "clarification",
                        cid,
                        actor=user,
                        before={"status": "draft"},
                        after={"status": "submitted"},
                    )
                    self.push(
                        at + timedelta(minutes=90),
                        "clarification.publish",
                        "clarification",
                        cid,
                        actor=rng.choice(self.staff["approver"]),
                        before={"status": "submitted"},
                        after={"status": "published", "version": 1},
                    )
                if kind == "administrator" and rng.random() < 0.2:
                    key = rng.choice(("weight.reach", "weight.flags", "sla.hoax"))
                    self.push(
                        start + timedelta(minutes=30),
                        "tuning.save",
                        "tuningparameter",
                        key,
                        actor=user,
                        before={"value": 1.0},
                        after={"value": round(rng.uniform(0.5, 2), 2)},
                    )
                if kind.startswith("supervisor") and rng.random() < 0.05:
                    self.push(
                        start + timedelta(minutes=45),
                        "audit.export",
                        "user",
                        user[0],
                        actor=user,
                        after={"format": "csv", "filter": {}},
                    )
                self.push(start + timedelta(hours=8), "user.sign_out", "user", user[0], actor=user)

    def drain_until(self, limit: datetime) -> Iterator[tuple[datetime, tuple[object, ...]]]:
        while self.heap and self.heap[0][0] < limit:
            at, _seq, row = heapq.heappop(self.heap)
            yield at, row


def generate_events(name: str, target: int, cases: int, seed: int) -> None:
    from moderation.models import AuditEvent

    rng = random.Random(seed)
    staff = people()
    with psycopg.connect(database_url(name), autocommit=True) as conn:
        platform_of = dict(
            conn.execute(
                "SELECT c.id, p.slug FROM moderation_case c "
                "JOIN moderation_platform p ON p.id = c.platform_id"
            ).fetchall()
        )
        case_ids = sorted(platform_of)
        # The case ids open in time order over the season, like a sequence would give them.
        opened = sorted(season_time(rng) for _ in case_ids)
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '1GB'")
        # The loader's own session skips the foreign-key triggers (every id it writes comes
        # from the rows above); the append-only triggers do not fire on INSERT anyway.
        conn.execute("SET session_replication_role = replica")
        dropped = secondary_indexes(conn, [AuditEvent._meta.db_table])
        for index_name, _ in dropped:
            conn.execute(f'DROP INDEX "{index_name}"')
        events = Events(rng, staff)
        progress = Progress(total=target, label="audit events")
        written = 0
        next_case = 0
        day = SEASON_START
        batch: list[str] = []
        copy_sql = f"COPY moderation_auditevent ({', '.join(COLUMNS)}) FROM STDIN"
        with conn.cursor() as cur:

            def flush() -> None:
                if batch:
                    with cur.copy(copy_sql) as copy:
                        copy.write("\n".join(batch) + "\n")
                    progress.update(len(batch))
                    batch.clear()

            # Cases per day scale so that the events end near the target.
            while written < target and day < SEASON_END + timedelta(days=30):
                day_end = day + timedelta(days=1)
                if day < SEASON_END:
                    events.staff_day(day)
                while next_case < len(case_ids) and opened[next_case] < day_end:
                    cid = case_ids[next_case]
                    events.case_story(cid, platform_of[cid], opened[next_case])
                    next_case += 1
                for at, row in events.drain_until(day_end):
                    written += 1
                    batch.append("\t".join([str(written), tsv(at), *(tsv(v) for v in row)]))
                    if len(batch) >= 50_000:
                        flush()
                    if written >= target:
                        break
                flush()
                day = day_end
        progress.close()
        written = top_up(conn, written, target)
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('moderation_auditevent', 'id'), %s)",
            [written],
        )
        conn.execute("SET session_replication_role = origin")
        rebuild = Progress(total=len(dropped), label="rebuild indexes")
        for _, definition in dropped:
            conn.execute(definition)
            rebuild.update(1)
        rebuild.close()
        print("VACUUM ANALYZE moderation_auditevent", file=sys.stderr)
        conn.execute("VACUUM ANALYZE moderation_auditevent")
    print(f"{written:,} audit events over {next_case:,} cases", file=sys.stderr)


def top_up(conn: psycopg.Connection, written: int, target: int) -> int:
    """When the season's stories end short of the target (the case count sets how many there
    are), the rest are the season's first events replayed after it, shifted by a whole
    season: ids and times keep increasing together, as they would in the weeks after."""
    missing = target - written
    if missing <= 0:
        return written
    shift = SEASON_END - SEASON_START + timedelta(days=30)
    columns = ", ".join(COLUMNS[2:])
    conn.execute(
        f"INSERT INTO moderation_auditevent (id, created_at, {columns}) "  # noqa: S608
        f"SELECT id + %s, created_at + %s, {columns} FROM moderation_auditevent "
        "WHERE id <= %s",
        [written, shift, missing],
    )
    print(
        f"topped up {missing:,} events (the season's first, {shift.days} days later)",
        file=sys.stderr,
    )
    return target


def seal_all() -> tuple[int, float]:
    from moderation.models import AuditEvent
    from moderation.oversight.seal import audit_log_seal

    total = AuditEvent.objects.count()
    progress = Progress(total=total, label="seal")
    started = time.monotonic()
    sealed = 0
    while (seal := audit_log_seal()) is not None:
        sealed += seal.event_count
        progress.update(seal.event_count)
    progress.close()
    return sealed, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--database", default="saring_audit_bench")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--top-up-only",
        action="store_true",
        help="On a database generated short of --events: add the rest and seal them.",
    )
    args = parser.parse_args()
    started = time.monotonic()
    if args.top_up_only:
        os.environ["DATABASE_URL"] = database_url(args.database)
        django_setup()
        with psycopg.connect(database_url(args.database), autocommit=True) as conn:
            have = conn.execute("SELECT max(id) FROM moderation_auditevent").fetchone()[0]
            done = top_up(conn, have, args.events)
            conn.execute(
                "SELECT setval(pg_get_serial_sequence('moderation_auditevent', 'id'), %s)",
                [done],
            )
            conn.execute("VACUUM ANALYZE moderation_auditevent")
        sealed, seconds = seal_all()
        print(f"sealed {sealed:,} more events in {seconds:.0f} s", file=sys.stderr)
        return
    generate_cases(args.cases, 1.5, args.database, args.seed)  # recreates, migrates, sets up
    cases_done = time.monotonic()
    generate_events(args.database, args.events, args.cases, args.seed)
    events_done = time.monotonic()
    sealed, seal_seconds = seal_all()
    print(
        f"done in {time.monotonic() - started:.0f} s: cases {cases_done - started:.0f} s, "
        f"events {events_done - cases_done:.0f} s, sealing {sealed:,} events "
        f"{seal_seconds:.0f} s ({sealed / max(seal_seconds, 1e-6):,.0f}/s)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
