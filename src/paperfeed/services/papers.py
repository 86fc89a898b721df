"""Reading use cases that store nothing: what a file yields (``parse``) and the people behind
an author name (``author``), from a file or from the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from paperfeed.authors import Person, disambiguate
from paperfeed.models import Paper
from paperfeed.names import has_author
from paperfeed.services.app import Paperfeed
from paperfeed.services.common import UserError
from paperfeed.sources import ParseIssue, ParseResult, parse_path, parse_text


def parse_input(
    path: str, fmt: str | None, *, ref_year: int | None = None, stdin: str | None = None
) -> ParseResult:
    """The papers and issues of a file, or of ``stdin`` when ``path`` is ``-``."""
    if path == "-":
        return parse_text(stdin or "", fmt, filename="<stdin>", ref_year=ref_year)
    if not Path(path).exists():
        raise UserError(f"{path}: no such file")
    return parse_path(Path(path), fmt, ref_year=ref_year)


@dataclass
class AuthorReport:
    """The papers found for a name, split into people, and where they came from."""

    name: str
    source: str
    papers: list[Paper]
    people: list[Person]
    issues: list[ParseIssue] = field(default_factory=list)
    note: str = ""
    """Why the topic signal fell back to TF-IDF, if it did."""

    @property
    def topic_only(self) -> bool:
        """No paper names a coauthor (an arXiv author listing names none): the people were
        told apart by topic alone, which a reader should know."""
        return not any(len(p.authors) > 1 for p in self.papers)

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "source": self.source,
            "papers": len(self.papers),
            "split_by": "topic" if self.topic_only else "coauthors and topic",
            "people": [p.to_json() for p in self.people],
        }


def author_people(
    app: Paperfeed,
    name: str,
    *,
    source: Path | None = None,
    fmt: str | None = None,
    use_model: bool = True,
) -> AuthorReport:
    """``name``'s papers (from ``source``, else the store) split into the distinct people
    behind the name; topics come from the embedding model, or TF-IDF when it is unavailable
    or not wanted."""
    if not name.strip():
        raise UserError("the author name is empty")
    issues: list[ParseIssue] = []
    if source is not None:
        if not source.exists():
            raise UserError(f"{source}: no such file")
        result = parse_path(source, fmt)
        issues = [i for i in result.issues if i.skipped]
        # papers that name their authors must name this one; an author listing names none
        papers = [p for p in result.papers if not p.authors or has_author(p, name)]
        origin = str(source)
    else:
        papers = app.store.papers_by_author(name)
        origin = app.location
    if not papers:
        raise UserError(f"no papers by {name!r} in {source or 'the store'}")
    vecs, note = _topic_vectors(app, papers, cache=source is None) if use_model else (None, "")
    people = disambiguate(papers, name, vectors=vecs)
    return AuthorReport(name, origin, papers, people, issues, note)


def _topic_vectors(
    app: Paperfeed, papers: list[Paper], *, cache: bool
) -> tuple[np.ndarray | None, str]:
    """Sentence embeddings of ``papers`` (through the store's cache for stored papers), or
    None and the reason when the model cannot be loaded (a listing must still work)."""
    try:
        if cache:
            return app.vectors(papers), ""
        return np.asarray(app.embedder.embed([p.text for p in papers]), dtype=np.float32), ""
    except Exception as exc:  # a missing or broken model must not stop the listing
        return None, f"embedding model unavailable ({type(exc).__name__}: {exc})"
