"""What the use cases share: user errors, import summaries, the embedding cache walk and dates."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from tqdm import tqdm

from paperfeed.embed import Embedder
from paperfeed.models import Paper
from paperfeed.sources import ParseIssue
from paperfeed.store import Store

EMBED_CHUNK = 256  # texts embedded and committed together: a crash keeps finished chunks


class UserError(ValueError):
    """A problem the user can fix; shown as one line."""


@dataclass
class ImportSummary:
    """What an ingest or profile import did."""

    source: str
    source_name: str = ""
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    skipped: int = 0
    filtered: int = 0
    embedded: int = 0
    added_to_profile: int = 0
    issues: list[ParseIssue] = field(default_factory=list)

    def line(self) -> str:
        parts = [
            f"{self.source}: read {self.read}",
            f"{self.inserted} new",
            f"{self.updated} updated",
            f"{self.unchanged} unchanged",
        ]
        if self.merged:  # a subset of the updated and unchanged: said so, not added up
            parts[-1] += f" ({self.merged} of the updated/unchanged merged with a stored paper)"
        if self.filtered:
            parts.append(f"{self.filtered} outside the date range")
        if self.skipped:
            parts.append(f"{self.skipped} skipped")
        if self.embedded:
            parts.append(f"{self.embedded} embedded")
        if self.added_to_profile:
            parts.append(f"{self.added_to_profile} added to profile")
        return ", ".join(parts)

    @property
    def nothing_imported(self) -> bool:
        """True when the input had entries but every one was bad (nothing stored or matched):
        a failure, unlike a partial import, which succeeds and lists what it skipped."""
        return self.skipped > 0 and self.inserted + self.updated + self.unchanged == 0

    def to_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "read": self.read,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "merged": self.merged,
            "skipped": self.skipped,
            "filtered": self.filtered,
            "embedded": self.embedded,
            "added_to_profile": self.added_to_profile,
            "issues": [{"where": i.where, "message": i.message} for i in self.issues],
        }


def batched(items: Iterable[Paper], n: int) -> Iterator[list[Paper]]:
    batch: list[Paper] = []
    for item in items:
        batch.append(item)
        if len(batch) == n:
            yield batch
            batch = []
    if batch:
        yield batch


def embed_papers(
    store: Store,
    embedder: Embedder,
    papers: Sequence[Paper],
    *,
    progress: bool = False,
) -> tuple[np.ndarray, int]:
    """Unit vectors for ``papers`` and how many texts had to be embedded (not yet cached
    under this model)."""
    hashes = [p.content_hash for p in papers]
    unique: dict[str, str] = {}
    for p, h in zip(papers, hashes, strict=True):
        unique.setdefault(h, p.text)
    cached = store.get_embeddings(embedder.name, list(unique))
    missing = [h for h in unique if h not in cached]
    if missing:
        bar = tqdm(
            total=len(missing),
            desc="embedding",
            unit="paper",
            disable=not progress,
            file=sys.stderr,
        )
        for start in range(0, len(missing), EMBED_CHUNK):
            chunk = missing[start : start + EMBED_CHUNK]
            vecs = embedder.embed([unique[h] for h in chunk])
            store.put_embeddings(embedder.name, zip(chunk, vecs, strict=True))
            cached.update(zip(chunk, vecs, strict=True))
            bar.update(len(chunk))
        bar.close()
    if not papers:
        return np.zeros((0, embedder.dim), dtype=np.float32), 0
    return np.stack([cached[h] for h in hashes]).astype(np.float32), len(missing)


def days_before(day: str, n: int) -> str:
    """The first day of the ``n``-day window ending on ``day`` (inclusive)."""
    return (date.fromisoformat(day) - timedelta(days=max(n, 1) - 1)).isoformat()


def looks_like_jsonl(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith((".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz"))
