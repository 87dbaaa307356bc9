"""The OS wall around every process that runs candidate code: bubblewrap (Linux namespaces),
a seccomp filter, a read-only view of the Python installation, one scratch directory, a clean
environment. Resource limits are set by the worker itself (`protocol.apply_limits`).

    status = resolve(cfg.sandbox)           # probe once per process; warn once, or refuse
    launch = prepare(argv, status=status, scratch=scratch, env=env,
                     ro_binds=[(path, path)], rw_binds=[(path, path)], device="cpu")
    proc = subprocess.Popen(launch.argv, env=launch.env, pass_fds=launch.pass_fds, ...)
    launch.close()                          # the parent's copy of the seccomp descriptor
    rc = launch.returncode(proc.wait())     # bwrap's 128+N back to -N (killed by signal N)

Inside the wall the process sees: the Python installation and its site-packages read-only,
`/usr` and the loader cache read-only, lemonade's own package folder read-only, a private
`/proc` (its own PID namespace), a minimal `/dev`, small private `/tmp` and `/dev/shm`, its
scratch folder read-write (the cwd), and exactly the binds its caller names. Every folder
appears at its host path, so a command line and environment written for the host work inside
unchanged. It has no network (an empty network namespace), no view of other processes, no
capabilities, cannot create namespaces, and dies with its parent. `Launch.applied` records what
was in force, for the candidate's info. docs/security.md has the threat model.

Where bubblewrap is missing or cannot start (macOS, a container without namespaces),
`resolve` says so once on stderr and returns a status with `isolated == False`; with
`sandbox.require_isolation: true` (or `sandbox.isolation: bwrap`) it raises
`IsolationUnavailable` instead. `LEMONADE_BWRAP` names the bubblewrap binary to use.
"""

from __future__ import annotations

import contextlib
import glob
import os
import platform
import shutil
import site
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from lemonade.config import ConfigError
from lemonade.sandbox import seccomp

HOSTNAME = "lemonade-sandbox"
TMPFS_BYTES = 64 << 20  # size of the private /tmp and /dev/shm
PROBE_TIMEOUT_S = 30.0
NAMESPACES = ("user", "mount", "pid", "net", "ipc", "uts", "cgroup")
# Never bound into the sandbox, whatever a caller or LD_LIBRARY_PATH asks for.
PRIVATE_ROOTS = ("/tmp", "/var/tmp", "/dev/shm", "/run", "/home", "/root", "/proc", "/sys",
                 "/dev", "/etc", "/var", "/mnt", "/media", "/srv")
_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_ETC_FILES = ("/etc/ld.so.cache", "/etc/localtime", "/etc/alternatives")


class IsolationUnavailable(ConfigError):
    """Isolation was required (`sandbox.require_isolation` or `isolation: bwrap`) but cannot run."""


@dataclass(frozen=True)
class IsolationStatus:
    """What this machine offers. `isolated`: candidate code runs inside bubblewrap."""

    isolated: bool
    method: Literal["bwrap", "none"]
    reason: str | None = None  # why not isolated (missing binary, namespaces refused, config)
    bwrap: str | None = None  # absolute path of the binary
    version: str | None = None
    seccomp: bool = False
    seccomp_note: str | None = None  # why seccomp is off
    userns: Literal["new", "try", "host"] = "new"  # "new": a new user namespace, nested ones
    # disabled; "host": none (lemonade runs as root: each sandbox runs as its own unprivileged
    # host uid instead, see `sandbox_identity`)
    disable_userns: bool = False

    @property
    def drops_root(self) -> bool:
        """Every sandbox gets an unprivileged host uid of its own (lemonade runs as root)."""
        return self.userns == "host"


