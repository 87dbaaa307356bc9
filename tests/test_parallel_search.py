"""A short search with 2 workers on a local Ray runtime against the same search with 1 worker:
every candidate stored once, and the same first round (same seed and batch)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e import quick_config

from lemonade.candidate import Status
from lemonade.config import load_config
from lemonade.search import start_run
from lemonade.store import Store

pytestmark = pytest.mark.slow

BATCH = 2
ROUNDS = 2


@pytest.fixture(scope="module")
def ray_runtime() -> Iterator[Any]:
    """One local runtime (loopback, 2 CPUs) for the module; the searches join it, and it
    stops with the pool that started it."""
    pytest.importorskip("ray")
    from lemonade.parallel import RayPool

    pool = RayPool(2, cpus_per_task=1.0)
    yield pool
    pool.shutdown()


def run_search(tmp: Path, workers: int, rounds: int) -> Path:
    run_dir = tmp / f"run-{workers}"
    cfg = load_config(quick_config(tmp, iterations=BATCH * rounds), {
        "run_dir": str(run_dir), "budget.epochs": 1, "parallel.workers": workers,
        "parallel.batch": BATCH, "train.cpu_threads": 1})
    res = start_run(cfg).run()
    assert res.status == "finished"
    return run_dir


def first_round(run_dir: Path) -> list[str]:
    gen = [c for c in Store.open(run_dir).candidates() if c.extra.get("kind") == "generator"]
    return [c.code_hash for c in sorted(gen, key=lambda c: c.iteration)[:BATCH]]


@pytest.fixture(scope="module")
def runs(ray_runtime: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    tmp = tmp_path_factory.mktemp("parallel-search")
    # the 1-worker run is only compared on its first round
    return {1: run_search(tmp, 1, rounds=1), 2: run_search(tmp, 2, rounds=ROUNDS)}


def test_every_candidate_is_stored_once(runs: dict[int, Path]) -> None:
    run_dir = runs[2]
    cands = Store.open(run_dir).candidates()
    assert cands and all(not c.is_open for c in cands)
    assert {c.iteration for c in cands if c.has_outcome} == set(range(BATCH * ROUNDS))
    # one generator row per iteration; a trained code once (a twin is a duplicate row)
    assert Counter(c.iteration for c in cands if c.extra.get("kind") == "generator") \
        == {it: 1 for it in range(BATCH * ROUNDS)}
    trained = [c.code_hash for c in cands if c.status in (Status.OK, Status.FAILED)]
    assert len(trained) == len(set(trained))
    # each candidate's folder holds its own code and result
    for c in cands:
        if c.status is Status.OK:
            d = run_dir / "candidates" / f"{c.id:04d}"
            assert (d / "model.py").read_text() == c.code
            assert (d / "metrics.json").is_file() and c.metrics["val_accuracy"]["value"] > 0


def test_first_round_matches_the_one_worker_run(runs: dict[int, Path]) -> None:
    one, two = first_round(runs[1]), first_round(runs[2])
    assert len(one) == BATCH and all(one)
    assert len(set(one)) == BATCH  # the slots of a round differ
    assert two == one

