"""Paper identity helpers."""

from __future__ import annotations

import pytest

from paperfeed import ids


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("2401.01234", ("2401.01234", None)),
        ("arXiv:2401.01234v2", ("2401.01234", 2)),
        ("https://arxiv.org/abs/2401.01234v3", ("2401.01234", 3)),
        ("https://arxiv.org/pdf/2401.01234.pdf", ("2401.01234", None)),
        ("0704.0001", ("0704.0001", None)),
        ("hep-th/9901001", ("hep-th/9901001", None)),
        ("hep-th/9901001v2", ("hep-th/9901001", 2)),
        ("math.GT/0309136", ("math.GT/0309136", None)),
        ("https://arxiv.org/abs/cond-mat/0102536v1", ("cond-mat/0102536", 1)),
        ("no id here", None),
    ],
)
def test_split_arxiv_id(text: str, want: tuple[str, int | None] | None) -> None:
    assert ids.split_arxiv_id(text) == want


def test_is_arxiv_id() -> None:
    assert ids.is_arxiv_id("arXiv:2401.01234v2")
    assert ids.is_arxiv_id("hep-th/9901001")
    assert not ids.is_arxiv_id("see 2401.01234")
    assert not ids.is_arxiv_id("10.1000/xyz")


def test_dois() -> None:
    assert ids.normalize_doi("https://doi.org/10.1038/Nature14539.") == "10.1038/nature14539"
    assert ids.normalize_doi("nothing") is None
    assert ids.arxiv_id_from_doi("10.48550/arXiv.2401.01234") == "2401.01234"
    assert ids.arxiv_id_from_doi("10.48550/arxiv.hep-th/9901001") == "hep-th/9901001"
    assert ids.arxiv_id_from_doi("10.1038/nature14539") is None


def test_text_ids() -> None:
    assert ids.text_id_for("", "An abstract.") == ids.text_id("An abstract.")
    assert ids.text_id_for("T", "A") == ids.text_id("T A")
    assert ids.text_id_for("T", "A") != ids.text_id_for("T", "B")
    assert ids.text_id("  A  b ") == ids.text_id("a B")


def test_find_arxiv_ids_in_order() -> None:
    text = "see hep-th/9901001 and arXiv:2401.01234v2, then 2401.01234 again and 0704.0001"
    assert ids.find_arxiv_ids(text) == ["hep-th/9901001", "2401.01234", "0704.0001"]


def test_title_key() -> None:
    assert ids.title_key("Attention Is All You Need!") == ids.title_key("attention is all-you need")
