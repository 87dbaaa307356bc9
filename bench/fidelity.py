"""Multi-fidelity at equal wall time: a 1-epoch proxy round plus promotion vs. full training.

    python bench/fidelity.py [--datasets digits,cifar10] [--seconds 300] [--seeds 2]

Both arms run the real search loop (offline proposer, same seed, same objectives) under the same
wall-clock budget (`budget.max_seconds`) with more iterations than fit, so the budget decides how
many candidates each arm sees:
  full   every candidate trains `budget.epochs`;
  proxy  every candidate first trains `budget.proxy_epochs` (1); the `budget.promote` fraction
         that ranks best at that fidelity trains on to `budget.epochs`.
Printed per dataset and arm (mean ± spread over seeds): wall seconds, architectures tried,
trainings (a promoted architecture trains twice), candidates
trained to full fidelity, the best validation accuracy found at full fidelity and the test
accuracy of that candidate, and whether the store holds proxy-fidelity results at all (a loop
without multi-fidelity ignores `proxy_epochs`: both arms are then the same experiment).
CIFAR-10 uses the partial copy in `../shared/data` (skipped with a message when absent).
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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))  # run from a checkout without installing

from lemonade.config import build_config  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
SETTINGS: dict[str, dict[str, Any]] = {
    "digits": {
        "dataset": {"name": "digits"},
        "objectives": [{"metric": "val_accuracy", "threshold": 0.96, "priority": 3},
                       {"metric": "params", "threshold": 6000, "priority": 2},
                       {"metric": "latency_ms", "threshold": 1.0, "priority": 1}],
        "budget": {"epochs": 6, "candidate_timeout_s": 300},
    },
    "cifar10": {
        # a 5000-image training subset keeps one CPU epoch near a minute
        "dataset": {"name": "cifar10", "data_dir": str(SHARED), "download": False,
                    "limit_train": 5000},
        "objectives": [{"metric": "val_accuracy", "threshold": 0.45, "priority": 3},
                       {"metric": "params", "threshold": 150_000, "priority": 2},
                       {"metric": "latency_ms", "threshold": 2.0, "priority": 1}],
        "budget": {"epochs": 4, "candidate_timeout_s": 300},
    },
}
ARMS = {"full": {}, "proxy": {"proxy_epochs": 1, "promote": 0.34}}


def epochs_of(c: Any) -> int | None:
    """The fidelity a candidate's metrics were measured at (`epochs_run` in their method)."""
    doc = c.get("metrics") or {}
    for name in ("val_accuracy", "train_seconds", "train_accuracy"):
        m = doc.get(name) or {}
        e = (m.get("method") or {}).get("epochs_run")
        if isinstance(e, int):
            return e
    return None


def one_run(dataset: str, arm: str, seed: int, seconds: float, tmp: Path) -> dict[str, Any]:
    from lemonade.search import start_run
    from lemonade.store import Store

    s = SETTINGS[dataset]
    cfg = build_config({
        **s, "seed": seed, "device": "cpu",
        "budget": {**s["budget"], **ARMS[arm], "iterations": 1000, "max_seconds": seconds,
                   "repair_attempts": 1},
        "measure": {"energy": False, "latency_repeats": 10, "latency_warmup": 2},
        "run_dir": str(tmp / f"{dataset}-{arm}-{seed}"),
    })
    t0 = time.perf_counter()
    start_run(cfg).run()
    wall = time.perf_counter() - t0
    with Store.open(cfg.run_dir) as st:
        ok = [c for c in st.candidates() if str(c.status) == "ok"]
    full = [c for c in ok if (epochs_of(c) or cfg.budget.epochs) >= cfg.budget.epochs]
    proxy = [c for c in ok if (epochs_of(c) or cfg.budget.epochs) < cfg.budget.epochs]
    best = max(full, key=lambda c: c.values.get("val_accuracy", 0.0), default=None)
    vals = best.values if best is not None else {}
    return {"wall": wall, "evaluated": len(ok), "codes": len({c.code_hash for c in ok}),
            "full": len(full), "proxy": len(proxy),
            "best_val": vals.get("val_accuracy"), "best_test": vals.get("test_accuracy")}


def fmt(xs: list[float | None], pct: bool = False) -> str:
    ys = [x for x in xs if x is not None]
    if not ys:
        return "n/a"
    k = 100.0 if pct else 1.0
    sd = statistics.stdev(ys) * k if len(ys) > 1 else 0.0
    return f"{statistics.fmean(ys) * k:.1f} ± {sd:.1f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--datasets", default="digits,cifar10")
    ap.add_argument("--seconds", type=float, default=300.0, help="wall budget of each run")
    ap.add_argument("--seeds", type=int, default=2)
    args = ap.parse_args()
    import torch

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"torch {torch.__version__}, load average {os.getloadavg()[0]:.1f}; "
          f"{args.seconds:.0f} s a run, {args.seeds} seed(s)")
    for ds in [d.strip() for d in args.datasets.split(",") if d.strip()]:
        if ds == "cifar10" and not (SHARED / "cifar-10-batches-py").is_dir():
            print(f"\n{ds}: skipped (no {SHARED / 'cifar-10-batches-py'})")
            continue
        print(f"\n{ds}")
        for arm in ARMS:
            with tempfile.TemporaryDirectory(prefix="lemonade-bench-fidelity-") as d:
                runs = [one_run(ds, arm, seed, args.seconds, Path(d))
                        for seed in range(args.seeds)]
            print(f"  {arm:<6} {fmt([r['wall'] for r in runs])} s, "
                  f"architectures {fmt([r['codes'] for r in runs])}, "
                  f"trainings {fmt([r['evaluated'] for r in runs])}, "
                  f"full fidelity {fmt([r['full'] for r in runs])}, "
                  f"proxy only {fmt([r['proxy'] for r in runs])}; best val accuracy "
                  f"{fmt([r['best_val'] for r in runs], True)}%, its test accuracy "
                  f"{fmt([r['best_test'] for r in runs], True)}%")
            if arm == "proxy" and not any(r["proxy"] for r in runs):
                print("         (no proxy-fidelity results in the store: this loop does not "
                      "run the proxy round, so both arms trained every candidate fully)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
