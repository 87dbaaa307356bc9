"""Figures for the run report, as PNG `data:` URIs (the report must open offline, self-contained).

matplotlib's object API with the Agg canvas (no pyplot): no global figure state, no display needed,
nothing to close, and safe to call from any thread. Every function returns None when it has nothing
to draw, so the report can say so instead of showing an empty chart.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lemonade.candidate import FAILURES, Candidate, Status
from lemonade.objectives import pareto_indices

OK_COLOR, FAIL_COLOR, BEST_COLOR, FRONT_COLOR = "#1f77b4", "#d62728", "#ff7f0e", "#2ca02c"


def to_data_uri(fig: Figure) -> str:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _figure() -> tuple[Figure, Any]:
    fig = Figure(figsize=(6.4, 3.6))
    ax = fig.add_subplot(1, 1, 1)
    ax.grid(True, alpha=0.3)
    return fig, ax


def _finite(v: Any) -> bool:
    return isinstance(v, int | float) and math.isfinite(v)


def cme_plot(rows: Sequence[Candidate]) -> str | None:
    """CME of ok candidates by iteration, the running best, and failures marked at the bottom."""
    ok = [(r.iteration, r.cme) for r in rows if r.ok and r.cme is not None and _finite(r.cme)]
    failed = [r.iteration for r in rows if r.status in FAILURES]
    if not ok and not failed:
        return None
    fig, ax = _figure()
    if ok:
        xs, ys = zip(*ok, strict=True)
        ax.scatter(xs, ys, color=OK_COLOR, label="ok candidate", zorder=3)
        best, run = -math.inf, []
        for y in ys:
            best = max(best, y)
            run.append(best)
        ax.step(xs, run, where="post", color=BEST_COLOR, label="best so far")
    if failed:
        # CME is in [-1, 1]: failures sit just under the scale so they read as "no score"
        ax.scatter(failed, [-1.1] * len(failed), marker="x", color=FAIL_COLOR,
                   label="failed / rejected", zorder=3)
    ax.axhline(0.0, color="grey", lw=0.8, ls="--")
    ax.set_ylim(-1.2, 1.05)
    ax.set_xlabel("iteration")
    ax.set_ylabel("CME")
    ax.set_title("Combined score (CME) per iteration")
    ax.legend(loc="upper left", fontsize=8)  # failures sit at the bottom: keep them visible
    return to_data_uri(fig)


def metric_plot(rows: Sequence[Candidate], metric: str, values: Sequence[float | None],
                threshold: float | None = None, goal: str | None = None) -> str | None:
    """One metric of each ok candidate by iteration, with the objective's threshold line.

    `values` is aligned with `rows` (None where the metric is missing)."""
    pts = [(r.iteration, v) for r, v in zip(rows, values, strict=True)
           if r.status is Status.OK and v is not None and _finite(v)]
    if not pts:
        return None
    fig, ax = _figure()
    xs, ys = zip(*pts, strict=True)
    ax.plot(xs, ys, "o-", color=OK_COLOR, label=metric)
    if threshold is not None:
        ax.axhline(threshold, color=FAIL_COLOR, ls="--",
                   label=f"threshold {threshold:g} ({goal or ''})")
    if min(ys) > 0 and max(ys) / min(ys) > 100:
        ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel(metric)
    ax.set_title(f"{metric} per iteration")
    ax.legend(fontsize=8)
    return to_data_uri(fig)


def pareto_plot(ids: Sequence[int], acc: Sequence[float], cost: Sequence[float], acc_name: str,
                cost_name: str, best_id: int | None, *, start_id: int | None = None,
                acc_threshold: float | None = None, cost_threshold: float | None = None
                ) -> str | None:
    """Accuracy against one cost metric for ok candidates; the Pareto front joined, best starred,
    the starting model a diamond, and the user's thresholds as dashed lines (the feasible corner
    shaded) when objectives name these metrics."""
    if not ids:
        return None
    fig, ax = _figure()
    if acc_threshold is not None:
        ax.axhline(acc_threshold, color=FAIL_COLOR, ls="--", lw=1,
                   label=f"{acc_name} threshold {acc_threshold:g}")
    if cost_threshold is not None:
        ax.axvline(cost_threshold, color=FAIL_COLOR, ls=":", lw=1.2,
                   label=f"{cost_name} threshold {cost_threshold:g}")
    if acc_threshold is not None and cost_threshold is not None:
        ax.fill_between([0, cost_threshold], acc_threshold, max(1.0, *acc), color=FRONT_COLOR,
                        alpha=0.07, lw=0, zorder=0)
    ax.scatter(cost, acc, color=OK_COLOR, label="candidate", zorder=3)
    front = sorted(pareto_indices(list(zip(acc, cost, strict=True))), key=lambda i: cost[i])
    if front:
        ax.plot([cost[i] for i in front], [acc[i] for i in front], "-", color=FRONT_COLOR,
                marker="s", label="Pareto front", zorder=2)
    if best_id is not None and best_id in ids:
        i = list(ids).index(best_id)
        ax.scatter([cost[i]], [acc[i]], marker="*", s=260, color=BEST_COLOR, label="best",
                   zorder=4, edgecolors="black")
    if start_id is not None and start_id in ids and start_id != best_id:
        i = list(ids).index(start_id)
        ax.scatter([cost[i]], [acc[i]], marker="D", s=90, facecolors="none", linewidths=1.8,
                   edgecolors="black", label="starting model", zorder=5)
    xs = [*cost, *([cost_threshold] if cost_threshold is not None else [])]
    if min(xs) > 0 and max(xs) / min(xs) > 20:
        ax.set_xscale("log")
    lo, hi = min(cost), max(cost)
    if cost_threshold is not None:  # keep the threshold in view, and the points readable
        lo, hi = min(lo, cost_threshold), max(hi, cost_threshold)
        pad = (hi - lo) * 0.05 or abs(hi) * 0.05 or 1.0
        ax.set_xlim(lo - pad if ax.get_xscale() == "linear" else lo / 1.3,
                    hi + pad if ax.get_xscale() == "linear" else hi * 1.3)
    ax.set_xlabel(f"{cost_name} (lower is better)")
    ax.set_ylabel(f"{acc_name} (higher is better)")
    ax.set_title(f"{acc_name} vs {cost_name}")
    ax.legend(fontsize=8, loc="lower right")
    return to_data_uri(fig)
