"""Batch work on many cores or machines with Ray (``paperfeed[ray]``): embedding every paper
that lacks a vector (Ray Data ``map_batches`` over an actor pool, one model per actor, written
back by the driver a batch at a time), and ranking many users in parallel (Ray tasks over user
shards, each through the same :func:`paperfeed.rank.rank` path as the serial commands).

Without an address a local Ray is started on 127.0.0.1 and stopped afterwards; with one the
command joins that cluster. Ray is imported only here, and only when asked for.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from paperfeed.embed import get_embedder
from paperfeed.models import Paper, Recommendation
from paperfeed.protocol import UserProfile, ranking_line
from paperfeed.rank import RankParams
from paperfeed.services.app import Paperfeed
from paperfeed.services.common import EMBED_CHUNK, UserError
from paperfeed.services.ranked import rank_protocol_user
from paperfeed.settings import Settings

LOCAL = "local"
"""The ``--ray`` value (given without an address) that starts a Ray of this machine's own."""
LOCAL_CPUS = 2
WINDOW = 20_000
"""Texts handed to one Ray Data run: a crash loses at most the unwritten part of one window."""
PAGE = 5_000
"""Texts of the backlog read from the store at a time when embedding in this process."""


@contextmanager
def ray_session(address: str = LOCAL, num_cpus: int = LOCAL_CPUS) -> Iterator[Any]:
    """The ``ray`` module, connected: to a local Ray bound to 127.0.0.1 (started here and shut
    down after), to the cluster at ``address``, or to the Ray this process already runs."""
    try:
        import ray
    except ImportError:
        raise UserError("--ray needs Ray: pip install 'paperfeed[ray]'") from None
    if ray.is_initialized():
        yield ray
        return
    if address == LOCAL:
        ray.init(
            num_cpus=num_cpus,
            include_dashboard=False,
            _node_ip_address="127.0.0.1",
            configure_logging=False,
            log_to_driver=False,
        )
    else:
        ray.init(address=address, configure_logging=False, log_to_driver=False)
    try:
        yield ray
    finally:
        ray.shutdown()


# --- embedding ----------------------------------------------------------------------------------


@dataclass
class EmbedReport:
    """What ``paperfeed embed`` did."""

    model: str
    papers: int = 0
    texts: int = 0
    cached: int = 0
    embedded: int = 0
    workers: str = "in process"

    def line(self) -> str:
        return (
            f"{self.model}: {self.papers} papers, {self.texts} distinct texts, "
            f"{self.cached} had vectors, {self.embedded} embedded ({self.workers})"
        )

    def to_json(self) -> dict[str, object]:
        return {
            "model": self.model,
            "papers": self.papers,
            "texts": self.texts,
            "cached": self.cached,
            "embedded": self.embedded,
            "workers": self.workers,
        }


def embed_store(
    app: Paperfeed, *, ray_address: str | None = None, actors: int = LOCAL_CPUS
) -> EmbedReport:
    """Embed every stored paper that lacks a vector of the configured model: in this process
    (``ray_address`` None) or with Ray Data over ``actors`` model actors, reading the backlog
    from the store a page at a time (never every paper at once), and then build the model's
    approximate index. Resumable: what was written stays, and a second run embeds the rest."""
    store, model = app.store, app.embedder.name
    report = EmbedReport(model=model, papers=store.count_papers(), texts=store.count_texts())
    report.cached = store.count_texts(embedded_with=model)
    bar = tqdm(
        total=report.texts - report.cached,
        desc="embedding",
        unit="paper",
        disable=not app.progress,
        file=sys.stderr,
    )
    if ray_address is not None:
        report.workers = f"Ray, {actors} actors"
    with ray_session(ray_address) if ray_address is not None else nullcontext() as ray:
        after = ""
        while page := store.texts_without_vector(model, after=after, limit=WINDOW if ray else PAGE):
            after = page[-1][0]
            batches = _ray_embed(ray, app, page, actors) if ray else _embed_here(app, page)
            for hashes, vecs in batches:
                report.embedded += _write(app, model, hashes, vecs, bar)
    bar.close()
    store.build_vector_index(model)
    return report


def _embed_here(
    app: Paperfeed, items: list[tuple[str, str]]
) -> Iterator[tuple[list[str], np.ndarray]]:
    """``(hashes, vectors)`` batches of ``items`` embedded in this process."""
    for start in range(0, len(items), EMBED_CHUNK):
        chunk = items[start : start + EMBED_CHUNK]
        yield [h for h, _ in chunk], app.embedder.embed([t for _, t in chunk])


def _write(app: Paperfeed, model: str, hashes: list[str], vecs: np.ndarray, bar: tqdm) -> int:
    """Store one batch of vectors (one transaction: a crash keeps the batches before it)."""
    bar.update(len(hashes))
    return app.store.put_embeddings(model, zip(hashes, vecs, strict=True))


class EmbedActor:
    """A Ray Data actor: loads the model once, in ``__init__``, and embeds batch after batch."""

    def __init__(self, model: str, cache_dir: str | None) -> None:
        self.embedder = get_embedder(model, cache_dir=Path(cache_dir) if cache_dir else None)
        self.embedder.embed(["warm up"])

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        vecs = self.embedder.embed([str(t) for t in batch["text"]])
        return {"hash": batch["hash"], "vector": np.asarray(vecs, dtype=np.float32)}


