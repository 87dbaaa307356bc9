"""Multi-fidelity: ranking at the highest fidelity two candidates share, and a short search where
every candidate trains a proxy epoch first and the best are trained again to the full epochs."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from e2e import quick_config

from lemonade.candidate import Candidate, Status, rank_by_fidelity
from lemonade.candidate import best_of as best
from lemonade.config import Objective, load_config
from lemonade.report import render_report
from lemonade.search import start_run
from lemonade.store import Store

OBJS = [Objective(metric="val_accuracy", threshold=0.9, priority=1)]


def row(cid: int, acc: float, fidelity: int | None = None, of: int | None = None) -> Candidate:
    extra: dict[str, object] = {}
    if fidelity is not None:
        extra["fidelity"] = fidelity
    if of is not None:
        extra["fidelity_of"] = of
    return Candidate(id=cid, iteration=cid, status=Status.OK, extra=extra,
                     metrics={"val_accuracy": {"value": acc, "unit": "fraction"}})


def test_compared_at_the_highest_shared_fidelity() -> None:
    # A: 1 epoch 0.50, promoted to 6 epochs 0.95. B: 1 epoch 0.60, not promoted.
    a1, a6, b1 = row(1, 0.50, 1), row(3, 0.95, 6, of=1), row(2, 0.60, 1)
    # they share only fidelity 1, where B is better; A's 6-epoch figure does not count against B
    assert [c.id for c in rank_by_fidelity([a1, a6, b1], OBJS)] == [2, 3]
    # C trained at 6 as well: A and C are compared at 6
    c1, c6 = row(4, 0.40, 1), row(5, 0.97, 6, of=4)
    ranked = rank_by_fidelity([a1, a6, b1, c1, c6], OBJS)
    assert ranked.index(c6) < ranked.index(a6)
    # a lineage is one entry, shown as its highest-fidelity row
    assert len(ranked) == 3 and a1 not in ranked and c1 not in ranked


def test_single_fidelity_is_a_plain_sort() -> None:
    rows = [row(1, 0.7), row(2, 0.9), row(3, 0.8)]
    assert [c.id for c in rank_by_fidelity(rows, OBJS)] == [2, 3, 1]
    assert best(rows, OBJS) is not None and best(rows, OBJS).id == 2


@pytest.mark.slow
def test_proxy_then_promotion_then_final(tmp_path: Path) -> None:
    cfg = load_config(quick_config(tmp_path, iterations=2), {
        "run_dir": str(tmp_path / "run"), "budget.epochs": 2, "budget.proxy_epochs": 1,
        "budget.promote": 0.5, "budget.final_epochs": 1, "train.cpu_threads": 1})
    res = start_run(cfg).run()
    assert res.status == "finished"
    st = Store.open(tmp_path / "run")
    cands = st.candidates()
    proxies = [c for c in cands if c.ok and c.extra.get("fidelity_of") is None]
    promoted = [c for c in cands if c.extra.get("fidelity_of") is not None]
    assert proxies and promoted
    assert all(c.fidelity == 1 for c in proxies)
    by_id = {c.id: c for c in cands}
    for p in promoted:
        src = by_id[p.extra["fidelity_of"]]
        assert p.fidelity == 2 and p.code_hash == src.code_hash and p.iteration == src.iteration
        if p.ok:
            assert p.metrics["val_accuracy"]["method"]["epochs_run"] == 2
    for c in proxies:
        assert c.metrics["val_accuracy"]["method"]["epochs_run"] == 1
    # each proxy promoted at most once; at least the top fraction of them
    assert len({p.extra["fidelity_of"] for p in promoted}) == len(promoted)
    assert len(promoted) >= math.ceil(0.5 * len(proxies))
    # the best is ranked by the helper, and the report shows both fidelities
    objs = cfg.resolved_objectives()
    assert res.best is not None and res.best.id == rank_by_fidelity(cands, objs)[0].id
    # budget.final_epochs: the winner retrained on train+val at the end of the search
    final = tmp_path / "run" / "final"
    assert (final / "weights.pt").is_file() and (final / "metrics.json").is_file()
    html = render_report(st)
    assert 'id="fidelity"' in html and f"#{promoted[0].id} (2 ep" in html
