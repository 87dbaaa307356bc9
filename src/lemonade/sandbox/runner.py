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

Contrast: a "timeout" that leaves a thread running. A timed-out candidate here leaves
nothing behind: its whole process group is killed and its scratch directory removed.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import resource
import shutil
import signal
import site
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from lemonade.metrics import Measurement, from_json
from lemonade.sandbox import isolation
from lemonade.sandbox.artifacts import GRAPH_FILE, WEIGHTS_FILE
from lemonade.sandbox.host_measure import HostSplits, host_splits, train_metrics
from lemonade.sandbox.measure_worker import MEASURE_JOB_FILE, MEASURED_FILE

LOG_TAIL_BYTES = 2048
MAX_EVENT_LINE = 1 << 20  # a longer "event" line is not ours: cut, logged, not parsed
FILE_SIZE_LIMIT = 1 << 30  # RLIMIT_FSIZE: weights of a big model fit, a file bomb does not
# The only variables a worker inherits: what Python, torch and CUDA need to start. Nothing that
# could hold a secret (no *_KEY, *_TOKEN, *_SECRET, no cloud credentials, no proxies).
_KEEP_ENV = ("PATH", "LANG", "LC_ALL", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
             "CUDA_VISIBLE_DEVICES", "LD_LIBRARY_PATH")

Status = Literal["ok", "failed", "timeout", "crashed", "rejected"]
ARTIFACT_FILES = (GRAPH_FILE, WEIGHTS_FILE)  # what the training worker hands to the measurement
MEASURE_DIR = "measure"  # JOB_DIR/measure: the measurement process's job folder
MEASURE_MIN_TIMEOUT_S = 120.0  # the measurement's own timeout, at least this
# Inside the wall the worker's job folder is WORKER_JOB_DIR: a fresh host folder bound read-write,
# with job.json bound read-only over it. The host copies WORKER_OUTPUTS back to the job dir.
WORKER_JOB_DIR = "/job"
WORKER_OUTPUTS = ("result.json", *ARTIFACT_FILES)


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
    train_on_val: bool = False  # train on train+val, measure on test (final training)


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
    # the folder holding graph.json + weights.safetensors (the exported candidate), on success
    artifacts_dir: str | None = None


def worker_env(scratch: str, seed: int = 0, *, inside: bool = False) -> dict[str, str]:
    """The scrubbed environment of a worker (module-level so tests can read the rule).

    `inside`: the worker runs inside the OS wall (same paths as here), where bubblewrap
    (--die-with-parent) ties it to this process and its own parent is the sandbox's init.
    """
    env = {k: os.environ[k] for k in _KEEP_ENV if k in os.environ}
    env.setdefault("PATH", os.defpath)
    env["HOME"] = scratch
    env["TMPDIR"] = scratch
    env["PYTHONHASHSEED"] = str(seed)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    if not inside:
        # the worker dies with this process (PR_SET_PDEATHSIG), even when this one is killed -9
        env["LEMONADE_PARENT_PID"] = str(os.getpid())
    # lemonade must import in the worker even when it is not installed (a source checkout)
    pkg_root = str(Path(__file__).resolve().parents[2])  # the folder holding lemonade/
    paths = [pkg_root, *(p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p)]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    # HOME moves, so a `pip install --user` site would vanish: point at it explicitly
    if site.ENABLE_USER_SITE and os.path.isdir(site.getusersitepackages()):
        env["PYTHONUSERBASE"] = site.getuserbase()
    return env


def worker_command(job_dir: Path) -> list[str]:
    """The worker's command line (a function, so tests can put a stand-in worker there)."""
    return [sys.executable, "-m", "lemonade.sandbox.worker", str(job_dir)]


def _with_host_pids(on_event: Callable[[dict[str, Any]], None] | None,
                    outer_pid: int) -> Callable[[dict[str, Any]], None] | None:
    """Inside its PID namespace the worker reports pid 2; callers get the host pid."""
    if on_event is None:
        return None

    def translate(ev: dict[str, Any]) -> None:
        if ev.get("event") == "started" and isinstance(ev.get("pid"), int):
            ev["ns_pid"] = ev["pid"]
            ev["pid"] = isolation.host_pid(outer_pid, ev["pid"]) or ev["pid"]
        on_event(ev)

    return translate


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


@dataclass
class _Exit:
    """How one sandboxed process ended, as the host saw it."""

    returncode: int
    timed_out: bool
    events: list[dict[str, Any]]
    tail: collections.deque[bytes]
    wall_s: float  # spawn to exit, host clock
    cpu_s: float  # user + system CPU of the process and its reaped children (getrusage)
    isolation: dict[str, Any] = field(default_factory=dict)  # what the OS wall applied


