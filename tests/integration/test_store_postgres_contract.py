"""The store contract (:mod:`store_contract`) run against the PostgreSQL backend on a real
server, and what only a server backend owes: migrations safe under concurrent openers,
concurrent ingests that lose nothing, the HNSW index answering ``nearest``."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import numpy as np
import pytest
from store_contract import StoreContract, StoreFactory, paper

from paperfeed.store import AppStore, open_url, postgres_vectors
from paperfeed.store.ann import search_breadth
from paperfeed.store.migrations.postgres import SCHEMA_VERSION
from paperfeed.store.postgres import PostgresStore
from pg_server import PgServer

pytestmark = pytest.mark.postgres


class TestPostgres(StoreContract):
    @pytest.fixture
    def make_store(self, new_database: Callable[[], str]) -> Iterator[StoreFactory]:
        opened: list[AppStore] = []

        def make() -> AppStore:
            opened.append(open_url(new_database()))
            return opened[-1]

        yield make
        for s in opened:
            s.close()


@pytest.fixture
def pg_store(new_database: Callable[[], str]) -> Iterator[PostgresStore]:
    with PostgresStore(new_database()) as store:
        yield store


def test_open_url_picks_the_backend_and_hides_the_password(postgres_server: PgServer) -> None:
    url = postgres_server.create_database("picked")
    with open_url(url) as store:
        assert isinstance(store, PostgresStore)
        assert store.schema_version == SCHEMA_VERSION
    secret = url.replace("postgres@", "postgres:hunter2@")
    with open_url(secret) as store:
        assert "hunter2" not in repr(store)


def test_concurrent_openers_migrate_once(postgres_server: PgServer) -> None:
    url = postgres_server.create_database("race")
    errors: list[BaseException] = []

    def open_and_close() -> None:
        try:
            PostgresStore(url).close()
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=open_and_close) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with PostgresStore(url) as store:
        assert store.schema_version == SCHEMA_VERSION


def test_two_ingests_at_once_lose_nothing(new_database: Callable[[], str]) -> None:
    url = new_database()
    # the same 300 papers seen from two sources, plus 100 of each's own, in batches
    shared = [
        paper(f"2601.{i:05d}", title=f"Shared paper number {i} on graphs") for i in range(300)
    ]
    own = {s: [paper(f"{s}:{i}", title=f"Only in {s} {i}") for i in range(100)] for s in "ab"}
    errors: list[BaseException] = []

    def ingest(source: str) -> None:
        try:
            with PostgresStore(url) as store:
                batch = shared if source == "a" else shared[::-1]
                store.upsert_papers([*batch, *own[source]], source, batch_size=25)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=ingest, args=(s,)) for s in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with PostgresStore(url) as store:
        assert store.count_papers() == 500
        got = store.get_paper("2601.00007")
        assert got is not None and got.sources == ("a", "b")
        store.check_integrity()


def _has_index(store: PostgresStore, model: str) -> bool:
    rows = store._query(
        "SELECT count(*) FROM pg_indexes WHERE indexname IN "
        "(SELECT index_name FROM vector_indexes WHERE model = %s)",
        [model],
    )
    return bool(rows[0][0])


def test_nearest_uses_the_hnsw_index_and_finds_the_exact_top(
    new_database: Callable[[], str],
) -> None:
    pg_store = PostgresStore(new_database(), ann_threshold=300)
    rng = np.random.default_rng(1)
    papers = [paper(f"p{i}", title=f"Paper {i}") for i in range(400)]
    pg_store.upsert_papers(papers, "s")
    matrix = rng.normal(size=(400, 32)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    pairs = [(p.content_hash, v) for p, v in zip(papers, matrix, strict=True)]
    pg_store.put_embeddings("m", pairs[:200])
    assert pg_store.build_vector_index("m") is False  # 200 < 300 vectors: no index yet
    assert len(pg_store.nearest("m", matrix[0], 5)) == 5 and not _has_index(pg_store, "m")
    pg_store.put_embeddings("m", pairs[200:])  # written without an index to keep up
    assert not _has_index(pg_store, "m")
    query = matrix[5] + 0.1 * matrix[6]
    query /= np.linalg.norm(query)
    exact = np.argsort(-(matrix @ query))[:10]
    found = pg_store.nearest("m", query, 10)
    assert [h for h, _ in found][:3] == [papers[i].content_hash for i in exact[:3]]
    recall = len({h for h, _ in found} & {papers[i].content_hash for i in exact}) / 10
    assert recall >= 0.9
    assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)
    assert pg_store.nearest("m", query, 0) == [] and pg_store.nearest("none", query, 5) == []
    with pg_store.connection() as conn, conn.transaction():
        conn.execute("SET LOCAL enable_sort = off")  # as nearest() does: sorting 400 rows
        # would be cheaper, but only the index gives them in order without a sort
        plan = "\n".join(
            r[0]
            for r in conn.execute(
                "EXPLAIN SELECT content_hash FROM embeddings e WHERE e.model = 'm' "
                "ORDER BY (e.vector::vector(32)) <=> %s::vector(32) LIMIT 10",
                (query,),
            )
        )
    assert "embeddings_hnsw_" in plan
    assert _has_index(pg_store, "m")  # built by the first search past the threshold
    assert pg_store.build_vector_index("m") is True
    with pg_store.connection() as conn:
        assert postgres_vectors.index_size(conn, "m") == 400  # the server's estimate
    assert pg_store._indexed["m"] == (32, search_breadth(400))  # remembered: one round trip
    late = paper("late", title="Late paper")
    pg_store.upsert_papers([late], "s")
    pg_store.put_embeddings("m", [(late.content_hash, query)])  # added to the index
    assert "m" not in pg_store._indexed  # the index grew: its breadth is read again
    assert pg_store.nearest("m", query, 1)[0][0] == late.content_hash
    assert pg_store._indexed["m"][0] == 32
    pg_store.check_integrity()
    with pytest.raises(ValueError):
        pg_store.put_embeddings("m", [("other", np.ones(8))])  # one size per model
    pg_store.close()
