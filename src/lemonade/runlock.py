"""One writer per run directory: an exclusive `flock` on RUN_DIR/.lock while a search writes to it.

The lock belongs to an open file description, so the kernel drops it when the holder exits in
any way, `kill -9` included: a stale lock cannot outlive its process. The holder's pid is written
in the file so that a refused second `resume` can say who holds the run.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from lemonade.config import ConfigError

LOCK_NAME = ".lock"


class RunLocked(ConfigError):
    """Another process is writing to this run directory."""

    def __init__(self, run_dir: Path, pid: int | None) -> None:
        who = f"another lemonade process (pid {pid})" if pid else "another lemonade process"
        super().__init__(f"{run_dir} is in use: {who} is writing to it; wait for it to finish "
                         "or stop it, then try again")
        self.run_dir = run_dir
        self.pid = pid


class RunLock:
    """A held lock on a run directory; `release()` (or process exit) gives it up."""

    def __init__(self, run_dir: Path, fd: int) -> None:
        self.run_dir = run_dir
        self.path = run_dir / LOCK_NAME
        self._fd: int | None = fd

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)  # closing the descriptor drops the flock

    def __enter__(self) -> RunLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __del__(self) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def acquire(run_dir: str | Path) -> RunLock:
    """Lock `run_dir` for this process, or raise RunLocked naming the holder. Never blocks."""
    run_dir = Path(run_dir)
    fd = os.open(run_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pid = _read_pid(fd)
        os.close(fd)
        raise RunLocked(run_dir, pid) from None
    except BaseException:
        os.close(fd)
        raise
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return RunLock(run_dir, fd)


def holder(run_dir: str | Path) -> int | None:
    """The pid of the process holding `run_dir` (-1: held, pid unreadable); None: free."""
    path = Path(run_dir) / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_pid(fd) or -1
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
