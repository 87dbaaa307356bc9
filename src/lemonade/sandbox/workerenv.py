"""How lemonade's two sandboxed workers are started: their command lines and their scrubbed
environment. A leaf module (it imports nothing of lemonade), so that the fork server, the
process wrapper and the runner can all read it without importing one another.

- `worker_command(folder)`: the training worker (`python -m lemonade.sandbox.worker FOLDER`).
- `measure_command(folder)`: the trusted measurement process
  (`python -m lemonade.sandbox.measure_worker FOLDER`; no candidate source runs there).
- `worker_env(scratch)`: the only environment either of them gets.

A `lemonade.sandbox.resource.Sandbox` starts its workers with these two commands unless it is
built with others (the tests' stand-in workers); only workers started with these may be forked
from its fork server.
"""

from __future__ import annotations

import os
import site
import sys
from collections.abc import Callable
from pathlib import Path

Command = Callable[[Path], list[str]]  # a worker's folder -> its command line

# The only variables a worker inherits: what Python, torch and CUDA need to start. Nothing that
# could hold a secret (no *_KEY, *_TOKEN, *_SECRET, no cloud credentials, no proxies).
KEEP_ENV = ("PATH", "LANG", "LC_ALL", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
            "CUDA_VISIBLE_DEVICES", "LD_LIBRARY_PATH")


def worker_command(job_dir: Path) -> list[str]:
    """The training worker's command line."""
    return [sys.executable, "-m", "lemonade.sandbox.worker", str(job_dir)]


def measure_command(measure_dir: Path) -> list[str]:
    """The trusted measurement process's command line (no candidate source runs there)."""
    return [sys.executable, "-m", "lemonade.sandbox.measure_worker", str(measure_dir)]


def worker_env(scratch: str) -> dict[str, str]:
    """The scrubbed environment of a worker.

    Nothing in it depends on the candidate, so a process can start before its candidate
    exists (lemonade.sandbox.prestart): the hash seed is fixed, and the seeds of torch and
    Python's `random` come from the job's config. Inside the OS wall LEMONADE_PARENT_PID is
    dropped (bubblewrap's --die-with-parent does that job there).
    """
    env = {k: os.environ[k] for k in KEEP_ENV if k in os.environ}
    env.setdefault("PATH", os.defpath)
    env["HOME"] = scratch
    env["TMPDIR"] = scratch
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
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
