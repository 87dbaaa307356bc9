"""Workers forked from the fork server (lemonade.sandbox.forkserver, zygote, nsjoin): the same
wall as a fresh bubblewrap process, attacked from inside a forked worker; and the life of
forked workers and of the server (timeouts, the server's death, falling back to fresh ones).
The server is a `Sandbox`'s (lemonade.sandbox.resource), which decides which workers fork."""

from __future__ import annotations

import json
import os
import signal
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tiny_job import TINY_NET, with_limits

from lemonade.config import build_config
from lemonade.sandbox import forkserver, isolation
from lemonade.sandbox import process as sandbox_process
from lemonade.sandbox import runner as sandbox_runner
from lemonade.sandbox.resource import Sandbox
from lemonade.sandbox.runner import CandidateJob, run_candidate, training_job
from lemonade.sandbox.workerenv import worker_command

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="Linux namespaces only")
FAST = {"energy": False, "inference_energy": False, "latency_repeats": 2, "latency_warmup": 1}
CANARY_ENV = "LEMONADE_TEST_CANARY_API_KEY"
HALVES = ("sk-canary-4f1c9e", "-forkserver-d27a0b")  # never joined in a worker's own code


def config(**sandbox: Any) -> Any:
    return build_config({"dataset": {"name": "synthetic", "synthetic_shape": [1, 8, 8],
                                     "synthetic_size": 64},
                         "budget": {"epochs": 1}, "device": "cpu", "seed": 3,
                         "train": {"cpu_threads": 1}, "measure": FAST,
                         "sandbox": {"memory_limit_mb": 4096, **sandbox}})


def job(cfg: Any, width: int, tmp: Path, timeout_s: float = 120) -> CandidateJob:
    return training_job(with_limits(cfg, timeout_s=timeout_s), TINY_NET.replace("4", str(width)),
                        workdir=tmp / f"job-{width}")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """A Sandbox whose fork server started after a secret entered this process's
    environment."""
    status = isolation.probe(refresh=True)
    assert status.isolated and status.seccomp, f"bubblewrap must work here: {status.reason}"
    os.environ[CANARY_ENV] = "".join(HALVES)
    try:
        with Sandbox() as sb:
            assert sb.fork_server("train", config().sandbox, "cpu") is not None, \
                "the fork server did not start"
            yield sb
    finally:
        os.environ.pop(CANARY_ENV, None)


@pytest.fixture(scope="module")
def server(sandbox: Sandbox) -> forkserver.ForkServer:
    srv = sandbox.fork_server("train", config().sandbox, "cpu")
    assert srv is not None
    return srv


def fork_script(srv: forkserver.ForkServer, code: str, args: list[str], scratch: Path,
                rw: list[tuple[str, str]] = ()) -> sandbox_process.ForkedProc:
    status = isolation.probe()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(scratch), "TMPDIR": str(scratch)}
    got = sandbox_process._fork(srv, ["script", *args], status, str(scratch), env, [], list(rw),
                                "cpu", main={"code": textwrap.dedent(code)})
    assert got is not None, "the holder did not come up"
    proc, _launch = got
    proc.stdin.close()
    return proc


def run_script(srv: forkserver.ForkServer, code: str, args: list[str], scratch: Path,
               rw: list[tuple[str, str]] = ()) -> tuple[dict[str, Any], int]:
    proc = fork_script(srv, code, args, scratch, rw)
    try:
        out = proc.stdout.read().decode()
        err = proc.stderr.read().decode()
        rc = proc.wait(120)
    finally:
        proc.kill()
    lines = [ln for ln in out.splitlines() if ln.startswith("{")]
    assert lines, f"no report (rc {rc}): {err[-2000:]}"
    return json.loads(lines[-1]), rc


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


