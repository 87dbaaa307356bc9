"""The search loop under fault and hostile input (issue "Untrusted code and hostile inputs").

The real loop (`lemonade.search`) with the real `openai` proposer talks to a scripted
chat-completions server on 127.0.0.1 (tests/llm_server.py) and trains real candidates in real
sandboxed workers on a tiny synthetic dataset. The scripts are linear: the loop is deterministic,
so each test knows which request is a proposal, a retry or a repair, and checks exactly that.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from e2e import run_cli
from llm_server import (
    ScriptedLLM,
    Step,
    code_reply,
    empty_reply,
    garbage_body,
    slow_reply,
    status_reply,
    text_reply,
)

import lemonade.sandbox.runner as runner_mod
from lemonade.candidate import Candidate
from lemonade.config import Config, build_config
from lemonade.search import start_run
from lemonade.store import Store

pytestmark = pytest.mark.slow

HOSTILE = Path(__file__).parent / "hostile"
KEY_ENV = "LEMONADE_FAULTS_TEST_KEY"
BENIGN = """import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, WIDTH, 3, padding=1)
        self.fc = nn.Linear(WIDTH, num_classes)

    def forward(self, x):
        x = F.relu(self.conv(x))
        return self.fc(x.mean(dim=(2, 3)))
"""
# The files a run may leave in its directory; anything else was written by someone it should not be.
RUN_FILES = {"run.db", "run.db-wal", "run.db-shm", ".lock", "config.yaml", "model.py",
             "job.json", "result.json", "weights.pt", "metrics.json", "candidate.json",
             # the training worker's checked export and the measurement process's job folder
             "graph.json", "weights.safetensors", "measure_job.json", "measured.json"}


def benign(width: int) -> str:
    """A small valid model; the width varies so that code hashes differ (no de-duplication)."""
    return BENIGN.replace("WIDTH", str(width))


def hostile(name: str, target: Path) -> str:
    """A corpus file, its /tmp/ paths pointed at `target` so an escape would be seen there."""
    return (HOSTILE / name).read_text().replace("/tmp/", f"{target}/")


def search_config(tmp_path: Path, llm: ScriptedLLM, *, iterations: int, repair_attempts: int,
                  candidate_timeout_s: float = 60.0, **proposer: Any) -> Config:
    return build_config({
        "dataset": {"name": "synthetic", "synthetic_shape": [1, 8, 8], "synthetic_size": 200},
        "objectives": [{"metric": "val_accuracy", "threshold": 0.5, "priority": 2},
                       {"metric": "params", "threshold": 5000, "priority": 1}],
        "proposer": {"kind": "openai", "model": "scripted", "base_url": llm.base_url,
                     "api_key_env": KEY_ENV, "max_retries": 1, "timeout_s": 10.0, **proposer},
        "budget": {"epochs": 1, "iterations": iterations, "repair_attempts": repair_attempts,
                   "candidate_timeout_s": candidate_timeout_s},
        "measure": {"energy": False, "latency_repeats": 3, "latency_warmup": 1},
        "device": "cpu", "seed": 0, "run_dir": str(tmp_path / "run"),
    })


def scratch_left(tmp: Path) -> list[Path]:
    """What is left in the temp root, besides the host's documented split cache
    (lemonade.sandbox.host_measure.cache_dir: the dataset's split files, kept for the next run)."""
    from lemonade.sandbox.host_measure import cache_dir

    cache = cache_dir().name  # under tempfile.gettempdir(), which the fixture points at `tmp`
    return [p for p in tmp.iterdir() if p.name != cache]


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """An empty cwd, a private temp root (the workers' scratch dirs land there), a target dir."""
    dirs = {name: tmp_path / name for name in ("cwd", "tmp", "target")}
    for d in dirs.values():
        d.mkdir()
    monkeypatch.chdir(dirs["cwd"])
    monkeypatch.setattr(tempfile, "tempdir", str(dirs["tmp"]))
    monkeypatch.setenv(KEY_ENV, "sk-faults-test")
    return dirs


def record_workers(monkeypatch: pytest.MonkeyPatch,
                   on_started: Callable[[int, int], None] | None = None) -> list[int]:
    """Wrap the loop's `run_candidate` to collect worker pids (and act on each `started`)."""
    pids: list[int] = []
    real = runner_mod.run_candidate

    def wrapped(job, on_event=None, **kw):  # type: ignore[no-untyped-def]
        index = len(pids)

        def events(ev: dict[str, Any]) -> None:
            if ev.get("event") == "started":
                pids.append(int(ev["pid"]))
                if on_started is not None:
                    on_started(index, int(ev["pid"]))
            if on_event is not None:
                on_event(ev)

        return real(job, on_event=events, **kw)

    monkeypatch.setattr(runner_mod, "run_candidate", wrapped)  # what a pool task calls
    return pids


def assert_gone(pids: list[int]) -> None:
    """Each worker has exited: no such process, or a zombie that the machine's init has not
    reaped yet (a worker whose sandbox was killed as a whole may be orphaned to it)."""
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            continue
        assert state in ("Z", "X"), f"worker {pid} still runs (state {state})"


def assert_store_sound(run: Path) -> None:
    conn = sqlite3.connect(run / "run.db")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()


def assert_measured(c: Candidate) -> None:
    assert c.status == "ok", (c.id, c.status, c.reason)
    vals = {k: m.get("value") for k, m in c.metrics.items()}
    for name in ("val_accuracy", "params", "latency_ms", "flops"):
        assert isinstance(vals.get(name), (int, float)), (c.id, name, vals)
    assert c.cme is not None


# ------------------------------------------------------------------------------------------------
# 1. a third of the replies are hostile
# ------------------------------------------------------------------------------------------------
LOOP_TIMEOUT_S = 20.0  # the infinite loop costs this; benign workers finish in well under it


def test_hostile_third_of_replies(tmp_path: Path, isolated: dict[str, Path],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    target = isolated["target"]
    # Proposals cycle benign, benign, hostile; within a hostile iteration the repairs are hostile
    # too. repair_attempts=2, so each hostile iteration serves a chain of three statically
    # rejected files, or a static one and then the infinite loop (a timeout ends the iteration:
    # a hang is not repaired).
    replies: list[tuple[str, str, str]] = [  # (kind, source, expected status: reason part)
        ("benign", benign(4), "ok"),
        ("benign", benign(6), "ok"),
        ("hostile", hostile("import_os.py", target), "rejected: import of 'os' is not allowed"),
        ("hostile", hostile("dunder_import.py", target), "rejected: '__import__' is not allowed"),
        ("hostile", hostile("torch_load.py", target), "rejected: 'load' is not allowed"),
        ("benign", benign(8), "ok"),
        ("benign", benign(10), "ok"),
        ("hostile", hostile("open_file.py", target), "rejected: 'open' is not allowed"),
        ("hostile", hostile("infinite_loop_forward.py", target),
         f"timeout: timed out after {LOOP_TIMEOUT_S:g} s while running the candidate"),
    ]
    llm = ScriptedLLM([code_reply(src, label=kind) for kind, src, _ in replies])
    pids = record_workers(monkeypatch)
    t0 = time.monotonic()
    try:
        cfg = search_config(tmp_path, llm, iterations=6, repair_attempts=2,
                            candidate_timeout_s=LOOP_TIMEOUT_S)
        res = start_run(cfg).run()
    finally:
        llm.close()
    seconds = time.monotonic() - t0

    assert res.status == "finished"
    assert len(llm.requests) == len(replies) and not llm.script  # every reply served, no more
    st = Store.open(res.run_dir)
    cands = st.candidates()
    assert [c.code.strip() for c in cands] == [src.strip() for _, src, _ in replies]
    assert len({c.iteration for c in cands}) == 6
    for c, (kind, _, expect) in zip(cands, replies, strict=True):
        status, _, reason = expect.partition(": ")
        if kind == "benign":
            assert_measured(c)
        else:
            assert c.status == status, (c.id, c.status, c.reason)
            assert reason in (c.reason or ""), c.reason
            assert c.metrics in ({}, None) or not any(
                m.get("value") is not None for m in c.metrics.values())

    # each rejected reply was sent back for repair, quoting its error; the rest were proposals
    repairs = {3, 4, 8}
    for i, asked in enumerate(llm.requests):
        assert asked.is_repair == (i in repairs), i
        if i in repairs:
            quoted = replies[i - 1][2].partition(": ")[2]
            assert quoted in asked.last_user, asked.last_user[:500]

    # contained: nothing outside the run dir, scratch dirs removed, workers gone, store sound
    assert list(target.iterdir()) == []
    assert list(isolated["cwd"].iterdir()) == []
    assert scratch_left(isolated["tmp"]) == []
    strays = [p for p in res.run_dir.rglob("*") if p.is_file() and p.name not in RUN_FILES]
    assert strays == []
    # 4 benign (a training and a measurement process each) + the infinite loop (training only);
    # static rejects never got a process
    assert len(pids) == 4 * 2 + 1
    assert_gone(pids)
    assert_store_sound(res.run_dir)

    static = sum(1 for c in cands if c.status == "rejected")
    runtime = sum(1 for c in cands if c.status in ("timeout", "failed", "crashed"))
    print(f"\nhostile run: {len(llm.requests)} replies served, "
          f"{sum(k == 'hostile' for k, _, _ in replies)} hostile, {static} rejected statically, "
          f"{runtime} contained at run time, {len(st.candidates(status='ok'))} benign measured, "
          f"{seconds:.1f} s")


# ------------------------------------------------------------------------------------------------
# 2. endpoint faults
# ------------------------------------------------------------------------------------------------
CLIENT_TIMEOUT_S = 1.5


def test_endpoint_faults_are_retried_or_recorded(tmp_path: Path, isolated: dict[str, Path]
                                                 ) -> None:
    # max_retries=1 (two tries a call), repair_attempts=1 (two proposals an iteration)
    script: list[Step] = [
        status_reply(429, retry_after=0, message="rate limited"),  # it0 propose, try 1
        code_reply(benign(4)),                                      # it0 propose, try 2 -> ok
        status_reply(500, message="upstream exploded"),             # it1 propose, try 1
        status_reply(503, message="overloaded"),                    # it1 propose, try 2 -> error
        slow_reply(2 * CLIENT_TIMEOUT_S),                           # it1 repair, try 1: time-out
        empty_reply(),                                              # it1 repair, try 2 -> error
        text_reply("I would stack three residual stages with batch norm."),  # it2 propose
        garbage_body(),                                             # it2 repair -> error
        code_reply(benign(6)),                                      # it3 propose -> ok
    ]
    llm = ScriptedLLM(script)
    t0 = time.monotonic()
    try:
        cfg = search_config(tmp_path, llm, iterations=4, repair_attempts=1,
                            timeout_s=CLIENT_TIMEOUT_S, max_retries=1)
        res = start_run(cfg).run()
    finally:
        llm.close()
    seconds = time.monotonic() - t0

    assert res.status == "finished"
    assert len(llm.requests) == len(script) and not llm.script
    req = llm.requests
    # retries resend the very same request; a repair after a failed call asks the question again
    assert req[1].body == req[0].body
    assert req[2].body == req[3].body == req[4].body == req[5].body
    assert not any(r.is_repair for r in req[:7])
    # the slow reply was abandoned at the client's time-out, then retried
    assert req[5].t - req[4].t >= CLIENT_TIMEOUT_S
    # a reply without code is sent back with the reason
    assert req[7].is_repair and "no usable code" in req[7].last_user
    assert req[7].messages[-2]["content"].startswith("I would stack three residual stages")

    st = Store.open(res.run_dir)
    calls = st.llm_calls()
    assert [c["kind"] for c in calls] == ["generator", "generator", "repair", "generator",
                                          "repair", "generator"]
    errors = [c["error"] or "" for c in calls]
    assert errors[0] == "" and errors[5] == ""
    assert "HTTP 503" in errors[1] and "gave up after 2 attempts" in errors[1]
    assert "empty reply" in errors[2]
    assert "no usable code" in errors[3]
    assert "JSONDecodeError" in errors[4]

    cands = st.candidates()
    assert [c.status for c in cands] == ["ok", "rejected", "rejected", "rejected", "rejected",
                                            "ok"]
    for c, call, err in zip(cands, calls, errors, strict=True):
        assert call["candidate_id"] == c.id
        if err:
            assert c.reason == err
    assert_measured(cands[0])
    assert_measured(cands[-1])
    assert len({c.iteration for c in cands}) == 4
    assert_store_sound(res.run_dir)
    assert seconds < 90, seconds


# ------------------------------------------------------------------------------------------------
# 3. a worker killed by a signal
# ------------------------------------------------------------------------------------------------
def test_worker_killed_by_sigkill_is_recorded_and_the_run_goes_on(
        tmp_path: Path, isolated: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    widths = iter(range(4, 40, 2))
    llm = ScriptedLLM(default=lambda r: code_reply(benign(next(widths))))
    killed: list[int] = []

    def kill_first(index: int, pid: int) -> None:
        if index == 0:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    pids = record_workers(monkeypatch, kill_first)
    try:
        # no repairs: the next iteration follows the crash directly (one worker fewer to start)
        cfg = search_config(tmp_path, llm, iterations=2, repair_attempts=0)
        res = start_run(cfg).run()
    finally:
        llm.close()

    assert res.status == "finished"
    assert len(killed) == 1
    cands = Store.open(res.run_dir).candidates()
    first, later = cands[0], cands[1:]
    assert first.status == "crashed"
    assert "SIGKILL" in (first.reason or "")
    assert [c.status for c in later] == ["ok"]
    assert later[0].iteration == first.iteration + 1
    for c in later:
        assert_measured(c)
    assert len({c.iteration for c in cands}) == 2
    assert_gone(pids)
    assert scratch_left(isolated["tmp"]) == []  # the killed worker's scratch dir went too
    assert_store_sound(res.run_dir)


# ------------------------------------------------------------------------------------------------
# 4. a missing API key
# ------------------------------------------------------------------------------------------------
UNSET_KEY = "LEMONADE_FAULTS_SURELY_UNSET_KEY"
CliRun = tuple[subprocess.CompletedProcess[str], Path]


@pytest.fixture(scope="module")
def missing_key_cli(tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    """One CLI run (a few seconds of imports) shared by the two checks below."""
    assert UNSET_KEY not in os.environ
    cwd = tmp_path_factory.mktemp("missing-key")
    res = run_cli("search", "--proposer", "openai", "--base-url",
                  "https://api.example.invalid/v1", "--api-key-env", UNSET_KEY,
                  "--dataset", "synthetic", cwd=cwd, timeout=120)
    return res, cwd


def test_missing_api_key_is_one_line_naming_the_variable(missing_key_cli: CliRun) -> None:
    res, _ = missing_key_cli
    assert res.returncode != 0
    err = res.stderr.strip()
    assert "Traceback" not in err and "Traceback" not in res.stdout
    assert len(err.splitlines()) == 1, err
    assert "proposer.api_key_env" in err and UNSET_KEY in err


def test_missing_api_key_leaves_no_run_directory(missing_key_cli: CliRun) -> None:
    res, cwd = missing_key_cli
    assert res.returncode != 0
    assert list(cwd.iterdir()) == []  # no runs/<name>/run.db left claiming to be running
