"""The wall's resource caps, attacked from inside: a sandbox as a whole (every process it forks)
stays inside its memory cap, its process cap and its scratch caps, the host measures it (the
cgroup's own figures, du of the folders), and cleanup leaves no process, cgroup or mount.

The scripts here run inside the real wall (bubblewrap, seccomp) as arbitrary Python: they stand
for a candidate that got past the static check. Tests that need a cgroup skip, saying so, where
this process cannot make one (a normal user without delegation); lemonade.sandbox.cgroups."""

from __future__ import annotations

import errno
import json
import os
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any

import pytest

from lemonade.config import SandboxConfig
from lemonade.sandbox import cgroups, isolation, scratchfs
from lemonade.sandbox.process import ProcessExit, SandboxProcess, remove_dirs

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="Linux namespaces only")
MiB = 1 << 20
TIMEOUT_S = 120.0  # the scripts end in seconds; generous for a loaded 2-core machine

# What every script does first: say `ready`, take its (empty) job; then `report(**figures)`
# prints one event the host keeps.
PRELUDE = """
import errno, json, os, sys, time
def report(**kw):
    print(json.dumps({"event": "report", **kw}), flush=True)
print(json.dumps({"event": "ready"}), flush=True)
sys.stdin.readline()
"""


def wall() -> isolation.IsolationStatus:
    status = isolation.probe()
    if not status.isolated:
        pytest.skip(f"bubblewrap cannot start a sandbox here: {status.reason}")
    return status


def need_cgroup() -> cgroups.CgroupSupport:
    support = cgroups.probe()
    if not support.available:
        pytest.skip(f"no cgroup for the sandboxes here: {support.reason}")
    return support


def run_script(tmp_path: Path, code: str, limits: SandboxConfig, *args: str,
               cap_folder: bool = False) -> tuple[ProcessExit, dict[str, Any], SandboxProcess]:
    """Run `code` (after PRELUDE) in a sandbox with `limits`; (its exit, its last report, the
    process). Its folder (read-write, the host's) is its first argument."""
    tag = uuid.uuid4().hex[:8]
    folder, scratch = tmp_path / f"folder-{tag}", tmp_path / f"scratch-{tag}"
    folder.mkdir()
    scratch.mkdir()
    proc = SandboxProcess([sys.executable, "-c", PRELUDE + textwrap.dedent(code), str(folder),
                           *args], folder=folder, scratch=str(scratch),
                          env={"PATH": "/usr/bin:/bin", "HOME": str(scratch),
                               "TMPDIR": str(scratch)},
                          limits=limits, device="cpu", spawn_doc={}, cap_folder=cap_folder)
    try:
        ran = proc.run({}, TIMEOUT_S)
    finally:
        proc.kill()
    reports = [e for e in ran.events if e.get("event") == "report"]
    return ran, (reports[-1] if reports else {}), proc


def gone_cgroup(proc: SandboxProcess) -> None:
    """The sandbox's cgroup is removed, with nothing left in it."""
    assert proc.cgroup is not None and proc.cgroup.removed
    for folder in proc.cgroup.folders.values():
        assert not os.path.exists(folder), folder


def held(mount: Path) -> int:
    """Bytes a tmpfs mount holds (its used blocks, whatever the shape of what is in it)."""
    st = os.statvfs(mount)
    return (st.f_blocks - st.f_bfree) * st.f_frsize


# ----- processes ----------------------------------------------------------------------------------
FORK_BOMB = """
me, refused = os.getpid(), 0
while refused < REFUSALS:  # every process forks, its children too: exponential until refused
    try:
        pid = os.fork()
    except OSError as e:
        assert e.errno == errno.EAGAIN, e
        refused += 1
        continue
if os.getpid() != me:
    time.sleep(600)  # hold the slot; the host kills the whole sandbox
report(refused=refused, visible=sum(1 for e in os.listdir("/proc") if e.isdigit()))
"""


