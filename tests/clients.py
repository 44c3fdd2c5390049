"""Test clients signed in as a persona: the browser's session, the API's token."""

from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


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
