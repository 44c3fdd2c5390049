"""Signed flag.created receipts for the ingest benchmark, one per line for receipts.lua:

    <path>\t<webhook-id>\t<webhook-timestamp>\t<webhook-signature>\t<body>

Realistic reuse: every video gets one flag, the rest follow a heavy tail (weight 1/rank^0.6:
over 20,000 videos the busiest gets ~600 flags, the median 2 or 3). Each flag carries the
video's view count as it grows, mostly one reason per video with a second one now and then,
and the source mix of a platform (user reports, automated detection, trusted flaggers, KPU).
Duplicates are redeliveries: half the same webhook-id (a retry), half the same flag_id under a
new webhook-id (the event sent again).
"""

import json
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from standardwebhooks import Webhook

REASONS = [
    "hoax",
    "disinformation",
    "defamation",
    "hate_speech",
    "sara",
    "incitement",
    "quiet_period_campaign",
    "official_impersonation",
    "voter_suppression",
    "civil_servant_partisanship",
    "other",
]
SOURCES = ["user_report"] * 70 + ["automated"] * 20 + ["trusted_flagger"] * 8 + ["kpu"] * 2
SKEW = 0.6
# Signatures are made this far ahead, so a chunk stays valid for ~9 minutes (tolerance 5 min).
SIGN_AHEAD_SECONDS = 240


@dataclass
class VideoModel:
    id: str
    author_id: str
    handle: str
    reason: str
    second_reason: str
    views: int
    growth: int
    published_at: datetime
    flags_sent: int = 0


@dataclass
class WebhookReceipt:
    webhook_id: str
    flag_id: str
    body: str


@dataclass
class Workload:
    receipts: list[WebhookReceipt]
    flags: int
    videos: int
    duplicates: int
    flags_per_video_max: int
    stats: dict[str, int] = field(default_factory=dict)


def _videos(rng: random.Random, n: int, prefix: str) -> list[VideoModel]:
    now = datetime.now(tz=UTC)
    videos = []
    for i in range(n):
        reason = rng.choice(REASONS)
        videos.append(
            VideoModel(
                id=f"{prefix}{i:012d}",
                author_id=f"68{rng.randrange(10**15):015d}",
                handle=f"@akun_{rng.randrange(10**6)}",
                reason=reason,
                second_reason=rng.choice([r for r in REASONS if r != reason]),
                views=int(rng.lognormvariate(9, 2)),
                growth=int(rng.lognormvariate(6, 1.5)),
                published_at=now - timedelta(hours=rng.uniform(1, 72)),
            )
        )
    return videos


def _flag_body(rng: random.Random, video: VideoModel, flag_id: str, now: datetime) -> str:
    video.flags_sent += 1
    video.views += video.growth
    source = rng.choice(SOURCES)
    reason = video.reason if rng.random() < 0.9 else video.second_reason
    data: dict[str, object] = {
        "flag_id": flag_id,
        "flagged_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "reason": reason,
        "source": source,
        "video": {
            "id": video.id,
            "url": f"https://www.tiktok.com/{video.handle}/video/{video.id}",
            "author": {"id": video.author_id, "handle": video.handle},
            "caption": "Info penting soal TPS dan pencoblosan, bagikan! #pemilu2024",
            "language": "id",
            "region": "ID",
            "published_at": video.published_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "view_count": video.views,
        },
    }
    if source == "automated":
        data["confidence"] = round(rng.uniform(0.5, 0.99), 2)
    if rng.random() < 0.3:
        data["note"] = "Dilaporkan pengguna: klaim tanggal pemungutan suara keliru."
    envelope = {
        "type": "flag.created",
        "timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "data": data,
    }
    return json.dumps(envelope, separators=(",", ":"))


def workload(*, flags: int, videos: int, duplicate_rate: float, seed: int, prefix: str) -> Workload:
    """``flags`` distinct flags over ``videos`` videos, plus duplicate receipts, shuffled."""
    if flags < videos:
        raise ValueError("every video gets at least one flag")
    rng = random.Random(seed)
    models = _videos(rng, videos, prefix)
    weights = [1 / (rank + 1) ** SKEW for rank in range(videos)]
    picks = list(range(videos)) + rng.choices(range(videos), weights=weights, k=flags - videos)
    rng.shuffle(picks)
    now = datetime.now(tz=UTC)
    receipts = []
    for index in picks:
        flag_id = f"flg_{uuid.UUID(int=rng.getrandbits(128)).hex}"
        body = _flag_body(rng, models[index], flag_id, now)
        receipts.append(
            WebhookReceipt(f"msg_{uuid.UUID(int=rng.getrandbits(128)).hex}", flag_id, body)
        )
    duplicates = int(flags * duplicate_rate)
    for n in range(duplicates):
        original_at = rng.randrange(len(receipts))
        original = receipts[original_at]
        if n % 2 == 0:
            copy = original  # a retry of the same receipt: same webhook-id
        else:
            copy = WebhookReceipt(
                f"msg_{uuid.UUID(int=rng.getrandbits(128)).hex}", original.flag_id, original.body
            )
        # Soon after the original: retries race the first attempt.
        receipts.insert(min(len(receipts), original_at + rng.randrange(1, 200)), copy)
    return Workload(
        receipts=receipts,
        flags=flags,
        videos=videos,
        duplicates=duplicates,
        flags_per_video_max=max(m.flags_sent for m in models),
    )


def write_chunk(receipts: list[WebhookReceipt], *, path: Path, url_path: str, secret: str) -> Path:
    """Sign now (ahead by SIGN_AHEAD_SECONDS) and write the lines for receipts.lua."""
    webhook = Webhook(secret)
    timestamp = int(time.time()) + SIGN_AHEAD_SECONDS
    signed_at = datetime.fromtimestamp(timestamp, tz=UTC)
    with path.open("w") as out:
        for d in receipts:
            signature = webhook.sign(d.webhook_id, signed_at, d.body)
            out.write(f"{url_path}\t{d.webhook_id}\t{timestamp}\t{signature}\t{d.body}\n")
    return path


def chunks(items: list[WebhookReceipt], size: int) -> Iterator[list[WebhookReceipt]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
