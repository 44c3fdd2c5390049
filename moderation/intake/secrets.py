"""Standard Webhooks secrets: ``whsec_`` + base64 of 24 to 64 random bytes (contract §1)."""

import base64
import binascii
import secrets

from django.utils.translation import gettext as _

SECRET_PREFIX = "whsec_"  # noqa: S105 - a format prefix, not a secret
MIN_BYTES, MAX_BYTES, DEFAULT_BYTES = 24, 64, 32


class MalformedSecret(ValueError):
    pass


def secret_generate(n_bytes: int = DEFAULT_BYTES) -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(n_bytes)).decode()


def secret_validate(value: str) -> str:
    """Return the secret if well formed, else raise MalformedSecret with a one-line reason."""
    if not value.startswith(SECRET_PREFIX):
        raise MalformedSecret(_("rahasia harus diawali %(prefix)s") % {"prefix": SECRET_PREFIX})
    try:
        raw = base64.b64decode(value[len(SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise MalformedSecret(_("bagian setelah whsec_ bukan base64 yang sah")) from None
    if not MIN_BYTES <= len(raw) <= MAX_BYTES:
        raise MalformedSecret(
            _("rahasia berisi %(n)s bytes; harus %(low)s sampai %(high)s")
            % {"n": len(raw), "low": MIN_BYTES, "high": MAX_BYTES}
        )
    return value
