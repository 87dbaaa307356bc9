"""What crosses the wall between the host and a sandboxed process, from the process's side.

Both programs that run inside the wall (the training `worker` and the `measure_worker`) start
the same way and talk to the host the same way: die with the parent, read FOLDER/spawn.json
(limits, device), set the limits before torch is imported, move stdout to a private event
channel (JSON lines), say `ready`, read one job (a JSON line on stdin), and write their result
file atomically. The host's side is `lemonade.sandbox.process`. Imports no torch.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import time
from pathlib import Path
from typing import Any, TextIO

SPAWN_FILE = "spawn.json"  # FOLDER/spawn.json: what the process needs before its job
READY = "ready"  # the event that ends the start-up (trusted: no candidate code ran yet)
RESULT_FILE = "result.json"  # the training worker's result (display only)
MEASURE_JOB_FILE = "measure_job.json"  # the host's copy of the measurement's job
MEASURED_FILE = "measured.json"  # the measurement's result: the metrics that rank
# the files between the processes (lemonade.sandbox.artifacts reads and writes them)
GRAPH_FILE = "graph.json"  # the training worker's exported graph, for the measurement
WEIGHTS_FILE = "weights.safetensors"  # and its stored tensors
TRAIN_SPLIT_FILE = "train_split.safetensors"  # the host's train split, for the training worker
EVAL_SPLIT_FILE = "eval_split.safetensors"  # the host's val/test split, for the measurement

# the host uids sandboxes run as when lemonade runs as root (lemonade.sandbox.isolation), and
# the process cap a sandbox gets when sandbox.max_processes is unset (lemonade.sandbox.cgroups)
SANDBOX_UIDS = (0x5A000000, 0x5A000000 + (1 << 20))
DEFAULT_MAX_PROCESSES = 1024

OOM_MARKERS = ("MemoryError", "out of memory", "can't allocate memory", "Cannot allocate memory")
FILE_SIZE_LIMIT = 1 << 30  # RLIMIT_FSIZE: weights of a big model fit, a file bomb does not


def limits_doc(limits: Any) -> dict[str, Any]:
    """What a sandboxed process is told of its limits (`limits`: a SandboxConfig or alike)."""
    return {
        "memory_limit_mb": getattr(limits, "memory_limit_mb", None),
        "max_processes": getattr(limits, "max_processes", None),
        "scratch_mb": getattr(limits, "scratch_mb", None),
        "file_size_bytes": FILE_SIZE_LIMIT,
        "isolation": getattr(limits, "isolation", "auto"),
        "require_isolation": getattr(limits, "require_isolation", False),
    }


def last_line(text: str) -> str:
    """The last non-blank line of a process's output, stripped ("" when there is none)."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def signal_name(returncode: int) -> str:
    """The name of the signal that killed a process with this (negative) return code."""
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return f"signal {-returncode}"


def apply_limits(limits: dict[str, Any], device: str) -> dict[str, str]:
    """Set this process's rlimits; returns what was set or skipped, and why (recorded)."""
    notes: dict[str, str] = {}

    def lower(which: int, value: int) -> None:
        _soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value))

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    notes["core"] = "0"
    fsize = int(limits.get("file_size_bytes") or 0)
    if fsize:
        lower(resource.RLIMIT_FSIZE, fsize)
        notes["file_size"] = f"{fsize} bytes"
    mb = limits.get("memory_limit_mb")
    if mb:
        if _may_use_cuda(device):
            # The CUDA driver reserves huge virtual address ranges; RLIMIT_AS would break it.
            notes["address_space"] = "skipped (CUDA device: the driver maps huge virtual ranges)"
        else:
            lower(resource.RLIMIT_AS, int(mb) << 20)
            notes["address_space"] = f"{int(mb)} MB"
    procs = limits.get("max_processes")
    own_uid = SANDBOX_UIDS[0] <= os.getuid() < SANDBOX_UIDS[1]
    if procs or own_uid:
        # Counted per user (a sandbox's own uid, as root: per sandbox), and not enforced for
        # root; the sandbox's cgroup, where there is one, caps all its processes together.
        procs = int(procs or DEFAULT_MAX_PROCESSES)
        lower(resource.RLIMIT_NPROC, procs)
        notes["processes"] = f"{procs} (" + ("per sandbox: its own uid" if own_uid
                                             else "per user; not enforced for root") + ")"
    return notes


def _may_use_cuda(device: str) -> bool:
    if device == "cuda":
        return True
    if device == "cpu":
        return False
    # "auto": cuda exactly when a driver is there; decided without importing torch
    return os.environ.get("CUDA_VISIBLE_DEVICES", "x") != "" and os.path.exists("/dev/nvidiactl")


def event_channel() -> TextIO:
    fd = os.dup(1)
    os.dup2(2, 1)  # the candidate's print() goes to the log
    sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
    return os.fdopen(fd, "w", buffering=1)


def emit(channel: TextIO, event: str, **payload: Any) -> None:
    channel.write(json.dumps({"event": event, **payload}, default=str) + "\n")
    channel.flush()


def oom_reason(reason: str, limits: dict[str, str]) -> str:
    if not any(m.lower() in reason.lower() for m in OOM_MARKERS) or reason.startswith(
            "out of memory (limit"):
        return reason
    limit = limits.get("address_space", "none")
    return f"out of memory (limit {limit}): {reason}"


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL this worker when the search process dies (even by kill -9).

    The worker runs in its own session (so a timeout can kill its whole group), which also means
    nothing else would stop it: an orphan would go on training and holding memory. This runs in
    the worker's own trusted code, before any candidate code exists in the process.
    """
    parent = os.environ.get("LEMONADE_PARENT_PID")
    if not parent or not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != int(parent):  # the parent died before prctl took effect
        os._exit(1)


def start(folder: str, default_device: str
          ) -> tuple[Path, dict[str, Any], dict[str, str], TextIO]:
    """What every sandboxed process does first, in this order: die with the parent, read its
    spawn.json (limits, device), set its limits (before torch is imported), then move stdout
    to the event channel."""
    die_with_parent()
    path = Path(folder)
    spawn = json.loads((path / SPAWN_FILE).read_text())
    notes = apply_limits(spawn.get("limits") or {}, spawn.get("device") or default_device)
    return path, spawn, notes, event_channel()


def await_job(channel: TextIO, t0: float) -> dict[str, Any]:
    """Say `ready` (start-up done, no candidate code has run here), then block until the host
    hands over the job: one JSON line on stdin. Stdin is closed afterwards."""
    emit(channel, READY, startup_s=round(time.perf_counter() - t0, 3))
    line = sys.stdin.buffer.readline()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)  # the candidate reads nothing from the host
    os.close(devnull)
    if not line:
        raise SystemExit("no job: the host closed the channel")
    job = json.loads(line)
    if not isinstance(job, dict):
        raise SystemExit("the job is not a JSON object")
    return job


def finish(channel: TextIO, job_dir: Path, result_file: str, result: dict[str, Any]) -> None:
    """Write the result file atomically, then say so on the event channel and close it."""
    tmp = job_dir / (result_file + ".tmp")
    tmp.write_text(json.dumps(result, default=str))
    tmp.replace(job_dir / result_file)
    emit(channel, "result", status=result.get("status"), reason=result.get("reason"))
    channel.close()
