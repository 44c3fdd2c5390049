"""The one DRF exception handler: every API error is RFC 9457 application/problem+json."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler

from moderation.errors import ModerationError
from moderation.problems import PROBLEM_CONTENT_TYPE, problem_body


class ProblemResponse(Response):
    """A problem, as application/problem+json for a JSON client; the browsable API's HTML page
    keeps its own text/html type (else the browser shows the page's HTML as text)."""

    @property
    def rendered_content(self) -> Any:
        renderer = getattr(self, "accepted_renderer", None)
        if renderer is None or "html" not in renderer.media_type:
            if renderer is not None and "json" not in renderer.media_type:
                # A view that renders YAML or OpenAPI (the schema): its problems are JSON too.
                self.accepted_renderer = JSONRenderer()
                self.accepted_media_type = "application/json"
            self.content_type = PROBLEM_CONTENT_TYPE
        return super().rendered_content


def problem_response(
    *,
    status_code: int,
    title: str,
    detail: str,
    type_: str = "about:blank",
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    return ProblemResponse(
        problem_body(status_code=status_code, title=title, detail=detail, type_=type_, **extra),
        status=status_code,
        headers=headers,
    )


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    if isinstance(detail, dict):
        out: list[dict[str, str]] = []
        for key, value in detail.items():
            name = key if key != "non_field_errors" else ""
            out += _flatten(value, f"{prefix}.{name}".strip(".") if name else prefix)
        return out
    if isinstance(detail, list):
        if all(not isinstance(x, dict | list) for x in detail):
            return [{"field": prefix, "message": str(x)} for x in detail]
        out = []
        for i, value in enumerate(detail):
            out += _flatten(value, f"{prefix}[{i}]")
        return out
    return [{"field": prefix, "message": str(detail)}]


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ModerationError):
        extra = dict(exc.extra)
        errors = extra.pop("errors", None)
        if isinstance(errors, dict):
            extra["errors"] = [{"field": k, "message": str(v)} for k, v in errors.items()]
        return problem_response(
            status_code=exc.status_code,
            title=str(exc.title),
            detail=exc.detail,
            type_=exc.problem_type,
            **extra,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        return problem_response(
            status_code=status.HTTP_400_BAD_REQUEST,
            title="Invalid input",
            detail="; ".join(
                f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors
            ),
            type_="/problems/invalid-input",
            errors=errors,
        )
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    return problem_response(
        status_code=response.status_code,
        title=str(getattr(exc, "default_detail", "Error")),
        detail=str(detail),
        headers={
            k: v for k, v in response.items() if k in ("Retry-After", "WWW-Authenticate", "Allow")
        },
    )
