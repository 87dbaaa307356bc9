"""Run one candidate in a worker process that can really be killed.

    run_candidate(job) ─ static check (cheap; obviously bad code never gets a process: "rejected")
        ─ job.json into the job dir ─ `python -m lemonade.sandbox.worker JOB_DIR` in its own
          session and
          process group, a fresh empty cwd (also HOME and TMPDIR), a scrubbed environment
        ─ a thread reads the worker's JSON-line events (epoch stats) -> on_event, another keeps
          the last ~2 KB of stderr
        ─ wall-clock timeout -> SIGKILL to the whole process group -> "timeout"
        ─ result.json (+ weights.pt) -> CandidateOutcome; killed by a signal -> "crashed"

The worker sets its own rlimits first thing (RLIMIT_AS, RLIMIT_NPROC, RLIMIT_CORE, RLIMIT_FSIZE)
rather than a `preexec_fn` here: preexec_fn is unsafe when the parent has threads (the search loop
does), and the worker sets them before it imports torch or reads the candidate.

Contrast: a "timeout" that leaves a thread running (STYLE.md). A timed-out candidate here leaves
nothing behind: its whole process group is killed and its scratch directory removed.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import shutil
import signal
import site
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from lemonade.metrics import Measurement, from_json

LOG_TAIL_BYTES = 2048
MAX_EVENT_LINE = 1 << 20  # a longer "event" line is not ours: cut, logged, not parsed
FILE_SIZE_LIMIT = 1 << 30  # RLIMIT_FSIZE: weights of a big model fit, a file bomb does not
# The only variables a worker inherits: what Python, torch and CUDA need to start. Nothing that
# could hold a secret (no *_KEY, *_TOKEN, *_SECRET, no cloud credentials, no proxies).
_KEEP_ENV = ("PATH", "LANG", "LC_ALL", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
             "CUDA_VISIBLE_DEVICES", "LD_LIBRARY_PATH")

Status = Literal["ok", "failed", "timeout", "crashed", "rejected"]


@dataclass
class CandidateJob:
    source: str
    config: dict[str, Any]  # Config.model_dump(mode="json")
    workdir: str | None = None  # job dir (job.json, result.json, weights.pt); None: a temp dir
    device: str = "auto"
    want_weights: bool = False
    # "evaluate": build, train, measure (lemonade.evaluate). "check": build + one forward pass
    # on check_shape = (in_channels, height, width, num_classes), for `lemonade check`.
    mode: Literal["evaluate", "check"] = "evaluate"
    check_shape: tuple[int, int, int, int] | None = None


@dataclass
class CandidateOutcome:
    status: Status
    reason: str | None
    metrics: dict[str, Measurement] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    weights_path: str | None = None
    seconds: float = 0.0
    log_tail: str = ""
    info: dict[str, Any] = field(default_factory=dict)  # limits applied, check-mode figures


def worker_env(scratch: str, seed: int = 0) -> dict[str, str]:
    """The scrubbed environment of a worker (module-level so tests can read the rule)."""
    env = {k: os.environ[k] for k in _KEEP_ENV if k in os.environ}
    env.setdefault("PATH", os.defpath)
    env["HOME"] = scratch
    env["TMPDIR"] = scratch
    env["PYTHONHASHSEED"] = str(seed)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    # the worker dies with this process (PR_SET_PDEATHSIG), even when this one is killed -9
    env["LEMONADE_PARENT_PID"] = str(os.getpid())
    # lemonade must import in the worker even when it is not installed (a source checkout)
    pkg_root = str(Path(__file__).resolve().parent.parent)
    paths = [pkg_root, *(p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p)]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    # HOME moves, so a `pip install --user` site would vanish: point at it explicitly
    if site.ENABLE_USER_SITE and os.path.isdir(site.getusersitepackages()):
        env["PYTHONUSERBASE"] = site.getuserbase()
    return env


def worker_command(job_dir: Path) -> list[str]:
    """The worker's command line (a function, so tests can put a stand-in worker there)."""
    return [sys.executable, "-m", "lemonade.sandbox.worker", str(job_dir)]


def _tail_reader(stream: Any, tail: collections.deque[bytes]) -> None:
    for chunk in iter(lambda: stream.read1(4096), b""):
        tail.append(chunk)
        while sum(len(c) for c in tail) > 4 * LOG_TAIL_BYTES and len(tail) > 1:
            tail.popleft()


def _event_reader(stream: Any, events: list[dict[str, Any]], tail: collections.deque[bytes],
                  on_event: Callable[[dict[str, Any]], None] | None) -> None:
    while True:
        line = stream.readline(MAX_EVENT_LINE)
        if not line:
            return
        try:
            ev = json.loads(line)
        except ValueError:
            ev = None
        if not isinstance(ev, dict) or "event" not in ev:
            tail.append(line[:LOG_TAIL_BYTES])  # stray output: keep it for the log
            continue
        events.append(ev)
        if on_event is not None:
            try:
                on_event(ev)
            except Exception as e:  # a broken progress bar must not lose the candidate
                tail.append(f"[on_event failed: {type(e).__name__}: {e}]\n".encode())


def _tail_text(tail: collections.deque[bytes]) -> str:
    return b"".join(tail)[-LOG_TAIL_BYTES:].decode("utf-8", "replace")


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _signal_name(returncode: int) -> str:
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return f"signal {-returncode}"


