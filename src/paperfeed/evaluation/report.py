"""Reports of an author-history sweep: per-window tables with bootstrap intervals, paired
differences, the summary over windows, the ablation table; the results file they are
regenerated from (every user's figures, JSON).

Every interval of a window is computed on the same resampled users
(:func:`~paperfeed.stats.resample_indices`, seeded by the run's seed and the
window's name), so a report regenerated from the results file gives the same figures.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from paperfeed.evaluation.harness import PAPERFEED
from paperfeed.evaluation.methods import ANCHORS, TWO_TERM
from paperfeed.evaluation.windows import HELD_OUT, TUNING, WINDOWS, Window, WindowResult
from paperfeed.stats import (
    LEVEL,
    RESAMPLES,
    Interval,
    bootstrap_interval,
    paired_difference,
    pooled_difference,
    resample_indices,
    window_seed,
)

METRICS: tuple[str, ...] = ("nDCG@10", "Recall@50", "MRR")
RESULTS_FORMAT = 1


@dataclass(frozen=True, slots=True)
class Bootstrap:
    """How intervals are drawn: resamples, level, and the seed each window's is made from."""

    resamples: int = RESAMPLES
    seed: int = 1
    level: float = LEVEL

    def indices(self, result: WindowResult) -> np.ndarray:
        return resample_indices(
            result.users, self.resamples, window_seed(self.seed, result.window.name)
        )


def best_anchor(result: WindowResult, metric: str = "nDCG@10") -> str | None:
    """The anchor (:data:`~paperfeed.evaluation.methods.ANCHORS`) with the best mean
    ``metric`` on the window; None when the window ran none."""
    ran = [a for a in ANCHORS if a in result.per_user]
    return max(ran, key=lambda a: result.mean(a, metric)) if ran else None


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A markdown table, the first column left-aligned and the rest right-aligned."""
    cols = list(zip(header, *rows, strict=True))
    width = [max(len(c) for c in col) for col in cols]

    def line(cells: Sequence[str]) -> str:
        first, *rest = cells
        return (
            f"| {first:<{width[0]}} | "
            + " | ".join(f"{c:>{w}}" for c, w in zip(rest, width[1:], strict=True))
            + " |"
        )

    rule = f"|{'-' * (width[0] + 2)}|" + "|".join("-" * (w + 1) + ":" for w in width[1:]) + "|"
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def window_intervals(result: WindowResult, boot: Bootstrap) -> dict[str, dict[str, Interval]]:
    """``{method: {metric: mean and interval}}`` over the window's users."""
    idx = boot.indices(result)
    return {
        m: {k: bootstrap_interval(result.values(m, k), idx, boot.level) for k in METRICS}
        for m in result.methods
    }


def window_differences(
    result: WindowResult, boot: Bootstrap, of: str = PAPERFEED
) -> dict[str, dict[str, Interval]]:
    """``{other: {metric: of − other}}``, paired over the window's users, for every other
    method of the window (empty when ``of`` did not run)."""
    if of not in result.per_user:
        return {}
    idx = boot.indices(result)
    return {
        m: {
            k: paired_difference(result.values(of, k), result.values(m, k), idx, boot.level)
            for k in METRICS
        }
        for m in result.methods
        if m != of
    }


def window_report(result: WindowResult, boot: Bootstrap) -> str:
    """The window's description, its table with intervals and paperfeed's paired
    differences to every other method."""
    cis = window_intervals(result, boot)
    pct = f"{boot.level:.0%}"
    out = [
        result.describe(),
        "",
        f"mean [{pct} bootstrap interval over users, {boot.resamples} resamples]",
        "",
        _table(
            ["method", *METRICS],
            [[m, *(c[k].format() for k in METRICS)] for m, c in cis.items()],
        ),
    ]
    diffs = window_differences(result, boot)
    if diffs:
        out += [
            "",
            f"{PAPERFEED} − method, paired over users [{pct} interval]",
            "",
            _table(
                ["method", *(f"Δ {k}" for k in METRICS)],
                [[m, *(d[k].format(signed=True) for k in METRICS)] for m, d in diffs.items()],
            ),
        ]
    return "\n".join(out)


