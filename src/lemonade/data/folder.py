"""Image folders: one subfolder per class, decoded once into a uint8 cache.

Two layouts, as torchvision's `ImageFolder` and Keras' `image_dataset_from_directory` use:

    PATH/train/<class>/*.png  PATH/val/<class>/...  PATH/test/<class>/...   (val, test optional)
    PATH/<class>/*.jpg                                                       (splits made here)

In the second layout (and for a missing test/), a fixed stratified test split is held out as for
the other sources without one; a missing val/ is carved from train with the run seed.

Every file Pillow has a decoder for (by its extension: PNG, JPEG, BMP, GIF, TIFF, WebP, ...) is
an image; other files and hidden ones are ignored. An image that fails to decode is skipped, and
the skipped files are named in one warning line. Images become RGB, or stay single-channel when
every image is grayscale, and are resized to `image_size` x `image_size` (default: the most
common size in the folder, so an already uniform folder is not resampled).

A dataset folder is untrusted input, so its reading is bounded:
- only what lies inside the folder is read: a symlink (file or class folder) that resolves
  outside it is skipped, linked folders below a class folder are not followed (no link loop can
  hold the scan), and a file reached twice counts once;
- an image file over MAX_FILE_BYTES, or whose header says more than `dataset.max_image_pixels`
  pixels, is refused with a DatasetError naming it, before it is decoded (Pillow's own
  decompression-bomb limit is set to the same figure, as a second guard);
- the decoded dataset (N x C x H x W bytes, known from the headers) must fit in
  `dataset.max_dataset_mb`, checked before anything is allocated; fewer images decode at once
  when they are large.

The cache: decoding thousands of files costs seconds to minutes, so the decoded arrays go into
`$XDG_CACHE_HOME/lemonade/folders/<folder tag>/folder-*.npz` (or ~/.cache/lemonade/...), keyed
by the sha256 of every image's relative path, split, label and *content* and the target size. It
lives outside the dataset folder, in the user's own cache: a cache shipped inside a dataset
(`PATH/.lemonade-cache/`, as older versions wrote) is never read, and a folder whose files
changed, whatever their names, sizes and mtimes say, misses the cache. Only the host reads the
folder: workers get split files. No writable cache folder: no cache.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import hashlib
import logging
import os
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lemonade.config import DatasetConfig
from lemonade.data.base import DatasetError, Source, fixed_test_split
from lemonade.data.limits import Limits, check_npz

log = logging.getLogger("lemonade.data")

CACHE_VERSION = 2  # 2: keyed by content, outside the dataset folder
MAX_FILE_BYTES = 128 * 1024 * 1024  # one image file
INFLIGHT_PIXELS = 64_000_000  # pixels decoded at once across threads (at least one image)
SPLIT_NAMES = {"train": "train", "val": "val", "valid": "val", "validation": "val",
               "test": "test"}
_SPLIT_CODES = {"train": 0, "val": 1, "test": 2}
_GRAY_MODES = {"1", "L", "LA", "I", "I;16", "I;16L", "I;16B", "I;16N", "F"}
_NAMED_UNREADABLE = 5  # the warning names this many files, then counts the rest


@dataclass(frozen=True)
class ImageFile:
    path: Path
    rel: str  # relative to the dataset root, with forward slashes
    label: int
    split: str  # train | val | test
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Decoded:
    """The decoded folder (what the cache holds)."""

    x: np.ndarray  # uint8 (N, C, H, W)
    y: np.ndarray  # int64 (N,)
    split: np.ndarray  # int8 (N,): 0 train, 1 val, 2 test
    classes: tuple[str, ...]
    unreadable: tuple[str, ...]  # relative paths of the skipped files


def image_extensions() -> frozenset[str]:
    """Lower-case file suffixes that some Pillow decoder claims (".png", ".jpg", ...)."""
    from PIL import Image

    Image.init()
    return frozenset(ext for ext, fmt in Image.registered_extensions().items()
                     if fmt in Image.OPEN)


def _inside(root: Path, path: Path) -> Path | None:
    """`path` with every link resolved, if that lies inside `root` (itself resolved), else None."""
    try:
        real = Path(os.path.realpath(path))
    except (OSError, RuntimeError):
        return None
    return real if real == root or root in real.parents else None


def _visible_dirs(path: Path, root: Path) -> list[Path]:
    """The folders in `path` (not hidden, not leading out of `root`), by name."""
    out = []
    for p in path.iterdir():
        if p.name.startswith(".") or not p.is_dir():
            continue
        real = _inside(root, p)
        if real is not None and real != root:
            out.append(p)
    return sorted(out, key=lambda p: p.name)


def _images_in(folder: Path, exts: frozenset[str], root: Path, taken: set[Path]
               ) -> Iterator[tuple[Path, os.stat_result]]:
    """Image files under `folder` (recursively, sorted, hidden names skipped), as the resolved
    paths of regular files inside `root` not `taken` yet. Linked folders below a class folder
    are not followed (so no link loop), linked files only when they resolve inside `root`."""
    real_dir = _inside(root, folder)
    if real_dir is None:
        return
    for dirpath, dirnames, filenames in os.walk(real_dir, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or Path(name).suffix.lower() not in exts:
                continue
            real = _inside(root, Path(dirpath) / name)
            if real is None or real in taken:
                continue  # a link out of the dataset folder, or a file already counted
            try:
                st = real.stat()
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                taken.add(real)
                yield real, st


def scan(root: Path) -> tuple[list[ImageFile], tuple[str, ...], str]:
    """The image files, the class names and the layout ("splits" or "classes") of `root`."""
    if not root.is_dir():
        raise DatasetError(f"folder dataset: {root} is not a folder (give --data-dir PATH holding "
                           "one subfolder per class, or train/ val/ test/ with class subfolders)")
    root = Path(os.path.realpath(root))
    top = _visible_dirs(root, root)
    if not top:
        raise DatasetError(f"folder dataset: {root} is empty: it needs one subfolder per class "
                           "(PATH/<class>/image.png), or train/ (and val/, test/) holding them")
    names = [p.name.lower() for p in top]
    layout = "splits" if "train" in names and all(n in SPLIT_NAMES for n in names) else "classes"
    exts = image_extensions()
    parts = ([(SPLIT_NAMES[p.name.lower()], p) for p in top] if layout == "splits"
             else [("train", root)])
    split_classes: dict[str, list[Path]] = {}
    for split, folder in parts:
        if split in split_classes:
            raise DatasetError(f"folder dataset: {root} has two folders for the {split} split")
        split_classes[split] = _visible_dirs(folder, root)
    classes = tuple(p.name for p in split_classes["train"])
    where = root / "train" if layout == "splits" else root
    if len(classes) < 2:
        raise DatasetError(f"folder dataset: {where} has {len(classes)} class folder(s) "
                           f"({', '.join(classes) or 'none'}); at least 2 are needed")
    index = {c: i for i, c in enumerate(classes)}
    files: list[ImageFile] = []
    taken: set[Path] = set()  # one label per file, however many links reach it
    for split, dirs in split_classes.items():
        for d in dirs:
            if d.name not in index:
                raise DatasetError(f"folder dataset: class {d.name!r} is in {d.parent} but not "
                                   f"in {where}: every class needs training images")
            found = [ImageFile(p, p.relative_to(root).as_posix(), index[d.name], split,
                               st.st_size, st.st_mtime_ns)
                     for p, st in _images_in(d, exts, root, taken)]
            if not found and split == "train":
                raise DatasetError(f"folder dataset: class folder {d} holds no images "
                                   f"(looked for {', '.join(sorted(exts)[:8])}, ...)")
            files += found
    return files, classes, layout


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def cache_key(files: list[ImageFile], size: tuple[int, int] | None,
              limits: tuple[int, int] = (0, 0)) -> str:
    """sha256 over every image's path, split, label and content, the size and the limits."""
    workers = min(8, os.cpu_count() or 1)
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        digests = list(pool.map(lambda f: _file_digest(f.path), files))
    h = hashlib.sha256(f"lemonade-folder-cache v{CACHE_VERSION} size={size} "
                       f"limits={limits}\n".encode())
    for f, digest in zip(files, digests, strict=True):
        h.update(f"{f.rel}\0{f.split}\0{f.label}\0{digest}\n".encode())
    return h.hexdigest()


