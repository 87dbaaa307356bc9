"""The OS wall (lemonade.sandbox.isolation), tested as an attacker would: arbitrary Python runs
inside the sandbox, with no static check in the way, and tries to read planted secrets, reach a
local listener, write canaries, outlive the sandbox, hurt the parent and see other processes.
Every attempt must fail. Also: the seccomp filter, the fallback without namespaces, the GPU
command line, the copy-back of outputs, and the run-directory lock across processes.

On Linux these tests need a working bubblewrap (scripts/install.sh installs it): without it they
fail, they do not skip.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tiny_job import TINY_NET, with_limits

from lemonade import runlock
from lemonade.config import SandboxConfig, build_config
from lemonade.sandbox import isolation, seccomp
from lemonade.sandbox.runner import check_job, run_candidate, training_job

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="Linux namespaces only exist on Linux")

FAKE_KEY = "sk-lemonade-test-" + uuid.uuid4().hex


@pytest.fixture(autouse=True)
def fresh_probe(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test sees its own probe and warning state, and leaves the module as it found it."""
    saved = (isolation._probed, set(isolation._warned))
    monkeypatch.setattr(isolation, "_warned", set())
    yield
    isolation._probed = saved[0]
    isolation._warned = saved[1]


def wall() -> isolation.IsolationStatus:
    status = isolation.probe(refresh=True)
    assert status.isolated, f"bubblewrap must work on this machine: {status.reason}"
    return status


def run_inside(code: str, tmp_path: Path, *args: str, status: isolation.IsolationStatus | None
               = None, ro_binds: list[tuple[Path, str]] | None = None,
               rw_binds: list[tuple[Path, str]] | None = None,
               timeout: float = 60) -> tuple[int, dict[str, Any], str]:
    """Run `code` inside the wall; it prints one JSON line last. Returns (rc, that doc, stderr)."""
    st = status or wall()
    scratch = tmp_path / "scratch"
    scratch.mkdir(exist_ok=True)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(scratch), "TMPDIR": str(scratch),
           "PYTHONPATH": str(Path(isolation.package_dir()).parent)}
    argv = [sys.executable, "-c", textwrap.dedent(code), *args]
    with isolation.prepare(argv, status=st, scratch=scratch, env=env, ro_binds=ro_binds or [],
                           rw_binds=rw_binds or []) as launch:
        done = subprocess.run(launch.argv, env=launch.env, pass_fds=launch.pass_fds,
                              capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, start_new_session=True)
    lines = done.stdout.strip().splitlines()
    doc = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    return launch.returncode(done.returncode), doc, done.stderr


ATTEMPT = """
import ctypes, json, os, sys
results = {}
def attempt(name, fn):
    try:
        results[name] = "LEAK: " + repr(fn())[:200]
    except BaseException as e:
        results[name] = "blocked: " + type(e).__name__
libc = ctypes.CDLL(None, use_errno=True)
def sys_call(name, *a):
    r = getattr(libc, name)(*a)
    if r == -1:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    return r
"""


def leaks(doc: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in doc.items() if v.startswith("LEAK")}


def processes_with(marker: str) -> list[int]:
    """Host pids whose command line holds `marker` (zombies count as gone)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmd = Path("/proc", entry, "cmdline").read_bytes()
            state = Path("/proc", entry, "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in cmd and state != "Z":
            found.append(int(entry))
    return found


# ----- the filter ---------------------------------------------------------------------------------
@pytest.mark.parametrize("machine", ["x86_64", "aarch64"])
def test_seccomp_program_is_well_formed_bpf(machine: str) -> None:
    prog = seccomp.program(machine)
    assert prog is not None and len(prog) % 8 == 0
    assert 40 < len(prog) // 8 < 256  # bpf's 8-bit jumps and the kernel's limit are far away
    names = seccomp.denied_syscalls(machine)
    assert {"ptrace", "mount", "unshare", "bpf", "io_uring_setup", "process_vm_readv"} <= set(names)


def test_no_seccomp_table_for_an_unknown_arch() -> None:
    assert seccomp.program("riscv64") is None and seccomp.denied_syscalls("riscv64") == []


def test_filter_refuses_dangerous_syscalls_and_keeps_python_working(tmp_path: Path) -> None:
    status = wall()
    assert status.seccomp, status.seccomp_note
    rc, doc, err = run_inside(ATTEMPT + """
