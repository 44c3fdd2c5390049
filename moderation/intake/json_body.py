"""A webhook body as strict JSON: UTF-8, an object at the top, no duplicate keys, at most
``MAX_DEPTH`` levels, no NUL, unpaired surrogate or infinite number anywhere. Problems are
field errors with their full path, as contract §2 shows them (parsing.py reads the fields)."""

import json
import math
import re
from typing import Any

MAX_DEPTH = 16


_SURROGATE = re.compile(r"[\ud800-\udfff]")


FieldError = dict[str, str]


class PayloadInvalid(Exception):
    """The body cannot be accepted. ``errors`` is the contract's list of field problems."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))


def error(field: str, message: str) -> FieldError:
    return {"field": field, "message": message}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {key[:50]!r}")
            seen.add(key)
    return obj


def json_load(body: bytes) -> Any:
    """Decode strictly; PayloadInvalid with a root-level error for anything that is not JSON."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadInvalid([error("", "the body is not UTF-8")]) from None
    try:
        return json.loads(
            text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicate_keys
        )
    except RecursionError:
        raise PayloadInvalid([error("", f"nesting deeper than {MAX_DEPTH} levels")]) from None
    except ValueError as exc:  # JSONDecodeError, duplicate keys, over-long integers
        message = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        raise PayloadInvalid([error("", f"the body is not valid JSON: {message}")]) from None


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _path(parts: tuple[str | int, ...]) -> str:
    path = ""
    for part in parts:
        path = _join(path, part)
    return path


def _check_values(value: Any, errors: list[FieldError]) -> None:
    """Depth, NUL, surrogates and infinities anywhere in the document (iterative walk; paths
    are spelled out only for the nodes that have a problem)."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack and len(errors) < 20:
        node, parts = stack.pop()
        if isinstance(node, str):
            if "\x00" in node:
                errors.append(error(_path(parts), "contains a NUL character"))
            elif not node.isascii() and _SURROGATE.search(node):
                errors.append(error(_path(parts), "contains an unpaired surrogate"))
        elif isinstance(node, dict):
            if len(parts) >= MAX_DEPTH:
                errors.append(error(_path(parts), f"nesting deeper than {MAX_DEPTH} levels"))
                continue
            for key, child in node.items():
                if _printable(key):
                    stack.append((child, (*parts, key)))
                else:
                    errors.append(
                        error(_path((*parts, "?")), "a key contains NUL or invalid characters")
                    )
        elif isinstance(node, list):
            if len(parts) >= MAX_DEPTH:
                errors.append(error(_path(parts), f"nesting deeper than {MAX_DEPTH} levels"))
                continue
            stack.extend((child, (*parts, i)) for i, child in enumerate(node))
        elif isinstance(node, float) and not math.isfinite(node):
            errors.append(error(_path(parts), "number out of range"))


def _clean(node: Any, depth: int, strings: bool) -> bool:
    """True if _check_values would find nothing: the same rules, without building paths.
    ``strings``: check strings and keys for NUL and surrogates. Only a ``\\u`` escape can put
    them into a document decoded from UTF-8 (json rejects raw control characters), so a body
    without one skips those checks."""
    if isinstance(node, str):
        return not strings or (
            "\x00" not in node and (node.isascii() or not _SURROGATE.search(node))
        )
    if isinstance(node, dict):
        if depth >= MAX_DEPTH:
            return False
        for key, child in node.items():
            if len(key) > 200 or (strings and not _printable(key)):
                return False
            if not _clean(child, depth + 1, strings):
                return False
        return True
    if isinstance(node, list):
        if depth >= MAX_DEPTH:
            return False
        return all(_clean(child, depth + 1, strings) for child in node)
    return not isinstance(node, float) or math.isfinite(node)


def _printable(key: str) -> bool:
    return len(key) <= 200 and "\x00" not in key and (key.isascii() or not _SURROGATE.search(key))