def feedback_report(result: WindowResult, rounds: int) -> str:
    """The feedback simulation's means (no intervals: users with nothing left to find are
    out of a round's nDCG), one table per kind of figure."""
    from paperfeed.evaluation.feedback import FEEDBACK_TABLES, feedback_columns

    out = []
    for metric, title in FEEDBACK_TABLES.items():
        cols = feedback_columns(rounds, metric)
        rows = [[m, *(f"{result.mean(m, c):.3f}" for c in cols)] for m in result.methods]
        out += [f"Feedback simulation, {metric}: {title}", "", _table(["method", *cols], rows), ""]
    return "\n".join(out).rstrip()


def feedback_rounds(result: WindowResult) -> int:
    """How many feedback rounds the window's figures hold (0: none)."""
    keys = next(iter(result.per_user.values()), {})
    return sum(1 for k in keys if k.startswith("nDCG@10_round"))


def _num(x: float, digits: int = 3) -> str:
    """``x`` to ``digits`` decimals; "" for NaN (a figure no window has)."""
    return "" if math.isnan(x) else f"{x:.{digits}f}"


def _mean_over(results: Sequence[WindowResult], method: str, metric: str) -> float:
    got = [r.mean(method, metric) for r in results if method in r.per_user]
    return float(np.mean(got)) if got else math.nan


def _groups(results: Sequence[WindowResult]) -> dict[str, list[WindowResult]]:
    """The windows by role, for pooled figures: held-out first, then tuning, then any
    other (an ad hoc ``--t`` window)."""
    roles = list(dict.fromkeys([HELD_OUT, TUNING, *(r.window.role for r in results)]))
    groups = {role: [r for r in results if r.window.role == role] for role in roles}
    return {k: v for k, v in groups.items() if v}


def pooled(
    results: Sequence[WindowResult], a: str, b: str | None, boot: Bootstrap, metric: str
) -> Interval | None:
    """Mean over ``results`` of each window's paired ``a − b`` (``b`` None: each window's
    best anchor), with the stratified bootstrap interval; None if a window lacks one."""
    pairs = []
    for r in results:
        other = b if b is not None else best_anchor(r, metric)
        if a not in r.per_user or other not in r.per_user:
            return None
        pairs.append((r.values(a, metric), r.values(other, metric), boot.indices(r)))
    return pooled_difference(pairs, boot.level) if pairs else None


def _fmt(x: Interval | None, signed: bool = True) -> str:
    return "" if x is None else x.format(signed=signed)


def summary_report(results: Sequence[WindowResult], boot: Bootstrap) -> str:
    """Per method, the mean over windows (all and held-out); per window, paperfeed against
    the two-term fusion and against the best anchor, paired, with the pooled rows."""
    methods = list(dict.fromkeys(m for r in results for m in r.methods))
    groups = {"all": list(results), **_groups(results)}
    if len(groups) == 2:  # one role: its columns would repeat "all"
        groups = {"all": list(results)}
    head = ["method"]
    for k in METRICS:
        head += [f"{k} {g} ({len(rs)})" for g, rs in groups.items()]
    rows = [
        [m, *(_num(_mean_over(g, m, k)) for k in METRICS for g in groups.values())] for m in methods
    ]
    out = ["Mean over windows (each window weighs the same)", "", _table(head, rows)]
    if PAPERFEED not in methods:
        return "\n".join(out)
    out += ["", _versus_table(results, boot)]
    return "\n".join(out)