import socket, threading
attempt("ptrace", lambda: sys_call("ptrace", 0, 0, None, None))
attempt("socket_inet", lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM))
attempt("socket_inet6", lambda: socket.socket(socket.AF_INET6, socket.SOCK_DGRAM))
attempt("socket_netlink", lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0))
attempt("unshare_user", lambda: sys_call("unshare", 0x10000000))
attempt("unshare_net", lambda: sys_call("unshare", 0x40000000))
attempt("mount", lambda: sys_call("mount", b"none", b"/usr", None, 32 | 4096, None))
attempt("bpf", lambda: sys_call("syscall", 321 if os.uname().machine == "x86_64" else 280,
                                 0, None, 0))
# what a model legitimately needs still works
ok = {}
ok["unix"] = socket.socket(socket.AF_UNIX).fileno() > 0
t = threading.Thread(target=lambda: ok.__setitem__("thread", True)); t.start(); t.join()
pid = os.fork()
if pid == 0:
    os._exit(7)
ok["fork"] = os.waitpid(pid, 0)[1] >> 8 == 7
results["ok"] = ok
print(json.dumps(results))
""", tmp_path)
    assert rc == 0, err
    assert doc.pop("ok") == {"unix": True, "thread": True, "fork": True}
    assert leaks(doc) == {}
    assert all(v == "blocked: PermissionError" for v in doc.values()), doc


@pytest.mark.slow
def test_torch_imports_and_trains_inside_the_wall(tmp_path: Path) -> None:
    rc, doc, err = run_inside("""
import json, torch
torch.manual_seed(0)
x = torch.randn(64, 4); y = (x.sum(1) > 0).long()
m = torch.nn.Linear(4, 2); opt = torch.optim.SGD(m.parameters(), lr=0.5)
losses = []
for _ in range(30):
    loss = torch.nn.functional.cross_entropy(m(x), y)
    opt.zero_grad(); loss.backward(); opt.step(); losses.append(loss.item())
print(json.dumps({"first": losses[0], "last": losses[-1]}))
""", tmp_path)
    assert rc == 0, err
    assert doc["last"] < doc["first"] * 0.7


# ----- the attacks --------------------------------------------------------------------------------
def test_planted_secrets_and_user_files_are_invisible(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".secret").write_text(FAKE_KEY)
    monkeypatch.setenv("HOME", str(home))
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "run.db").write_text("the run's store")
    canary = Path("/tmp") / f"lemonade-canary-{uuid.uuid4().hex}"
    canary.write_text(FAKE_KEY)
    repo_file = Path(isolation.package_dir()).parent.parent / "pyproject.toml"
    try:
        rc, doc, err = run_inside(ATTEMPT + """
for i, path in enumerate(sys.argv[1:]):
    attempt(f"read {path}", lambda p=path: open(p).read())
attempt("list /root", lambda: [e for e in os.listdir("/root") if e != ".pyenv"] or 1 / 0)
attempt("list /etc", lambda: [e for e in os.listdir("/etc")
                              if e not in ("ld.so.cache", "localtime", "alternatives")] or 1 / 0)
top = os.getcwd().split("/")[2] if os.getcwd().startswith("/tmp/") else None
attempt("list /tmp", lambda: [e for e in os.listdir("/tmp") if e != top]
        or 1 / 0)  # the scratch folder (the cwd) has its host path, maybe in /tmp
attempt("list /home", lambda: os.listdir("/home"))
print(json.dumps(results))
""", tmp_path, str(home / ".secret"), str(run_dir / "run.db"), str(canary), "/etc/passwd",
            "/etc/shadow", "/etc/hostname", str(repo_file), "/root/.bash_history",
            "/proc/1/root/etc/passwd")
    finally:
        canary.unlink()
    assert rc == 0, err
    assert leaks(doc) == {}
    assert len(doc) == 13


def test_parent_environment_and_other_processes_are_out_of_sight(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    victim = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)",
                               "lemonade-victim"], env={**os.environ})
    try:
        rc, doc, err = run_inside(ATTEMPT + """
