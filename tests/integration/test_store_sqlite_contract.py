"""The store contract (:mod:`store_contract`) run against the SQLite backend."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from store_contract import StoreContract, StoreFactory

from paperfeed.store import AppStore, open_store

pytestmark = pytest.mark.integration


class TestSQLite(StoreContract):
    @pytest.fixture
    def make_store(self, tmp_path: Path) -> Iterator[StoreFactory]:
        opened: list[AppStore] = []
        numbers = itertools.count()

        def make() -> AppStore:
            opened.append(open_store(tmp_path / f"store{next(numbers)}" / "paperfeed.db"))
            return opened[-1]

        yield make
        for s in opened:
            s.close()