def _ray_embed(
    ray: Any, app: Paperfeed, items: list[tuple[str, str]], actors: int
) -> Iterator[tuple[list[str], np.ndarray]]:
    """``(hashes, vectors)`` batches of ``items`` embedded by a pool of ``actors`` actors."""
    embedder = app.embedder
    cache = getattr(embedder, "cache_dir", None)
    model = getattr(embedder, "spec", embedder.name)  # a tuned model: minilm-tuned:DIR
    ds = ray.data.from_items([{"hash": h, "text": t} for h, t in items])
    ds = ds.map_batches(
        EmbedActor,
        fn_constructor_kwargs={"model": model, "cache_dir": str(cache) if cache else None},
        batch_size=EMBED_CHUNK,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=actors),
        num_cpus=1,
    )
    for batch in ds.iter_batches(batch_size=EMBED_CHUNK, batch_format="numpy"):
        yield [str(h) for h in batch["hash"]], np.stack(batch["vector"]).astype(np.float32)


# --- ranking users in parallel ------------------------------------------------------------------


def _shards(n: int, parts: int) -> list[range]:
    """``range(n)`` cut into at most ``parts`` contiguous, nearly equal shards."""
    parts = max(1, min(parts, n))
    bounds = [round(i * n / parts) for i in range(parts + 1)]
    return [range(bounds[i], bounds[i + 1]) for i in range(parts) if bounds[i] < bounds[i + 1]]


def _rank_shard(
    pool: Any, shard: list[tuple[UserProfile, np.ndarray, np.ndarray]], top: int, params: RankParams
) -> list[dict[str, object]]:
    """Ranking lines for a shard of ``(profile, its vectors, its negatives' vectors)``."""
    return [
        ranking_line(prof.user, rank_protocol_user(pool, prof, pv, nv, top, params))
        for prof, pv, nv in shard
    ]


def rank_profiles_ray(
    app: Paperfeed,
    profiles: Sequence[UserProfile],
    candidates: Sequence[Paper],
    *,
    top: int = 20,
    ray_address: str = LOCAL,
) -> list[dict[str, object]]:
    """:meth:`Paperfeed.rank_profiles` with the users ranked by Ray tasks, one per shard: the
    vectors are embedded (and cached) here once, the candidate pool is built once and shared
    through Ray's object store. The same lines, in the same order, as the serial path."""
    pool, inputs = app.protocol_inputs(profiles, candidates)
    with ray_session(ray_address) as ray:
        task = ray.remote(num_cpus=1)(_rank_shard)
        pool_ref = ray.put(pool)
        parts = max(1, int(ray.cluster_resources().get("CPU", 1)))
        refs = [
            task.remote(pool_ref, [inputs[i] for i in shard], top, app.params)
            for shard in _shards(len(inputs), parts)
        ]
        return [line for lines in ray.get(refs) for line in lines]


@dataclass(frozen=True)
class RankRequest:
    """One :meth:`Paperfeed.recommend_and_ask` call, planned ahead (by the daily run)."""

    user: str
    since: str | None
    until: str | None
    top: int
    k: int


Ranked = tuple[list[Recommendation], list[Recommendation]]


def _rank_requests(
    settings: Settings, params: RankParams, requests: list[RankRequest]
) -> list[Ranked | str]:
    """A Ray task: ``requests`` answered by a library object of its own over the same store
    (a user error becomes its message, raised again by the driver)."""
    out: list[Ranked | str] = []
    with Paperfeed.open(settings, params=params) as app:
        for r in requests:
            try:
                out.append(
                    app.recommend_and_ask(r.user, since=r.since, until=r.until, top=r.top, k=r.k)
                )
            except UserError as e:
                out.append(str(e))
    return out


@dataclass
class ParallelRanking(Paperfeed):
    """A library object whose :meth:`recommend_and_ask` answers the ``planned`` requests from
    rankings made in parallel by Ray tasks on their first use (after the daily run's fetch);
    any other request is ranked here. Same store, same ranking path, same results."""

    settings: Settings = field(default_factory=Settings)
    planned: Sequence[RankRequest] = ()
    ray_address: str = LOCAL
    _ranked: dict[RankRequest, Ranked | str] | None = None

    @classmethod
    def over(
        cls, app: Paperfeed, settings: Settings, planned: Sequence[RankRequest], address: str
    ) -> ParallelRanking:
        """``app``'s store and model, ranking ``planned`` on Ray at ``address``."""
        return cls(
            store=app.store,
            embedder_factory=app.embedder_factory,
            params=app.params,
            progress=app.progress,
            location=app.location,
            settings=settings,
            planned=tuple(planned),
            ray_address=address,
        )

    def recommend_and_ask(
        self,
        user: str,
        *,
        since: str | None = None,
        until: str | None = None,
        days: int | None = None,
        top: int = 20,
        k: int = 3,
        rerank: bool | None = None,
    ) -> Ranked:
        key = RankRequest(user, since, until, top, k)
        if days is None and rerank is None and key in self.planned:
            if self._ranked is None:
                self._ranked = self._rank_planned()
            found = self._ranked[key]
            if isinstance(found, str):
                raise UserError(found)
            return found
        return super().recommend_and_ask(
            user, since=since, until=until, days=days, top=top, k=k, rerank=rerank
        )

    def _rank_planned(self) -> dict[RankRequest, Ranked | str]:
        planned = list(dict.fromkeys(self.planned))
        with ray_session(self.ray_address) as ray:
            task = ray.remote(num_cpus=1)(_rank_requests)
            parts = max(1, int(ray.cluster_resources().get("CPU", 1)))
            shards = [[planned[i] for i in s] for s in _shards(len(planned), parts)]
            refs = [task.remote(self.settings, self.params, shard) for shard in shards]
            results = [r for rs in ray.get(refs) for r in rs]
        return dict(zip(planned, results, strict=True))


__all__ = [
    "LOCAL",
    "EmbedReport",
    "ParallelRanking",
    "RankRequest",
    "embed_store",
    "rank_profiles_ray",
    "ray_session",
]
