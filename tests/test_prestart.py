"""Processes started ahead (lemonade.sandbox.prestart, lemonade.sandbox.process): the next
candidate's two sandboxed processes start before it exists, each serves exactly one candidate,
a pair started for other settings is thrown away, the start-up is not billed to the candidate,
and a hostile candidate cannot touch a pair waiting for the next one. The pair is held by the
`Sandbox` the candidates run with (lemonade.sandbox.resource)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tiny_job import TINY_NET, with_limits

from lemonade.config import build_config
from lemonade.sandbox import isolation, prestart
from lemonade.sandbox import runner as sandbox_runner
from lemonade.sandbox.resource import Sandbox
from lemonade.sandbox.runner import CandidateJob, check_job, run_candidate, training_job

FAST = {"energy": False, "inference_energy": False, "latency_repeats": 2, "latency_warmup": 1}


def config(size: int = 64) -> Any:
    return build_config({"dataset": {"name": "synthetic", "synthetic_shape": [1, 8, 8],
                                     "synthetic_size": size},
                         "budget": {"epochs": 1}, "device": "cpu", "seed": 3,
                         "train": {"cpu_threads": 1}, "measure": FAST,
                         # fresh processes: what starting ahead is for (forked: test_forkserver)
                         "sandbox": {"memory_limit_mb": 4096, "fork_server": False}})


def job(cfg: Any, width: int, tmp: Path, *, warm_next: bool,
        timeout_s: float = 120) -> CandidateJob:
    return training_job(with_limits(cfg, timeout_s=timeout_s), TINY_NET.replace("4", str(width)),
                        workdir=tmp / f"job-{width}", warm_next=warm_next)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """The test's own Sandbox, closed afterwards (nothing held outlives the test)."""
    with Sandbox() as sb:
        yield sb


def held(sandbox: Sandbox) -> prestart.ProcessSet:
    """The set `sandbox` holds for the next candidate."""
    ps = sandbox.warm.held
    assert ps is not None, "no processes were started ahead"
    return ps


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_the_next_candidate_gets_the_pair_started_ahead_and_measures_the_same(
        tmp_path: Path, sandbox: Sandbox) -> None:
    cfg = config()
    first = run_candidate(job(cfg, 5, tmp_path / "a", warm_next=True), sandbox=sandbox)
    assert first.status == "ok", (first.reason, first.log_tail)
    assert first.info["startup"]["prestarted"] is False
    ps = held(sandbox)
    pids = [ps.train.proc.pid, ps.measure.proc.pid] if ps.measure else []
    assert len(pids) == 2 and all(alive(p) for p in pids)

    warm = run_candidate(job(cfg, 6, tmp_path / "a", warm_next=False), sandbox=sandbox)
    assert warm.status == "ok", (warm.reason, warm.log_tail)
    assert warm.info["startup"]["prestarted"] is True
    assert not sandbox.warm.holding()  # warm_next=False: nothing started for a next one
    assert not any(alive(p) for p in pids)  # each process served one candidate and is gone

    cold = run_candidate(job(cfg, 6, tmp_path / "b", warm_next=False), sandbox=sandbox)
    assert cold.status == "ok" and cold.info["startup"]["prestarted"] is False
    for name in ("params", "flops", "val_accuracy", "test_accuracy", "model_size_bytes"):
        assert warm.metrics[name].value == cold.metrics[name].value, name


def test_a_pair_started_for_other_settings_is_thrown_away(tmp_path: Path,
                                                           sandbox: Sandbox) -> None:
    cfg = config()
    out = run_candidate(job(cfg, 5, tmp_path, warm_next=True), sandbox=sandbox)
    assert out.status == "ok", out.reason
    ps = held(sandbox)
    old = [ps.train.proc.pid, *([ps.measure.proc.pid] if ps.measure else [])]
    other = config(size=80)  # other data: other split files, so the pair does not fit
    out = run_candidate(job(other, 6, tmp_path, warm_next=False), sandbox=sandbox)
    assert out.status == "ok", out.reason
    assert out.info["startup"]["prestarted"] is False
    assert not any(alive(p) for p in old)
    assert not any(Path(d).exists() for d in ps.dirs)