def _versus_table(results: Sequence[WindowResult], boot: Bootstrap, metric: str = "nDCG@10") -> str:
    """paperfeed against the two-term fusion and the best anchor, window by window."""
    pct = f"{boot.level:.0%}"
    head = [
        "window",
        "role",
        PAPERFEED,
        TWO_TERM,
        "best anchor",
        "× anchor",
        f"Δ {TWO_TERM} [{pct}]",
        f"Δ best anchor [{pct}]",
    ]
    rows = []
    for r in results:
        anchor = best_anchor(r, metric)
        pf = r.mean(PAPERFEED, metric)
        ratio = pf / r.mean(anchor, metric) if anchor and r.mean(anchor, metric) else math.nan
        rows.append(
            [
                r.window.name,
                r.window.role,
                f"{pf:.3f}",
                f"{r.mean(TWO_TERM, metric):.3f}" if TWO_TERM in r.per_user else "",
                f"{anchor} {r.mean(anchor, metric):.3f}" if anchor else "",
                _num(ratio, 2),
                _fmt(pooled([r], PAPERFEED, TWO_TERM, boot, metric)),
                _fmt(pooled([r], PAPERFEED, None, boot, metric)),
            ]
        )
    for role, group in _groups(results).items():
        rows.append(
            [
                f"{role}, pooled",
                "",
                _num(_mean_over(group, PAPERFEED, metric)),
                _num(_mean_over(group, TWO_TERM, metric)),
                "",
                "",
                _fmt(pooled(group, PAPERFEED, TWO_TERM, boot, metric)),
                _fmt(pooled(group, PAPERFEED, None, boot, metric)),
            ]
        )
    title = f"{metric}: {PAPERFEED} − the two-term fusion and − the window's best anchor, paired"
    return f"{title}\n\n{_table(head, rows)}"


@dataclass(frozen=True, slots=True)
class Sweep:
    """A sweep's figures and how they were made: what a results file holds."""

    results: list[WindowResult]
    users: int
    seed: int
    variants: dict[str, dict[str, Any]]
    """paperfeed variants by name: the ranker settings each changes."""


def merge_sweeps(sweeps: Sequence[Sweep]) -> Sweep:
    """One sweep of the windows of several (each window once: the first file's copy; the
    fixed windows in their order, then the others), which must have drawn their users
    alike (same number and seed)."""
    first = sweeps[0]
    if any((s.users, s.seed) != (first.users, first.seed) for s in sweeps):
        raise ValueError("the results files drew their users differently (--users, --seed)")
    results: dict[str, WindowResult] = {}
    variants: dict[str, dict[str, Any]] = {}
    for s in sweeps:
        for r in s.results:
            results.setdefault(r.window.name, r)
        variants.update(s.variants)
    known = [w.name for w in WINDOWS]
    ordered = sorted(
        results.values(),
        key=lambda r: known.index(r.window.name) if r.window.name in known else len(known),
    )
    return Sweep(ordered, first.users, first.seed, variants)


def _mark(x: Interval | None) -> str:
    """``-0.012*``: the mean difference, starred when its interval excludes zero ("" for
    a window that did not run the variant)."""
    return "" if x is None else f"{x.mean:+.3f}" + ("*" if x.excludes_zero else "")


def ablation_report(sweep: Sweep, boot: Bootstrap, metric: str = "nDCG@10") -> str:
    """Each paperfeed variant against the product (and the two-term fusion), paired: pooled
    over the held-out and the tuning windows, then window by window."""
    pct = f"{boot.level:.0%}"
    groups = _groups(sweep.results)
    head = ["variant", "changes"]
    for role in groups:
        head += [f"Δ vs {PAPERFEED}, {role} [{pct}]", f"Δ vs {TWO_TERM}, {role} [{pct}]"]
    rows = []
    for name, changes in sweep.variants.items():
        row = [name, ", ".join(f"{k}={v}" for k, v in changes.items())]
        for group in groups.values():
            row += [
                _fmt(pooled(group, name, PAPERFEED, boot, metric)),
                _fmt(pooled(group, name, TWO_TERM, boot, metric)),
            ]
        rows.append(row)
    out = [f"Ablations, {metric}: variant − {PAPERFEED} (and − {TWO_TERM}), paired", ""]
    out.append(_table(head, rows))
    head = ["variant", *(r.window.name for r in sweep.results)]
    rows = [
        [name, *(_mark(pooled([r], name, PAPERFEED, boot, metric)) for r in sweep.results)]
        for name in sweep.variants
    ]
    out += ["", f"Per window: variant − {PAPERFEED} (* the {pct} interval excludes 0)", ""]
    out.append(_table(head, rows))
    return "\n".join(out)


def full_report(sweep: Sweep, boot: Bootstrap) -> str:
    """Every window's tables, then the summary and (with variants) the ablations."""
    parts = []
    for r in sweep.results:
        parts.append(window_report(r, boot))
        rounds = feedback_rounds(r)
        if rounds:
            parts.append(feedback_report(r, rounds))
    if len(sweep.results) > 1 or sweep.variants:
        parts.append(summary_report(sweep.results, boot))
    if sweep.variants:
        parts.append(ablation_report(sweep, boot))
    return "\n\n".join(parts)


