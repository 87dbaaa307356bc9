"""The isolated worker, end to end with real subprocesses: results, weights, timeouts that kill the
whole process group, a scrubbed environment, signals and the memory limit."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
import torch
from tiny_job import TINY_NET

from lemonade.config import ConfigError, SandboxConfig, build_config
from lemonade.modelfile import build_net
from lemonade.sandbox.check import check_file
from lemonade.sandbox.resource import Sandbox
from lemonade.sandbox.runner import CandidateJob, run_candidate, training_job
from lemonade.sandbox.runner import check_job as make_check_job
from lemonade.sandbox.workerenv import worker_env

torch.set_num_threads(1)

GOOD = TINY_NET
LIMITS = SandboxConfig(memory_limit_mb=2048)
TINY = {"dataset": {"name": "synthetic", "synthetic_shape": [1, 8, 8], "synthetic_size": 64},
        "budget": {"epochs": 1}, "device": "cpu",
        "measure": {"energy": False, "inference_energy": False, "latency_repeats": 3,
                    "latency_warmup": 1}}


def in_job_dir(script: Path, job_dir: Path) -> list[str]:
    """A stand-in worker command; the script is copied into the job folder, the one folder of
    the host the (possibly isolated) worker can see."""
    shutil.copy(script, Path(job_dir) / script.name)
    return [sys.executable, str(Path(job_dir) / script.name), str(job_dir)]


def check_job(source: str, limits: SandboxConfig = LIMITS, timeout_s: float = 60,
              **kw: Any) -> CandidateJob:
    return make_check_job(source, (1, 8, 8, 10), limits=limits, timeout_s=timeout_s, **kw)


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "State:\tZ" in state  # a zombie is dead; only its exit status is left


@pytest.mark.slow
def test_good_model_returns_metrics_history_and_weights_in_a_scrubbed_env(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
    monkeypatch.setenv("HF_TOKEN", "hf-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-test")
    cfg = build_config(TINY)
    events: list[dict[str, Any]] = []
    environ: list[bytes] = []

    def on_event(ev: dict[str, Any]) -> None:
        events.append(ev)
        if ev["event"] == "started":
            with contextlib.suppress(OSError):  # the kernel's view of the running worker
                environ.append(Path(f"/proc/{ev['pid']}/environ").read_bytes())

    cfg = cfg.model_copy(update={"sandbox": LIMITS, "budget": cfg.budget.model_copy(
        update={"candidate_timeout_s": 120})})
    job = training_job(cfg, GOOD, workdir=tmp_path / "job", want_weights=True)
    out = run_candidate(job, on_event=on_event)
    assert out.status == "ok", (out.reason, out.log_tail)
    # the environment: the worker's own list of keys, and /proc when we were in time to read it
    keys = events[0]["env_keys"]
    for secret in ("OPENAI_API_KEY", "HF_TOKEN", "AWS_SECRET_ACCESS_KEY"):
        assert secret not in keys
    assert "HOME" in keys and "PYTHONPATH" in keys
    for env in environ:
        assert b"sk-test-not-a-real-key" not in env and b"HOME=" in env
    assert out.metrics["params"].value == 1 * 4 * 9 + 4 + 4 * 10 + 10
    assert 0.0 <= out.metrics["val_accuracy"].value <= 1.0
    # training worker, then the measurement process
    assert [e["event"] for e in events if e["event"] != "phase"] == [
        "started", "cost", "epoch", "result", "started", "result"]
    assert [e.get("role") for e in events if e["event"] == "started"] == [None, "measure"]
    assert len(out.history) == 1 and out.history[0]["epoch"] == 1
    assert out.info["limits"]["address_space"] == "2048 MB"
    assert all(m.method.get("trusted") for n, m in out.metrics.items()
               if m.value is not None and n != "train_accuracy")
    print(f"\nworker start (python + torch import): {out.info['startup_s']:.2f} s; "
          f"whole candidate: {out.seconds:.2f} s")
    # the exported weights load into a fresh build of the same file
    from safetensors.torch import load_file

    stored = load_file(out.weights_path)
    state = {k.split(".", 1)[1]: v for k, v in stored.items()}
    net = build_net(GOOD, in_channels=1, num_classes=10)
    net.load_state_dict(state)
    assert (tmp_path / "job" / "result.json").exists()
    assert (Path(out.artifacts_dir) / "graph.json").exists()


def test_check_mode_reports_params_and_shape(tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    path.write_text(GOOD)
    rep = check_file(path, in_channels=1, image_size=8, num_classes=7, limits=LIMITS)
    assert rep.ok, rep.runtime_error
    assert rep.params == 1 * 4 * 9 + 4 + 4 * 7 + 7
    assert rep.output_shape == (2, 7)


def test_a_dry_run_error_names_the_line_the_author_wrote(tmp_path: Path) -> None:
    """The worker runs the normalized file (training code removed above the model): its
    error's line number is mapped back to the user's file."""
    src = textwrap.dedent("""\
        import argparse
        import torch
        import torch.nn as nn


        def parse():
            p = argparse.ArgumentParser()
            p.add_argument("--lr", type=float)
            return p.parse_args()


        class Small(nn.Module):
            def __init__(self, in_channels=1, num_classes=7):
                super().__init__()
                self.fc = nn.Linear(in_channels * 8 * 8, num_classes)

            def forward(self, x):
                return self.fc(x.view(x.size(0), 999))
        """)
    bad = src.split("\n").index("        return self.fc(x.view(x.size(0), 999))") + 1
    path = tmp_path / "model.py"
    path.write_text(src)
    rep = check_file(path, in_channels=1, image_size=8, num_classes=7, limits=LIMITS)
    assert not rep.ok and rep.runtime_error
    assert f"line {bad}" in rep.runtime_error, rep.runtime_error


def test_check_file_static_only_and_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    init = "super().__init__()\n"
    used_os = GOOD.replace(init, init + "        self.home = os.getcwd()\n")
    path.write_text("import os\n" + used_os)  # used by Net: the normalizer keeps it
    rep = check_file(path, dry_run=False)
    assert not rep.ok and rep.violations[0].line == 1
    missing = check_file(tmp_path / "nope.py")
    assert not missing.ok and "cannot read" in missing.violations[0].message


def test_bad_code_is_rejected_without_a_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_spawn(*a: Any, **k: Any) -> Any:
        raise AssertionError("a worker was started for statically rejected code")

    monkeypatch.setattr(subprocess, "Popen", no_spawn)
    out = run_candidate(check_job("import socket\n" + GOOD, timeout_s=10))
    assert out.status == "rejected"
    assert "line 1: import of 'socket' is not allowed" in out.reason


def test_worker_exception_is_failed_with_the_last_line() -> None:
    # a job carries a typed Config: a bad key is refused where the config is built, before
    # any job exists
    with pytest.raises(ConfigError) as e:
        training_job(build_config({"no_such_key": 1}), GOOD)
    assert f"{type(e.value).__name__}: ".startswith("ConfigError: ")
    assert "no_such_key" in str(e.value)
    # what the host cannot prepare (a missing dataset) is a failed candidate, one line saying why
    cfg = build_config({"dataset": {"name": "folder", "data_dir": "/nonexistent-lemonade"},
                        "device": "cpu"})
    out = run_candidate(training_job(cfg, GOOD))
    assert out.status == "failed"
    assert out.reason.startswith("DatasetError: ") and "/nonexistent-lemonade" in out.reason


STAND_IN = """
import subprocess, sys, time
marker = sys.argv[2] if len(sys.argv) > 2 else "none"
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", marker])
print(f"stand-in worker started, child {child.pid}", file=sys.stderr, flush=True)
while True:
    time.sleep(0.05)