import signal
parent, victim = int(sys.argv[1]), int(sys.argv[2])
key = sys.argv[3].encode()
attempt("parent environ", lambda: open(f"/proc/{parent}/environ", "rb").read())
attempt("victim environ", lambda: open(f"/proc/{victim}/environ", "rb").read())
def environ(p):
    try:
        return open(f"/proc/{p}/environ", "rb").read()
    except PermissionError:  # the sandbox's init is not dumpable, or not ours
        return b""
found = [p for p in os.listdir("/proc") if p.isdigit() and key in environ(p)]
attempt("any environ holds the key", lambda: found or 1 / 0)
attempt("own environ holds the key", lambda: key in open("/proc/self/environ", "rb").read()
        or 1 / 0)
attempt("kill victim", lambda: os.kill(victim, signal.SIGKILL))
attempt("kill parent", lambda: os.kill(parent, signal.SIGKILL))
attempt("ptrace attach init", lambda: sys_call("ptrace", 16, 1, None, None))
procs = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
results["procs"] = procs
results["ppid"] = os.getppid()
print(json.dumps(results))
""", tmp_path, str(os.getpid()), str(victim.pid), FAKE_KEY)
        assert rc == 0, err
        assert victim.poll() is None, "the sandbox killed a host process"
    finally:
        victim.kill()
        victim.wait()
    assert doc.pop("procs") == [1, 2] and doc.pop("ppid") == 1  # bwrap's init and itself
    assert leaks(doc) == {}


def test_no_network_to_a_local_listener(tmp_path: Path) -> None:
    status = wall()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    name = f"lemonade-test-{uuid.uuid4().hex}"  # an abstract socket: "\0" + name
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind("\0" + name)
    unix.listen(8)
    unix.setblocking(False)
    port = listener.getsockname()[1]
    code = ATTEMPT + """
import socket
port, abstract = int(sys.argv[1]), "\\0" + sys.argv[2]
def tcp(host):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM); s.settimeout(3)
    s.connect((host, port)); return "connected"
attempt("tcp 127.0.0.1", lambda: tcp("127.0.0.1"))
attempt("tcp localhost", lambda: tcp("localhost"))
def abstract_unix():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.settimeout(3)
    s.connect(abstract); return "connected"
attempt("abstract unix", abstract_unix)
attempt("interfaces", lambda: [i for i in socket.if_nameindex() if i[1] != "lo"] or 1 / 0)
print(json.dumps(results))
"""
    try:
        # with the filter (socket() refused) and without it (the empty namespace alone)
        for st in (status, dataclasses.replace(status, seccomp=False)):
            rc, doc, err = run_inside(code, tmp_path, str(port), name, status=st)
            assert rc == 0, err
            assert leaks(doc) == {}, (st.seccomp, doc)
        # connect() returns only after the handshake: anything that got through is queued now
        for sock in (listener, unix):
            with pytest.raises(BlockingIOError):
                sock.accept()
    finally:
        listener.close()
        unix.close()


def test_nothing_is_written_outside_scratch(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    tag = uuid.uuid4().hex
    targets = [run_dir / f"pwned-{tag}", Path(isolation.python_dirs()[0]) / f"pwned-{tag}.pth",
               Path(isolation.package_dir()) / f"pwned_{tag}.py",
               Path("/usr") / f"pwned-{tag}", Path("/etc") / f"pwned-{tag}",
               Path("/") / f"pwned-{tag}"]
    rc, doc, err = run_inside(ATTEMPT + """
for path in sys.argv[2:]:
    attempt(f"write {path}", lambda p=path: open(p, "w").write("x"))
try:  # the sandbox's own /tmp: allowed, or read-only where the sandbox runs as the caller
    open("/tmp/lemonade_pwned_" + sys.argv[1], "w").write("x")
