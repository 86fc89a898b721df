"""The interest map: a user's profile, upvoted and feed papers placed in 2-D by PCA of their
embeddings and coloured by interest. The feed's ranking is the expensive part (seconds for
a profile of thousands), so each process keeps every user's last map feed and reuses it while
the user's profile and ratings are what they were (and for at most :attr:`InterestMaps.ttl`
seconds, so newly listed papers show up)."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import eigh

from paperfeed.models import Paper, Recommendation
from paperfeed.rank.interests import cluster_interests
from paperfeed.rank.learn import one_blas_thread
from paperfeed.services.app import Paperfeed
from paperfeed.services.common import UserError
from paperfeed.services.views import positives

FEED_SIZE = 200
"""Feed papers on the map: the top of this week's ranking."""


@dataclass(frozen=True, slots=True)
class MapPoint:
    """A paper on the interest map: 2-D position, interest and kind (profile, up or feed)."""

    paper: Paper
    x: float
    y: float
    interest: int
    kind: str


@dataclass(frozen=True, slots=True)
class InterestMap:
    """A user's map: its points, and its legend, ``(interest label, name)`` of each interest
    the points are coloured by, in label order (the user's own names, else derived ones)."""

    points: list[MapPoint]
    interests: list[tuple[int, str]]


@dataclass
class InterestMaps:
    """The maps of one process's users (thread-safe; at most ``users`` feeds kept)."""

    ttl: float = 600.0
    users: int = 256
    clock: Callable[[], float] = time.monotonic
    _feeds: OrderedDict[str, tuple[str, float, list[Recommendation]]] = field(
        default_factory=OrderedDict
    )
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def points(self, app: Paperfeed, user: str) -> list[MapPoint]:
        """The points of :meth:`map`."""
        return self.map(app, user).points

    def map(self, app: Paperfeed, user: str) -> InterestMap:
        """``user``'s map: profile and upvoted papers, and the top of this week's feed (none
        while the profile is empty or nothing is listed)."""
        pos, kinds = positives(app, user)
        key = _fingerprint(pos, app.store.ratings(user))
        now = self.clock()
        with self._lock:
            held = self._feeds.get(user)
        if held is not None and held[0] == key and now - held[1] < self.ttl:
            feed = held[2]
        else:
            try:
                feed = app.recommend(user, top=FEED_SIZE)
            except UserError:
                feed = []
            with self._lock:
                self._feeds[user] = (key, now, feed)
                self._feeds.move_to_end(user)
                while len(self._feeds) > self.users:
                    self._feeds.popitem(last=False)
        return interest_map(app, user, pos, kinds, feed)


def _fingerprint(pos: Sequence[Paper], ratings: dict[str, str]) -> str:
    """What the user's feed depends on besides the listing: positives and every rating."""
    h = hashlib.blake2b(digest_size=16)
    for p in pos:
        h.update(p.id.encode() + b"\0")
    h.update(b"\1")
    for pid, value in sorted(ratings.items()):
        h.update(f"{pid}\0{value}\0".encode())
    return h.hexdigest()


def interest_map(
    app: Paperfeed,
    user: str,
    pos: list[Paper],
    kinds: list[str],
    feed: Sequence[Recommendation],
) -> InterestMap:
    """``user``'s positives (``kinds``: profile or up) and ``feed`` papers placed by
    :func:`pca2`, coloured by the ranker's interests (the positives' clustering is the
    ranker's own, remembered by :func:`cluster_interests` from the feed's ranking) and named
    as :meth:`Paperfeed.interests` names them (an interest it does not know, which a feed
    paper cannot have, is numbered)."""
    held = {p.id for p in pos}
    feed = [r for r in feed if r.paper.id not in held]
    papers = pos + [r.paper for r in feed]
    if not papers:
        return InterestMap([], [])
    vecs = app.vectors(papers)
    similarity = app.params.interest_similarity
    labels = list(cluster_interests(vecs[: len(pos)], min_similarity=similarity))
    labels += [r.explanation.interest for r in feed]
    xy = pca2(vecs)
    kinds = kinds + ["feed"] * len(feed)
    points = [
        MapPoint(p, float(xy[i, 0]), float(xy[i, 1]), int(labels[i]), kinds[i])
        for i, p in enumerate(papers)
    ]
    names = {it.index: it.name for it in app.named_interests(user, pos, vecs[: len(pos)])}
    legend = [(i, names.get(i, f"interest {i + 1}")) for i in sorted({int(x) for x in labels})]
    return InterestMap(points, legend)


def pca2(vecs: np.ndarray) -> np.ndarray:
    """The rows' first two principal components, each scaled into [-1, 1] and signed so that
    its farthest point is positive (the same picture every time). From the (d, d) covariance
    (a float32 product, then its top two eigenvectors), not an SVD of all n rows:
    milliseconds at 5,000 × 384."""
    n = len(vecs)
    if n < 2:
        return np.zeros((n, 2))
    centered = np.asarray(vecs, dtype=np.float32)
    centered = centered - centered.mean(axis=0)
    d = centered.shape[1]
    with one_blas_thread():  # small products: more threads only wait for each other
        cov = (centered.T @ centered).astype(np.float64)
        _, eigvecs = eigh(cov, subset_by_index=[max(d - 2, 0), d - 1])
        xy = (centered @ eigvecs[:, ::-1].astype(np.float32)).astype(np.float64)
    if xy.shape[1] < 2:
        xy = np.pad(xy, ((0, 0), (0, 2 - xy.shape[1])))
    far = xy[np.abs(xy).argmax(axis=0), [0, 1]]
    xy *= np.where(far < 0, -1.0, 1.0)
    scale = np.abs(xy).max(axis=0)
    return xy / np.where(scale > 0, scale, 1.0)
