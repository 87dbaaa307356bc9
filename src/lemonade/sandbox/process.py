"""One sandboxed worker process, started before its job and used for exactly one job.

    p = SandboxProcess(argv, folder=..., scratch=..., env=..., limits=..., device=...)
        ─ the host writes FOLDER/spawn.json ({limits, device}) and starts the process inside
          the OS wall (lemonade.sandbox.isolation); the process sets its limits, imports torch
          and everything its job will need, says `ready` on its event channel, then blocks
          reading its job from stdin
    p.run(job, timeout_s, on_event)
        ─ waits for `ready` (bounded by the same timeout), sends the job as one JSON line, closes
          stdin, waits for the exit (wall-clock timeout -> SIGKILL to the whole group)
        ─ returns a ProcessExit: return code, events, log tail, and the host's own clock and
          CPU figures, counted from the hand-over of the job, not from the spawn

Until the job arrives the process has run lemonade's code only: no candidate source exists in
it yet, so what it says before the job (its pid, the limits it set, `ready`) can be believed,
and the start-up it spent importing torch is not billed to the candidate. A process serves one
job: after `run` it is gone, and nothing is ever handed a process in which candidate code ran.

Events are JSON lines on the worker's own event channel (its original stdout); stray lines and
stderr go to a bounded log tail.

A CPU worker is normally not a fresh interpreter but a fork of the fork server
(lemonade.sandbox.forkserver), moved into a bubblewrap sandbox built around a holder process
(`_fork`): when its caller hands it a `fork_server` (lemonade.sandbox.resource.Sandbox decides
which workers may be forked) and `forks_workers` holds for its settings. `proc` is then a
`ForkedProc`, which behaves like the Popen of a fresh one; the protocol above is the same.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import resource
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lemonade.budget import STOP_FILE
from lemonade.sandbox import cgroups, isolation, scratchfs, seccomp
from lemonade.sandbox.cleanup import remove_tree
from lemonade.sandbox.forkserver import ForkServer, ForkServerError
from lemonade.sandbox.nsjoin import JOIN_ORDER, OWNER, foreign, owner_of, same_file
from lemonade.sandbox.protocol import READY, SPAWN_FILE

LOG_TAIL_BYTES = 2048
MAX_EVENT_LINE = 1 << 16  # a longer "event" line is not ours: dropped, counted, not parsed
MAX_EVENT_BYTES = 4 << 20  # events kept per process, in all; later ones are dropped, counted
READ_POLL_S = 0.2  # each read of a worker's pipe waits at most this long
READ_DRAIN_S = 5.0  # after the kill, how long the output may take to end
CPU_SAMPLE_S = 0.2  # how often the host reads a running worker's CPU times from /proc
EXIT_AFTER_EOF_S = 10.0  # a worker whose output ended is waited for this long to exit

EventSink = Callable[[dict[str, Any]], None]
Watch = Callable[[float], "str | None"]  # seconds since the hand-over -> why to stop, or None


@dataclass
class ProcessExit:
    """How one sandboxed process ended, as the host saw it."""

    returncode: int
    timed_out: bool
    events: list[dict[str, Any]]
    tail: collections.deque[bytes]
    wall_s: float  # hand-over of the job to exit, host clock
    cpu_s: float  # user + system CPU of the process tree after the hand-over (getrusage and
    # /proc samples; a forked worker: the fork server's wait4)
    isolation: dict[str, Any] = field(default_factory=dict)  # what the OS wall applied
    started: bool = True  # False: it never said `ready`, so it never got its job
    startup_s: float = 0.0  # spawn to `ready`, host clock
    idle_s: float = 0.0  # `ready` to hand-over: how long it waited for its job
    handed_at: float | None = None  # time.perf_counter() at the hand-over (None: never started)
    stop_reason: str | None = None  # why the host asked it to stop early (`watch`), if it did
    resources: dict[str, Any] = field(default_factory=dict)  # its cgroup's figures (caps, peak
    # memory, OOM kills, refused forks) and its scratch caps; lemonade.sandbox.cgroups


def tail_text(tail: collections.deque[bytes]) -> str:
    return b"".join(tail)[-LOG_TAIL_BYTES:].decode("utf-8", "replace")


def kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def kill_sandbox(outer_pid: int) -> None:
    """Kill a sandbox as a whole: SIGKILL its pid 1 (the kernel then kills every process of
    its PID namespace, whatever they did to their parent-death signal, session or process
    group), then bubblewrap's own process group. `outer_pid` is bubblewrap's pid, still
    unreaped (so its child's pid cannot have been reused)."""
    init = isolation.host_pid(outer_pid, 1)
    if init is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(init, signal.SIGKILL)
    kill_group(outer_pid)


def tree_cpu_seconds(root: int, proc: str = "/proc") -> float:
    """User + system CPU seconds so far of `root` and every live descendant (with what they
    have reaped), from /proc; 0.0 for what cannot be read."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    stats: dict[int, tuple[int, float]] = {}
    for entry in os.listdir(proc):
        if not entry.isdigit():
            continue
        try:
            fields = Path(proc, entry, "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # fields[0] is the state (field 3 of stat): ppid is field 4, utime..cstime 14..17
        stats[int(entry)] = (int(fields[1]), sum(int(f) for f in fields[11:15]) / tick)
    children: dict[int, list[int]] = {}
    for pid, (ppid, _cpu) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, todo, seen = 0.0, [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen or pid not in stats:
            continue
        seen.add(pid)
        total += stats[pid][1]
        todo += children.get(pid, [])
    return total


def _with_host_pids(on_event: EventSink | None,
                    host_pid: Callable[[int], int | None]) -> EventSink | None:
    """The worker reports its pid inside its PID namespace (`ns_pid`); callers get the host
    pid (`host_pid(ns_pid)`, or the namespace pid where that is unknown)."""
    if on_event is None:
        return None

    def translate(ev: dict[str, Any]) -> None:
        if ev.get("event") == "started" and isinstance(ev.get("pid"), int):
            ev["ns_pid"] = ev["pid"]
            ev["pid"] = host_pid(ev["pid"]) or ev["pid"]
        on_event(ev)

    return translate


DEFAULT_SCRATCH_MB = 2048  # sandbox.scratch_mb when a caller's limits do not say


def _limit(limits: Any, key: str, default: Any = None) -> Any:
    value = limits.get(key) if isinstance(limits, dict) else getattr(limits, key, None)
    return default if value is None else value


def scratch_bytes(limits: Any) -> int:
    """The size of each writable folder of one sandbox (sandbox.scratch_mb)."""
    return int(_limit(limits, "scratch_mb", DEFAULT_SCRATCH_MB)) << 20


class SandboxProcess:
    """A worker process inside the wall, started now, handed its job later (see the module).

    Its resources, for the sandbox as a whole (lemonade.sandbox.cgroups, .scratchfs): a
    cgroup of its own where the machine offers one (memory: sandbox.memory_limit_mb; tasks:
    sandbox.max_processes), joined before anything of it runs and killed with it; its scratch
    a private tmpfs of sandbox.scratch_mb (inside the wall), and, as root with `cap_folder`,
    its folder a host tmpfs of the same size."""

    def __init__(self, argv: Sequence[str], *, folder: Path, scratch: str, env: dict[str, str],
                 limits: Any, device: str, spawn_doc: dict[str, Any],
                 ro_binds: Sequence[tuple[str, str]] = (),
                 rw_binds: Sequence[tuple[str, str]] = (), cap_folder: bool = False,
                 fork_server: ForkServer | None = None) -> None:
        """`cap_folder`: as root, `folder` is a tmpfs of sandbox.scratch_mb (mounted now unless
        it is one already, `scratchfs.capped_dir`; the caller removes it with `remove_dirs`,
        which unmounts it first). `fork_server`: fork the worker from it (`argv` is then
        `python -m MODULE ARGS`, one of lemonade's workers) when `forks_workers` holds for
        these settings; else, or when the fork fails, the worker starts fresh."""
        self.folder = folder
        self.scratch = scratch
        self.events: list[dict[str, Any]] = []
        self.tail: collections.deque[bytes] = collections.deque()
        self._lock = threading.Lock()
        self._event_bytes = 0
        self._sink: EventSink | None = None
        self._ready = threading.Event()  # set on `ready`, and on end of output (it died)
        self._ready_at: float | None = None
        self._stop_reason: str | None = None
        self.resources: dict[str, Any] = {}
        status = isolation.resolve(limits)  # refuses (IsolationUnavailable) when it must
        self.cgroup = cgroups.for_sandbox(limits)
        try:
            self._start(argv, folder, scratch, env, limits, device, spawn_doc, status,
                        ro_binds, rw_binds, cap_folder, fork_server)
        except BaseException:
            if self.cgroup is not None:
                self.cgroup.remove()
            raise

    def _start(self, argv: Sequence[str], folder: Path, scratch: str, env: dict[str, str],
               limits: Any, device: str, spawn_doc: dict[str, Any],
               status: isolation.IsolationStatus, ro_binds: Sequence[tuple[str, str]],
               rw_binds: Sequence[tuple[str, str]], cap_folder: bool,
               fork_server: ForkServer | None) -> None:
        cap = scratch_bytes(limits)
        if cap_folder and (scratchfs.is_capped(folder) or scratchfs.cap(folder, cap)):
            # root: the folder the host reads is capped too (scratchfs.capped_dir made it so,
            # or a tmpfs is mounted on it now)
            self.resources["folder_bytes"] = cap
        if status.isolated:
            self.resources["scratch_bytes"] = cap
        spawn = folder / SPAWN_FILE
        spawn.write_text(json.dumps(spawn_doc))
        if status.isolated:  # bubblewrap's --die-with-parent ties it to us instead
            env = {k: v for k, v in env.items() if k != "LEMONADE_PARENT_PID"}
        ro = [*ro_binds, (str(spawn), str(spawn))]
        rw = [(str(folder), str(folder)), *rw_binds]
        self._t_spawn = time.perf_counter()
        self.proc: subprocess.Popen[bytes] | ForkedProc
        server = fork_server if fork_server is not None \
            and forks_workers(status, limits, device) else None
        forked = None
        if server is not None:
            with contextlib.suppress(OSError, ForkServerError):
                forked = _fork(server, argv, status, scratch, env, ro, rw, device,
                               cgroup=self.cgroup, scratch_bytes=cap)
        if forked is not None:
            self.proc, self._launch = forked
        else:
            launch = isolation.prepare(list(argv), status=status, scratch=scratch, env=env,
                                       ro_binds=ro, rw_binds=rw, device=device,
                                       scratch_bytes=cap if status.isolated else None)
            self._launch = launch
            procs = self.cgroup.procs_files if self.cgroup is not None else []
            try:
                self.proc = subprocess.Popen(
                    cgroups.join_argv(procs, launch.argv), stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE, cwd=scratch, env=launch.env,
                    pass_fds=launch.pass_fds, start_new_session=True, close_fds=True,
                )
            finally:
                launch.close()
        self._stop = threading.Event()  # the readers stop at it, even if a pipe stays open
        self.events_dropped = 0  # events past MAX_EVENT_BYTES, or lines past MAX_EVENT_LINE
        self._readers = [threading.Thread(target=self._read_events, daemon=True),
                         threading.Thread(target=self._read_tail, daemon=True)]
        for r in self._readers:
            r.start()
        self._used = False

    # -- output --------------------------------------------------------------------------------
    def _chunks(self, stream: Any) -> Iterator[bytes]:
        """What arrives on `stream`, read from its descriptor with a deadline per read, until
        end of output or `_stop` (a descendant that escaped the kill could hold the pipe open
        forever: the host never blocks on it, and never closes a stream a thread reads)."""
        fd = stream.fileno()
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([fd], [], [], READ_POLL_S)
                if not ready:
                    continue
                data = os.read(fd, 1 << 16)
            except (OSError, ValueError):
                return
            if not data:
                return
            yield data

    def _read_events(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        buf = b""
        skipping = False  # inside a line past MAX_EVENT_LINE: dropped up to its newline
        for data in self._chunks(stream):
            buf += data
            while True:
                nl = buf.find(b"\n")
                if nl < 0:
                    if len(buf) > MAX_EVENT_LINE:
                        if not skipping:
                            self._note_dropped(f"an event line over {MAX_EVENT_LINE} bytes")
                        skipping, buf = True, b""
                    break
                line, buf = buf[:nl + 1], buf[nl + 1:]
                if skipping or len(line) > MAX_EVENT_LINE:
                    if not skipping:
                        self._note_dropped(f"an event line over {MAX_EVENT_LINE} bytes")
                    skipping = False
                    continue
                self._take_line(line)
        if buf and not skipping:
            self._take_line(buf)
        self._ready.set()  # it will never say `ready` now

    def _note_dropped(self, what: str) -> None:
        self.events_dropped += 1
        if self.events_dropped == 1:
            self.tail.append(f"[lemonade: dropped {what}]\n".encode())

    def _take_line(self, line: bytes) -> None:
        try:
            ev = json.loads(line)
        except (ValueError, RecursionError):
            ev = None
        if not isinstance(ev, dict) or "event" not in ev:
            self.tail.append(line[:LOG_TAIL_BYTES])  # stray output: keep it for the log
            self._trim_tail()
            return
        if ev.get("event") == READY and not self._ready.is_set():
            self._ready_at = time.perf_counter()
            self._ready.set()
            return
        with self._lock:
            self._event_bytes += len(line)
            if self._event_bytes > MAX_EVENT_BYTES:
                self._note_dropped(f"events past {MAX_EVENT_BYTES} bytes in all")
                return
            self.events.append(ev)
            sink = self._sink
        self._deliver(sink, ev)

    def _deliver(self, sink: EventSink | None, ev: dict[str, Any]) -> None:
        if sink is None:
            return
        try:
            sink(ev)
        except Exception as e:  # a broken progress bar must not lose the candidate
            self.tail.append(f"[on_event failed: {type(e).__name__}: {e}]\n".encode())

    def _read_tail(self) -> None:
        stream: Any = self.proc.stderr  # a BufferedReader (read1) or a forked worker's pipe
        assert stream is not None
        for chunk in self._chunks(stream):
            self.tail.append(chunk[-4 * LOG_TAIL_BYTES:])
            self._trim_tail()

    def _trim_tail(self) -> None:
        while sum(len(c) for c in self.tail) > 4 * LOG_TAIL_BYTES and len(self.tail) > 1:
            self.tail.popleft()

    # -- life ------------------------------------------------------------------------------------
    @property
    def ready(self) -> bool:
        return self._ready_at is not None

    def alive(self) -> bool:
        return not self._used and self.proc.poll() is None

    def wait_ready(self, timeout_s: float) -> bool:
        """Block until the process said `ready` (True), died or `timeout_s` passed (False)."""
        self._ready.wait(timeout_s)
        return self.ready and self.proc.poll() is None

    def run(self, job: dict[str, Any], timeout_s: float, on_event: EventSink | None = None,
            around: contextlib.AbstractContextManager[Any] | None = None,
            watch: Watch | None = None, grace_s: float = 0.0) -> ProcessExit:
        """Hand the job over and wait for the exit; `around` (an energy tracker) is entered at
        the hand-over and left at the exit. Never reuses the process: it is gone afterwards.

        `watch(seconds since the hand-over)` is asked while it runs: a reason (not None) asks
        the worker to stop early, by a `STOP` file in its folder (lemonade.budget), and gives it
        `grace_s` more to exit before it is killed; `timeout_s` stays the hard limit."""
        if self._used:
            raise RuntimeError("a sandboxed process serves one job only")
        self._used = True
        if isinstance(self.proc, ForkedProc):
            worker_pid = self.proc.worker_pid
            on_event = _with_host_pids(on_event, lambda _ns: worker_pid)
        elif self._launch.isolated:
            outer = self.proc.pid
            on_event = _with_host_pids(on_event, lambda ns: isolation.host_pid(outer, ns))
        with self._lock:  # what it said while starting reaches the caller first, in order
            self._sink = on_event
            backlog = list(self.events)
        for ev in backlog:
            self._deliver(on_event, ev)
        try:
            if not self.wait_ready(timeout_s):
                if self._ready.is_set():  # its output ended before `ready`: it is dying
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        self.proc.wait(timeout=EXIT_AFTER_EOF_S)
                timed_out = self.proc.poll() is None
                return self._collect(timed_out=timed_out, started=False, t_go=None, cpu0=0.0)
            ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            warm_cpu = tree_cpu_seconds(self.proc.pid)
            if isinstance(self.proc, ForkedProc):
                self.proc.cpu_at_handover = warm_cpu
            # the tracker's own start and stop (the first one in a process detects the
            # hardware: seconds) stay outside the candidate's clock
            with around if around is not None else contextlib.nullcontext():
                t_go = time.perf_counter()
                with contextlib.suppress(BrokenPipeError, OSError):
                    stdin = self.proc.stdin
                    assert stdin is not None
                    stdin.write(json.dumps(job).encode() + b"\n")
                    stdin.close()
                timed_out, sampled = self._wait_sampling_cpu(t_go + timeout_s, warm_cpu,
                                                             watch, t_go, grace_s)
                t_end = time.perf_counter()
            ru0_cpu = ru0.ru_utime + ru0.ru_stime + warm_cpu
            out = self._collect(timed_out=timed_out, started=True, t_go=t_go, cpu0=ru0_cpu,
                                sampled_cpu=sampled, end=t_end)
            out.stop_reason = self._stop_reason
            return out
        except BaseException:
            # Ctrl-C (or anything) here: the worker lives in its own session, so the terminal's
            # SIGINT never reached it; take its whole group down before unwinding.
            self.kill()
            raise

    def _wait_sampling_cpu(self, deadline: float, warm_cpu: float, watch: Watch | None = None,
                           t_go: float = 0.0, grace_s: float = 0.0) -> tuple[bool, float]:
        """Wait for the exit until `deadline`; (timed out, CPU seconds since the hand-over as
        last sampled from /proc). Inside the wall the worker is reaped by the sandbox's own
        init, whose CPU times do not all reach this process's getrusage, so the host reads
        the process tree's times itself, every CPU_SAMPLE_S: exact to within one interval.
        `watch` may ask it to stop first (see `run`)."""
        sampled = 0.0
        while True:
            now = time.perf_counter()
            if watch is not None and self._stop_reason is None:
                why = watch(now - t_go)
                if why:
                    self._ask_to_stop(why)
                    deadline = min(deadline, now + grace_s)
            left = deadline - now
            if left <= 0:
                return True, sampled
            try:
                self.proc.wait(timeout=min(left, CPU_SAMPLE_S))
                return False, sampled
            except subprocess.TimeoutExpired:
                sampled = max(sampled, tree_cpu_seconds(self.proc.pid) - warm_cpu)

    def _collect(self, *, timed_out: bool, started: bool, t_go: float | None,
                 cpu0: float, sampled_cpu: float = 0.0, end: float | None = None
                 ) -> ProcessExit:
        end = end if end is not None else time.perf_counter()
        self.kill()  # always: a worker that exited may have left children in its group
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = max(0.0, ru1.ru_utime + ru1.ru_stime - cpu0, sampled_cpu) if started else 0.0
        rc = self.proc.returncode
        if isinstance(self.proc, ForkedProc):
            # the server's wait4 of the worker: its whole CPU time, not a 0.2 s sample
            if started and self.proc.cpu_s is not None and not timed_out:
                cpu = max(0.0, self.proc.cpu_s - self.proc.cpu_at_handover)
        elif rc is not None:
            rc = self._launch.returncode(rc)
        ready_at = self._ready_at
        return ProcessExit(
            returncode=rc if rc is not None else -9, timed_out=timed_out,
            events=list(self.events), tail=self.tail,
            wall_s=end - t_go if t_go is not None else 0.0, cpu_s=cpu,
            isolation=self._launch.applied, started=started,
            startup_s=(ready_at - self._t_spawn) if ready_at is not None else end - self._t_spawn,
            idle_s=(t_go - ready_at) if t_go is not None and ready_at is not None else 0.0,
            handed_at=t_go, resources=dict(self.resources))

    def _release_cgroup(self) -> None:
        """Keep the cgroup's last figures, then kill what is left in it and remove it."""
        if self.cgroup is None or self.cgroup.removed:
            return
        self.cgroup.remove()
        self.resources.update(self.cgroup.usage())
        if not self.cgroup.removed:
            self.resources["cgroup_left"] = list(self.cgroup.folders.values())

    def _ask_to_stop(self, why: str) -> None:
        """Ask the worker to finish at its last completed epoch (lemonade.budget.STOP_FILE)."""
        self._stop_reason = why
        with contextlib.suppress(OSError):
            (Path(self.folder) / STOP_FILE).write_text(why)

    def kill(self) -> None:
        """Kill the whole process group, reap it, close the pipes (idempotent)."""
        self._used = True
        if isinstance(self.proc, ForkedProc):
            if self.cgroup is not None:
                self.cgroup.kill()
            self.proc.kill()
        else:
            if self._launch.isolated:
                kill_sandbox(self.proc.pid)
            else:
                kill_group(self.proc.pid)
            if self.cgroup is not None:
                self.cgroup.kill()
            self.proc.wait()
        self._release_cgroup()
        for r in self._readers:  # the output ends with the sandbox: read what is left
            r.join(timeout=READ_DRAIN_S)
        self._stop.set()  # a pipe still held open (it cannot be, inside the wall) is let go
        for r in self._readers:
            r.join()  # each read waits at most READ_POLL_S
        for s in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            with contextlib.suppress(Exception):
                if s is not None:
                    s.close()


# -- workers forked from the fork server -------------------------------------------------------
# The holder: the process bubblewrap starts in a forked worker's sandbox. It makes itself
# non-dumpable (the worker beside it cannot open its memory), says when the sandbox is built,
# and keeps the namespaces alive while its stdin is open.
HOLDER_CODE = ("import ctypes, sys\nctypes.CDLL(None).prctl(4, 0, 0, 0, 0)\n"
               "sys.stdout.write('up\\n')\nsys.stdout.flush()\nsys.stdin.buffer.read()\n")
HOLDER_START_TIMEOUT_S = 30.0
KILL_WAIT_S = 30.0


def forks_workers(status: isolation.IsolationStatus, limits: Any, device: str) -> bool:
    """Whether workers with these settings come from the fork server: `sandbox.fork_server`
    is on, the wall is complete (bubblewrap with a new user namespace, and the seccomp filter,
    which the forked worker installs itself), and they run on the CPU (CUDA workers start
    fresh)."""
    on = limits.get("fork_server", True) if isinstance(limits, dict) \
        else getattr(limits, "fork_server", True)
    return bool(on) and status.isolated and status.seccomp \
        and status.userns in ("new", "host") \
        and not isolation.gpu_devices(device)


class ForkedProc:
    """A worker forked from the fork server, seen like a Popen: `pid` is the forked process
    (its CPU tree), `worker_pid` the worker inside the sandbox; killing it kills the holder,
    and with the holder the sandbox's PID namespace and the worker in it."""

    def __init__(self, server: ForkServer, holder: subprocess.Popen[bytes],
                 pid: int, worker_pid: int | None, stdin: Any, stdout: Any, stderr: Any) -> None:
        self.server = server
        self.holder = holder
        self.pid = pid
        self.worker_pid = worker_pid
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr
        self.returncode: int | None = None
        self.cpu_s: float | None = None
        self.cpu_at_handover = 0.0

    def _take(self, ended: tuple[int, float] | None) -> int | None:
        if ended is not None and self.returncode is None:
            self.returncode, self.cpu_s = ended
            self.server.forget(self.pid)
        return self.returncode

    def poll(self) -> int | None:
        if self.returncode is None:
            self._take(self.server.exit_of(self.pid))
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self._take(self.server.wait_exit(self.pid, timeout))
        if self.returncode is None:
            raise subprocess.TimeoutExpired(f"forked worker {self.pid}", timeout or 0.0)
        return self.returncode

    def kill(self) -> None:
        kill_sandbox(self.holder.pid)
        with contextlib.suppress(Exception):
            self.holder.wait(timeout=KILL_WAIT_S)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.wait(KILL_WAIT_S)
        for s in (self.holder.stdin, self.holder.stdout):
            with contextlib.suppress(Exception):
                if s is not None:
                    s.close()


def _holder_up(holder: subprocess.Popen[bytes], timeout: float) -> bool:
    import select

    out = holder.stdout
    assert out is not None
    ready, _, _ = select.select([out], [], [], timeout)
    return bool(ready) and out.readline() == b"up\n"


def _fork(server: ForkServer, argv: Sequence[str],
          status: isolation.IsolationStatus, scratch: str, env: dict[str, str],
          ro: list[tuple[str, str]], rw: list[tuple[str, str]], device: str,
          main: dict[str, str] | None = None, cgroup: cgroups.SandboxCgroup | None = None,
          scratch_bytes: int | None = None) -> tuple[ForkedProc, isolation.Launch] | None:
    """Build the worker's sandbox around a holder, then have the server fork the worker into
    it (see lemonade.sandbox.forkserver). None when the holder does not come up.

    The worker runs `argv`'s module (`python -m MODULE ARGS`), or `main` = {"code": TEXT} with
    `argv` as its sys.argv[1:] (the host's own script: the tests of the wall use it).
    With a `cgroup`, the holder joins it before bubblewrap starts, and the forked process
    before it enters the sandbox and forks the worker (lemonade.sandbox.zygote)."""
    launch = isolation.prepare([sys.executable, "-S", "-I", "-c", HOLDER_CODE], status=status,
                               scratch=scratch, env={"PATH": os.defpath}, ro_binds=ro,
                               rw_binds=rw, device=device, holder=True,
                               scratch_bytes=scratch_bytes)
    procs = cgroup.procs_files if cgroup is not None else []
    try:
        holder = subprocess.Popen(cgroups.join_argv(procs, launch.argv), stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, cwd=scratch, env=launch.env,
                                  pass_fds=launch.pass_fds, start_new_session=True,
                                  close_fds=True)
    finally:
        launch.close()
    fds: list[int] = []
    ok = False
    try:
        if not _holder_up(holder, HOLDER_START_TIMEOUT_S):
            return None
        inner = isolation.host_pid(holder.pid, 2)  # the holder, pid 2 in its namespace
        if inner is None:
            return None
        names = foreign(JOIN_ORDER, inner)
        ns = [os.open(f"/proc/{inner}/ns/{n}", os.O_RDONLY | os.O_CLOEXEC) for n in names]
        fds += ns
        if "user" in names and "mnt" in names:  # a nested user namespace (a normal user's)
            owner = owner_of(ns[names.index("mnt")])
            fds.append(owner)
            if not same_file(owner, ns[names.index("user")]):
                names, ns = [*names, OWNER], [*ns, owner]
        in_r, in_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        fds += [in_r, out_w, err_w]
        mine = [in_w, out_r, err_r]
        prog = seccomp.program()
        spec = {"main": main or {"module": argv[2]},
                "argv": list(argv) if main else list(argv[3:]), "cwd": scratch,
                "env": env, "namespaces": names, "seccomp": prog.hex() if prog else None,
                "run_as": list(launch.run_as) if launch.run_as else None, "cgroup": procs}
        try:
            pid, worker_pid = server.spawn(spec, [in_r, out_w, err_w, *ns])
        except BaseException:
            for fd in mine:
                os.close(fd)
            raise
        proc = ForkedProc(server, holder, pid, worker_pid, os.fdopen(in_w, "wb"),
                          os.fdopen(out_r, "rb"), os.fdopen(err_r, "rb"))
        ok = True
        return proc, launch
    finally:
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        if not ok:
            kill_sandbox(holder.pid)
            holder.wait()


def remove_dirs(paths: Sequence[str | Path | None]) -> None:
    """Remove the folders a sandbox wrote, whatever their depth (lemonade.sandbox.cleanup)."""
    for p in paths:
        if p is not None:
            scratchfs.release(p)  # a capped folder's tmpfs (lemonade.sandbox.scratchfs)
            remove_tree(p)
