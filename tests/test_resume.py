"""Runs that last: kill -9 the search mid-run, resume, and account for every candidate."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from e2e import cli_env, quick_config, run_cli

from lemonade.store import Store

pytestmark = pytest.mark.slow
FINISHED = {"ok", "failed", "timeout", "crashed", "rejected", "duplicate"}


def start_search(tmp_path: Path, run_dir: Path, iterations: int,
                 **popen: Any) -> subprocess.Popen[str]:
    """`lemonade search` on the quick config in a subprocess, its output on a pipe."""
    cfgp = quick_config(tmp_path, iterations=iterations)
    return subprocess.Popen(
        [sys.executable, "-m", "lemonade", "search", "--config", str(cfgp), "--run-dir",
         str(run_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=cli_env(), cwd=tmp_path,
        **popen,
    )


def read_until(proc: subprocess.Popen[str], pattern: str) -> list[str]:
    """The lines read up to and including the first matching one (synchronisation on the CLI's
    own output, no sleeps); fails the test if the search ends first."""
    assert proc.stdout is not None
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if re.match(pattern, line.strip()):
            return seen
    proc.wait()
    pytest.fail(f"search ended before a line matched {pattern!r}:\n" + "".join(seen))


def test_sigkill_then_resume_trains_nothing_twice(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    proc = start_search(tmp_path, run_dir, iterations=4)
    # a candidate finished: kill -9 the main process
    read_until(proc, r"#\d+\s+iter \d+\s+ok")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    st = Store.open(run_dir)
    before = {c.id: c for c in st.candidates() if c.status in FINISHED}
    assert any(c.status == "ok" for c in before.values())
    st.close()

    res = run_cli("resume", str(run_dir), cwd=tmp_path)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]

    st = Store.open(run_dir)
    after = {c.id: c for c in st.candidates()}
    # finished candidates are untouched (never trained again)
    for cid, c in before.items():
        assert after[cid].finished_at == c.finished_at
        assert after[cid].metrics == c.metrics
    # no code that had finished was trained again under a new id
    trained_before = {c.code_hash for c in before.values() if c.status == "ok"}
    new_trained = [c for cid, c in after.items() if cid not in before and c.status == "ok"]
    assert not [c for c in new_trained if c.code_hash in trained_before]
    # every candidate accounted for, the budget reached, the run finished
    assert all(c.status in FINISHED | {"interrupted"} for c in after.values())
    done_iters = {c.iteration for c in after.values() if c.status in FINISHED}
    assert len(done_iters) == 4
    assert st.get_meta("status") == "finished"
    assert (run_dir / "best" / "model.py").exists()


def test_ctrl_c_stops_cleanly_and_says_how_to_resume(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    # a terminal's Ctrl-C: SIGINT to the foreground process group, default disposition
    proc = start_search(tmp_path, run_dir, iterations=3, start_new_session=True,
                        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    lines = read_until(proc, r"#1\s+iter 0\s+ok")
    os.killpg(proc.pid, signal.SIGINT)
    assert proc.stdout is not None
    rest = proc.stdout.read()
    rc = proc.wait()
    out = "".join(lines) + rest
    assert rc == 130, out
    assert f"lemonade resume {run_dir}" in out
    assert "Traceback" not in out
    st = Store.open(run_dir)
    assert st.get_meta("status") == "interrupted"
    assert not [c for c in st.candidates() if c.status in ("running", "pending")]
    st.close()
    res = run_cli("resume", str(run_dir), cwd=tmp_path)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    st = Store.open(run_dir)
    assert st.get_meta("status") == "finished"
    assert len({c.iteration for c in st.candidates() if c.status in FINISHED}) == 3