@dataclass
class Launch:
    """One prepared sandboxed (or plain) command line. Close it once Popen has run."""

    argv: list[str]
    env: dict[str, str]  # the environment for Popen (bwrap's own; the sandbox gets --setenv)
    pass_fds: tuple[int, ...]
    applied: dict[str, Any]
    isolated: bool
    _fds: list[int] = field(default_factory=list, repr=False)
    run_as: tuple[int, int] | None = None  # the sandbox's host (uid, gid); None: the caller's

    def close(self) -> None:
        while self._fds:
            with contextlib.suppress(OSError):
                os.close(self._fds.pop())

    def returncode(self, rc: int) -> int:
        """bwrap exits 128+N when the command was killed by signal N; report that as -N."""
        if self.isolated and 128 < rc < 128 + 65:
            return -(rc - 128)
        return rc

    def __enter__(self) -> Launch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ----- who the sandbox is to the host ------------------------------------------------------------
# When lemonade runs as root, a sandbox must not: the kernel checks sysctl writes (and much else)
# by uid, not by capability. Each sandbox then runs as an unprivileged host uid (and gid) of its
# own, drawn from this range, which no account uses: one sandbox's processes are not another's
# (per-uid limits such as RLIMIT_NPROC and pipe buffers count them apart).
SANDBOX_ID_BASE = 0x5A000000
SANDBOX_ID_COUNT = 1 << 20
_ids_lock = threading.Lock()
_ids_used: set[int] = set()


def sandbox_identity() -> tuple[int, int]:
    """A fresh (uid, gid) for one sandbox, never handed out before by this process (another
    lemonade process may draw the same one: one in a million per pair of live sandboxes,
    and all that two such sandboxes then share is their per-uid limits)."""
    import secrets

    with _ids_lock:
        while True:
            n = SANDBOX_ID_BASE + secrets.randbelow(SANDBOX_ID_COUNT)
            if n not in _ids_used:
                _ids_used.add(n)
                return n, n


# What bubblewrap starts in the sandbox, before the command (INIT_CODE, trusted: no caller code
# has run yet). Two cases:
# - lemonade runs as root (a uid is given): bubblewrap's own init is pid 1 and stays host root,
#   so nothing in the sandbox can signal it or open its memory. This code takes the sandbox's
#   unprivileged host uid and gid (the only moment anything in the sandbox holds CAP_SETUID and
#   CAP_SETGID), changes to the scratch folder (its own) and becomes the command.
# - lemonade runs as a normal user (uid "-"): bubblewrap's init would run as that same uid,
#   dumpable, so the command could rewrite it (/proc/1/mem) and outlive the sandbox. With
#   --as-pid-1 this code is pid 1 instead: it makes itself non-dumpable, dies with
#   bubblewrap, starts the command, reaps every orphan, and exits as the command did (128+N
#   when killed by signal N).
# Either way, when pid 1 dies the kernel kills every process of the sandbox's PID namespace.
INIT_CODE = """\
import ctypes, os, sys
uid, gid, cwd, argv = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[5:]
def run():
    try:
        os.execvp(argv[0], argv)
    except OSError as e:
        os.write(2, f"sandbox init: cannot run {argv[0]}: {e}\\n".encode())
    os._exit(127)
if uid != "-":
    os.setgroups([])
    os.setresgid(int(gid), int(gid), int(gid))
    os.setresuid(int(uid), int(uid), int(uid))
    if os.getresuid() != (int(uid),) * 3 or os.getgroups():
        os._exit(71)
    os.chdir(cwd)
    run()
os.chdir(cwd)
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(4, 0, 0, 0, 0) or libc.prctl(1, 9, 0, 0, 0):
    os._exit(71)
child = os.fork()
if child == 0:
    run()
null = os.open("/dev/null", os.O_RDWR)
for fd in (0, 1, 2):
    os.dup2(null, fd)
os.closerange(3, 1 << 16)
while True:
    try:
        pid, status = os.wait()
    except ChildProcessError:
        os._exit(70)
    if pid == child:
        code = os.waitstatus_to_exitcode(status)
        os._exit(code if code >= 0 else 128 - code)
"""