def test_start_up_is_not_billed_to_train_seconds(tmp_path: Path) -> None:
    cfg = config()
    out = run_candidate(job(cfg, 5, tmp_path, warm_next=False))
    assert out.status == "ok", out.reason
    startup = out.info["startup"]["startup_s"]
    train_s = out.metrics["train_seconds"].value
    assert startup > 0.2  # a Python process that imported torch
    assert train_s + startup <= out.seconds
    assert out.metrics["train_seconds"].method["measured_by"].startswith("host")


def test_cpu_seconds_of_the_training_are_counted_inside_the_wall(tmp_path: Path) -> None:
    """Inside the wall the sandbox's own init reaps the worker, so getrusage alone saw 0 s:
    the host reads the process tree's CPU times itself."""
    cfg = build_config({**config().model_dump(mode="json"),
                        "dataset": {"name": "synthetic", "synthetic_shape": [1, 16, 16],
                                    "synthetic_size": 3000},
                        "budget": {"epochs": 10}})
    out = run_candidate(job(cfg, 16, tmp_path, warm_next=False, timeout_s=300))
    assert out.status == "ok", out.reason
    m = out.metrics["train_seconds"]
    # the worker's own CPU seconds (build + training, all its threads) are within what the
    # host counted from the hand-over to the exit; compared with CPU, not wall time, so a
    # loaded machine (the worker waiting for a core) does not change the verdict
    worker_cpu = m.method["worker_reported_cpu_s"]
    assert worker_cpu > 0.5, "the training must run long enough to be sampled"
    assert 0.9 * worker_cpu - 0.3 <= m.method["cpu_seconds"] <= 2.5 * m.value + 0.5


def test_a_process_serves_one_job_only(tmp_path: Path, sandbox: Sandbox) -> None:
    cfg = config()
    plan = sandbox_runner._plan(job(cfg, 5, tmp_path, warm_next=False), sandbox)
    ps = sandbox_runner._start(plan, sandbox)
    try:
        ran = ps.train.run({"mode": "check", "source": TINY_NET, "config": {},
                            "device": "cpu", "check_shape": [1, 8, 8, 10]}, 120)
        assert ran.started and ran.returncode == 0
        assert ps.train.proc.poll() is not None and not ps.train.alive()
        with pytest.raises(RuntimeError, match="one job only"):
            ps.train.run({"mode": "check"}, 10)
    finally:
        ps.close()
    assert not any(Path(d).exists() for d in ps.dirs)


