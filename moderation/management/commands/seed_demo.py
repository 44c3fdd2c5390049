"""Realistic demo data: one login per role, the TikTok platform, ~300 flagged videos across
every reason, source and phase, clarifications, decisions, a held removal and an appeal.

Idempotent: every object has a stable key, so running it twice duplicates nothing.
"""

import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from moderation.administration.platforms import platform_add
from moderation.choices import (
    Action,
    CaseStatus,
    CloseReason,
    FlagSource,
    Ground,
    OrganisationKind,
    PhaseKind,
    Reason,
    Role,
)
from moderation.clarifications.services import (
    clarification_attach,
    clarification_create,
    clarification_publish,
    clarification_submit,
)
from moderation.demo.captions import CAPTIONS, DAYS, HANDLES, NAMES, NOTES, PLACES
from moderation.demo.people import CLARIFICATIONS, SOURCES, USERS
from moderation.errors import ModerationError
from moderation.intake.events import event_replay
from moderation.intake.secrets import secret_generate
from moderation.management.base import SaringCommand
from moderation.models import (
    Case,
    Clarification,
    Decision,
    ElectionPhase,
    ElectoralSubject,
    Organisation,
    Platform,
    PlatformSecret,
    User,
    Video,
)
from moderation.oversight.neutrality import case_subjects_set
from moderation.review.cases import case_close, case_escalate_to_kpu
from moderation.review.claims import case_claim
from moderation.review.decisions import decision_record

DEMO_PASSWORD = "Saring-demo-2024"  # noqa: S105 - printed demo login, refused in production
DEMO_ELECTION = "Simulasi Pemilu (demo)"
VIDEO_COUNT = 300
DEV_SINK_PATH = "/dev/platform-sink/tiktok/"


@dataclass
class Ctx:
    rng: random.Random
    platform: Platform
    users: dict[str, User]
    now: datetime


