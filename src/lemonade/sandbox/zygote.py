"""The fork server's own process: imports torch once, then forks a fresh worker per request.

    python -m lemonade.sandbox.zygote FD     (started by lemonade.sandbox.forkserver only)

FD is one end of a SOCK_SEQPACKET socket pair whose other end only the host process holds.
Messages are JSON, one per packet; a spawn request carries descriptors (SCM_RIGHTS):

    host -> server   {"op": "spawn", "id": N, "spec": {...}}  + fds [stdin, stdout, stderr,
                                                                      one per namespace]
    server -> host   {"op": "ready", "pid": P, "startup_s": S}          once, after the warm-up
                     {"op": "spawned", "id": N, "pid": C, "worker_pid": W}
                     {"op": "exit", "pid": C, "code": RC, "cpu_s": T}   when C has ended

For each request the server forks C; C joins the namespaces of a bubblewrap sandbox that the
host built for this one worker (lemonade.sandbox.nsjoin) and forks W, the worker, inside its
PID namespace. W checks that it is in every one of them, takes its stdin/stdout/stderr, drops
all capabilities, installs the seccomp filter and only then runs the worker's code. C waits
for W and ends the same way (an exit code, or the same signal), so the exit and CPU time the
server reports (wait4) are W's.

This process runs lemonade's code only, never a candidate's: a request names a worker module
(or, for the tests of the wall, a short script the host wrote), and candidate source reaches
only W, over W's own stdin, after the fork. It holds nothing secret (the host starts it with
the workers' scrubbed environment), uses one thread (so a fork copies a consistent process),
never starts an OpenMP team (one torch thread) and never touches CUDA.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys
import time
from typing import Any

from lemonade.sandbox import cgroups, measure_worker, nsjoin, worker

MAX_MESSAGE = 1 << 20
MAX_FDS = 16
WORKER_MODULES = ("lemonade.sandbox.worker", "lemonade.sandbox.measure_worker")
EXIT_SETUP_FAILED = 71  # C or W could not put W behind the wall: nothing ran


def warm_up() -> None:
    """Both workers' own warm-ups, with one thread: what each imports before its job, and one
    export + load of a small model (a forked worker then finds them done)."""
    import torch

    torch.set_num_threads(1)
    measure_worker.warm_up()  # the measurement's imports, an export and a load
    worker.warm_up("evaluate")  # the training's imports (the export is warm already)


def _send(sock: socket.socket, doc: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):
        sock.send(json.dumps(doc).encode())


def _write_all(fd: int, text: str) -> None:
    with contextlib.suppress(OSError):
        os.write(fd, text.encode(errors="replace"))


def _close_all_but(keep: set[int]) -> None:
    """Close every descriptor of this process except `keep`."""
    for entry in os.listdir("/proc/self/fd"):
        fd = int(entry)
        if fd not in keep:
            with contextlib.suppress(OSError):
                os.close(fd)


def _worker(spec: dict[str, Any], stdio: list[int], ns_fds: dict[str, int]) -> int:
    """W, inside the sandbox's namespaces: finish the wall, then run the worker. Never returns
    into the server's loop: the caller exits with what this returns."""
    import tempfile

    nsjoin.die_with_parent()
    if os.getppid() != 0:  # C is outside this PID namespace; a live C shows as 0 here
        return EXIT_SETUP_FAILED
    nsjoin.verify_joined(ns_fds)
    for i, fd in enumerate(stdio):
        os.dup2(fd, i)
    _close_all_but({0, 1, 2})
    os.setsid()
    run_as = spec.get("run_as")
    nsjoin.drop_capabilities((int(run_as[0]), int(run_as[1])) if run_as else None)
    os.chdir(spec["cwd"])
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in spec["env"].items()})
    tempfile.tempdir = None  # the server's TMPDIR does not exist here; read TMPDIR again
    if spec.get("seccomp"):
        nsjoin.install_seccomp(bytes.fromhex(spec["seccomp"]))
    main = spec["main"]
    sys.argv = [main.get("module") or "-c", *spec.get("argv", [])]
    if main.get("module") in WORKER_MODULES:
        import importlib

        return int(importlib.import_module(main["module"]).main(sys.argv) or 0)
    if "code" in main:  # the host's own script (tests of the wall)
        exec(compile(main["code"], "<forked>", "exec"), {"__name__": "__main__"})
        return 0
    return EXIT_SETUP_FAILED


