"""The `folder` dataset: image folders in both layouts, decoded once into a keyed cache."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import numpy as np
import pytest
from e2e import ROOT, run_cli
from PIL import Image

from lemonade.config import DatasetConfig, build_config
from lemonade.data import DatasetError, folder, load_dataset
from lemonade.data.synthetic import make_images

GOOD_MODEL = ROOT / "examples" / "models" / "small_cnn.py"


def _save(img: np.ndarray, path: Path, fmt: str = "PNG") -> None:
    """Save a (C, H, W) uint8 image (C = 1 or 3)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    arr = img[0] if img.shape[0] == 1 else img.transpose(1, 2, 0)
    Image.fromarray(arr).save(path, format=fmt)


def make_folder(root: Path, n: int = 60, classes: int = 3,
                shape: tuple[int, int, int] = (3, 12, 12),
                splits: bool = False, fmt: str = "PNG") -> tuple[np.ndarray, np.ndarray]:
    """Class folders of PNGs (learnable generated pixels); returns the images and labels."""
    x, y = make_images(shape, classes, n)
    for i, (img, label) in enumerate(zip(x, y, strict=True)):
        split = ("train", "train", "train", "val", "test")[i % 5] if splits else ""
        _save(img, root / split / f"class_{label}" / f"img{i:03d}.{fmt.lower()}", fmt)
    return x, y


def _all_images(d) -> np.ndarray:
    return np.concatenate([d.x_train.numpy(), d.x_val.numpy(), d.x_test.numpy()])


def _as_set(x: np.ndarray) -> set[bytes]:
    return {img.tobytes() for img in x}


def _cfg(root: Path, **kw: object) -> DatasetConfig:
    return DatasetConfig(name="folder", data_dir=str(root), **kw)


def test_class_folders_at_the_top_are_split_with_the_seed(tmp_path: Path) -> None:
    x, _ = make_folder(tmp_path / "imgs")
    (tmp_path / "imgs" / "README.txt").write_text("not an image")  # ignored, not a class
    d = load_dataset(_cfg(tmp_path / "imgs", val_fraction=0.2), seed=0)
    assert d.info()["channels"] == 3 and d.image_size == (12, 12) and d.num_classes == 3
    assert d.info()["n_train"] + d.info()["n_val"] + d.info()["n_test"] == 60
    assert _as_set(_all_images(d)) == _as_set(x)  # PNG is lossless: the very pixels
    assert d.info()["n_test"] == 12  # the fixed 20% test split
    # the seed picks the validation split; the test split stays
    d1 = load_dataset(_cfg(tmp_path / "imgs", val_fraction=0.2), seed=1)
    assert _as_set(d1.x_test.numpy()) == _as_set(d.x_test.numpy())
    assert _as_set(d1.x_val.numpy()) != _as_set(d.x_val.numpy())


def test_train_val_test_folders_are_used_as_given(tmp_path: Path) -> None:
    make_folder(tmp_path / "imgs", splits=True)
    d = load_dataset(_cfg(tmp_path / "imgs"), seed=0)
    assert (d.info()["n_train"], d.info()["n_val"], d.info()["n_test"]) == (36, 12, 12)
    val_files = sorted((tmp_path / "imgs" / "val").rglob("*.png"))
    given = {np.asarray(Image.open(p)).transpose(2, 0, 1).tobytes() for p in val_files}
    assert _as_set(d.x_val.numpy()) == given


def test_grayscale_kept_when_every_image_is(tmp_path: Path) -> None:
    make_folder(tmp_path / "g", n=30, shape=(1, 10, 10))
    d = load_dataset(_cfg(tmp_path / "g"))
    assert d.channels == 1 and d.image_size == (10, 10)
    # one colour image makes the whole set RGB
    _save(np.full((3, 10, 10), 200, np.uint8), tmp_path / "g" / "class_0" / "colour.jpg", "JPEG")
    d = load_dataset(_cfg(tmp_path / "g"))
    assert d.channels == 3
    assert np.array_equal(d.x_train[:, 0], d.x_train[:, 1])  # the grey ones are grey in RGB


def test_default_size_is_the_most_common_and_image_size_resizes(tmp_path: Path) -> None:
    make_folder(tmp_path / "m", n=30, shape=(3, 12, 12))
    odd = np.random.default_rng(0).integers(0, 255, (3, 20, 16), dtype=np.uint8)
    _save(odd, tmp_path / "m" / "class_1" / "big.png")
    assert load_dataset(_cfg(tmp_path / "m")).image_size == (12, 12)
    d = load_dataset(_cfg(tmp_path / "m", image_size=8))
    assert d.image_size == (8, 8) and d.info()["n_train"] + d.info()["n_val"] + \
        d.info()["n_test"] == 31


