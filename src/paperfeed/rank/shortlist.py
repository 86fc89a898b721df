"""Dense nearest-neighbour scan: which stored vectors are closest to a query. Pure numpy."""

from __future__ import annotations

import numpy as np


def dense_top(matrix: np.ndarray, query: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` rows of ``matrix`` with the highest dot product with ``query``,
    best first (cosine for unit rows); an empty matrix gives no indices."""
    if len(matrix) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.argsort(-(matrix @ query))[:n]
