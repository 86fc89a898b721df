"""The import rules of ARCHITECTURE.md (its "may import" table is the single source) and the size
limits of src/ (files up to 600 lines, functions up to 80), checked on the source's AST so a
wrong-way import or an overgrown module fails `make test`."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import tier_problem

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src" / "paperfeed"
DOC = REPO / "ARCHITECTURE.md"
ROOT = "paperfeed"  # the package root (`__version__`): every layer may import it
MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 80
_ROW = re.compile(r"^\|\s*`(\w+)`\s*\|")


def load_rules(text: str) -> dict[str, frozenset[str]]:
    """The table of the "Import rules" section: each layer → the layers it may import."""
    section = text.split("## Import rules", 1)[1].split("\n## ", 1)[0]
    rules: dict[str, frozenset[str]] = {}
    for line in section.splitlines():
        if match := _ROW.match(line):
            allowed = re.findall(r"`(\w+)`", line.rstrip().rstrip("|").rsplit("|", 1)[1])
            rules[match[1]] = frozenset(allowed)
    return rules


def layer_of(path: Path) -> str:
    """The layer a file of src/paperfeed belongs to: its top-level module or package."""
    parts = path.relative_to(SRC).parts
    return ROOT if parts == ("__init__.py",) else parts[0].removesuffix(".py")


def package_of(path: Path) -> list[str]:
    """The dotted package a file's relative imports start from, as a list of names."""
    return [ROOT, *path.relative_to(SRC).parts[:-1]]


def imported_modules(tree: ast.AST, package: list[str]) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of every paperfeed module imported anywhere in ``tree``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                prefix = ".".join(package[: len(package) - node.level + 1])
                base = f"{prefix}.{base}" if base else prefix
            # `from paperfeed import tokens` imports a module; `from .x import y` imports x
            names = [f"{base}.{a.name}" for a in node.names] if base == ROOT else [base]
        else:
            continue
        for name in names:
            if name == ROOT or name.startswith(ROOT + "."):
                yield node.lineno, name


def layer_named(dotted: str) -> str:
    """The layer of an imported dotted name (`paperfeed.__version__` is the package root)."""
    parts = dotted.split(".")
    return ROOT if len(parts) == 1 or parts[1].startswith("__") else parts[1]


def sources() -> list[Path]:
    """Every Python file of src/paperfeed."""
    return sorted(SRC.rglob("*.py"))


def rule_violations(rules: dict[str, frozenset[str]]) -> list[str]:
    """One line per import that the table does not allow (files of layers without a row are
    left to test_every_module_belongs_to_a_layer)."""
    found = []
    for path in sources():
        layer = layer_of(path)
        if layer not in rules and layer != ROOT:
            continue
        allowed = rules.get(layer, frozenset()) | {layer, ROOT}
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, dotted in sorted(imported_modules(tree, package_of(path))):
            target = layer_named(dotted)
            if target not in allowed:
                only = ", ".join(sorted(allowed - {layer, ROOT})) or "nothing"
                found.append(
                    f"{path.relative_to(REPO)}:{line} imports {target} "
                    f"({layer} may import only {only})"
                )
    return found


def size_violations() -> list[str]:
    """One line per file over MAX_FILE_LINES and per function over MAX_FUNCTION_LINES."""
    found = []
    for path in sources():
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(REPO)
        if (lines := len(text.splitlines())) > MAX_FILE_LINES:
            found.append(f"{where}: {lines} lines (at most {MAX_FILE_LINES})")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(
                        f"{where}:{node.lineno} {node.name}() is {length} lines "
                        f"(at most {MAX_FUNCTION_LINES})"
                    )
    return found


RULES = load_rules(DOC.read_text(encoding="utf-8"))


def test_the_table_is_found_and_names_only_its_own_layers() -> None:
    assert {"models", "store", "rank", "services", "cli"} <= RULES.keys()
    unknown = {name for allowed in RULES.values() for name in allowed} - RULES.keys()
    assert not unknown, f"ARCHITECTURE.md allows imports of layers without a row: {unknown}"


def test_every_module_belongs_to_a_layer() -> None:
    orphans = sorted({layer_of(p) for p in sources()} - RULES.keys() - {ROOT})
    assert not orphans, "in no layer of ARCHITECTURE.md (add a row or move the code): " + (
        ", ".join(orphans)
    )


def test_imports_follow_architecture_md() -> None:
    found = rule_violations(RULES)
    assert not found, "imports that ARCHITECTURE.md does not allow:\n" + "\n".join(found)


def test_files_and_functions_stay_small() -> None:
    found = size_violations()
    assert not found, "over the size limits of src/:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("code", "package", "expected"),
    [
        ("from paperfeed.store import open_store", [ROOT, "cli"], ["paperfeed.store"]),
        ("import paperfeed.rank.terms", [ROOT], ["paperfeed.rank.terms"]),
        (
            "from paperfeed import tokens, __version__",
            [ROOT],
            ["paperfeed.tokens", "paperfeed.__version__"],
        ),
        ("from ..authors import name_key", [ROOT, "store"], ["paperfeed.authors"]),
        ("from . import base", [ROOT, "store"], ["paperfeed.store"]),
        ("from .merge import merge_papers", [ROOT, "store"], ["paperfeed.store.merge"]),
        ("def f():\n    from paperfeed.daily import run\n", [ROOT, "web"], ["paperfeed.daily"]),
        ("import numpy\nfrom scipy import sparse", [ROOT], []),
    ],
)
def test_imports_are_resolved(code: str, package: list[str], expected: list[str]) -> None:
    assert [name for _, name in imported_modules(ast.parse(code), package)] == expected


def test_imported_names_map_to_layers() -> None:
    assert layer_named("paperfeed.store.sqlite") == "store"
    assert layer_named("paperfeed.models") == "models"
    assert layer_named("paperfeed.daily") == "daily"  # reported even once daily.py is gone
    assert layer_named("paperfeed.__version__") == ROOT
    assert layer_named("paperfeed") == ROOT


def test_rules_table_rows_are_parsed() -> None:
    doc = (
        "## Import rules\n| `a` | holds `x` | `b`, `c` |\n| `b` | y | nothing |\n"
        "## Next\n| `z` | | |"
    )
    assert load_rules(doc) == {"a": frozenset({"b", "c"}), "b": frozenset()}


def test_tiers_come_from_the_folder() -> None:
    tests = Path(__file__).resolve().parents[1]
    assert tier_problem(tests / "unit" / "test_x.py", set()) == ("unit", None)
    assert tier_problem(tests / "integration" / "test_x.py", {"integration", "slow"}) == (
        "integration",
        None,
    )
    tier, problem = tier_problem(tests / "unit" / "test_x.py", {"integration"})
    assert tier == "unit" and problem is not None and "move it to tests/integration/" in problem
    tier, problem = tier_problem(tests / "test_x.py", set())
    assert tier is None and problem is not None and "outside the tier folders" in problem
    assert tier_problem(tests / "fixtures" / "test_x.py", set())[0] is None
