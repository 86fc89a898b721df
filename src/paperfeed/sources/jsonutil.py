"""Tolerant JSON reading: salvage the good elements of a truncated or damaged array."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

_DECODER = json.JSONDecoder()
_WS = " \t\r\n"


class JsonProblem(ValueError):
    """A JSON syntax problem at a 1-based ``line``."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _skip_ws(text: str, i: int) -> int:
    n = len(text)
    while i < n and text[i] in _WS:
        i += 1
    return i


def iter_json_array(text: str, start: int = 0) -> Iterator[tuple[int, Any]]:
    """Yield ``(line, element)`` for each element of the JSON array starting at ``start``.

    Stops with a :class:`JsonProblem` (yielded as the element) at the first syntax error,
    so everything before a truncation still comes through.
    """
    i = _skip_ws(text, start)
    line = text.count("\n", 0, i) + 1
    if i >= len(text) or text[i] != "[":
        yield line, JsonProblem(line, "expected a JSON array '['")
        return

    def advance(to: int) -> None:
        nonlocal i, line
        line += text.count("\n", i, to)
        i = to

    advance(_skip_ws(text, i + 1))
    if i < len(text) and text[i] == "]":
        return
    while True:
        if i >= len(text):
            yield line, JsonProblem(line, "truncated JSON: the array is not closed")
            return
        try:
            obj, end = _DECODER.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            yield exc.lineno, JsonProblem(exc.lineno, f"invalid JSON: {exc.msg}")
            return
        except RecursionError:
            yield line, JsonProblem(line, "invalid JSON: nested too deeply")
            return
        yield line, obj
        advance(_skip_ws(text, end))
        if i < len(text) and text[i] == ",":
            advance(_skip_ws(text, i + 1))
            continue
        if i < len(text) and text[i] == "]":
            return
        if i >= len(text):
            yield line, JsonProblem(line, "truncated JSON: the array is not closed")
        else:
            yield line, JsonProblem(line, f"invalid JSON: expected ',' or ']' not {text[i]!r}")
        return


def loads_or_problem(text: str) -> Any:
    """``json.loads`` that raises :class:`JsonProblem` (with line) instead of JSONDecodeError."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonProblem(exc.lineno, f"invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise JsonProblem(1, "invalid JSON: nested too deeply") from None


def first_char(text: str) -> str:
    """The first non-whitespace character ('' if none); a BOM counts as whitespace."""
    s = text.lstrip(_WS + "\ufeff")
    return s[:1]


def array_items(text: str, report: Callable[[int, str], None]) -> list[tuple[int, Any]]:
    """The good ``(line, element)`` pairs of a JSON array (:func:`iter_json_array`); each
    damaged element goes to ``report(line, message)`` instead."""
    out = []
    for line, item in iter_json_array(text):
        if isinstance(item, JsonProblem):
            report(line, item.message)
        else:
            out.append((line, item))
    return out
