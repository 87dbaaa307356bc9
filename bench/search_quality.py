"""Search quality: offline (expert-guided) vs. regularized evolution vs. random sampling.

Each proposer gets the same candidate budget and the same per-candidate cap, over several seeds,
through the real search loop (`lemonade.search.start_run(cfg).run()`: sandboxed workers, store,
memory). Datasets: `digits` (bundled) and the partial CIFAR-10 in ../shared/data (skipped with a
message when absent). Prints, per dataset and proposer, as mean ± sd over seeds:
best CME, the best feasible model's validation and test accuracy and its params, feasible runs,
candidates that finished ok, and wall time per run; then the same as a Markdown table.

    python bench/search_quality.py                                   # both datasets, defaults
    python bench/search_quality.py --datasets digits --seeds 3 --budget 8
    python bench/search_quality.py --datasets cifar10 --seeds 2 --budget 4 --epochs 2
    python bench/search_quality.py --results runs.jsonl   # keep each run's figures; rerunning
                                                          # skips the runs already in the file
    python bench/search_quality.py --datasets cifar10 --seeds 2 --seconds 420 --epochs 2 \
        --limit-train 1000                      # equal wall time: each run proposes until 420 s

With `--seconds`, every run gets the same wall-clock budget (`budget.max_seconds`; the
candidate in flight at the end finishes) instead of a candidate budget, and evolution's
population is 4. Otherwise evolution's population is budget // 2 (at least 2) with tournaments
of 2, so half the budget is
its random initial population and half is evolved (the default population of 8 would leave a
budget of 8 entirely random). Test accuracy is read from the store after the run: the search
never ranks on it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from lemonade.config import build_config
from lemonade.metrics import values as metric_values
from lemonade.objectives import cme, is_feasible, rank_key
from lemonade.search import start_run

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"

SETTINGS: dict[str, dict[str, Any]] = {
    # the default preset a user gets (balanced on digits: val acc >= 0.97, params <= 5,000,
    # latency <= 1 ms at batch 1 on one CPU thread, train_seconds <= 60)
    "digits": {
        "dataset": {"name": "digits"},
        "preset": "balanced",
        "epochs": 6, "timeout": 60, "limit_train": None,
    },
    # the partial CIFAR-10 (5,085 train images, 1,500 used): a cheap, CPU-sized target
    "cifar10": {
        "dataset": {"name": "cifar10", "data_dir": str(SHARED), "download": False},
        "objectives": [
            {"metric": "val_accuracy", "threshold": 0.30, "priority": 3},
            {"metric": "params", "threshold": 150_000, "priority": 2},
            {"metric": "latency_ms", "threshold": 3.0, "priority": 1},
            {"metric": "train_seconds", "threshold": 120.0, "priority": 1},
        ],
        "epochs": 2, "timeout": 120, "limit_train": 1500,
    },
}


def run_config(dataset: str, proposer: str, seed: int, budget: int, epochs: int | None,
               run_dir: Path, seconds: float | None = None,
               limit_train: int | None = None) -> Any:
    s = SETTINGS[dataset]
    data = dict(s["dataset"])
    if limit_train or s.get("limit_train"):
        data["limit_train"] = limit_train or s["limit_train"]
    b: dict[str, Any] = {"iterations": budget, "epochs": epochs or s["epochs"],
                         "candidate_timeout_s": s["timeout"], "repair_attempts": 1}
    population = max(2, budget // 2)
    if seconds:  # equal wall time: as many candidates as fit
        b.update(iterations=1000, max_seconds=seconds)
        population = 4
    doc: dict[str, Any] = {
        "dataset": data,
        "proposer": {"kind": proposer, "population": population, "tournament": 2},
        "budget": b,
        "measure": {"latency_repeats": 10, "energy": False},
        "device": "cpu", "seed": seed, "run_dir": str(run_dir),
    }
    if "preset" in s:
        doc["preset"] = s["preset"]
    if "objectives" in s:
        doc["objectives"] = s["objectives"]
    return build_config(doc)


def _values(c: Any) -> dict[str, float]:
    v = getattr(c, "values", None)
    return dict(v) if isinstance(v, dict) else metric_values(c["metrics"])


def _ok(c: Any) -> bool:
    return str(getattr(c, "status", None) or c["status"]) == "ok"


def one_run(dataset: str, proposer: str, seed: int, budget: int, epochs: int | None,
            tmp: Path, seconds: float | None = None,
            limit_train: int | None = None) -> dict[str, Any]:
    cfg = run_config(dataset, proposer, seed, budget, epochs,
                     tmp / f"{dataset}-{proposer}-{seed}", seconds, limit_train)
    load = os.getloadavg()[0]
    objs = cfg.resolved_objectives()
    t0 = time.perf_counter()
    search = start_run(cfg)
    search.run()
    seconds = time.perf_counter() - t0
    cands = search.store.candidates()
    ok = [c for c in cands if _ok(c)]
    vals = [_values(c) for c in ok]
    feasible = sorted((v for v in vals if is_feasible(objs, v)), key=lambda v: rank_key(objs, v))
    best = feasible[0] if feasible else {}
    nan = math.nan
    first = _values(ok[0]) if ok else {}
    top = min(vals, key=lambda v: rank_key(objs, v)) if vals else {}
    statuses: dict[str, int] = {}
    reasons: dict[str, int] = {}
    for c in cands:
        st = str(getattr(c, "status", None) or c["status"])
        statuses[st] = statuses.get(st, 0) + 1
        reason = getattr(c, "reason", None) if not isinstance(c, dict) else c.get("reason")
        if st != "ok" and reason:
            key = str(reason).splitlines()[0][:90]
            reasons[key] = reasons.get(key, 0) + 1
    return {
        "dataset": dataset, "proposer": proposer, "seed": seed, "budget": budget,
        "epochs": cfg.budget.epochs,
        "best_cme": max((cme(objs, v) for v in vals), default=nan),
        "feasible": 1.0 if feasible else 0.0,
        "val_acc": best.get("val_accuracy", nan),
        "test_acc": best.get("test_accuracy", nan),
        "params": best.get("params", nan),
        "ok": float(len(ok)),
        "candidates": float(len(cands)),
        "seconds": seconds,
        "seconds_budget": cfg.budget.max_seconds if cfg.budget.iterations == 1000 else None,
        "limit_train": cfg.dataset.limit_train,
        # did the run's best (ranked) model improve on its first measured one?
        "first_cme": cme(objs, first) if first else nan,
        "improved": 1.0 if first and top and rank_key(objs, top) < rank_key(objs, first)
        else 0.0,
        "load": [load, os.getloadavg()[0]],
        "statuses": statuses,
        "reasons": reasons,
    }


def load_results(path: Path | None) -> list[dict[str, Any]]:
    if path is None or not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def ms(xs: list[float], fmt: str = "{:.3f}") -> str:
    xs = [x for x in xs if not math.isnan(x)]  # NaN: no feasible model in that seed
    if not xs:
        return "n/a"
    spread = statistics.stdev(xs) if len(xs) > 1 else 0.0
    return f"{fmt.format(statistics.mean(xs))} ± {fmt.format(spread)}"


COLUMNS = [("best CME", "best_cme", "{:+.3f}"), ("feasible runs", "feasible", None),
           ("best feasible val acc", "val_acc", "{:.3f}"), ("its test acc", "test_acc", "{:.3f}"),
           ("its params", "params", "{:,.0f}"), ("ok / candidates", "ok", None),
           ("best beat its first", "improved", None),
           ("wall s/run", "seconds", "{:.0f}")]


def cells(rows: list[dict[str, Any]]) -> list[str]:
    out = []
    for _, key, fmt in COLUMNS:
        if key in ("feasible", "improved"):
            out.append(f"{int(sum(r.get(key, 0.0) for r in rows))}/{len(rows)}")
        elif key == "ok":
            out.append(f"{sum(r['ok'] for r in rows):.0f}/{sum(r['candidates'] for r in rows):.0f}")
        else:
            out.append(ms([r[key] for r in rows], fmt or "{}"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--datasets", default="digits,cifar10")
    ap.add_argument("--proposers", default="offline,evolution,random")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--budget", type=int, default=None,
                    help="candidates per run (default: 8 on digits, 4 on cifar10)")
    ap.add_argument("--epochs", type=int, default=None,
                    help="epochs per candidate (default: 6 on digits, 2 on cifar10)")
    ap.add_argument("--seconds", type=float, default=None,
                    help="equal wall time: each run proposes until this many seconds (budget "
                         "ignored)")
    ap.add_argument("--limit-train", type=int, default=None,
                    help="cifar10: training images used (default 1500)")
    ap.add_argument("--results", default=None,
                    help="JSON-lines file: each finished run is appended; runs already there "
                         "(same dataset, proposer, seed, budget, epochs) are not run again")
    args = ap.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"torch {torch.__version__}, cuda={torch.cuda.is_available()}, python "
          f"{platform.python_version()}", flush=True)
    table: list[str] = []
    results_path = Path(args.results) if args.results else None
    done = load_results(results_path)
    with tempfile.TemporaryDirectory() as td:
        for ds in args.datasets.split(","):
            if ds == "cifar10" and not (SHARED / "cifar-10-batches-py").exists():
                print(f"cifar10: skipped ({SHARED} not found)")
                continue
            budget = args.budget or (8 if ds == "digits" else 4)
            cfg = run_config(ds, "offline", 0, budget, args.epochs, Path(td) / "probe",
                             args.seconds, args.limit_train)
            objectives = ", ".join(f"{o.metric} {o.goal} {o.threshold:g} (p{o.priority:g})"
                                   for o in cfg.resolved_objectives())
            limit = cfg.dataset.limit_train
            what = f"{args.seconds:.0f} s a run" if args.seconds else f"{budget} candidates a run"
            print(f"\n== {ds}: {what}, {cfg.budget.epochs} epochs, "
                  f"{cfg.budget.candidate_timeout_s:.0f} s cap a candidate, {args.seeds} seeds"
                  f"{f', limit_train {limit}' if limit else ''}"
                  f"\n   objectives: {objectives}", flush=True)
            table.append(f"\n{ds} ({what}, {cfg.budget.epochs} epochs, "
                         f"{args.seeds} seeds; {objectives})\n")
            table.append("| proposer | " + " | ".join(c[0] for c in COLUMNS) + " |")
            table.append("|---" * (len(COLUMNS) + 1) + "|")
            for prop in args.proposers.split(","):
                rows = []
                for seed in range(args.seeds):
                    same = [r for r in done if (r["dataset"], r["proposer"], r["seed"],
                                                r["budget"], r["epochs"],
                                                r.get("seconds_budget"), r.get("limit_train"))
                            == (ds, prop, seed, budget, cfg.budget.epochs,
                                cfg.budget.max_seconds if args.seconds else None,
                                cfg.dataset.limit_train)]
                    if same:
                        r, note = same[-1], " (from the results file)"
                    else:
                        r, note = one_run(ds, prop, seed, budget, args.epochs, Path(td),
                                          args.seconds, args.limit_train), ""
                        if results_path is not None:
                            with results_path.open("a") as f:
                                f.write(json.dumps(r) + "\n")
                    rows.append(r)
                    print(f"   {prop} seed {seed}: best CME {r['best_cme']:+.3f}, feasible "
                          f"{bool(r['feasible'])}, val {r['val_acc']:.3f} test "
                          f"{r['test_acc']:.3f} params {r['params']:,.0f}, "
                          f"{r['ok']:.0f}/{r['candidates']:.0f} ok {r.get('statuses', {})}, "
                          f"{r['seconds']:.0f} s, first CME {r.get('first_cme', math.nan):+.3f}"
                          f", load {r.get('load')}{note}", flush=True)
                    for reason, n in (r.get("reasons") or {}).items():
                        print(f"      {n} x {reason}", flush=True)
                c = cells(rows)
                print(f"  {prop:9s} " + "; ".join(f"{name} {v}" for (name, _, _), v
                                                  in zip(COLUMNS, c, strict=True)), flush=True)
                table.append(f"| {prop} | " + " | ".join(c) + " |")
    print("\nMean ± sd over seeds (best feasible: the top-ranked feasible model of each run):")
    print("\n".join(table))


if __name__ == "__main__":
    main()
