"""The next candidate's sandboxed processes, started before the candidate exists.

A candidate needs two processes: one trains it, one measures what it exported. Each spends
about a second starting Python and importing torch, and the training one another second
importing torch's exporter: most of a small candidate's cost. `run_candidate(job)` with
`job.warm_next` starts the next pair as it returns, so that start-up overlaps whatever comes
next (recording the result, the expert system, the LLM writing the next model). The next call
with the same Sandbox takes the pair when it was started for the same settings (`key`: data
split files, limits, device, environment; the commands are the Sandbox's own), else it throws
it away and starts a fresh one.

What this is not: a process pool. Every process is new, in its own bubblewrap sandbox (its own
namespaces, seccomp filter and limits), started before any candidate source exists and handed
exactly one job; a process in which candidate code ran is never used again. On a CPU the
processes are normally forks of the fork server (lemonade.sandbox.forkserver), which makes
starting them cheap; this module then only takes the remaining milliseconds off the
candidate's path, and hides the whole start-up of workers that start fresh (CUDA).

One pair is held per `lemonade.sandbox.resource.Sandbox` (`WarmPair`; a search runs one
candidate at a time per process; with Ray each task's worker process has its own Sandbox).
Closing the Sandbox ends it; so does this process's exit (the pair dies with its parent), and so
does KEEP_SECONDS without a taker (a Ray worker of a cluster that outlives the search, say, does
not hold two idle interpreters for long).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from lemonade.sandbox.process import SandboxProcess, remove_dirs


@dataclass
class ProcessSet:
    """The processes of one candidate and the host folders only they see."""

    key: str
    train: SandboxProcess
    measure: SandboxProcess | None  # None in check mode (nothing to measure)
    out_dir: Path  # the training process's folder (read-write inside)
    art_dir: Path | None  # the artifacts the host copied for the measurement (read-only inside)
    dirs: list[Path | str] = field(default_factory=list)  # removed by `close`
    expiry: threading.Timer | None = None  # while held: ends the set after KEEP_SECONDS

    def alive(self) -> bool:
        return self.train.alive() and (self.measure is None or self.measure.alive())

    def disarm(self) -> None:
        if self.expiry is not None:
            self.expiry.cancel()
            self.expiry = None

    def close(self) -> None:
        self.disarm()
        for p in (self.train, self.measure):
            if p is not None:
                p.kill()
        remove_dirs(self.dirs)


KEEP_SECONDS = 600.0  # a held set nobody took by then is ended


class WarmPair:
    """The one set a `lemonade.sandbox.resource.Sandbox` holds for its next candidate."""

    def __init__(self, keep_seconds: float = KEEP_SECONDS) -> None:
        self.keep_seconds = keep_seconds
        self._lock = threading.Lock()
        self._held: ProcessSet | None = None

    def take(self, key: str) -> ProcessSet | None:
        """The set started ahead for `key`, if there is a live one; any other is ended."""
        with self._lock:
            warm, self._held = self._held, None
        if warm is None:
            return None
        if warm.key == key and warm.alive():
            warm.disarm()
            return warm
        warm.close()
        return None

    def keep(self, processes: ProcessSet, seconds: float | None = None) -> None:
        """Hold `processes` for the next candidate (ending any set held before), for `seconds`
        (default: `keep_seconds`)."""
        with self._lock:
            old, self._held = self._held, processes
        if old is not None:
            old.close()
        processes.disarm()
        wait = self.keep_seconds if seconds is None else seconds
        processes.expiry = threading.Timer(wait, self.expire, args=(processes,))
        processes.expiry.daemon = True
        processes.expiry.start()

    def expire(self, processes: ProcessSet) -> None:
        """End `processes` if they are still held, untaken (their timer fired)."""
        with self._lock:
            if self._held is not processes:
                return
            self._held = None
        processes.close()

    def release(self) -> None:
        """End the set held, if any (the end of a search, or of its Sandbox)."""
        with self._lock:
            warm, self._held = self._held, None
        if warm is not None:
            warm.close()

    @property
    def held(self) -> ProcessSet | None:
        """The set held now, if any (for tests and the overhead benchmark)."""
        with self._lock:
            return self._held

    def holding(self) -> bool:
        """Whether a set is held now."""
        return self.held is not None
