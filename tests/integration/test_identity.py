"""One paper across sources: arXiv JSONL + Hugging Face page + BibTeX become one record
(title key), in any order; profiles, ratings and old ids follow the merge."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from paperfeed.models import Paper
from paperfeed.sources import parse_path
from paperfeed.store import SQLiteStore, open_store
from paperfeed.store.identity import compatible, id_strength, match_key
from paperfeed.store.migrations.sqlite import MIGRATIONS, migrate
from paperfeed.store.sqlite_papers import PaperTables

pytestmark = pytest.mark.integration

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "identity"
LORA = "2406.12345"
RAG = "2406.12400"


def papers(name: str) -> tuple[list[Paper], str]:
    result = parse_path(FIX / name)
    return result.papers, result.format


@pytest.fixture()
def store(tmp_path: Path) -> SQLiteStore:
    s = open_store(tmp_path / "paperfeed.db")
    yield s  # type: ignore[misc]
    s.close()


def ingest(store: SQLiteStore, name: str):  # type: ignore[no-untyped-def]
    found, fmt = papers(name)
    return store.upsert_papers(found, fmt)


def test_title_key_rules() -> None:
    assert match_key("Low-Rank Adapters Meet Sparse Attention") == match_key(
        "low-rank adapters MEET sparse attention."
    )
    assert match_key("M{\\\"u}ller's $\\mathcal{O}(n)$ Attention for Graphs") == match_key(
        "Müller's O(n) attention for graphs"
    )
    assert match_key("Introduction") is None  # too short to match on
    assert match_key("Deep Learning") is None
    assert match_key("") is None
    assert [id_strength(i) for i in ("2406.12345", "hep-th/9901001", "doi:10.1/x", "text:ab")] == [
        3,
        3,
        2,
        1,
    ]
    a = Paper(id="2406.10001", title="t", authors=("Ana Müller",))
    assert compatible(a, Paper(id="text:x", authors=("A. Muller", "Bo Li")))
    assert not compatible(a, Paper(id="text:x", authors=("Someone Else",)))
    assert not compatible(a, Paper(id="2406.10002"))  # two arXiv ids are two papers
    assert not compatible(
        Paper(id="2406.10001", doi="10.1/a"), Paper(id="doi:10.1/b", doi="10.1/b")
    )


def test_arxiv_then_hf_then_bibtex_is_one_paper(store: SQLiteStore) -> None:
    first = ingest(store, "arxiv.jsonl")
    assert first.inserted == 2
    hf = ingest(store, "hf_page.txt")
    assert (hf.inserted, hf.merged) == (1, 1)  # the draft-trees paper is new
    bib = ingest(store, "library.bib")
    assert (bib.inserted, bib.merged) == (1, 2)  # only "Introduction" is new
    assert store.count_papers() == 2 + 1 + 1

    lora = store.get_paper(LORA)
    assert lora is not None
    assert set(lora.sources) == {"jsonl", "hf-papers-page", "bibtex"}
    assert lora.title == "Low-Rank Adapters Meet Sparse Attention for Long Documents"  # arXiv's
    assert lora.comment == "9 pages, 4 figures"
    assert lora.doi == "10.18653/v1/2024.acl-long.66"  # filled from BibTeX
    assert lora.venue and "Computational Linguistics" in lora.venue
    assert lora.extra["upvotes"] == 12  # from the Hugging Face page
    assert lora.extra["bibtex_key"] == "mueller2024lowrank"
    rag = store.get_paper(RAG)
    assert rag is not None and set(rag.sources) == {"jsonl", "bibtex"}

    # the merged-away ids still lead to the paper
    bib_papers, _ = papers("library.bib")
    assert store.get_paper(bib_papers[0].id) == lora  # doi:10.18653/…
    hf_papers, _ = papers("hf_page.txt")
    assert store.get_papers([hf_papers[0].id, RAG]) == [lora, rag]


def test_reimporting_changes_nothing(store: SQLiteStore) -> None:
    for name in ("arxiv.jsonl", "hf_page.txt", "library.bib"):
        ingest(store, name)
    before = {p.id: p for p in store.papers_between()}
    for name in ("library.bib", "hf_page.txt", "arxiv.jsonl"):
        again = ingest(store, name)
        assert again.inserted == 0 and again.updated == 0 and again.merged == 0
    assert {p.id: p for p in store.papers_between()} == before


def test_any_order_gives_the_same_paper(store: SQLiteStore, tmp_path: Path) -> None:
    for name in ("arxiv.jsonl", "hf_page.txt", "library.bib"):
        ingest(store, name)
    with open_store(tmp_path / "other.db") as other:
        for name in ("library.bib", "hf_page.txt", "arxiv.jsonl"):
            ingest(other, name)
        assert other.count_papers() == store.count_papers() == 4
        a, b = store.get_paper(LORA), other.get_paper(LORA)
        assert a is not None and b is not None
        assert (a.title, a.abstract, a.doi, a.venue, set(a.sources)) == (
            b.title,
            b.abstract,
            b.doi,
            b.venue,
            set(b.sources),
        )


def test_arxiv_arrival_takes_over_profiles_and_ratings(store: SQLiteStore) -> None:
    hf_papers, _ = papers("hf_page.txt")
    bib_papers, _ = papers("library.bib")
    ingest(store, "hf_page.txt")
    ingest(store, "library.bib")
    hf_id, rag_bib_id = hf_papers[0].id, bib_papers[1].id
    assert hf_id.startswith("text:") and rag_bib_id.startswith("text:")
    # before arXiv: the BibTeX DOI record and the HF text record are already one paper
    assert store.resolve_id(hf_id) == bib_papers[0].id
    store.add_profile_papers("ann", [hf_id, rag_bib_id])
    store.rate("ann", hf_id, "saved")
    store.rate("bob", rag_bib_id, "down")
    store.rate("bob", rag_bib_id, "up")

    stats = ingest(store, "arxiv.jsonl")
    assert stats.inserted == 0 and stats.updated == 2 and stats.merged == 2
    assert [p.id for p in store.profile_papers("ann")] == [LORA, RAG]
    assert store.ratings("ann") == {LORA: "saved"}
    assert store.ratings("bob") == {RAG: "up"}
    assert store.get_paper(rag_bib_id) == store.get_paper(RAG)
    assert store.count_papers() == 4
    lora = store.get_paper(LORA)
    assert lora is not None and lora.doi == "10.18653/v1/2024.acl-long.66"
    assert lora.title.startswith("Low-Rank Adapters Meet")  # the arXiv record's fields win
    # profile and rating calls with the old ids keep working
    assert store.add_profile_papers("ann", [hf_id]) == 0
    store.rate("ann", rag_bib_id, "opened")
    assert store.ratings("ann")[RAG] == "opened"
    store.check_integrity()
    hits = dict(store.search_text("sparse attention long documents"))
    assert LORA in hits and hf_id not in hits


def test_short_titles_and_other_authors_never_match(store: SQLiteStore) -> None:
    ingest(store, "library.bib")
    store.upsert_papers(
        [
            Paper(id="text:1", title="Introduction", abstract="another one"),
            Paper(
                id="text:2",
                title="Jointly Trained Retrievers for Retrieval-Augmented Generation",
                authors=("Totally Different",),
            ),
            Paper(
                id="2401.00001", title="Low-Rank Adapters Meet Sparse Attention for Long Documents"
            ),
            Paper(
                id="2401.00002", title="Low-Rank Adapters Meet Sparse Attention for Long Documents"
            ),
        ],
        "s",
    )
    ids = {p.id for p in store.papers_between()}
    assert {"text:1", "text:2", "2401.00001", "2401.00002"} <= ids
    # the DOI record went into the first arXiv paper; the second stays on its own
    assert store.resolve_id("doi:10.18653/v1/2024.acl-long.66") == "2401.00001"


def test_a_failed_merge_leaves_no_trace(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest(store, "hf_page.txt")
    hf_id = papers("hf_page.txt")[0][0].id
    store.add_profile_papers("ann", [hf_id])

    def broken(tables: PaperTables, old: str, new: str) -> None:
        tables.conn.execute("UPDATE profile_papers SET paper_id = ? WHERE paper_id = ?", (new, old))
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(PaperTables, "repoint", broken)
    with pytest.raises(sqlite3.OperationalError):
        ingest(store, "arxiv.jsonl")
    assert store.get_paper(LORA) is None and store.get_paper(hf_id) is not None
    assert [p.id for p in store.profile_papers("ann")] == [hf_id]


def test_migration_adds_title_keys_to_an_old_store(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, MIGRATIONS[:2])
    conn.execute(
        "INSERT INTO papers (id, title, content_hash, added_at, updated_at) "
        "VALUES ('2406.12345', 'Low-Rank Adapters Meet Sparse Attention for Long Documents', "
        "'h', 't', 't')"
    )
    conn.close()
    with open_store(path) as store:
        assert store.schema_version == len(MIGRATIONS)
        key = store.connection.execute("SELECT title_key FROM papers").fetchone()[0]
        assert key == match_key("Low-Rank Adapters Meet Sparse Attention for Long Documents")
        stats = ingest(store, "hf_page.txt")
        assert stats.merged == 1 and store.count_papers() == 2