def init_argv(argv: Sequence[str], run_as: tuple[int, int] | None, cwd: str | Path
              ) -> list[str]:
    """`argv` started in `cwd` through INIT_CODE, as `run_as` = (uid, gid) if given (it
    changes folder once it is that uid: the scratch folder is its own)."""
    uid, gid = (str(run_as[0]), str(run_as[1])) if run_as else ("-", "-")
    return [sys.executable, "-S", "-I", "-c", INIT_CODE, uid, gid, str(cwd), "--", *argv]


# ----- what the sandbox shows ------------------------------------------------------------------
def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _dedupe_roots(paths: Iterable[str]) -> list[str]:
    """Drop duplicates and paths that sit inside another one of the list."""
    out: list[str] = []
    for p in sorted({os.path.realpath(p) for p in paths if p}, key=len):
        if not any(_under(p, q) for q in out):
            out.append(p)
    return out


def python_dirs() -> list[str]:
    """The Python installation this process runs: prefixes and site-packages (host paths)."""
    dirs = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
            os.path.dirname(os.path.realpath(sys.executable))]
    with contextlib.suppress(AttributeError):
        dirs += site.getsitepackages()
    if site.ENABLE_USER_SITE and os.path.isdir(site.getusersitepackages()):
        dirs.append(site.getusersitepackages())
    dirs = [d for d in dirs if os.path.isdir(d)]
    # already visible through /usr
    return [d for d in _dedupe_roots(dirs) if not _under(d, "/usr")]


def package_dir() -> str:
    """The lemonade package folder (bound read-only at its path: PYTHONPATH finds it)."""
    return str(Path(__file__).resolve().parent.parent)


PACKAGE_ROOT_INSIDE = "/opt/lemonade-src"  # where a checkout's package folder appears inside


def inside_env(env: dict[str, str]) -> dict[str, str]:
    """`env` with the checkout's folder on PYTHONPATH replaced by where it appears inside."""
    host_root = str(Path(package_dir()).parent)
    paths = env.get("PYTHONPATH", "").split(os.pathsep) if env.get("PYTHONPATH") else []
    if host_root not in paths:
        return env
    out = [PACKAGE_ROOT_INSIDE if p == host_root else p for p in paths]
    return {**env, "PYTHONPATH": os.pathsep.join(dict.fromkeys(out))}


def library_dirs(env: dict[str, str]) -> list[str]:
    """LD_LIBRARY_PATH folders outside private places (CUDA libraries often live there)."""
    out = []
    for d in env.get("LD_LIBRARY_PATH", "").split(os.pathsep):
        if d and os.path.isabs(d) and os.path.isdir(d) and not is_private(d):
            out.append(os.path.realpath(d))
    return [d for d in _dedupe_roots(out) if not _under(d, "/usr")]


def is_private(path: str) -> bool:
    """A path that never enters the sandbox as a system bind (home, /tmp, /etc, /run, ...)."""
    real = os.path.realpath(path)
    home = os.path.realpath(os.path.expanduser("~"))
    if any(_under(real, d) for d in python_dirs()):
        return False
    return any(_under(real, r) for r in (*PRIVATE_ROOTS, home))


def gpu_devices(device: str, dev_dir: str = "/dev") -> list[str]:
    """NVIDIA device nodes to pass through for a CUDA run ("cuda[:N]", or "auto" with a
    driver)."""
    if not (device == "auto" or device.startswith("cuda")):
        return []
    nodes = sorted(glob.glob(os.path.join(dev_dir, "nvidia*")))
    return nodes if any(os.path.basename(n) == "nvidiactl" for n in nodes) else []


# sysfs and procfs parts the CUDA driver and NVML read (PCI topology, NUMA, driver version)
GPU_RO_PATHS = ("/sys/bus/pci", "/sys/devices", "/sys/dev/char", "/sys/module/nvidia",
                "/proc/driver/nvidia")


