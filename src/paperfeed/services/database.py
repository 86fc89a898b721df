"""Moving between backends and checking a store: ``paperfeed db copy`` and ``paperfeed db
check``. A copy moves every table's rows (:data:`paperfeed.store.TABLES`) backend-neutrally,
referenced tables first; rows the target holds already are kept, so a second run copies
nothing; afterwards every table of the target must hold at least the source's rows."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from tqdm import tqdm

from paperfeed.services.app import Paperfeed
from paperfeed.services.common import UserError
from paperfeed.store import TABLES, AppStore, open_url, table_io

COPY_BATCH = 2000


@dataclass(frozen=True)
class TableCopy:
    """One table of a copy: rows in the source, copied, and in the target afterwards."""

    table: str
    source: int
    copied: int
    target: int


@dataclass
class CheckReport:
    """What ``db check`` found: counts, schema version and every problem (none when sound)."""

    location: str
    schema_version: int
    counts: dict[str, int]
    model: str
    missing_embeddings: int
    problems: list[str] = field(default_factory=list)


def copy_tables(source: AppStore, target: AppStore, *, progress: bool = False) -> list[TableCopy]:
    """Copy every row of ``source`` that ``target`` lacks; raises :class:`UserError` if a
    table of the target ends up with fewer rows than the source's."""
    src, dst = table_io(source), table_io(target)
    done: list[TableCopy] = []
    for table in TABLES:
        total = src.count_rows(table)
        bar = tqdm(total=total, desc=table, unit=" rows", disable=not progress, file=sys.stderr)
        copied = 0
        for batch in src.read_rows(table, COPY_BATCH):
            copied += dst.write_rows(table, batch)
            bar.update(len(batch))
        bar.close()
        done.append(TableCopy(table, total, copied, dst.count_rows(table)))
    short = [c.table for c in done if c.target < c.source]
    if short:
        raise UserError(f"the copy is incomplete: the target has fewer rows in {short}")
    return done


def copy_store(source: str, target: str, *, progress: bool = False) -> list[TableCopy]:
    """Copy the store at ``source`` (a SQLite path or a ``postgresql://`` URL) into the one at
    ``target`` (created and migrated if new). Lossless and idempotent."""
    if source == target:
        raise UserError("--from and --to name the same store")
    with open_url(source) as src, open_url(target) as dst:
        return copy_tables(src, dst, progress=progress)


def check_store(app: Paperfeed) -> CheckReport:
    """Counts, schema version, orphan rows, the backend's own integrity check, and the papers
    without a vector of their current text from the configured model."""
    store, model = app.store, app.embedder.name
    io = table_io(store)
    report = CheckReport(
        location=app.location,
        schema_version=io.schema_version(),
        counts={t: io.count_rows(t) for t in TABLES},
        model=model,
        missing_embeddings=io.papers_without_embedding(model),
    )
    for what, n in io.orphan_rows().items():
        if n:
            report.problems.append(f"{n} {what}")
    try:
        store.check_integrity()
    except Exception as e:  # the backend's database error, whichever it is
        report.problems.append(f"integrity check failed: {e}")
    if report.missing_embeddings:
        report.problems.append(
            f"{report.missing_embeddings} papers have no {model} vector "
            "(ingest them again, or run a command that ranks them, to embed them)"
        )
    return report