def run_candidate(job: CandidateJob, limits: Any, timeout_s: float,
                  on_event: Callable[[dict[str, Any]], None] | None = None) -> CandidateOutcome:
    """Evaluate `job` in a fresh, limited, killable worker process; never raises."""
    t0 = time.perf_counter()
    try:
        return _run(job, limits, timeout_s, on_event, t0)
    except Exception as e:  # the loop must never die of one candidate
        return CandidateOutcome(status="failed", reason=f"sandbox error: {type(e).__name__}: {e}",
                                seconds=time.perf_counter() - t0)


def _run(job: CandidateJob, limits: Any, timeout_s: float,
         on_event: Callable[[dict[str, Any]], None] | None, t0: float) -> CandidateOutcome:
    from lemonade.sandbox import check_source

    violations = check_source(job.source)
    if violations:
        reason = "; ".join(str(v) for v in violations[:5])
        if len(violations) > 5:
            reason += f" (+{len(violations) - 5} more)"
        return CandidateOutcome(status="rejected", reason=reason,
                                seconds=time.perf_counter() - t0)

    own_dir = job.workdir is None
    job_dir = Path(job.workdir or tempfile.mkdtemp(prefix="lemonade-job-"))
    job_dir.mkdir(parents=True, exist_ok=True)
    for stale in ("result.json", "weights.pt"):
        (job_dir / stale).unlink(missing_ok=True)
    scratch = tempfile.mkdtemp(prefix="lemonade-scratch-")
    seed = int((job.config or {}).get("seed", 0) or 0)
    doc = {
        "source": job.source, "config": job.config, "device": job.device,
        "want_weights": job.want_weights, "mode": job.mode,
        "check_shape": list(job.check_shape) if job.check_shape else None,
        "limits": {
            "memory_limit_mb": getattr(limits, "memory_limit_mb", None),
            "max_processes": getattr(limits, "max_processes", None),
            "file_size_bytes": FILE_SIZE_LIMIT,
        },
    }
    (job_dir / "job.json").write_text(json.dumps(doc))

    events: list[dict[str, Any]] = []
    tail: collections.deque[bytes] = collections.deque()
    timed_out = False
    try:
        proc = subprocess.Popen(
            worker_command(job_dir.resolve()),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=scratch, env=worker_env(scratch, seed), start_new_session=True, close_fds=True,
        )
        readers = [
            threading.Thread(target=_event_reader, args=(proc.stdout, events, tail, on_event),
                             daemon=True),
            threading.Thread(target=_tail_reader, args=(proc.stderr, tail), daemon=True),
        ]
        for r in readers:
            r.start()
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
        except BaseException:
            # Ctrl-C (or anything) in the parent: the worker lives in its own session, so the
            # terminal's SIGINT never reached it; take its whole group down before unwinding.
            _kill_group(proc.pid)
            raise
        # Always: a worker that exited may have left children in its group.
        _kill_group(proc.pid)
        proc.wait()
        for r in readers:
            r.join(timeout=5)  # a pipe held open by an escaped grandchild must not hang us
        for s in (proc.stdout, proc.stderr):
            with contextlib.suppress(Exception):
                s.close()
        return _outcome(job, job_dir, proc.returncode, timed_out, timeout_s, events, tail, t0)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if own_dir:
            _tidy_job_dir(job_dir)


def _tidy_job_dir(job_dir: Path) -> None:
    """A temp job dir goes away, except the weights the caller still has to move."""
    weights = job_dir / "weights.pt"
    if not weights.exists():
        shutil.rmtree(job_dir, ignore_errors=True)
        return
    for p in job_dir.iterdir():
        if p != weights:
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)


def _outcome(job: CandidateJob, job_dir: Path, returncode: int, timed_out: bool,
             timeout_s: float, events: list[dict[str, Any]], tail: collections.deque[bytes],
             t0: float) -> CandidateOutcome:
    seconds = time.perf_counter() - t0
    log = _tail_text(tail)
    history = [{k: v for k, v in e.items() if k != "event"} for e in events
               if e.get("event") == "epoch"]
    started = next((e for e in events if e.get("event") == "started"), {})
    phases = [e.get("phase") for e in events if e.get("event") == "phase"]
    info: dict[str, Any] = {"limits": started.get("limits", {}),
                            "phase": phases[-1] if phases else "starting the worker"}
    if timed_out:
        return CandidateOutcome(
            status="timeout", history=history, seconds=seconds, log_tail=log, info=info,
            reason=f"timed out after {timeout_s:g} s while {info['phase']} "
                   "(worker process group killed)")
    if returncode < 0:
        sig = _signal_name(returncode)
        hint = " (possibly the out-of-memory killer)" if sig == "SIGKILL" else ""
        return CandidateOutcome(status="crashed", reason=f"worker killed by {sig}{hint}",
                                history=history, seconds=seconds, log_tail=log, info=info)
    result = _read_result(job_dir) or next(
        (e for e in reversed(events) if e.get("event") == "result"), None)
    if result is None:
        last = _last_line(log) or "no output"
        why = f"exit status {returncode}" if returncode else "no result"
        return CandidateOutcome(status="failed", reason=f"worker failed ({why}): {last}",
                                history=history, seconds=seconds, log_tail=log, info=info)
    info.update(result.get("info") or {})
    weights = job_dir / "weights.pt"
    status = result.get("status") if result.get("status") in ("ok", "failed") else "failed"
    return CandidateOutcome(
        status=status, reason=result.get("reason"),
        metrics=from_json(result.get("metrics") or {}),
        history=result.get("history") or history,
        weights_path=str(weights) if job.want_weights and weights.exists() else None,
        seconds=seconds, log_tail=log, info=info,
    )


def _read_result(job_dir: Path) -> dict[str, Any] | None:
    try:
        doc = json.loads((job_dir / "result.json").read_text())
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None