def isolated_argv(argv: Sequence[str], *, scratch: str | Path, env: dict[str, str],
                  ro_binds: Sequence[tuple[str | Path, str]] = (),
                  rw_binds: Sequence[tuple[str | Path, str]] = (),
                  device_nodes: Sequence[str] = (), seccomp_fd: int | None = None,
                  bwrap: str = "bwrap", userns: Literal["new", "try", "host"] = "new",
                  disable_userns: bool = True, package_at_host_path: bool = False,
                  run_as: tuple[int, int] | None = None,
                  scratch_bytes: int | None = None) -> list[str]:
    """The bubblewrap command line that runs `argv` inside the wall (pure: builds, runs nothing).

    `scratch` (a host folder) is read-write and the cwd; with `scratch_bytes`, a private tmpfs
    of that size at its path instead (the host then never sees what is written there). `env`
    is the whole environment inside.
    Binds are (host path, path inside) pairs, mounted after the system ones, parents first, so
    a read-only file may sit in a read-write folder (a job file in an output folder) and a
    read-write folder in a read-only one.
    `device_nodes` (GPU) are passed through with device access.
    `package_at_host_path`: a source checkout's package folder appears at its host path
    instead of a neutral one (a worker forked from the fork server has its modules' host paths
    in memory already; lemonade.sandbox.forkserver).
    `run_as` (userns "host", lemonade runs as root): no user namespace; the command keeps only
    CAP_SETUID and CAP_SETGID, and INIT_CODE uses them to become that unprivileged host
    (uid, gid) before it becomes `argv`.
    """
    a: list[str] = [bwrap]
    if userns != "host":
        a.append("--unshare-user" if userns == "new" else "--unshare-user-try")
    if disable_userns and userns == "new":
        a.append("--disable-userns")
    a += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
          "--unshare-cgroup-try", "--hostname", HOSTNAME,
          "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    if run_as is not None:
        a += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        a.append("--as-pid-1")
    a.append("--clearenv")
    for d in _SYSTEM_DIRS:
        if os.path.islink(d):
            a += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            a += ["--ro-bind", d, d]
    # the private /proc, /dev and /tmp first: a Python installation or a checkout may live in
    # /tmp (a CI virtualenv), and a later tmpfs would hide its bind
    # /proc/sys read-only: the kernel lets a sysctl be written by uid (global ones by host
    # root, namespaced ones by the namespace's root), never by capability alone
    # /tmp is traversable but not listable: a Python installation, a checkout or a scratch
    # folder under /tmp (a virtualenv in /tmp/<name>/venv) leaves no readable name of its host
    # parents there. A sandbox that runs as its own uid gets it writable (1733: it cannot list
    # or chmod what it does not own); one that runs as the caller's uid owns it, and could list
    # it or chmod it back, so it gets it 0111 and read-only (its TMPDIR is its scratch folder)
    caller_owned = run_as is None
    a += ["--proc", "/proc", "--ro-bind", "/proc/sys", "/proc/sys", "--dev", "/dev",
          "--perms", "0111" if caller_owned else "1733", "--size", str(TMPFS_BYTES),
          "--tmpfs", "/tmp",
          "--perms", "1777", "--size", str(TMPFS_BYTES), "--tmpfs", "/dev/shm"]
    for f in _ETC_FILES:
        a += ["--ro-bind-try", f, f]
    made: set[str] = {"/", *_SYSTEM_DIRS, "/proc", "/dev", "/tmp", "/dev/shm", "/etc"}
    for d in (*python_dirs(), *library_dirs(env)):
        a += [*_parents(d, made), "--ro-bind", d, d]
    pkg = package_dir()
    pkg_inside = pkg
    if package_at_host_path and not any(_under(pkg, d) for d in python_dirs()):
        a += [*_parents(pkg, made), "--ro-bind", pkg, pkg]
    elif not any(_under(pkg, d) for d in python_dirs()):
        # a source checkout (an editable install) may live anywhere, /tmp or a home included:
        # it is mounted at a neutral place, so its host path (and its parents) stay unseen
        pkg_inside = f"{PACKAGE_ROOT_INSIDE}/{Path(pkg).name}"
        a += [*_parents(pkg_inside, made, "0755"), "--ro-bind", pkg, pkg_inside]  # on sys.path
        env = inside_env(env)
    for node in device_nodes:
        a += ["--dev-bind", node, node]
    if device_nodes:
        for p in GPU_RO_PATHS:
            a += ["--ro-bind-try", p, p]
    if scratch_bytes:
        a += [*_parents(str(scratch), made), "--perms", "1777", "--size", str(scratch_bytes),
              "--tmpfs", str(scratch)]
    else:
        a += [*_parents(str(scratch), made), "--bind", str(scratch), str(scratch)]
    binds = [("--bind", str(s), str(d)) for s, d in rw_binds]
    # a bind onto a path of the package (a file hidden under /dev/null) follows it inside
    binds += [("--ro-bind", str(s), pkg_inside + str(d)[len(pkg):] if _under(str(d), pkg)
               else str(d)) for s, d in ro_binds]
    for flag, src, dst in sorted(binds, key=lambda b: len(Path(b[2]).parts)):  # parents first
        a += [*_parents(dst, made), flag, src, dst]
    a += ["--remount-ro", "/", *(["--remount-ro", "/tmp"] if caller_owned else []),
          "--chdir", "/"]
    for k, v in env.items():
        a += ["--setenv", k, v]
    if seccomp_fd is not None:
        a += ["--seccomp", str(seccomp_fd)]
    return [*a, "--", *init_argv(argv, run_as, scratch)]