def _launch(argv: list[str], scratch: str, env: dict[str, str], timeout_s: float,
            on_event: Callable[[dict[str, Any]], None] | None,
            ro_binds: Sequence[tuple[str, str]] = (),
            rw_binds: Sequence[tuple[str, str]] = (), *, limits: Any = None,
            device: str = "cpu") -> _Exit:
    """Spawn one worker process (training or measurement), wait for it, kill its group.

    The process runs inside the OS wall (lemonade.sandbox.isolation) where this machine has
    one: it sees the Python installation, `scratch` and the `ro_binds`/`rw_binds` (host path,
    same path inside) and nothing else. `limits` (SandboxConfig or its dict) says whether the
    wall is required; `device` "cuda"/"auto" passes the GPU device nodes through."""
    events: list[dict[str, Any]] = []
    tail: collections.deque[bytes] = collections.deque()
    timed_out = False
    status = isolation.resolve(limits)  # refuses (IsolationUnavailable) when it must
    if status.isolated:
        env = {k: v for k, v in env.items() if k != "LEMONADE_PARENT_PID"}  # see worker_env
    launch = isolation.prepare(argv, status=status, scratch=scratch, env=env,
                               ro_binds=ro_binds, rw_binds=rw_binds, device=device)
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t_spawn = time.perf_counter()
    try:
        proc = subprocess.Popen(
            launch.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, cwd=scratch, env=launch.env, pass_fds=launch.pass_fds,
            start_new_session=True, close_fds=True,
        )
    finally:
        launch.close()
    if launch.isolated:
        on_event = _with_host_pids(on_event, proc.pid)
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
    wall = time.perf_counter() - t_spawn
    # Always: a worker that exited may have left children in its group.
    _kill_group(proc.pid)
    proc.wait()
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    for r in readers:
        r.join(timeout=5)  # a pipe held open by an escaped grandchild must not hang us
    for s in (proc.stdout, proc.stderr):
        with contextlib.suppress(Exception):
            s.close()
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    return _Exit(launch.returncode(proc.returncode), timed_out, events, tail, wall, cpu,
                 launch.applied)


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
    for stale in ("result.json", "weights.pt", *ARTIFACT_FILES, MEASURED_FILE):
        (job_dir / stale).unlink(missing_ok=True)
    scratch = tempfile.mkdtemp(prefix="lemonade-scratch-")
    seed = int((job.config or {}).get("seed", 0) or 0)
    evaluate = job.mode != "check"
    limits_doc = {
        "memory_limit_mb": getattr(limits, "memory_limit_mb", None),
        "max_processes": getattr(limits, "max_processes", None),
        "file_size_bytes": FILE_SIZE_LIMIT,
        "isolation": getattr(limits, "isolation", "auto"),
        "require_isolation": getattr(limits, "require_isolation", False),
    }
    doc: dict[str, Any] = {
        "source": job.source, "config": job.config, "device": job.device,
        "want_weights": job.want_weights, "mode": job.mode,
        "check_shape": list(job.check_shape) if job.check_shape else None,
        "limits": limits_doc,
    }
    splits: HostSplits | None = None
    if evaluate:
        try:  # the host loads the data and writes the split files the two processes read
            splits = host_splits(job.config or {}, train_on_val=job.train_on_val)
        except Exception as e:  # a bad config or a missing dataset: the candidate is not at fault
            shutil.rmtree(scratch, ignore_errors=True)
            if own_dir:
                shutil.rmtree(job_dir, ignore_errors=True)
            text = str(e).strip().splitlines()
            return CandidateOutcome(status="failed", seconds=time.perf_counter() - t0,
                                    reason=f"{type(e).__name__}: {text[0] if text else ''}")
        doc.update(train_split=str(splits.train), train_sha256=splits.train_sha256)
    (job_dir / "job.json").write_text(json.dumps(doc))

    # The training worker never sees job_dir (it may be the candidate's folder in the run
    # directory): it works in a fresh out_dir holding a copy of job.json, read-only inside the
    # wall; the host copies WORKER_OUTPUTS back to job_dir afterwards.
    out_dir = Path(tempfile.mkdtemp(prefix="lemonade-out-"))
    keep_job_dir = False
    try:
        shutil.copyfile(job_dir / "job.json", out_dir / "job.json")
        tracker = _host_energy_tracker(job) if evaluate else None
        with tracker if tracker is not None else contextlib.nullcontext():
            ran = _launch(worker_command(out_dir), scratch, worker_env(scratch, seed),
                          timeout_s, on_event, limits=limits, device=job.device,
                          rw_binds=[(str(out_dir), str(out_dir))],
                          ro_binds=[(str(out_dir / "job.json"), str(out_dir / "job.json")),
                                    # the train split file the host wrote, nothing else
                                    # of the dataset (check mode needs none)
                                    *([(str(splits.train), str(splits.train))]
                                      if splits is not None else [])])
        isolation.copy_out(out_dir, job_dir, WORKER_OUTPUTS, FILE_SIZE_LIMIT)
        outcome = _outcome(job, job_dir, ran.returncode, ran.timed_out, timeout_s, ran.events,
                           ran.tail, t0)
        outcome.info["isolation"] = ran.isolation
        if not evaluate or outcome.status != "ok":
            return outcome
        host_metrics = _host_metrics(ran, tracker, outcome)
        left = max(MEASURE_MIN_TIMEOUT_S, timeout_s - (time.perf_counter() - t0))
        measured, measure_info = _measure(job, job_dir, splits, limits_doc, left, on_event)
        outcome.info["measure"] = measure_info
        outcome.info["trusted_metrics"] = True
        if measured.get("status") != "ok":
            outcome.status = "failed"
            outcome.reason = str(measured.get("reason") or "measurement failed")[:2000]
            outcome.metrics = host_metrics
        else:
            trusted = from_json(measured.get("metrics") or {})
            epochs = (outcome.info.get("train") or {}).get("epochs_run")
            for m in trusted.values():  # the weights measured are those after this many epochs
                m.method.setdefault("epochs_run", epochs)
            outcome.metrics = {**trusted, **host_metrics}
        outcome.artifacts_dir = str(job_dir)
        weights = job_dir / WEIGHTS_FILE
        outcome.weights_path = str(weights) if weights.exists() else None
        outcome.seconds = time.perf_counter() - t0
        keep_job_dir = outcome.status == "ok" and outcome.weights_path is not None
        return outcome
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(out_dir, ignore_errors=True)
        # a temporary job dir outlives the call only to hand a successful candidate's weights
        # over to the caller; a failed one leaves nothing behind
        if own_dir and not (job.want_weights and keep_job_dir):
            shutil.rmtree(job_dir, ignore_errors=True)


