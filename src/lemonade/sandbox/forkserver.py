"""The host's side of the fork server: sandboxed workers forked from a process that imported
torch once, instead of a fresh interpreter each (lemonade.sandbox.zygote is the server).

    server = ForkServer()             # it warms up (imports torch) in the background
    server.wait_ready()               # False where it cannot run (workers then start fresh)
    pid, worker_pid = server.spawn(spec, [stdin, stdout, stderr, *namespace fds])
    code, cpu_s = server.wait_exit(pid, timeout)
    server.close()

Why: importing torch and its exporter costs about 2.5 CPU-seconds a process, and every
candidate needs two processes (training, measurement). On a machine with few cores that
start-up, not training, bounded how many candidates an hour two workers could run. A fork costs
milliseconds.

The wall is unchanged: bubblewrap still builds each worker's sandbox (its mounts, an empty
network, its own PID namespace), around a small holder process; the forked worker joins those
namespaces, drops every capability and installs the same seccomp filter before any of its own
code runs (lemonade.sandbox.nsjoin). A worker is never reused, and the server never runs
candidate code, so every candidate still starts in a process in which no candidate code ran.
docs/security.md has the reasoning.

One server per `lemonade.sandbox.resource.Sandbox` (a search's, or each Ray worker process's),
started on first use and stopped when the Sandbox closes; it dies with this process, and its
children with it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from lemonade.sandbox.workerenv import worker_env

START_TIMEOUT_S = 120.0  # its warm-up takes about 2.5 s here; past this, workers start fresh
SPAWN_TIMEOUT_S = 30.0


class ForkServerError(RuntimeError):
    """The server is gone or refused a request (the caller starts a fresh process instead)."""


class ForkServer:
    """One running server process and its socket (see the module)."""

    def __init__(self) -> None:
        self.owner = os.getpid()
        self.scratch = tempfile.mkdtemp(prefix="lemonade-forkserver-")
        env = worker_env(self.scratch)
        # one thread in the server: a fork then copies a consistent process, and no OpenMP
        # team exists that a child could not use
        env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
        env.pop("CUDA_VISIBLE_DEVICES", None)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._sock = ours
        self._log = open(Path(self.scratch) / "server.log", "wb")  # noqa: SIM115
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "lemonade.sandbox.zygote", str(theirs.fileno())],
                pass_fds=(theirs.fileno(),), env=env, cwd=self.scratch,
                stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
                start_new_session=True, close_fds=True)
        finally:
            theirs.close()
        self._t0 = time.perf_counter()
        self.startup_s: float | None = None
        self._cond = threading.Condition()
        self._ready = False
        self._dead: str | None = None
        self._replies: dict[int, dict[str, Any]] = {}
        self._exits: dict[int, tuple[int, float]] = {}
        self._ids = 0
        self._spawn_lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True,
                                        name="lemonade-forkserver")
        self._reader.start()

    # -- messages ------------------------------------------------------------------------------
    def _read(self) -> None:
        while True:
            try:
                data = self._sock.recv(1 << 16)
            except OSError:
                data = b""
            if not data:
                break
            try:
                msg = json.loads(data)
            except ValueError:
                continue
            with self._cond:
                op = msg.get("op")
                if op == "ready":
                    self._ready = True
                    self.startup_s = time.perf_counter() - self._t0
                elif op == "spawned" and isinstance(msg.get("id"), int):
                    self._replies[msg["id"]] = msg
                elif op == "exit" and isinstance(msg.get("pid"), int):
                    self._exits[msg["pid"]] = (int(msg.get("code", -9)),
                                               float(msg.get("cpu_s") or 0.0))
                self._cond.notify_all()
        with self._cond:
            self._dead = "the fork server exited"
            self._cond.notify_all()

    @property
    def ready(self) -> bool:
        return self._ready and self._dead is None

    @property
    def dead(self) -> bool:
        return self._dead is not None

    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> bool:
        with self._cond:
            self._cond.wait_for(lambda: self._ready or self._dead is not None, timeout)
            return self.ready

    def spawn(self, spec: dict[str, Any], fds: list[int],
              timeout: float = SPAWN_TIMEOUT_S) -> tuple[int, int | None]:
        """Fork a worker for `spec` with `fds` (stdin, stdout, stderr, one per namespace named
        in spec["namespaces"]); (the forked process's pid, the worker's host pid)."""
        if not self.ready:
            raise ForkServerError(self._dead or "the fork server is not ready")
        with self._spawn_lock:
            self._ids += 1
            rid = self._ids
            try:
                socket.send_fds(self._sock, [json.dumps({"op": "spawn", "id": rid,
                                                         "spec": spec}).encode()], fds)
            except OSError as e:
                raise ForkServerError(f"the fork server is gone: {e}") from None
            with self._cond:
                self._cond.wait_for(lambda: rid in self._replies or self._dead is not None,
                                    timeout)
                reply = self._replies.pop(rid, None)
        if reply is None or not isinstance(reply.get("pid"), int):
            why = (reply or {}).get("error") or self._dead or "no reply"
            raise ForkServerError(f"the fork server could not fork a worker: {why}")
        return int(reply["pid"]), reply.get("worker_pid")

    def exit_of(self, pid: int) -> tuple[int, float] | None:
        """(exit code, CPU seconds of it and what it waited for) once `pid` ended, else None.
        A server that died reports its children as killed (they died with it)."""
        with self._cond:
            if pid in self._exits:
                return self._exits[pid]
            if self._dead is not None:
                return (-9, 0.0)
            return None

    def wait_exit(self, pid: int, timeout: float | None) -> tuple[int, float] | None:
        with self._cond:
            self._cond.wait_for(lambda: pid in self._exits or self._dead is not None, timeout)
        return self.exit_of(pid)

    def forget(self, pid: int) -> None:
        with self._cond:
            self._exits.pop(pid, None)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self._sock.close()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, 9)
        with contextlib.suppress(Exception):
            self.proc.wait(timeout=10)
        self._log.close()
        shutil.rmtree(self.scratch, ignore_errors=True)