def _parents(dst: str, made: set[str], mode: str = "0111") -> list[str]:
    """Create the folders above the mount point `dst` that nothing mounted yet, as `mode`
    (0111: the sandbox passes through them and cannot list them, even where it owns them: a
    sandbox that runs as the caller's uid; `/` is remounted read-only, so it cannot chmod
    them either). Marks them in `made`."""
    out: list[str] = []
    for parent in reversed(Path(dst).parents):
        p = str(parent)
        if p in made or any(_under(p, m) for m in _SYSTEM_DIRS):
            continue
        made.add(p)
        out += ["--perms", mode, "--dir", p]
    made.add(dst)
    return out


def applied(status: IsolationStatus, *, device_nodes: Sequence[str] = (),
            ro_binds: Sequence[tuple[str | Path, str]] = (),
            rw_binds: Sequence[tuple[str | Path, str]] = ()) -> dict[str, Any]:
    """What a launch put in force (stored with the candidate)."""
    if not status.isolated:
        return {"method": "none", "isolated": False, "reason": status.reason,
                "namespaces": [], "seccomp": False}
    namespaces = list(NAMESPACES) if status.userns == "new" \
        else [n for n in NAMESPACES if n != "user"]
    if status.userns == "try":
        namespaces.append("user (if available)")
    return {
        "method": "bwrap", "isolated": True, "bwrap_version": status.version,
        "namespaces": namespaces,
        "nested_userns_disabled": status.disable_userns and status.userns == "new",
        **({"host_identity": "an unprivileged uid and gid of its own (lemonade runs as root)",
            "nested_userns": "refused by seccomp"} if status.drops_root else {}),
        "proc_sys": "read-only", "init": "lemonade's own, not dumpable",
        "capabilities": "none", "network": "none (empty network namespace)",
        "filesystem": "python installation read-only, scratch read-write",
        "binds_ro": [str(d) for _, d in ro_binds], "binds_rw": [str(d) for _, d in rw_binds],
        "seccomp": status.seccomp,
        **({"seccomp_denied": seccomp.denied_syscalls(), "seccomp_socket": "AF_UNIX only"}
           if status.seccomp else {"seccomp_note": status.seccomp_note}),
        "gpu_devices": list(device_nodes),
    }


