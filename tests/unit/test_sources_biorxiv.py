"""The bioRxiv/medRxiv details parser on recorded pages: ids, versions, authors, the markup
the API leaves in abstracts, and the page facts the fetcher pages with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paperfeed.sources import ParseError, parse_path, parse_text
from paperfeed.sources.biorxiv import (
    category_key,
    category_param,
    clean_text,
    page_info,
    split_authors,
)

FIX = Path(__file__).resolve().parents[1] / "fixtures"
PAGE1 = FIX / "fetch" / "biorxiv_neuro_p1.json"
MEDRXIV = FIX / "fetch" / "medrxiv_epidemiology.json"
SAVED = FIX / "sources" / "biorxiv_details.json"


def test_a_page_becomes_papers_with_doi_ids_links_and_categories() -> None:
    result = parse_path(PAGE1)
    assert result.format == "biorxiv-json" and result.issues == []
    assert [p.id for p in result.papers] == [
        "doi:10.1101/2023.12.28.573540",
        "doi:10.1101/2024.01.02.573901",
        "doi:10.1101/2023.11.30.569412",
    ]
    grid, sleep, dopa = result.papers
    assert grid.doi == "10.1101/2023.12.28.573540" and grid.version == 1
    assert grid.date == "2024-01-02" and grid.categories == ("neuroscience",)
    assert grid.url == "https://www.biorxiv.org/content/10.1101/2023.12.28.573540v1"
    assert grid.title == "Grid cells anchor to local boundaries in a virtual Drosophila-free arena"
    assert grid.sources == ("biorxiv-json",) and grid.venue is None
    assert grid.extra == {"server": "bioRxiv", "type": "new results", "license": "cc_by"}
    # 'published' is "NA" until a journal version exists; then its DOI is kept
    assert "published_doi" not in sleep.extra
    assert dopa.extra["published_doi"] == "10.1038/s41593-024-01588-2"
    assert dopa.version == 3 and dopa.url.endswith("569412v3")


def test_authors_are_first_name_first_and_the_corresponding_author_gets_a_full_name() -> None:
    grid, sleep, dopa = parse_path(PAGE1).papers
    assert grid.authors == (
        "Adaeze Okonkwo",  # "Okonkwo, A." + author_corresponding "Adaeze Okonkwo"
        "M. E. Lindqvist",
        "J.-H. Park",
        "Brain Mapping Consortium",  # no comma: kept as given
    )
    assert sleep.authors == ("R. Haddad", "C. Moreau", "Yuki Tanaka")  # the last one
    assert dopa.authors == ("Beatriz Gomes Silva", "K. Nakamura")  # two initials agree
    # initials that disagree with the corresponding author's given names: no upgrade
    assert split_authors("Silva, J.; Silva, B.", "Beatriz Silva") == ("J. Silva", "Beatriz Silva")
    assert split_authors("van der Berg, A.;; O'Brien, S.", "Anna van der Berg") == (
        "Anna van der Berg",
        "S. O'Brien",
    )
    assert split_authors("") == ()


def test_abstract_markup_is_removed() -> None:
    sleep = parse_path(PAGE1).papers[1]
    assert sleep.abstract.endswith(
        "Highlights • Spindle onset predicts prefrontal replay of hippocampal sequences "
        "• Optogenetic suppression of spindles abolishes the transfer "
        "• The effect is specific to NREM stage 2"
    )
    for debris in ("O_FIG", "C_LI", "DTLVardef", "FIGDIR", "Graphical Abstract", "View larger"):
        assert debris not in sleep.abstract
    dopa = parse_path(PAGE1).papers[2]
    assert "information gain ≈ 40% more closely" in dopa.abstract  # JATS {approx}
    assert clean_text("<p>x &lt; 0.01 &amp; <i>in vivo</i></p>") == "x < 0.01 & in vivo"
    assert clean_text("AO_SCPCAPBSTRACTC_SCPCAP text") == "ABSTRACT text"
    assert clean_text("before O_FIG never closed") == "before"
    assert clean_text("p < 0.05 and a<b") == "p < 0.05 and a<b"  # not tags


def test_medrxiv_structured_abstract_headings_are_separated() -> None:
    result = parse_path(MEDRXIV)
    first, second = result.papers
    assert first.url == "https://www.medrxiv.org/content/10.1101/2024.01.02.24300712v1"
    assert first.extra["server"] == "medRxiv" and first.extra["type"] == "PUBLISHAHEADOFPRINT"
    assert first.abstract.startswith("Background: The long-term cardiovascular risk")
    assert "Methods: We linked" in first.abstract and "34 ± 8 years" in first.abstract
    assert "Conclusions: SARS-CoV-2 infection" in first.abstract
    assert second.abstract.startswith("Objective: To test whether influenza RNA")
    assert "Design: Ecological" in second.abstract and "Findings: Wastewater" in second.abstract


def test_the_newest_version_of_a_doi_wins_whatever_the_order() -> None:
    saved = parse_path(SAVED)  # v1 then v2 of the grid-cell preprint, pretty-printed
    assert saved.format == "biorxiv-json" and saved.issues == []
    grid = next(p for p in saved.papers if p.id == "doi:10.1101/2023.12.28.573540")
    assert grid.version == 2 and grid.date == "2024-01-03"
    assert "remains unresolved & debated" in grid.abstract and "(p < 0.01)" in grid.abstract
    assert len(saved.papers) == 3
    doc = json.loads(SAVED.read_text())
    doc["collection"].reverse()  # v2 first: still v2
    again = parse_text(json.dumps(doc), "biorxiv-json")
    assert next(p for p in again.papers if p.id == grid.id).version == 2


def test_a_json_array_of_records_is_read_too() -> None:
    records = json.loads(PAGE1.read_text())["collection"]
    result = parse_text(json.dumps(records))
    assert result.format == "biorxiv-json" and len(result.papers) == 3


def test_bad_records_are_skipped_with_a_line_each() -> None:
    good = json.loads(PAGE1.read_text())["collection"][0]
    page = {
        "messages": [{"status": "ok", "count": 4, "total": "4"}],
        "collection": [
            {**good, "doi": "not a doi"},
            {**good, "doi": "10.1101/2024.01.01.000001", "title": "", "abstract": ""},
            "a string",
            {**good, "version": "v2", "date": "yesterday"},
        ],
    }
    result = parse_text(json.dumps(page), "biorxiv-json", filename="page.json")
    assert [p.id for p in result.papers] == ["doi:10.1101/2023.12.28.573540"]
    assert result.papers[0].version is None and result.papers[0].date is None
    messages = [str(i) for i in result.issues]
    assert any("field 'doi': not a DOI" in m for m in messages)
    assert any("neither a title nor an abstract" in m for m in messages)
    assert any("expected a JSON object" in m for m in messages)
    assert any("'version': not a number" in m for m in messages)
    assert any("unreadable date 'yesterday'" in m for m in messages)
    assert all("\n" not in m for m in messages)


def test_error_answers_and_truncated_pages_are_issues_not_tracebacks() -> None:
    error = parse_text('{"messages":[{"status":"error: bad interval"}],"collection":[]}')
    assert error.format == "biorxiv-json" and error.papers == []
    assert error.issues[0].message == "bioRxiv API: error: bad interval"
    empty = parse_text('{"messages":[{"status":"no posts found"}],"collection":[]}')
    assert empty.papers == [] and empty.issues == []
    cut = PAGE1.read_text()[:1500]
    truncated = parse_text(cut, "biorxiv-json", filename="cut.json")
    assert truncated.papers == [] and "invalid JSON" in truncated.issues[0].message
    wrong = parse_text('{"messages": []}', "biorxiv-json", filename="w.json")
    assert "no 'collection' list" in wrong.issues[0].message


def test_page_info() -> None:
    info = page_info(PAGE1.read_text())
    assert (info.status, info.records, info.total, info.cursor) == ("ok", 3, 7, 0)
    assert info.category == "neuroscience" and info.ok and not info.empty
    none = page_info('{"messages":[{"status":"no posts found"}],"collection":[]}')
    assert none.empty and none.total is None and none.records == 0
    with pytest.raises(ParseError, match=r"^x: not JSON"):
        page_info("<html>busy</html>", "x")
    with pytest.raises(ParseError, match="no 'messages' list"):
        page_info('{"collection": []}')


def test_category_spellings() -> None:
    for spelling in ("Cell Biology", "cell_biology", "CELL-BIOLOGY", " cell  biology "):
        assert category_key(spelling) == "cell biology"
        assert category_param(spelling) == "cell_biology"
    assert category_key("HIV/AIDS") == "hiv aids"


def test_the_doi_is_the_same_paper_in_a_zotero_library() -> None:
    zotero_item = {
        "key": "BX7QK2PM",
        "data": {
            "key": "BX7QK2PM",
            "itemType": "preprint",
            "title": "Dopamine ramps reflect the value of information, not of reward",
            "DOI": "10.1101/2023.11.30.569412",
            "creators": [{"creatorType": "author", "firstName": "Beatriz", "lastName": "Silva"}],
        },
    }
    (zot,) = parse_text(json.dumps([zotero_item]), "zotero-json").papers
    assert zot.id == parse_path(PAGE1).papers[2].id == "doi:10.1101/2023.11.30.569412"
