"""Queue definitions: supervisors create and edit the filters that make a queue."""

from typing import Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from moderation.choices import AuditAction
from moderation.errors import InvalidInput, NotPermitted
from moderation.models import Queue, User
from moderation.oversight.audit import audit_record
from moderation.permissions import can_edit_queues
from moderation.review.queue_filters import queue_filters_clean

_FIELDS = ["name", "name_en", "description", "position", "filters"]


def _validate(*, name: str, slug: str, position: int, exclude_pk: int | None = None) -> None:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("wajib diisi")
    if not slug:
        errors["slug"] = _("wajib diisi (huruf, angka dan tanda hubung)")
    elif Queue.objects.filter(slug=slug).exclude(pk=exclude_pk or 0).exists():
        errors["slug"] = _("sudah dipakai antrean lain")
    if position < 0:
        errors["position"] = _("0 atau lebih")
    if errors:
        raise InvalidInput.of(errors)


def queue_create(
    *,
    user: User,
    name: str,
    filters: dict[str, Any],
    slug: str = "",
    description: str = "",
    position: int = 100,
    name_en: str = "",
) -> Queue:
    if not can_edit_queues(user):
        raise NotPermitted()
    slug = slugify(slug or name)[:80]
    _validate(name=name, slug=slug, position=position)
    clean = queue_filters_clean(filters)
    with transaction.atomic():
        queue = Queue.objects.create(
            slug=slug,
            name=name.strip(),
            name_en=name_en.strip(),
            description=description.strip(),
            position=position,
            filters=clean,
            created_by=user,
        )
        audit_record(
            action=AuditAction.QUEUE_CREATE,
            obj=queue,
            actor=user,
            after={"slug": queue.slug, "name": queue.name, "filters": clean},
        )
    return queue


def queue_update(
    *,
    queue: Queue,
    user: User,
    name: str,
    filters: dict[str, Any],
    description: str = "",
    position: int = 100,
    name_en: str = "",
) -> Queue:
    """Change a queue's name, order or filters. The slug stays: bookmarks keep working."""
    if not can_edit_queues(user):
        raise NotPermitted()
    _validate(name=name, slug=queue.slug, position=position, exclude_pk=queue.pk)
    clean = queue_filters_clean(filters)
    with transaction.atomic():
        queue = Queue.objects.select_for_update().get(pk=queue.pk)
        before = {f: getattr(queue, f) for f in _FIELDS}
        queue.name = name.strip()
        queue.name_en = name_en.strip()
        queue.description = description.strip()
        queue.position = position
        queue.filters = clean
        after = {f: getattr(queue, f) for f in _FIELDS}
        if before == after:
            return queue
        queue.save(update_fields=_FIELDS)
        changed = [f for f in _FIELDS if before[f] != after[f]]
        audit_record(
            action=AuditAction.QUEUE_UPDATE,
            obj=queue,
            actor=user,
            before={f: before[f] for f in changed},
            after={f: after[f] for f in changed},
        )
    return queue
