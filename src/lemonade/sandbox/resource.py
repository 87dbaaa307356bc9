"""The host's sandbox: what running candidates keeps between them, owned by one object.

    with Sandbox() as sandbox:                      # a search, `lemonade finalize`, the CLI
        sandbox.start_fork_server(cfg.sandbox, cfg.device)  # optional: warm up early
        run_candidate(job, sandbox=sandbox)         # lemonade.sandbox.runner
    # closed: the pair held for a next candidate ended, the fork server stopped

A `Sandbox` owns:

- `warm`: the pair of processes started ahead for the next candidate (lemonade.sandbox.prestart).
- the fork server its CPU workers are forked from (lemonade.sandbox.forkserver), started on
  first use (or by `start_fork_server`) and stopped by `close`.
- `splits`: the data split files the host wrote (lemonade.sandbox.host_measure.SplitCache).
- `energy`: the shared codecarbon trackers around the training processes
  (lemonade.measure.energy.SharedTrackers), built on first use.
- the two commands its workers start with (`worker_command`, `measure_command`); the tests
  put stand-in workers there. Only lemonade's own workers can be forked from the server (it
  runs their modules), so a stand-in command always starts a fresh process.

Whether the OS wall is available is not the Sandbox's: it is a fact of the machine, probed
once per process (lemonade.sandbox.isolation.probe) and the same for every Sandbox.

A search holds one for its whole run, final training included; each Ray worker process creates
its own on its first task and closes it at exit (lemonade.parallel.worker_sandbox). Closing is
idempotent; a closed Sandbox still runs candidates, with fresh processes only (it starts no
fork server and holds no pair any more). Whatever it did not close dies with this process (the
workers' parent-death signal), but the folders of a held pair are removed by `close` only.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any, Literal

from lemonade.sandbox import isolation, workerenv
from lemonade.sandbox.forkserver import START_TIMEOUT_S, ForkServer
from lemonade.sandbox.host_measure import SplitCache
from lemonade.sandbox.prestart import KEEP_SECONDS, WarmPair
from lemonade.sandbox.process import forks_workers
from lemonade.sandbox.workerenv import Command

if TYPE_CHECKING:
    from lemonade.measure.energy import SharedTrackers

Role = Literal["train", "measure"]  # the training worker, the measurement process


class Sandbox:
    """See the module. `worker_command` / `measure_command`: the command lines of the training
    worker and of the measurement process (default: lemonade's, `lemonade.sandbox.workerenv`);
    `keep_seconds`: how long a pair started ahead waits for a taker."""

    def __init__(self, *, worker_command: Command = workerenv.worker_command,
                 measure_command: Command = workerenv.measure_command,
                 keep_seconds: float = KEEP_SECONDS) -> None:
        self.worker_command = worker_command
        self.measure_command = measure_command
        self._forkable: dict[Role, bool] = {
            "train": worker_command is workerenv.worker_command,
            "measure": measure_command is workerenv.measure_command}
        self.warm = WarmPair(keep_seconds)
        self.splits = SplitCache()
        self.owner = os.getpid()
        self._energy: SharedTrackers | None = None
        self._lock = threading.Lock()
        self._server: ForkServer | None = None
        self._server_failed = False  # a server could not start: workers start fresh from now on
        self._closed = False

    # -- life ----------------------------------------------------------------------------------
    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """End the pair held for a next candidate and stop the fork server (idempotent)."""
        with self._lock:
            self._closed = True
            server, self._server = self._server, None
        self.warm.release()
        if server is not None and server.owner == os.getpid():
            server.close()

    # -- energy --------------------------------------------------------------------------------
    @property
    def energy(self) -> SharedTrackers:
        """The codecarbon trackers the host holds around training processes (built lazily:
        lemonade.measure imports torch)."""
        with self._lock:
            if self._energy is None:
                from lemonade.measure.energy import SharedTrackers

                self._energy = SharedTrackers()
            return self._energy

    # -- the fork server -----------------------------------------------------------------------
    def forks(self, role: Role, limits: Any, device: str,
              status: isolation.IsolationStatus | None = None) -> bool:
        """Whether the `role` worker with these settings is forked from the fork server: it
        is started with lemonade's own command, and `forks_workers` (sandbox.fork_server on,
        the complete wall, the CPU) holds for `status` (default: this machine's, resolved
        for `limits`)."""
        if not self._forkable[role]:
            return False
        return forks_workers(status or isolation.resolve(limits), limits, device)

    def start_fork_server(self, limits: Any, device: str) -> None:
        """Start the fork server now, in the background, when training workers with these
        settings would be forked from it: its warm-up then overlaps what the caller does
        next."""
        if self.forks("train", limits, device):
            self._start_server()

    def fork_server(self, role: Role, limits: Any, device: str,
                    status: isolation.IsolationStatus | None = None,
                    wait_s: float = START_TIMEOUT_S) -> ForkServer | None:
        """The server to fork the `role` worker from, once it is ready (started, and waited
        for up to `wait_s`, when needed); None when that worker starts fresh: it is not
        eligible (`forks`), or the server cannot run here (then never tried again)."""
        if not self.forks(role, limits, device, status):
            return None
        server = self._start_server()
        if server is None:
            return None
        if server.wait_ready(wait_s):
            return server
        # it died or did not warm up in time here: stop it, do not pay for it again
        with self._lock:
            self._server_failed = True
            if self._server is server:
                self._server = None
        server.close()
        return None

    def fork_server_running(self) -> bool:
        """Whether this Sandbox holds a live server (started in this process)."""
        server = self._server
        return server is not None and not server.dead and server.owner == os.getpid()

    def _start_server(self) -> ForkServer | None:
        """The server, started now if there is none. A server that died is replaced; one
        inherited through a fork of this process is not ours (its socket is shared with the
        parent) and is left alone. A closed Sandbox starts none."""
        with self._lock:
            server = self._server
            if server is not None and (server.dead or server.owner != os.getpid()):
                if server.owner == os.getpid():
                    server.close()
                self._server = None
            if self._server is None and not self._server_failed and not self._closed:
                try:
                    self._server = ForkServer()
                except OSError:
                    self._server_failed = True
            return self._server
