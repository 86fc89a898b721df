"""The behaviour every store backend owes its callers, as one test class to inherit.

A backend's test module subclasses :class:`StoreContract` and provides a ``make_store``
fixture: a factory of fresh, empty :class:`~paperfeed.store.AppStore` objects (closed at
teardown). The data are small and synthetic, so every right answer is known. Nothing here
names a backend, a table or a file. Not a test module: imported by the backends' tests.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Iterator
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperfeed.models import FollowedAuthor, Paper
from paperfeed.store import (
    Account,
    AccountStore,
    AppStore,
    DeliveryStore,
    Store,
    UpsertStats,
    merge_papers,
)

StoreFactory = Callable[[], AppStore]

LORA_TITLE = "Low-Rank Adapters Meet Sparse Attention for Long Documents"
RAG_TITLE = "Jointly Trained Retrievers for Retrieval-Augmented Generation"


def paper(pid: str, **kw: object) -> Paper:
    fields: dict[str, object] = {
        "title": f"Title of {pid}",
        "abstract": f"Abstract of {pid}.",
        "date": "2026-01-10",
    }
    fields.update(kw)
    return Paper(id=pid, **fields)  # type: ignore[arg-type]


def ids_of(papers: list[Paper]) -> list[str]:
    return [p.id for p in papers]


# A text record (pasted, no identifier) and the arXiv record of the same paper.
TEXT_LORA = Paper(
    id="text:lora",
    title="Low-rank adapters meet sparse attention for long documents.",
    abstract="Pasted from a reading list.",
    authors=("A. Müller", "Bo Li"),
    venue="ACL",
)
ARXIV_LORA = Paper(
    id="2406.12345",
    title=LORA_TITLE,
    abstract="We combine low-rank adapters with sparse attention.",
    authors=("Ana Muller", "Bo Li"),
    date="2024-06-18",
    version=1,
)


_records = st.lists(
    st.builds(
        Paper,
        id=st.sampled_from(["p1", "p2", "p3"]),
        title=st.sampled_from(["", "alpha", "beta"]),
        abstract=st.sampled_from(["", "gamma delta", "epsilon"]),
        date=st.sampled_from([None, "2026-01-01", "2026-02-01"]),
        version=st.sampled_from([None, 1, 2]),
        doi=st.sampled_from([None, "10.1/a"]),
    ),
    max_size=8,
)


class StoreContract:
    """Inherit, and provide ``make_store``; every test gets a fresh empty ``store``."""

    @pytest.fixture
    def store(self, make_store: StoreFactory) -> Iterator[AppStore]:
        yield make_store()

    def test_the_contract_covers_the_whole_protocol(self) -> None:
        source = inspect.getsource(StoreContract)
        methods = {
            name
            for proto in (Store, DeliveryStore, AccountStore)
            for name, value in vars(proto).items()
            if callable(value) and not name.startswith("_")
        }
        assert sorted(m for m in methods if f".{m}(" not in source) == []

    def test_is_an_app_store_and_closes_twice(self, make_store: StoreFactory) -> None:
        s = make_store()
        assert isinstance(s, AppStore)
        s.close()
        s.close()

    # --- papers ---------------------------------------------------------------------------

    def test_roundtrip_keeps_every_field(self, store: AppStore) -> None:
        p = Paper(
            id="2601.00001",
            title="Graphs",
            abstract="About graphs.",
            authors=("Ada Lovelace", "Émile Borel"),
            categories=("cs.LG", "stat.ML"),
            date="2026-01-02",
            version=3,
            doi="10.1000/xyz",
            comment="12 pages",
            url="https://arxiv.org/abs/2601.00001",
            venue="NeurIPS",
            extra={"k": [1, 2], "z": "ü"},
        )
        assert store.upsert_papers([p], "arxiv") == UpsertStats(1, 0, 0, 0)
        got = store.get_paper("2601.00001")
        assert got == p.with_(sources=("arxiv",))
        assert got is not None and got.extra == {"k": [1, 2], "z": "ü"}
        assert store.get_paper("nope") is None

    def test_reingesting_a_batch_changes_nothing(self, store: AppStore) -> None:
        papers = [paper(f"2601.0000{i}", authors=("A",), extra={"x": i}) for i in range(3)]
        assert store.upsert_papers(papers, "s1") == UpsertStats(3, 0, 0, 0)
        before = store.papers_between()
        assert store.upsert_papers(papers, "s1") == UpsertStats(0, 0, 3, 0)
        after = store.papers_between()
        assert after == before and [p.extra for p in after] == [p.extra for p in before]

    def test_newer_version_wins_in_either_order(self, store: AppStore) -> None:
        v1 = paper("2601.00001", title="Old title", abstract="old words", version=1)
        v2 = paper("2601.00001", title="New title", abstract="new words", version=2)
        assert store.upsert_papers([v1], "arxiv") == UpsertStats(1, 0, 0, 0)
        assert store.upsert_papers([v2], "api") == UpsertStats(0, 1, 0, 1)
        assert store.upsert_papers([v1], "arxiv") == UpsertStats(0, 0, 1, 0)
        got = store.get_paper("2601.00001")
        assert got is not None and (got.title, got.version) == ("New title", 2)
        assert got.sources == ("api", "arxiv")
        assert store.count_papers() == 1

    def test_v1_and_v2_in_one_batch_make_one_paper(self, store: AppStore) -> None:
        v1 = paper("2601.00001", title="Old", version=1)
        v2 = paper("2601.00001", title="New", version=2)
        assert store.upsert_papers([v2, v1], "arxiv") == UpsertStats(1, 0, 1, 0)
        got = store.get_paper("2601.00001")
        assert got is not None and got.title == "New"
        assert store.count_papers() == 1

    def test_newer_date_wins_when_versions_are_unknown(self, store: AppStore) -> None:
        store.upsert_papers([paper("x1", title="Early", date="2026-01-01")], "a")
        store.upsert_papers([paper("x1", title="Late", date="2026-01-05")], "b")
        store.upsert_papers([paper("x1", title="Earlier", date="2025-12-01")], "c")
        got = store.get_paper("x1")
        assert got is not None and (got.title, got.date) == ("Late", "2026-01-05")

    def test_known_version_beats_unknown_version(self, store: AppStore) -> None:
        store.upsert_papers([paper("x1", title="arXiv v2", version=2, date="2026-01-01")], "a")
        store.upsert_papers(
            [paper("x1", title="Proceedings", venue="ICML", date="2026-07-01")], "c"
        )
        got = store.get_paper("x1")
        assert got is not None
        assert (got.title, got.date, got.venue) == ("arXiv v2", "2026-01-01", "ICML")

    def test_tie_keeps_existing_fields_and_fills_empty_ones(self, store: AppStore) -> None:
        store.upsert_papers([paper("x1", title="Kept", doi=None, venue="ICML")], "a")
        stats = store.upsert_papers(
            [paper("x1", title="Ignored", doi="10.1/abc", venue="", authors=("B",))], "b"
        )
        assert stats == UpsertStats(0, 1, 0, 1)
        got = store.get_paper("x1")
        assert got is not None
        assert (got.title, got.doi, got.venue, got.authors) == ("Kept", "10.1/abc", "ICML", ("B",))

    def test_winner_keeps_loser_fields_it_lacks(self, store: AppStore) -> None:
        store.upsert_papers([paper("x1", version=1, doi="10.1/abc", extra={"a": 1, "b": 1})], "a")
        store.upsert_papers([paper("x1", version=2, title="V2", extra={"b": 2})], "b")
        got = store.get_paper("x1")
        assert got is not None
        assert (got.title, got.doi, got.extra) == ("V2", "10.1/abc", {"a": 1, "b": 2})

    def test_sources_are_merged(self, store: AppStore) -> None:
        p = paper("2601.00001")
        assert store.upsert_papers([p], "arxiv-dump") == UpsertStats(1, 0, 0, 0)
        assert store.upsert_papers([p], "conference") == UpsertStats(0, 0, 1, 1)
        assert store.upsert_papers([p], "conference") == UpsertStats(0, 0, 1, 0)
        hf = p.with_(sources=("hf",))
        assert store.upsert_papers([hf], "arxiv-dump") == UpsertStats(0, 0, 1, 1)
        got = store.get_paper("2601.00001")
        assert got is not None and got.sources == ("arxiv-dump", "conference", "hf")
        assert store.count_papers() == 1

    def test_upsert_rejects_bad_arguments(self, store: AppStore) -> None:
        with pytest.raises(ValueError):
            store.upsert_papers([paper("x")], "")
        with pytest.raises(ValueError):
            store.upsert_papers([paper("x")], "s", batch_size=0)
        with pytest.raises(ValueError):
            store.upsert_papers([paper("  ")], "s")
        assert store.count_papers() == 0

    def test_empty_optional_strings_become_none(self, store: AppStore) -> None:
        store.upsert_papers([paper(" x1 ", doi="", comment="")], "s")
        got = store.get_paper("x1")
        assert got is not None and got.doi is None and got.comment is None

    def test_get_papers_keeps_order_and_skips_missing(self, store: AppStore) -> None:
        store.upsert_papers([paper(f"p{i}") for i in range(5)], "s")
        assert ids_of(store.get_papers(["p3", "zz", "p0", "p4"])) == ["p3", "p0", "p4"]
        assert store.get_papers([]) == []

    def test_papers_between_bounds_order_and_limit(self, store: AppStore) -> None:
        dates = {"a": "2026-01-01", "b": "2026-01-02", "c": "2026-01-02", "d": "2026-01-03"}
        store.upsert_papers([paper(k, date=v) for k, v in dates.items()], "s")
        store.upsert_papers([paper("nodate", date=None)], "s")
        assert ids_of(store.papers_between("2026-01-02", "2026-01-03")) == ["c", "b"]
        assert ids_of(store.papers_between("2026-01-02")) == ["d", "c", "b"]
        assert ids_of(store.papers_between(until="2026-01-02")) == ["a"]
        assert ids_of(store.papers_between()) == ["d", "c", "b", "a", "nodate"]
        assert ids_of(store.papers_between(limit=2)) == ["d", "c"]
        assert ids_of(store.papers_between("2026-01-02", limit=1)) == ["d"]
        assert store.papers_between("2027-01-01") == []
        assert store.latest_date() == "2026-01-03"
        assert store.count_papers() == 5

    def test_empty_store(self, store: AppStore) -> None:
        assert store.latest_date() is None
        assert store.count_papers() == 0
        assert store.papers_between() == []
        assert store.search_text("graph") == []
        assert store.papers_by_author("Ada Lovelace") == []
        assert store.users() == []
        assert store.count_embeddings() == 0
        store.check_integrity()

    def test_papers_by_author_ignores_case_accents_order_and_punctuation(
        self, store: AppStore
    ) -> None:
        store.upsert_papers(
            [
                paper("a", authors=("Qiang Liu", "Bo Li"), date="2026-01-02"),
                paper("b", authors=("LIU, Qiang",), date="2026-01-02"),
                paper("c", authors=("Qiang Liu",), date="2026-01-05"),
                paper("d", authors=("Qiang Liuson", "José Müller"), date="2026-01-09"),
                paper("e", authors=("Jose Muller",), date=None),
            ],
            "s",
        )
        assert ids_of(store.papers_by_author("Qiang Liu")) == ["c", "b", "a"]
        assert ids_of(store.papers_by_author("muller, josé")) == ["d", "e"]
        assert store.papers_by_author("Qiang") == []
        assert store.papers_by_author(" ,. ") == []

    # --- full text ------------------------------------------------------------------------

    def test_search_finds_title_and_abstract_words(self, store: AppStore) -> None:
        store.upsert_papers(
            [
                paper("g", title="Graph neural networks", abstract="Message passing on molecules."),
                paper("v", title="Vision transformers", abstract="Images as patches of pixels."),
                paper("m", title="Molecule generation", abstract="Graph diffusion for molecules."),
            ],
            "s",
        )
        assert {pid for pid, _ in store.search_text("pixels")} == {"v"}
        hits = store.search_text("graph")
        assert [pid for pid, _ in hits] == ["g", "m"]  # a title word counts more
        assert hits[0][1] > hits[1][1]
        assert {pid for pid, _ in store.search_text("network")} == {"g"}  # stemmed
        assert {pid for pid, _ in store.search_text("graph vision")} == {"g", "m", "v"}
        assert {pid for pid, _ in store.search_text("graph molecule", match_all=True)} == {
            "g",
            "m",
        }
        assert len(store.search_text("graph", limit=1)) == 1
        assert store.search_text("graph", limit=0) == []

    def test_search_for_all_words_or_all_but_some(self, store: AppStore) -> None:
        store.upsert_papers(
            [
                paper("a", title="Sparse attention for long documents", abstract="Memory."),
                paper("b", title="Sparse attention in vision", abstract="Images."),
                paper("c", title="Long documents summarized", abstract="Sparse outputs."),
                paper("d", title="Attention is everywhere", abstract="Nothing else."),
            ],
            "s",
        )
        query = "the sparse attention for long documents"  # "the" and "for": not required
        assert [pid for pid, _ in store.search_text(query, match_all=True)] == ["a"]
        relaxed = store.search_text(query, match_all=True, missing=1)  # 3 of the 4 words
        assert {pid for pid, _ in relaxed} == {"a", "c"}
        two = store.search_text(query, match_all=True, missing=2)
        assert {pid for pid, _ in two} == {"a", "b", "c"}
        assert relaxed[0][0] == "a"
        anyword = dict(store.search_text(query))
        assert set(anyword) == {"a", "b", "c", "d"}
        # a paper with every word scores as it does for any word; one lacking some may
        # score lower (FTS5's bm25 counts a word once per matching group that names it)
        assert relaxed[0][1] == pytest.approx(anyword["a"], rel=1e-6)
        assert dict(store.search_text(query, match_all=True))["a"] == pytest.approx(relaxed[0][1])
        assert all(0 < score <= anyword[pid] * (1 + 1e-6) for pid, score in relaxed)
        assert store.search_text(query, match_all=True, missing=1, limit=0) == []

    def test_search_follows_updates(self, store: AppStore) -> None:
        store.upsert_papers([paper("x", title="Zebra stripes", abstract="old", version=1)], "s")
        store.upsert_papers([paper("x", title="Leopard spots", abstract="new", version=2)], "s")
        store.upsert_papers([paper("x", title="Leopard spots", abstract="new", version=2)], "t")
        assert store.search_text("zebra") == []
        assert [pid for pid, _ in store.search_text("leopard")] == ["x"]
        store.check_integrity()

    @pytest.mark.parametrize(
        "query",
        ['"', "AND", "OR NOT", "-", "*", "(", ")", "a AND", "title:x", "^x", "NEAR(a b)", "'",
         "", "   ", "x\"y", "graph*", "c++ -b", "{a b}", "中文 检索", "\x00", "%_", "\\"],
    )  # fmt: skip
    def test_odd_queries_never_raise(self, store: AppStore, query: str) -> None:
        store.upsert_papers([paper("x", title="AND OR graph c")], "s")
        assert isinstance(store.search_text(query), list)
        assert isinstance(store.search_text(query, match_all=True), list)
        assert isinstance(store.search_text(query, match_all=True, missing=1), list)

    # --- one paper across ids ---------------------------------------------------------------

    def test_a_text_record_joins_the_arxiv_paper_in_either_order(
        self, make_store: StoreFactory
    ) -> None:
        first, second = make_store(), make_store()
        assert first.upsert_papers([TEXT_LORA], "reading-list") == UpsertStats(1, 0, 0, 0)
        assert first.upsert_papers([ARXIV_LORA], "arxiv") == UpsertStats(0, 1, 0, 1)
        assert second.upsert_papers([ARXIV_LORA], "arxiv") == UpsertStats(1, 0, 0, 0)
        assert second.upsert_papers([TEXT_LORA], "reading-list") == UpsertStats(0, 1, 0, 1)
        for s in (first, second):
            assert s.count_papers() == 1
            got = s.get_paper(ARXIV_LORA.id)
            assert got is not None
            assert (got.title, got.abstract, got.venue) == (
                ARXIV_LORA.title,
                ARXIV_LORA.abstract,
                "ACL",  # filled from the text record
            )
            assert got.sources == ("arxiv", "reading-list")
            assert s.resolve_id(TEXT_LORA.id) == ARXIV_LORA.id
            assert s.resolve_ids([TEXT_LORA.id, "other"]) == [ARXIV_LORA.id, "other"]
            assert s.get_paper(TEXT_LORA.id) == got
            assert s.get_papers([TEXT_LORA.id, ARXIV_LORA.id]) == [got, got]
            assert s.upsert_papers([TEXT_LORA, ARXIV_LORA], "arxiv") == UpsertStats(0, 0, 2, 0)
            s.check_integrity()

    def test_a_doi_record_joins_the_arxiv_paper_with_that_doi(self, store: AppStore) -> None:
        arxiv = paper("2406.12400", title=RAG_TITLE, doi="10.1/rag", authors=("Kim",))
        published = paper(
            "doi:10.1/rag", title="Retrievers, trained jointly", venue="NAACL", doi="10.1/rag"
        )
        store.upsert_papers([published], "bibtex")
        assert store.upsert_papers([arxiv], "arxiv") == UpsertStats(0, 1, 0, 1)
        got = store.get_paper("doi:10.1/rag")
        assert got is not None and (got.id, got.title, got.venue) == (arxiv.id, RAG_TITLE, "NAACL")
        assert store.count_papers() == 1

    def test_short_titles_strong_ids_and_strangers_stay_apart(self, store: AppStore) -> None:
        store.upsert_papers(
            [
                paper("text:1", title="Introduction", abstract="one"),
                paper("text:2", title="Introduction", abstract="two"),
                paper("2401.00001", title=LORA_TITLE),
                paper("2401.00002", title=LORA_TITLE),
                paper("text:3", title=RAG_TITLE, authors=("Ann Kim",)),
                paper("text:4", title=RAG_TITLE, authors=("Totally Different",)),
            ],
            "s",
        )
        assert store.count_papers() == 6
        assert store.resolve_ids(["text:1", "2401.00002", "text:4"]) == [
            "text:1",
            "2401.00002",
            "text:4",
        ]

    def test_profiles_and_ratings_follow_a_merge(self, store: AppStore) -> None:
        store.upsert_papers([TEXT_LORA], "reading-list")
        store.add_profile_papers("ann", [TEXT_LORA.id])
        store.rate("ann", TEXT_LORA.id, "saved")
        store.upsert_papers([ARXIV_LORA], "arxiv")
        assert ids_of(store.profile_papers("ann")) == [ARXIV_LORA.id]
        assert store.ratings("ann") == {ARXIV_LORA.id: "saved"}
        # the old id keeps working
        assert store.add_profile_papers("ann", [TEXT_LORA.id]) == 0
        store.rate("ann", TEXT_LORA.id, "up")
        assert store.ratings("ann") == {ARXIV_LORA.id: "up"}
        assert store.remove_profile_paper("ann", TEXT_LORA.id) is True
        assert store.unrate("ann", TEXT_LORA.id, "up") is True
        assert store.ratings("ann") == {ARXIV_LORA.id: "saved"}
        store.check_integrity()

    def test_conflicting_ratings_keep_the_newest(self, store: AppStore) -> None:
        weak = Paper(id="text:rag", title=RAG_TITLE, abstract="from a pasted list")
        v1 = Paper(id="2406.12400", title="A Working Title That Matches Nothing Else", version=1)
        store.upsert_papers([weak, v1], "s")
        assert store.count_papers() == 2  # different titles: two papers for now
        store.rate("ann", "text:rag", "down")
        store.rate("ann", v1.id, "up")  # newer
        store.rate("bob", v1.id, "down")
        store.rate("bob", "text:rag", "up")  # newer
        store.add_profile_papers("ann", ["text:rag", v1.id])
        stats = store.upsert_papers([v1.with_(title=RAG_TITLE, version=2)], "s")  # renamed
        assert stats == UpsertStats(0, 1, 0, 0) and store.count_papers() == 1
        assert store.ratings("ann") == {v1.id: "up"} and store.ratings("bob") == {v1.id: "up"}
        assert ids_of(store.profile_papers("ann")) == [v1.id]
        got = store.get_paper(v1.id)
        assert got is not None and got.abstract == "from a pasted list"

    # --- transactions -----------------------------------------------------------------------

    def test_a_failing_batch_leaves_no_trace_earlier_batches_stay(self, store: AppStore) -> None:
        store.upsert_papers([paper("old", title="Untouched")], "s")

        def papers() -> Iterator[Paper]:
            for i in range(5):
                yield paper(f"p{i}")
            yield paper("old", title="Changed", date="2027-01-01")
            raise RuntimeError("parser died")

        with pytest.raises(RuntimeError):
            store.upsert_papers(papers(), "s", batch_size=4)
        assert sorted(ids_of(store.papers_between())) == ["old", "p0", "p1", "p2", "p3"]
        got = store.get_paper("old")
        assert got is not None and got.title == "Untouched"
        store.check_integrity()

    def test_nested_transaction_rolls_back_the_inner_part_only(self, store: AppStore) -> None:
        with store.transaction():
            store.upsert_papers([paper("outer")], "s")
            with pytest.raises(RuntimeError), store.transaction():
                store.upsert_papers([paper("inner")], "s")
                store.rate("ann", "outer", "up")
                raise RuntimeError
            assert store.get_paper("inner") is None
        assert ids_of(store.papers_between()) == ["outer"]
        assert store.ratings("ann") == {} and store.users() == []

    def test_outer_rollback_undoes_everything(self, store: AppStore) -> None:
        with pytest.raises(RuntimeError), store.transaction():
            store.ensure_user("ann")
            store.upsert_papers([paper("a"), paper("b")], "s", batch_size=1)
            store.put_embeddings("m", [("h", np.ones(3))])
            store.record_delivery("ann", "2026-01-01", "email", "digest")
            raise RuntimeError
        assert store.count_papers() == 0
        assert store.users() == []
        assert store.count_embeddings() == 0
        assert store.deliveries("2026-01-01") == []

    # --- users, profiles, ratings -----------------------------------------------------------

    def test_users(self, store: AppStore) -> None:
        uid = store.ensure_user("ann")
        assert store.ensure_user("ann") == uid
        store.ensure_user("bob")
        assert store.users() == ["ann", "bob"]
        with pytest.raises(ValueError):
            store.ensure_user(" ")

    def test_profile_add_twice_is_one_entry(self, store: AppStore) -> None:
        store.upsert_papers([paper("a"), paper("b"), paper("c")], "s")
        assert store.add_profile_papers("ann", ["b", "a"]) == 2
        assert store.add_profile_papers("ann", ["a", "c", "c"]) == 1
        assert ids_of(store.profile_papers("ann")) == ["b", "a", "c"]
        assert store.remove_profile_paper("ann", "a") is True
        assert store.remove_profile_paper("ann", "a") is False
        assert store.remove_profile_paper("nobody", "b") is False
        assert ids_of(store.profile_papers("ann")) == ["b", "c"]
        assert store.profile_papers("nobody") == []

    def test_a_users_local_papers_are_private_to_them(self, store: AppStore) -> None:
        store.upsert_papers([paper("text:ann1"), paper("text:both"), paper("2101.00001")], "s")
        store.upsert_papers([paper("text:loose")], "s")  # ingested, in nobody's profile
        store.add_profile_papers("ann", ["text:ann1", "text:both", "2101.00001"])
        store.add_profile_papers("bob", ["text:both"])
        asked = ["text:ann1", "text:both", "2101.00001", "text:loose", "text:ann1"]
        assert store.private_to_others("bob", asked) == {"text:ann1"}
        assert store.private_to_others("ann", asked) == set()
        assert store.private_to_others("cyd", asked) == {"text:ann1", "text:both"}
        assert store.private_to_others("cyd", []) == set()

    def test_profile_with_an_unknown_paper_adds_nothing(self, store: AppStore) -> None:
        store.upsert_papers([paper("a")], "s")
        with pytest.raises(KeyError, match="zz"):
            store.add_profile_papers("ann", ["a", "zz"])
        assert store.profile_papers("ann") == []
        assert store.users() == []

    def test_up_and_down_replace_each_other(self, store: AppStore) -> None:
        store.upsert_papers([paper("a"), paper("b"), paper("c")], "s")
        store.rate("ann", "a", "up")
        store.rate("ann", "a", "saved")
        store.rate("ann", "a", "down")
        store.rate("ann", "b", "opened")
        store.rate("ann", "c", "opened")
        store.rate("ann", "c", "saved")
        assert store.ratings("ann") == {"a": "down", "b": "opened", "c": "saved"}
        assert ids_of(store.rated_papers("ann", "down")) == ["a"]
        assert store.rated_papers("ann", "up") == []
        assert ids_of(store.rated_papers("ann", "saved")) == ["a", "c"]
        store.rate("ann", "a", "up")
        assert store.ratings("ann")["a"] == "up"
        assert ids_of(store.rated_papers("ann", "down")) == []
        assert store.unrate("ann", "a", "up") is True
        assert store.unrate("ann", "a", "up") is False
        assert store.ratings("ann")["a"] == "saved"
        assert store.ratings("bob") == {}

    def test_rate_rejects_unknown_paper_and_value(self, store: AppStore) -> None:
        store.upsert_papers([paper("a")], "s")
        with pytest.raises(KeyError):
            store.rate("ann", "zz", "up")
        with pytest.raises(ValueError):
            store.rate("ann", "a", "meh")
        with pytest.raises(ValueError):
            store.rated_papers("ann", "meh")
        assert store.ratings("ann") == {}

    # --- embeddings -------------------------------------------------------------------------

    def test_embeddings_roundtrip_and_existing_entries_are_kept(self, store: AppStore) -> None:
        rng = np.random.default_rng(0)
        v1, v2 = rng.normal(size=8), rng.normal(size=8).astype(np.float32)
        assert store.put_embeddings("m", [("h1", v1), ("h2", v2)]) == 2
        got = store.get_embeddings("m", ["h1", "h2", "h3"])
        assert set(got) == {"h1", "h2"}
        assert got["h1"].dtype == np.float32 and got["h1"].shape == (8,)
        np.testing.assert_array_equal(got["h1"], v1.astype(np.float32))
        got["h1"][0] = 42.0  # a caller's copy
        assert store.put_embeddings("m", [("h1", np.zeros(8)), ("h3", np.ones(8))]) == 1
        again = store.get_embeddings("m", ["h1"])["h1"]
        np.testing.assert_array_equal(again, v1.astype(np.float32))
        assert store.get_embeddings("other", ["h1"]) == {}
        assert store.get_embeddings("m", []) == {}
        assert store.put_embeddings("m", []) == 0
        store.put_embeddings("other", [("h1", np.ones(2))])
        assert (store.count_embeddings(), store.count_embeddings("m")) == (4, 3)
        assert store.count_embeddings("none") == 0

    def test_put_embeddings_rejects_bad_shapes_atomically(self, store: AppStore) -> None:
        with pytest.raises(ValueError):
            store.put_embeddings("m", [("h1", np.ones(4)), ("h2", np.ones((2, 2)))])
        with pytest.raises(ValueError):
            store.put_embeddings("m", [("h1", np.ones(0))])
        assert store.count_embeddings() == 0

    def test_all_embeddings_and_hash_lookup(self, store: AppStore) -> None:
        a, b = paper("a"), paper("b", title="Other")
        twin = paper("a2", title=a.title, abstract=a.abstract)
        store.upsert_papers([a, b, twin], "s")
        store.put_embeddings("m", [(a.content_hash, np.ones(4)), ("orphan", np.zeros(4))])
        store.put_embeddings("m", [(b.content_hash, np.full(4, 2.0))])
        hashes, matrix = store.all_embeddings("m")
        assert hashes == [a.content_hash, b.content_hash]
        assert matrix.shape == (2, 4) and matrix.dtype == np.float32
        np.testing.assert_array_equal(matrix[1], np.full(4, 2.0, dtype=np.float32))
        assert len(store.all_embeddings("m", papers_only=False)[0]) == 3
        assert store.all_embeddings("none")[1].shape == (0, 0)
        assert store.paper_ids_for_hashes([b.content_hash, a.content_hash, "orphan"]) == [
            "b",
            "a",
            "a2",
        ]
        assert store.paper_ids_for_hashes([]) == []

    def test_nearest_gives_the_closest_stored_papers_best_first(self, store: AppStore) -> None:
        papers = [paper(f"p{i}", title=f"Paper {i}") for i in range(6)]
        store.upsert_papers(papers, "s")
        angles = np.linspace(0.0, 1.5, 6)
        unit = np.stack([np.cos(angles), np.sin(angles), np.zeros(6)], axis=1)
        store.put_embeddings("m", [(p.content_hash, v) for p, v in zip(papers, unit, strict=True)])
        store.put_embeddings("m", [("orphan", np.array([1.0, 0.0, 0.0]))])  # no stored paper
        query = np.array([np.cos(0.62), np.sin(0.62), 0.0], dtype=np.float32)
        found = store.nearest("m", query, 3)
        assert [h for h, _ in found] == [papers[i].content_hash for i in (2, 3, 1)]
        assert found[0][1] == pytest.approx(np.cos(0.62 - angles[2]), abs=1e-5)
        assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)
        assert len(store.nearest("m", query, 50)) == 6
        assert store.nearest("m", query, 0) == [] and store.nearest("none", query, 3) == []
        twin = paper("p2-twin", title=papers[2].title, abstract=papers[2].abstract)
        store.upsert_papers([twin], "s")
        with_ids = store.nearest_papers("m", query, 3)
        assert [(pid, h) for pid, h, _ in with_ids] == [
            ("p2", papers[2].content_hash),
            ("p2-twin", papers[2].content_hash),
            ("p3", papers[3].content_hash),
            ("p1", papers[1].content_hash),
        ]
        assert [s for *_, s in with_ids] == pytest.approx(
            [found[0][1], found[0][1], found[1][1], found[2][1]], abs=1e-6
        )
        assert store.nearest_papers("m", query, 0) == []
        assert store.nearest_papers("none", query, 3) == []

    def test_the_embedding_backlog_pages_through_texts_without_a_vector(
        self, store: AppStore
    ) -> None:
        papers = [paper(f"p{i}", title=f"Paper {i}") for i in range(7)]
        twin = paper("twin", title=papers[0].title, abstract=papers[0].abstract)
        untitled = paper("u", title="", abstract="Only an abstract.")
        store.upsert_papers([*papers, twin, untitled], "s")
        texts = {p.content_hash: p.text for p in [*papers, untitled]}
        assert (store.count_papers(), store.count_texts()) == (9, 8)  # the twin shares a text
        store.put_embeddings("m", [(papers[1].content_hash, np.ones(3)), ("orphan", np.ones(3))])
        store.put_embeddings("other", [(papers[2].content_hash, np.ones(3))])
        assert store.count_texts(embedded_with="m") == 1
        assert store.count_texts(embedded_with="none") == 0
        pages, after = [], ""
        while page := store.texts_without_vector("m", after=after, limit=3):
            pages.append(page)
            after = page[-1][0]
        got = [pair for page in pages for pair in page]
        assert [h for h, _ in got] == sorted(set(texts) - {papers[1].content_hash})
        assert dict(got) == {h: t for h, t in texts.items() if h != papers[1].content_hash}
        assert all(len(page) <= 3 for page in pages) and len(pages) >= 3
        assert store.texts_without_vector("m", after=max(texts)) == []
        with pytest.raises(ValueError):
            store.texts_without_vector("m", limit=0)
        store.put_embeddings("m", [(h, np.ones(3)) for h, _ in got])
        assert store.texts_without_vector("m") == []
        assert store.count_texts(embedded_with="m") == 8
        assert store.build_vector_index("m") is False  # 9 vectors: scanned exactly
        assert len(store.nearest("m", np.ones(3), 20)) == 8

    # --- candidate pools ----------------------------------------------------------------------

    def test_cached_pools_replace_their_window_and_only_the_newest_stay(
        self, store: AppStore
    ) -> None:
        assert store.get_cached_pool("k1") is None
        store.put_cached_pool("k1", "m", "2026-01-01..", b"one")
        store.put_cached_pool("k2", "m", "2026-01-02..", b"\x00two")
        assert store.get_cached_pool("k1") == b"one"
        assert store.get_cached_pool("k2") == b"\x00two"
        # the window's papers changed: a new key replaces the window's old pool
        store.put_cached_pool("k1b", "m", "2026-01-01..", b"one again")
        assert store.get_cached_pool("k1") is None
        assert store.get_cached_pool("k1b") == b"one again"
        store.put_cached_pool("k3", "other model", "2026-01-01..", b"three")
        assert store.get_cached_pool("k1b") == b"one again"  # another model's pool
        store.put_cached_pool("k4", "m", "2026-01-04..", b"four", keep=2)
        assert [store.get_cached_pool(k) for k in ("k2", "k1b", "k3", "k4")] == [
            None,
            None,
            b"three",
            b"four",
        ]

    # --- delivery ---------------------------------------------------------------------------

    def test_a_nonce_is_used_once_and_pruned_after_expiry(self, store: AppStore) -> None:
        assert store.use_token_nonce("n1", "linda", 100)
        assert not store.use_token_nonce("n1", "linda", 100)
        assert store.use_token_nonce("n2", "linda", 300)
        assert store.prune_token_nonces(200) == 1
        assert store.prune_token_nonces(200) == 0
        assert store.use_token_nonce("n1", "linda", 100)  # forgotten: expiry refuses it anyway
        assert not store.use_token_nonce("n2", "linda", 300)

    def test_deliveries_are_recorded_once_per_user_day_and_channel(self, store: AppStore) -> None:
        assert store.delivery("linda", "2026-08-21", "email") is None
        assert store.record_delivery("linda", "2026-08-21", "email", "digest", "20 papers")
        assert not store.record_delivery("linda", "2026-08-21", "email", "status")
        assert store.record_delivery("linda", "2026-08-22", "email", "status")
        assert store.record_delivery("bob", "2026-08-21", "feed", "digest")
        assert store.delivery("linda", "2026-08-21", "email") == "digest"
        assert store.delivery("linda", "2026-08-21", "feed") is None
        assert store.deliveries("2026-08-21") == [
            ("linda", "email", "digest"),
            ("bob", "feed", "digest"),
        ]

    def test_subscription_toggles(self, store: AppStore) -> None:
        assert store.is_subscribed("bob", "email")
        assert store.set_subscribed("bob", "email", False)
        assert not store.set_subscribed("bob", "email", False)
        assert not store.is_subscribed("bob", "email") and store.is_subscribed("bob", "feed")
        assert store.set_subscribed("bob", "email", True) and store.is_subscribed("bob", "email")
        assert not store.set_subscribed("bob", "email", True)

    def test_interest_names_are_per_user_and_can_be_forgotten(self, store: AppStore) -> None:
        assert store.interest_names("bob") == {}
        store.set_interest_name("bob", "2601.00001", "optimizers")
        store.set_interest_name("bob", "2601.00001", "low-rank optimizers")  # renamed again
        store.set_interest_name("ann", "2601.00001", "her name")
        assert store.interest_names("bob") == {"2601.00001": "low-rank optimizers"}
        assert store.interest_names("ann") == {"2601.00001": "her name"}
        store.set_interest_name("bob", "2601.00001", None)
        assert store.interest_names("bob") == {}

    def test_tldrs_are_cached_per_model_and_language(self, store: AppStore) -> None:
        assert store.tldrs("m", "English", ["2601.00001"]) == {}
        assert store.put_tldrs("m", "English", [("2601.00001", "one"), ("2601.00002", "two")]) == 2
        assert store.put_tldrs("m", "English", [("2601.00001", "one again")]) == 0  # replaced
        assert store.put_tldrs("m", "German", [("2601.00001", "eins")]) == 1
        assert store.tldrs("m", "English", ["2601.00001", "2601.00002", "2601.00003"]) == {
            "2601.00001": "one again",
            "2601.00002": "two",
        }
        assert store.tldrs("m", "German", ["2601.00001"]) == {"2601.00001": "eins"}
        assert store.tldrs("other", "English", ["2601.00001"]) == {}

    def test_llm_rankings_are_cached_by_key(self, store: AppStore) -> None:
        assert store.llm_ranking("k1") is None
        store.put_llm_ranking("k1", "m", ["2601.00002", "2601.00001"])
        store.put_llm_ranking("k2", "m", [])
        assert store.llm_ranking("k1") == ["2601.00002", "2601.00001"]
        assert store.llm_ranking("k2") == []
        store.put_llm_ranking("k1", "m2", ["2601.00001"])  # replaced
        assert store.llm_ranking("k1") == ["2601.00001"]
        assert store.llm_ranking("K1") is None

    def test_shown_papers_are_recorded_once_per_user(self, store: AppStore) -> None:
        assert store.shown_papers("bob") == set()
        assert store.record_shown("bob", "2026-01-05", ["a", "b", "a"]) == 2
        assert store.record_shown("bob", "2026-01-06", ["b", "c"]) == 1
        assert store.record_shown("ann", "2026-01-06", ["a"]) == 1
        assert store.shown_papers("bob") == {"a", "b", "c"}
        assert store.shown_papers("ann") == {"a"}
        assert store.shown_papers("bob", before="2026-01-06") == {"a", "b"}
        assert store.shown_papers("bob", before="2026-01-05") == set()

    # --- followed authors ---------------------------------------------------------------------

    def test_follows_are_per_user_replaced_by_name_and_removed_with_the_user(
        self, store: AppStore
    ) -> None:
        assert store.followed_authors("bob") == []
        liu = FollowedAuthor(
            name="Qiang Liu",
            key="liu qiang",
            paper_ids=("2601.00001", "2601.00002"),
            coauthors=("chen wei", "smith jane"),
            other_ids=("2601.00009",),
            followed_at="2026-01-05T10:00:00.000000Z",
        )
        assert store.follow_author("bob", liu)  # a new name
        assert store.follow_author("bob", FollowedAuthor("Ada Lovelace", "ada lovelace"))
        assert store.followed_authors("bob")[1] == liu  # ordered by name key, every field kept
        other = replace(liu, paper_ids=("2601.00009",), other_ids=liu.paper_ids, coauthors=())
        assert not store.follow_author("bob", other)  # the same name: the other person now
        assert store.follow_author("ann", liu)
        assert [p.paper_ids for p in store.followed_authors("bob")] == [(), ("2601.00009",)]
        assert store.followed_authors("ann") == [liu]
        assert store.unfollow_author("bob", "liu qiang") and not store.unfollow_author(
            "bob", "liu qiang"
        )
        assert [p.name for p in store.followed_authors("bob")] == ["Ada Lovelace"]
        with pytest.raises(ValueError):
            store.follow_author("bob", FollowedAuthor("?", ""))
        assert store.remove_user("ann") and store.followed_authors("ann") == []
        assert store.followed_authors("nobody") == []

    # --- accounts ---------------------------------------------------------------------------

    def test_accounts_default_save_and_remove(self, store: AppStore) -> None:
        assert store.account("ada") is None
        store.ensure_user("ada")  # a user from before accounts: the defaults
        assert store.account("ada") == Account("ada")
        acct = Account("ada", "ada@example.org", "$argon2id$x", "weekly", 7, 2)
        store.save_account(acct)
        assert store.account("ada") == acct
        store.save_account(Account("bob", "bob@example.org"))
        assert store.users() == ["ada", "bob"]
        store.upsert_papers([paper("2401.00001")], "t")
        store.add_profile_papers("ada", ["2401.00001"])
        store.rate("ada", "2401.00001", "up")
        assert store.remove_user("ada") and not store.remove_user("ada")
        assert store.account("ada") is None and store.users() == ["bob"]
        assert store.profile_papers("ada") == [] and store.ratings("ada") == {}
        assert store.account("bob") == Account("bob", "bob@example.org")

    def test_api_tokens_are_kept_by_hash_per_user(self, store: AppStore) -> None:
        store.ensure_user("ada")
        store.ensure_user("bob")
        first = store.add_api_token("ada", "h1", "laptop")
        second = store.add_api_token("ada", "h2", "")
        store.add_api_token("bob", "h3", "bob's")
        assert [(t.id, t.label) for t in store.api_tokens("ada")] == [
            (first, "laptop"),
            (second, ""),
        ]
        assert store.api_token_user("h1") == "ada" and store.api_token_user("h3") == "bob"
        assert store.api_token_user("nope") is None
        with pytest.raises(KeyError):
            store.add_api_token("eve", "h4", "")
        assert store.revoke_api_tokens("bob", first) == 0  # not bob's token
        assert store.revoke_api_tokens("ada", first) == 1 and store.api_token_user("h1") is None
        assert store.revoke_api_tokens("ada") == 1 and store.api_tokens("ada") == []
        assert store.api_token_user("h3") == "bob"

    def test_rating_history_latest_first(self, store: AppStore) -> None:
        store.upsert_papers([paper(f"2401.0000{i}") for i in range(1, 4)], "t")
        store.rate("ada", "2401.00001", "up")
        store.rate("ada", "2401.00002", "saved")
        store.rate("ada", "2401.00003", "down")
        store.rate("bob", "2401.00001", "down")
        history = store.rating_history("ada")
        assert [(e.paper_id, e.value) for e in history] == [
            ("2401.00003", "down"),
            ("2401.00002", "saved"),
            ("2401.00001", "up"),
        ]
        assert history[0].at >= history[-1].at
        assert [e.paper_id for e in store.rating_history("ada", limit=1)] == ["2401.00003"]
        assert [e.value for e in store.rating_history("bob")] == ["down"]

    def test_session_epoch_is_kept_with_the_account(self, store: AppStore) -> None:
        store.save_account(Account("ada", "ada@example.org", "$argon2id$x", session_epoch=7))
        assert store.account("ada").session_epoch == 7  # type: ignore[union-attr]
        store.save_account(
            Account("ada", "ada@example.org", "$argon2id$y", session_epoch=2**31 - 1)
        )
        assert store.account("ada") == Account(
            "ada", "ada@example.org", "$argon2id$y", session_epoch=2**31 - 1
        )

    def test_login_failures_count_in_a_window_per_subject(self, store: AppStore) -> None:
        assert store.login_failures("name:ada", 1000.0) == 0
        assert [store.add_login_failure("name:ada", 1000.0 + i, 300) for i in range(3)] == [1, 2, 3]
        assert store.add_login_failure("client:127.0.0.1", 1001.0, 300) == 1
        assert store.login_failures("name:ada", 1299.9) == 3  # the window opened at 1000
        assert store.login_failures("name:bob", 1001.0) == 0
        assert store.login_failures("name:ada", 1300.0) == 0  # closed: forgotten
        assert store.add_login_failure("name:ada", 1300.0, 300) == 1  # a new window
        assert store.login_failures("name:ada", 1599.0) == 1
        assert store.login_failures("client:127.0.0.1", 1300.0) == 1  # its window: 1001 + 300
        store.clear_login_failures("name:ada")
        store.clear_login_failures("name:nobody")
        assert store.login_failures("name:ada", 1300.0) == 0
        assert store.login_failures("client:127.0.0.1", 1300.0) == 1

    def test_login_failures_of_closed_windows_are_pruned(self, store: AppStore) -> None:
        for i in range(20):
            store.add_login_failure(f"name:guess{i}", 1000.0, 60)
        store.add_login_failure("name:ada", 1100.0, 60)  # the guesses' windows closed at 1060
        assert sum(store.login_failures(f"name:guess{i}", 1000.0) for i in range(20)) == 0
        assert store.login_failures("name:ada", 1100.0) == 1

    # --- properties -------------------------------------------------------------------------

    @settings(
        max_examples=int(os.environ.get("STORE_EXAMPLES", "25")),
        deadline=None,
        # a fresh store each; one test method run by each backend's subclass
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.differing_executors,
        ],
    )
    @given(records=_records, batch_size=st.integers(1, 4))
    def test_upserts_match_sequential_merge_and_are_idempotent(
        self, make_store: StoreFactory, records: list[Paper], batch_size: int
    ) -> None:
        expected: dict[str, Paper] = {}
        for r in records:
            r = r.with_(sources=("s",))
            expected[r.id] = merge_papers(expected[r.id], r) if r.id in expected else r
        s = make_store()
        stats = s.upsert_papers(records, "s", batch_size=batch_size)
        assert stats.total == len(records) and stats.inserted == len(expected)
        for pid, want in expected.items():
            got = s.get_paper(pid)
            assert got is not None
            assert (got.title, got.abstract, got.date, got.version, got.doi) == (
                want.title,
                want.abstract,
                want.date,
                want.version,
                want.doi,
            )
        again = s.upsert_papers(records, "s", batch_size=batch_size)
        assert again == UpsertStats(0, 0, len(records), 0)
        again = s.upsert_papers(records[::-1], "s", batch_size=batch_size)
        assert again == UpsertStats(0, 0, len(records), 0)
        s.check_integrity()
        s.close()
