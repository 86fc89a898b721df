"""arXiv API Atom, OAI-PMH (arXiv, arXivRaw) and rss.arxiv.org feeds."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from paperfeed.sources import ParseError, detect_format, parse_oai, parse_path, parse_text

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "sources"


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_api_atom_entries() -> None:
    result = parse_text(read("arxiv_api_query.xml"), filename="q.xml")
    assert result.format == "arxiv-atom"
    assert result.issues == []
    attention, maldacena, sparse = result.papers
    assert (attention.id, attention.version, attention.date) == ("1706.03762", 7, "2017-06-12")
    assert attention.title == "Attention Is All You Need"
    assert attention.abstract.startswith("The dominant sequence transduction models are based on")
    assert "\n" not in attention.abstract
    assert attention.authors == ("Ashish Vaswani", "Noam Shazeer", "Niki Parmar")
    assert attention.categories == ("cs.CL", "cs.LG")
    assert attention.comment == "15 pages, 5 figures"
    assert attention.url == "http://arxiv.org/abs/1706.03762v7"
    assert attention.extra["updated"] == "2023-08-02"
    assert maldacena.id == "hep-th/9711200" and maldacena.version == 3
    assert maldacena.doi == "10.1023/a:1026654312961"
    assert maldacena.venue == "Adv.Theor.Math.Phys.2:231-252,1998"
    assert maldacena.extra["affiliations"] == ["Harvard University"]
    assert sparse.title == "Efficient Sparse Attention for Long Documents via Learned Routing"
    assert sparse.authors == ("Jane Doe", "José Example")
    assert "$\\mathcal{O}(n \\log n)$" in sparse.abstract  # stored text keeps its LaTeX


def test_api_error_entry_is_an_issue() -> None:
    result = parse_text(read("arxiv_api_error.xml"), filename="e.xml")
    assert result.papers == []
    assert "incorrect id format for 1234.12345" in result.issues[0].message
    assert result.issues[0].where == "e.xml:10"


def test_truncated_atom_keeps_complete_entries() -> None:
    result = parse_path(FIXTURES / "arxiv_api_truncated.xml")
    assert [p.id for p in result.papers] == ["1706.03762"]
    (issue,) = result.issues
    assert "invalid XML" in issue.message
    assert issue.where.rsplit(":", 1)[1].isdigit()


def test_oai_arxiv_format_and_token() -> None:
    result, token = parse_oai(read("arxiv_oai_arxiv.xml"), filename="o.xml")
    assert token == "6960524|1001"
    assert result.format == "arxiv-oai"
    sparsity, rank = result.papers
    assert (sparsity.id, sparsity.date) == ("0704.0002", "2007-03-30")
    assert sparsity.authors == ("Ileana Streinu", "Louis Theran")
    assert sparsity.categories == ("math.CO", "cs.CG")
    assert sparsity.comment == "To appear in Graphs and Combinatorics"
    assert sparsity.extra["updated"] == "2008-12-13"
    assert sparsity.extra["sets"] == ["cs", "math"]
    assert rank.title == "Learning to Rank Papers for Researchers"
    assert rank.authors == ("Anna Müller", "John Smith Jr")
    assert rank.doi == "10.1145/3626772.3657700" and rank.venue == "SIGIR 2024"
    (deleted,) = result.issues
    assert deleted.where == "o.xml:22" and "deleted" in deleted.message


def test_oai_arxivraw_versions_and_last_page() -> None:
    result, token = parse_oai(read("arxiv_oai_arxivraw.xml"))
    assert token is None  # empty resumptionToken: the list is complete
    sparsity, strings = result.papers
    assert (sparsity.version, sparsity.date, sparsity.extra["updated"]) == (
        2,
        "2007-03-31",
        "2008-12-13",
    )
    assert sparsity.extra["submitter"] == "Louis Theran"
    assert strings.id == "hep-th/9901001"
    assert strings.authors == ("A. Physicist", "B. Theorist", "C. Student")
    assert parse_text(read("arxiv_oai_arxivraw.xml")).papers == result.papers


def test_oai_error_and_truncation() -> None:
    result, token = parse_oai(read("arxiv_oai_error.xml"), filename="err.xml")
    assert token is None and result.papers == []
    assert "badResumptionToken" in result.issues[0].message
    cut = parse_path(FIXTURES / "arxiv_oai_truncated.xml")
    assert [p.id for p in cut.papers] == ["0704.0002"]
    assert any("invalid XML" in i.message for i in cut.issues)


def test_rss_announce_types() -> None:
    result = parse_text(read("arxiv_rss_cs_LG.xml"), filename="cs.LG.rss")
    assert result.format == "arxiv-rss"
    assert result.issues == []
    kinds = {p.id: p.extra["announce_type"] for p in result.papers}
    assert kinds == {
        "2401.07001": "new",
        "2401.07002": "cross",
        "2312.05555": "replace",
        "2311.04444": "replace-cross",
    }
    new = result.papers[0]
    assert new.abstract.startswith("We learn a researcher's preferences")
    assert "Announce Type" not in new.abstract
    assert new.authors == ("Alice Martin", "Bo Chen", "Carla Gómez")
    assert new.categories == ("cs.LG", "cs.IR")
    assert (new.date, new.version) == ("2024-01-16", 1)
    assert result.papers[2].version == 3


def test_rss_atom_variant() -> None:
    result = parse_path(FIXTURES / "arxiv_atom_feed_cs_LG.xml")
    assert result.format == "arxiv-rss"
    first, second = result.papers
    assert first.extra["announce_type"] == "new"
    assert first.authors == ("Alice Martin", "Bo Chen")
    assert second.extra["announce_type"] == "replace-cross" and second.version == 2


def test_old_style_rss_title() -> None:
    text = """<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://arxiv.org/"><title>cs.LG updates on arXiv.org</title></channel>
<item rdf:about="http://arxiv.org/abs/2301.00001">
<title>A Title. (arXiv:2301.00001v2 [cs.LG] UPDATED)</title>
<link>http://arxiv.org/abs/2301.00001</link>
<description rdf:parseType="Literal">&lt;p&gt;An abstract in HTML.&lt;/p&gt;</description>
<dc:creator> &lt;a href="http://arxiv.org/find/cs/1/au:+Doe_J/0/1/0/all/0/1"&gt;Jane Doe&lt;/a&gt;
</dc:creator>
</item>
</rdf:RDF>"""
    assert detect_format(text) == "arxiv-rss"
    (paper,) = parse_text(text).papers
    assert (paper.id, paper.version, paper.title) == ("2301.00001", 2, "A Title")
    assert paper.abstract == "An abstract in HTML."
    assert paper.authors == ("Jane Doe",)
    assert paper.extra["announce_type"] == "replace"


def test_entity_declarations_are_refused() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>'
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&lol;</title></entry></feed>'
    )
    result = parse_text(bomb, "arxiv-atom", filename="b.xml")
    assert result.papers == []
    assert "entity" in result.issues[0].message.lower()


@pytest.mark.parametrize("fmt", ["arxiv-atom", "arxiv-oai", "arxiv-rss"])
def test_garbage_xml_never_raises(fmt: str) -> None:
    for text in ("<feed", "<", "<OAI-PMH><ListRecords><record>", "<a></b>", "plain"):
        with contextlib.suppress(ParseError):
            parse_text(text, fmt)
