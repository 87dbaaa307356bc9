"""Who the sandbox is to the host, and what it can reach of the kernel: attacked from inside a
fresh sandbox, a training worker and a worker forked from the fork server.

- Not host root: every process of a sandbox runs as an unprivileged host uid, as the host sees
  it in /proc/PID/status (lemonade itself runs as root in CI and in most containers).
- No writable kernel setting: no file under /proc/sys (kernel.core_pattern, kernel.modprobe,
  binfmt_misc, ...), nor /proc/sysrq-trigger, nor anything under /sys opens for writing.
- No rewritable init: the sandbox's pid 1 is not dumpable, so its memory cannot be opened.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from test_forkserver import fork_script
from test_isolation import processes_with, run_inside, wall
from tiny_job import TINY_NET

from lemonade.config import SandboxConfig, build_config
from lemonade.sandbox import isolation
from lemonade.sandbox.resource import Sandbox
from lemonade.sandbox.runner import run_candidate, training_job

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="Linux namespaces only")

# Every writable kernel knob it can find, its init's memory, and its own ids; one JSON line.
KERNEL_PROBE = """
import json, os, sys
out = {"writable": [], "uid": os.getuid(), "pid": os.getpid()}
def try_write(path):
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError:
        return
    os.close(fd)
    out["writable"].append(path)
for top in ("/proc/sys", "/sys"):
    for root, dirs, files in os.walk(top, followlinks=False):
        for f in files:
            try_write(os.path.join(root, f))
for p in ("/proc/sysrq-trigger", "/proc/sys/kernel/core_pattern", "/proc/sys/kernel/modprobe",
          "/proc/1/mem", "/proc/kmsg", "/dev/kmsg", "/dev/mem"):
    try_write(p)
try:
    with open("/proc/1/mem", "rb") as f:
        f.read(1)
    out["init_mem"] = "readable"
except OSError as e:
    out["init_mem"] = e.errno
print(json.dumps(out), flush=True)
"""


def host_uids(marker: str) -> list[int]:
    """The real, effective, saved and filesystem uids of every process inside a sandbox (in a
    PID namespace of its own) whose command line holds `marker` (bubblewrap's own launcher,
    outside, holds it too; as root, so does bubblewrap's init, pid 1 inside, which stays root
    by design: it runs bubblewrap's code only and the sandbox's uid cannot reach it)."""
    uids = []
    for pid in processes_with(marker):
        fields = dict(line.split(":", 1) for line in
                      Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
        nspid = fields["NSpid"].split()
        if len(nspid) > 1 and not (nspid[-1] == "1" and os.geteuid() == 0):
            uids += [int(x) for x in fields["Uid"].split()]
    return uids


def check_kernel_probe(doc: dict[str, Any]) -> None:
    assert doc["writable"] == [], doc["writable"][:20]
    assert doc["init_mem"] != "readable"


HOLD = """
import sys
print(sys.argv[1], flush=True)
sys.stdin.read()
"""


def test_a_fresh_sandbox_reaches_no_kernel_setting(tmp_path: Path) -> None:
    rc, doc, err = run_inside(KERNEL_PROBE, tmp_path)
    assert rc == 0, err
    check_kernel_probe(doc)
    if os.geteuid() == 0:
        assert doc["uid"] != 0


def test_no_process_of_a_sandbox_is_host_root(tmp_path: Path) -> None:
    """Seen from the host, the sandboxed process and the sandbox's init run as one
    unprivileged uid (whoever runs lemonade)."""
    st = wall()
    marker = f"lemonade-uid-{uuid.uuid4().hex}"
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    launch = isolation.prepare([sys.executable, "-c", HOLD, marker], status=st, scratch=scratch,
                               env={"PATH": "/usr/bin:/bin"})
    proc = subprocess.Popen(launch.argv, env=launch.env, pass_fds=launch.pass_fds,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            start_new_session=True)
    launch.close()
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == marker
        uids = host_uids(marker)
        assert uids, "the sandboxed process is not visible from the host"
        want = os.getuid() if os.geteuid() != 0 else None
        assert all(u != 0 for u in uids) if want is None else set(uids) == {want}, uids
        assert len(set(uids)) == 1, uids
    finally:
        proc.kill()
        proc.wait()


def test_a_forked_worker_is_not_host_root_and_reaches_no_kernel_setting(
        tmp_path: Path) -> None:
    status = isolation.probe(refresh=True)
    assert status.isolated and status.seccomp, status.reason
    sandbox = Sandbox()
    try:
        srv = sandbox.fork_server("train", SandboxConfig(), "cpu")
        assert srv is not None
        scratch = tmp_path / "scratch"
        scratch.mkdir()
        proc = fork_script(srv, KERNEL_PROBE, [], scratch)
        try:
            assert proc.stdout is not None
            out = proc.stdout.read().decode()
            proc.wait(120)
            worker = proc.worker_pid
        finally:
            proc.kill()
        lines = [ln for ln in out.splitlines() if ln.startswith("{")]
        assert lines, out
        doc = json.loads(lines[-1])
        check_kernel_probe(doc)
        assert worker is not None
        if os.geteuid() == 0:
            assert doc["uid"] != 0
    finally:
        sandbox.close()


def test_training_and_measurement_workers_are_not_host_root(tmp_path: Path) -> None:
    """The real workers of a candidate, seen from the host while they run."""
    cfg = build_config({"dataset": {"name": "synthetic", "synthetic_shape": [1, 8, 8],
                                    "synthetic_size": 32},
                        "budget": {"epochs": 1}, "device": "cpu", "seed": 1,
                        "measure": {"energy": False, "inference_energy": False,
                                    "latency_repeats": 2, "latency_warmup": 1},
                        "sandbox": {"memory_limit_mb": 4096}})
    seen: list[list[int]] = []

    def on_event(ev: dict[str, Any]) -> None:
        if ev.get("event") == "started" and isinstance(ev.get("pid"), int):
            status = Path(f"/proc/{ev['pid']}/status").read_text()
            seen.append([int(x) for x in status.split("Uid:")[1].split()[:4]])

    job = training_job(cfg.model_copy(update={"budget": cfg.budget.model_copy(
        update={"candidate_timeout_s": 300})}), TINY_NET, workdir=tmp_path / "job")
    out = run_candidate(job, on_event=on_event)  # a Sandbox of its own, closed as it returns
    assert out.status == "ok", (out.reason, out.log_tail[-1500:])
    assert seen, "no worker said where it runs"
    want = os.getuid()
    for uids in seen:
        assert all(u != 0 for u in uids) if want == 0 else set(uids) == {want}, uids


# A worker whose child leaves its session and process group, drops its parent-death signal,
# keeps the worker's stdout and stderr open, and sleeps: it tries to outlive the sandbox and to
# hang the host on a pipe that never ends.
SURVIVOR = """
import ctypes, json, os, sys
marker = sys.argv[-1]
print(json.dumps({"event": "ready"}), flush=True)
sys.stdin.readline()
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        ctypes.CDLL(None).prctl(1, 0, 0, 0, 0)
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(600)", marker])
    os._exit(0)
