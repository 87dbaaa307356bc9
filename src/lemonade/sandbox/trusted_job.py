"""One job in a fresh trusted measurement process (`python -m lemonade.sandbox.measure_worker`)
inside the OS wall, outside any candidate's evaluation: what `lemonade export` uses, so that the
host never loads or runs a candidate's graph (nor hands its shape expressions to sympy).

The process gets the sandbox settings given (memory limit, process cap, isolation), read-only
binds of the files the job names, a folder of its own to write into, and `timeout_s` for its
start and its job; then it is killed with its whole group. The host copies back the result and
the named output files (regular files under the size limit, never links), and parses the result
only when it is small.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lemonade.sandbox import isolation
from lemonade.sandbox.process import SandboxProcess, remove_dirs, scratch_bytes, tail_text
from lemonade.sandbox.protocol import (
    FILE_SIZE_LIMIT,
    MEASURED_FILE,
    last_line,
    limits_doc,
    signal_name,
)
from lemonade.sandbox.resource import Sandbox
from lemonade.sandbox.scratchfs import capped_dir
from lemonade.sandbox.workerenv import worker_env

MAX_RESULT_BYTES = 1 << 20  # the result document: figures and a reason, never data


def run_trusted_job(doc: dict[str, Any], *, ro_binds: Sequence[tuple[str, str]], limits: Any,
                    timeout_s: float, outputs: Sequence[str], dest: Path,
                    what: str = "job", sandbox: Sandbox | None = None) -> dict[str, Any]:
    """Run `doc` in a fresh measurement process; its result document ({status, reason, ...}),
    with the `outputs` it wrote copied into `dest`. Never raises for what the process did.

    `sandbox` (lemonade.sandbox.resource) starts the process (with its measurement command,
    from its fork server where it may); None: a Sandbox of this call only."""
    if sandbox is None:
        with Sandbox() as own:
            return run_trusted_job(doc, ro_binds=ro_binds, limits=limits, timeout_s=timeout_s,
                                   outputs=outputs, dest=dest, what=what, sandbox=own)
    folder = capped_dir("lemonade-measure-", scratch_bytes(limits))
    scratch = tempfile.mkdtemp(prefix="lemonade-scratch-")
    proc: SandboxProcess | None = None
    try:
        proc = SandboxProcess(
            sandbox.measure_command(folder), folder=folder, scratch=scratch,
            env=worker_env(scratch), limits=limits, device="cpu",
            spawn_doc={"limits": limits_doc(limits), "device": "cpu"},
            ro_binds=list(ro_binds), cap_folder=True,
            fork_server=sandbox.fork_server("measure", limits, "cpu"))
        ran = proc.run({**doc, "limits": limits_doc(limits)}, timeout_s)
        mem = getattr(limits, "memory_limit_mb", None)
        bound = f" (memory limit {mem} MB)" if mem else ""
        if ran.timed_out:
            when = "during its job" if ran.started else "while starting"
            return {"status": "failed", "reason": f"the {what} process ran past its "
                                                  f"{timeout_s:g} s timeout {when} and was "
                                                  f"killed{bound}"}
        if ran.returncode < 0:
            return {"status": "failed", "reason": f"the {what} process was killed by "
                    f"{signal_name(ran.returncode)}{bound}"}
        isolation.copy_out(folder, dest, [MEASURED_FILE], MAX_RESULT_BYTES)
        isolation.copy_out(folder, dest, list(outputs), FILE_SIZE_LIMIT)
        try:
            result = json.loads((dest / MEASURED_FILE).read_text())
        except (OSError, ValueError):
            last = last_line(tail_text(ran.tail)) or f"exit status {ran.returncode}"
            return {"status": "failed", "reason": f"the {what} process failed{bound}: {last}"}
        return result if isinstance(result, dict) else {"status": "failed",
                                                        "reason": "malformed result"}
    finally:
        if proc is not None:
            proc.kill()
        remove_dirs([folder, scratch])
