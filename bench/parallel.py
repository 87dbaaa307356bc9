"""Candidates per hour with 1 and 2 workers on this machine, and the per-candidate overhead
with fresh processes, processes started ahead and processes forked from the fork server.

    python bench/parallel.py [--mode search|pool|both] [--candidates 6] [--epochs 2]
                             [--start fresh,ahead,forked] [--llm-seconds 0]

- `pool`: the evaluation engine alone. The same N digits models (small CNNs of growing width)
  go through `lemonade.parallel.candidate_task` on a SerialPool (1 worker) and on a RayPool with
  2 workers (a local Ray runtime; its start and stop are counted). Each candidate is a fresh
  sandboxed worker process, as in a search.
- `search`: the whole loop. `lemonade.search.start_run` with `parallel.workers` 1 and 2, the
  same seed, iterations, epochs and `batch` (2 candidates in flight), one training thread a
  candidate. Also printed: whether the first `batch` candidates have the same code in both
  runs. The offline
  proposer writes a model in milliseconds; `--llm-seconds S` makes each proposal take S seconds
  more, standing for an LLM's response time (what processes started ahead overlap).

Each arm starts its workers' processes one way (`--start`, a comma list):
- fresh: `sandbox.prestart` and `sandbox.fork_server` off: every candidate starts two fresh
  interpreters when it starts (the cost before this work);
- ahead: fresh interpreters, the next candidate's started while this one is recorded and the
  next is proposed (`sandbox.prestart: true`);
- forked: both on (the defaults): the processes are forked from the fork server.
Printed per arm: wall seconds,
candidates per hour, the 2-worker/1-worker ratio, and the overhead per candidate: its
`run_candidate` wall time (static check, process start-up it waited for, build, export,
measurement) minus its training loop, with the machine and its load average (other processes
on the machine slow every arm alike).
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

from lemonade.config import Config, build_config  # noqa: E402

MODEL = """import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, WIDTH, 3, padding=1)
        self.conv2 = nn.Conv2d(WIDTH, WIDTH, 3, padding=1)
        self.fc = nn.Linear(WIDTH, num_classes)

    def forward(self, x):
        x = torch.relu(self.conv1(x))
        x = torch.relu(self.conv2(x))
        return self.fc(x.mean(dim=(2, 3)))
"""
BASE = {
    "dataset": {"name": "digits"},
    "objectives": [{"metric": "val_accuracy", "threshold": 0.95, "priority": 3},
                   {"metric": "params", "threshold": 8000, "priority": 2},
                   {"metric": "latency_ms", "threshold": 1.0, "priority": 1}],
    "budget": {"repair_attempts": 1, "candidate_timeout_s": 600},
    "measure": {"latency_repeats": 10, "latency_warmup": 2, "energy": False},
    # one training thread a candidate: 2 workers on 2 cores, not 2 x N threads fighting
    "train": {"cpu_threads": 1},
    "device": "cpu", "seed": 0,
}
BATCH = 2  # candidates a round, in both arms: the same first round is then expected


def machine() -> str:
    import torch

    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"torch {torch.__version__}, load average {os.getloadavg()[0]:.1f}")


def loop_seconds(history: Any) -> float:
    return sum(float(e.get("seconds") or 0.0) for e in history or [])


def overhead_of(outcome: Any) -> float | None:
    """Sandbox wall time minus the training loop (epoch seconds as the worker timed them)."""
    if outcome is None or not getattr(outcome, "history", None):
        return None
    return float(outcome.seconds) - loop_seconds(outcome.history)


START = {"fresh": {"prestart": False, "fork_server": False},
         "ahead": {"prestart": True, "fork_server": False},
         "forked": {"prestart": True, "fork_server": True}}


def settings(workers: int, start: str, extra: dict[str, Any]) -> dict[str, Any]:
    return {**BASE, **extra, "sandbox": START[start],
            "parallel": {"workers": workers, **extra.get("parallel", {})}}


def pool_arm(workers: int, start: str, n: int, epochs: int, tmp: Path) -> dict[str, Any]:
    from lemonade.parallel import candidate_task, open_pool, task_resources
    from lemonade.sandbox.resource import Sandbox
    from lemonade.sandbox.runner import training_job

    cfg: Config = build_config(settings(workers, start,
                                        {"budget": {**BASE["budget"], "epochs": epochs}}))
    prestart = cfg.sandbox.prestart
    t0 = time.perf_counter()
    sandbox = Sandbox()  # a serial pool's tasks run here, with it; Ray workers have their own
    pool = open_pool(cfg, sandbox=sandbox)
    started = time.perf_counter() - t0
    res = task_resources(cfg, pool.gpus)
    outcomes = []
    try:
        for i in range(n):
            src = MODEL.replace("WIDTH", str(8 + 2 * i))
            job = training_job(cfg, src, workdir=tmp / f"w{workers}-{start}-{i}",
                               want_weights=True, warm_next=prestart)
            pool.submit(candidate_task, job, None, None, None, pool.sandbox, resources=res,
                        key=i)
        for done in pool.as_completed():
            outcomes.append(done.value if done.ok else None)
    finally:
        t_stop = time.perf_counter()
        pool.shutdown()
        sandbox.close()
        stopped = time.perf_counter() - t_stop
    wall = time.perf_counter() - t0
    ok = sum(1 for o in outcomes if o is not None and o.status == "ok")
    return {"wall": wall, "ok": ok, "n": n, "runtime_start": started, "runtime_stop": stopped,
            "overheads": [x for x in map(overhead_of, outcomes) if x is not None]}


def search_arm(workers: int, start: str, n: int, epochs: int, tmp: Path,
               llm_seconds: float = 0.0) -> dict[str, Any]:
    from lemonade.search import start_run
    from lemonade.store import Store

    cfg = build_config(settings(workers, start, {
        "budget": {**BASE["budget"], "epochs": epochs, "iterations": n},
        "parallel": {"batch": BATCH}, "run_dir": str(tmp / f"search-w{workers}-{start}")}))
    t0 = time.perf_counter()
    search = start_run(cfg)
    if llm_seconds > 0:
        propose = search.proposer.propose

        def slow_propose(*args: Any, **kwargs: Any) -> Any:
            time.sleep(llm_seconds)  # an LLM's response time, for the benchmark only
            return propose(*args, **kwargs)

        search.proposer.propose = slow_propose  # type: ignore[method-assign]
    result = search.run()  # a 2-worker run starts and stops its local Ray runtime
    wall = time.perf_counter() - t0
    with Store.open(cfg.run_dir) as st:
        cands = st.candidates()
    ok = [c for c in cands if c.ok]
    gen = sorted((c for c in cands if c.extra.get("kind") == "generator"),
                 key=lambda c: c.iteration)
    return {"wall": wall, "ok": len(ok), "n": n, "status": result.status,
            "first_round": [c.code_hash for c in gen[:BATCH]],
            "overheads": [x for x in map(search_overhead, ok) if x is not None],
            "in_flight": BATCH}


def search_overhead(c: Any) -> float | None:
    """The candidate's run_candidate wall time minus its training loop (worker-reported)."""
    rec = (c.metrics or {}).get("train_seconds") or {}
    loop = (rec.get("method") or {}).get("worker_reported_loop_s")
    if c.seconds is None or not isinstance(loop, int | float):
        return None
    return float(c.seconds) - float(loop)