# ----- seccomp descriptor -----------------------------------------------------------------------
def _seccomp_fd(prog: bytes) -> int:
    """A readable descriptor holding `prog` (bwrap reads it to the end)."""
    r, w = os.pipe()
    try:
        os.write(w, prog)  # a few hundred bytes: far below the pipe buffer
    finally:
        os.close(w)
    return r


# ----- probing ------------------------------------------------------------------------------------
_lock = threading.Lock()
_probed: IsolationStatus | None = None
_warned: set[str] = set()
_OFF_BY_CONFIG = "turned off by sandbox.isolation: none"


def _bwrap_binary() -> str | None:
    forced = os.environ.get("LEMONADE_BWRAP")
    if forced is not None:
        return forced if os.path.isfile(forced) and os.access(forced, os.X_OK) else None
    return shutil.which("bwrap")


def _version(bwrap: str) -> tuple[str | None, tuple[int, ...]]:
    try:
        out = subprocess.run([bwrap, "--version"], capture_output=True, text=True, timeout=10,
                             env={"PATH": os.defpath}).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None, ()
    text = out.split()[-1] if out else None
    nums = tuple(int(x) for x in (text or "").split(".") if x.isdigit())
    return text, nums


def _try(bwrap: str, *, userns: Literal["new", "try", "host"], disable_userns: bool,
         use_seccomp: bool) -> str | None:
    """Start a trivial Python inside the wall; None when it works, else the reason."""
    prog = seccomp.program() if use_seccomp else None
    fd = _seccomp_fd(prog) if prog else None
    run_as = sandbox_identity() if userns == "host" else None
    with tempfile.TemporaryDirectory(prefix="lemonade-probe-") as scratch:
        grant(run_as, scratch=scratch)
        argv = isolated_argv(
            [sys.executable, "-S", "-c", "import os; print('ok', os.getpid(), os.getuid())"],
            scratch=scratch, env={"PATH": "/usr/bin:/bin", "HOME": scratch},
            seccomp_fd=fd, bwrap=bwrap, userns=userns, disable_userns=disable_userns,
            run_as=run_as)
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S,
                                  env={"PATH": os.defpath}, pass_fds=(fd,) if fd else (),
                                  stdin=subprocess.DEVNULL)
        except (OSError, subprocess.SubprocessError) as e:
            return f"{type(e).__name__}: {e}"
        finally:
            if fd is not None:
                os.close(fd)
    want = str(run_as[0]) if run_as else ""
    words = done.stdout.split()
    if done.returncode == 0 and words[:2] == ["ok", "2"] and (not want or words[2:] == [want]):
        return None
    lines = [ln for ln in (done.stderr or done.stdout).strip().splitlines() if ln.strip()]
    return (lines[-1] if lines else f"exit status {done.returncode}")[:300]


def _probe() -> IsolationStatus:
    if not sys.platform.startswith("linux"):
        return IsolationStatus(False, "none", reason=f"no Linux namespaces on {sys.platform}")
    bwrap = _bwrap_binary()
    if bwrap is None:
        forced = os.environ.get("LEMONADE_BWRAP")
        why = (f"LEMONADE_BWRAP={forced} is not an executable" if forced is not None
               else "bubblewrap (bwrap) is not installed")
        return IsolationStatus(False, "none", reason=why)
    version, nums = _version(bwrap)
    has_seccomp = seccomp.program() is not None
    disable = nums >= (0, 8)
    # strongest first; each later variant gives up one thing, and the status says which
    variants: list[tuple[Literal["new", "try", "host"], bool, bool]] = [
        ("new", disable, has_seccomp), ("new", False, has_seccomp), ("try", False, has_seccomp),
        ("try", False, False)]
    if os.geteuid() == 0:  # root: sandboxes run as unprivileged host uids, never as root
        variants = [("host", False, has_seccomp), ("host", False, False)]
    first_error = None
    for userns, dis, sec in dict.fromkeys(variants):
        err = _try(bwrap, userns=userns, disable_userns=dis, use_seccomp=sec)
        if err is None:
            note = None
            if not has_seccomp:
                note = f"no seccomp table for {platform.machine()}"
            elif not sec:
                note = f"bwrap could not load the filter: {first_error}"
            return IsolationStatus(True, "bwrap", bwrap=bwrap, version=version, seccomp=sec,
                                   seccomp_note=note, userns=userns, disable_userns=dis)
        first_error = first_error or err
    return IsolationStatus(False, "none", bwrap=bwrap, version=version,
                           reason=f"bwrap cannot start a sandbox here: {first_error}")


