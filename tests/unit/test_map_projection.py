"""The interest map's projection (services.maps.pca2): the first two principal components,
as an SVD finds them, scaled into [-1, 1] with a fixed sign."""

from __future__ import annotations

import numpy as np

from paperfeed.services.maps import pca2


def spread(n: int = 400, d: int = 48, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.normal(size=(d, d)))
    ab = rng.normal(size=(n, 2)) * [3.0, 1.0]  # a wide axis, then a narrower one
    x = ab @ basis[:, :2].T + 0.01 * rng.normal(size=(n, d)) + 5.0
    return x.astype(np.float32), ab


def test_finds_the_two_widest_directions_in_order() -> None:
    x, ab = spread()
    xy = pca2(x)
    assert xy.shape == (400, 2)
    for k in (0, 1):
        assert abs(np.corrcoef(xy[:, k], ab[:, k])[0, 1]) > 0.99


def test_agrees_with_an_svd_up_to_sign_and_scale() -> None:
    x, _ = spread(n=300, d=384, seed=2)
    centered = x.astype(np.float64) - x.astype(np.float64).mean(axis=0)
    u, s, _ = np.linalg.svd(centered, full_matrices=False)
    ref = u[:, :2] * s[:2]
    ref /= np.abs(ref).max(axis=0)
    got = pca2(x)
    assert np.allclose(np.abs(got), np.abs(ref), atol=1e-3)


def test_scaled_into_the_unit_square_with_the_farthest_point_positive() -> None:
    x, _ = spread(seed=3)
    for sign in (1.0, -1.0):  # mirrored data: the same picture
        xy = pca2(sign * x)
        assert np.allclose(np.abs(xy).max(axis=0), 1.0)
        assert (xy[np.abs(xy).argmax(axis=0), [0, 1]] == 1.0).all()
    assert np.allclose(pca2(x), pca2(-x), atol=1e-4)


def test_small_and_flat_inputs() -> None:
    assert pca2(np.zeros((0, 8), dtype=np.float32)).shape == (0, 2)
    assert (pca2(np.ones((1, 8), dtype=np.float32)) == 0).all()
    assert (pca2(np.ones((5, 8), dtype=np.float32)) == 0).all()  # no spread: the centre
    line = pca2(np.arange(6, dtype=np.float32).reshape(6, 1))  # one dimension: y is 0
    assert np.allclose(np.abs(line[:, 0]), np.abs(np.linspace(-1, 1, 6)))
    assert (np.diff(line[:, 0]) != 0).all() and (line[:, 1] == 0).all()