def cache_dir(root: Path) -> Path:
    """Where the decoded cache of the folder `root` lives: the user's cache, never the folder."""
    user = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lemonade"
    tag = hashlib.sha256(os.path.realpath(root).encode()).hexdigest()[:16]
    return user / "folders" / tag


def _pillow(max_pixels: int):  # -> the PIL.Image module, its bomb limit set
    """Pillow, with its decompression-bomb limit set explicitly: over `max_pixels` it warns, over
    twice that it refuses. Our own check on the header (`_check_limits`) comes first."""
    from PIL import Image, PngImagePlugin

    Image.MAX_IMAGE_PIXELS = max_pixels
    PngImagePlugin.MAX_TEXT_CHUNK = 1024 * 1024  # text chunks a PNG may inflate: 1 MB each,
    PngImagePlugin.MAX_TEXT_MEMORY = 8 * 1024 * 1024  # 8 MB in all
    return Image


def _open_image(path: Path, size_wh: tuple[int, int] | None = None):  # -> PIL.Image.Image
    from PIL import Image, ImageOps

    img = Image.open(path)
    if size_wh is not None and img.format == "JPEG":
        img.draft(img.mode, size_wh)  # decode a large JPEG at a fraction of its size
    img.load()  # decode now: a truncated file fails here, not later
    return ImageOps.exif_transpose(img)