def test_unreadable_files_are_skipped_counted_and_named(tmp_path: Path,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    make_folder(tmp_path / "u", n=30)
    (tmp_path / "u" / "class_0" / "broken.png").write_bytes(b"\x89PNG not really")
    good = tmp_path / "u" / "class_1" / "img001.png"
    if not good.exists():
        good = next((tmp_path / "u" / "class_1").glob("*.png"))
    (tmp_path / "u" / "class_1" / "truncated.jpg").write_bytes(good.read_bytes()[:40])
    (tmp_path / "u" / "class_2" / "notes.txt").write_text("ignored")
    (tmp_path / "u" / "class_2" / ".hidden.png").write_bytes(b"ignored too")
    with caplog.at_level(logging.WARNING, logger="lemonade.data"):
        d = load_dataset(_cfg(tmp_path / "u"))
    assert d.info()["n_train"] + d.info()["n_val"] + d.info()["n_test"] == 30
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "skipped 2 unreadable" in warnings[0]
    assert "class_0/broken.png" in warnings[0] and "class_1/truncated.jpg" in warnings[0]
    assert "notes.txt" not in warnings[0] and ".hidden" not in warnings[0]


@pytest.fixture(autouse=True)
def _user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The decoded cache goes to the user's cache folder: a private one per test."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    return tmp_path / "xdg-cache"


def test_second_load_comes_from_the_cache_until_a_file_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_folder(tmp_path / "c", n=30, fmt="BMP")
    first = load_dataset(_cfg(tmp_path / "c"))
    caches = list(folder.cache_dir(tmp_path / "c").glob("folder-*.npz"))
    assert len(caches) == 1
    assert not list((tmp_path / "c").rglob("*.npz"))  # nothing written into the dataset folder

    def no_decoding(*a: object, **k: object) -> None:
        raise AssertionError("decoded again although the cache matches")

    monkeypatch.setattr(folder, "decode", no_decoding)
    again = load_dataset(_cfg(tmp_path / "c"))
    assert np.array_equal(again.x_train.numpy(), first.x_train.numpy())
    # a new mtime alone is no change; new pixels with the same name, size and mtime are
    target = next((tmp_path / "c" / "class_0").glob("*.bmp"))
    st = target.stat()
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    load_dataset(_cfg(tmp_path / "c"))
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    st = target.stat()
    with Image.open(target) as im:
        flipped = Image.fromarray(255 - np.asarray(im))
    flipped.save(target, format="BMP")
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert target.stat().st_size == st.st_size
    calls = []
    real = folder.decode
    monkeypatch.setattr(folder, "decode", lambda *a, **k: calls.append(1) or real(*a, **k))
    load_dataset(_cfg(tmp_path / "c"))
    assert calls == [1]
    assert len(list(folder.cache_dir(tmp_path / "c").glob("folder-*.npz"))) == 1


def test_a_damaged_cache_is_decoded_again(tmp_path: Path) -> None:
    x, _ = make_folder(tmp_path / "d", n=30)
    load_dataset(_cfg(tmp_path / "d"))
    cache = next(folder.cache_dir(tmp_path / "d").glob("folder-*.npz"))
    cache.write_bytes(cache.read_bytes()[:100])  # a cut-off write
    d = load_dataset(_cfg(tmp_path / "d"))
    assert _as_set(_all_images(d)) == _as_set(x)
    assert cache.stat().st_size > 100  # rewritten whole


@pytest.mark.parametrize(("setup", "expect"), [
    ("empty", "is empty"),
    ("one-class", "at least 2 are needed"),
    ("class-without-images", "holds no images"),
    ("val-only-class", "every class needs training images"),
    ("missing", "is not a folder"),
])
def test_clear_errors(tmp_path: Path, setup: str, expect: str) -> None:
    root = tmp_path / "e"
    if setup != "missing":
        root.mkdir()
    if setup == "one-class":
        _save(np.zeros((3, 8, 8), np.uint8), root / "cats" / "a.png")
    elif setup == "class-without-images":
        _save(np.zeros((3, 8, 8), np.uint8), root / "cats" / "a.png")
        (root / "dogs").mkdir()
        (root / "dogs" / "readme.txt").write_text("no images here")
    elif setup == "val-only-class":
        for c in ("cats", "dogs"):
            _save(np.zeros((3, 8, 8), np.uint8), root / "train" / c / "a.png")
        _save(np.zeros((3, 8, 8), np.uint8), root / "val" / "birds" / "a.png")
    with pytest.raises(DatasetError, match=expect):
        load_dataset(_cfg(root))


def test_config_and_flags_name_the_folder_dataset(tmp_path: Path) -> None:
    cfg = build_config({"dataset": {"name": "folder", "data_dir": "rel/imgs", "image_size": 32}})
    assert cfg.dataset.image_size == 32
    assert Path(cfg.dataset.data_dir).is_absolute()  # candidate workers run in another cwd


@pytest.mark.slow
def test_evaluate_and_search_run_on_a_folder(tmp_path: Path) -> None:
    make_folder(tmp_path / "imgs", n=90, shape=(3, 8, 8))
    out = tmp_path / "m.json"
    res = run_cli("evaluate", str(GOOD_MODEL), "--dataset", "folder", "--data-dir", "imgs",
                  "--epochs", "1", "--device", "cpu", "--json", str(out), cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    doc = json.loads(out.read_text())
    assert doc["dataset"]["name"] == "folder" and doc["dataset"]["image_size"] == [8, 8]
    assert doc["metrics"]["test_accuracy"]["value"] is not None
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        "dataset: {name: folder, data_dir: imgs}\n"
        "objectives: [{metric: val_accuracy, threshold: 0.5}, {metric: params, threshold: 5000}]\n"
        "budget: {iterations: 2, epochs: 1, repair_attempts: 0, candidate_timeout_s: 180}\n"
        "measure: {latency_repeats: 3, latency_warmup: 1, energy: false}\ndevice: cpu\n")
    res = run_cli("search", "--config", str(cfg), "--run-dir", "runs/f", "-q", cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    metrics = json.loads((tmp_path / "runs" / "f" / "best" / "metrics.json").read_text())
    assert metrics["val_accuracy"]["value"] is not None
