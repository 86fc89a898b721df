"""Test tiers by folder: every test gets the marker of its folder (tests/unit/ → ``unit``,
tests/integration/ → ``integration``, tests/browser/ → ``browser``), so ``pytest -m unit`` is
the fast tier and a slow test cannot join it by forgetting a marker. The helpers beside this
file (``replay.py``, the recorded-response HTTP server) import as top-level modules."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# the postgres and ray tests' fixtures (and, under PAPERFEED_REQUIRE_POSTGRES=1 or
# PAPERFEED_REQUIRE_RAY=1, their no-skip rules)
pytest_plugins = ("pg_server", "ray_cluster")

TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))
TIERS = ("unit", "integration", "browser")


def tier_problem(path: Path, markers: set[str]) -> tuple[str | None, str | None]:
    """The tier of the test file at ``path`` and, when it has no valid one, why not."""
    try:
        parts = path.resolve().relative_to(TESTS).parts
    except ValueError:
        parts = ()
    if len(parts) < 2 or parts[0] not in TIERS:
        folders = ", ".join(f"tests/{t}/" for t in TIERS)
        return None, f"sits outside the tier folders ({folders}): move it into one"
    tier = parts[0]
    wrong = sorted(markers & set(TIERS) - {tier})
    if wrong:
        return tier, (
            f"is in tests/{tier}/ but marked {', '.join(wrong)}: move it to tests/{wrong[0]}/ "
            "(tests that need the store on disk, the real model, the CLI, SMTP or a server "
            "belong in tests/integration/)"
        )
    return tier, None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Add each test's folder marker; a misplaced test fails collection, naming every offender."""
    problems: dict[str, str] = {}
    for item in items:
        tier, problem = tier_problem(item.path, {m.name for m in item.iter_markers()})
        if problem is not None:
            where = item.nodeid if tier else item.nodeid.split("::")[0]
            problems.setdefault(where, problem)
        elif tier is not None:
            item.add_marker(getattr(pytest.mark, tier))
    if problems:
        lines = [f"{where} {why}" for where, why in sorted(problems.items())]
        raise pytest.UsageError("misplaced tests:\n  " + "\n  ".join(lines))
