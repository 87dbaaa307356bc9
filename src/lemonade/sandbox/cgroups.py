"""One cgroup per sandbox: a memory cap and a process cap for all of its processes together.

    support = probe()                       # once per process: v2, v1 or none (said once)
    cg = SandboxCgroup.create(support, memory_bytes=..., max_processes=...)   # or None
    argv = join_argv(cg.procs_files, argv)  # the command joins it before it runs anything
    ...                                     # (a forked worker: `join` in its own code)
    cg.kill()                               # every process in it, whatever it forked
    figures = cg.usage()                    # peak memory, OOM kills, times the process cap hit
    cg.remove()                             # gone, even after a failure (idempotent)

Per-process rlimits (RLIMIT_AS, RLIMIT_NPROC) bound one process; a candidate that forks, or
fills shared memory, tmpfs or a memfd (pages charged to the cgroup, not to an address space),
goes past them. A cgroup bounds the sandbox as a whole: every process bubblewrap starts for it,
or the fork server forks into it, is in the cgroup before any candidate code exists, and the
kernel charges it all its pages (anonymous, shared memory, tmpfs, memfd) and counts all its
tasks (threads included) against `pids.max`.

Where: cgroup v2 when the unified hierarchy is delegated here (this process may create a child
of its own cgroup with the memory and pids controllers enabled), else the cgroup v1 `memory`
and `pids` hierarchies when both are mounted and writable (root, most often). Each sandbox's
cgroup is `<this process's cgroup>/lemonade/<pid>-<n>` in each hierarchy; at the first probe,
those of lemonade processes that are gone are killed and removed. Where neither works (a normal
user without delegation), `probe` says so once on stderr and sandboxes keep only their
per-process rlimits (docs/security.md says what that leaves open).
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

# tasks (threads count) per sandbox when sandbox.max_processes is unset: far above what torch
# starts on a large machine, far below what stalls a host
from lemonade.sandbox.protocol import DEFAULT_MAX_PROCESSES

PARENT = "lemonade"
CONTROLLERS = ("memory", "pids")
KILL_ROUNDS = 200  # SIGKILL rounds over cgroup.procs before giving up on removing one
REMOVE_WAIT_S = 10.0  # how long a killed cgroup may take to empty (its tasks exit)

_lock = threading.Lock()
_probed: CgroupSupport | None = None
_warned = False
_counter = itertools.count(1)
_live: set[str] = set()  # the folders of this process's cgroups not removed yet


@dataclass(frozen=True)
class CgroupSupport:
    """What this process can do with cgroups. `parents`: controller name ("unified" for v2)
    -> the folder under which each sandbox's cgroup goes (`.../lemonade`)."""

    version: Literal["v2", "v1", "none"]
    reason: str | None = None  # why none
    parents: dict[str, str] = field(default_factory=dict)

    @property
    def available(self) -> bool:
        return self.version != "none"


# ----- finding the hierarchies ----------------------------------------------------------------
def _own_cgroups(path: str = "/proc/self/cgroup") -> dict[str, str]:
    """controller (or "unified") -> this process's cgroup path in that hierarchy."""
    out: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in Path(path).read_text().splitlines():
            parts = line.split(":", 2)
            if len(parts) != 3:
                continue
            hid, names, where = parts
            if hid == "0" and names == "":
                out["unified"] = where
            for name in names.split(","):
                if name:
                    out[name] = where
    return out


def _mounts(path: str = "/proc/self/mountinfo") -> dict[str, tuple[str, str]]:
    """controller (or "unified") -> (mount point, root of the mount inside the hierarchy)."""
    out: dict[str, tuple[str, str]] = {}
    with contextlib.suppress(OSError):
        for line in Path(path).read_text().splitlines():
            left, _, right = line.partition(" - ")
            f, r = left.split(), right.split()
            if len(f) < 5 or len(r) < 3:
                continue
            fstype, opts = r[0], r[2].split(",")
            if fstype == "cgroup2":
                out.setdefault("unified", (f[4], f[3]))
            elif fstype == "cgroup":
                for c in CONTROLLERS:
                    if c in opts:
                        out.setdefault(c, (f[4], f[3]))
    return out


def _folder(mount: tuple[str, str], own: str) -> str | None:
    """The host folder of cgroup `own` in a hierarchy mounted as `mount`."""
    point, root = mount
    if root != "/" and not (own == root or own.startswith(root.rstrip("/") + "/")):
        return None
    rel = own[len(root):] if root != "/" else own
    folder = os.path.join(point, rel.lstrip("/"))
    return folder if os.path.isdir(folder) else None


