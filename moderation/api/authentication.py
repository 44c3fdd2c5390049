"""Token authentication where a token of a role that signs in with a second factor expires
(SECOND_FACTOR_ROLE_TOKEN_HOURS after it was made): a leaked supervisor's or administrator's
token is not a password-only way around their second factor for long."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from moderation.accounts.second_factor import second_factor_required


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        if second_factor_required(user):
            lifetime = timedelta(hours=settings.SECOND_FACTOR_ROLE_TOKEN_HOURS)
            if token.created < timezone.now() - lifetime:
                raise AuthenticationFailed("Token expired; ask an administrator for a new one.")
        return user, token
