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
    userns: Literal["new", "try"] = "new"  # "new": a new user namespace, nested ones disabled
    disable_userns: bool = False


@dataclass
class Launch:
    """One prepared sandboxed (or plain) command line. Close it once Popen has run."""

    argv: list[str]
    env: dict[str, str]  # the environment for Popen (bwrap's own; the sandbox gets --setenv)
    pass_fds: tuple[int, ...]
    applied: dict[str, Any]
    isolated: bool
    _fds: list[int] = field(default_factory=list, repr=False)

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
                  bwrap: str = "bwrap", userns: Literal["new", "try"] = "new",
                  disable_userns: bool = True, package_at_host_path: bool = False) -> list[str]:
    """The bubblewrap command line that runs `argv` inside the wall (pure: builds, runs nothing).

    `scratch` (a host folder) is read-write and the cwd. `env` is the whole environment inside.
    Binds are (host path, path inside) pairs, mounted after the system ones, parents first, so
    a read-only file may sit in a read-write folder (a job file in an output folder) and a
    read-write folder in a read-only one.
    `device_nodes` (GPU) are passed through with device access.
    `package_at_host_path`: a source checkout's package folder appears at its host path
    instead of a neutral one (a worker forked from the fork server has its modules' host paths
    in memory already; lemonade.sandbox.forkserver).
    """
    a: list[str] = [bwrap, "--unshare-user" if userns == "new" else "--unshare-user-try"]
    if disable_userns and userns == "new":
        a.append("--disable-userns")
    a += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
          "--unshare-cgroup-try", "--hostname", HOSTNAME,
          "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--clearenv"]
    for d in _SYSTEM_DIRS:
        if os.path.islink(d):
            a += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            a += ["--ro-bind", d, d]
    # the private /proc, /dev and /tmp first: a Python installation or a checkout may live in
    # /tmp (a CI virtualenv), and a later tmpfs would hide its bind
    a += ["--proc", "/proc", "--dev", "/dev",
          "--size", str(TMPFS_BYTES), "--tmpfs", "/tmp",
          "--size", str(TMPFS_BYTES), "--tmpfs", "/dev/shm"]
    for f in _ETC_FILES:
        a += ["--ro-bind-try", f, f]
    for d in (*python_dirs(), *library_dirs(env)):
        a += ["--ro-bind", d, d]
    pkg = package_dir()
    pkg_inside = pkg
    if package_at_host_path and not any(_under(pkg, d) for d in python_dirs()):
        a += ["--ro-bind", pkg, pkg]
    elif not any(_under(pkg, d) for d in python_dirs()):
        # a source checkout (an editable install) may live anywhere, /tmp or a home included:
        # it is mounted at a neutral place, so its host path (and its parents) stay unseen
        pkg_inside = f"{PACKAGE_ROOT_INSIDE}/{Path(pkg).name}"
        a += ["--ro-bind", pkg, pkg_inside]
        env = inside_env(env)
    for node in device_nodes:
        a += ["--dev-bind", node, node]
    if device_nodes:
        for p in GPU_RO_PATHS:
            a += ["--ro-bind-try", p, p]
    a += ["--bind", str(scratch), str(scratch)]
    binds = [("--bind", str(s), str(d)) for s, d in rw_binds]
    # a bind onto a path of the package (a file hidden under /dev/null) follows it inside
    binds += [("--ro-bind", str(s), pkg_inside + str(d)[len(pkg):] if _under(str(d), pkg)
               else str(d)) for s, d in ro_binds]
    for flag, src, dst in sorted(binds, key=lambda b: len(Path(b[2]).parts)):  # parents first
        a += [flag, src, dst]
    a += ["--remount-ro", "/", "--chdir", str(scratch)]
    for k, v in env.items():
        a += ["--setenv", k, v]
    if seccomp_fd is not None:
        a += ["--seccomp", str(seccomp_fd)]
    return [*a, "--", *argv]


