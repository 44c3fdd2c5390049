"""The people and the platform of a shift, all speaking HTTP to the load balancer (asyncio +
httpx): the platform pushing signed flags with the contract's retry schedule, 30 moderators,
supervisors, and a KPU pair. Every request is recorded (operation, start, duration, status).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import random
import re
import struct
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook

# Contract §2: the platform retries anything other than 2xx/4xx on this schedule (seconds).
RETRY_SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]
REASONS = [
    ("hoax", 30),
    ("disinformation", 20),
    ("defamation", 8),
    ("hate_speech", 8),
    ("sara", 6),
    ("incitement", 4),
    ("quiet_period_campaign", 8),
    ("official_impersonation", 4),
    ("voter_suppression", 6),
    ("civil_servant_partisanship", 3),
    ("other", 3),
]
SOURCES = [("user_report", 70), ("automated", 18), ("trusted_flagger", 8), ("kpu", 4)]
ACTIONS = [
    ("no_action", 30),
    ("label", 25),
    ("reduce_reach", 15),
    ("remove", 18),
    ("restrict_region", 5),
]
VERIFY = False  # the load balancer's certificate is self-signed for the shift
WORDS = [
    "coblos",
    "surat",
    "suara",
    "TPS",
    "curang",
    "KPU",
    "hitung",
    "cepat",
    "quick",
    "count",
    "paslon",
    "hoaks",
    "pemilu",
    "masa",
    "tenang",
    "serangan",
    "fajar",
    "bansos",
    "Bawaslu",
    "C1",
    "rekap",
    "sirekap",
    "DPT",
    "undangan",
]


def weighted(pairs: list[tuple[str, int]]) -> str:
    return random.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Recorder:
    """Every request: (operation, start unix time, seconds, status; 0 = no answer)."""

    rows: list[tuple[str, float, float, int]] = field(default_factory=list)

    async def call(
        self, op: str, client: httpx.AsyncClient, method: str, url: str, **kwargs: Any
    ) -> httpx.Response | None:
        start = time.time()
        t0 = time.perf_counter()
        try:
            response = await client.request(method, url, **kwargs)
        except httpx.HTTPError:
            self.rows.append((op, start, time.perf_counter() - t0, 0))
            return None
        self.rows.append((op, start, time.perf_counter() - t0, response.status_code))
        return response


@dataclass
class Shared:
    """What the actors learn from each other, as colleagues would (published clarifications)."""

    published: list[int] = field(default_factory=list)
    stop_at: float = 0.0
    draining: asyncio.Event = field(default_factory=asyncio.Event)

    def running(self) -> bool:
        return time.time() < self.stop_at


# --- The platform ---------------------------------------------------------------------------


class PlatformSimulator:
    """Pushes flag.created at a steady rate; retries per the contract; keeps a ledger of every
    delivery it got a 2xx for. After the shift, the retries still owed are sent at once (the
    schedule compressed) so the ledger is complete."""

    def __init__(
        self,
        base: str,
        secret: str,
        rate: float,
        recorder: Recorder,
        shared: Shared,
        probe_token: str,
        probe_every: int = 10,
    ) -> None:
        self.base = base
        self.signer = Webhook(secret)
        self.rate = rate
        self.rec = recorder
        self.shared = shared
        self.probe_token = probe_token
        self.probe_every = probe_every
        self.ledger: dict[str, dict[str, Any]] = {}  # flag_id -> the delivery that got 2xx
        self.rejected: dict[str, int] = {}  # flag_id -> 4xx status
        self.given_up: list[str] = []
        self.videos: list[dict[str, Any]] = []
        self.new_videos = 0
        self.tasks: set[asyncio.Task] = set()
        self.attempts_retried = 0
        self.replays = 0
        self.e2e_claimable: list[tuple[float, float]] = []  # (accepted at, seconds)
        self.probe_misses = 0
        self.client = httpx.AsyncClient(
            verify=VERIFY, base_url=base, timeout=10, limits=httpx.Limits(max_connections=64)
        )
        self.probe_client = httpx.AsyncClient(
            verify=VERIFY,
            base_url=base,
            timeout=10,
            headers={"Authorization": f"Token {probe_token}"},
        )

    def _video(self) -> tuple[dict[str, Any], bool]:
        if self.videos and random.random() < 0.3:
            recent = self.videos[-2000:]
            video = random.choice(recent)
            video["view_count"] = int(video["view_count"] * random.uniform(1.0, 1.3))
            return video, False
        vid = str(7_300_000_000_000_000_000 + random.randrange(10**17))
        handle = f"@akun.{random.randrange(10**6)}"
        big = random.random() < 0.08
        video = {
            "id": vid,
            "url": f"https://www.tiktok.com/{handle}/video/{vid}",
            "author": {
                "id": str(6_800_000_000_000_000_000 + random.randrange(10**17)),
                "handle": handle,
            },
            "caption": " ".join(random.choices(WORDS, k=12)),
            "language": "id",
            "region": "ID",
            "published_at": iso(time.time() - random.uniform(600, 86400)),
            "view_count": random.randint(1_200_000, 9_000_000)
            if big
            else int(random.lognormvariate(8, 2)),
        }
        self.videos.append(video)
        self.new_videos += 1
        return video, True

    def _event(self) -> tuple[dict[str, Any], bool]:
        video, new = self._video()
        source = weighted(SOURCES)
        data: dict[str, Any] = {
            "flag_id": f"flg_{uuid.uuid4().hex}",
            "flagged_at": iso(time.time() - random.uniform(0, 30)),
            "reason": weighted(REASONS),
            "source": source,
            "note": " ".join(random.choices(WORDS, k=6)),
            "video": dict(video),
        }
        if source == "automated":
            data["confidence"] = round(random.uniform(0.5, 0.99), 2)
        return {"type": "flag.created", "timestamp": iso(time.time()), "data": data}, new

    async def _post(self, op: str, body: bytes, webhook_id: str) -> httpx.Response | None:
        now = datetime.now(tz=UTC)
        headers = {
            "content-type": "application/json",
            "webhook-id": webhook_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": self.signer.sign(webhook_id, now, body.decode()),
        }
        return await self.rec.call(
            op, self.client, "POST", "/api/v1/webhooks/tiktok/", content=body, headers=headers
        )

    async def _wait_retry(self, delay: float) -> None:
        if self.shared.draining.is_set():
            await asyncio.sleep(1)
            return
        try:
            await asyncio.wait_for(self.shared.draining.wait(), timeout=delay)
        except TimeoutError:
            return
        await asyncio.sleep(1)

    async def deliver(self, event: dict[str, Any], new_video: bool) -> None:
        body = json.dumps(event).encode()
        flag_id = event["data"]["flag_id"]
        webhook_id = f"msg_{uuid.uuid4().hex}"
        for attempt in range(len(RETRY_SCHEDULE) + 1):
            if attempt:
                await self._wait_retry(RETRY_SCHEDULE[attempt - 1])
                self.attempts_retried += 1
            response = await self._post(
                "webhook" if not attempt else "webhook_retry", body, webhook_id
            )
            status = response.status_code if response is not None else 0
            if 200 <= status < 300:
                self.ledger[flag_id] = {
                    "webhook_id": webhook_id,
                    "status": status,
                    "at": time.time(),
                    "attempts": attempt + 1,
                    "video_id": event["data"]["video"]["id"],
                }
                if new_video and self.new_videos % self.probe_every == 0:
                    self._spawn(self.probe(event["data"]["video"]["id"], time.time()))
                if random.random() < 0.02:
                    self._spawn(self.replay(event))
                return
            if 400 <= status < 500:
                self.rejected[flag_id] = status
                return
        self.given_up.append(flag_id)

    async def replay(self, event: dict[str, Any]) -> None:
        """The same flag again under a new webhook-id (a platform re-sending): must be a 200
        duplicate and change nothing."""
        await asyncio.sleep(random.uniform(1, 20))
        self.replays += 1
        await self._post("webhook_replay", json.dumps(event).encode(), f"msg_{uuid.uuid4().hex}")

    async def probe(self, video_id: str, accepted_at: float) -> None:
        """Flag accepted -> case claimable: poll the case list for the video."""
        deadline = accepted_at + 300
        while time.time() < deadline:
            try:
                r = await self.probe_client.get(
                    "/api/v1/cases/", params={"platform": "tiktok", "video": video_id}
                )
                if r.status_code == 200 and r.json()["count"] > 0:
                    self.e2e_claimable.append((accepted_at, time.time() - accepted_at))
                    return
            except (httpx.HTTPError, ValueError):
                pass
            await asyncio.sleep(0.25)
        self.probe_misses += 1

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def run(self) -> None:
        interval = 1.0 / self.rate
        next_at = time.monotonic()
        while self.shared.running():
            event, new = self._event()
            self._spawn(self.deliver(event, new))
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    async def drain(self, timeout: float) -> None:
        self.shared.draining.set()
        deadline = time.monotonic() + timeout
        while self.tasks and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
        for task in list(self.tasks):
            task.cancel()


# --- Moderators ------------------------------------------------------------------------------


@dataclass
class Work:
    claims: list[tuple[int, str, float, float]] = field(default_factory=list)  # case, who, held
    decisions: dict[int, dict[str, Any]] = field(default_factory=dict)  # decision id -> facts
    approvals: dict[int, float] = field(default_factory=dict)  # decision id -> approved at
    skips: int = 0
    escalations: int = 0
    conflicts: int = 0
    conflict_types: Counter = field(default_factory=Counter)


def _problem_type(response: httpx.Response) -> str:
    try:
        return str(response.json().get("type", "?"))
    except ValueError:
        return "?"


async def moderator(
    name: str,
    token: str,
    base: str,
    rec: Recorder,
    shared: Shared,
    work: Work,
    think: tuple[float, float],
) -> None:
    client = httpx.AsyncClient(
        verify=VERIFY, base_url=base, timeout=30, headers={"Authorization": f"Token {token}"}
    )
    await asyncio.sleep(random.uniform(0, 3))
    async with client:
        while shared.running():
            r = await rec.call("claim_next", client, "POST", "/api/v1/cases/claim-next/", json={})
            if r is None or r.status_code != 200:
                await asyncio.sleep(random.uniform(1.5, 3) if r is not None else 1)
                continue
            held_from = time.time()
            case = r.json()
            case_id = case["id"]
            r = await rec.call("case_read", client, "GET", f"/api/v1/cases/{case_id}/")
            if r is not None and r.status_code == 200:
                case = r.json()
            await asyncio.sleep(random.uniform(*think))
            roll = random.random()
            if roll < 0.08:
                held_until = time.time()
                r = await rec.call(
                    "skip",
                    client,
                    "POST",
                    f"/api/v1/cases/{case_id}/release/",
                    json={"reason": "butuh konteks bahasa daerah"},
                )
                work.claims.append((case_id, name, held_from, held_until))
                work.skips += 1
                continue
            action = "escalate" if roll < 0.15 else weighted(ACTIONS)
            clarification = None
            if action == "label":
                if shared.published:
                    clarification = random.choice(shared.published[-5:])
                else:
                    action = "no_action"
            reasons = case.get("reasons") or ["other"]
            body = {
                "action": action,
                "ground": "community_guidelines",
                "category": reasons[0],
                "statement_of_reasons": f"Ditinjau {name}: {' '.join(random.sample(WORDS, 5))}",
                "version": case["version"],
            }
            if clarification:
                body["clarification"] = clarification
            held_until = time.time()
            r = await rec.call(
                "decide", client, "POST", f"/api/v1/cases/{case_id}/decisions/", json=body
            )
            if r is not None and r.status_code == 409:
                # The case changed while I read it (a new flag joined it): read it again and
                # decide on what it is now, if I still hold it.
                work.conflict_types[_problem_type(r)] += 1
                fresh = await rec.call("case_read", client, "GET", f"/api/v1/cases/{case_id}/")
                if (
                    fresh is not None
                    and fresh.status_code == 200
                    and fresh.json().get("assignee") == name
                ):
                    body["version"] = fresh.json()["version"]
                    held_until = time.time()
                    r = await rec.call(
                        "decide", client, "POST", f"/api/v1/cases/{case_id}/decisions/", json=body
                    )
            work.claims.append((case_id, name, held_from, held_until))
            if r is not None and r.status_code == 201:
                decision = r.json()
                work.decisions[decision["id"]] = {
                    "case": case_id,
                    "by": name,
                    "committed_at": time.time(),
                    "action": action,
                    "approval_state": decision.get("approval_state"),
                }
                if action == "escalate":
                    work.escalations += 1
            elif r is not None and r.status_code == 409:
                work.conflicts += 1


# --- Supervisors -----------------------------------------------------------------------------

APPROVE = re.compile(r"/decisions/(\d+)/approve/")
QUEUE = re.compile(r'href="/queues/([\w-]+)/"')


def totp_code(key_hex: str, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238, as the supervisor's authenticator app computes it."""
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


