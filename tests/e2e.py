"""Helpers for end-to-end tests: run the real CLI in a subprocess, on a tiny quick config."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    src = str(ROOT / "src")
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONUNBUFFERED"] = "1"
    env["COLUMNS"] = "200"
    env.pop("LEMONADE_DEBUG", None)
    return env


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 600
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lemonade", *args], capture_output=True,
                          text=True, env=cli_env(), cwd=cwd, timeout=timeout)


QUICK_CONFIG = """
dataset: {name: digits}
objectives:
  - {metric: val_accuracy, threshold: 0.95, priority: 3}
  - {metric: params, threshold: 8000, priority: 2}
  - {metric: latency_ms, threshold: 1.0, priority: 1}
budget: {iterations: ITER, epochs: 2, repair_attempts: 1, candidate_timeout_s: 180}
train: {batch_size: 64}
measure: {latency_repeats: 5, latency_warmup: 1, energy: false}
device: cpu
seed: 0
"""


def quick_config(tmp: Path, iterations: int = 3, extra: str = "") -> Path:
    p = tmp / "quick.yaml"
    p.write_text(QUICK_CONFIG.replace("ITER", str(iterations)) + extra)
    return p