def _header(path: Path) -> tuple[tuple[int, int], bool] | None:
    """(size (w, h) after EXIF rotation, is grayscale) from the header, or None if unreadable."""
    from PIL import Image

    try:
        with Image.open(path) as img:
            w, h = img.size
            try:
                rotated = img.getexif().get(0x0112, 1) in (5, 6, 7, 8)
            except Exception:
                rotated = False
            return ((h, w) if rotated else (w, h)), img.mode in _GRAY_MODES
    except Image.DecompressionBombError:
        raise DatasetError(f"folder dataset: {path} has more pixels than Pillow's "
                           f"decompression-bomb limit ({Image.MAX_IMAGE_PIXELS:,} x 2, "
                           "dataset.max_image_pixels)") from None
    except Exception:
        return None


def _to_array(path: Path, size_wh: tuple[int, int], gray: bool) -> np.ndarray:
    """One image as uint8 (C, H, W)."""
    from PIL import Image

    with _open_image(path, size_wh) as img:
        if gray:
            if img.mode.startswith("I;16") or img.mode == "I":
                a = np.asarray(img, dtype=np.float64) / 257.0  # 16-bit range to 8-bit
                img = Image.fromarray(np.clip(np.rint(a), 0, 255).astype(np.uint8), mode="L")
            else:
                img = img.convert("L")
        else:
            img = img.convert("RGB")
        if img.size != size_wh:
            img = img.resize(size_wh, Image.Resampling.BILINEAR)
        a = np.asarray(img, dtype=np.uint8)
    return a[None] if a.ndim == 2 else a.transpose(2, 0, 1)


def _progress():  # -> rich.progress.Progress
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeRemainingColumn(), console=Console(stderr=True), transient=True)


def _check_files(files: list[ImageFile], limits: Limits) -> None:
    for f in files:
        if f.size > MAX_FILE_BYTES:
            raise DatasetError(f"folder dataset: {f.rel} is {f.size:,} bytes, over the "
                               f"{MAX_FILE_BYTES:,}-byte limit for one image file")
    total = sum(f.size for f in files)
    if total > limits.max_dataset_bytes:
        raise DatasetError(f"folder dataset: its image files hold {total / 2**20:,.0f} MB, over "
                           f"the limit of {limits.max_dataset_bytes / 2**20:,.0f} MB "
                           "(dataset.max_dataset_mb)")


def _check_limits(root: Path, ok: list[tuple[ImageFile, tuple[tuple[int, int], bool]]],
                  size_wh: tuple[int, int], channels: int, limits: Limits) -> None:
    """Refuse before decoding: an image over the pixel limit, a dataset over the byte limit."""
    for f, ((w, h), _) in ok:
        if w * h > limits.max_image_pixels:
            raise DatasetError(f"folder dataset: {f.rel} is {w}x{h} pixels, over the limit of "
                               f"{limits.max_image_pixels:,} (dataset.max_image_pixels); a "
                               "decompression bomb, or a photo to shrink first")
    total = len(ok) * channels * size_wh[0] * size_wh[1]
    if total > limits.max_dataset_bytes:
        raise DatasetError(
            f"folder dataset: {root} decodes to {total / 2**20:,.0f} MB ({len(ok)} images of "
            f"{channels}x{size_wh[1]}x{size_wh[0]}), over the limit of "
            f"{limits.max_dataset_bytes / 2**20:,.0f} MB (dataset.max_dataset_mb); set a "
            "smaller dataset.image_size or raise the limit")


