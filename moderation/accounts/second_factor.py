"""The second factor (issue 12, point 3): a TOTP app for supervisors and administrators (or
every role: OTP_REQUIRED_FOR_ALL_ROLES), enrolled by QR code, with single-use recovery codes.

django-otp keeps the devices: one ``TOTPDevice`` named "authenticator" (unconfirmed until the
first right code) and one ``StaticDevice`` named "recovery" holding RECOVERY_CODES codes. Both
throttle wrong codes (django-otp's ThrottlingMixin: each failure doubles the wait).
"""

import base64
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from moderation.models import User

RECOVERY_CODES = 10
AUTHENTICATOR = "authenticator"
RECOVERY = "recovery"


def second_factor_required(user: User) -> bool:
    """Whether this user signs in with a one-time code as well as the password."""
    if not user.is_authenticated:
        return False
    if settings.OTP_REQUIRED_FOR_ALL_ROLES:
        return bool(user.role_names()) or user.is_superuser
    return user.has_role(*settings.OTP_REQUIRED_ROLES) or user.is_superuser


def authenticator(user: User) -> TOTPDevice | None:
    """The user's confirmed TOTP device, if enrolled."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    secret: str  # base32, for typing into an app by hand
    qr_data_uri: str  # an SVG as a data: URI (the CSP allows data: images, no inline script)


def enrolment_start(*, user: User) -> Enrolment:
    """The unconfirmed device to scan (the same one on every reload until confirmed)."""
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name=AUTHENTICATOR, confirmed=False
    )
    qr = segno.make(device.config_url, error="m")
    return Enrolment(
        device=device,
        secret=base64.b32encode(device.bin_key).decode().rstrip("="),
        qr_data_uri=qr.svg_data_uri(scale=5, border=2),
    )


def enrolment_confirm(*, user: User, token: str) -> tuple[TOTPDevice, list[str]] | None:
    """With the first right code: the device confirmed and fresh recovery codes (shown once);
    None for a wrong code."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, name=AUTHENTICATOR, confirmed=False)
            .first()
        )
        if device is None or not device.verify_token(token.strip()):
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return device, recovery_codes_renew(user=user)


def recovery_codes_renew(*, user: User) -> list[str]:
    """New recovery codes; the old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


def second_factor_verify(*, user: User, token: str) -> TOTPDevice | StaticDevice | None:
    """The device that accepts this code: the authenticator's current code, or an unused
    recovery code (used up by this). None when neither does, or while throttled."""
    token = token.strip().replace(" ", "")
    if not token:
        return None
    device = authenticator(user)
    if device is not None and token.isdigit() and device.verify_token(token):
        return device
    static = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if static is not None and static.verify_token(token):
        return static
    return None
