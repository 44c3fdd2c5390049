"""Accounts an operator manages from the command line (``user_add``, ``user_disable``): a working
account in one command, and a leaver's access ended at once. Each change is audited."""

import re
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from moderation.choices import ActorKind, AuditAction, Role
from moderation.errors import Conflict, InvalidInput, NotFound
from moderation.models import Organisation, User
from moderation.oversight.audit import audit_record

# Django's own username rule (UnicodeUsernameValidator), at most 150 characters.
_USERNAME = re.compile(r"[\w.@+-]{1,150}")


@dataclass(frozen=True)
class UserAdded:
    user: User
    password: str  # generated, shown once
    created: bool  # False: an existing account without organisation or role gained them


def user_add(
    *, username: str, role: str, organisation_slug: str, email: str = "", actor: User | None = None
) -> UserAdded:
    """A staff account with one role in one organisation and a generated password. An account
    that has neither an organisation nor a role (as ``createsuperuser`` leaves it) gains them;
    any other existing username is refused."""
    if role not in Role.values:
        raise InvalidInput(
            _("Peran tidak dikenal: %(role)s (pilih salah satu: %(roles)s).")
            % {"role": role, "roles": ", ".join(Role.values)},
            errors={"role": "unknown"},
        )
    username = username.strip()
    if not _USERNAME.fullmatch(username):
        raise InvalidInput(
            _("Nama pengguna tidak valid: %(name)r.") % {"name": username},
            errors={"username": "invalid"},
        )
    organisation = Organisation.objects.filter(slug=organisation_slug).first()
    if organisation is None:
        known = ", ".join(Organisation.objects.order_by("slug").values_list("slug", flat=True))
        raise NotFound(
            _("Organisasi tidak dikenal: %(slug)s (ada: %(known)s).")
            % {"slug": organisation_slug, "known": known or "-"}
        )
    password = secrets.token_urlsafe(18)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        created = user is None
        if user is None:
            user = User(username=username, email=email)
        elif user.organisation_id is not None or user.groups.exists():
            raise Conflict(_("Pengguna %(name)s sudah ada.") % {"name": username})
        user.organisation = organisation
        user.email = email or user.email
        user.is_active = True
        # Administrators use the Django admin as well as the workspace.
        user.is_staff = user.is_staff or role == Role.ADMINISTRATOR
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name=role))
        audit_record(
            action=AuditAction.USER_ADD,
            obj=user,
            actor=actor,
            actor_kind=None if actor else ActorKind.SYSTEM,
            after={"username": username, "role": role, "organisation": organisation.slug},
        )
    return UserAdded(user=user, password=password, created=created)


@dataclass(frozen=True)
class UserDisabled:
    user: User
    sessions_ended: int
    tokens_revoked: int


def user_disable(*, username: str, actor: User | None = None) -> UserDisabled:
    """The account can no longer sign in; its open sessions end and its API tokens are revoked,
    now, not when they would expire."""
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            raise NotFound(_("Pengguna tidak dikenal: %(name)s.") % {"name": username})
        user.is_active = False
        user.save(update_fields=["is_active"])
        tokens, _by_model = Token.objects.filter(user=user).delete()
        ended = _sessions_end(user)
        audit_record(
            action=AuditAction.USER_DISABLE,
            obj=user,
            actor=actor,
            actor_kind=None if actor else ActorKind.SYSTEM,
            before={"is_active": True},
            after={"is_active": False, "sessions_ended": ended, "tokens_revoked": tokens},
        )
    return UserDisabled(user=user, sessions_ended=ended, tokens_revoked=tokens)


def user_second_factor_reset(*, user: User, actor: User | None = None) -> int:
    """An administrator's reset of a user's second factor (a lost phone): the authenticator and
    the recovery codes are removed and the user's sessions end, so the next sign-in enrols a
    new authenticator. Returns the number of devices removed."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        removed = 0
        for model in (TOTPDevice, StaticDevice):
            count, _by_model = model.objects.filter(user=user).delete()
            removed += count
        ended = _sessions_end(user)
        audit_record(
            action=AuditAction.USER_OTP_RESET,
            obj=user,
            actor=actor,
            actor_kind=None if actor else ActorKind.SYSTEM,
            after={"devices_removed": removed, "sessions_ended": ended},
        )
    return removed


def _sessions_end(user: User) -> int:
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)