def decode(root: Path, files: list[ImageFile], classes: tuple[str, ...],
           image_size: int | None, limits: Limits | None = None) -> Decoded:
    """Read every image once: headers first (size, mode), then decode and resize in threads."""
    limits = limits or Limits()
    _pillow(limits.max_image_pixels)
    _check_files(files, limits)
    workers = min(8, os.cpu_count() or 1)
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        headers = list(pool.map(lambda f: _header(f.path), files))
    bad = [f.rel for f, h in zip(files, headers, strict=True) if h is None]
    ok = [(f, h) for f, h in zip(files, headers, strict=True) if h is not None]
    if not ok:
        raise DatasetError(f"folder dataset: none of the {len(files)} image files under {root} "
                           "could be read")
    if image_size is not None:
        size_wh = (image_size, image_size)
    else:
        size_wh = collections.Counter(h[0] for _, h in ok).most_common(1)[0][0]
    gray = all(h[1] for _, h in ok)
    c = 1 if gray else 3
    _check_limits(root, ok, size_wh, c, limits)
    largest = max(w * h for _, ((w, h), _) in ok)
    workers = max(1, min(workers, INFLIGHT_PIXELS // max(largest, 1)))
    x = np.zeros((len(ok), c, size_wh[1], size_wh[0]), dtype=np.uint8)
    good = np.zeros(len(ok), dtype=bool)

    def work(i: int) -> int:
        try:
            x[i] = _to_array(ok[i][0].path, size_wh, gray)
            good[i] = True
        except Exception:
            good[i] = False
        return i

    with _progress() as prog, concurrent.futures.ThreadPoolExecutor(workers) as pool:
        task = prog.add_task(f"decoding {root.name}/", total=len(ok))
        for _ in pool.map(work, range(len(ok))):
            prog.advance(task)
    bad += [ok[i][0].rel for i in np.flatnonzero(~good)]
    kept = [f for (f, _), g in zip(ok, good, strict=True) if g]
    return Decoded(
        x=x[good] if not good.all() else x,
        y=np.array([f.label for f in kept], dtype=np.int64),
        split=np.array([_SPLIT_CODES[f.split] for f in kept], dtype=np.int8),
        classes=classes, unreadable=tuple(sorted(bad)),
    )


def _save(path: Path, d: Decoded, stale_prefix: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.stem, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, x=d.x, y=d.y, split=d.split, classes=np.array(d.classes, dtype=str),
                     unreadable=np.array(d.unreadable, dtype=str))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it 0600; readable like any other file
        os.replace(tmp, path)  # atomic: a concurrent reader sees the old file or the whole new one
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    for old in path.parent.glob(stale_prefix + "*.npz"):  # stale caches, same size setting
        if old != path:
            old.unlink(missing_ok=True)


def _load(path: Path, limits: Limits) -> Decoded | None:
    try:
        check_npz(path, limits.max_dataset_bytes * 2, what="folder cache")
        with np.load(path, allow_pickle=False) as z:
            return Decoded(x=z["x"], y=z["y"], split=z["split"],
                           classes=tuple(str(c) for c in z["classes"]),
                           unreadable=tuple(str(u) for u in z["unreadable"]))
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile, DatasetError):
        return None  # missing, or a damaged file: decode again


def read_folder(root: Path, image_size: int | None, limits: Limits | None = None) -> Decoded:
    """The decoded folder, from the cache when its key matches, else decoded and cached."""
    limits = limits or Limits()
    root = Path(root)
    files, classes, _layout = scan(root)
    _check_files(files, limits)
    key = cache_key(files, None if image_size is None else (image_size, image_size),
                    (limits.max_image_pixels, limits.max_dataset_bytes))
    prefix = f"folder-{image_size or 'auto'}-"
    name = f"{prefix}{key[:32]}.npz"
    where = cache_dir(root)
    hit = _load(where / name, limits)
    if hit is not None and hit.classes == classes:
        return hit
    decoded = decode(root, files, classes, image_size, limits)
    with contextlib.suppress(OSError):
        _save(where / name, decoded, prefix)
    return decoded


def _warn_unreadable(root: Path, bad: tuple[str, ...]) -> None:
    if not bad:
        return
    named = ", ".join(bad[:_NAMED_UNREADABLE])
    more = f" and {len(bad) - _NAMED_UNREADABLE} more" if len(bad) > _NAMED_UNREADABLE else ""
    log.warning("folder dataset %s: skipped %d unreadable image file(s): %s%s",
                root, len(bad), named, more)


def load(cfg: DatasetConfig) -> Source:
    root = Path(cfg.data_dir)
    d = read_folder(root, cfg.image_size, Limits.of(cfg))
    _warn_unreadable(root, d.unreadable)
    k = len(d.classes)
    parts = {s: np.flatnonzero(d.split == code) for s, code in _SPLIT_CODES.items()}
    train_idx = parts["train"]
    missing = sorted(set(range(k)) - set(d.y[train_idx].tolist()))
    if missing:
        raise DatasetError(f"folder dataset: class {d.classes[missing[0]]!r} has no readable "
                           f"training images under {root}")
    if len(parts["test"]):
        src = Source(d.x[train_idx], d.y[train_idx], d.x[parts["test"]], d.y[parts["test"]], k)
    else:
        held = fixed_test_split(d.x[train_idx], d.y[train_idx])
        src = Source(held.x_train, held.y_train, held.x_test, held.y_test, k)
    if len(parts["val"]):
        return Source(src.x_train, src.y_train, src.x_test, src.y_test, k,
                      x_val=d.x[parts["val"]], y_val=d.y[parts["val"]])
    return src