async def supervisor(
    name: str,
    password: str,
    base: str,
    rec: Recorder,
    shared: Shared,
    work: Work,
    token: str,
    totp_key: str = "",
) -> None:
    # Django checks the Referer of an HTTPS form post against the host (CSRF).
    client = httpx.AsyncClient(
        verify=VERIFY,
        base_url=base,
        timeout=30,
        follow_redirects=False,
        headers={"Referer": f"{base}/"},
    )
    api = httpx.AsyncClient(
        verify=VERIFY, base_url=base, timeout=30, headers={"Authorization": f"Token {token}"}
    )
    async with client, api:
        signed_in = False
        while shared.running():
            if not signed_in:
                r = await rec.call("login", client, "GET", "/login/")
                if r is None or r.status_code != 200:
                    await asyncio.sleep(2)
                    continue
                r = await rec.call(
                    "login",
                    client,
                    "POST",
                    "/login/",
                    data={
                        "username": name,
                        "password": password,
                        "csrfmiddlewaretoken": client.cookies.get("csrftoken", ""),
                    },
                )
                signed_in = r is not None and r.status_code == 302
                if signed_in and totp_key:
                    # The second factor: the code of the current 30-second step (the login
                    # redirects to the next page, which sends a half-signed-in session here).
                    await rec.call("login", client, "GET", "/login/otp/")
                    r = await rec.call(
                        "login",
                        client,
                        "POST",
                        "/login/otp/",
                        data={
                            "code": totp_code(totp_key),
                            "csrfmiddlewaretoken": client.cookies.get("csrftoken", ""),
                        },
                    )
                    signed_in = r is not None and r.status_code == 302
                if not signed_in:
                    await asyncio.sleep(2)
                    continue
            csrf = client.cookies.get("csrftoken", "")
            r = await rec.call("page_approvals", client, "GET", "/approvals/")
            if r is not None and r.status_code == 302:
                signed_in = False
                continue
            if r is not None and r.status_code == 200:
                for pk in sorted(set(APPROVE.findall(r.text)))[:5]:
                    a = await rec.call(
                        "approve",
                        client,
                        "POST",
                        f"/decisions/{pk}/approve/",
                        data={"csrfmiddlewaretoken": csrf, "note": "disetujui"},
                        headers={"Referer": f"{base}/approvals/"},
                    )
                    if a is not None and a.status_code == 302:
                        work.approvals.setdefault(int(pk), time.time())
            r = await rec.call("page_queues", client, "GET", "/queues/")
            if r is not None and r.status_code == 200:
                slugs = QUEUE.findall(r.text)
                if slugs:
                    await rec.call("page_queue", client, "GET", f"/queues/{random.choice(slugs)}/")
            await rec.call("page_home", client, "GET", "/")
            await rec.call("audit_api", api, "GET", "/api/v1/audit-events/")
            await rec.call("page_callbacks", client, "GET", "/operations/callbacks/")
            await rec.call("page_notifications", client, "GET", "/notifications/")
            await asyncio.sleep(random.uniform(3, 8))


