"""Per-candidate overhead: what a candidate costs besides its training loop, and where it goes.

    python bench/worker_overhead.py [--repeats 3] [--isolation none,bwrap]
                                    [--modes "cold,ahead (no gap),ahead"]
                                    [--fork-server on,off] [--json out.json]

Measured on this machine on the host's clock (mean ± sd over repeats):
  (a) interpreter start-up alone: `python -c pass`, `python -c "import torch"`, and the imports
      of the worker's path (lemonade's worker module; torch + the training path; codecarbon);
  (b) one candidate through `lemonade.sandbox.runner.run_candidate` (a 4-channel CNN, 1 epoch of 64
      synthetic 8x8 images, energy off): total wall minus the training loop, split into the
      wait for its two processes to start, the training process after the hand-over (build,
      dry run, export), the measurement process, and the host's own work; for each isolation
      setting (`none`, `bwrap`) and each way its processes were started:
      - cold: when the candidate starts (`sandbox.prestart: false`, and the cost before
        processes were started ahead);
      - ahead (no gap): by the previous candidate, which ended just before (an offline proposer);
      - ahead: by the previous candidate, and done starting before this one came (the time an
        LLM takes to write the next model).
      and each way a process comes to be (`--fork-server`): forked from the fork server
      (`sandbox.fork_server: true`, the default; its own start-up, once per lemonade process, is
      waited for before the first candidate and not counted) or a fresh interpreter (`off`, the
      cost before the fork server). Without the OS wall nothing is forked.
Printed: a table of seconds per stage and the overhead per candidate for every setting.
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
from lemonade.sandbox.resource import Sandbox  # noqa: E402
from lemonade.sandbox.runner import CandidateJob, run_candidate, training_job  # noqa: E402

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


def _job(cfg: Any, width: int, workdir: Path, warm_next: bool) -> CandidateJob:
    cfg = cfg.model_copy(update={"budget": cfg.budget.model_copy(
        update={"candidate_timeout_s": 300.0})})
    return training_job(cfg, MODEL.replace("4", str(width)), workdir=workdir,
                        want_weights=True, warm_next=warm_next)


def one_candidate(isolation: str, mode: str, workdir: Path, sandbox: Sandbox,
                  fork: bool = False) -> dict[str, float]:
    """Stage durations of one candidate, from the host's clock (`CandidateOutcome.info`).

    mode "cold": its processes start when the candidate does. "ahead": the previous candidate
    started them (`warm_next`) and they finished starting before this one came (the time an
    LLM takes to write a model). "ahead, no gap": the previous candidate started them and this
    one came at once (an offline proposer), so part of the start-up is still waited for.
    """
    cfg = build_config({**TINY, "sandbox": {"isolation": isolation, "memory_limit_mb": 4096,
                                            "fork_server": fork}})
    sandbox.warm.release()
    if fork and sandbox.fork_server("train", cfg.sandbox, "cpu") is None:
        raise RuntimeError("the fork server did not start here")
    if mode != "cold":
        first = run_candidate(_job(cfg, 5, workdir / "previous", True), sandbox=sandbox)
        if first.status != "ok":
            raise RuntimeError(f"{isolation}: candidate {first.status}: {first.reason}")
        if mode == "ahead":  # stands for the proposal of the next model
            held = sandbox.warm.held
            assert held is not None and held.measure is not None
            held.train.wait_ready(300.0)
            held.measure.wait_ready(300.0)
    t0 = time.perf_counter()
    out = run_candidate(_job(cfg, 4, workdir / "measured", False), sandbox=sandbox)
    total = time.perf_counter() - t0
    if out.status != "ok":
        raise RuntimeError(f"{isolation}: candidate {out.status}: {out.reason}\n{out.log_tail}")
    if (out.info["startup"]["prestarted"]) != (mode != "cold"):
        raise RuntimeError(f"{mode}: prestarted is {out.info['startup']['prestarted']}")
    if fork != ("started" in out.info["isolation"]):
        raise RuntimeError(f"fork server {'on' if fork else 'off'}: "
                           f"{out.info['isolation'].get('started', 'a fresh process')}")
    loop = sum(float(e.get("seconds") or 0.0) for e in out.history)
    train_s = float(out.metrics["train_seconds"].value or 0.0)
    waited = float(out.info["startup"]["waited_s"])
    measure_s = float(out.info["measure"]["seconds"])
    timings = out.info.get("timings") or {}
    return {
        "total": total,
        "training loop (epochs)": loop,
        "overhead (total - loop)": total - loop,
        "static check + split files + waiting for the processes to start": waited,
        "  of which the processes' start-up (spawn -> ready)": out.info["startup"]["startup_s"],
        "training process: build + dry run + export (minus loop)": train_s - loop,
        "  of which graph export": float(timings.get("export_s") or 0.0),
        "measurement process (hand-over -> exit)": measure_s,
        "host: copies, records": total - waited - train_s - measure_s,
    }


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
    ap.add_argument("--modes", default="cold,ahead (no gap),ahead",
                    help="comma list: cold, 'ahead (no gap)', ahead")
    ap.add_argument("--fork-server", default="on,off",
                    help="comma list: on (forked workers), off (fresh interpreters)")
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
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    forks = [f.strip() == "on" for f in args.fork_server.split(",") if f.strip()]
    arms = [(iso, fork, mode) for iso in [s.strip() for s in args.isolation.split(",")
                                          if s.strip()]
            for fork in forks if not (fork and iso == "none") for mode in modes]
    with Sandbox() as sandbox:  # one fork server for every arm, as a search has
        for iso, fork, mode in arms:
            how = "forked" if fork else "fresh"
            runs: list[dict[str, float]] = []
            try:
                for i in range(args.repeats):
                    runs.append(one_candidate(iso, mode, tmp / f"{iso}-{how}-{mode}-{i}",
                                              sandbox, fork))
            except Exception as e:
                print(f"\n({iso}, {how}, {mode}) not measured: {str(e).splitlines()[0]}")
                continue
            doc["candidate"][f"{iso}/{how}/{mode}"] = runs
            print(f"\n(b) one candidate through run_candidate, isolation={iso}, {how} "
                  f"processes started: {mode} (s)")
            for key in runs[0]:
                print(f"  {key:<66} {fmt([r[key] for r in runs if key in r])}")
    print("\noverhead per candidate (total - training loop):")
    for name, runs in doc["candidate"].items():
        print(f"  {name:<36} {fmt([r['overhead (total - loop)'] for r in runs])} s")
    if args.json:
        args.json.write_text(json.dumps(doc, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
