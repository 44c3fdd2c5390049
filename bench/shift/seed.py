"""Seed a shift's database (run with the app's environment, after migrate):

    python bench/shift/seed.py --callback-url URL --secret whsec_... --callback-secret whsec_...
        --moderators 30

Prints JSON: the API tokens of every simulated person and the supervisors' password. Only
staff accounts and the platform are created here; every flag, case, decision and
clarification of the shift arrives through HTTP.
"""

import argparse
import json
import os
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pemilu.settings")

import django

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from moderation.administration.platforms import platform_add  # noqa: E402
from moderation.choices import OrganisationKind, Role  # noqa: E402
from moderation.models import Organisation, User  # noqa: E402


def person(username: str, org: Organisation, role: str, password: str | None = None) -> str:
    """A staff member with an API token; a password (slow to hash) only for those who sign in
    to the pages."""
    user = User.objects.create(
        username=username,
        first_name=username,
        email=f"{username}@shift.local",
        organisation=org,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=role))
    return Token.objects.create(user=user).key


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--callback-url", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--callback-secret", required=True)
    parser.add_argument("--moderators", type=int, default=30)
    parser.add_argument("--supervisors", type=int, default=2)
    args = parser.parse_args()

    tiktok = Organisation.objects.create(
        slug="tiktok", name="TikTok", kind=OrganisationKind.PLATFORM
    )
    kpu = Organisation.objects.create(slug="kpu", name="KPU RI", kind=OrganisationKind.KPU)
    platform_add(
        slug="tiktok",
        name="TikTok",
        callback_url=args.callback_url,
        secret=args.secret,
        callback_secret=args.callback_secret,
    )
    password = "Shift-" + secrets.token_urlsafe(12)
    out = {
        "password": password,
        "moderators": {
            f"mod{i:02d}": person(f"mod{i:02d}", tiktok, Role.PLATFORM_MODERATOR)
            for i in range(1, args.moderators + 1)
        },
        "supervisors": {
            f"sup{i}": person(f"sup{i}", tiktok, Role.SUPERVISOR, password)
            for i in range(1, args.supervisors + 1)
        },
        # Supervisors give a TOTP code after the password (issue 12): each has a confirmed
        # authenticator whose key the simulated supervisor computes codes from.
        "totp_keys": {
            f"sup{i}": TOTPDevice.objects.create(
                user=User.objects.get(username=f"sup{i}"), name="shift", confirmed=True
            ).key
            for i in range(1, args.supervisors + 1)
        },
        "kpu_clarifier": person("kpu_penulis", kpu, Role.KPU_CLARIFIER),
        "kpu_approver": person("kpu_penyetuju", kpu, Role.KPU_APPROVER),
        "probe": person("probe", tiktok, Role.SUPERVISOR),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
