"""Offline proposer (expert-guided edits + memory) vs. random sampling of the same block space.

Equal candidate budget, several seeds, on `digits` and on ../shared/data CIFAR-10 (partial).
Prints, per dataset and proposer: best CME, best feasible test accuracy and its params
(mean ± spread over seeds), plus the machine and versions.

    python bench/proposer_compare.py                       # digits + cifar10, 3 seeds, 8 candidates
    python bench/proposer_compare.py --datasets digits --seeds 5 --iterations 10
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from lemonade import metrics as M
from lemonade.config import build_config
from lemonade.search import start_run

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"

SETTINGS = {
    "digits": {
        "dataset": {"name": "digits"},
        "objectives": [
            {"metric": "val_accuracy", "threshold": 0.96, "priority": 3},
            {"metric": "params", "threshold": 6000, "priority": 2},
            {"metric": "latency_ms", "threshold": 1.0, "priority": 1},
        ],
        "budget": {"epochs": 6, "candidate_timeout_s": 300},
    },
    "cifar10": {
        "dataset": {"name": "cifar10", "data_dir": str(SHARED), "download": False},
        "objectives": [
            {"metric": "val_accuracy", "threshold": 0.45, "priority": 3},
            {"metric": "params", "threshold": 150_000, "priority": 2},
            {"metric": "latency_ms", "threshold": 2.0, "priority": 1},
        ],
        # a cap per candidate, the same for both proposers: a timeout counts as a failure
        "budget": {"epochs": 4, "candidate_timeout_s": 120},
    },
}


def one_run(dataset: str, proposer: str, seed: int, iterations: int, tmp: Path) -> dict:
    s = SETTINGS[dataset]
    cfg = build_config({
        **s, "proposer": {"kind": proposer},
        "budget": {**s["budget"], "iterations": iterations, "repair_attempts": 1},
        "measure": {"latency_repeats": 10, "energy": False},
        "device": "auto", "seed": seed, "run_dir": str(tmp / f"{dataset}-{proposer}-{seed}"),
    })
    t0 = time.perf_counter()
    search = start_run(cfg)
    res = search.run()
    best = res.best
    objs = cfg.resolved_objectives()
    feasible = [c for c in search.store.candidates(status="ok") if c.get("feasible")]
    best_feasible = max(feasible, key=lambda c: M.values(c["metrics"]).get("test_accuracy", 0),
                        default=None)
    vals = M.values(best["metrics"]) if best else {}
    fvals = M.values(best_feasible["metrics"]) if best_feasible else {}
    return {
        "best_cme": best["cme"] if best else float("nan"),
        "best_test_acc": vals.get("test_accuracy", float("nan")),
        "best_params": vals.get("params", float("nan")),
        "feasible_test_acc": fvals.get("test_accuracy", float("nan")),
        "feasible_params": fvals.get("params", float("nan")),
        "n_feasible": len(feasible),
        "seconds": time.perf_counter() - t0,
        "objectives": objs,
    }


def ms(xs: list[float], fmt: str = "{:.3f}") -> str:
    xs = [x for x in xs if x == x]  # drop NaN (no feasible model in that seed)
    if not xs:
        return "n/a"
    spread = statistics.stdev(xs) if len(xs) > 1 else 0.0
    return f"{fmt.format(statistics.mean(xs))} ± {fmt.format(spread)} (n={len(xs)})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", default="digits,cifar10")
    ap.add_argument("--proposers", default="offline,random")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--iterations", type=int, default=8)
    args = ap.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"torch {torch.__version__}, cuda={torch.cuda.is_available()}, python "
          f"{platform.python_version()}")
    print(f"budget: {args.iterations} candidates per run, {args.seeds} seeds\n")
    with tempfile.TemporaryDirectory() as td:
        for ds in args.datasets.split(","):
            if ds == "cifar10" and not (SHARED / "cifar-10-batches-py").exists():
                print(f"cifar10: skipped ({SHARED} not found)")
                continue
            print(f"== {ds}: objectives "
                  + ", ".join(f"{o['metric']} {o['threshold']} (p{o['priority']})"
                              for o in SETTINGS[ds]["objectives"]))
            for prop in args.proposers.split(","):
                rows = [one_run(ds, prop, seed, args.iterations, Path(td))
                        for seed in range(args.seeds)]
                print(f"  {prop:8s} best CME {ms([r['best_cme'] for r in rows])}")
                print(f"  {'':8s} best feasible test acc "
                      f"{ms([r['feasible_test_acc'] for r in rows])}, its params "
                      f"{ms([r['feasible_params'] for r in rows], '{:,.0f}')}")
                feas = ms([r["n_feasible"] for r in rows], "{:.1f}")
                print(f"  {'':8s} feasible models per run {feas}"
                      f", top-CME model params {ms([r['best_params'] for r in rows], '{:,.0f}')}"
                      f", seconds/run {ms([r['seconds'] for r in rows], '{:.0f}')}")
            print()


if __name__ == "__main__":
    main()
