"""The HNSW search breadth both backends use (:func:`paperfeed.store.ann.search_breadth`):
the measured breadth up to 150,000 vectors, wider with the size (to the power 0.6) beyond,
bounded."""

from __future__ import annotations

from paperfeed.store.ann import BREADTH_MAX, EXPANSION_SEARCH, search_breadth


def test_small_indexes_search_at_the_measured_breadth() -> None:
    for n in (0, 1, 2_000, 100_000, 150_000):
        assert search_breadth(n) == EXPANSION_SEARCH == 256


def test_larger_indexes_search_wider_with_their_size() -> None:
    assert search_breadth(600_000) == 588  # four times the vectors: 4 ** 0.6 times the breadth
    assert search_breadth(1_000_000) == 799  # where the benchmark measured 800
    sizes = [150_000, 300_000, 500_000, 1_000_000, 2_000_000]
    breadths = [search_breadth(n) for n in sizes]
    assert breadths == sorted(breadths) and len(set(breadths)) == len(breadths)


def test_the_breadth_is_bounded_and_never_below_its_base() -> None:
    assert search_breadth(2_600_000) == search_breadth(10**9) == BREADTH_MAX
    assert search_breadth(10**9, base=2_000) == 2_000  # a base above the cap stays
    assert search_breadth(-5) == EXPANSION_SEARCH
    assert search_breadth(1_000_000, base=100) == 312
