"""What a process forked by the fork server does to put itself behind the OS wall (Linux only).

bubblewrap builds the wall for a new process: namespaces, mounts, no capabilities, a seccomp
filter. A process forked from the fork server (lemonade.sandbox.zygote) was not started by
bubblewrap, so it moves itself into a sandbox that bubblewrap built for it and then does
bubblewrap's last steps itself, in this order:

    join(ns_fds)            # setns into the sandbox's user, mount, net, ipc, uts, cgroup, pid
                            # namespaces (the pid one takes effect for the next fork); run by a
                            # normal user, through the user namespace that owns them (OWNER)
    -- fork: the child is a member of the sandbox's PID namespace --
    verify_joined(ns_fds)   # every namespace of this process is the sandbox's, or stop
    drop_capabilities()     # joining a user namespace grants all its capabilities: drop them
                            # all, the bounding and ambient sets too, and lock root's rights
    install_seccomp(prog)   # no_new_privs + the same filter bubblewrap loads
                            # (lemonade.sandbox.seccomp)

Every call raises OSError when the kernel refuses; the caller then exits without running
anything. Thin ctypes wrappers over libc: Python 3.11 has no os.setns.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Mapping, Sequence

# the order matters: the user namespace first (it grants the right to join the others, which
# it owns), the PID namespace last
JOIN_ORDER = ("user", "mnt", "net", "ipc", "uts", "cgroup", "pid")
# The user namespace that owns the others, where it is not the sandbox's own: run by a normal
# user, bubblewrap makes its namespaces in one user namespace (uid 0 there, to mount /dev) and
# then a nested one that maps the caller's uid back, in which the sandbox runs. Its mount and
# PID namespaces are owned by the outer one, so a process that joined only the inner one may
# not join them (EPERM). `join` then enters the owner first, the others, and the inner one last.
OWNER = "owner"
NS_GET_USERNS = 0xB701  # ioctl on a namespace descriptor: its owning user namespace

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_SECUREBITS = 28
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
# SECBIT_NOROOT, SECBIT_NO_SETUID_FIXUP, SECBIT_KEEP_CAPS_LOCKED, SECBIT_NO_CAP_AMBIENT_RAISE
# and their locks: uid 0 in the sandbox gets no capabilities back, even through execve
SECUREBITS = 0x01 | 0x02 | 0x04 | 0x08 | 0x20 | 0x40 | 0x80
_CAPABILITY_VERSION_3 = 0x20080522
_MAX_CAPS = 64

_libc = ctypes.CDLL(None, use_errno=True)


def _check(rc: int, what: str) -> None:
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def prctl(option: int, arg: int = 0) -> None:
    _check(_libc.prctl(option, ctypes.c_ulong(arg), 0, 0, 0), f"prctl({option})")


def die_with_parent() -> None:
    """SIGKILL this process when its parent dies (PR_SET_PDEATHSIG)."""
    import signal

    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def foreign(names: Sequence[str], pid: int, proc: str = "/proc") -> list[str]:
    """The namespaces of `names` that process `pid` has and this process is not in (one cannot
    join its own user namespace: a sandbox of a root host has none of its own)."""
    out = []
    for name in names:
        try:
            theirs = os.stat(os.path.join(proc, str(pid), "ns", name))
        except OSError:
            continue
        ours = os.stat(os.path.join(proc, "self", "ns", name))
        if (theirs.st_dev, theirs.st_ino) != (ours.st_dev, ours.st_ino):
            out.append(name)
    return out


def owner_of(ns_fd: int) -> int:
    """A new descriptor (close-on-exec) of the user namespace that owns namespace `ns_fd`."""
    fd = int(_libc.ioctl(ns_fd, NS_GET_USERNS))
    if fd < 0:
        _check(-1, "ioctl(NS_GET_USERNS)")
    os.set_inheritable(fd, False)
    return fd


def same_file(a: int, b: int) -> bool:
    """Whether descriptors `a` and `b` name the same namespace."""
    sa, sb = os.fstat(a), os.fstat(b)
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def join_order(names: Sequence[str]) -> list[str]:
    """The order `join` enters `names` in: JOIN_ORDER, or with an OWNER: the owner, the
    namespaces it owns, the sandbox's own (nested) user namespace last."""
    if OWNER in names:
        return [OWNER, *(n for n in JOIN_ORDER if n != "user" and n in names),
                *(["user"] if "user" in names else [])]
    return [n for n in JOIN_ORDER if n in names]


def join(ns_fds: Mapping[str, int]) -> None:
    """setns into each namespace named in `ns_fds` (`join_order`), from descriptors of
    /proc/PID/ns/NAME (and OWNER's, from `owner_of`). The process must have one thread (a
    child right after fork)."""
    for name in join_order(list(ns_fds)):
        fd = ns_fds.get(name)
        if fd is not None:
            _check(_libc.setns(fd, 0), f"setns({name})")


def verify_joined(ns_fds: Mapping[str, int], proc: str = "/proc/self/ns") -> None:
    """Raise unless every namespace of this process is the one its descriptor names (OWNER
    is only a way in: the user namespace checked is the sandbox's own)."""
    for name, fd in ns_fds.items():
        if name == OWNER:
            continue
        want = os.fstat(fd)
        have = os.stat(os.path.join(proc, name))
        if (have.st_dev, have.st_ino) != (want.st_dev, want.st_ino):
            raise OSError(f"namespace {name} was not joined")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def drop_capabilities(become: tuple[int, int] | None = None) -> None:
    """No capability left, and none to be had again: securebits locked, the bounding set
    emptied, the ambient set cleared, then effective, permitted and inheritable zeroed.
    `become` = (uid, gid): take that identity first, with no supplementary group (a sandbox
    that runs as its own unprivileged host uid, lemonade.sandbox.isolation.sandbox_identity);
    the securebits keep the capabilities through the change until they are zeroed."""
    prctl(PR_SET_SECUREBITS, SECUREBITS)
    for cap in range(_MAX_CAPS):
        if _libc.prctl(PR_CAPBSET_DROP, ctypes.c_ulong(cap), 0, 0, 0) != 0:
            if ctypes.get_errno() == 22:  # EINVAL: past the kernel's last capability
                break
            _check(-1, f"prctl(PR_CAPBSET_DROP, {cap})")
    _check(_libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "clear ambient")
    if become is not None:
        uid, gid = become
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
        if os.getresuid() != (uid, uid, uid) or os.getresgid() != (gid, gid, gid) \
                or os.getgroups():
            raise OSError(f"could not become uid {uid}, gid {gid}")
        # the uid change made it non-dumpable; it is the sandbox's own process, like a fresh
        # worker after its exec (the sandbox's init, pid 1, is the one that must not be)
        prctl(PR_SET_DUMPABLE, 1)
    header = _CapHeader(_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "capset")


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install_seccomp(prog: bytes) -> None:
    """no_new_privs, then the classic-BPF filter `prog` (an array of 8-byte sock_filter)."""
    if len(prog) % 8:
        raise ValueError("a seccomp program is a whole number of 8-byte instructions")
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    buf = ctypes.create_string_buffer(prog, len(prog))
    fprog = _SockFprog(len(prog) // 8, ctypes.cast(buf, ctypes.c_void_p))
    _check(_libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0),
           "prctl(PR_SET_SECCOMP)")