def test_a_fork_bomb_stays_under_the_process_cap(tmp_path: Path) -> None:
    wall()
    need_cgroup()
    cap = 40
    ran, got, proc = run_script(tmp_path, "REFUSALS = 100\n" + FORK_BOMB,
                                SandboxConfig(max_processes=cap))
    figures = ran.resources
    print(f"\nfork bomb, cap {cap}: {got.get('visible')} processes seen inside, cgroup peak "
          f"{figures.get('process_peak')}, forks refused {figures.get('process_cap_hits')}")
    assert got.get("refused") == 100, ran
    assert 1 < got["visible"] <= cap
    assert figures["process_cap"] == cap
    assert figures["process_peak"] is None or figures["process_peak"] <= cap
    assert figures["process_cap_hits"] >= 100
    assert cgroups.verdict(figures) and "process cap (40" in cgroups.verdict(figures)
    gone_cgroup(proc)


def test_a_forked_worker_lands_in_its_sandboxs_cgroup(tmp_path: Path,
                                                      request: pytest.FixtureRequest) -> None:
    """The fork server's path: the holder and the worker forked into the sandbox are both in
    the sandbox's cgroup, before the worker's code runs, and the fork bomb is capped there."""
    from lemonade.sandbox import process as sandbox_process
    from lemonade.sandbox.resource import Sandbox

    status = wall()
    need_cgroup()
    if not status.seccomp:
        pytest.skip("forked workers need the seccomp filter")
    sandbox = Sandbox()
    request.addfinalizer(sandbox.close)
    srv = sandbox.fork_server("train", SandboxConfig(), "cpu")
    if srv is None:
        pytest.skip("the fork server cannot run here")
    # a failed fork of a process that imported torch costs a copy of its memory map (the
    # kernel refuses it late): a smaller cap and fewer refusals keep this quick
    cap = 16
    cg = cgroups.for_sandbox(SandboxConfig(max_processes=cap))
    assert cg is not None
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(scratch), "TMPDIR": str(scratch)}
    code = PRELUDE + "REFUSALS = 5\n" + FORK_BOMB  # stdin is closed: its job line is empty
    got_fork = sandbox_process._fork(srv, ["script"], status, str(scratch), env, [], [], "cpu",
                                     main={"code": code}, cgroup=cg, scratch_bytes=16 * MiB)
    assert got_fork is not None, "the holder did not come up"
    fproc, _launch = got_fork
    try:
        fproc.stdin.close()
        members = set(cg.pids())
        assert fproc.holder.pid in members and fproc.pid in members
        line = b""
        while b'"report"' not in line:  # its children keep the pipe open: read to the report
            line = fproc.stdout.readline()
            assert line, "the worker ended without its report"
        fproc.wait(TIMEOUT_S)
    finally:
        cg.kill()
        fproc.kill()
    assert cg.remove()
    figures = cg.usage()
    report = json.loads(line)
    print(f"\nforked fork bomb, cap {cap}: {report['visible']} processes seen inside, "
          f"cgroup peak {figures.get('process_peak')}, forks refused "
          f"{figures.get('process_cap_hits')}")
    assert report["refused"] == 5 and 1 < report["visible"] <= cap
    assert figures["process_cap_hits"] >= 5
    assert figures["process_peak"] is None or figures["process_peak"] <= cap
    assert not any(os.path.exists(f) for f in cg.folders.values())


# ----- memory -------------------------------------------------------------------------------------
FORKED_MEMORY = """
# five processes, each under any per-process limit, together twice the sandbox's cap; each
# says when it holds its 100 MiB; the first one waits until all five hold or were killed
r, w = os.pipe()
for _ in range(5):
    if os.fork() == 0:
        block = bytearray(100 << 20)
        for i in range(0, len(block), 4096):
            block[i] = 1
        os.write(w, b"x")
        time.sleep(600)
os.set_blocking(r, False)
held = killed = 0
while held + killed < 5:
    try:
        held += len(os.read(r, 5))
    except BlockingIOError:
        pass
    pid, status = os.waitpid(-1, os.WNOHANG)
    killed += bool(pid)
    time.sleep(0.01)
report(held=held, killed=killed)
"""


def test_memory_of_all_processes_together_stays_under_the_cap(tmp_path: Path) -> None:
    wall()
    need_cgroup()
    cap_mb = 256
    ran, got, proc = run_script(tmp_path, FORKED_MEMORY,
                                SandboxConfig(memory_limit_mb=cap_mb, max_processes=64))
    figures = ran.resources
    print(f"\nfive 100 MiB processes under a {cap_mb} MiB cap: peak "
          f"{(figures.get('memory_peak_bytes') or 0) / MiB:.0f} MiB, OOM kills "
          f"{figures.get('oom_kills')}, the processes' own count: {got}")
    assert figures["memory_peak_bytes"] <= cap_mb * MiB
    assert figures["oom_kills"] >= 1, (ran.returncode, got, figures)
    assert not got or got["held"] < 5
    assert cgroups.verdict(figures) and "memory cap (256 MB" in cgroups.verdict(figures)
    gone_cgroup(proc)


