"""A bounded schemathesis run over the OpenAPI document of /api/v1 with a personal token:
whatever it sends, no 5xx and every error is JSON ``{"error": …}``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from web_world import World, make_world

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    w = make_world(tmp_path_factory.mktemp("fuzz") / "home")
    yield w
    w.lib.close()


def test_openapi_document_lists_the_api(world: World) -> None:
    doc = world.client().get("/api/v1/openapi.json").json()
    paths = set(doc["paths"])
    for path in ("/api/v1/feed", "/api/v1/search", "/api/v1/papers/{paper_id}",
                 "/api/v1/papers/{paper_id}/similar", "/api/v1/ratings",
                 "/api/v1/ratings/{paper_id}", "/api/v1/profile", "/api/v1/profile/{paper_id}",
                 "/api/v1/interests"):  # fmt: skip
        assert path in paths, path
    assert not any(p in paths for p in ("/", "/login", "/rate/{token}"))


def test_no_5xx_for_any_request(world: World, tmp_path: Path) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", world.app)
    auth = world.token("ada")
    failures: list[str] = []
    calls: list[int] = []
    for operation in schema.get_all_operations():
        op = operation.ok()

        @settings(
            max_examples=12,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=op.as_strategy())
        def check(case: schemathesis.Case) -> None:
            res = case.call(headers=auth)
            calls.append(res.status_code)
            if res.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {res.status_code}")
            elif res.status_code >= 400:
                assert set(res.json()) == {"error"}, (case.formatted_path, res.text)

        check()
    assert failures == []
    assert len(calls) > 50 and any(c < 300 for c in calls)  # it did reach the API
