"""The SQLite store under load: a slice of the real corpus, several processes and threads."""

from __future__ import annotations

import gzip
import itertools
import json
import multiprocessing as mp
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from paperfeed.models import Paper
from paperfeed.store import SCHEMA_VERSION, UpsertStats, open_store

pytestmark = pytest.mark.integration

DATA = Path(
    os.environ.get("PAPERFEED_DATA") or Path(__file__).resolve().parents[2].parent / "shared/data"
)
CORPUS = DATA / "arxiv-cs-2025-2026.jsonl.gz"
SLICE = 5000


def corpus_papers(n: int) -> Iterator[Paper]:
    """The first ``n`` records of the shared arXiv corpus (a minimal reader, for tests only)."""
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        for line in itertools.islice(fh, n):
            o = json.loads(line)
            yield Paper(
                id=o["id"],
                title=o.get("title") or "",
                abstract=o.get("abstract") or "",
                authors=tuple(o.get("authors") or ()),
                categories=tuple(o.get("categories") or ()),
                date=o.get("listing_date"),
                comment=o.get("comment"),
            )


@pytest.mark.skipif(not CORPUS.exists(), reason=f"{CORPUS} not present")
def test_corpus_slice_ingest_is_idempotent_and_searchable(tmp_path: Path) -> None:
    papers = list(corpus_papers(SLICE))
    with open_store(tmp_path / "paperfeed.db") as store:
        stats = store.upsert_papers(papers, "arxiv-dump")
        assert stats == UpsertStats(len(papers), 0, 0, 0)
        assert store.upsert_papers(papers, "arxiv-dump") == UpsertStats(0, 0, len(papers), 0)
        assert store.count_papers() == len(papers)

        target = papers[123]
        hits = [pid for pid, _ in store.search_text(target.title, limit=10)]
        assert target.id in hits
        got = store.get_papers([target.id])
        assert [(p.title, p.abstract, p.sources) for p in got] == [
            (target.title, target.abstract, ("arxiv-dump",))
        ]

        newest = store.latest_date()
        assert newest == max(p.date for p in papers if p.date)
        window = store.papers_between(newest)
        assert window and all(p.date == newest for p in window)

        revised = [p.with_(abstract=p.abstract + " Revised.", version=2) for p in papers[:100]]
        assert store.upsert_papers(revised, "arxiv-api") == UpsertStats(0, 100, 0, 100)
        store.check_integrity()
        store.optimize()


def _writer(path: str, worker: int, n: int) -> None:
    with open_store(Path(path)) as store:
        for i in range(n):
            papers = [
                Paper(id=f"w{worker}-{i}-{j}", title=f"paper {worker} {i} {j}") for j in range(5)
            ]
            store.upsert_papers(papers, f"worker{worker}")
            store.upsert_papers([Paper(id="shared", title="shared paper")], f"worker{worker}")


def test_concurrent_processes_open_migrate_and_write(tmp_path: Path) -> None:
    path = tmp_path / "home" / "paperfeed.db"
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(path), w, 20)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    with open_store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.count_papers() == 4 * 20 * 5 + 1
        shared = store.get_paper("shared")
        assert shared is not None and len(shared.sources) == 4
        store.check_integrity()


def test_threads_share_one_store(tmp_path: Path) -> None:
    errors: list[BaseException] = []
    with open_store(tmp_path / "paperfeed.db") as store:
        store.upsert_papers([Paper(id=f"p{i}", title=f"paper {i}") for i in range(50)], "s")

        def work(t: int) -> None:
            try:
                for i in range(50):
                    with store.transaction():
                        store.rate(f"user{t}", f"p{i}", "up" if i % 2 else "down")
                        store.add_profile_papers(f"user{t}", [f"p{i}"])
                    store.search_text(f"paper {i}")
            except BaseException as e:
                errors.append(e)

        threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert errors == []
        assert sorted(store.users()) == [f"user{t}" for t in range(4)]
        assert all(len(store.ratings(f"user{t}")) == 50 for t in range(4))
        assert all(len(store.profile_papers(f"user{t}")) == 50 for t in range(4))