TMPFS_FILL = """
# fill /dev/shm, /tmp and the scratch (the cwd), 8 MiB at a time, saying how far it got
written = {}
for where in ("/dev/shm", "/tmp", "."):
    written[where] = 0
    try:
        with open(os.path.join(where, "fill"), "wb") as f:
            while written[where] < (int(sys.argv[2]) << 20):
                f.write(b"x" * (8 << 20))
                f.flush()
                written[where] += 8 << 20
                report(written=written)
    except OSError as e:
        written[where + ":error"] = e.errno
        report(written=written)
report(written=written, done=True)
"""


def test_shared_memory_and_tmpfs_are_charged_to_the_cgroup(tmp_path: Path) -> None:
    """Pages in /dev/shm, /tmp and the scratch tmpfs count against the memory cap: a sandbox
    that fills its tmpfs mounts past the cap is stopped at the cap."""
    wall()
    need_cgroup()
    cap_mb = 256
    ran, got, proc = run_script(tmp_path, TMPFS_FILL, SandboxConfig(
        memory_limit_mb=cap_mb, scratch_mb=1024), "900")
    figures = ran.resources
    written = got.get("written") or {}
    total = sum(v for k, v in written.items() if ":" not in k)
    print(f"\ntmpfs fill under a {cap_mb} MiB cap: written {total / MiB:.0f} MiB "
          f"({written}), peak {(figures.get('memory_peak_bytes') or 0) / MiB:.0f} MiB, "
          f"OOM kills {figures.get('oom_kills')}")
    assert figures["memory_peak_bytes"] <= cap_mb * MiB
    assert total <= cap_mb * MiB
    assert not got.get("done") or written.get(".:error"), written  # stopped at the cap
    assert figures["oom_kills"] >= 1 or figures["memory_cap_hits"] >= 1
    gone_cgroup(proc)