def _make_parent(base: str) -> str:
    """`base`/lemonade, created if needed; raises OSError when this process may not."""
    parent = os.path.join(base, PARENT)
    with contextlib.suppress(FileExistsError):
        os.mkdir(parent, 0o755)
    if not os.access(os.path.join(parent, "cgroup.procs"), os.W_OK):
        raise PermissionError(f"{parent}/cgroup.procs is not writable")
    return parent


def _try_v2(mounts: dict[str, tuple[str, str]], own: dict[str, str]) -> tuple[
        dict[str, str] | None, str]:
    if "unified" not in mounts or "unified" not in own:
        return None, "no cgroup v2 hierarchy"
    base = _folder(mounts["unified"], own["unified"])
    if base is None:
        return None, "this process's cgroup v2 folder is not mounted"
    try:
        have = Path(base, "cgroup.controllers").read_text().split()
    except OSError as e:
        return None, f"cgroup v2: {e}"
    if not all(c in have for c in CONTROLLERS):
        return None, f"cgroup v2 does not delegate {'+'.join(CONTROLLERS)} here (has: " \
                     f"{' '.join(have) or 'none'})"
    try:
        if base != mounts["unified"][0]:  # a root cgroup has every controller on offer
            # fails (EBUSY) where this process's own cgroup holds processes: cgroup v2 lets
            # only a cgroup without processes hand controllers to its children
            Path(base, "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in
                                                                     CONTROLLERS))
        parent = _make_parent(base)
        # the parent holds no process, so its children may have controllers
        Path(parent, "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in
                                                                   CONTROLLERS))
    except OSError as e:
        return None, f"cgroup v2 is not writable here: {e}"
    return {"unified": parent}, ""


def _try_v1(mounts: dict[str, tuple[str, str]], own: dict[str, str]) -> tuple[
        dict[str, str] | None, str]:
    parents: dict[str, str] = {}
    for c in CONTROLLERS:
        if c not in mounts or c not in own:
            return None, f"no cgroup v1 {c} hierarchy"
        base = _folder(mounts[c], own[c])
        if base is None:
            return None, f"this process's cgroup v1 {c} folder is not mounted"
        try:
            parents[c] = _make_parent(base)
        except OSError as e:
            return None, f"cgroup v1 {c} is not writable here: {e}"
    return parents, ""


def _probe() -> CgroupSupport:
    if not sys.platform.startswith("linux"):
        return CgroupSupport("none", f"no cgroups on {sys.platform}")
    if os.environ.get("LEMONADE_CGROUPS") == "none":  # tests of the fallback
        return CgroupSupport("none", "turned off by LEMONADE_CGROUPS=none")
    mounts, own = _mounts(), _own_cgroups()
    v2, why2 = _try_v2(mounts, own)
    if v2 is not None:
        return CgroupSupport("v2", parents=v2)
    v1, why1 = _try_v1(mounts, own)
    if v1 is not None:
        return CgroupSupport("v1", parents=v1)
    return CgroupSupport("none", f"{why2}; {why1}")


def probe(*, refresh: bool = False) -> CgroupSupport:
    """What this machine lets this process do (cached). The first probe also removes the
    sandbox cgroups of lemonade processes that are gone (`clean_stale`)."""
    global _probed
    with _lock:
        if _probed is None or refresh:
            _probed = _probe()
            if _probed.available:
                clean_stale(_probed)
        return _probed


def warn_once(support: CgroupSupport, write: Callable[[str], Any] | None = None) -> None:
    """Say once per process, on stderr, that sandboxes have no cgroup."""
    global _warned
    with _lock:
        if support.available or _warned:
            return
        _warned = True
    msg = (f"lemonade: WARNING: no cgroup for the sandboxes: {support.reason}. Each sandboxed "
           "process keeps its own limits (address space, processes per user, file size), but "
           "a sandbox as a whole is not capped: shared memory and forks can exceed "
           "sandbox.memory_limit_mb and sandbox.max_processes. Run as root, or delegate a "
           "cgroup v2 subtree with the memory and pids controllers, to cap it.")
    (write or (lambda s: print(s, file=sys.stderr, flush=True)))(msg)


# ----- one sandbox's cgroup ---------------------------------------------------------------------
def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _read_keyed(path: str) -> dict[str, int]:
    out: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path(path).read_text().splitlines():
            k, _, v = line.partition(" ")
            with contextlib.suppress(ValueError):
                out[k] = int(v.strip())
    return out


def _read_int(path: str) -> int | None:
    try:
        text = Path(path).read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _pids(folder: str) -> list[int]:
    try:
        return [int(p) for p in Path(folder, "cgroup.procs").read_text().split()]
    except (OSError, ValueError):
        return []


