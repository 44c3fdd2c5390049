"""Per-request facts the audit log records (IP address, request id), without threading the
request through every service call. Set by ``RequestIdMiddleware``; empty outside requests."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestMeta:
    request_id: str = ""
    ip_address: str | None = None
    client_request_id: str = ""


# RequestMeta is a frozen dataclass, so sharing one default instance is safe.
_current: ContextVar[RequestMeta] = ContextVar("saring_request_meta", default=RequestMeta())  # noqa: B039


def current_request_meta() -> RequestMeta:
    return _current.get()


def set_request_meta(meta: RequestMeta) -> object:
    return _current.set(meta)


def reset_request_meta(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
