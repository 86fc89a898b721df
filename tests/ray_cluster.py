"""A local Ray for the ``ray`` tests, as a pytest plugin (``tests/conftest.py`` loads it): two
CPUs on 127.0.0.1, no dashboard, started once per test module that asks for it and shut down
after. Where ``PAPERFEED_REQUIRE_RAY=1`` (``.ci/run`` sets it) a ``ray`` test that skips
fails instead, so CI cannot go green without having run them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

REQUIRE = "PAPERFEED_REQUIRE_RAY"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get(REQUIRE) == "1" and item.get_closest_marker("ray"):
        report.outcome = "failed"
        report.longrepr = f"{REQUIRE}=1 but this ray test skipped: {report.longrepr}"


@pytest.fixture(scope="module")
def local_ray() -> Iterator[Any]:
    """The ``ray`` module with a local Ray of 2 CPUs running, for one test module."""
    ray = pytest.importorskip("ray", reason="no Ray: pip install 'paperfeed[ray]' (make install)")
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        configure_logging=False,
        log_to_driver=False,
    )
    try:
        yield ray
    finally:
        ray.shutdown()
