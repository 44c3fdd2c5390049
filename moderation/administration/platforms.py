"""Onboarding a platform (contract §1): platform_add and platform_secret_rotate.

Secrets are written to the database and returned to the caller (the command prints generated
ones once); they never go to a log or an audit event.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from moderation.choices import AuditAction, OrganisationKind
from moderation.errors import InvalidInput, NotFound, NotPermitted
from moderation.intake.secrets import MalformedSecret, secret_generate, secret_validate
from moderation.models import Organisation, Platform, PlatformSecret, User
from moderation.oversight.audit import audit_record
from moderation.permissions import is_administrator

DEFAULT_GRACE_HOURS = 24.0
MAX_GRACE_HOURS = 24.0 * 30
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")


def _platforms_changed() -> None:
    """This process sees the change at once; others within webhooks.ingest's cache TTL."""
    from moderation.intake.receive import webhook_platforms_forget

    webhook_platforms_forget()
    transaction.on_commit(webhook_platforms_forget)  # and again, once others can see it


@dataclass(frozen=True)
class PlatformAdded:
    platform: Platform
    created: bool
    # Only what we generated, to be shown once: {"secret": ..., "callback_secret": ...}.
    generated: dict[str, str] = field(default_factory=dict)
    changed: tuple[str, ...] = ()


def _validate(
    *, slug: str, name: str, callback_url: str, secret: str | None, callback_secret: str | None
) -> None:
    errors: dict[str, str] = {}
    if not _SLUG.match(slug):
        errors["slug"] = _("huruf kecil, angka dan tanda hubung, paling banyak 50")
    if not name.strip() or len(name) > 200:
        errors["name"] = _("1 sampai 200 karakter")
    try:
        URLValidator(schemes=["https", "http"])(callback_url)
        if len(callback_url) > 500:
            raise ValidationError("too long")
    except ValidationError:
        errors["callback-url"] = _("bukan URL http(s) yang sah dengan paling banyak 500 karakter")
    for label, value in (("secret", secret), ("callback-secret", callback_secret)):
        if value is not None:
            try:
                secret_validate(value)
            except MalformedSecret as exc:
                errors[label] = str(exc)
    if errors:
        raise InvalidInput(
            "; ".join(f"--{k}: {v}" if k != "slug" else f"{k}: {v}" for k, v in errors.items()),
            errors=errors,
        )


def platform_add(
    *,
    slug: str,
    name: str,
    callback_url: str,
    secret: str | None = None,
    callback_secret: str | None = None,
    actor: User | None = None,
    now: datetime | None = None,
) -> PlatformAdded:
    """Register a platform, or update it when the slug exists.

    A new platform gets the given secrets or generated ones. An existing one gets the new name
    and callback URL and keeps its secrets, unless new ones are given: a new inbound secret then
    replaces the current ones at once (use platform_secret_rotate for a graceful switch).
    """
    now = now or timezone.now()
    _validate(
        slug=slug,
        name=name,
        callback_url=callback_url,
        secret=secret,
        callback_secret=callback_secret,
    )
    with transaction.atomic():
        platform = Platform.objects.select_for_update().filter(slug=slug).first()
        if platform is None:
            return _platform_create(
                slug=slug,
                name=name,
                callback_url=callback_url,
                secret=secret,
                callback_secret=callback_secret,
                actor=actor,
            )
        before = {"name": platform.name, "callback_url": platform.callback_url}
        changed: list[str] = []
        if platform.name != name:
            platform.name = name
            changed.append("name")
        if platform.callback_url != callback_url:
            platform.callback_url = callback_url
            changed.append("callback_url")
        if callback_secret is not None and callback_secret != platform.callback_secret:
            platform.callback_secret = callback_secret
            changed.append("callback_secret")
        if changed:
            platform.save(update_fields=changed)
        active = platform.secrets.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        if secret is not None and not active.filter(secret=secret).exists():
            active.update(expires_at=now)
            PlatformSecret.objects.create(platform=platform, secret=secret)
            changed.append("secret")
        if changed:
            audit_record(
                action=AuditAction.PLATFORM_UPDATE,
                obj=platform,
                actor=actor,
                before=before,
                after={
                    "name": platform.name,
                    "callback_url": platform.callback_url,
                    "changed": changed,
                },
            )
    _platforms_changed()
    return PlatformAdded(platform=platform, created=False, changed=tuple(changed))