def test_shm_tmp_and_scratch_are_size_limited_without_a_cgroup(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no cgroup (a normal user without delegation; forced off here), every tmpfs of the
    sandbox still has a size: writes past it fail with ENOSPC, and the host's scratch folder
    holds none of it."""
    wall()
    monkeypatch.setenv("LEMONADE_CGROUPS", "none")
    cgroups.probe(refresh=True)
    try:
        ran, got, proc = run_script(tmp_path, TMPFS_FILL, SandboxConfig(scratch_mb=32), "100")
    finally:
        monkeypatch.delenv("LEMONADE_CGROUPS")
        cgroups.probe(refresh=True)
    written = got.get("written") or {}
    print(f"\nno cgroup, 64 MiB /dev/shm and /tmp, 32 MiB scratch: written {written}")
    assert proc.cgroup is None and got.get("done"), (ran.returncode, got)
    assert written["/dev/shm:error"] == written[".:error"] == errno.ENOSPC
    # as root /tmp is writable (1733) up to its size; as a normal user it is read-only (0111)
    assert written["/tmp:error"] in (errno.ENOSPC, errno.EACCES, errno.EROFS)
    assert written["/dev/shm"] <= isolation.TMPFS_BYTES
    assert written["/tmp"] <= isolation.TMPFS_BYTES
    assert written["."] <= 32 * MiB
    assert ran.resources.get("scratch_bytes") == 32 * MiB


def test_memfd_create_is_refused(tmp_path: Path) -> None:
    """An anonymous file is outside every size-limited tmpfs: the seccomp filter answers
    ENOSYS (what uses it falls back to /dev/shm)."""
    status = wall()
    if not status.seccomp:
        pytest.skip(f"no seccomp filter here: {status.seccomp_note}")
    ran, got, _proc = run_script(tmp_path, """
try:
    os.memfd_create("x")
    report(memfd="created")
except OSError as e:
    report(memfd=e.errno)
""", SandboxConfig())
    assert got.get("memfd") == errno.ENOSYS, (got, ran.returncode)


# ----- disk ---------------------------------------------------------------------------------------
FILE_BOMB = """
# sparse 1 GiB files, real data, then a deep chain of folders, in the host's output folder
folder = sys.argv[1]
done = {"sparse": 0, "real": 0, "depth": 0}
try:
    for i in range(64):
        with open(os.path.join(folder, f"sparse-{i}"), "wb") as f:
            f.truncate(1 << 30)
        done["sparse"] += 1
except OSError as e:
    done["sparse_error"] = e.errno
try:
    with open(os.path.join(folder, "real"), "wb") as f:
        while done["real"] < (512 << 20):
            f.write(b"x" * (4 << 20))
            f.flush()
            done["real"] += 4 << 20
except OSError as e:
    done["real_error"] = e.errno
try:
    os.chdir(folder)
    while done["depth"] < 3000:
        os.mkdir("d")
        os.chdir("d")
        done["depth"] += 1
except OSError as e:
    done["depth_error"] = e.errno
report(done=done)
"""


def test_a_file_bomb_in_the_output_folder_stops_at_the_cap(tmp_path: Path) -> None:
    """As root the output folder the host copies from is a host tmpfs of sandbox.scratch_mb:
    the candidate's writes stop there (ENOSPC), the host's disk gets none of it, and cleanup
    removes the mount and the folder, any depth."""
    wall()
    if not scratchfs.available():
        pytest.skip("a capped output folder needs root (elsewhere RLIMIT_FSIZE caps each file)")
    cap_mb = 64
    ran, got, proc = run_script(tmp_path, FILE_BOMB, SandboxConfig(scratch_mb=cap_mb),
                                cap_folder=True)
    done = got.get("done") or {}
    used = held(proc.folder)
    print(f"\nfile bomb, {cap_mb} MiB cap: {done}; held on the host: {used / MiB:.1f} MiB")
    assert ran.resources.get("folder_bytes") == cap_mb * MiB
    assert done.get("real_error") == errno.ENOSPC and done["real"] <= cap_mb * MiB, done
    assert used <= cap_mb * MiB
    assert done["depth"] == 3000 or done.get("depth_error") == errno.ENOSPC
    remove_dirs([proc.folder])
    assert not proc.folder.exists()
    assert not [m for m in scratchfs.mounts() if m[1] == str(proc.folder)]


# ----- cleanup ------------------------------------------------------------------------------------
def test_stale_cgroups_of_a_dead_lemonade_process_are_removed() -> None:
    """A cgroup left by a lemonade process that died (named by its pid) is killed and removed
    by the next one's first probe; live ones, ours or another process's, stay."""
    import subprocess

    support = need_cgroup()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a pid that is gone (reaped)
    stale = [os.path.join(p, f"{dead.pid}-1") for p in support.parents.values()]
    live = cgroups.SandboxCgroup.create(support, memory_bytes=None, max_processes=8)
    try:
        for f in stale:
            os.mkdir(f)
        removed = cgroups.clean_stale(support)
        assert sorted(removed) == sorted(stale)
        assert not any(os.path.exists(f) for f in stale)
        assert all(os.path.isdir(f) for f in live.folders.values())
    finally:
        live.remove()
        for f in stale:
            if os.path.isdir(f):
                os.rmdir(f)


def test_no_cgroup_warns_once(monkeypatch: pytest.MonkeyPatch) -> None:
    said: list[str] = []
    monkeypatch.setattr(cgroups, "_warned", False)
    none = cgroups.CgroupSupport("none", "no cgroup v2 hierarchy; no cgroup v1 memory hierarchy")
    cgroups.warn_once(none, said.append)
    cgroups.warn_once(none, said.append)
    assert len(said) == 1 and "no cgroup v1 memory" in said[0]
    assert "sandbox.memory_limit_mb" in said[0]


def test_join_argv_joins_before_the_command() -> None:
    argv = cgroups.join_argv(["/x/cgroup.procs", "/y/cgroup.procs"], ["bwrap", "--", "cmd"])
    assert argv[:3] == ["/bin/sh", "-c", cgroups._JOIN_SH]
    assert argv[4:] == ["/x/cgroup.procs", "/y/cgroup.procs", "--", "bwrap", "--", "cmd"]
    assert cgroups.join_argv([], ["cmd"]) == ["cmd"]


def test_the_sandbox_uid_range_is_the_one_the_worker_knows() -> None:
    """protocol.apply_limits recognises a sandbox's own uid (its RLIMIT_NPROC is then per
    sandbox) by this range."""
    from lemonade.sandbox import protocol

    assert protocol.SANDBOX_UIDS == (isolation.SANDBOX_ID_BASE,
                                     isolation.SANDBOX_ID_BASE + isolation.SANDBOX_ID_COUNT)


def test_mountinfo_paths_are_unescaped(tmp_path: Path) -> None:
    info = tmp_path / "mountinfo"
    info.write_text("36 35 0:40 / /tmp/a\\040b rw,relatime shared:1 - tmpfs lemonade-12 "
                    "rw,size=1024k\n37 35 0:41 / /tmp/c rw - tmpfs tmpfs rw\n")
    assert scratchfs.mounts(str(info)) == [("lemonade-12", "/tmp/a b")]


# ----- a candidate, end to end ----------------------------------------------------------------
FORK_BOMB_NET = """import os
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        while True:
            os.fork()

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
"""


# The real training worker, with the two checks a candidate must get past (the static check,
# the import guard of the model file) let through: it stands for a candidate that did. It runs
# as `python -m lemonade.sandbox.worker` does, its exit included (os._exit, no interpreter
# teardown: torch's exit handlers cost about a second in each of the bomb's processes).
PAST_THE_CHECKS = """
import runpy
import sys
import lemonade.gate
import lemonade.modelfile
lemonade.gate.check_source = lambda source: []
lemonade.modelfile.ALLOWED_IMPORTS = (*lemonade.modelfile.ALLOWED_IMPORTS, "os")
sys.argv = ["worker", sys.argv[1]]
runpy.run_module("lemonade.sandbox.worker", run_name="__main__", alter_sys=True)
"""


@pytest.mark.slow
def test_a_fork_bomb_candidate_is_recorded_as_failed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A candidate that forks in a loop, run by the real worker: it stays under the cap, ends
    as failed with a reason that names the cap, and its cgroup is gone."""
    from lemonade.sandbox.resource import Sandbox
    from lemonade.sandbox.runner import check_job, run_candidate

    wall()
    need_cgroup()
    import lemonade.sandbox.runner

    # past the host's static check, to reach the worker's own
    monkeypatch.setattr(lemonade.sandbox.runner, "check_source", lambda source: [])
    past = Sandbox(worker_command=lambda job_dir: [sys.executable, "-c", PAST_THE_CHECKS,
                                                   str(job_dir)])
    # the worker and bubblewrap hold a few of the cap's tasks; a small cap leaves the bomb a
    # few processes to fork, so it is refused (and its processes exit) sooner
    cap = 12
    limits = SandboxConfig(memory_limit_mb=4096, max_processes=cap)
    with past:
        out = run_candidate(check_job(FORK_BOMB_NET, (1, 8, 8, 10), limits=limits,
                                      timeout_s=300, workdir=str(tmp_path / "job")),
                            sandbox=past)
    figures = out.info.get("resources") or {}
    print(f"\nfork bomb candidate, cap {cap}: {out.status}: {out.reason}; cgroup peak "
          f"{figures.get('process_peak')}, forks refused {figures.get('process_cap_hits')}")
    assert out.status == "failed", (out.status, out.reason, out.log_tail[-1500:])
    assert f"process cap ({cap} processes and threads) was reached" in (out.reason or "")
    assert figures["process_peak"] is None or figures["process_peak"] <= cap
    assert "cgroup_left" not in figures


def test_a_parent_removed_meanwhile_is_made_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another lemonade process removes the empty `lemonade` parent at its exit: the next
    sandbox makes it again instead of running without a cgroup."""
    support = need_cgroup()
    gone = cgroups.CgroupSupport(support.version, parents={
        k: os.path.join(v, "removed-meanwhile") for k, v in support.parents.items()})
    monkeypatch.setattr(cgroups, "_probed", gone)
    cg = cgroups.for_sandbox(SandboxConfig(max_processes=8))
    try:
        assert cg is not None
        assert all(os.path.isdir(f) for f in cg.folders.values())
        assert not any("removed-meanwhile" in f for f in cg.folders.values())
    finally:
        if cg is not None:
            assert cg.remove()