PROBE = """
import ctypes, json, os, signal, socket, sys
half1, half2, planted, other = sys.argv[1].encode(), sys.argv[2].encode(), sys.argv[3], sys.argv[4]
out = {}
status = dict(l.split(":", 1) for l in open("/proc/self/status").read().splitlines() if ":" in l)
out["caps"] = [status[k].strip() for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")]
out["no_new_privs"] = status["NoNewPrivs"].strip()
out["seccomp"] = status["Seccomp"].strip()
out["pids"] = sorted(int(e) for e in os.listdir("/proc") if e.isdigit())
out["me"] = os.getpid()
seen = []
for e in out["pids"]:
    if e == out["me"]:
        continue  # itself: a fork of the server, so its command line is the server's
    try:
        seen.append(open(f"/proc/{e}/cmdline", "rb").read().replace(b"\\0", b" ").decode())
    except OSError:
        pass
out["server_seen"] = [c for c in seen if "zygote" in c]
try:
    socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    out["inet"] = "allowed"
except OSError as e:
    out["inet"] = e.errno
libc = ctypes.CDLL(None, use_errno=True)
out["unshare_user"] = "allowed" if libc.unshare(0x10000000) == 0 else ctypes.get_errno()
out["setuid_root"] = "allowed" if libc.setresuid(0, 0, 0) == 0 and os.geteuid() == 0 \\
    and status["CapEff"].strip() != "0000000000000000" else "no capability"
out["env_has_canary"] = any(half1 in v.encode() for v in os.environ.values())
found = False
with open("/proc/self/maps") as maps, open("/proc/self/mem", "rb", buffering=0) as mem:
    for line in maps:
        parts = line.split()
        if not parts[1].startswith("rw"):
            continue
        lo, hi = (int(x, 16) for x in parts[0].split("-"))
        try:
            mem.seek(lo)
            chunk = mem.read(hi - lo)
        except (OSError, OverflowError, ValueError):
            continue
        i = chunk.find(half1)
        while i >= 0 and not found:
            found = chunk[i + len(half1):i + len(half1) + len(half2)] == half2
            i = chunk.find(half1, i + 1)
out["secret_in_memory"] = found
try:
    open("/proc/2/mem", "rb").read(1)  # the holder beside it
    out["holder_mem"] = "readable"
except OSError as e:
    out["holder_mem"] = e.errno
out["read"] = {}
for p in (planted, os.path.join(other, "spawn.json"), "/etc/shadow"):
    try:
        out["read"][p] = open(p).read()[:20]
    except OSError as e:
        out["read"][p] = e.errno
try:
    with open(os.path.join(other, "spawn.json"), "w") as f:
        f.write("pwned")
    out["wrote_other"] = True
except OSError:
    out["wrote_other"] = False
print(json.dumps(out), flush=True)
try:
    os.kill(-1, signal.SIGKILL)  # everything it may signal (its sandbox's holder at most)
except OSError:
    pass
"""


def test_a_forked_worker_is_behind_the_same_wall(sandbox: Sandbox,
                                                 server: forkserver.ForkServer,
                                                 tmp_path: Path) -> None:
    """Attack from inside a forked worker while another candidate's pair waits: no
    capability, seccomp on, no network, no new namespace, nothing of the host's (a planted
    file, a secret in the host's environment, in memory either), no view of the server or of
    the pair, and kill(-1) reaches neither."""
    cfg = config()
    plan = sandbox_runner._plan(job(cfg, 5, tmp_path), sandbox)
    ps = sandbox_runner._start(plan, sandbox)  # another candidate's pair, forked, waiting
    try:
        assert isinstance(ps.train.proc, sandbox_process.ForkedProc)
        assert ps.train.wait_ready(120) and ps.measure is not None
        spawn_doc = (ps.out_dir / "spawn.json").read_text()
        planted = tmp_path / "planted-secret.txt"
        planted.write_text("the user's secret")
        scratch = tmp_path / "scratch"
        scratch.mkdir()
        doc, _rc = run_script(server, PROBE, [*HALVES, str(planted), str(ps.out_dir)], scratch)
        zero = "0000000000000000"
        assert doc["caps"] == [zero] * 5, doc["caps"]
        assert doc["no_new_privs"] == "1" and doc["seccomp"] == "2"
        assert doc["inet"] != "allowed" and doc["unshare_user"] != "allowed"
        assert doc["setuid_root"] == "no capability"
        # its sandbox's init (bubblewrap), the holder and itself: nothing else exists for it
        assert doc["pids"] == [1, 2, doc["me"]] and doc["server_seen"] == [], doc
        assert not doc["env_has_canary"] and not doc["secret_in_memory"]
        assert all(isinstance(v, int) for v in doc["read"].values()), doc["read"]
        assert not doc["wrote_other"] and doc["holder_mem"] != "readable"
        # nothing it did reached the server or the waiting pair
        assert server.proc.poll() is None and server.ready
        assert ps.train.alive() and ps.measure.alive()
        assert (ps.out_dir / "spawn.json").read_text() == spawn_doc
    finally:
        ps.close()