def _platform_create(
    *,
    slug: str,
    name: str,
    callback_url: str,
    secret: str | None,
    callback_secret: str | None,
    actor: User | None,
) -> PlatformAdded:
    organisation, _created = Organisation.objects.get_or_create(
        slug=slug, defaults={"name": name, "kind": OrganisationKind.PLATFORM}
    )
    if organisation.kind != OrganisationKind.PLATFORM:
        raise InvalidInput(
            _("slug: organisasi %(slug)s sudah ada dan bukan platform") % {"slug": slug},
            errors={"slug": _("dipakai organisasi yang bukan platform")},
        )
    generated: dict[str, str] = {}
    if secret is None:
        secret = generated["secret"] = secret_generate()
    if callback_secret is None:
        callback_secret = generated["callback_secret"] = secret_generate()
    platform = Platform.objects.create(
        slug=slug,
        name=name,
        organisation=organisation,
        callback_url=callback_url,
        callback_secret=callback_secret,
    )
    PlatformSecret.objects.create(platform=platform, secret=secret)
    audit_record(
        action=AuditAction.PLATFORM_ADD,
        obj=platform,
        actor=actor,
        after={"slug": slug, "name": name, "callback_url": callback_url},
    )
    _platforms_changed()
    return PlatformAdded(platform=platform, created=True, generated=generated)


def platform_update(
    *, platform: Platform, user: User, name: str, callback_url: str, enabled: bool
) -> Platform:
    """An administrator's edit of a platform's name, callback URL and whether it may send
    webhooks at all (the admin's change form); audited with the fields before and after."""
    if not is_administrator(user):
        raise NotPermitted(_("Hanya administrator yang dapat mengubah platform."))
    _validate(
        slug=platform.slug, name=name, callback_url=callback_url, secret=None, callback_secret=None
    )
    fields = ("name", "callback_url", "enabled")
    with transaction.atomic():
        platform = Platform.objects.select_for_update().get(pk=platform.pk)
        before = {f: getattr(platform, f) for f in fields}
        platform.name, platform.callback_url, platform.enabled = name, callback_url, enabled
        changed = [f for f in fields if getattr(platform, f) != before[f]]
        if not changed:
            return platform
        platform.save(update_fields=changed)
        audit_record(
            action=AuditAction.PLATFORM_UPDATE,
            obj=platform,
            actor=user,
            before={f: before[f] for f in changed},
            after={f: getattr(platform, f) for f in changed},
        )
    _platforms_changed()
    return platform


@dataclass(frozen=True)
class SecretRotated:
    platform: Platform
    secret: str
    old_secrets_expire_at: datetime
    old_secrets: int


def platform_secret_rotate(
    *,
    slug: str,
    grace_hours: float = DEFAULT_GRACE_HOURS,
    actor: User | None = None,
    now: datetime | None = None,
) -> SecretRotated:
    """Add a new inbound secret; the current ones stay valid for ``grace_hours`` more."""
    now = now or timezone.now()
    if not 0 <= grace_hours <= MAX_GRACE_HOURS:
        raise InvalidInput(
            _("--grace harus antara 0 dan %(max)s jam") % {"max": f"{MAX_GRACE_HOURS:g}"},
            errors={"grace": _("0 sampai %(max)s jam") % {"max": f"{MAX_GRACE_HOURS:g}"}},
        )
    with transaction.atomic():
        platform = Platform.objects.select_for_update().filter(slug=slug).first()
        if platform is None:
            raise NotFound(
                _("tidak ada platform %(slug)s; tambahkan dengan platform_add") % {"slug": slug}
            )
        expires_at = now + timedelta(hours=grace_hours)
        # Secrets that would outlive the grace period are cut to it; earlier ones keep theirs.
        old = platform.secrets.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=expires_at))
        count = old.update(expires_at=expires_at)
        secret = secret_generate()
        PlatformSecret.objects.create(platform=platform, secret=secret)
        audit_record(
            action=AuditAction.PLATFORM_SECRET_ROTATE,
            obj=platform,
            actor=actor,
            after={
                "grace_hours": grace_hours,
                "old_secrets_expire_at": expires_at.isoformat(),
                "old_secrets": count,
            },
        )
    _platforms_changed()
    return SecretRotated(
        platform=platform, secret=secret, old_secrets_expire_at=expires_at, old_secrets=count
    )
