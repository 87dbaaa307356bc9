"""The loop keeps `parallel.batch` candidates in flight: the next iteration is proposed as soon
as a result is recorded, not when a whole round has finished (lemonade.search.Search._fill)."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e import quick_config

from lemonade.config import load_config
from lemonade.search import Hooks, start_run
from lemonade.store import Store

pytestmark = pytest.mark.slow


def events_of(tmp: Path, batch: int, iterations: int) -> tuple[list[tuple[str, int]], Path]:
    log: list[tuple[str, int]] = []
    hooks = Hooks(on_candidate_start=lambda cid, it, kind: log.append(("start", it)),
                  on_candidate_end=lambda row, best: log.append(("end", row.iteration)))
    run_dir = tmp / f"run-b{batch}"
    cfg = load_config(quick_config(tmp, iterations=iterations), {
        "run_dir": str(run_dir), "budget.epochs": 1, "parallel.batch": batch,
        "train.cpu_threads": 1})
    assert start_run(cfg, hooks).run().status == "finished"
    return log, run_dir


def test_the_next_iteration_is_proposed_when_a_result_arrives(tmp_path: Path) -> None:
    log, run_dir = events_of(tmp_path, batch=2, iterations=4)
    # the first two are proposed before any result exists (the same first ones whatever the
    # number of workers); iteration 2 comes as soon as iteration 0 is recorded, while
    # iteration 1 is still in flight: no round waits for its slowest candidate
    assert log[:2] == [("start", 0), ("start", 1)]
    assert log.index(("end", 0)) < log.index(("start", 2)) < log.index(("end", 1))
    assert log.index(("end", 1)) < log.index(("start", 3))
    cands = Store.open(run_dir).candidates()
    assert sorted(c.iteration for c in cands if c.extra.get("kind") == "generator") \
        == [0, 1, 2, 3]
    # never more than `batch` in flight at once
    running = 0
    for kind, _it in log:
        running += 1 if kind == "start" else -1
        assert 0 <= running <= 2


def test_one_in_flight_is_the_plain_loop(tmp_path: Path) -> None:
    # two iterations show it: the second starts only once the first has ended
    log, _ = events_of(tmp_path, batch=1, iterations=2)
    assert log == [("start", 0), ("end", 0), ("start", 1), ("end", 1)]
