"""A profile is several interests: cluster profile papers by embedding, and name each by its
most central paper. Pure numpy/scipy."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from paperfeed.models import Paper


def cluster_interests(vectors: np.ndarray, *, min_similarity: float = 0.35) -> np.ndarray:
    """Label each profile vector with an interest id (0..k-1), numbered by first appearance.

    Average-linkage agglomerative clustering on cosine distance, cut where the average
    similarity between two groups falls below ``min_similarity``. The last few results are
    remembered by the vectors' digest: one ranking, the interests page and the interest map
    cluster the same profile again and again, and at thousands of papers each costs seconds.
    """
    n = len(vectors)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n == 1:
        return np.zeros(1, dtype=np.int64)
    vectors = np.ascontiguousarray(vectors)
    key = (
        hashlib.blake2b(vectors.tobytes(), digest_size=16).digest(),
        vectors.shape,
        vectors.dtype.str,
        float(min_similarity),
    )
    with _REMEMBERED_LOCK:
        found = _REMEMBERED.get(key)
        if found is not None:
            _REMEMBERED.move_to_end(key)
            return found.copy()
    labels = _cluster(vectors, min_similarity)
    with _REMEMBERED_LOCK:
        _REMEMBERED[key] = labels
        while len(_REMEMBERED) > _REMEMBER:
            _REMEMBERED.popitem(last=False)
    return labels.copy()


_REMEMBER = 16
_REMEMBERED: OrderedDict[tuple[bytes, tuple[int, ...], str, float], np.ndarray] = OrderedDict()
_REMEMBERED_LOCK = threading.Lock()


def _cluster(vectors: np.ndarray, min_similarity: float) -> np.ndarray:
    dist = vectors @ vectors.T
    np.subtract(1.0, dist, out=dist)  # cosine distance, in place (n² floats: no copies)
    np.fill_diagonal(dist, 0.0)
    condensed = squareform(dist, checks=False)  # the upper triangle, row by row
    np.clip(condensed, 0.0, 2.0, out=condensed)
    z = linkage(condensed, method="average")
    raw = fcluster(z, t=1.0 - min_similarity, criterion="distance")
    order: dict[int, int] = {}
    return np.array([order.setdefault(int(c), len(order)) for c in raw], dtype=np.int64)


def interest_centroids(vectors: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """(k, d) unit-length mean vector of each interest."""
    k = int(labels.max()) + 1 if len(labels) else 0
    cents = np.zeros((k, vectors.shape[1]), dtype=np.float32)
    for c in range(k):
        m = vectors[labels == c].mean(axis=0)
        cents[c] = m / max(float(np.linalg.norm(m)), 1e-12)
    return cents


@dataclass(frozen=True, slots=True)
class Interest:
    """One interest of a profile: its papers, a stable key and a readable name."""

    index: int
    """The label :func:`cluster_interests` gives it (``Explanation.interest``)."""
    anchor: str
    """Id of its first paper in profile order: the same interest from one day to the next
    while that paper stays, so a name the user chose sticks to it."""
    name: str
    """The title of its most central paper (derived from the abstract when it has none) and
    the number of its other papers."""
    paper_ids: tuple[str, ...]


def describe_interests(
    papers: Sequence[Paper], vectors: np.ndarray, labels: np.ndarray
) -> list[Interest]:
    """Each interest of a clustered profile, named by the title of its most central paper
    (highest summed cosine to the others), a phrase a reader recognizes, and how many papers
    it stands for beside it ("Online Subspace Descent + 4 more")."""
    k = int(labels.max()) + 1 if len(labels) else 0
    out = []
    for c in range(k):
        members = [i for i in range(len(papers)) if labels[i] == c]
        sims = vectors[members] @ vectors[members].T
        central = papers[members[int(np.argmax(sims.sum(axis=1)))]]
        out.append(
            Interest(
                index=c,
                anchor=papers[members[0]].id,
                name=_named(short_title(central) or f"interest {c + 1}", len(members)),
                paper_ids=tuple(papers[i].id for i in members),
            )
        )
    return out


def _named(title: str, size: int) -> str:
    return title if size == 1 else f"{title} + {size - 1} more"


def short_title(paper: Paper, max_chars: int = 60) -> str:
    """A paper's title (derived ones without their brackets), cut at a word boundary."""
    title = " ".join(paper.display_title.strip("[]").split())
    if len(title) <= max_chars:
        return title
    return title[:max_chars].rsplit(" ", 1)[0].rstrip(",;:") + "…"