def _kill_folder(folder: str) -> None:
    """SIGKILL every process in cgroup `folder` (cgroup.kill where the kernel has it), until
    it is empty or KILL_ROUNDS passed (a process forked meanwhile is in it too)."""
    if os.path.exists(os.path.join(folder, "cgroup.kill")):
        with contextlib.suppress(OSError):
            _write(os.path.join(folder, "cgroup.kill"), "1")
    for _ in range(KILL_ROUNDS):
        pids = _pids(folder)
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


def _remove_folder(folder: str, wait_s: float = REMOVE_WAIT_S) -> bool:
    """Kill what is in cgroup `folder` and remove it; True when it is gone."""
    deadline = time.monotonic() + wait_s
    while True:
        _kill_folder(folder)
        try:
            os.rmdir(folder)
            return True
        except FileNotFoundError:
            return True
        except OSError:  # killed tasks not yet exited (or unreaped): wait for them
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)


@dataclass
class SandboxCgroup:
    """The cgroup (one folder per hierarchy) of one sandbox."""

    version: Literal["v2", "v1"]
    folders: dict[str, str]  # "unified" | "memory" | "pids" -> the folder
    memory_bytes: int | None
    max_processes: int
    removed: bool = False
    _usage: dict[str, Any] | None = None

    @classmethod
    def create(cls, support: CgroupSupport, *, memory_bytes: int | None,
               max_processes: int) -> SandboxCgroup:
        """A new empty cgroup with these caps; raises OSError (after removing what it made)
        when the kernel refuses."""
        if not support.available:
            raise OSError("no cgroup support here")
        name = f"{os.getpid()}-{next(_counter)}"
        made: dict[str, str] = {}
        try:
            for key, parent in support.parents.items():
                folder = os.path.join(parent, name)
                os.mkdir(folder, 0o755)
                made[key] = folder
                _live.add(folder)
            mem = made.get("unified") or made["memory"]
            pids = made.get("unified") or made["pids"]
            if memory_bytes:
                if support.version == "v2":
                    _write(os.path.join(mem, "memory.max"), str(memory_bytes))
                    with contextlib.suppress(OSError):  # no swap for it, where there is swap
                        _write(os.path.join(mem, "memory.swap.max"), "0")
                else:
                    _write(os.path.join(mem, "memory.limit_in_bytes"), str(memory_bytes))
                    with contextlib.suppress(OSError):  # swap accounting may be off
                        _write(os.path.join(mem, "memory.memsw.limit_in_bytes"),
                               str(memory_bytes))
            _write(os.path.join(pids, "pids.max"), str(max_processes))
        except BaseException:
            for folder in made.values():
                if _remove_folder(folder, 1.0):
                    _live.discard(folder)
            raise
        version: Literal["v2", "v1"] = "v2" if support.version == "v2" else "v1"
        return cls(version, made, memory_bytes, max_processes)

    @property
    def procs_files(self) -> list[str]:
        """The cgroup.procs file of each folder: a process writes its pid to each to join."""
        return [os.path.join(f, "cgroup.procs") for f in self.folders.values()]

    @property
    def _mem(self) -> str:
        return self.folders.get("unified") or self.folders["memory"]

    @property
    def _pidsdir(self) -> str:
        return self.folders.get("unified") or self.folders["pids"]

    def add(self, pid: int) -> None:
        """Move process `pid` (all its threads) into this cgroup."""
        for f in self.procs_files:
            _write(f, str(pid))

    def pids(self) -> list[int]:
        """The processes in it now."""
        return _pids(self._pidsdir)

    def usage(self) -> dict[str, Any]:
        """What the sandbox used, as the kernel counted it (read before `remove`; afterwards
        the last figures read)."""
        if self.removed:
            return dict(self._usage or {})
        mem, pids = self._mem, self._pidsdir
        if self.version == "v2":
            peak = _read_int(os.path.join(mem, "memory.peak"))
            oom = _read_keyed(os.path.join(mem, "memory.events")).get("oom_kill", 0)
            hit = _read_keyed(os.path.join(mem, "memory.events")).get("max", 0)
        else:
            peak = _read_int(os.path.join(mem, "memory.max_usage_in_bytes"))
            oom = _read_keyed(os.path.join(mem, "memory.oom_control")).get("oom_kill", 0)
            hit = _read_int(os.path.join(mem, "memory.failcnt")) or 0
        out = {"cgroup": self.version, "memory_cap_bytes": self.memory_bytes,
               "memory_peak_bytes": peak, "memory_cap_hits": hit, "oom_kills": oom,
               "process_cap": self.max_processes,
               "process_peak": _read_int(os.path.join(pids, "pids.peak")),
               "process_cap_hits": _read_keyed(os.path.join(pids, "pids.events")).get("max", 0)}
        self._usage = out
        return dict(out)

    def kill(self) -> None:
        """SIGKILL every process in it (it stays, empty, until `remove`)."""
        for folder in self.folders.values():
            _kill_folder(folder)

    def remove(self) -> bool:
        """Read the last figures, kill what is left and remove the cgroup; idempotent. True
        when every folder is gone."""
        if self.removed:
            return True
        self.usage()
        ok = True
        for f in self.folders.values():
            if _remove_folder(f):
                _live.discard(f)
            else:
                ok = False
        self.removed = ok
        return ok