# --- The KPU pair ----------------------------------------------------------------------------


async def kpu_pair(
    writer_token: str,
    approver_token: str,
    base: str,
    rec: Recorder,
    shared: Shared,
    every: tuple[float, float],
) -> None:
    writer = httpx.AsyncClient(
        verify=VERIFY, base_url=base, timeout=30, headers={"Authorization": f"Token {writer_token}"}
    )
    approver = httpx.AsyncClient(
        verify=VERIFY,
        base_url=base,
        timeout=30,
        headers={"Authorization": f"Token {approver_token}"},
    )
    n = 0
    async with writer, approver:
        await asyncio.sleep(5)
        while shared.running():
            n += 1
            r = await rec.call(
                "clarification_create",
                writer,
                "POST",
                "/api/v1/clarifications/",
                json={
                    "claim": f"Klaim nomor {n}: {' '.join(random.sample(WORDS, 6))}",
                    "rating": random.choice(["false", "misleading"]),
                    "title": f"Penjelasan KPU #{n}",
                    "body": "Menurut PKPU, " + " ".join(random.sample(WORDS, 12)),
                    "language": "id",
                    "sources": ["https://www.kpu.go.id/berita/baca/shift"],
                },
            )
            if r is not None and r.status_code == 201:
                pk = r.json()["id"]
                s = await rec.call(
                    "clarification_submit", writer, "POST", f"/api/v1/clarifications/{pk}/submit/"
                )
                if s is not None and s.status_code == 200:
                    await asyncio.sleep(random.uniform(2, 6))
                    p = await rec.call(
                        "clarification_publish",
                        approver,
                        "POST",
                        f"/api/v1/clarifications/{pk}/publish/",
                    )
                    if p is not None and p.status_code == 200:
                        shared.published.append(pk)
            await rec.call("clarification_list", writer, "GET", "/api/v1/clarifications/")
            await asyncio.sleep(random.uniform(*every))
