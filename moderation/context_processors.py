from django.http import HttpRequest

from moderation.policy import phase_current


def workspace(request: HttpRequest) -> dict[str, object]:
    """The current election phase, shown prominently on every workspace page."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"current_phase": phase_current()}
