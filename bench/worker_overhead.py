"""Per-candidate overhead: what a candidate costs besides its training loop, and where it goes.

    python bench/worker_overhead.py [--repeats 3] [--isolation none,bwrap] [--json out.json]

Measured on this machine, spawn to exit as the parent sees it (mean ± sd over repeats):
  (a) interpreter start-up alone: `python -c pass`, `python -c "import torch"`, and the imports
      of the worker's path (lemonade's worker module; torch + the training path; codecarbon);
  (b) one candidate through `lemonade.sandbox.run_candidate` (a 4-channel CNN, 1 epoch of 64
      synthetic 8x8 images, energy off): total wall minus the training loop, split by the
      arrival time of the processes' events (python start -> first event, torch import, train
      split load, build + train + graph export, training process exit + measurement process
      start, measuring, measurement process exit);
  (c) the same with the bubblewrap wall (`sandbox.isolation: bwrap`), when it starts here.
Printed: a table of seconds per stage and the overhead per candidate with and without the wall.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))  # run from a checkout without installing

from lemonade.config import build_config  # noqa: E402
from lemonade.sandbox import CandidateJob, run_candidate  # noqa: E402

MODEL = """import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, 4, 3, padding=1)
        self.fc = nn.Linear(4, num_classes)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).mean(dim=(2, 3)))
"""
TINY = {"dataset": {"name": "synthetic", "synthetic_shape": [1, 8, 8], "synthetic_size": 64},
        "budget": {"epochs": 1}, "device": "cpu",
        "train": {"cpu_threads": 1, "schedule": "constant"},
        "measure": {"energy": False, "latency_repeats": 3, "latency_warmup": 1,
                    "inference_energy": False}}
IMPORTS = {
    "python -c pass": "pass",
    "import torch": "import torch",
    "import lemonade.sandbox.worker": "import lemonade.sandbox.worker",
    "import torch + training path": "import torch, lemonade.evaluate, lemonade.train",
    # torch.optim's first optimizer and torch.export import torch._dynamo (once per process)
    "import torch, torch._dynamo": "import torch, torch._dynamo",
    # the same, leaving without the interpreter's teardown (what os._exit saves a worker)
    "import torch, torch._dynamo; os._exit(0)": "import os, torch, torch._dynamo; os._exit(0)",
    "import codecarbon": "import codecarbon",
}


def spawn_seconds(code: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "OMP_NUM_THREADS": "1"}
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def one_candidate(isolation: str, workdir: Path) -> dict[str, float]:
    """Stage durations of one candidate, from the host's arrival times of its events."""
    cfg = build_config({**TINY, "sandbox": {"isolation": isolation, "memory_limit_mb": 4096}})
    marks: list[tuple[float, dict[str, Any]]] = []
    job = CandidateJob(source=MODEL, config=cfg.model_dump(mode="json"), workdir=str(workdir),
                       device="cpu", want_weights=True)
    t0 = time.perf_counter()
    out = run_candidate(job, cfg.sandbox, 300.0,
                        on_event=lambda ev: marks.append((time.perf_counter(), dict(ev))))
    total = time.perf_counter() - t0
    if out.status != "ok":
        raise RuntimeError(f"{isolation}: candidate {out.status}: {out.reason}\n{out.log_tail}")

    def first(pred: Any) -> float | None:
        return next((t - t0 for t, ev in marks if pred(ev)), None)

    started = first(lambda e: e.get("event") == "started" and e.get("role") != "measure")
    split = first(lambda e: e.get("phase") in ("loading the train split", "loading the dataset"))
    running = first(lambda e: e.get("phase") == "running the candidate")
    last_epoch = max((t - t0 for t, e in marks if e.get("event") == "epoch"), default=None)
    train_done = first(lambda e: e.get("event") == "result" and e.get("role") != "measure")
    m_started = first(lambda e: e.get("event") == "started" and e.get("role") == "measure")
    m_done = None
    if m_started is not None:
        m_done = next((t - t0 for t, e in marks if e.get("event") == "result"
                       and t - t0 > m_started), None)
    loop = sum(float(e.get("seconds") or 0.0) for _, e in marks if e.get("event") == "epoch")
    stages = {
        "total": total,
        "training loop (epochs)": loop,
        "overhead (total - loop)": total - loop,
        "spawn -> first event (python + lemonade import, wall setup)": started,
        "first event -> torch imported": None if split is None or started is None
        else split - started,
        "train split load": None if running is None or split is None else running - split,
        "build + train + export (minus loop)": None if train_done is None or running is None
        else train_done - running - loop,
        "training exit + measurement spawn -> first event": None
        if m_started is None or train_done is None else m_started - train_done,
        "measuring (load graph, metrics)": None if m_done is None or m_started is None
        else m_done - m_started,
        "measurement exit + host": None if m_done is None else total - m_done,
    }
    if last_epoch is not None:
        stages["_last_epoch_at"] = last_epoch
    return {k: v for k, v in stages.items() if v is not None}


def fmt(xs: list[float]) -> str:
    if not xs:
        return "n/a"
    sd = statistics.stdev(xs) if len(xs) > 1 else 0.0
    return f"{statistics.fmean(xs):6.2f} ± {sd:4.2f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--isolation", default="none,bwrap",
                    help="comma list of sandbox.isolation settings to measure")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    import torch

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}, torch {torch.__version__}, "
          f"load average {os.getloadavg()[0]:.1f}")
    doc: dict[str, Any] = {"imports": {}, "candidate": {}}
    print("\n(a) interpreter start-up, spawn to exit (s)")
    for name, code in IMPORTS.items():
        try:
            xs = [spawn_seconds(code) for _ in range(args.repeats)]
        except subprocess.CalledProcessError:
            print(f"  {name:<45} not importable here")
            continue
        doc["imports"][name] = xs
        print(f"  {name:<45} {fmt(xs)}")

    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"lemonade-overhead-{os.getpid()}"
    for iso in [s.strip() for s in args.isolation.split(",") if s.strip()]:
        runs: list[dict[str, float]] = []
        try:
            for i in range(args.repeats):
                runs.append(one_candidate(iso, tmp / f"{iso}-{i}"))
        except Exception as e:
            print(f"\n({iso}) not measured: {str(e).splitlines()[0]}")
            continue
        doc["candidate"][iso] = runs
        print(f"\n(b/c) one candidate through run_candidate, isolation={iso} (s)")
        for key in runs[0]:
            if key.startswith("_"):
                continue
            print(f"  {key:<62} {fmt([r[key] for r in runs if key in r])}")
    if len(doc["candidate"]) > 1:
        a, b = list(doc["candidate"])[:2]
        oa = statistics.fmean(r["overhead (total - loop)"] for r in doc["candidate"][a])
        ob = statistics.fmean(r["overhead (total - loop)"] for r in doc["candidate"][b])
        print(f"\noverhead per candidate: {oa:.2f} s ({a}) vs {ob:.2f} s ({b}); "
              f"the wall adds {ob - oa:+.2f} s")
    if args.json:
        args.json.write_text(json.dumps(doc, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
