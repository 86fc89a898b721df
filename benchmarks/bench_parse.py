"""Parse time per MB of synthetic arXiv Atom, OAI-PMH, JSON lines and BibTeX inputs of 1 to
50 MB, built from real records of the arXiv CS corpus: flat seconds per MB mean linear time.

    .venv/bin/python benchmarks/bench_parse.py --corpus data/arxiv-cs-2025-2026.jsonl.gz

Each input is parsed once in memory (``parse_text``); JSON lines also streamed from a file
(``parse_path``). The last row is the Atom input cut off mid-entry, which takes the salvage
path for broken XML.
"""

from __future__ import annotations

import argparse
import gzip
import json
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from paperfeed.sources import parse_path, parse_text

MB = 1024 * 1024
ATOM_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">\n'
    "<title>bench</title>\n"
)
OAI_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">\n'
    "<responseDate>2026-01-01T00:00:00Z</responseDate>\n<ListRecords>\n"
)


def records(corpus: Path) -> Iterator[dict[str, Any]]:
    """The corpus records, in file order."""
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def atom_entry(r: dict[str, Any]) -> str:
    authors = "".join(f"<author><name>{escape(a)}</name></author>" for a in r["authors"])
    cats = "".join(f'<category term="{escape(c)}"/>' for c in r["categories"])
    return (
        f"<entry>\n<id>http://arxiv.org/abs/{r['id']}v1</id>\n"
        f"<published>{r['listing_date']}T00:00:00Z</published>\n"
        f"<title>{escape(r['title'])}</title>\n<summary>{escape(r['abstract'])}</summary>\n"
        f"{authors}\n{cats}\n</entry>\n"
    )


def oai_record(r: dict[str, Any]) -> str:
    authors = "".join(
        f"<author><keyname>{escape(a.split()[-1])}</keyname>"
        f"<forenames>{escape(' '.join(a.split()[:-1]))}</forenames></author>"
        for a in r["authors"]
        if a.split()
    )
    return (
        f"<record>\n<header><identifier>oai:arXiv.org:{r['id']}</identifier>"
        f"<datestamp>{r['listing_date']}</datestamp></header>\n<metadata>\n"
        '<arXiv xmlns="http://arxiv.org/OAI/arXiv/">\n'
        f"<id>{r['id']}</id><created>{r['listing_date']}</created>"
        f"<authors>{authors}</authors>\n<title>{escape(r['title'])}</title>\n"
        f"<categories>{escape(' '.join(r['categories']))}</categories>\n"
        f"<abstract>{escape(r['abstract'])}</abstract>\n</arXiv>\n</metadata>\n</record>\n"
    )


def jsonl_line(r: dict[str, Any]) -> str:
    return json.dumps(r, ensure_ascii=False) + "\n"


def bibtex_entry(r: dict[str, Any]) -> str:
    def flat(s: str) -> str:
        return s.replace("{", "").replace("}", "").replace("\\", "")

    return (
        f"@article{{k{r['id'].replace('.', '_')},\n  title = {{{flat(r['title'])}}},\n"
        f"  author = {{{' and '.join(flat(a) for a in r['authors'])}}},\n"
        f"  year = {{{r['listing_date'][:4]}}},\n  eprint = {{{r['id']}}},\n"
        f"  archivePrefix = {{arXiv}},\n  abstract = {{{flat(r['abstract'])}}}\n}}\n\n"
    )


# format → (head, one record's text, tail)
BUILDERS: dict[str, tuple[str, Callable[[dict[str, Any]], str], str]] = {
    "arxiv-atom": (ATOM_HEAD, atom_entry, "</feed>\n"),
    "arxiv-oai": (OAI_HEAD, oai_record, "</ListRecords>\n</OAI-PMH>\n"),
    "jsonl": ("", jsonl_line, ""),
    "bibtex": ("", bibtex_entry, ""),
}


def build(fmt: str, recs: list[dict[str, Any]], size: int) -> tuple[str, int]:
    """A ``fmt`` document of about ``size`` bytes and the number of records in it."""
    head, one, tail = BUILDERS[fmt]
    parts = [head]
    total = len(head)
    n = 0
    while total < size:
        part = one(recs[n])
        parts.append(part)
        total += len(part.encode("utf-8"))
        n += 1
    parts.append(tail)
    return "".join(parts), n


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = run()
    return time.perf_counter() - start, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 5, 10, 50], help="MB")
    args = ap.parse_args()

    largest = max(args.sizes) * MB
    recs: list[dict[str, Any]] = []
    size = 0
    for r in records(args.corpus):  # enough distinct records for the largest input
        recs.append(r)
        size += len(bibtex_entry(r))  # the most compact format needs the most records
        if size > largest * 1.1:
            break
    print(f"{len(recs)} records from {args.corpus.name}")
    print("| input | " + " | ".join(f"{s} MB" for s in args.sizes) + " |")
    print("|---|" + "---:|" * len(args.sizes))
    rows: list[tuple[str, Callable[[str, int, Path], float]]] = []
    for fmt in BUILDERS:
        rows.append((f"{fmt} (parse_text)", _text_runner(fmt)))
    rows.append(("jsonl (parse_path, streamed)", _path_runner))
    rows.append(("arxiv-atom cut off mid-entry (salvage)", _salvage_runner))
    with tempfile.TemporaryDirectory() as tmp:
        for label, runner in rows:
            cells = []
            for mb in args.sizes:
                fmt = "jsonl" if "jsonl" in label else label.split()[0]
                text, n = build(fmt, recs, mb * MB)
                seconds = runner(text, n, Path(tmp))
                cells.append(f"{seconds / (len(text.encode('utf-8')) / MB):.3f}")
            print(f"| {label} | " + " | ".join(cells) + " |", flush=True)
    print("(seconds per MB)")


def _text_runner(fmt: str) -> Callable[[str, int, Path], float]:
    def run(text: str, n: int, tmp: Path) -> float:
        seconds, result = timed(lambda: parse_text(text, fmt, filename="bench"))
        assert len(result.papers) == n, (fmt, len(result.papers), n, result.issues[:3])
        return seconds

    return run


def _path_runner(text: str, n: int, tmp: Path) -> float:
    path = tmp / "bench.jsonl"
    path.write_text(text, encoding="utf-8")
    seconds, result = timed(lambda: parse_path(path, "jsonl"))
    assert len(result.papers) == n
    return seconds


def _salvage_runner(text: str, n: int, tmp: Path) -> float:
    cut = text[: text.rfind("</entry>") - 20]  # the last entry loses its end
    seconds, result = timed(lambda: parse_text(cut, "arxiv-atom", filename="bench"))
    assert len(result.papers) == n - 1, (len(result.papers), n)
    return seconds


if __name__ == "__main__":
    main()