def test_a_secret_of_the_host_is_in_no_forked_worker_unless_put_there(
        server: forkserver.ForkServer, tmp_path: Path) -> None:
    """The memory scan of the attack above can see a secret: one the worker holds itself."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    code = PROBE.replace('out = {}', 'out = {}\nheld = bytearray(half1 + half2)')
    doc, _rc = run_script(server, code, [*HALVES, "/nonexistent", str(scratch)], scratch)
    assert doc["secret_in_memory"] is True


def test_candidates_run_forked_and_measure_like_fresh_ones(sandbox: Sandbox,
                                                          tmp_path: Path) -> None:
    forked = run_candidate(job(config(), 6, tmp_path / "a"), sandbox=sandbox)
    fresh = run_candidate(job(config(fork_server=False), 6, tmp_path / "b"), sandbox=sandbox)
    assert forked.status == fresh.status == "ok", (forked.reason, forked.log_tail)
    assert "fork server" in forked.info["isolation"]["started"]
    assert "started" not in fresh.info["isolation"]
    for name in ("params", "val_accuracy", "test_accuracy", "flops"):
        assert forked.metrics[name].value == fresh.metrics[name].value, name
    # the start-up a fork saves: no interpreter, no torch import
    assert forked.info["startup"]["startup_s"] < fresh.info["startup"]["startup_s"]
    # CPU time comes from the server's wait4 of the worker: whole, and not above the wall time
    m = forked.metrics["train_seconds"]
    assert 0.0 < m.method["cpu_seconds"] <= 2 * m.value + 0.1


def test_a_timed_out_forked_worker_is_killed(server: forkserver.ForkServer,
                                             tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    proc = fork_script(server, "import os, sys\nprint(os.getpid(), flush=True)\n"
                               "while True:\n    pass\n", [], scratch)
    assert proc.stdout.readline().strip().isdigit()  # it runs (and says its pid inside)
    assert proc.worker_pid is not None and alive(proc.worker_pid)
    proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert not alive(proc.worker_pid) and not alive(proc.pid)
    assert server.ready


def test_forked_workers_die_with_the_server(tmp_path: Path) -> None:
    srv = forkserver.ForkServer()
    try:
        assert srv.wait_ready(120)
        scratch = tmp_path / "scratch"
        scratch.mkdir()
        proc = fork_script(srv, "import sys\nprint('up', flush=True)\nsys.stdin.read()\n", [],
                           scratch)
        # stdin stays open on our side: it would wait forever
        assert proc.stdout.readline() == b"up\n"
        os.killpg(srv.proc.pid, signal.SIGKILL)
        srv.proc.wait()
        assert proc.stdout.read() == b""  # end of output: the worker is gone
        assert proc.wait(30) < 0
        proc.kill()
    finally:
        srv.close()


def test_which_workers_are_forked() -> None:
    """Lemonade's own two workers, with sandbox.fork_server on and the complete wall; a
    Sandbox built with a stand-in command starts that worker fresh (the other one still
    forks). Deciding starts nothing."""
    status = isolation.IsolationStatus(True, "bwrap", seccomp=True, userns="new")
    sb = Sandbox()
    stand_in = Sandbox(worker_command=lambda folder: ["python", "stand_in.py", str(folder)])
    on, off = config().sandbox, config(fork_server=False).sandbox
    assert sb.forks("train", on, "cpu", status)
    assert sb.forks("measure", on, "cpu", status)
    assert not sb.forks("train", off, "cpu", status)
    assert not stand_in.forks("train", on, "cpu", status)
    assert stand_in.forks("measure", on, "cpu", status)
    # lemonade's own command, given explicitly, is still lemonade's own
    assert Sandbox(worker_command=worker_command).forks("train", on, "cpu", status)
    no_seccomp = isolation.IsolationStatus(True, "bwrap", seccomp=False, userns="new")
    assert not sb.forks("train", on, "cpu", no_seccomp)
    no_userns = isolation.IsolationStatus(True, "bwrap", seccomp=True, userns="try")
    assert not sb.forks("train", on, "cpu", no_userns)
    plain = isolation.IsolationStatus(False, "none", reason="off")
    assert not sb.forks("train", on, "cpu", plain)
    assert not sb.fork_server_running() and not stand_in.fork_server_running()


def test_a_nested_user_namespace_is_entered_through_its_owner() -> None:
    """Run by a normal user, bubblewrap's holder sits in a nested user namespace whose parent
    owns the mount and PID namespaces: the child enters that owner first, the holder's own
    user namespace last (else setns(mnt) is refused and every forked worker fails). Root runs
    have no user namespace to join. The kernel side runs in this file's tests as a normal
    user; here the order."""
    from lemonade.sandbox.nsjoin import JOIN_ORDER, OWNER, join_order, owner_of, same_file

    assert join_order(list(JOIN_ORDER)) == list(JOIN_ORDER)
    assert join_order([*JOIN_ORDER, OWNER]) == [OWNER, "mnt", "net", "ipc", "uts", "cgroup",
                                                "pid", "user"]
    assert join_order(["mnt", "pid", "net"]) == ["mnt", "net", "pid"]  # a root host's
    with open("/proc/self/ns/mnt", "rb") as mnt, open("/proc/self/ns/user", "rb") as user:
        owner = owner_of(mnt.fileno())  # this process's mount namespace: owned by its own
        try:
            assert same_file(owner, user.fileno())
        finally:
            os.close(owner)


def test_cuda_workers_start_fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A CUDA worker never comes from the server (CUDA and fork do not mix): with a driver's
    device nodes present, "cuda" is not eligible, "cpu" still is."""
    (tmp_path / "nvidiactl").touch()
    (tmp_path / "nvidia0").touch()
    status = isolation.IsolationStatus(True, "bwrap", seccomp=True, userns="new")
    real = isolation.gpu_devices
    monkeypatch.setattr(isolation, "gpu_devices",
                        lambda device, dev_dir=str(tmp_path): real(device, dev_dir))
    sb = Sandbox()
    assert not sb.forks("train", config().sandbox, "cuda", status)
    assert not sb.forks("measure", config().sandbox, "auto", status)
    assert sb.forks("train", config().sandbox, "cpu", status)


