"""Who may import what: digest/ renders purely, web/ goes through the delivery facade, and
delivery/ reaches the store and the network only through the library and paperfeed.fetch."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "paperfeed"

IO_MODULES = ("os", "pathlib", "shutil", "socket", "smtplib", "sqlite3", "urllib", "httpx")
RULES: dict[str, tuple[str, ...]] = {
    "digest": (
        *IO_MODULES,
        "paperfeed.delivery",
        "paperfeed.services",
        "paperfeed.store",
        "paperfeed.web",
        "paperfeed.fetch",
    ),
    "web": ("paperfeed.store", "paperfeed.delivery.daily", "sqlite3"),
    "delivery": (
        "sqlite3",
        "httpx",
        "paperfeed.store",
        "paperfeed.fetch.http",
        "paperfeed.fetch.HttpClient",
    ),
}


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports (``from a import b`` counts as ``a`` and ``a.b``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def _forbidden(name: str, banned: tuple[str, ...]) -> bool:
    return any(name == b or name.startswith(b + ".") for b in banned)


@pytest.mark.parametrize("package", sorted(RULES))
def test_layer_boundaries(package: str) -> None:
    files = sorted((SRC / package).rglob("*.py"))
    assert files
    found = {
        f"{p.relative_to(SRC)}: {name}"
        for p in files
        for name in imports(p)
        if _forbidden(name, RULES[package])
    }
    assert found == set()


def test_the_rule_catches_a_forbidden_import() -> None:
    assert _forbidden("paperfeed.store.sqlite", RULES["digest"])
    assert _forbidden("os", RULES["digest"]) and not _forbidden("osmium", RULES["digest"])
    assert not _forbidden("paperfeed.digest.linkset", RULES["digest"])
