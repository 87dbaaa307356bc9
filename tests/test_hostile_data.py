"""Hostile dataset folders and `.npz` files: bombs, symlink loops and escapes, a shipped cache.

Each attack is a small file tree made here; the loader must refuse it with a DatasetError (or
ignore the hostile part), inside a memory and time budget, and never read outside the folder.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lemonade.data import DatasetError, folder
from lemonade.data.arrays import read_npz
from lemonade.data.limits import Limits

SRC = Path(__file__).resolve().parents[1] / "src"
SCAN_BUDGET_S = 60.0


@pytest.fixture(autouse=True)
def _user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


def _png(path: Path, size: tuple[int, int], value: int | tuple[int, ...] = 0,
         mode: str = "L") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, value).save(path, format="PNG")


def _png_header_only(path: Path, width: int, height: int) -> None:
    """A PNG whose header says width x height (8-bit gray) over a few rows of real data: what a
    decompression bomb looks like to a reader of headers, made in a millisecond."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = zlib.compress(bytes(4 * (width + 1)))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n"
                     + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", rows) + chunk(b"IEND", b""))


def _two_classes(root: Path, n: int = 4, size: int = 8) -> None:
    rng = np.random.default_rng(0)
    for c in ("a", "b"):
        for i in range(n):
            img = rng.integers(0, 255, (size, size), dtype=np.uint8)
            (root / c).mkdir(parents=True, exist_ok=True)
            Image.fromarray(img).save(root / c / f"{i}.png")


def _in_child(code: str, tmp: Path) -> dict:
    """Run `code` in a fresh interpreter; it sets `out` (a dict); returns it with the child's
    peak RSS growth over its baseline (MB) while running `code`."""
    script = ("import json, resource, sys\n"
              "from lemonade.data import DatasetError, folder\n"
              "from lemonade.data.arrays import read_npz\n"
              "from lemonade.data.limits import Limits\n"
              "from pathlib import Path\n"
              "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
              "out = {}\n"
              "try:\n" + "".join(f"    {line}\n" for line in code.splitlines()) +
              "except DatasetError as e:\n"
              "    out['error'] = str(e)\n"
              "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
              "out['grew_mb'] = (peak - base) / 1024\n"
              "print(json.dumps(out))\n")
    env = {**os.environ, "PYTHONPATH": str(SRC), "XDG_CACHE_HOME": str(tmp / "xdg-cache")}
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=300, env=env, cwd=tmp)
    assert res.returncode == 0, res.stderr[-3000:]
    return json.loads(res.stdout.strip().splitlines()[-1])


# --- decompression bombs -------------------------------------------------------------------------
def test_a_png_bomb_is_refused_from_its_header_without_decoding(tmp_path: Path) -> None:
    root = tmp_path / "bomb"
    _two_classes(root)
    _png_header_only(root / "a" / "bomb.png", 30_000, 30_000)  # 900 megapixels
    out = _in_child(f"folder.read_folder(Path({str(root)!r}), None)", tmp_path)
    assert "bomb.png" in out.get("error", ""), out
    assert "pixels" in out["error"]
    assert out["grew_mb"] < 100, out


def test_an_image_just_over_our_pixel_limit_is_refused_by_name(tmp_path: Path) -> None:
    root = tmp_path / "big"
    _two_classes(root)
    _png(root / "b" / "wide.png", (5000, 300))
    with pytest.raises(DatasetError, match=r"wide\.png is 5000x300 pixels"):
        folder.read_folder(root, None, Limits(max_image_pixels=1_000_000))
    _png_header_only(root / "b" / "wide.png", 6000, 6000)  # under Pillow's 2x: our own check
    with pytest.raises(DatasetError, match=r"wide\.png is 6000x6000 pixels"):
        folder.read_folder(root, None)


def test_many_small_files_that_decode_to_gigabytes_are_refused_before_allocation(
        tmp_path: Path) -> None:
    root = tmp_path / "many"
    for c in ("a", "b"):
        for i in range(6):  # 12 images of 3000 x 3000 RGB: 324 MB decoded, ~0.5 MB on disk
            _png(root / c / f"{i}.png", (3000, 3000), value=(i, 0, 0), mode="RGB")
    out = _in_child(f"folder.read_folder(Path({str(root)!r}), None, "
                    "Limits(max_dataset_bytes=128 * 2**20))", tmp_path)
    assert "decodes to" in out.get("error", "") and "max_dataset_mb" in out["error"], out
    assert out["grew_mb"] < 150, out


