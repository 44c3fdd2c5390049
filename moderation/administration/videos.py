"""What an administrator may change on a video: whether its author is a political or official
account (the platform does not send it). Such videos' removals wait for a supervisor
(review/decisions.py ``decision_needs_approval``)."""

from django.db import transaction
from django.utils.translation import gettext as _

from moderation.choices import AuditAction
from moderation.errors import NotPermitted
from moderation.models import User, Video
from moderation.oversight.audit import audit_record
from moderation.permissions import is_administrator


def video_author_political_set(*, video: Video, political: bool, user: User) -> Video:
    """Mark a video's author as a political account, or not; audited. No change, no row."""
    if not is_administrator(user):
        raise NotPermitted(_("Hanya administrator yang dapat mengubah data video."))
    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=video.pk)
        if video.author_is_political == political:
            return video
        video.author_is_political = political
        video.save(update_fields=["author_is_political", "updated_at"])
        audit_record(
            action=AuditAction.VIDEO_POLITICAL_AUTHOR,
            obj=video,
            actor=user,
            before={"author_is_political": not political},
            after={"author_is_political": political},
        )
    return video