"""


def processes_with(marker: str) -> list[int]:
    """Host pids whose command line holds `marker` (works whatever PID namespace they are in)."""
    found = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit() and not gone(int(d.name)):
            with contextlib.suppress(OSError):
                if marker.encode() in (d / "cmdline").read_bytes().split(b"\0"):
                    found.append(int(d.name))
    return found


def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    script = tmp_path / "stand_in.py"
    script.write_text(textwrap.dedent(STAND_IN))
    marker = f"lemonade-test-child-{os.getpid()}-{time.monotonic_ns()}"
    stand_in = Sandbox(worker_command=lambda job_dir: [*in_job_dir(script, job_dir), marker])
    # the detector sees such a child when nothing kills it (so the last assert can fail)
    probe = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", marker + "p"])
    try:
        deadline = time.monotonic() + 5
        while not processes_with(marker + "p") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert processes_with(marker + "p") == [probe.pid]
    finally:
        probe.kill()
        probe.wait()
    t0 = time.monotonic()
    with stand_in:
        out = run_candidate(check_job(GOOD, workdir=str(tmp_path / "job"), timeout_s=3),
                            sandbox=stand_in)
    assert out.status == "timeout" and "timed out after 3 s while starting the worker" in out.reason
    assert time.monotonic() - t0 < 30
    assert "stand-in worker started, child" in out.log_tail  # so the child was running
    deadline = time.monotonic() + 5
    while processes_with(marker) and time.monotonic() < deadline:  # reaping is asynchronous
        time.sleep(0.05)
    assert processes_with(marker) == [], "the worker's child survived the timeout"


@pytest.mark.parametrize(("name", "kept"), [
    ("OPENAI_API_KEY", False), ("GEMINI_API_KEY", False), ("GITHUB_TOKEN", False),
    ("MY_SECRET", False), ("http_proxy", False), ("PATH", True), ("LANG", True),
    ("CUDA_VISIBLE_DEVICES", True), ("OMP_NUM_THREADS", True), ("LD_LIBRARY_PATH", True),
])
def test_worker_env_keeps_only_what_python_and_torch_need(
        name: str, kept: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(name, "value-123")
    env = worker_env(str(tmp_path))
    assert (env.get(name) == "value-123") is kept
    assert env["HOME"] == env["TMPDIR"] == str(tmp_path)
    # the first import path holds the lemonade package the host runs (a source checkout works)
    first = Path(env["PYTHONPATH"].split(os.pathsep)[0])
    assert (first / "lemonade" / "sandbox" / "worker.py").is_file()


def test_worker_killed_by_a_signal_is_crashed() -> None:
    def on_event(ev: dict[str, Any]) -> None:
        if ev["event"] == "started":
            os.kill(ev["pid"], signal.SIGKILL)

    out = run_candidate(check_job(GOOD, timeout_s=60), on_event=on_event)
    assert out.status == "crashed"
    assert "SIGKILL" in out.reason


def test_memory_limit_makes_a_huge_allocation_fail_as_out_of_memory() -> None:
    src = GOOD.replace("super().__init__()", "super().__init__()\n        self.big = "
                                             "torch.ones(2 ** 30)")  # 4 GiB
    out = run_candidate(check_job(src, SandboxConfig(memory_limit_mb=1536), 60))
    assert out.status == "failed"
    assert out.reason.startswith("out of memory (limit 1536 MB)")