def probe(*, refresh: bool = False) -> IsolationStatus:
    """Is bubblewrap here, and does a sandbox really start? Cached for the process."""
    global _probed
    with _lock:
        if _probed is None or refresh:
            _probed = _probe()
        return _probed


def warn_once(status: IsolationStatus, write: Callable[[str], Any] | None = None) -> None:
    """Say once per process, on stderr, that candidate code runs without the OS wall."""
    with _lock:
        if status.isolated or (status.reason or "") in _warned:
            return
        _warned.add(status.reason or "")
    msg = (f"lemonade: WARNING: isolation is weak: {status.reason}. Candidate code runs in a "
           "separate process with resource limits and a scrubbed environment, but an escape "
           "from the static check could read your files and use the network. ")
    if status.reason == _OFF_BY_CONFIG:
        msg += "Set sandbox.isolation: auto to put it behind the OS wall again."
    else:
        msg += ("Install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap), or set "
                "sandbox.require_isolation: true to refuse to run without it.")
    (write or (lambda s: print(s, file=sys.stderr, flush=True)))(msg)


def resolve(cfg: Any) -> IsolationStatus:
    """Apply `sandbox.isolation` / `sandbox.require_isolation` (a SandboxConfig, a dict with
    those keys, or None for the defaults) to what this machine offers."""
    def get(key: str, default: Any) -> Any:
        return (cfg.get(key, default) if isinstance(cfg, dict) else getattr(cfg, key, default))

    mode = get("isolation", "auto") or "auto"
    require = bool(get("require_isolation", False))
    if mode == "none":
        if require:
            raise IsolationUnavailable("sandbox.isolation is 'none' but "
                                       "sandbox.require_isolation is true")
        status = IsolationStatus(False, "none", reason=_OFF_BY_CONFIG)
        warn_once(status)
        return status
    status = probe()
    if status.isolated:
        return status
    if require or mode == "bwrap":
        key = "sandbox.require_isolation is true" if require else "sandbox.isolation is 'bwrap'"
        raise IsolationUnavailable(
            f"refusing to run candidate code: {key} but isolation is unavailable "
            f"({status.reason}); install bubblewrap (apt-get install bubblewrap) on Linux")
    warn_once(status)
    return status


