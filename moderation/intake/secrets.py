"""Standard Webhooks secrets: ``whsec_`` + base64 of 24 to 64 random bytes (contract §1)."""

import base64
import binascii
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 - a format prefix, not a secret
MIN_BYTES, MAX_BYTES, DEFAULT_BYTES = 24, 64, 32


class MalformedSecret(ValueError):
    pass


def secret_generate(n_bytes: int = DEFAULT_BYTES) -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(n_bytes)).decode()


def secret_validate(value: str) -> str:
    """Return the secret if well formed, else raise MalformedSecret with a one-line reason."""
    if not value.startswith(SECRET_PREFIX):
        raise MalformedSecret(f"a secret must start with {SECRET_PREFIX!r}")
    try:
        raw = base64.b64decode(value[len(SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise MalformedSecret("the part after 'whsec_' is not valid base64") from None
    if not MIN_BYTES <= len(raw) <= MAX_BYTES:
        raise MalformedSecret(
            f"the secret decodes to {len(raw)} bytes; it must be {MIN_BYTES} to {MAX_BYTES}"
        )
    return value
