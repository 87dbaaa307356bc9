"""Size-capped host folders for a sandbox to write in: a tmpfs of a fixed size mounted on them.

    capped = cap(folder, nbytes)   # lemonade runs as root: a tmpfs of nbytes on `folder`
    folder = capped_dir(prefix, nbytes)   # a new temporary folder, capped the same way
    ...                            # the sandbox writes there; the host copies files out
    release(folder)                # unmount it (remove_dirs does this before removing)

A sandbox's own scratch (its cwd, HOME, TMPDIR), /tmp and /dev/shm are tmpfs mounts bubblewrap
makes inside the sandbox, each of a fixed size (lemonade.sandbox.isolation), for every user.
Its output folder is different: the host reads the result and the exported model from it
after the sandbox has ended, so it is a host folder. As root, it is a host tmpfs of
`sandbox.scratch_mb`, mounted before the sandbox starts: writing past it fails (ENOSPC) and
the host's disk never sees a byte of it. As a normal user a host mount is not possible: each
file there is capped by RLIMIT_FSIZE (docs/security.md).

Each mount's source is named `lemonade-<pid>`; `clean_stale` unmounts those of lemonade
processes that are gone (and removes their folders).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import threading
from pathlib import Path

from lemonade.sandbox.cleanup import remove_tree

MS_NOSUID, MS_NODEV, MS_NOEXEC = 0x2, 0x4, 0x8
MNT_DETACH = 0x2
_SOURCE = "lemonade-"
_cleaned = False
_lock = threading.Lock()


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def available() -> bool:
    """Whether this process can mount a capped folder (Linux, root)."""
    return sys.platform.startswith("linux") and os.geteuid() == 0


def _unescape(field: str) -> str:
    """A mountinfo path field (spaces and such are written as \\ooo)."""
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and i + 3 < len(field) + 0 and field[i + 1:i + 4].isdigit():
            out.append(chr(int(field[i + 1:i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def mounts(path: str = "/proc/self/mountinfo") -> list[tuple[str, str]]:
    """(source, mount point) of every lemonade tmpfs mounted now."""
    out = []
    with contextlib.suppress(OSError):
        for line in Path(path).read_text().splitlines():
            left, _, right = line.partition(" - ")
            f, r = left.split(), right.split()
            if len(f) >= 5 and len(r) >= 2 and r[0] == "tmpfs" and r[1].startswith(_SOURCE):
                out.append((r[1], _unescape(f[4])))
    return out


def cap(folder: str | Path, nbytes: int) -> bool:
    """Mount a tmpfs of `nbytes` on the empty host folder `folder`; False where this process
    cannot (not root, not Linux) or the kernel refuses."""
    if not available() or nbytes <= 0:
        return False
    clean_stale()
    opts = f"size={int(nbytes)},mode=0700".encode()
    rc = _libc().mount(f"{_SOURCE}{os.getpid()}".encode(), os.fsencode(str(folder)), b"tmpfs",
                       ctypes.c_ulong(MS_NOSUID | MS_NODEV | MS_NOEXEC), opts)
    return rc == 0


def is_capped(folder: str | Path) -> bool:
    """Whether a lemonade tmpfs is mounted on `folder`."""
    real = os.path.realpath(folder)
    return any(point == real for _source, point in mounts())


def capped_dir(prefix: str, nbytes: int) -> Path:
    """A new temporary folder (tempfile.mkdtemp), with a tmpfs of `nbytes` on it where this
    process can mount one: done before anything is put in it (a stand-in command copied
    there would be hidden by a later mount). Remove it with process.remove_dirs."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix=prefix))
    cap(folder, nbytes)
    return folder


def release(folder: str | Path) -> None:
    """Unmount every lemonade tmpfs on `folder` (none: nothing to do; never raises)."""
    real = os.path.realpath(folder)
    for _source, point in mounts():
        if point == real:
            _libc().umount2(os.fsencode(point), MNT_DETACH)


def clean_stale() -> list[str]:
    """Once per process: unmount the lemonade tmpfs mounts of processes that are gone, and
    remove their folders; returns those folders."""
    global _cleaned
    with _lock:
        if _cleaned:
            return []
        _cleaned = True
    done = []
    for source, point in mounts():
        owner = source[len(_SOURCE):]
        if not owner.isdigit() or int(owner) == os.getpid():
            continue
        try:
            os.kill(int(owner), 0)
            continue  # alive
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        if _libc().umount2(os.fsencode(point), MNT_DETACH) == 0:
            remove_tree(point)
            done.append(point)
    return done