def _child(spec: dict[str, Any], fds: list[int], report_w: int, server_pid: int) -> None:
    """C: join the sandbox's namespaces, fork W into them, report W's pid, wait for W and end
    as it ended."""
    stdio, rest = fds[:3], fds[3:]
    try:
        signal.set_wakeup_fd(-1)  # the server's; not inherited by what runs here
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        ns_fds = dict(zip(spec["namespaces"], rest, strict=True))
        nsjoin.die_with_parent()
        if os.getppid() != server_pid:
            os._exit(EXIT_SETUP_FAILED)
        _close_all_but({*fds, report_w})
        if spec.get("cgroup"):  # the sandbox's cgroup, before anything of it runs
            cgroups.join([str(f) for f in spec["cgroup"]])
        nsjoin.join(ns_fds)
        w = os.fork()
    except BaseException as e:
        _write_all(stdio[2], f"fork server: could not enter the sandbox: {e}\n")
        os._exit(EXIT_SETUP_FAILED)
    if w == 0:
        code = EXIT_SETUP_FAILED
        try:
            code = _worker(spec, stdio, ns_fds)
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        except BaseException as e:
            _write_all(2, f"fork server: worker failed: {type(e).__name__}: {e}\n")
        finally:
            with contextlib.suppress(Exception):
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(code)
    for fd in (*fds,):
        with contextlib.suppress(OSError):
            os.close(fd)
    _write_all(report_w, str(w))
    os.close(report_w)
    while True:
        try:
            _, status = os.waitpid(w, 0)
            break
        except InterruptedError:
            continue
    code = os.waitstatus_to_exitcode(status)
    if code < 0:  # end by the same signal
        with contextlib.suppress(OSError, ValueError):  # SIGKILL has no handler to reset
            signal.signal(-code, signal.SIG_DFL)
        with contextlib.suppress(OSError):
            os.kill(os.getpid(), -code)
        os._exit(128 - code)
    os._exit(code)


def _spawn(sock: socket.socket, msg: dict[str, Any], fds: list[int]) -> None:
    report_r, report_w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(report_r)
            _child(msg["spec"], fds, report_w, os.getppid())
        finally:
            os._exit(EXIT_SETUP_FAILED)
    os.close(report_w)
    for fd in fds:
        os.close(fd)
    with os.fdopen(report_r, "rb") as f:
        text = f.read(32).decode(errors="replace").strip()
    _send(sock, {"op": "spawned", "id": msg.get("id"), "pid": pid,
                 "worker_pid": int(text) if text.isdigit() else None})


def _reap(sock: socket.socket) -> None:
    while True:
        try:
            pid, status, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _send(sock, {"op": "exit", "pid": pid, "code": os.waitstatus_to_exitcode(status),
                     "cpu_s": usage.ru_utime + usage.ru_stime})


def serve(sock: socket.socket) -> None:
    """The request loop: spawn requests, and an exit report for every child that ends."""
    import selectors

    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    os.set_blocking(wake_r, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    sel = selectors.DefaultSelector()
    sel.register(sock, selectors.EVENT_READ)
    sel.register(wake_r, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            if key.fileobj is wake_r:
                with contextlib.suppress(OSError):
                    os.read(wake_r, 4096)
                _reap(sock)
                continue
            try:
                data, fds, _flags, _addr = socket.recv_fds(sock, MAX_MESSAGE, MAX_FDS)
            except InterruptedError:
                continue
            if not data:
                return  # the host closed its end: stop (children die with us)
            msg: Any = None
            try:
                msg = json.loads(data)
                if msg.get("op") != "spawn":
                    raise ValueError(f"unknown op {msg.get('op')!r}")
                _spawn(sock, msg, list(fds))
            except Exception as e:
                for fd in fds:
                    with contextlib.suppress(OSError):
                        os.close(fd)
                _send(sock, {"op": "spawned", "id": msg.get("id") if isinstance(msg, dict)
                             else None, "pid": None, "error": f"{type(e).__name__}: {e}"})
        _reap(sock)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not argv[1].isdigit():
        print("usage: python -m lemonade.sandbox.zygote FD   (lemonade.sandbox.forkserver)",
              file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    parent = os.environ.get("LEMONADE_PARENT_PID")
    nsjoin.die_with_parent()
    if parent and os.getppid() != int(parent):
        return 1
    sock = socket.socket(fileno=int(argv[1]))
    warm_up()
    _send(sock, {"op": "ready", "pid": os.getpid(),
                 "startup_s": round(time.perf_counter() - t0, 3)})
    serve(sock)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