os.wait()
print(json.dumps({"event": "done"}), flush=True)
"""


def gone(marker: str, within_s: float = 20.0) -> bool:
    """No process holds `marker` any more (reaping is asynchronous: polled, bounded)."""
    import time

    deadline = time.monotonic() + within_s
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    return processes_with(marker) == []


def test_a_survivor_does_not_outlive_its_sandbox_nor_hang_the_host(tmp_path: Path) -> None:
    import threading

    from lemonade.config import SandboxConfig
    from lemonade.sandbox.process import SandboxProcess

    wall()
    marker = f"lemonade-survivor-{uuid.uuid4().hex}"
    folder, scratch = tmp_path / "folder", tmp_path / "scratch"
    folder.mkdir()
    scratch.mkdir()
    proc = SandboxProcess([sys.executable, "-c", SURVIVOR, marker], folder=folder,
                          scratch=str(scratch), env={"PATH": "/usr/bin:/bin"},
                          limits=SandboxConfig(), device="cpu", spawn_doc={})
    result: list[Any] = []
    t = threading.Thread(target=lambda: result.append(proc.run({}, timeout_s=120)),
                         daemon=True)
    t.start()
    t.join(180)
    assert not t.is_alive(), "the host call did not return"
    ended = result[0]
    assert not ended.timed_out and [e["event"] for e in ended.events] == ["done"]
    assert gone(marker), "a process of the sandbox outlived it"


def test_a_survivor_does_not_outlive_a_forked_worker(tmp_path: Path) -> None:
    status = isolation.probe(refresh=True)
    assert status.isolated and status.seccomp, status.reason
    sandbox = Sandbox()
    marker = f"lemonade-survivor-{uuid.uuid4().hex}"
    try:
        srv = sandbox.fork_server("train", SandboxConfig(), "cpu")
        assert srv is not None
        scratch = tmp_path / "scratch"
        scratch.mkdir()
        proc = fork_script(srv, SURVIVOR.replace("sys.stdin.readline()\n", ""), [marker],
                           scratch)
        try:
            assert proc.stdout is not None
            assert b"ready" in proc.stdout.readline()
            assert b"done" in proc.stdout.readline()
            proc.wait(120)
            assert processes_with(marker), "the control: its child is still running"
        finally:
            proc.kill()
        assert gone(marker), "a process of the forked worker's sandbox outlived it"
    finally:
        sandbox.close()


def test_cleanup_removes_any_depth_and_follows_no_link(tmp_path: Path) -> None:
    """A 3,000-deep chain of folders (past the recursion limit and PATH_MAX), files at every
    level and a symlink to a host folder: all removed, the link's target untouched."""
    from lemonade.sandbox.cleanup import remove_tree

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("host file")
    root = tmp_path / "scratch"
    root.mkdir()
    fd = os.open(root, os.O_RDONLY)
    try:
        for i in range(3000):
            os.mkdir("d", dir_fd=fd)
            with open(os.open("f", os.O_WRONLY | os.O_CREAT, dir_fd=fd), "w") as f:
                f.write(str(i))
            if i % 1000 == 0:
                os.symlink(str(outside), "link", dir_fd=fd)
            nxt = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = nxt
    finally:
        os.close(fd)
    import shutil

    with pytest.raises(RecursionError):  # the control: what the host used before
        shutil.rmtree(root, ignore_errors=True)
    assert remove_tree(root) and not root.exists()
    assert (outside / "keep.txt").read_text() == "host file"