def applied(status: IsolationStatus, *, device_nodes: Sequence[str] = (),
            ro_binds: Sequence[tuple[str | Path, str]] = (),
            rw_binds: Sequence[tuple[str | Path, str]] = ()) -> dict[str, Any]:
    """What a launch put in force (stored with the candidate)."""
    if not status.isolated:
        return {"method": "none", "isolated": False, "reason": status.reason,
                "namespaces": [], "seccomp": False}
    return {
        "method": "bwrap", "isolated": True, "bwrap_version": status.version,
        "namespaces": list(NAMESPACES) if status.userns == "new"
        else [n for n in NAMESPACES if n != "user"] + ["user (if available)"],
        "nested_userns_disabled": status.disable_userns and status.userns == "new",
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


def _try(bwrap: str, *, userns: Literal["new", "try"], disable_userns: bool,
         use_seccomp: bool) -> str | None:
    """Start a trivial Python inside the wall; None when it works, else the reason."""
    prog = seccomp.program() if use_seccomp else None
    fd = _seccomp_fd(prog) if prog else None
    with tempfile.TemporaryDirectory(prefix="lemonade-probe-") as scratch:
        argv = isolated_argv(
            [sys.executable, "-S", "-c", "import os; print('ok', os.getpid())"],
            scratch=scratch, env={"PATH": "/usr/bin:/bin", "HOME": scratch},
            seccomp_fd=fd, bwrap=bwrap, userns=userns, disable_userns=disable_userns)
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S,
                                  env={"PATH": os.defpath}, pass_fds=(fd,) if fd else (),
                                  stdin=subprocess.DEVNULL)
        except (OSError, subprocess.SubprocessError) as e:
            return f"{type(e).__name__}: {e}"
        finally:
            if fd is not None:
                os.close(fd)
    if done.returncode == 0 and done.stdout.split() == ["ok", "2"]:
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
    variants: list[tuple[Literal["new", "try"], bool, bool]] = [
        ("new", disable, has_seccomp), ("new", False, has_seccomp), ("try", False, has_seccomp),
        ("try", False, False)]
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
            holder: bool = False) -> Launch:
    """A Launch for `argv`: inside the wall when `status.isolated`, else the plain command.

    Every path keeps its host name inside (binds are (path, path) pairs in practice), so the
    same `argv` and `env` serve both cases. The process must need nothing outside the Python
    installation, `scratch` and the binds.

    `holder`: `argv` only holds the namespaces open for a worker forked from the fork server,
    which joins them (lemonade.sandbox.forkserver). That worker must be able to join the mount
    namespace from the sandbox's own user namespace, so no second, nested user namespace is
    made for `--disable-userns`: its seccomp filter refuses every way to create a namespace
    instead (unshare, setns, clone with a namespace flag, clone3).
    """
    if not status.isolated:
        return Launch(list(argv), dict(env), (), applied(status), False)
    nodes = gpu_devices(device)
    fds: list[int] = []
    prog = seccomp.program() if status.seccomp else None
    if prog:
        fds.append(_seccomp_fd(prog))
    full = isolated_argv(argv, scratch=scratch, env=env, ro_binds=ro_binds, rw_binds=rw_binds,
                         device_nodes=nodes, seccomp_fd=fds[0] if fds else None,
                         bwrap=status.bwrap or "bwrap", userns=status.userns,
                         disable_userns=status.disable_userns and not holder,
                         package_at_host_path=holder)
    done = applied(status, device_nodes=nodes, ro_binds=ro_binds, rw_binds=rw_binds)
    if holder:
        done.update(nested_userns_disabled=False, nested_userns="refused by seccomp",
                    started="forked from the fork server: joined this sandbox's namespaces, "
                            "dropped every capability, installed the seccomp filter itself")
    return Launch(full, {"PATH": os.defpath}, tuple(fds), done, True, fds)


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