def measure_command(measure_dir: Path) -> list[str]:
    """The trusted measurement process's command line (no candidate source runs there)."""
    return [sys.executable, "-m", "lemonade.sandbox.measure_worker", str(measure_dir)]


def _host_energy_tracker(job: CandidateJob) -> Any:
    from lemonade.config import build_config
    from lemonade.measure import EnergyTracker
    from lemonade.train import resolve_device

    cfg = build_config(job.config or {})
    try:
        device = resolve_device(job.device or cfg.device)
    except ValueError:
        device = "cpu"
    return EnergyTracker(cfg.measure, device, reuse=True)


def _host_metrics(ran: _Exit, tracker: Any, outcome: CandidateOutcome
                  ) -> dict[str, Measurement]:
    energy = tracker.measurements() if tracker is not None else None
    return train_metrics(ran.wall_s, ran.cpu_s, outcome.info, energy)


def _measure(job: CandidateJob, job_dir: Path, splits: HostSplits | None,
             limits_doc: dict[str, Any], timeout_s: float,
             on_event: Callable[[dict[str, Any]], None] | None
             ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run the measurement process on the training worker's artifacts; (measured.json, info)."""
    from lemonade.config import build_config
    from lemonade.train import resolve_device

    if splits is None:
        return {"status": "failed", "reason": "no evaluation split"}, {}
    missing = [n for n in ARTIFACT_FILES if not (job_dir / n).is_file()]
    if missing:
        return {"status": "failed",
                "reason": f"the training worker left no {', '.join(missing)}"}, {}
    cfg = build_config(job.config or {})
    try:
        device = str(resolve_device(job.device or cfg.device))
    except ValueError as e:
        return {"status": "failed", "reason": str(e)}, {}
    mdir = job_dir / MEASURE_DIR
    mdir.mkdir(exist_ok=True)
    (mdir / MEASURED_FILE).unlink(missing_ok=True)
    doc = {"artifacts": str(job_dir.resolve()), "eval_split": str(splits.eval),
           "eval_sha256": splits.eval_sha256, "measure": cfg.measure.model_dump(mode="json"),
           "device": device, "limits": limits_doc, "threads": cfg.train.cpu_threads or 1}
    (mdir / MEASURE_JOB_FILE).write_text(json.dumps(doc))
    scratch = tempfile.mkdtemp(prefix="lemonade-measure-")
    try:
        ran = _launch(measure_command(mdir.resolve()), scratch, worker_env(scratch, cfg.seed),
                      timeout_s, on_event,
                      ro_binds=[(str(job_dir.resolve()), str(job_dir.resolve())),
                                (str(splits.eval), str(splits.eval))],
                      rw_binds=[(str(mdir.resolve()), str(mdir.resolve()))],
                      limits=limits_doc, device=device)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    info = {"seconds": round(ran.wall_s, 3)}
    if ran.timed_out:
        return {"status": "failed", "reason": f"measurement timed out after {timeout_s:g} s"}, info
    try:
        result = json.loads((mdir / MEASURED_FILE).read_text())
    except (OSError, ValueError):
        last = _last_line(_tail_text(ran.tail)) or f"exit status {ran.returncode}"
        return {"status": "failed", "reason": f"measurement process failed: {last}"}, info
    info.update(result.get("info") or {})
    return result, info


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
    status = result.get("status") if result.get("status") in ("ok", "failed") else "failed"
    # Display only: the history and info the worker wrote. Its metrics, if it wrote any, are
    # ignored: the figures that rank a candidate come from the host and the measurement process.
    return CandidateOutcome(
        status=status, reason=str(result.get("reason"))[:2000] if result.get("reason") else None,
        history=result.get("history") if isinstance(result.get("history"), list) else history,
        seconds=seconds, log_tail=log, info=info,
    )


def _read_result(job_dir: Path) -> dict[str, Any] | None:
    try:
        doc = json.loads((job_dir / "result.json").read_text())
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None
