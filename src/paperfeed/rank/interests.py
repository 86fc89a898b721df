"""A profile is several interests: cluster profile papers by embedding. Pure numpy/scipy."""

from __future__ import annotations

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage


def cluster_interests(vectors: np.ndarray, *, min_similarity: float = 0.35) -> np.ndarray:
    """Label each profile vector with an interest id (0..k-1), numbered by first appearance.

    Average-linkage agglomerative clustering on cosine distance, cut where the average
    similarity between two groups falls below ``min_similarity``.
    """
    n = len(vectors)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n == 1:
        return np.zeros(1, dtype=np.int64)
    sims = np.clip(vectors @ vectors.T, -1.0, 1.0)
    dist = 1.0 - sims[np.triu_indices(n, k=1)]
    z = linkage(np.maximum(dist, 0.0), method="average")
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
