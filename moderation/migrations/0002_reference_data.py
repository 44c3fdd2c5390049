"""Roles as groups with their permissions, the 2024 calendar from DOMAIN.md, default SLA
targets, and the standard queues. Later edits happen in the admin; this only seeds."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "platform_moderator": [
        "view_case",
        "view_flag",
        "view_video",
        "view_decision",
        "add_decision",
        "view_clarification",
        "view_appeal",
        "view_queue",
    ],
    "kpu_clarifier": [
        "view_case",
        "view_flag",
        "view_video",
        "view_decision",
        "view_clarification",
        "add_clarification",
        "change_clarification",
        "view_queue",
    ],
    "kpu_approver": [
        "view_case",
        "view_flag",
        "view_video",
        "view_decision",
        "view_clarification",
        "add_clarification",
        "change_clarification",
        "view_clarificationversion",
        "view_queue",
    ],
    "supervisor": [
        "view_case",
        "change_case",
        "view_flag",
        "view_video",
        "view_decision",
        "change_decision",
        "view_clarification",
        "view_appeal",
        "view_queue",
        "add_queue",
        "change_queue",
        "view_auditevent",
        "view_outbounddelivery",
        "view_electionphase",
        "view_slatarget",
    ],
}

PHASES_2024 = [
    ("campaign", "Masa kampanye", "2023-11-28", "2024-02-10"),
    ("quiet_period", "Masa tenang", "2024-02-11", "2024-02-13"),
    ("voting_day", "Hari pemungutan suara", "2024-02-14", "2024-02-14"),
    ("tabulation", "Rekapitulasi", "2024-02-15", "2024-03-20"),
]

# Minutes to decide, by reason, outside any phase.
DEFAULT_SLA = {
    "voter_suppression": 120,
    "incitement": 120,
    "sara": 240,
    "hate_speech": 240,
    "official_impersonation": 240,
    "quiet_period_campaign": 240,
    "hoax": 480,
    "disinformation": 480,
    "defamation": 720,
    "civil_servant_partisanship": 1440,
    "other": 1440,
}
# Tighter targets where the phase makes a reason urgent.
PHASE_SLA = {
    "campaign": {},
    "quiet_period": {"quiet_period_campaign": 60, "voter_suppression": 60, "incitement": 60},
    "voting_day": {
        "voter_suppression": 30,
        "quiet_period_campaign": 60,
        "incitement": 60,
        "hoax": 120,
        "disinformation": 120,
        "official_impersonation": 120,
    },
    "tabulation": {"voter_suppression": 120, "hoax": 240, "disinformation": 240},
}

STANDARD_QUEUES = [
    (
        "prioritas-tinggi",
        "Prioritas tinggi",
        {"min_priority": 60, "statuses": ["new", "in_review"]},
    ),
    (
        "informasi-palsu",
        "Informasi palsu",
        {"reasons": ["hoax", "disinformation", "defamation"], "statuses": ["new", "in_review"]},
    ),
    (
        "kebencian-permusuhan",
        "Kebencian dan permusuhan",
        {"reasons": ["hate_speech", "sara", "incitement"], "statuses": ["new", "in_review"]},
    ),
    (
        "integritas-pemilu",
        "Integritas pemilu",
        {
            "reasons": [
                "quiet_period_campaign",
                "official_impersonation",
                "voter_suppression",
                "civil_servant_partisanship",
            ],
            "statuses": ["new", "in_review"],
        },
    ),
    ("lainnya", "Lainnya", {"reasons": ["other"], "statuses": ["new", "in_review"]}),
    ("menunggu-klarifikasi", "Menunggu klarifikasi KPU", {"statuses": ["awaiting_clarification"]}),
    ("banding", "Banding", {"statuses": ["appealed"]}),
    ("menunggu-persetujuan", "Menunggu persetujuan", {"awaiting_approval": True}),
]


# Their names for English readers (set on existing databases by 0019_moderator_preferences).
STANDARD_QUEUE_NAMES_EN = {
    "prioritas-tinggi": "High priority",
    "informasi-palsu": "False information",
    "kebencian-permusuhan": "Hate and hostility",
    "integritas-pemilu": "Election integrity",
    "lainnya": "Other",
    "menunggu-klarifikasi": "Awaiting KPU clarification",
    "banding": "Appeals",
    "menunggu-persetujuan": "Awaiting approval",
}


def seed(apps, schema_editor=None):
    """Idempotent. Also called by tests after a transactional test has flushed the tables."""
    app_config = apps.get_app_config("moderation")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="moderation", codename__in=codenames)
        )
    admin_group, _ = Group.objects.get_or_create(name="administrator")
    admin_group.permissions.set(
        Permission.objects.filter(content_type__app_label__in=["moderation", "auth", "authtoken"])
    )

    ElectionPhase = apps.get_model("moderation", "ElectionPhase")
    SlaTarget = apps.get_model("moderation", "SlaTarget")
    for reason, minutes in DEFAULT_SLA.items():
        SlaTarget.objects.get_or_create(
            phase=None, reason=reason, defaults={"target_minutes": minutes}
        )
    for kind, name, start, end in PHASES_2024:
        phase, _ = ElectionPhase.objects.get_or_create(
            election="Pemilu 2024",
            kind=kind,
            defaults={"name": name, "starts_on": start, "ends_on": end},
        )
        for reason, minutes in DEFAULT_SLA.items():
            target = PHASE_SLA[kind].get(reason, minutes)
            SlaTarget.objects.get_or_create(
                phase=phase, reason=reason, defaults={"target_minutes": target}
            )

    Queue = apps.get_model("moderation", "Queue")
    # A later migration added the English name; the tests' re-seed (current models) sets it.
    has_name_en = any(field.name == "name_en" for field in Queue._meta.fields)
    for position, (slug, name, filters) in enumerate(STANDARD_QUEUES):
        defaults = {"name": name, "filters": filters, "is_standard": True, "position": position}
        if has_name_en:
            defaults["name_en"] = STANDARD_QUEUE_NAMES_EN.get(slug, "")
        Queue.objects.get_or_create(slug=slug, defaults=defaults)


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
