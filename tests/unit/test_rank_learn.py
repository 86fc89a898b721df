"""The per-user model and active learning, on synthetic data whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from paperfeed.rank.learn import fit_logistic, most_informative, user_model


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_fit_logistic_matches_the_closed_form_gradient_condition() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 5))
    w_true = np.array([2.0, -1.0, 0.0, 0.5, 0.0])
    y = (x @ w_true + 0.3 + rng.normal(scale=0.5, size=200) > 0).astype(float)
    model = fit_logistic(x, y, np.ones(200), l2=1.0)
    # at the optimum the gradient vanishes: X^T (p - y) + l2 w = 0 and sum(p - y) = 0
    p = 1.0 / (1.0 + np.exp(-model.decision(x)))
    assert np.allclose(x.T @ (p - y) + model.w, 0.0, atol=1e-3)
    assert abs(float((p - y).sum())) < 1e-3
    assert np.corrcoef(model.w, w_true)[0, 1] > 0.95


def test_downvotes_move_the_model_away_from_a_topic() -> None:
    rng = np.random.default_rng(1)
    a, b, c = np.eye(16)[0], np.eye(16)[1], np.eye(16)[2]
    noise = lambda n: rng.normal(scale=0.15, size=(n, 16))  # noqa: E731
    profile = _unit(np.vstack([a + b + noise(3)]))  # the user's papers mix topics a and b
    feed = _unit(np.vstack([a + noise(20), b + noise(20), c + noise(60)]))
    before = user_model(profile, None, feed).decision(feed)
    downvoted = _unit(b + noise(3))  # … but they rate b papers down
    after = user_model(profile, downvoted, feed, negative_weight=2.0).decision(feed)
    assert before[:40].mean() > before[40:].mean()  # a and b above the unrelated c
    assert (after[:20].mean() - after[20:40].mean()) > (before[:20].mean() - before[20:40].mean())
    assert after[:20].mean() > after[20:40].mean()


def test_user_model_needs_a_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        user_model(np.zeros((0, 4)), None, np.ones((3, 4)))


def test_most_informative_asks_about_the_edge_and_spreads_the_questions() -> None:
    rng = np.random.default_rng(2)
    n = 300
    scores = np.linspace(1.0, 0.0, n)  # index = rank
    # papers at ranks 15..25 come in near-identical pairs
    vecs = _unit(rng.normal(size=(n, 32)))
    for i in range(15, 25, 2):
        vecs[i + 1] = vecs[i]
    picked = most_informative(scores, vecs, 5, edge=20)
    assert len(picked) == len(set(picked)) == 5
    assert all(5 <= i <= 45 for i in picked)  # around the cut-off, not the top or the tail
    pairs = {(i - 15) // 2 for i in picked if 15 <= i < 25}
    assert len(pairs) == len([i for i in picked if 15 <= i < 25])  # no duplicate pair asked
    assert most_informative(scores[:0], vecs[:0], 5) == []


def test_lexical_classifier_learns_the_rated_papers_words() -> None:
    """Fitted on the rated papers' terms only: candidates on the profile's subject score
    above the rest, and a downvote pushes down the candidates that share its own terms."""
    from paperfeed.models import Paper
    from paperfeed.rank import prepare_candidates
    from paperfeed.rank.lexical import features
    from paperfeed.rank.signals import lexical_classifier

    cands = [
        "graph neural networks for molecule property prediction",
        "message passing graph networks predict molecular properties",
        "graph neural networks for traffic forecasting on road sensors",
        "traffic forecasting with road sensor graphs and recurrent networks",
        "convex optimization for sparse regression with lasso penalties",
        "speech recognition with transformers on noisy audio",
        "reinforcement learning for robot arm grasping",
        "sparse regression and the lasso for genomics",
    ]
    papers = [Paper(str(i), title=t) for i, t in enumerate(cands)]
    pool = prepare_candidates(papers, np.zeros((len(cands), 2)))
    keep = list(range(len(cands)))
    profile = [
        features("graph neural networks on molecules and their properties"),
        features("graph networks for traffic and road sensor data"),
    ]
    before = lexical_classifier(pool, keep, profile, [])
    assert min(before[:4]) > max(before[4:])
    after = lexical_classifier(pool, keep, profile, [features("traffic forecasting road sensors")])
    assert (after[2] + after[3]) - (after[0] + after[1]) < (before[2] + before[3]) - (
        before[0] + before[1]
    )
    for i in (2, 3):  # each traffic paper lost ground to the molecule papers
        assert after[i] - after[:2].mean() < before[i] - before[:2].mean()


def test_positive_weights_pull_the_model_towards_the_heavier_papers() -> None:
    rng = np.random.default_rng(2)
    a, b = np.eye(8)[0], np.eye(8)[1]
    profile = _unit(np.vstack([a + rng.normal(scale=0.1, size=(3, 8)), b + 0 * a]))
    feed = _unit(
        np.vstack(
            [a + rng.normal(scale=0.1, size=(10, 8)), b + rng.normal(scale=0.1, size=(10, 8))]
        )
    )
    even = user_model(profile, None, feed).decision(feed)
    # the one b paper made to weigh as much as the three a papers together
    tilted = user_model(profile, None, feed, positive_weights=np.array([1, 1, 1, 3.0]))
    after = tilted.decision(feed)
    assert (after[10:].mean() - after[:10].mean()) > (even[10:].mean() - even[:10].mean())
    with pytest.raises(ValueError, match="2 positive weights for 4 positives"):
        user_model(profile, None, feed, positive_weights=np.ones(2))
