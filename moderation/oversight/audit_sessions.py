"""Sign-in, sign-out, failed sign-in and lockout in the audit log.

Django's ``user_logged_in`` / ``user_logged_out`` / ``user_login_failed`` and django-axes'
``user_locked_out`` call the services below (connected in ``ModerationConfig.ready``). A
failed sign-in names the username that was tried, never the password; when that username is
a staff member's, the event carries their organisation so that their own platform's
supervisors see attempts on their accounts.
"""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.http import HttpRequest

from moderation.choices import ActorKind, AuditAction
from moderation.models import AuditEvent, User
from moderation.oversight.audit import audit_columns, audit_record

USERNAME_LIMIT = 64  # object_id's length


def user_sign_in_record(*, user: User) -> AuditEvent:
    with transaction.atomic():
        return audit_record(action=AuditAction.USER_SIGN_IN, obj=user, actor=user)


def user_sign_out_record(*, user: User) -> AuditEvent:
    with transaction.atomic():
        return audit_record(action=AuditAction.USER_SIGN_OUT, obj=user, actor=user)


def _attempt(*, action: str, username: str, after: dict[str, Any]) -> AuditEvent:
    """An event about a username someone tried: no actor (we do not know who it was)."""
    username = (username or "")[:150]
    organisation_id = (
        User.objects.filter(username=username).values_list("organisation_id", flat=True).first()
    )
    with transaction.atomic():
        columns = audit_columns(
            action=action, object_type="user", actor=None, actor_kind=ActorKind.SYSTEM
        )
        columns["actor_organisation_id"] = organisation_id
        return AuditEvent.objects.create(
            **columns, object_id=username[:USERNAME_LIMIT], after={"username": username, **after}
        )


def user_sign_in_fail_record(*, username: str) -> AuditEvent:
    return _attempt(action=AuditAction.USER_SIGN_IN_FAIL, username=username, after={})


def user_lockout_record(*, username: str) -> AuditEvent:
    return _attempt(action=AuditAction.USER_LOCKOUT, username=username, after={"locked_out": True})


# The receivers: thin, they call the services.


def on_user_logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    user_sign_in_record(user=user)


def on_user_logged_out(
    sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any
) -> None:
    if user is not None and user.is_authenticated:
        user_sign_out_record(user=user)


def on_user_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    user_sign_in_fail_record(username=str(credentials.get("username", "")))


def on_user_locked_out(sender: Any, username: str = "", **kwargs: Any) -> None:
    user_lockout_record(username=str(username or ""))


def connect() -> None:
    user_logged_in.connect(on_user_logged_in, dispatch_uid="saring_audit_sign_in")
    user_logged_out.connect(on_user_logged_out, dispatch_uid="saring_audit_sign_out")
    user_login_failed.connect(on_user_login_failed, dispatch_uid="saring_audit_sign_in_fail")
    user_locked_out.connect(on_user_locked_out, dispatch_uid="saring_audit_lockout")
