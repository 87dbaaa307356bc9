"""Removing a folder a sandbox wrote, whatever shape it has.

    remove_tree(path)     # never raises; returns False when something could not be removed

The sandbox controls the shape of its folders: `shutil.rmtree` recurses once per level, so a
chain of a few thousand nested folders raises RecursionError, and its paths outgrow PATH_MAX.
This walks with one open descriptor at a time, relative to it (no path grows, no recursion,
symlinks never followed), so any depth is removed in memory proportional to the depth's names.
"""

from __future__ import annotations

import contextlib
import os
import stat

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def _first_subdir(fd: int, skip: set[tuple[int, int]]) -> str | None:
    """Unlink every non-folder entry of the folder open as `fd`; the name of one sub-folder
    left (not in `skip`), or None when only skipped ones remain."""
    found = None
    with os.scandir(fd) as entries:
        for e in entries:
            try:
                st = e.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode):
                if (st.st_dev, st.st_ino) not in skip and found is None:
                    found = e.name
                continue
            with contextlib.suppress(OSError):
                os.unlink(e.name, dir_fd=fd)
    return found


def remove_tree(path: str | os.PathLike[str]) -> bool:
    """Remove `path` and everything in it, iteratively; True when it is gone."""
    try:
        fd = os.open(path, _DIR_FLAGS)
    except FileNotFoundError:
        return True
    except OSError:  # a file or a symlink: removed itself, never followed
        with contextlib.suppress(OSError):
            os.unlink(path)
        return not os.path.lexists(path)
    names: list[str] = []  # the path from `path` down to the folder open as fd
    skip: set[tuple[int, int]] = set()  # folders that could not be removed
    try:
        while True:
            sub = None
            with contextlib.suppress(OSError):
                sub = _first_subdir(fd, skip)
            if sub is not None:
                try:
                    child = os.open(sub, _DIR_FLAGS, dir_fd=fd)
                except OSError:
                    st = os.stat(sub, dir_fd=fd, follow_symlinks=False)
                    skip.add((st.st_dev, st.st_ino))
                    continue
                os.close(fd)
                fd = child
                names.append(sub)
                continue
            if not names:
                break
            here = os.fstat(fd)
            parent = os.open("..", _DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = parent
            try:
                os.rmdir(names.pop(), dir_fd=fd)
            except OSError:
                skip.add((here.st_dev, here.st_ino))
    except OSError:
        return False
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)
    with contextlib.suppress(OSError):
        os.rmdir(path)
    return not os.path.lexists(path)
