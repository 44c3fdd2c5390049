"""Test clients signed in as a persona: the browser's session, the API's token."""

from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def totp_device(user):
    """The user's confirmed authenticator (made as enrolment would, if missing)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def totp_now(device) -> str:
    """The code the user's authenticator app shows now."""
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, digits=device.digits):0{device.digits}d}"


def second_factor_pass(client, user) -> None:
    """Mark the client's session as verified by the second factor, if the user needs one."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from moderation.accounts.second_factor import second_factor_required

    if not second_factor_required(user):
        return
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    session.save()


def signed_in(user) -> Client:
    """A browser client with ``user``'s session."""
    client = Client()
    client.force_login(user)
    return client


def token_client(user) -> APIClient:
    """An API client authenticated with ``user``'s DRF token."""
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client