def prepare(argv: Sequence[str], *, status: IsolationStatus, scratch: str | Path,
            env: dict[str, str], ro_binds: Sequence[tuple[str | Path, str]] = (),
            rw_binds: Sequence[tuple[str | Path, str]] = (), device: str = "cpu",
            holder: bool = False, scratch_bytes: int | None = None) -> Launch:
    """A Launch for `argv`: inside the wall when `status.isolated`, else the plain command.

    Every path keeps its host name inside (binds are (path, path) pairs in practice), so the
    same `argv` and `env` serve both cases. The process must need nothing outside the Python
    installation, `scratch` and the binds.

    `holder`: `argv` only holds the namespaces open for a worker forked from the fork server,
    which joins them (lemonade.sandbox.forkserver). That worker must be able to join the mount
    namespace from the sandbox's own user namespace, so no second, nested user namespace is
    made for `--disable-userns`: its seccomp filter refuses every way to create a namespace
    instead (unshare, setns, clone with a namespace flag, clone3).

    `scratch_bytes`: the scratch folder is a private tmpfs of that size inside (see
    `isolated_argv`), not the host folder.
    """
    if not status.isolated:
        return Launch(list(argv), dict(env), (), applied(status), False)
    run_as = sandbox_identity() if status.drops_root else None
    grant(run_as, scratch=scratch, rw=[s for s, _ in rw_binds], ro=[s for s, _ in ro_binds])
    nodes = gpu_devices(device)
    fds: list[int] = []
    prog = seccomp.program() if status.seccomp else None
    if prog:
        fds.append(_seccomp_fd(prog))
    full = isolated_argv(argv, scratch=scratch, env=env, ro_binds=ro_binds, rw_binds=rw_binds,
                         device_nodes=nodes, seccomp_fd=fds[0] if fds else None,
                         bwrap=status.bwrap or "bwrap", userns=status.userns,
                         disable_userns=status.disable_userns and not holder,
                         package_at_host_path=holder, run_as=run_as,
                         scratch_bytes=scratch_bytes)
    done = applied(status, device_nodes=nodes, ro_binds=ro_binds, rw_binds=rw_binds)
    if scratch_bytes:
        done["scratch"] = f"a private tmpfs of {scratch_bytes >> 20} MiB"
    if holder:
        done.update(nested_userns_disabled=False, nested_userns="refused by seccomp",
                    started="forked from the fork server: joined this sandbox's namespaces, "
                            "dropped every capability, installed the seccomp filter itself")
    return Launch(full, {"PATH": os.defpath}, tuple(fds), done, True, fds, run_as)


def grant(run_as: tuple[int, int] | None, *, scratch: str | Path,
          rw: Sequence[str | Path] = (), ro: Sequence[str | Path] = ()) -> None:
    """Let the sandbox's host uid `run_as` use what is bound for it: `scratch` and the
    read-write folders become its own (the folder itself, not what is in it), the read-only
    ones readable by all. Nothing to do when the sandbox runs as the caller (run_as None)."""
    if run_as is None:
        return
    for d in (scratch, *rw):
        if os.path.isdir(d) and not os.path.islink(d):
            os.chown(d, *run_as)
    for p in ro:
        with contextlib.suppress(OSError):
            st = os.lstat(p)
            want = 0o005 if stat.S_ISDIR(st.st_mode) else 0o004
            kind_ok = stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode)
            if kind_ok and st.st_mode & want != want:
                os.chmod(p, stat.S_IMODE(st.st_mode) | want)


# ----- after the run ------------------------------------------------------------------------------
def copy_out(src_dir: str | Path, dst_dir: str | Path, names: Iterable[str],
             max_bytes: int) -> list[str]:
    """Copy the named regular files the sandbox wrote from `src_dir` to `dst_dir`.

    The sandbox controls `src_dir`: a name may be a symlink to a host file, a FIFO that would
    block, or huge. Only regular files no larger than `max_bytes` are copied, opened without
    following links; returns the names copied.
    """
    copied = []
    dst = Path(dst_dir)
    for name in names:
        if os.sep in name or name in ("", ".", ".."):
            continue
        src = os.path.join(src_dir, name)
        try:
            fd = os.open(src, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_size > max_bytes:
                continue
            tmp = dst / f".{name}.copy"
            with os.fdopen(os.dup(fd), "rb") as fin, open(tmp, "wb") as fout:
                shutil.copyfileobj(fin, fout)
            tmp.replace(dst / name)
            copied.append(name)
        finally:
            os.close(fd)
    return copied


def host_pid(outer_pid: int, ns_pid: int, proc: str = "/proc") -> int | None:
    """The host pid of the process that is `ns_pid` inside the sandbox started as `outer_pid`."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir(proc):
        if not entry.isdigit():
            continue
        try:
            stat_line = Path(proc, entry, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat_line.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    todo = list(children.get(outer_pid, []))
    while todo:
        pid = todo.pop()
        try:
            status = Path(proc, str(pid), "status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("NSpid:") and line.split()[-1] == str(ns_pid) \
                    and len(line.split()) > 2:
                return pid
        todo += children.get(pid, [])
    return None
