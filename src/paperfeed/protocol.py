"""The batch ranking protocol's files (``paperfeed rank``): strict readers and the output line.

A *paper* is ``{"id", "title", "abstract", "date"?, "authors"?, "categories"?}``; ids are
kept verbatim so answers can be joined back to the caller's data.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paperfeed.models import Paper, Recommendation


class ProtocolError(ValueError):
    """One line naming the file, line and field."""


@dataclass(frozen=True, slots=True)
class UserProfile:
    user: str
    papers: list[Paper]
    negatives: list[Paper]


def _str_list(value: Any, where: str, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProtocolError(f"{where}: field '{field}' must be a list of strings")
    return tuple(value)


def paper_from_json(obj: Any, where: str) -> Paper:
    """Validate one protocol paper object."""
    if not isinstance(obj, dict):
        raise ProtocolError(f"{where}: a paper must be a JSON object")
    pid = obj.get("id")
    if not isinstance(pid, str | int) or isinstance(pid, bool) or str(pid).strip() == "":
        raise ProtocolError(f"{where}: field 'id' is missing or not a string")
    texts = {}
    for field in ("title", "abstract"):
        value = obj.get(field, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise ProtocolError(f"{where}: field '{field}' must be a string")
        texts[field] = value
    if not texts["title"].strip() and not texts["abstract"].strip():
        raise ProtocolError(f"{where}: paper {pid!s} has neither 'title' nor 'abstract'")
    date = obj.get("date")
    if date is not None and not isinstance(date, str):
        raise ProtocolError(f"{where}: field 'date' must be a string (YYYY-MM-DD)")
    return Paper(
        id=str(pid),
        title=texts["title"],
        abstract=texts["abstract"],
        date=date or None,
        authors=_str_list(obj.get("authors"), where, "authors"),
        categories=_str_list(obj.get("categories"), where, "categories"),
    )


def _json_lines(path: Path) -> Iterator[tuple[str, Any]]:
    """(``FILE:LINE``, parsed object) for every non-blank line."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as fh:
            for n, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                where = f"{path}:{n}"
                try:
                    yield where, json.loads(line)
                except json.JSONDecodeError as e:
                    raise ProtocolError(f"{where}: not valid JSON ({e.msg})") from None
    except FileNotFoundError:
        raise ProtocolError(f"{path}: no such file") from None
    except (UnicodeDecodeError, OSError) as e:
        raise ProtocolError(f"{path}: cannot be read as UTF-8 JSON lines ({e})") from None


def read_candidates(path: Path) -> list[Paper]:
    papers = [paper_from_json(obj, where) for where, obj in _json_lines(path)]
    if not papers:
        raise ProtocolError(f"{path}: no candidate papers")
    return papers


def read_profiles(path: Path) -> list[UserProfile]:
    out = []
    for where, obj in _json_lines(path):
        if not isinstance(obj, dict):
            raise ProtocolError(f"{where}: a profile must be a JSON object")
        user = obj.get("user")
        if not isinstance(user, str) or not user:
            raise ProtocolError(f"{where}: field 'user' is missing or not a string")
        lists = {}
        for field in ("papers", "negatives"):
            value = obj.get(field) or []
            if not isinstance(value, list):
                raise ProtocolError(f"{where}: field '{field}' must be a list of papers")
            lists[field] = [
                paper_from_json(p, f"{where}: {field}[{i}]") for i, p in enumerate(value)
            ]
        if not lists["papers"]:
            raise ProtocolError(f"{where}: user {user!r} has no 'papers'")
        out.append(UserProfile(user, lists["papers"], lists["negatives"]))
    if not out:
        raise ProtocolError(f"{path}: no profiles")
    return out


def ranking_line(user: str, recs: Sequence[Recommendation]) -> dict[str, Any]:
    return {"user": user, "ranking": [[r.paper.id, round(r.score, 6)] for r in recs]}