def verdict(usage: dict[str, Any]) -> str | None:
    """Why a sandbox with these figures (SandboxCgroup.usage) was stopped, if a cap did it."""
    parts = []
    if usage.get("oom_kills"):
        cap = usage.get("memory_cap_bytes") or 0
        parts.append(f"its memory cap ({cap >> 20} MB for the whole sandbox, shared memory "
                     "and tmpfs included) was reached: the kernel killed it")
    if usage.get("process_cap_hits"):
        parts.append(f"its process cap ({usage.get('process_cap')} processes and threads) "
                     f"was reached {usage['process_cap_hits']} times: forks were refused")
    return "; ".join(parts) or None


def for_sandbox(limits: Any) -> SandboxCgroup | None:
    """A new cgroup capped by `limits` (sandbox.memory_limit_mb, sandbox.max_processes), or
    None where there is no cgroup support (said once) or the kernel refuses."""
    def get(key: str) -> Any:
        return limits.get(key) if isinstance(limits, dict) else getattr(limits, key, None)

    support = probe()
    if not support.available:
        warn_once(support)
        return None
    mb = get("memory_limit_mb")
    memory = int(mb) << 20 if mb else None
    tasks = int(get("max_processes") or DEFAULT_MAX_PROCESSES)
    try:
        try:
            return SandboxCgroup.create(support, memory_bytes=memory, max_processes=tasks)
        except FileNotFoundError:  # another lemonade process removed the empty parent at its
            # exit just now: make it again
            return SandboxCgroup.create(probe(refresh=True), memory_bytes=memory,
                                        max_processes=tasks)
    except OSError as e:
        warn_once(CgroupSupport("none", f"creating a cgroup failed: {e}"))
        return None


# ----- joining ----------------------------------------------------------------------------------
# A command joins the cgroup before it becomes the sandbox: the shell writes its own pid to each
# cgroup.procs, then execs; everything it starts afterwards is born inside.
_JOIN_SH = ('while [ "$1" != -- ]; do echo $$ > "$1" || exit 70; shift; done; '
            'shift; exec "$@"')
JOIN_FAILED = 70  # the exit status when joining failed (nothing ran)


def join_argv(procs_files: Sequence[str], argv: Sequence[str]) -> list[str]:
    """`argv`, started by a shell that first moves itself into the cgroup."""
    if not procs_files:
        return list(argv)
    return ["/bin/sh", "-c", _JOIN_SH, "sh", *procs_files, "--", *argv]


def join(procs_files: Sequence[str]) -> None:
    """Move this process into the cgroup whose cgroup.procs files these are (a worker forked
    from the fork server, before it enters the sandbox); raises OSError."""
    for f in procs_files:
        _write(f, str(os.getpid()))


# ----- stale ones -------------------------------------------------------------------------------
def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(support: CgroupSupport) -> list[str]:
    """Kill and remove the sandbox cgroups of lemonade processes that are gone (their name
    starts with the owner's pid); returns the folders removed."""
    removed = []
    for parent in support.parents.values():
        with contextlib.suppress(OSError):
            for entry in os.scandir(parent):
                owner = entry.name.split("-", 1)[0]
                if not entry.is_dir(follow_symlinks=False) or not owner.isdigit():
                    continue
                if entry.path in _live:
                    continue  # one of ours, in use
                if int(owner) != os.getpid() and _alive(int(owner)):
                    continue
                if _remove_folder(entry.path, 2.0):
                    removed.append(entry.path)
    return removed


def _remove_parents() -> None:
    """At exit: the lemonade parents, where nothing else uses them (never raises)."""
    support = _probed
    if support is None or not support.available:
        return
    for parent in support.parents.values():
        with contextlib.suppress(OSError):
            os.rmdir(parent)


atexit.register(_remove_parents)
