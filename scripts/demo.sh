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
  # No shared data beside the repository: the live path. A profile from a few arXiv ids
  # (papers of the seed-001 listing), today's arXiv listing as candidates.
  echo "demo: $CORPUS or $SEED not found; using the live arXiv listing instead" >&2
  $PF init
  $PF fetch ids --profile linda 2408.12857 2409.01081 2408.06360 2408.12456
  $PF fetch rss cs.LG cs.CL cs.AI
  $PF recommend --user linda --days 7 --top 20
  $PF recommend --user linda --days 7 --top 20 --format html --output "$DIGEST"
  echo "demo: HTML digest written to $DIGEST (open it in a browser)"
  exit 0
fi

$PF init
$PF profile add --user linda "$SEED"
$PF ingest "$CORPUS" --last-days 30
$PF recommend --user linda --days 30 --top 20
$PF recommend --user linda --days 30 --top 20 --format html --output "$DIGEST"
echo "demo: HTML digest written to $DIGEST (open it in a browser)"
