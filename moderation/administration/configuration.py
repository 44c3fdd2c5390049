"""Administrators' edits of the election policy: election phases, SLA targets and tuning
parameters. Each save or delete is validated, locked, written and audited with the fields
before and after, in one transaction; the policy caches forget the old values on commit.

The Django admin saves these models only through ``configuration_save`` and
``configuration_delete`` (moderation/admin.py).
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from moderation.choices import AuditAction
from moderation.errors import InvalidInput, NotPermitted
from moderation.intake.policy import ingest_policy_forget
from moderation.models import ElectionPhase, ElectoralSubject, SlaTarget, TuningParameter, User
from moderation.oversight.audit import audit_record, snapshot
from moderation.permissions import is_administrator
from moderation.policy import tuning_values_forget
from moderation.priority import DEFAULT_TUNING, tuning_range


@dataclass(frozen=True)
class Configurable:
    fields: tuple[str, ...]
    saved: str
    deleted: str


CONFIGURABLE: dict[type[models.Model], Configurable] = {
    ElectionPhase: Configurable(
        ("election", "kind", "name", "starts_on", "ends_on"),
        AuditAction.ELECTION_PHASE_SAVE,
        AuditAction.ELECTION_PHASE_DELETE,
    ),
    SlaTarget: Configurable(
        ("phase", "reason", "target_minutes"),
        AuditAction.SLA_TARGET_SAVE,
        AuditAction.SLA_TARGET_DELETE,
    ),
    TuningParameter: Configurable(
        ("key", "value", "description"), AuditAction.TUNING_SAVE, AuditAction.TUNING_DELETE
    ),
    # The candidate pairs, parties and candidates of the neutrality view.
    ElectoralSubject: Configurable(
        ("election", "kind", "ballot_number", "name", "short_name", "parent", "active"),
        AuditAction.ELECTORAL_SUBJECT_SAVE,
        AuditAction.ELECTORAL_SUBJECT_DELETE,
    ),
}


def _configurable(obj: models.Model, user: User) -> Configurable:
    if not is_administrator(user):
        raise NotPermitted(_("Hanya administrator yang dapat mengubah kebijakan pemilu."))
    spec = CONFIGURABLE.get(type(obj))
    if spec is None:  # pragma: no cover - a programming error, not user input
        raise TypeError(f"{type(obj).__name__} is not election policy")
    return spec


def configuration_validate(obj: models.Model) -> None:
    """InvalidInput, with one message per field, unless ``obj`` may be saved as it is."""
    errors: dict[str, Any] = {}
    try:
        obj.full_clean()
    except ValidationError as exc:
        errors = {k: "; ".join(str(m) for m in v) for k, v in exc.message_dict.items()}
    if isinstance(obj, TuningParameter) and "key" not in errors:
        if obj.key not in DEFAULT_TUNING:
            errors["key"] = str(_("Kunci tidak dikenal; pilih salah satu parameter yang ada."))
        else:
            low, high = tuning_range(obj.key)
            if not low <= obj.value <= high:
                errors["value"] = str(
                    _("Nilai harus antara %(low)s dan %(high)s.") % {"low": low, "high": high}
                )
    if errors:
        raise InvalidInput.of(errors)


def _policy_forget() -> None:
    tuning_values_forget()
    ingest_policy_forget()


def configuration_save(*, obj: models.Model, user: User) -> models.Model:
    """Save a new or edited phase, SLA target or tuning parameter, audited."""
    spec = _configurable(obj, user)
    configuration_validate(obj)
    with transaction.atomic():
        before: dict[str, Any] = {}
        if obj.pk is not None:
            current = type(obj)._default_manager.select_for_update().filter(pk=obj.pk).first()
            before = snapshot(current, list(spec.fields)) if current is not None else {}
        after = snapshot(obj, list(spec.fields))
        changed = [f for f in spec.fields if before.get(f) != after.get(f)]
        if before and not changed:
            return obj
        obj.save()
        audit_record(
            action=spec.saved,
            obj=obj,
            actor=user,
            before={f: before[f] for f in changed if f in before},
            after={f: after[f] for f in changed},
        )
        transaction.on_commit(_policy_forget)
    return obj


def configuration_delete(*, obj: models.Model, user: User) -> None:
    """Delete a phase, SLA target or tuning parameter, audited with what it was."""
    spec = _configurable(obj, user)
    with transaction.atomic():
        current = type(obj)._default_manager.select_for_update().filter(pk=obj.pk).first()
        if current is None:
            return
        audit_record(
            action=spec.deleted,
            obj=current,
            actor=user,
            before=snapshot(current, list(spec.fields)),
        )
        current.delete()
        transaction.on_commit(_policy_forget)
