"""The backend-independent parts of the store, without a database: the upsert plan over
plain papers and the migration runner over a fake versioned database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from paperfeed.models import Paper
from paperfeed.store import SchemaError, UpsertStats
from paperfeed.store.migrations import run_migrations
from paperfeed.store.upsert import UpsertPlan, plan_batch

TITLE = "Low-Rank Adapters Meet Sparse Attention for Long Documents"
TEXT = Paper(id="text:lora", title=TITLE, venue="ACL", sources=("list",))
ARXIV = Paper(id="2406.12345", title=TITLE, abstract="Adapters.", version=1, sources=("arxiv",))


def test_a_new_paper_is_one_insert() -> None:
    assert plan_batch([ARXIV], {}) == UpsertPlan(
        inserts=(ARXIV,), new_sources=((ARXIV.id, "arxiv"),), stats=UpsertStats(1, 0, 0, 0)
    )


def test_an_arxiv_record_takes_over_a_stored_text_record() -> None:
    plan = plan_batch([ARXIV], {TEXT.id: TEXT})
    merged = ARXIV.with_(venue="ACL", sources=("arxiv", "list"))
    assert plan.inserts == (merged,)
    assert plan.updates == ()
    assert plan.new_sources == ((ARXIV.id, "arxiv"), (ARXIV.id, "list"))
    assert plan.repoints == ((TEXT.id, ARXIV.id),)
    assert plan.aliases == ((TEXT.id, ARXIV.id),)
    assert plan.stats == UpsertStats(0, 1, 0, 1)


def test_a_text_record_joins_a_stored_arxiv_paper() -> None:
    plan = plan_batch([TEXT], {ARXIV.id: ARXIV})
    assert plan.inserts == () and plan.repoints == ()
    assert plan.updates == (ARXIV.with_(venue="ACL", sources=("arxiv", "list")),)
    assert plan.new_sources == ((ARXIV.id, "list"),)
    assert plan.aliases == ((TEXT.id, ARXIV.id),)
    assert plan.stats == UpsertStats(0, 1, 0, 1)


def test_a_known_record_plans_no_writes() -> None:
    assert plan_batch([ARXIV], {ARXIV.id: ARXIV}) == UpsertPlan(stats=UpsertStats(0, 0, 1, 0))


class FakeDatabase:
    """A versioned database in memory: steps append to ``log``, a failing step undoes its
    own writes."""

    def __init__(self) -> None:
        self.version = 0
        self.log: list[str] = []

    def schema_version(self) -> int:
        return self.version

    @contextmanager
    def exclusive(self) -> Iterator[list[str]]:
        saved = (self.version, list(self.log))
        try:
            yield self.log
        except BaseException:
            self.version, self.log[:] = saved
            raise

    def record_version(self, version: int) -> None:
        self.version = version


def test_the_runner_applies_each_step_once_and_records_the_version() -> None:
    db = FakeDatabase()
    steps = [lambda log: log.append("one"), lambda log: log.append("two")]
    assert run_migrations(db, steps[:1]) == [1]
    assert run_migrations(db, steps) == [2]
    assert run_migrations(db, steps) == []
    assert (db.version, db.log) == (2, ["one", "two"])


def test_a_failing_step_keeps_the_version_and_a_newer_database_is_refused() -> None:
    def broken(log: list[str]) -> None:
        log.append("half")
        raise RuntimeError("boom")

    db = FakeDatabase()
    with pytest.raises(RuntimeError):
        run_migrations(db, [lambda log: log.append("one"), broken])
    assert (db.version, db.log) == (1, ["one"])
    with pytest.raises(SchemaError, match="newer"):
        run_migrations(db, [])
