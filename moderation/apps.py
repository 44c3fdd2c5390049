from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderasi")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Sign-in, sign-out, failed sign-in and lockout are audited (oversight/audit_sessions.py).
        from moderation.oversight import audit_sessions

        audit_sessions.connect()