def _rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def wib_datetime(day: date, hour: int, minute: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


class Command(SaringCommand):
    help = "Load demo data (idempotent) and print one login per role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--videos", type=int, default=VIDEO_COUNT)
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load demo data even when SARING_ENV is production.",
        )
        parser.add_argument(
            "--base-url",
            help="Where the app is served (default PUBLIC_BASE_URL): the demo platform's "
            "callbacks and the printed links go there.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.SARING_ENV == "production" and not options["allow_production"]:
            raise CommandError(
                "Refusing to load demo data with SARING_ENV=production "
                "(pass --allow-production if you mean it)."
            )
        if options["videos"] < 1 or options["videos"] > 5000:
            raise CommandError("--videos must be between 1 and 5000.")
        base_url = options["base_url"]
        if base_url is None:
            base_url = settings.SARING["PUBLIC_BASE_URL"]
        base_url = base_url.rstrip("/")
        try:
            URLValidator(schemes=["http", "https"])(base_url)
        except ValidationError:
            raise CommandError(
                f"--base-url must be an http(s) URL like http://127.0.0.1:8000, not {base_url!r}."
            ) from None
        now = timezone.now()
        ctx = Ctx(rng=random.Random(2024), platform=None, users={}, now=now)  # type: ignore[arg-type]  # noqa: S311 - demo data, not security
        with transaction.atomic():
            self._phases(now)
            ctx.platform, secrets = self._platform(base_url)
            ctx.users = self._users(ctx.platform)
        created = self._videos(ctx, options["videos"])
        self._workflows(ctx)
        self._subjects(ctx)
        self._print(ctx, secrets, created, base_url)

    def _subjects(self, ctx: Ctx) -> None:
        """A third of the cases concern a presidential pair or a party (the neutrality view),
        recorded by the moderator through the audited service."""
        subjects = list(ElectoralSubject.objects.filter(active=True).values_list("pk", flat=True))
        if not subjects:
            return
        moderator = ctx.users["moderator"]
        for case in Case.objects.filter(platform=ctx.platform).order_by("pk"):
            if case.subject_links.exists() or ctx.rng.random() > 0.33:
                continue
            case_subjects_set(
                case=case,
                user=moderator,
                subject_ids=ctx.rng.sample(subjects, ctx.rng.choice((1, 1, 2))),
            )

    # --- reference data ------------------------------------------------------------------

    def _phases(self, now: datetime) -> None:
        """A demo election around today, so the workspace shows a live phase."""
        today = timezone.localtime(now).date()
        plan = [
            (PhaseKind.CAMPAIGN, "Masa kampanye (demo)", -60, -2),
            (PhaseKind.QUIET_PERIOD, "Masa tenang (demo)", -1, 1),
            (PhaseKind.VOTING_DAY, "Hari pemungutan suara (demo)", 2, 2),
            (PhaseKind.TABULATION, "Rekapitulasi (demo)", 3, 30),
        ]
        for kind, name, start, end in plan:
            ElectionPhase.objects.update_or_create(
                election=DEMO_ELECTION,
                kind=kind,
                defaults={
                    "name": name,
                    "starts_on": today + timedelta(days=start),
                    "ends_on": today + timedelta(days=end),
                },
            )

    def _platform(self, base_url: str) -> tuple[Platform, dict[str, str]]:
        org, _ = Organisation.objects.get_or_create(
            slug="tiktok", defaults={"name": "TikTok", "kind": OrganisationKind.PLATFORM}
        )
        Organisation.objects.get_or_create(
            slug="kpu", defaults={"name": "KPU RI", "kind": OrganisationKind.KPU}
        )
        Organisation.objects.get_or_create(
            slug="bawaslu", defaults={"name": "Bawaslu RI", "kind": OrganisationKind.BAWASLU}
        )
        sink_url = base_url + DEV_SINK_PATH
        platform, created = Platform.objects.get_or_create(
            slug="tiktok",
            defaults={
                "name": "TikTok",
                "organisation": org,
                # In dev (DEBUG) this stand-in checks signatures (moderation/outbound/dev_sink.py).
                "callback_url": sink_url,
                "callback_secret": secret_generate(),
            },
        )
        if platform.callback_url.endswith(DEV_SINK_PATH) and platform.callback_url != sink_url:
            # Served elsewhere than last time: follow it, or every callback is refused.
            platform = platform_add(
                slug=platform.slug, name=platform.name, callback_url=sink_url
            ).platform
        if created or not platform.secrets.exists():
            PlatformSecret.objects.create(platform=platform, secret=secret_generate())
        inbound = (
            platform.secrets.filter(expires_at__isnull=True).first() or platform.secrets.first()
        )
        return platform, {
            "inbound": inbound.secret if inbound else "",
            "callback": platform.callback_secret,
        }

    def _users(self, platform: Platform) -> dict[str, User]:
        users = {}
        for username, full_name, org_slug, role in USERS:
            first, last = full_name.split(" ", 1)
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@saring.local",
                    "organisation": Organisation.objects.get(slug=org_slug),
                    "is_staff": role == Role.ADMINISTRATOR,
                    "is_superuser": role == Role.ADMINISTRATOR,
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=role))
            users[username] = user
        return users

    # --- videos, flags, cases ------------------------------------------------------------

    def _videos(self, ctx: Ctx, count: int) -> int:
        """Flag ``count`` videos through the webhook's own ingest service (``event_replay``):
        the same validation, raw events, cases, priorities, SLA due times and audit events as
        flags a platform sends."""
        rng = ctx.rng
        reasons = list(Reason.values)
        sources, weights = zip(*SOURCES, strict=True)
        created = 0
        for i in range(count):
            reason = reasons[i % len(reasons)]
            historic = i % 10 == 9  # one in ten is from the 2024 election, already settled
            video_id = f"73{2024_0000_0000 + i * 7919:017d}"
            if Video.objects.filter(platform=ctx.platform, platform_video_id=video_id).exists():
                rng.random()  # keep the sequence stable on re-runs
                continue
            created += 1
            if historic:
                day = date(2023, 11, 28) + timedelta(days=rng.randrange(0, 113))
                flagged = wib_datetime(day, rng.randrange(6, 23), rng.randrange(60))
            else:
                flagged = ctx.now - timedelta(minutes=rng.randrange(5, 60 * 72))
            handle = rng.choice(HANDLES).format(place=rng.choice(PLACES).replace(" ", "").lower())
            video = {
                "id": video_id,
                "url": f"https://www.tiktok.com/{handle}/video/{video_id}",
                "author": {"id": f"68{rng.randrange(10**16, 10**17)}", "handle": handle},
                "caption": rng.choice(CAPTIONS[reason]).format(
                    place=rng.choice(PLACES), name=rng.choice(NAMES), day=rng.choice(DAYS), no=i
                ),
                "language": "id",
                "region": "ID",
                "published_at": _rfc3339(flagged - timedelta(hours=rng.randrange(1, 48))),
                "view_count": int(10 ** rng.uniform(2.3, 6.9)),
            }
            for j in range(1 + min(int(rng.expovariate(0.6)), 9)):
                source = rng.choices(sources, weights)[0]
                at = flagged + timedelta(minutes=j * rng.randrange(1, 40))
                flag = {
                    "flag_id": f"flg_demo_{i:05d}_{j:02d}",
                    "flagged_at": _rfc3339(at),
                    "reason": reason if j == 0 or rng.random() < 0.8 else rng.choice(reasons),
                    "source": source,
                    "note": rng.choice(NOTES),
                    "video": video,
                }
                if source == FlagSource.AUTOMATED:
                    flag["confidence"] = round(rng.uniform(0.55, 0.99), 2)
                body = {"type": "flag.created", "timestamp": _rfc3339(at), "data": flag}
                event_replay(
                    platform=ctx.platform,
                    body=json.dumps(body, ensure_ascii=False),
                    webhook_id=f"msg_demo_{i:05d}_{j:02d}",
                    now=at + timedelta(seconds=rng.randrange(1, 30)),
                )
        return created

    # --- people at work ------------------------------------------------------------------

    def _workflows(self, ctx: Ctx) -> None:
        """Clarifications, decisions, a held removal, escalations, closures and an appeal,
        all through the services, so the audit log tells the same story."""
        if Decision.objects.filter(case__platform=ctx.platform).exists():
            return  # already played once
        users = ctx.users
        clarifications = []
        for spec in CLARIFICATIONS:
            fields = {k: v for k, v in spec.items() if k != "reason"}
            c = Clarification.objects.filter(title=spec["title"]).first()
            if c is None:
                c = clarification_create(user=users["klarifikator"], **fields)
                c = clarification_submit(clarification=c, user=users["klarifikator"])
                c = clarification_publish(clarification=c, user=users["penyetuju"])
            clarifications.append((spec["reason"], c))
        # A draft waiting for the approver.
        if not Clarification.objects.filter(status="in_review").exists():
            draft = clarification_create(
                user=users["klarifikator"],
                claim="Tinta pemilu bisa dihapus dengan pemutih.",
                rating="false",
                title="Tinta pemilu tidak luntur oleh pemutih dalam hitungan jam",
                body="Tinta memenuhi standar daya lekat minimal 8 jam sesuai spesifikasi KPU.",
                sources=["https://www.kpu.go.id/"],
            )
            clarification_submit(clarification=draft, user=users["klarifikator"])

        open_cases = list(
            Case.objects.filter(platform=ctx.platform, status=CaseStatus.NEW)
            .select_related("video")
            .order_by("opened_at", "pk")
        )
        historic = [c for c in open_cases if c.opened_at.year == 2024 or c.opened_at.year == 2023]
        current = [c for c in open_cases if c not in historic]
        moderator, moderator2 = users["moderator"], users["moderator2"]

        def decide(case: Case, user: User, action: str, when: datetime) -> Decision | None:
            try:
                case = case_claim(case=case, user=user, now=when)
                clarification = next(
                    (c for r, c in clarifications if r in case.reasons), clarifications[0][1]
                )
                if action == Action.LABEL:
                    clarification_attach(
                        case=case, clarification=clarification, user=user, now=when
                    )
                    case.refresh_from_db()
                return decision_record(
                    case=case,
                    user=user,
                    version=case.version,
                    action=action,
                    ground=Ground.COMMUNITY_GUIDELINES
                    if action != Action.REMOVE
                    else Ground.ELECTION_LAW,
                    category=case.reasons[0],
                    statement_of_reasons=(
                        "Konten memuat klaim yang bertentangan dengan informasi resmi KPU. "
                        "Tindakan diambil sesuai pedoman komunitas dan UU 7/2017."
                    ),
                    clarification=clarification if action == Action.LABEL else None,
                    territorial_scope=["ID"],
                    facts=f"Klaim dalam video: {case.video.caption[:200]}",
                    now=when,
                )
            except ModerationError as exc:
                self.stderr.write(f"demo: case {case.pk} skipped: {exc.detail}")
                return None

        actions = [
            Action.LABEL,
            Action.REDUCE_REACH,
            Action.NO_ACTION,
            Action.REMOVE,
            Action.LABEL,
            Action.RESTRICT_REGION,
        ]
        first_decisions = []
        for n, case in enumerate(historic):
            when = case.opened_at + timedelta(minutes=45)
            if n % 7 == 6:
                case_close(
                    case=case, user=None, reason=CloseReason.VIDEO_REMOVED_BY_AUTHOR, now=when
                )
                continue
            decision = decide(
                case, moderator if n % 2 else moderator2, actions[n % len(actions)], when
            )
            if decision is not None:
                first_decisions.append(decision)
        # Today: some cases in review, some with KPU, a held removal and an appeal.
        for case in current[:4]:
            case_claim(case=case, user=moderator2)
        for case in current[4:10]:
            case_escalate_to_kpu(case=case, user=moderator, note="Butuh klarifikasi resmi KPU.")
        for case in current[10:20]:
            decide(case, moderator, actions[case.pk % 3], ctx.now - timedelta(minutes=20))
        big = next((c for c in current[20:] if (c.video.view_count or 0) > 1_000_000), None)
        if big is not None:
            decide(big, moderator2, Action.REMOVE, ctx.now - timedelta(minutes=10))
        # An appeal on a decision of `moderator`, so that `moderator2` can take the second
        # review (the decider of an appealed case may not).
        final = [
            d
            for d in first_decisions
            if d.is_final
            and d.case.status == CaseStatus.DECIDED
            and d.decided_by_id == moderator.pk
        ]
        if final:
            appealed_at = ctx.now - timedelta(hours=2)
            body = {
                "type": "appeal.created",
                "timestamp": _rfc3339(appealed_at),
                "data": {
                    "appeal_id": "apl_demo_0001",
                    "decision_id": final[0].pk,
                    "statement": "Video saya hanya menjelaskan ulang pengumuman resmi KPU, "
                    "bukan hoaks.",
                    "created_at": _rfc3339(appealed_at),
                },
            }
            event_replay(
                platform=ctx.platform,
                body=json.dumps(body, ensure_ascii=False),
                webhook_id="msg_demo_appeal_0001",
                now=appealed_at,
            )

    def _print(self, ctx: Ctx, secrets: dict[str, str], created: int, base_url: str) -> None:
        out = self.stdout
        out.write(self.style.SUCCESS(f"Demo data ready ({created} new videos)."))
        out.write("")
        out.write(f"  Sign in at {base_url}/  (admin at /admin/)")
        out.write(f"  {'username':<14} {'password':<18} role")
        for username, _name, org, role in USERS:
            out.write(f"  {username:<14} {DEMO_PASSWORD:<18} {Role(role).label} ({org})")
        out.write("")
        out.write("  Platform 'tiktok' (demo secrets; never reuse outside a demo):")
        out.write(f"    webhook signing secret : {secrets['inbound']}")
        out.write(f"    callback secret        : {secrets['callback']}")
        out.write(f"    webhook URL            : {base_url}/api/v1/webhooks/{ctx.platform.slug}/")
