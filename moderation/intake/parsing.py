"""Parse and validate a webhook body (contract §2) into typed events, or a list of field errors.

Hand-written rather than DRF serializers: the rules are few, the hot path is short, and each
problem is reported with its full path (``data.video.id``) exactly as the contract shows.

Rules beyond the contract's field list (documented for platforms in docs/webhooks.md):
- The body is UTF-8 JSON; the top level is an object; nesting is at most ``MAX_DEPTH`` deep.
- No string anywhere may contain NUL or an unpaired surrogate; no number may be infinite.
- Duplicate keys in one object are an error (parsers disagree on which one wins).
- Unknown fields are ignored, so platforms may add fields without breaking us.
- An optional field may be omitted or ``null``.
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from moderation.choices import FlagSource, Reason, WebhookEventType
from moderation.intake.json_body import (
    FieldError,
    PayloadInvalid,
    _check_values,
    _clean,
    _join,
    error,
    json_load,
)

MAX_BIGINT = 2**63 - 1


VIDEO_REMOVED_BY = ("author", "platform")


# Every date-time a platform sends must fall in this window (docs/webhooks.md): from the first
# of 2000 to a day past our clock. Anything else (year 9999, year 1) is a platform bug; refused at
# the edge, it never reaches a case, a priority or a page. The window only widens with time, so
# an event accepted once is still valid when its stored body is parsed again for processing.
DATE_WINDOW_START = datetime(2000, 1, 1, tzinfo=UTC)
DATE_WINDOW_AHEAD = timedelta(days=1)
DATE_WINDOW_MESSAGE = "must be between 2000-01-01T00:00:00Z and one day after our clock"


def date_in_window(value: datetime, *, now: datetime | None = None) -> bool:
    """Whether a platform-sent date-time is one we accept (and can show and compute with)."""
    now = now or datetime.now(UTC)
    return DATE_WINDOW_START <= value <= now + DATE_WINDOW_AHEAD


_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$"
)


_BCP47 = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")


_REGION = re.compile(r"^[A-Za-z]{2}$")


_url_validator = URLValidator(schemes=["http", "https"])


# A plain http(s) URL with an ASCII host name, as platforms send them: accepted without running
# URLValidator (tens of microseconds). Everything this matches, URLValidator accepts too
# (tests/webhooks/test_parsing.py); anything else goes through URLValidator.
_PLAIN_URL = re.compile(
    r"^https?://(?=[a-z0-9.-]{4,253}(?:[/?#]|\Z))"  # the host: at most 253 characters
    r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
    r"(?:[/?#][\x21-\x7e]*)?\Z",
    re.IGNORECASE,
)


_REASONS = tuple(Reason.values)


_SOURCES = tuple(FlagSource.values)


@dataclass(frozen=True)
class VideoData:
    """The ``video`` object. In flag.created url and author are required; else only id."""

    id: str
    fields: dict[str, Any]  # model field name -> value, only for keys the platform sent


@dataclass(frozen=True)
class FlagCreated:
    flag_id: str
    flagged_at: datetime
    reason: str
    source: str
    confidence: float | None
    note: str
    video: VideoData


@dataclass(frozen=True)
class VideoUpdated:
    video: VideoData


@dataclass(frozen=True)
class VideoRemoved:
    video_id: str
    removed_at: datetime
    by: str


@dataclass(frozen=True)
class AppealCreated:
    appeal_id: str
    decision_id: int
    statement: str
    created_at: datetime


EventData = FlagCreated | VideoUpdated | VideoRemoved | AppealCreated | None


@dataclass(frozen=True)
class Envelope:
    type: str
    timestamp: datetime
    data: EventData  # None for a type we do not handle

    @property
    def handled(self) -> bool:
        return self.data is not None


_MISSING = object()


class _Reader:
    """Reads fields of one JSON object, collecting errors with their paths."""

    def __init__(self, obj: dict[str, Any], path: str, errors: list[FieldError]) -> None:
        self.obj = obj
        self.path = path
        self.errors = errors

    def _get(self, key: str, required: bool) -> Any:
        value = self.obj.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.errors.append(error(_join(self.path, key), "this field is required"))
            return _MISSING
        return value

    def string(
        self,
        key: str,
        *,
        required: bool,
        max_length: int,
        allow_blank: bool = False,
        check: Callable[[str], str | None] | None = None,
    ) -> str | None:
        value = self._get(key, required)
        if value is _MISSING:
            return None
        path = _join(self.path, key)
        if not isinstance(value, str):
            self.errors.append(error(path, "must be a string"))
            return None
        if not allow_blank and not value.strip():
            self.errors.append(error(path, "must not be blank"))
            return None
        if len(value) > max_length:
            self.errors.append(error(path, f"at most {max_length} characters"))
            return None
        if check is not None and (problem := check(value)):
            self.errors.append(error(path, problem))
            return None
        return value

    def choice(
        self, key: str, *, required: bool, choices: list[str] | tuple[str, ...]
    ) -> str | None:
        value = self._get(key, required)
        if value is _MISSING:
            return None
        if not isinstance(value, str) or value not in choices:
            self.errors.append(error(_join(self.path, key), f"must be one of {', '.join(choices)}"))
            return None
        return value

    def datetime(self, key: str, *, required: bool) -> datetime | None:
        value = self._get(key, required)
        if value is _MISSING:
            return None
        parsed = rfc3339_parse(value) if isinstance(value, str) else None
        if parsed is None:
            self.errors.append(
                error(
                    _join(self.path, key),
                    "must be an RFC 3339 date-time, e.g. 2024-01-12T08:30:00Z",
                )
            )
        elif not date_in_window(parsed):
            self.errors.append(error(_join(self.path, key), DATE_WINDOW_MESSAGE))
            return None
        return parsed

    def integer(self, key: str, *, required: bool, minimum: int, maximum: int) -> int | None:
        value = self._get(key, required)
        if value is _MISSING:
            return None
        path = _join(self.path, key)
        if isinstance(value, bool) or not isinstance(value, int):
            self.errors.append(error(path, "must be an integer"))
            return None
        if not minimum <= value <= maximum:
            self.errors.append(error(path, f"must be between {minimum} and {maximum}"))
            return None
        return value

    def fraction(self, key: str, *, required: bool) -> float | None:
        value = self._get(key, required)
        if value is _MISSING:
            return None
        path = _join(self.path, key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.errors.append(error(path, "must be a number"))
            return None
        if not (math.isfinite(value) and 0 <= value <= 1):
            self.errors.append(error(path, "must be between 0 and 1"))
            return None
        return float(value)

    def object(self, key: str, *, required: bool) -> "_Reader | None":
        value = self._get(key, required)
        if value is _MISSING:
            return None
        path = _join(self.path, key)
        if not isinstance(value, dict):
            self.errors.append(error(path, "must be an object"))
            return None
        return _Reader(value, path, self.errors)


def rfc3339_parse(value: str) -> datetime | None:
    """An aware UTC datetime from an RFC 3339 date-time with an offset, or None."""
    match = _RFC3339.match(value)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    try:
        offset = timedelta(0)
        if not zulu:
            if int(off_h) > 23 or int(off_m) > 59:
                return None
            offset = timedelta(hours=int(off_h), minutes=int(off_m))
            if sign == "-":
                offset = -offset
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        # RFC 3339 allows a leap second (:60); Python does not, so it becomes :59.999999.
        leap = int(second) == 60
        parsed = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            59 if leap else int(second),
            999_999 if leap else micro,
            tzinfo=timezone(offset),
        )
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _url_problem(value: str) -> str | None:
    if _PLAIN_URL.match(value):
        return None
    try:
        _url_validator(value)
    except ValidationError:
        return "must be an http(s) URL"
    return None


def _language_problem(value: str) -> str | None:
    return None if _BCP47.match(value) else "must be a BCP 47 language tag, e.g. id or en-US"


def _region_problem(value: str) -> str | None:
    return None if _REGION.match(value) else "must be an ISO 3166-1 alpha-2 code, e.g. ID"


def _video(reader: _Reader, *, full: bool) -> VideoData | None:
    """``full``: the flag.created rules (url and author required)."""
    video_id = reader.string("id", required=True, max_length=128)
    fields: dict[str, Any] = {}
    url = reader.string("url", required=full, max_length=1000, check=_url_problem)
    if url is not None:
        fields["url"] = url
    author = reader.object("author", required=full)
    if author is not None:
        author_id = author.string("id", required=True, max_length=128)
        handle = author.string("handle", required=full, max_length=200)
        if author_id is not None:
            fields["author_id"] = author_id
        if handle is not None:
            fields["author_handle"] = handle
    for key, max_length, check, field in (
        ("caption", 4000, None, "caption"),
        ("language", 35, _language_problem, "language"),
        ("region", 2, _region_problem, "region"),
        ("thumbnail_url", 1000, _url_problem, "thumbnail_url"),
    ):
        value = reader.string(
            key, required=False, max_length=max_length, check=check, allow_blank=key == "caption"
        )
        if value is not None:
            fields[field] = value.upper() if key == "region" else value
    published_at = reader.datetime("published_at", required=False)
    if published_at is not None:
        fields["published_at"] = published_at
    view_count = reader.integer("view_count", required=False, minimum=0, maximum=MAX_BIGINT)
    if view_count is not None:
        fields["view_count"] = view_count
    if video_id is None:
        return None
    return VideoData(id=video_id, fields=fields)


def _flag_created(data: _Reader) -> FlagCreated | None:
    flag_id = data.string("flag_id", required=True, max_length=256)
    flagged_at = data.datetime("flagged_at", required=True)
    reason = data.choice("reason", required=True, choices=_REASONS)
    source = data.choice("source", required=True, choices=_SOURCES)
    confidence = data.fraction("confidence", required=False)
    note = data.string("note", required=False, max_length=2000, allow_blank=True)
    video_reader = data.object("video", required=True)
    video = _video(video_reader, full=True) if video_reader else None
    if flag_id is None or flagged_at is None or reason is None or source is None or video is None:
        return None
    return FlagCreated(
        flag_id=flag_id,
        flagged_at=flagged_at,
        reason=reason,
        source=source,
        confidence=confidence,
        note=note or "",
        video=video,
    )


def _video_updated(data: _Reader) -> VideoUpdated | None:
    video_reader = data.object("video", required=True)
    video = _video(video_reader, full=False) if video_reader else None
    return VideoUpdated(video=video) if video else None


def _video_removed(data: _Reader) -> VideoRemoved | None:
    video_id = data.string("video_id", required=True, max_length=128)
    removed_at = data.datetime("removed_at", required=True)
    by = data.choice("by", required=True, choices=VIDEO_REMOVED_BY)
    if video_id is None or removed_at is None or by is None:
        return None
    return VideoRemoved(video_id=video_id, removed_at=removed_at, by=by)


def _appeal_created(data: _Reader) -> AppealCreated | None:
    appeal_id = data.string("appeal_id", required=True, max_length=256)
    decision_id = data.integer("decision_id", required=True, minimum=1, maximum=MAX_BIGINT)
    statement = data.string("statement", required=True, max_length=5000, allow_blank=True)
    created_at = data.datetime("created_at", required=True)
    if appeal_id is None or decision_id is None or statement is None or created_at is None:
        return None
    return AppealCreated(
        appeal_id=appeal_id, decision_id=decision_id, statement=statement, created_at=created_at
    )


_DATA_READERS: dict[str, Callable[[_Reader], EventData]] = {
    WebhookEventType.FLAG_CREATED: _flag_created,
    WebhookEventType.VIDEO_UPDATED: _video_updated,
    WebhookEventType.VIDEO_REMOVED: _video_removed,
    WebhookEventType.APPEAL_CREATED: _appeal_created,
}


def envelope_parse(body: bytes) -> Envelope:
    """The validated event of a raw body, or PayloadInvalid listing every problem."""
    document = json_load(body)
    if not isinstance(document, dict):
        raise PayloadInvalid([error("", "the body must be a JSON object (the event envelope)")])
    errors: list[FieldError] = []
    if not _clean(document, 0, strings=b"\\u" in body):
        _check_values(document, errors)  # the same walk again, naming each problem's path
    if errors:
        raise PayloadInvalid(errors)
    root = _Reader(document, "", errors)
    event_type = root.string("type", required=True, max_length=100)
    timestamp = root.datetime("timestamp", required=True)
    data_reader = root.object("data", required=True)
    data: EventData = None
    if event_type is not None and data_reader is not None:
        read = _DATA_READERS.get(event_type)
        if read is not None:
            data = read(data_reader)
    if errors or event_type is None or timestamp is None:
        raise PayloadInvalid(errors)
    return Envelope(type=event_type, timestamp=timestamp, data=data)