except OSError:
    pass
open("ok-" + sys.argv[1], "w").write("x")  # its scratch (the cwd): allowed, seen outside
print(json.dumps(results))
""", tmp_path, tag, *map(str, targets))
    assert rc == 0, err
    assert leaks(doc) == {}
    for t in [*targets, Path("/tmp") / f"lemonade_pwned_{tag}"]:
        assert not t.exists(), t
    assert (tmp_path / "scratch" / f"ok-{tag}").read_text() == "x"


LINGER = """
import json, os, subprocess, sys
marker = sys.argv[1]
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):  # let go of the caller's pipes
            os.dup2(null, fd)
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(300)", marker])
    os._exit(0)
os.wait()
print(json.dumps({"spawned": True}))
"""


def test_no_process_outlives_the_sandbox(tmp_path: Path) -> None:
    # Control: without the wall the double-forked, setsid child survives, and we can see it.
    marker = f"lemonade-linger-{uuid.uuid4().hex}"
    plain = subprocess.run([sys.executable, "-c", LINGER, marker], capture_output=True,
                           text=True, timeout=30, start_new_session=True)
    assert plain.returncode == 0, plain.stderr
    survivors = processes_with(marker)
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert survivors, "the control lost its lingering child: the check below would prove nothing"
    # Inside the wall: the PID namespace dies with the worker, and its child with it.
    marker = f"lemonade-linger-{uuid.uuid4().hex}"
    rc, doc, err = run_inside(LINGER, tmp_path, marker)
    assert rc == 0 and doc == {"spawned": True}, err
    deadline = time.monotonic() + 10
    while processes_with(marker) and time.monotonic() < deadline:  # reaping is asynchronous
        time.sleep(0.05)
    assert processes_with(marker) == []


def test_sandbox_dies_when_its_parent_is_killed(tmp_path: Path) -> None:
    marker = f"lemonade-orphan-{uuid.uuid4().hex}"
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    parent = textwrap.dedent(f"""
        import subprocess, sys
        from lemonade.sandbox import isolation
        st = isolation.probe()
        argv = [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(300)",
                {marker!r}]
        launch = isolation.prepare(argv, status=st, scratch={str(scratch)!r},
                                   env={{"PATH": "/usr/bin:/bin"}})
        p = subprocess.Popen(launch.argv, env=launch.env, pass_fds=launch.pass_fds,
                             stdout=sys.stdout, start_new_session=True)
        p.wait()
    """)
    proc = subprocess.Popen([sys.executable, "-c", parent], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "up"
        assert processes_with(marker), "the sandboxed sleeper is not running"
    finally:
        proc.kill()  # SIGKILL: no cleanup code of ours runs
        proc.wait()
    deadline = time.monotonic() + 10
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_with(marker) == []


def test_environment_is_exactly_what_the_caller_gave(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    rc, doc, err = run_inside("import json, os; print(json.dumps(dict(os.environ)))", tmp_path)
    assert rc == 0, err
    assert FAKE_KEY not in json.dumps(doc)
    # PWD comes from bwrap's chdir, LC_CTYPE from Python's own locale coercion
    assert set(doc) - {"PWD", "LC_CTYPE"} == {"PATH", "HOME", "TMPDIR", "PYTHONPATH"}


# ----- end to end through run_candidate -----------------------------------------------------------
GOOD = TINY_NET
TINY = {"dataset": {"name": "synthetic", "synthetic_shape": [1, 8, 8], "synthetic_size": 64},
        "budget": {"epochs": 1}, "device": "cpu",
        "measure": {"energy": False, "latency_repeats": 3, "latency_warmup": 1}}


@pytest.mark.slow
def test_a_legitimate_model_trains_and_is_measured_inside_the_wall(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    wall()
    started: list[dict[str, Any]] = []
    environ: list[bytes] = []

    def on_event(ev: dict[str, Any]) -> None:
        if ev["event"] == "started":
            started.append(ev)
            with contextlib.suppress(OSError):
                environ.append(Path(f"/proc/{ev['pid']}/environ").read_bytes())

    job_dir = tmp_path / "run" / "candidates" / "0001"
    job = training_job(with_limits(build_config(TINY), SandboxConfig(memory_limit_mb=2048),
                                   120), GOOD, workdir=job_dir, want_weights=True)
    out = run_candidate(job, on_event=on_event)
    assert out.status == "ok", (out.reason, out.log_tail)
    iso = out.info["isolation"]
    assert iso["isolated"] and iso["method"] == "bwrap" and iso["seccomp"]
    assert {"pid", "net", "mount"} <= set(iso["namespaces"])
    # as root: no user namespace, an unprivileged host uid instead; else a user namespace
    assert "host_identity" in iso if os.geteuid() == 0 else "user" in iso["namespaces"]
    assert out.metrics["params"].value == 1 * 4 * 9 + 4 + 4 * 10 + 10
    # the worker wrote into a fresh folder; the host copied its outputs into the job folder
    assert out.weights_path and Path(out.weights_path).parent == job_dir
    assert Path(out.weights_path).is_file() and (job_dir / "result.json").is_file()
    # the worker reported its namespace pid; callers get the host pid of the same process
    # (pid 2 in its namespace; a worker forked from the fork server is 3, the sandbox's
    # holder being 2)
    ns_pid = 3 if "started" in iso else 2
    assert started[0]["ns_pid"] == ns_pid and started[0]["pid"] != ns_pid
    for env in environ:  # when we were in time to read it
        assert FAKE_KEY.encode() not in env and b"HOME=" in env


def test_a_worker_killed_inside_the_wall_is_reported_as_crashed() -> None:
    wall()
    launch = isolation.Launch(["x"], {}, (), {}, isolated=True)
    assert launch.returncode(128 + 9) == -9 and launch.returncode(3) == 3
    assert isolation.Launch(["x"], {}, (), {}, isolated=False).returncode(137) == 137


# ----- without namespaces -------------------------------------------------------------------------
def test_fallback_warns_once_and_require_isolation_refuses(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LEMONADE_BWRAP", str(tmp_path / "no-bwrap-here"))
    status = isolation.probe(refresh=True)
    assert not status.isolated and "LEMONADE_BWRAP" in (status.reason or "")
    for _ in range(3):
        assert not isolation.resolve(SandboxConfig()).isolated
    err = capsys.readouterr().err
    assert err.count("WARNING: isolation is weak") == 1 and "bubblewrap" in err
    for cfg in (SandboxConfig(require_isolation=True), SandboxConfig(isolation="bwrap")):
        with pytest.raises(isolation.IsolationUnavailable, match="refusing to run"):
            isolation.resolve(cfg)
    launch = isolation.prepare(["python3", "x.py"], status=status, scratch=tmp_path,
                               env={"HOME": str(tmp_path)})
    assert launch.argv == ["python3", "x.py"] and not launch.applied["isolated"]
    # a candidate is never run without the wall when the wall is required
    out = run_candidate(check_job(GOOD, (1, 8, 8, 10), limits=SandboxConfig(
        require_isolation=True), timeout_s=30))
    assert out.status == "failed" and "refusing to run candidate code" in (out.reason or "")


def test_a_bwrap_that_cannot_start_is_detected(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\n"
                    "exit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("LEMONADE_BWRAP", str(fake))
    status = isolation.probe(refresh=True)
    assert not status.isolated and "No permissions to create new namespace" in status.reason


def test_search_refuses_to_start_without_the_required_wall(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lemonade.search import start_run

    monkeypatch.setenv("LEMONADE_BWRAP", str(tmp_path / "no-bwrap-here"))
    isolation.probe(refresh=True)
    cfg = build_config({**TINY, "run_dir": str(tmp_path / "run"),
                        "sandbox": {"require_isolation": True}})
    with pytest.raises(isolation.IsolationUnavailable):
        start_run(cfg)
    assert not (tmp_path / "run").exists()


def test_config_rejects_required_isolation_turned_off() -> None:
    from lemonade.config import ConfigError

    with pytest.raises(ConfigError, match="require_isolation"):
        build_config({"sandbox": {"isolation": "none", "require_isolation": True}})


# ----- the command line it builds -----------------------------------------------------------------
def test_gpu_nodes_are_passed_through_only_for_cuda(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    dev = tmp_path / "dev"
    dev.mkdir()
    for name in ("nvidia0", "nvidiactl", "nvidia-uvm", "null"):
        (dev / name).touch()
    nodes = isolation.gpu_devices("cuda", dev_dir=str(dev))
    assert [Path(n).name for n in nodes] == ["nvidia-uvm", "nvidia0", "nvidiactl"]
    assert isolation.gpu_devices("cuda:1", dev_dir=str(dev)) == nodes
    assert isolation.gpu_devices("cpu", dev_dir=str(dev)) == []
    assert isolation.gpu_devices("cuda", dev_dir=str(tmp_path)) == []  # no driver
    argv = isolation.isolated_argv(["python3"], scratch=tmp_path, env={},
                                   device_nodes=["/dev/nvidia0", "/dev/nvidiactl"])
    joined = " ".join(argv)
    assert "--dev-bind /dev/nvidia0 /dev/nvidia0 --dev-bind /dev/nvidiactl /dev/nvidiactl" in joined
    assert "--ro-bind-try /sys/bus/pci /sys/bus/pci" in joined
    plain = isolation.isolated_argv(["python3"], scratch=tmp_path, env={})
    assert not [a for a in plain if a.startswith("/sys")]
    # prepare() finds the nodes for a cuda job and records them
    monkeypatch.setattr(isolation, "gpu_devices", lambda device: ["/dev/nvidia0"]
                        if device == "cuda" else [])
    status = isolation.IsolationStatus(True, "bwrap", bwrap="/usr/bin/bwrap", seccomp=False)
    with isolation.prepare(["python3"], status=status, scratch=tmp_path, env={},
                           device="cuda") as launch:
        assert "--dev-bind" in launch.argv and launch.applied["gpu_devices"] == ["/dev/nvidia0"]


def test_argv_has_every_namespace_and_no_private_folder(tmp_path: Path) -> None:
    argv = isolation.isolated_argv(["python3", "-c", "pass"], scratch=tmp_path / "s",
                                   env={"A": "1"}, ro_binds=[(tmp_path / "in", "/job/in")],
                                   rw_binds=[(tmp_path / "out", "/job")], seccomp_fd=5)
    for flag in ("--unshare-user", "--disable-userns", "--unshare-pid", "--unshare-net",
                 "--unshare-ipc", "--unshare-uts", "--die-with-parent", "--new-session",
                 "--clearenv"):
        assert flag in argv
    assert argv[argv.index("--cap-drop") + 1] == "ALL"
    assert argv[argv.index("--seccomp") + 1] == "5"
    assert argv[-4:] == ["--", "python3", "-c", "pass"]
    # lemonade's own init is pid 1 (not bubblewrap's, which the command could rewrite)
    assert "--as-pid-1" in argv and isolation.INIT_CODE in argv
    assert argv[argv.index("/proc/sys") - 1] == "--ro-bind"
    root = isolation.isolated_argv(["python3"], scratch=tmp_path / "s", env={}, userns="host",
                                   run_as=(123456, 123457))
    assert "--unshare-user" not in root and "--as-pid-1" not in root  # bwrap's init is root
    # the private /tmp: writable, not listable by a sandbox of its own uid (root host); 0111
    # and read-only for one that runs as the caller and owns it (a normal user's run)
    for built, perms, read_only in ((root, "1733", False), (argv, "0111", True)):
        at = next(i for i, x in enumerate(built) if x == "--tmpfs" and built[i + 1] == "/tmp")
        assert built[built.index("--perms", at - 4) + 1] == perms
        assert (" --remount-ro /tmp " in " ".join(built)) == read_only
    assert root[-5:] == ["123456", "123457", str(tmp_path / "s"), "--", "python3"]
    # the read-write folder is mounted before the read-only file that sits in it
    assert argv.index(str(tmp_path / "out")) < argv.index(str(tmp_path / "in"))
    # and the private /tmp before the Python installation, which may live in /tmp
    assert argv.index("/tmp") < argv.index(isolation.python_dirs()[0])
    pairs = [(argv[i + 1], argv[i + 2]) for i, a in enumerate(argv)
             if a in ("--bind", "--ro-bind")]
    home = os.path.realpath(os.path.expanduser("~"))
    for src, dst in pairs:
        # a checkout (wherever it lives, /tmp included) appears only at a neutral place inside
        checkout = src == isolation.package_dir() and dst.startswith(
            isolation.PACKAGE_ROOT_INSIDE + "/")
        if (src, dst) == ("/proc/sys", "/proc/sys"):  # over the sandbox's /proc, read-only
            assert argv[argv.index("/proc") - 1] == "--proc"
            continue
        assert checkout or src in (str(tmp_path / "s"), str(tmp_path / "in"),
                                   str(tmp_path / "out")) \
            or not isolation.is_private(src) or src in isolation.python_dirs(), src
        assert src != home and src not in ("/tmp", "/", "/etc", "/home")
        assert dst == src or checkout or (src, dst) in (
            (str(tmp_path / "in"), "/job/in"), (str(tmp_path / "out"), "/job")), (src, dst)


# ----- copying the worker's outputs back ----------------------------------------------------------
def test_copy_out_takes_only_small_regular_files(tmp_path: Path) -> None:
    src, dst = tmp_path / "out", tmp_path / "job"
    src.mkdir()
    dst.mkdir()
    secret = tmp_path / "secret"
    secret.write_text(FAKE_KEY)
    (src / "result.json").symlink_to(secret)
    os.mkfifo(src / "weights.pt")  # opening it for reading would block the host
    (src / "big.bin").write_bytes(b"x" * 100)
    (src / "metrics.json").write_text("{}")
    copied = isolation.copy_out(src, dst, ["result.json", "weights.pt", "big.bin",
                                           "metrics.json", "../secret", "missing"], max_bytes=50)
    assert copied == ["metrics.json"]
    assert sorted(p.name for p in dst.iterdir()) == ["metrics.json"]


# ----- the run-directory lock ---------------------------------------------------------------------
HOLDER = """
import sys
from lemonade import runlock
lock = runlock.acquire(sys.argv[1])
print("locked", flush=True)
sys.stdin.read()  # hold the lock until the test closes our stdin (or kills us)
"""


def test_run_lock_is_exclusive_across_processes_and_dies_with_its_holder(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(run_dir)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        assert runlock.holder(run_dir) == holder.pid
        with pytest.raises(runlock.RunLocked, match=f"another lemonade process \\(pid "
                                                    f"{holder.pid}\\) is writing to it"):
            runlock.acquire(run_dir)
    finally:
        holder.kill()  # kill -9: the kernel drops the lock
        holder.wait()
    assert runlock.holder(run_dir) is None
    with runlock.acquire(run_dir) as lock:
        assert lock.held and (run_dir / ".lock").read_text().strip() == str(os.getpid())
    assert not lock.held and runlock.holder(run_dir) is None


def test_second_resume_of_a_live_run_is_refused(tmp_path: Path) -> None:
    from lemonade.search import resume_run, start_run

    cfg = build_config({**TINY, "run_dir": str(tmp_path / "run"), "proposer": {"kind": "offline"}})
    search = start_run(cfg)
    run_dir = search.run_dir
    with pytest.raises(runlock.RunLocked):  # same process, second writer: refused too
        resume_run(run_dir)
    search.run_lock.release()  # type: ignore[attr-defined]
    del search
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(run_dir)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(runlock.RunLocked, match=f"pid {holder.pid}"):
            resume_run(run_dir)
    finally:
        holder.stdin.close()  # type: ignore[union-attr]
        holder.wait(timeout=30)
    resumed = resume_run(run_dir)
    assert resumed.run_lock.held  # type: ignore[attr-defined]
