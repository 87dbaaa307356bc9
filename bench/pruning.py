"""Early stopping on the whole front: what pruning saves, at equal wall time.

Two searches per seed on the partial CIFAR-10 in ../shared/data, through the real loop
(`lemonade.search.start_run(cfg).run()`): the same config, the same wall-clock budget
(`budget.max_seconds`) and more iterations than fit in it, once with `budget.prune: false` and
once with `budget.prune: true`. Prints, per arm: candidates finished per hour, how many were
pruned, and the best feasible validation accuracy (and its params) found within the wall time;
then the same as a Markdown table.

    python bench/pruning.py                          # defaults: 1 seed, 900 s an arm
    python bench/pruning.py --seconds 600 --epochs 6 --limit-train 2000 --seeds 2

The wall budget stops new proposals; candidates in flight finish, so each arm's wall time is
printed beside its budget. Pruning compares training accuracy at equal epochs against the
Pareto front (lemonade.pruning); a pruned candidate is measured at the epoch it reached.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import torch
from search_quality import SHARED, _ok, _values

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from lemonade.config import build_config
from lemonade.objectives import is_feasible
from lemonade.search import start_run


def arm_config(prune: bool, seed: int, args: argparse.Namespace, run_dir: Path) -> Any:
    return build_config({
        "dataset": {"name": "cifar10", "data_dir": str(args.data_dir), "download": False,
                    "limit_train": args.limit_train},
        "objectives": [{"metric": "val_accuracy", "threshold": args.accuracy},
                       {"metric": "params", "threshold": args.params}],
        "proposer": {"kind": "offline"},
        "budget": {"iterations": 1000, "epochs": args.epochs, "max_seconds": args.seconds,
                   "prune": prune, "prune_min_epoch": args.min_epoch,
                   "prune_margin": args.margin, "repair_attempts": 1},
        "parallel": {"workers": 1},
        "measure": {"latency_repeats": 5, "energy": False},
        "device": "cpu", "seed": seed, "run_dir": str(run_dir)})


def _finished_at(c: Any, t0: float) -> float:
    stamp = getattr(c, "finished_at", None)
    if not stamp:
        return float("inf")
    return datetime.fromisoformat(stamp).timestamp() - t0


def one_arm(prune: bool, seed: int, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    cfg = arm_config(prune, seed, args, tmp / f"{'prune' if prune else 'full'}-{seed}")
    objs = cfg.resolved_objectives()
    t0, wall0 = time.time(), time.perf_counter()
    search = start_run(cfg)
    search.run()
    wall = time.perf_counter() - wall0
    cands = [c for c in search.store.candidates() if c.has_outcome]
    ok = [c for c in cands if _ok(c)]
    # what was known by the wall budget: candidates that finished within it
    in_time = [c for c in ok if _finished_at(c, t0) <= args.seconds]
    feasible = [_values(c) for c in in_time if is_feasible(objs, _values(c))]
    best = max(feasible, key=lambda v: v.get("val_accuracy", 0.0)) if feasible else {}
    return {"prune": prune, "seed": seed, "wall_s": wall, "finished": len(cands),
            "per_hour": 3600.0 * len(cands) / wall,
            "pruned": sum(1 for c in cands if c.extra.get("pruned")),
            "best_val": best.get("val_accuracy"), "best_params": best.get("params")}


def _mean(xs: list[float | None]) -> str:
    got = [x for x in xs if x is not None]
    if not got:
        return "none"
    return f"{statistics.mean(got):.3f}" + (f" ± {statistics.stdev(got):.3f}"
                                           if len(got) > 1 else "")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=900.0, help="wall budget of each arm")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--min-epoch", type=int, default=2)
    ap.add_argument("--margin", type=float, default=0.1)
    ap.add_argument("--limit-train", type=int, default=2000)
    ap.add_argument("--accuracy", type=float, default=0.45)
    ap.add_argument("--params", type=float, default=300_000)
    ap.add_argument("--data-dir", type=Path, default=SHARED)
    args = ap.parse_args()
    if not (args.data_dir / "cifar-10-batches-py").is_dir():
        print(f"partial CIFAR-10 not found at {args.data_dir}: nothing to measure")
        return 0
    print(f"machine: {platform.machine()} {platform.processor() or ''}, {os.cpu_count()} "
          f"cores, torch {torch.__version__}; load average {os.getloadavg()[0]:.1f}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="lemonade-prune-") as tmp:
        for seed in range(args.seeds):
            for prune in (False, True):
                r = one_arm(prune, seed, args, Path(tmp))
                rows.append(r)
                print(f"seed {seed} prune={prune}: {r['finished']} candidates in "
                      f"{r['wall_s']:.0f} s ({r['per_hour']:.1f}/h), {r['pruned']} pruned, best "
                      f"feasible val {r['best_val']} at {r['best_params']} params", flush=True)
    print(f"\n| pruning | candidates / hour | pruned | best feasible val acc within "
          f"{args.seconds:.0f} s |\n|---|---|---|---|")
    for prune in (False, True):
        mine = [r for r in rows if r["prune"] is prune]
        print(f"| {'on' if prune else 'off'} | {_mean([r['per_hour'] for r in mine])} | "
              f"{_mean([float(r['pruned']) for r in mine])} | "
              f"{_mean([r['best_val'] for r in mine])} |")
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
