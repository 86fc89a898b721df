"""Agreement of the extractive TL;DR with hand labels, against two baselines (the first
sentence, and ``titles.contribution_sentence``) on the 40 abstracts of
``benchmarks/labels/tldr_labels.json``:

    .venv/bin/python benchmarks/bench_tldr.py --corpus ../shared/data/arxiv-cs-2025-2026.jsonl.gz

"best" counts picks of the one sentence labelled best; "acceptable" counts picks of any
sentence labelled as a fair one-line TL;DR.
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections.abc import Callable
from pathlib import Path

from paperfeed.titles import contribution_sentence, sentences
from paperfeed.tldr import extractive_tldr, first_sentence, shorten_tldr

LABELS = Path(__file__).parent / "labels" / "tldr_labels.json"
CORPUS = Path("../shared/data/arxiv-cs-2025-2026.jsonl.gz")


def _index(chosen: str, found: list[str]) -> int:
    """Which sentence of ``found`` a (possibly shortened) TL;DR is."""
    return next(i for i, s in enumerate(found) if shorten_tldr(s) == chosen)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    args = ap.parse_args()
    labels = {x["id"]: x for x in json.loads(LABELS.read_text())["labels"]}
    papers = {}
    with gzip.open(args.corpus, "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row["id"] in labels:
                papers[row["id"]] = row
    methods: dict[str, Callable[[dict[str, str]], str]] = {
        "first sentence": lambda p: first_sentence(p["abstract"]),
        "titles.contribution_sentence": lambda p: shorten_tldr(
            contribution_sentence(p["abstract"])
        ),
        "tldr.extractive_tldr": lambda p: extractive_tldr(p["abstract"], p["title"]),
    }
    print(f"{len(papers)} labelled abstracts\n")
    print("| method | best | acceptable |\n|---|---:|---:|")
    for name, pick in methods.items():
        best = ok = 0
        for pid, lab in labels.items():
            found = sentences(papers[pid]["abstract"])
            if not found[lab["best"]].startswith(lab["best_starts"]):
                raise SystemExit(f"{pid}: the sentence split changed; relabel")
            i = _index(pick(papers[pid]), found)
            best += i == lab["best"]
            ok += i in lab["acceptable"]
        n = len(labels)
        print(f"| {name} | {best}/{n} ({best / n:.0%}) | {ok}/{n} ({ok / n:.0%}) |")


if __name__ == "__main__":
    main()