def test_the_energy_trackers_start_is_not_billed_to_train_seconds(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """The candidate's clock runs inside the host energy tracker's block: its start (the first
    one in a process detects the hardware, about a second) and its stop are not billed."""
    cfg = build_config({**config().model_dump(mode="json"),
                        "measure": {**FAST, "energy": True}})
    out = run_candidate(job(cfg, 7, tmp_path), sandbox=sandbox)
    assert out.status == "ok", (out.reason, out.log_tail)
    tracked = out.metrics["train_energy_kwh"].method["duration_s"]  # enter -> exit, rounded
    assert 0 < out.metrics["train_seconds"].value <= tracked + 0.0015


def test_a_server_that_cannot_warm_up_is_given_up_for_fresh_workers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that dies while warming up is not waited for again: workers start fresh."""
    import shutil

    false = shutil.which("false")
    assert false is not None
    limits = config().sandbox
    with Sandbox() as sb:
        monkeypatch.setattr(sys, "executable", false)  # the server's command exits at once
        try:
            assert sb.fork_server("train", limits, "cpu", wait_s=30) is None
        finally:
            monkeypatch.undo()
        # given up: no new server on the next call, though one would start now
        assert sb.fork_server("train", limits, "cpu", wait_s=30) is None
        assert not sb.fork_server_running()
        out = run_candidate(job(config(), 5, tmp_path), sandbox=sb)
        assert out.status == "ok", out.reason
        assert "started" not in out.info["isolation"]  # fresh, not forked