def _npz_bomb(path: Path, shape: tuple[int, ...], lie: bool = False) -> None:
    """An .npz whose x_train is `shape` uint8 zeros, deflated (so tiny on disk); with `lie`, the
    header claims `shape` but the member holds only 1 KB of data."""
    header = {"descr": "|u1", "fortran_order": False, "shape": shape}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("x_train.npy", "w", force_zip64=True) as fh:
            np.lib.format.write_array_header_1_0(fh, header)
            left = 1024 if lie else int(np.prod(shape))
            block = bytes(1 << 20)
            while left > 0:
                fh.write(block[:min(left, len(block))])
                left -= len(block)
        with zf.open("y_train.npy", "w") as fh:
            np.lib.format.write_array(fh, np.zeros(shape[0], dtype=np.int64))


def test_an_npz_that_inflates_past_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "bomb.npz"
    _npz_bomb(path, (1000, 3, 256, 256))  # 197 MB inflated, ~0.2 MB on disk
    assert path.stat().st_size < 2_000_000
    out = _in_child(f"read_npz(Path({str(path)!r}), Limits(max_dataset_bytes=64 * 2**20))",
                    tmp_path)
    assert "inflates to" in out.get("error", ""), out
    assert out["grew_mb"] < 100, out


def test_an_npz_header_claiming_more_than_its_member_holds_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "lie.npz"
    _npz_bomb(path, (100_000, 3, 512, 512), lie=True)  # claims 78 GB, holds 1 KB
    with pytest.raises(DatasetError, match="crafted"):
        read_npz(path)


# --- symlinks ------------------------------------------------------------------------------------
def _scan_within_budget(root: Path) -> list[folder.ImageFile]:
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        fut = pool.submit(folder.scan, root)
        files, _, _ = fut.result(timeout=SCAN_BUDGET_S)  # a loop would hang here
    return files


def test_symlink_loops_end(tmp_path: Path) -> None:
    root = tmp_path / "loops"
    _two_classes(root)
    os.symlink(".", root / "a" / "again")
    os.symlink(".", root / "a" / "and_again")
    os.symlink(root / "b", root / "a" / "to_b")
    os.symlink(root / "a", root / "b" / "to_a")
    files = _scan_within_budget(root)
    assert len(files) == 8 and len({f.path for f in files}) == 8


def test_symlinks_out_of_the_folder_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    _png(outside / "secret.png", (8, 8), value=123)
    _png(outside / "more" / "secret2.png", (8, 8), value=124)
    root = tmp_path / "ds"
    _two_classes(root)
    os.symlink(outside / "secret.png", root / "a" / "link.png")
    os.symlink(outside / "more", root / "b" / "linked_dir")
    os.symlink(outside, root / "c")  # a whole class folder outside
    os.symlink("../../outside/secret.png", root / "b" / "relative.png")
    files = _scan_within_budget(root)
    assert len(files) == 8
    assert all(outside not in f.path.parents for f in files)
    d = folder.read_folder(root, None)
    assert d.classes == ("a", "b") and len(d.x) == 8
    assert not any((img == 123).all() or (img == 124).all() for img in d.x)


# --- the cache -----------------------------------------------------------------------------------
def test_a_cache_shipped_inside_the_folder_is_never_read(tmp_path: Path) -> None:
    """A folder of noise shipped with a cache of 'perfect' arrays: the arrays are not used."""
    root = tmp_path / "shipped"
    _two_classes(root)
    real = folder.read_folder(root, None)
    forged = np.full_like(real.x, 7)
    for where in (root / ".lemonade-cache", folder.cache_dir(root)):
        where.mkdir(parents=True, exist_ok=True)
        for name in [p.name for p in folder.cache_dir(root).glob("*.npz")] + [
                "folder-auto-0.npz"]:
            np.savez(where / name.replace(".npz", "-x.npz") if where == folder.cache_dir(root)
                     else where / name, x=forged, y=real.y, split=real.split,
                     classes=np.array(real.classes), unreadable=np.array([], dtype=str))
    # the dataset folder's own cache, under every name a version of lemonade ever used
    again = folder.read_folder(root, None)
    assert not (again.x == 7).all()
    assert np.array_equal(np.sort(again.x.reshape(len(again.x), -1), axis=0),
                          np.sort(real.x.reshape(len(real.x), -1), axis=0))
    assert folder.cache_dir(root) not in (root, *folder.cache_dir(root).parents[:0])
    assert root not in folder.cache_dir(root).parents
