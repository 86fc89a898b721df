"""Hugging Face Papers pages (seeds 002–004) and the daily-papers JSON API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paperfeed import ids
from paperfeed.sources import detect_format, parse_path, parse_text

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "sources"
SEEDS = ROOT.parent / "shared" / "seeds"
SEED_002 = SEEDS / "002_0090e32e90b83b3a.txt"
SEED_003 = SEEDS / "003_8f80a89e55e3a444.txt"
SEED_004 = SEEDS / "004_bb86e3953c73899f.txt"
needs_seeds = pytest.mark.skipif(not SEED_004.exists(), reason="shared seeds not present")


@needs_seeds
@pytest.mark.parametrize(
    ("path", "count", "first", "last"),
    [
        (
            SEED_002,
            92,
            "Subset Selection Based On Multiple Rankings in the Presence of Bias: Effectiveness "
            "of Fairness Constraints for Multiwinner Voting Score Functions",
            "PV-Tuning: Beyond Straight-Through Estimation for Extreme LLM Compression",
        ),
        (
            SEED_003,
            59,
            "Low Rank Matrix Completion via Robust Alternating Minimization in Nearly Linear Time",
            "Initialization using Update Approximation is a Silver Bullet for Extremely Efficient "
            "Low-Rank Fine-Tuning",
        ),
        (
            SEED_004,
            80,
            "Parameter Competition Balancing for Model Merging",
            "Debiased Collaborative Filtering with Kernel-Based Causal Balancing",
        ),
    ],
)
def test_seed_pages_exact_counts(path: Path, count: int, first: str, last: str) -> None:
    result = parse_path(path)
    assert result.format == "hf-papers-page"
    assert result.issues == []
    assert len(result.papers) == count
    assert result.papers[0].title == first
    assert result.papers[-1].title == last
    for p in result.papers:
        assert p.title and len(p.title) < 300
        assert len(p.abstract) > 300
        assert p.id == ids.text_id_for(p.title, p.abstract)
        assert p.sources == ("hf-papers-page",)
    # no header line leaks in as a title
    titles = {p.title for p in result.papers}
    assert not titles & {"new", "Subscribe", "Daily Papers", "byAK and the research community"}


@needs_seeds
def test_seed_002_and_003_carry_no_metadata() -> None:
    for path in (SEED_002, SEED_003):
        assert all(p.date is None and not p.extra for p in parse_path(path).papers)


@needs_seeds
def test_seed_004_metadata() -> None:
    papers = {p.title: p for p in parse_path(SEED_004).papers}
    assert sum("author_count" in p.extra for p in papers.values()) == 77
    assert sum("upvotes" in p.extra for p in papers.values()) == 12
    assert sum(p.date is not None for p in papers.values()) == 77

    pcb = papers["Parameter Competition Balancing for Model Merging"]
    assert pcb.extra == {"author_count": 11, "date_text": "Oct 3, 2024"}
    assert pcb.date == "2024-10-03"
    assert pcb.abstract.endswith("https://github.com/duguodong7/pcb-merging.")

    swap = papers["Layer Swapping for Zero-Shot Cross-Lingual Transfer in Large Language Models"]
    assert (swap.date, swap.extra["author_count"], swap.extra["upvotes"]) == ("2024-10-02", 7, 3)

    mario = papers[
        "Language Models are Super Mario: Absorbing Abilities from Homologous Models "
        "as a Free Lunch"
    ]
    assert (mario.date, mario.extra["upvotes"]) == ("2023-11-06", 7)

    # "Apr 25 2": a date in the page's own year followed by 2 upvotes
    zoo = papers["A Model Zoo on Phase Transitions in Neural Networks"]
    assert zoo.extra["upvotes"] == 2 and zoo.extra["author_count"] == 6
    # the latest written-out year is 2024, so year-less dates are 2025
    assert zoo.date == "2025-04-25" and zoo.extra["year_inferred"] is True
    grafting = papers["Knowledge Grafting of Large Language Models"]
    assert grafting.date == "2025-05-24" and grafting.extra["author_count"] == 12

    chem = papers["Chem-R: Learning to Reason as a Chemist"]
    assert chem.date is None and chem.extra == {}


@needs_seeds
def test_seed_004_ref_year() -> None:
    text = SEED_004.read_text()
    papers = {p.title: p for p in parse_text(text, ref_year=2030).papers}
    assert papers["Knowledge Grafting of Large Language Models"].date == "2030-05-24"
    assert papers["Parameter Competition Balancing for Model Merging"].date == "2024-10-03"


def test_short_date_after_page_date_is_last_year() -> None:
    abstract = "word " * 80
    text = (
        "Daily Papers\n\nMar 11\n\n"
        f"Paper One\n\n{abstract}\n\n  • 3 authors\n·\nDec 20, 2023\n\n"
        f"Paper Two\n\n{abstract}x\n\n  • 1 author\n·\nJun 9 5\n\n"
        f"Paper Three\n\n{abstract}y\n\n  • 2 authors\n·\nFeb 1\n"
    )
    result = parse_text(text, filename="p.txt")
    assert result.format == "hf-papers-page"
    one, two, three = result.papers
    assert one.date == "2023-12-20"
    assert two.date == "2023-06-09" and two.extra["upvotes"] == 5  # Jun 9 > page date Mar 11
    assert three.date == "2024-02-01"
    assert two.extra["author_count"] == 1


def test_page_without_any_year() -> None:
    abstract = "word " * 80
    text = f"Title A\n\n{abstract}\n\n• 2 authors\n·\nOct 29\n\nTitle B\n\n{abstract}b\n"
    result = parse_text(text, "hf-papers-page", filename="p.txt")
    assert result.papers[0].date is None
    assert result.papers[0].extra["date_text"] == "Oct 29"
    assert any("ref_year" in i.message for i in result.issues)
    assert parse_text(text, "hf-papers-page", ref_year=2025).papers[0].date == "2025-10-29"


def test_orphan_title_and_missing_title_are_issues() -> None:
    abstract = "word " * 80
    text = (
        f"Header\n\nTitle A\n\n{abstract}\n\nOrphan title\n\n"
        f"Title B\n\n{abstract}b\n\n{abstract}c\n"
    )
    result = parse_text(text, "hf-papers-page", filename="p.txt")
    assert [p.title for p in result.papers] == ["Title A", "Title B", ""]
    messages = [f"{i.where} {i.message}" for i in result.issues]
    assert any("p.txt:7" in m and "title without an abstract" in m for m in messages)
    assert any("abstract without a title" in m for m in messages)


def test_daily_papers_api() -> None:
    result = parse_path(FIXTURES / "hf_daily_papers.json")
    assert result.format == "hf-daily-json"
    assert result.issues == []
    deepseek, mixtral = result.papers
    assert deepseek.id == "2401.02954"
    assert deepseek.title.startswith("DeepSeek LLM")
    assert deepseek.abstract.startswith("The rapid development of open-source")
    assert deepseek.authors == ("Xin Li", "Yuki Tanaka")
    assert deepseek.date == "2024-01-05"
    assert deepseek.url == "https://huggingface.co/papers/2401.02954"
    assert deepseek.extra["upvotes"] == 42
    assert deepseek.extra["num_comments"] == 3
    assert deepseek.extra["daily_date"] == "2024-01-08"
    assert deepseek.extra["github_repo"] == "https://github.com/example/llm"
    assert mixtral.extra["upvotes"] == 0
    assert mixtral.sources == ("hf-daily-json",)


def test_daily_papers_bad_items() -> None:
    items = json.loads((FIXTURES / "hf_daily_papers.json").read_text())
    items.append({"paper": {"id": "2401.09999", "title": 5}})
    items.append("not an object")
    text = json.dumps(items, indent=1)
    assert detect_format(text) == "hf-daily-json"
    result = parse_text(text, filename="d.json")
    assert len(result.papers) == 2
    assert len(result.issues) == 2
    assert "'paper.title'" in result.issues[0].message
    truncated = text[: text.index('"Mixtral of Experts"')]
    cut = parse_text(truncated, "hf-daily-json", filename="d.json")
    assert len(cut.papers) == 1 and "JSON" in cut.issues[0].message
