"""One paper per paper (issue 13.4): records whose normalized abstracts agree are one paper,
the arXiv id wins; the key is added to stores made before it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from paperfeed.models import Paper
from paperfeed.sources import parse_path
from paperfeed.store import open_store
from paperfeed.store.identity import abstract_key
from paperfeed.store.migrations.sqlite import MIGRATIONS, migrate

pytestmark = pytest.mark.integration

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
ABSTRACT = (
    "We propose a method for training large language models with optimizer states of low "
    "rank, which cuts memory by half while keeping the accuracy of full-rank training on "
    "every benchmark we tried."
)


def test_abstract_key_ignores_layout_and_rejects_short_texts() -> None:
    spaced = "  " + ABSTRACT.replace(" ", "\n ").upper() + " "
    assert abstract_key(ABSTRACT) == abstract_key(spaced) is not None
    assert abstract_key("A short note.") is None
    assert abstract_key(ABSTRACT) != abstract_key(ABSTRACT.replace("half", "a third"))


def test_a_pasted_abstract_is_the_listed_paper(tmp_path: Path) -> None:
    with open_store(tmp_path / "p.db") as store:
        store.upsert_papers([Paper(id="text:abc", abstract=ABSTRACT)], source="abstracts")
        listed = Paper(id="2601.00001", title="Low-rank optimizer states", abstract=ABSTRACT)
        stats = store.upsert_papers([listed], source="jsonl")
        assert stats.inserted == 0 and store.count_papers() == 1
        assert store.get_paper("text:abc").id == "2601.00001"  # the arXiv id wins
        assert store.get_paper("2601.00001").title == "Low-rank optimizer states"
        other = Paper(id="2601.00002", title="Another arXiv record", abstract=ABSTRACT)
        store.upsert_papers([other], source="jsonl")  # two arXiv ids stay two papers
        assert store.count_papers() == 2


@pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds is not beside the repository")
def test_seed_000_and_001_share_six_papers(tmp_path: Path) -> None:
    with open_store(tmp_path / "p.db") as store:
        ids = []
        for name in ("000_4abb7bda9c42c775.txt", "001_d815dd8ff115ccd5.txt"):
            papers = parse_path(SEEDS / name).papers
            store.upsert_papers(papers, source=name)
            ids += store.resolve_ids([p.id for p in papers])
        store.ensure_user("linda")
        store.add_profile_papers("linda", ids)
        profile = store.profile_papers("linda")
        assert len(profile) == 14  # 10 + 10 - the 6 abstracts both pages hold
        assert sum(p.id.startswith("text:") for p in profile) == 4


def test_stores_from_before_get_the_key(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, MIGRATIONS[:4])
    conn.execute(
        "INSERT INTO papers (id, title, abstract, authors, categories, extra, content_hash, "
        "added_at, updated_at) VALUES ('text:old', '', ?, '[]', '[]', '{}', 'h', 't', 't')",
        [ABSTRACT],
    )
    conn.close()
    with open_store(path) as store:
        store.upsert_papers([Paper(id="2601.00009", title="T", abstract=ABSTRACT)], source="x")
        assert store.count_papers() == 1 and store.get_paper("text:old").id == "2601.00009"