def _interval_dict(x: Interval | None) -> dict[str, float] | None:
    return None if x is None else x.as_dict()


def report_json(sweep: Sweep, boot: Bootstrap) -> dict[str, Any]:
    """The report as data: per window every method's means and intervals, paperfeed's
    paired differences, the best anchor; pooled differences per role; the ablations."""
    windows = []
    for r in sweep.results:
        w = r.window
        windows.append(
            {
                "name": w.name,
                "role": w.role,
                "t": w.t,
                "days": w.days,
                "corpus": w.corpus,
                "users": r.users,
                "eligible": r.eligible,
                "candidates": r.candidates,
                "relevant": r.relevant,
                "best_anchor": best_anchor(r),
                "methods": {
                    m: {k: x.as_dict() for k, x in c.items()}
                    for m, c in window_intervals(r, boot).items()
                },
                "paired": {
                    m: {k: x.as_dict() for k, x in d.items()}
                    for m, d in window_differences(r, boot).items()
                },
            }
        )
    pooled_rows: dict[str, Any] = {}
    for role, group in _groups(sweep.results).items():
        pooled_rows[role] = {
            k: {
                TWO_TERM: _interval_dict(pooled(group, PAPERFEED, TWO_TERM, boot, k)),
                "best anchor": _interval_dict(pooled(group, PAPERFEED, None, boot, k)),
                **{v: _interval_dict(pooled(group, v, PAPERFEED, boot, k)) for v in sweep.variants},
            }
            for k in METRICS
        }
    return {
        "bootstrap": {"resamples": boot.resamples, "seed": boot.seed, "level": boot.level},
        "users": sweep.users,
        "seed": sweep.seed,
        "variants": sweep.variants,
        "windows": windows,
        "pooled": pooled_rows,
    }


def _finite(values: Sequence[float]) -> list[float | None]:
    return [None if math.isnan(v) else round(v, 6) for v in values]


def write_results(sweep: Sweep, path: Path) -> None:
    """Every user's figures as JSON (NaN as null), from which :func:`read_results`
    gives back the same sweep and so the same report; written to a temporary name first."""
    data = {
        "format": RESULTS_FORMAT,
        "users": sweep.users,
        "seed": sweep.seed,
        "variants": sweep.variants,
        "windows": [
            {
                "name": r.window.name,
                "corpus": r.window.corpus,
                "t": r.window.t,
                "days": r.window.days,
                "role": r.window.role,
                "users": r.users,
                "eligible": r.eligible,
                "candidates": r.candidates,
                "relevant": r.relevant,
                "per_user": {
                    m: {k: _finite(v) for k, v in metrics.items()}
                    for m, metrics in r.per_user.items()
                },
            }
            for r in sweep.results
        ],
    }
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data) + "\n", encoding="utf-8")
    tmp.replace(path)


def read_results(path: Path) -> Sweep:
    """The sweep :func:`write_results` wrote; a clear error for anything else."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: not a results file (line {e.lineno}: {e.msg})") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a results file (not UTF-8 text)") from None
    if not isinstance(data, dict) or data.get("format") != RESULTS_FORMAT:
        raise ValueError(f"{path}: not a results file of format {RESULTS_FORMAT}")
    try:
        results = [_window_result(w) for w in data["windows"]]
        return Sweep(results, int(data["users"]), int(data["seed"]), dict(data["variants"]))
    except (KeyError, TypeError, ValueError) as e:
        raise ValueError(f"{path}: damaged results file ({type(e).__name__}: {e})") from None


def _window_result(w: dict[str, Any]) -> WindowResult:
    window = Window(str(w["name"]), str(w["corpus"]), str(w["t"]), int(w["days"]), str(w["role"]))
    per_user = {
        m: {k: [math.nan if v is None else float(v) for v in vals] for k, vals in ms.items()}
        for m, ms in w["per_user"].items()
    }
    n = int(w["users"])
    if any(len(v) != n for ms in per_user.values() for v in ms.values()):
        raise ValueError(f"window {window.name}: not {n} values per figure")
    return WindowResult(
        window, n, int(w["eligible"]), int(w["candidates"]), int(w["relevant"]), per_user
    )
