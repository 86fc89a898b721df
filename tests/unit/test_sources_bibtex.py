"""BibTeX: ids from eprint/journal/DOI, LaTeX decoding, malformed and duplicate entries."""

from __future__ import annotations

from pathlib import Path

from paperfeed.sources import detect_format, parse_path, parse_text

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "sources"


def test_library_entries() -> None:
    result = parse_path(FIXTURES / "library.bib")
    assert result.format == "bibtex"
    by_key = {p.extra["bibtex_key"]: p for p in result.papers}
    assert list(by_key) == ["vaswani2017attention", "devlin2018bert", "mueller2020", "noids2021"]

    attention = by_key["vaswani2017attention"]
    assert attention.id == "1706.03762"
    assert attention.date == "2017-12-01"
    assert attention.venue == "Advances in Neural Information Processing Systems"  # @string
    assert attention.authors[0] == "Ashish Vaswani"
    assert attention.authors[6] == "Łukasz Kaiser"
    assert len(attention.authors) == 8

    bert = by_key["devlin2018bert"]
    assert bert.id == "1810.04805"  # from "arXiv preprint arXiv:1810.04805"
    assert bert.title.startswith("BERT: Pre-training")
    assert bert.venue is None  # a preprint "journal" is not a venue

    mueller = by_key["mueller2020"]
    assert mueller.id == "doi:10.1000/xyz.2020.123"
    assert mueller.title == "Über die Konvergenz von Verfahren für $\\mathcal{O}(n)$ Probleme"
    assert mueller.authors == ("Jörg Müller", "René Benoît")  # "others" dropped
    assert mueller.date == "2020-03-01"
    assert mueller.abstract == (
        "We prove convergence in $\\mathcal{O}(n)$ steps, improving on 50% of known bounds."
    )
    assert mueller.extra["keywords"] == ["convergence", "numerical analysis"]

    noids = by_key["noids2021"]
    assert noids.id.startswith("text:") and noids.comment == "Workshop talk"


def test_bad_entries_are_issues_and_good_ones_survive() -> None:
    result = parse_path(FIXTURES / "library.bib")
    name = str(FIXTURES / "library.bib")
    messages = {i.where: i.message for i in result.issues}
    assert "malformed" in messages[f"{name}:44"]
    assert "duplicate entry key 'mueller2020'" in messages[f"{name}:48"]
    assert "neither a title nor an abstract" in messages[f"{name}: entry notitle2019"]
    assert len(result.papers) == 4


def test_detection_without_extension() -> None:
    text = (FIXTURES / "library.bib").read_text()
    assert detect_format(text, "export.txt") == "bibtex"


def test_ids_from_url_and_arxiv_doi() -> None:
    text = """
@misc{a, title={A}, url={https://arxiv.org/abs/2401.01234v3}}
@misc{b, title={B}, doi={10.48550/arXiv.2312.05555}}
@article{c, title={C}, journal={CoRR}, volume={abs/1412.6980}, year={2014}}
@misc{d, title={D}, eprint={hep-th/9901001}, archivePrefix={arXiv}}
"""
    ids = [(p.id, p.version) for p in parse_text(text, "bibtex").papers]
    assert ids == [
        ("2401.01234", 3),
        ("2312.05555", None),
        ("1412.6980", None),
        ("hep-th/9901001", None),
    ]


def test_same_paper_twice_under_two_keys() -> None:
    text = (
        "@misc{a, title={A}, eprint={2401.01234}}\n"
        "@misc{b, title={A again}, eprint={2401.01234v2}}\n"
    )
    result = parse_text(text, "bibtex", filename="d.bib")
    assert len(result.papers) == 1
    assert result.issues[0].where == "d.bib: entry b" and "duplicate id" in result.issues[0].message
