"""Rank correlation (Spearman's rho and Kendall's tau-b) between two rankings, in pure Python.

Used to say how far a cheaper ranking can be trusted: proxy epochs against full training
(report), search validation against final test accuracy (`lemonade finalize`). Ties get average
ranks (Spearman) and the tau-b correction (Kendall), as usual; fewer than 3 pairs, or a side
with no spread, give None (no correlation can be read from them).
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def _ranks(xs: Sequence[float]) -> list[float]:
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    ranks = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):  # a tie shares the mean of its positions (1-based)
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def _pairs(a: Sequence[float | None], b: Sequence[float | None]
           ) -> tuple[list[float], list[float]]:
    if len(a) != len(b):
        raise ValueError(f"rankings of different lengths ({len(a)} and {len(b)})")
    keep = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None
            and math.isfinite(x) and math.isfinite(y)]
    return [x for x, _ in keep], [y for _, y in keep]


def spearman(a: Sequence[float | None], b: Sequence[float | None]) -> float | None:
    """Spearman's rho over the pairs where both values are known."""
    x, y = _pairs(a, b)
    if len(x) < 3:
        return None
    rx, ry = _ranks(x), _ranks(y)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    sxy = sum((p - mx) * (q - my) for p, q in zip(rx, ry, strict=True))
    sxx = sum((p - mx) ** 2 for p in rx)
    syy = sum((q - my) ** 2 for q in ry)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def kendall(a: Sequence[float | None], b: Sequence[float | None]) -> float | None:
    """Kendall's tau-b over the pairs where both values are known."""
    x, y = _pairs(a, b)
    n = len(x)
    if n < 3:
        return None
    concordant = discordant = ties_x = ties_y = 0
    for i in range(n):
        for j in range(i + 1, n):
            dx, dy = x[i] - x[j], y[i] - y[j]
            if dx == 0 and dy == 0:
                continue
            if dx == 0:
                ties_x += 1
            elif dy == 0:
                ties_y += 1
            elif (dx > 0) == (dy > 0):
                concordant += 1
            else:
                discordant += 1
    denom = math.sqrt((concordant + discordant + ties_x) * (concordant + discordant + ties_y))
    if denom == 0:
        return None
    return (concordant - discordant) / denom


def rank_agreement(a: Sequence[float | None], b: Sequence[float | None]) -> dict[str, object]:
    """{"n": pairs, "spearman": rho, "kendall": tau} (None where it cannot be read)."""
    x, _ = _pairs(a, b)
    return {"n": len(x), "spearman": spearman(a, b), "kendall": kendall(a, b)}
