"""LLM re-ranking end to end against a local OpenAI-compatible server on 127.0.0.1 replaying
recorded answers: a good answer re-orders the top and is cached; a malformed answer, an
unknown or repeated id, an answer slower than the time-out, an HTTP 500 and a spent budget
each keep the ranker's order, are logged in one line and counted; the CLI's --rerank and
--no-rerank."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from web_world import make_world

from paperfeed.cli import cli
from paperfeed.services import Paperfeed
from paperfeed.services.rerank import cache_key
from paperfeed.settings import Settings
from replay import ReplayServer, Reply, Route

pytestmark = pytest.mark.integration

JSON = "application/json"
STATEMENT = "Graph neural networks for molecules; also speech recognition."
TOP = 5


def completion(text: str) -> str:
    return json.dumps({"choices": [{"message": {"role": "assistant", "content": text}}]})


@pytest.fixture()
def home(tmp_path: Path) -> Iterator[Path]:
    """An installation (the web tests' papers and users, model-free embeddings) whose
    config.toml is written by each test."""
    world = make_world(tmp_path / "home")
    world.lib.close()
    yield world.home


def configure(home: Path, url: str, *, budget: int = 10, rerank: bool = True) -> Settings:
    (home / "config.toml").write_text(
        f'model = "hashing-64"\n[tldr]\nbase_url = "{url}/v1"\nmodel = "replay-1"\n'
        f"[rerank]\ntimeout = 0.5\nbudget = {budget}\n"
        f'[users.ada]\nrerank = {str(rerank).lower()}\ninterest_statement = "{STATEMENT}"\n'
        f"rerank_top = {TOP}\n[users.bob]\n",
        encoding="utf-8",
    )
    return Settings.load(home)


def ranker_order(home: Path) -> list[str]:
    with Paperfeed.open(Settings.load(home)) as app:
        return [r.paper.id for r in app.recommend("ada", top=8, rerank=False)]


def test_a_good_answer_reorders_the_top_and_is_cached(home: Path) -> None:
    (home / "config.toml").write_text('model = "hashing-64"\n', encoding="utf-8")
    before = ranker_order(home)
    wanted = [before[3], before[0], before[4]]  # a subset: the other two follow in order
    fenced = "```json\n" + json.dumps(wanted) + "\n```"
    with ReplayServer(
        [Route("/v1/chat/completions", [Reply(body=completion(fenced), content_type=JSON)])]
    ) as llm:
        with Paperfeed.open(configure(home, llm.url)) as app:
            recs = app.recommend("ada", top=8)
            again = app.recommend("ada", top=8)  # the same candidates: from the cache
            stats = app.reranker.stats
            cached = app.store.llm_ranking(cache_key("replay-1", STATEMENT, before[:TOP]))
        bob = ranker_order(home)  # bob never re-ranks; neither does rerank=False
        asked = [json.loads(r.body) for r in llm.requests]
    ids = [r.paper.id for r in recs]
    assert ids == [before[3], before[0], before[4], before[1], before[2], *before[5:]]
    assert [r.paper.id for r in again] == ids and len(asked) == 1 and cached == wanted
    assert (stats.reranked, stats.cached, stats.failed) == (1, 1, 0)
    assert [r.rank for r in recs] == list(range(1, 9))
    scores = [r.score for r in recs]
    assert scores == sorted(scores, reverse=True)
    assert recs[0].components["ranker_rank"] == 4 and "ranker_rank" not in recs[5].components
    assert all(r.tldr for r in recs)
    (q,) = asked
    assert q["model"] == "replay-1" and q["temperature"] == 0
    prompt = q["messages"][1]["content"]
    assert STATEMENT in prompt and all(f'<paper id="{pid}">' in prompt for pid in before[:TOP])
    assert before[TOP] not in prompt  # only the top rerank_top are sent
    assert bob == before


def test_reranking_can_pull_a_paper_into_a_shorter_list(home: Path) -> None:
    (home / "config.toml").write_text('model = "hashing-64"\n', encoding="utf-8")
    before = ranker_order(home)
    answer = completion(json.dumps(before[:TOP][::-1]))
    with (
        ReplayServer(
            [Route("/v1/chat/completions", [Reply(body=answer, content_type=JSON)])]
        ) as llm,
        Paperfeed.open(configure(home, llm.url)) as app,
    ):
        recs, ask = app.recommend_and_ask("ada", top=2, k=2)
    assert [r.paper.id for r in recs] == [before[4], before[3]]  # the model's two best of five
    assert not {r.paper.id for r in ask} & {r.paper.id for r in recs}


FAILURES = {
    "prose": Reply(body=completion("I think the first paper is best."), content_type=JSON),
    "not json": Reply(body="<html>oops</html>", content_type="text/html"),
    "no completion": Reply(body='{"choices": []}', content_type=JSON),
    "unknown id": Reply(body=completion('["{0}", "9999.99999"]'), content_type=JSON),
    "duplicate id": Reply(body=completion('["{1}", "{0}", "{1}"]'), content_type=JSON),
    "slow": Reply(body=completion("[]"), content_type=JSON, delay=2.0),
    "http 500": Reply(status=500, body='{"error": "boom"}', content_type=JSON),
}
REASONS = {
    "prose": "not a JSON array of ids",
    "not json": "not JSON",
    "no completion": "not a chat completion",
    "unknown id": "unknown id '9999.99999'",
    "duplicate id": "given twice",
    "slow": "no answer within 0.5 s",
    "http 500": "500",
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_a_failed_reranking_keeps_the_ranker_order_and_is_counted(
    home: Path, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    (home / "config.toml").write_text('model = "hashing-64"\n', encoding="utf-8")
    before = ranker_order(home)
    reply = FAILURES[case]
    if case.endswith(" id"):  # an answer naming the ranker's own top papers
        body = str(reply.body).replace("{0}", before[0]).replace("{1}", before[1])
        reply = Reply(body=body, content_type=JSON)
    caplog.set_level(logging.WARNING, logger="paperfeed.rerank")
    with (
        ReplayServer([Route("/v1/chat/completions", [reply])]) as llm,
        Paperfeed.open(configure(home, llm.url)) as app,
    ):
        recs = app.recommend("ada", top=8)
        stats = app.reranker.stats
        cached = app.store.llm_ranking(cache_key("replay-1", STATEMENT, before[:TOP]))
    assert cached is None  # a failure is asked again next time
    assert [r.paper.id for r in recs] == before
    assert all("ranker_rank" not in r.components for r in recs)
    assert (stats.reranked, stats.cached, stats.failed) == (0, 0, 1)
    assert REASONS[case] in stats.last_error, stats.last_error
    assert "1 failed, kept the ranker's order" in stats.line()
    (record,) = [r for r in caplog.records if r.name == "paperfeed.rerank"]
    assert "re-ranking for ada failed" in record.getMessage()
    assert "\n" not in record.getMessage()


def test_a_spent_budget_keeps_the_order_without_asking(home: Path) -> None:
    (home / "config.toml").write_text('model = "hashing-64"\n', encoding="utf-8")
    before = ranker_order(home)
    with ReplayServer([Route("/v1/chat/completions", [Reply(body=completion("[]"))])]) as llm:
        with Paperfeed.open(configure(home, llm.url, budget=0)) as app:
            recs = app.recommend("ada", top=8)
            stats = app.reranker.stats
        assert llm.requests == []
    assert [r.paper.id for r in recs] == before
    assert stats.over_budget == 1 and "over the run's budget" in stats.line()


def _cli(home: Path, *args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(cli, ["--home", str(home), *args])
    assert "Traceback" not in res.output, res.output
    return res.exit_code, res.stdout, res.stderr


def test_recommend_rerank_options_and_json_shape(home: Path) -> None:
    (home / "config.toml").write_text('model = "hashing-64"\n', encoding="utf-8")
    before = ranker_order(home)
    answer = completion(json.dumps(before[:TOP][::-1]))
    with ReplayServer(
        [Route("/v1/chat/completions", [Reply(body=answer, content_type=JSON)])]
    ) as llm:
        configure(home, llm.url, rerank=False)
        code, out, err = _cli(home, "recommend", "--user", "ada", "--top", "8", "--format", "json")
        assert code == 0 and llm.requests == [] and "Re-ranking" not in err
        plain = json.loads(out)
        code, out, err = _cli(
            home, "recommend", "--user", "ada", "--top", "8", "--format", "json", "--rerank"
        )
        assert code == 0, err
        items = json.loads(out)
        assert len(llm.requests) == 1
    assert [i["paper"]["id"] for i in plain] == before and not any(i["reranked"] for i in plain)
    assert [i["paper"]["id"] for i in items] == [*before[:TOP][::-1], *before[TOP:]]
    assert [i["reranked"] for i in items] == [True] * TOP + [False] * 3
    assert set(items[0]) >= {"rank", "score", "paper", "tldr", "explanation", "components"}
    assert items[0]["components"]["ranker_rank"] == TOP
    assert "Re-ranking: 1 by the model, 0 cached" in err
    code, _, err = _cli(home, "recommend", "--user", "bob", "--rerank")
    assert code == 1 and "set users.bob.interest_statement" in err


def test_rerank_without_an_endpoint_is_one_line_at_start_up(home: Path) -> None:
    (home / "config.toml").write_text(
        f'model = "hashing-64"\n[users.ada]\nemail = "ada@example.org"\nrerank = true\n'
        f'interest_statement = "{STATEMENT}"\n',
        encoding="utf-8",
    )
    for args in (["daily", "--dry-run", "--no-fetch"], ["recommend", "--user", "ada"]):
        code, out, err = _cli(home, *args)
        assert code == 1 and out == ""
        assert err.strip() == (
            f"Error: {home / 'config.toml'}: users.ada.rerank is true but tldr.base_url is not "
            "an URL"
        )
