"""The isolated worker: `python -m lemonade.sandbox.worker FOLDER`. One candidate, one process.

Order matters: limits first (from FOLDER/spawn.json, before torch is imported), then the event
channel, then torch and the training path (`lemonade.sandbox.train_job`, the code that does the
work: this module imports no torch), `ready`, then the job, read from stdin: the candidate's
source and config (lemonade.sandbox.process describes the hand-over). Events are
JSON lines on the *original* stdout, which is moved to a private descriptor; fd 1 is pointed at
stderr so that whatever the candidate or a library prints lands in the log, not in the event
stream.

Evaluate mode trains on the train split the host wrote (train_split.safetensors, the only data
this process gets) and writes into FOLDER the artifacts the trusted measurement process reads:
graph.json (torch.export program, dynamic batch) and weights.safetensors (every stored tensor).
FOLDER/result.json ({status, reason, history, info}) and the epoch events are display only:
no metric that ranks a candidate comes from this process. Exits 0 whenever a result was written,
whatever the candidate's status.
"""

from __future__ import annotations

import os
import sys
import time
from types import ModuleType
from typing import Any

from lemonade.sandbox.protocol import RESULT_FILE, await_job, emit, finish, oom_reason, start


def warm_up(mode: str) -> ModuleType:
    """The training worker's code (`lemonade.sandbox.train_job`), imported and warmed up for a
    `mode` job before the job exists: the start-up the host does not bill to the candidate.
    Imported here, not at the top: it imports torch, which a process loads only once its limits
    are set (`lemonade.sandbox.protocol.start`)."""
    from lemonade.sandbox import train_job

    train_job.warm_up(mode)
    return train_job


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m lemonade.sandbox.worker FOLDER   (job on stdin)", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    job_dir, spawn, limit_notes, channel = start(argv[1], "auto")
    # keys only, never values: the parent checks that no secret got through
    emit(channel, "started", pid=os.getpid(), limits=limit_notes, env_keys=sorted(os.environ))
    emit(channel, "phase", phase="importing torch")
    jobs: ModuleType | BaseException
    try:
        jobs = warm_up(str(spawn.get("mode") or "evaluate"))
    except BaseException as e:  # reported with the job's result, once there is a job
        jobs = e
    startup_s = time.perf_counter() - t0
    job = await_job(channel, t0)
    t_job = time.perf_counter()

    result: dict[str, Any]
    try:
        if isinstance(jobs, BaseException):
            raise jobs
        result = jobs.run(job, channel, job_dir)
    except MemoryError as e:
        result = {"status": "failed", "reason": f"MemoryError: {e}"}
    except BaseException as e:  # report anything: the parent decides
        text = str(e).strip().splitlines()
        result = {"status": "failed",
                  "reason": f"{type(e).__name__}: {text[-1] if text else ''}".rstrip(": ")}
    if result.get("status") != "ok" and result.get("reason"):
        result["reason"] = oom_reason(str(result["reason"]), limit_notes)
    info = result.setdefault("info", {})
    info["limits"] = limit_notes
    info["startup_s"] = round(startup_s, 3)
    info["worker_s"] = round(time.perf_counter() - t_job, 3)
    finish(channel, job_dir, RESULT_FILE, result)
    return 0


if __name__ == "__main__":
    code = main(sys.argv)
    sys.stdout.flush()
    sys.stderr.flush()
    # result.json and the artifacts are written and closed: skip the interpreter's teardown
    # (torch's exit handlers cost about a second, billed to train_seconds by the host).
    os._exit(code)