def report(name: str, arms: dict[tuple[int, str], dict[str, Any]]) -> None:
    print(f"\n{name}")
    for (w, pre), a in arms.items():
        per_hour = 3600.0 * a["ok"] / a["wall"] if a["wall"] else 0.0
        a["per_hour"] = per_hour
        extra = ""
        if a["overheads"]:
            extra += (f", overhead/candidate {statistics.fmean(a['overheads']):.1f} s "
                      f"(process wall - training loop)")
        if "runtime_start" in a and w > 1:
            extra += f", Ray start {a['runtime_start']:.1f} s + stop {a['runtime_stop']:.1f} s"
        print(f"  {w} worker(s), {pre:<6}: {a['ok']}/{a['n']} ok in "
              f"{a['wall']:.1f} s = {per_hour:.0f} candidates/hour{extra}")
    for pre in START:
        one, two = arms.get((1, pre)), arms.get((2, pre))
        if one is None or two is None:
            continue
        if one["per_hour"]:
            print(f"  {pre:<6}: ratio 2 workers / 1 worker "
                  f"{two['per_hour'] / one['per_hour']:.2f}x")
        if "first_round" in one and "first_round" in two:
            k = min(one["in_flight"], two["in_flight"])
            same = one["first_round"][:k] == two["first_round"][:k]
            print(f"  {pre:<6}: first round ({k} candidate(s)) "
                  f"identical with 1 and 2 workers: {same}")
    for w in (1, 2):
        runs = [(pre, arms[(w, pre)]) for pre in START if (w, pre) in arms
                and arms[(w, pre)]["overheads"]]
        if len(runs) > 1:
            print(f"  {w} worker(s): overhead/candidate " + " -> ".join(
                f"{statistics.fmean(a['overheads']):.2f} s {pre}" for pre, a in runs))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", choices=("pool", "search", "both"), default="search")
    ap.add_argument("--candidates", type=int, default=6)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--start", default="fresh,forked",
                    help="comma list of fresh, ahead, forked (see the module)")
    ap.add_argument("--llm-seconds", type=float, default=0.0,
                    help="extra seconds per proposal, standing for an LLM's response time")
    args = ap.parse_args()
    modes = [m.strip() for m in args.start.split(",") if m.strip()]
    bad = [m for m in modes if m not in START]
    if bad:
        ap.error(f"--start: unknown {bad[0]!r} (fresh, ahead, forked)")
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="lemonade-bench-parallel-") as d:
        tmp = Path(d)
        if args.mode in ("pool", "both"):
            arms = {(w, pre): pool_arm(w, pre, args.candidates, args.epochs, tmp)
                    for w in (1, 2) for pre in modes}
            report(f"engine: {args.candidates} digits candidates, {args.epochs} epochs each",
                   arms)
        if args.mode in ("search", "both"):
            arms = {(w, pre): search_arm(w, pre, args.candidates, args.epochs, tmp,
                                         args.llm_seconds)
                    for w in (1, 2) for pre in modes}
            report(f"search: {args.candidates} iterations, {args.epochs} epochs, digits, "
                   f"{args.llm_seconds:g} s a proposal", arms)
    print(f"machine after: load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
