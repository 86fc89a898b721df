#!/usr/bin/env bash
# The main job on the embedded default: Linda's profile (seed 000), the last 30 days of the
# shared arXiv corpus, the top 20 with explanations, and an HTML digest.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared}
export PAPERFEED_HOME=${PAPERFEED_HOME:-$PWD/out/demo-home}
PF=.venv/bin/paperfeed
SEED="$SHARED/seeds/000_4abb7bda9c42c775.txt"
CORPUS="$SHARED/data/arxiv-cs-2025-2026.jsonl.gz"
DIGEST=out/demo-digest.html
mkdir -p out

if [[ ! -f "$CORPUS" || ! -f "$SEED" ]]; then
  echo "demo: $CORPUS or $SEED not found." >&2
  echo "demo: fetching the live arXiv listing arrives with the ingestion work; until then run the" >&2
  echo "      demo with ../shared beside the repository (or SHARED=/path/to/shared make demo)." >&2
  exit 1
fi

$PF init
$PF profile add --user linda "$SEED"
$PF ingest "$CORPUS" --last-days 30
$PF recommend --user linda --days 30 --top 20
$PF recommend --user linda --days 30 --top 20 --format html --output "$DIGEST"
echo "demo: HTML digest written to $DIGEST (open it in a browser)"