HOSTILE = """
import json, os, signal, sys
target, canary = sys.argv[1], sys.argv[2]
found, wrote = [], []
worker = "lemonade" + ".sandbox."  # built here, so this script's own text does not match
for entry in os.listdir("/proc"):
    if entry.isdigit() and int(entry) != os.getpid():
        try:
            found.append(open(f"/proc/{entry}/cmdline", "rb").read().decode(errors="replace"))
        except OSError:
            pass
try:
    os.kill(-1, signal.SIGKILL)  # everything this process may signal
except OSError:
    pass
for path in (os.path.join(target, "graph.json"), os.path.join(target, "spawn.json"), canary):
    try:
        with open(path, "w") as f:  # (into its own private /tmp at best)
            f.write("pwned")
    except OSError:
        pass
print(json.dumps({"n": len(found), "seen": [c for c in found if worker in c]}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux namespaces only")
def test_a_hostile_candidate_cannot_touch_a_pair_waiting_for_the_next(
        tmp_path: Path, sandbox: Sandbox) -> None:
    status = isolation.probe(refresh=True)
    assert status.isolated, f"bubblewrap must work on this machine: {status.reason}"
    cfg = config()
    plan = sandbox_runner._plan(job(cfg, 5, tmp_path, warm_next=False), sandbox)
    ps = sandbox_runner._start(plan, sandbox)  # another worker's pair, waiting for its candidate
    try:
        assert ps.train.wait_ready(120)
        scratch = tmp_path / "scratch"
        scratch.mkdir()
        canary = Path(f"/tmp/lemonade-canary-{os.getpid()}")
        canary.unlink(missing_ok=True)
        spawn_doc = (ps.out_dir / "spawn.json").read_text()
        argv = [sys.executable, "-c", textwrap.dedent(HOSTILE), str(ps.out_dir), str(canary)]
        env = {"PATH": "/usr/bin:/bin", "HOME": str(scratch), "TMPDIR": str(scratch)}
        with isolation.prepare(argv, status=status, scratch=scratch, env=env) as launch:
            done = subprocess.run(launch.argv, env=launch.env, pass_fds=launch.pass_fds,
                                  capture_output=True, text=True, timeout=60,
                                  stdin=subprocess.DEVNULL, start_new_session=True)
        doc = json.loads(done.stdout.strip().splitlines()[-1])
        assert doc["n"] >= 1  # /proc works in there: it lists the sandbox's own init
        assert doc["seen"] == [], doc  # the other sandbox's processes are not even visible
        assert ps.alive()
        assert sorted(os.listdir(ps.out_dir)) == ["spawn.json"]
        assert (ps.out_dir / "spawn.json").read_text() == spawn_doc
        assert not canary.exists()
        # and it still does its job: the next candidate takes it
        sandbox.warm.keep(ps)
        out = run_candidate(job(cfg, 5, tmp_path, warm_next=False), sandbox=sandbox)
        assert out.status == "ok", (out.reason, out.log_tail)
        assert out.info["startup"]["prestarted"] is True
    finally:
        ps.close()


def test_the_warm_up_model_exports_and_passes_the_checked_loader(tmp_path: Path) -> None:
    """The workers' warm-up swallows its own failure (it is only a warm-up), so this is where
    a warm-up that stopped working shows."""
    import torch

    from lemonade.sandbox.artifacts import ProgramModule, load_program, rehearse

    ep, report = load_program(rehearse(tmp_path))
    out = ProgramModule(ep)(torch.zeros(5, 1, 4, 4))
    assert out.shape == (5, 2) and report.ops


def test_a_held_set_nobody_takes_is_ended(tmp_path: Path, sandbox: Sandbox) -> None:
    """keep() arms a timer (prestart.KEEP_SECONDS); when it fires on the set still held, the set
    is ended; when another set is held by then, that one is left alone."""
    check = check_job(TINY_NET, (1, 8, 8, 10), limits=config().sandbox)
    plan = sandbox_runner._plan(check, sandbox)
    first, second = sandbox_runner._start(plan, sandbox), sandbox_runner._start(plan, sandbox)
    warm = sandbox.warm
    try:
        warm.keep(first, seconds=3600)
        warm.keep(second, seconds=3600)  # ends `first`, holds `second`
        assert not first.alive() and second.alive()
        warm.expire(first)  # first's timer firing late: not the held set, nothing happens
        assert warm.holding() and second.alive()
        warm.expire(second)
        assert not warm.holding() and not second.alive()
        assert not any(Path(d).exists() for d in second.dirs)
    finally:
        first.close()
        second.close()


def test_closing_the_sandbox_ends_the_set_it_holds(sandbox: Sandbox) -> None:
    """The end of a search: `close` ends the held set, removes its
    folders, and holds nothing more (a later candidate is not started ahead)."""
    plan = sandbox_runner._plan(check_job(TINY_NET, (1, 8, 8, 10), limits=config().sandbox),
                                sandbox)
    ps = sandbox_runner._start(plan, sandbox)
    sandbox.warm.keep(ps, seconds=3600)
    assert ps.alive() and sandbox.warm.holding()
    sandbox.close()
    assert not ps.alive() and not sandbox.warm.holding() and sandbox.closed
    assert not any(Path(d).exists() for d in ps.dirs)
    sandbox.close()  # idempotent


HOLDER = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from test_prestart import config, job
from pathlib import Path
from lemonade.sandbox.resource import Sandbox
from lemonade.sandbox.runner import run_candidate
cfg = config()
sandbox = Sandbox()
out = run_candidate(job(cfg, 5, Path(sys.argv[2]), warm_next=True), sandbox=sandbox)
ps = sandbox.warm.held
print(json.dumps({"status": out.status, "pids": [ps.train.proc.pid, ps.measure.proc.pid]}),
      flush=True)
time.sleep(600)
"""


def test_a_held_pair_dies_with_its_parent_even_on_kill_9(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(Path(__file__).parent),
                               str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        doc = json.loads(holder.stdout.readline())
        assert doc["status"] == "ok" and all(alive(p) for p in doc["pids"])
    finally:
        holder.kill()  # SIGKILL: no atexit, no Sandbox.close
        holder.wait()
    deadline = time.monotonic() + 10
    while any(alive(p) for p in doc["pids"]) and time.monotonic() < deadline:
        time.sleep(0.05)  # the kernel's parent-death signal and reaping are asynchronous
    assert not any(alive(p) for p in doc["pids"])
