"""The trusted measurement process: `python -m lemonade.sandbox.measure_worker FOLDER`.

It never runs candidate source. It starts like the training worker (FOLDER/spawn.json, limits,
then the imports: `lemonade.sandbox.measure_job`, the code that does the work, and `ready`),
reads its job from stdin (written by the host), measures the training worker's artifacts
(`measure_job.measure`) or, with a job `{"task": "export", ...}`, exports a run's model for
`lemonade export` instead (`lemonade.sandbox.export_job`, the file written into FOLDER), and
writes FOLDER/measured.json ({status, reason, metrics, info}). Like the training worker it runs
inside the OS wall: the artifacts came from candidate code, so this is defence in depth. This
module imports no torch: the process loads it only once its limits are set.
"""

from __future__ import annotations

import os
import sys
import time
from types import ModuleType

from lemonade.sandbox.protocol import MEASURED_FILE, await_job, emit, finish, start


def warm_up() -> ModuleType:
    """The measurement's code (`lemonade.sandbox.measure_job`), imported and warmed up (its
    imports, one export and one load of a small program of its own) before the job exists, off
    the clock. Imported here, not at the top: it imports torch, which a process loads only once
    its limits are set (`lemonade.sandbox.protocol.start`)."""
    from lemonade.sandbox import measure_job

    measure_job.warm_up()
    return measure_job


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m lemonade.sandbox.measure_worker FOLDER   (job on stdin)",
              file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    job_dir, _spawn, notes, channel = start(argv[1], "cpu")
    emit(channel, "started", pid=os.getpid(), limits=notes, role="measure")
    jobs: ModuleType | BaseException
    try:
        jobs = warm_up()
    except BaseException as e:  # reported once there is a job
        jobs = e
    job = await_job(channel, t0)
    t_job = time.perf_counter()
    exporting = job.get("task") == "export"  # `lemonade export` (lemonade.export.export_model)
    what = "export" if exporting else "measurement"
    emit(channel, "phase", phase=f"{'exporting' if exporting else 'measuring'} the exported "
                                 "model")
    try:
        if isinstance(jobs, BaseException):
            raise jobs
        result = jobs.run(job, job_dir)
    except BaseException as e:  # report anything: the host decides
        text = str(e).strip().splitlines()
        result = {"status": "failed", "reason": f"{what} crashed: {type(e).__name__}: "
                                                f"{text[-1] if text else ''}"[:500]}
    result.setdefault("info", {})["measure_s"] = round(time.perf_counter() - t_job, 3)
    finish(channel, job_dir, MEASURED_FILE, result)
    return 0


if __name__ == "__main__":
    code = main(sys.argv)
    sys.stderr.flush()
    # The result is written: skip the interpreter's teardown (torch's and codecarbon's exit
    # handlers and threads cost seconds and can produce nothing the host reads).
    os._exit(code)
