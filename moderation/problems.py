"""RFC 9457 problem details: the body of every error the API and the webhook answer with."""

from typing import Any

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem_body(
    *, status_code: int, title: str, detail: str, type_: str = "about:blank", **extra: Any
) -> dict[str, Any]:
    return {"type": type_, "title": title, "status": status_code, "detail": detail, **extra}
