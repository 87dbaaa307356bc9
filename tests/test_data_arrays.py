"""The `arrays` dataset: one .npz of x_train/y_train (+ optional val and test splits)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from e2e import ROOT, run_cli

from lemonade.config import DatasetConfig
from lemonade.data import DatasetError, load_dataset
from lemonade.data.synthetic import make_images

GOOD_MODEL = ROOT / "examples" / "models" / "small_cnn.py"


def _npz(path: Path, **arrays: np.ndarray) -> DatasetConfig:
    np.savez(path, **arrays)
    return DatasetConfig(name="arrays", data_dir=str(path))


def _images(n: int = 60, shape: tuple[int, int, int] = (3, 10, 10), classes: int = 3
            ) -> tuple[np.ndarray, np.ndarray]:
    return make_images(shape, classes, n)  # uint8 NCHW, int64 labels


def _everything(d) -> np.ndarray:
    return np.concatenate([d.x_train.numpy(), d.x_val.numpy(), d.x_test.numpy()])


def _rows(x: np.ndarray) -> set[bytes]:
    return {img.tobytes() for img in x}


def test_nchw_and_nhwc_uint8_give_the_same_dataset(tmp_path: Path) -> None:
    x, y = _images()
    a = load_dataset(_npz(tmp_path / "a.npz", x_train=x, y_train=y), seed=0)
    b = load_dataset(_npz(tmp_path / "b.npz", x_train=x.transpose(0, 2, 3, 1), y_train=y),
                     seed=0)
    assert a.channels == 3 and a.image_size == (10, 10) and a.num_classes == 3
    assert np.array_equal(a.x_train.numpy(), b.x_train.numpy())
    assert np.array_equal(a.y_test.numpy(), b.y_test.numpy())
    assert _rows(_everything(a)) == _rows(x)


def test_floats_in_unit_range_or_pixel_range_and_grayscale_nhw(tmp_path: Path) -> None:
    x, y = _images(shape=(1, 8, 8))
    unit = load_dataset(_npz(tmp_path / "u.npz", x_train=x[:, 0] / 255.0, y_train=y))  # (N, H, W)
    pix = load_dataset(_npz(tmp_path / "p.npz", x_train=x.astype(np.float32), y_train=y))
    assert unit.channels == 1 and unit.image_size == (8, 8)
    assert np.array_equal(unit.x_train.numpy(), pix.x_train.numpy())
    assert _rows(_everything(unit)) == _rows(x)


def test_given_val_and_test_splits_are_kept_and_labels_remapped(tmp_path: Path) -> None:
    x, y = _images(n=90)
    cfg = _npz(tmp_path / "s.npz", x_train=x[:50], y_train=y[:50] + 1,  # labels 1..3
               x_val=x[50:70], y_val=y[50:70] + 1, x_test=x[70:], y_test=y[70:] + 1)
    d = load_dataset(cfg, seed=0)
    assert (d.info()["n_train"], d.info()["n_val"], d.info()["n_test"]) == (50, 20, 20)
    assert np.array_equal(d.x_val.numpy(), x[50:70]) and np.array_equal(d.x_test.numpy(), x[70:])
    assert np.array_equal(d.y_test.numpy(), y[70:]) and d.num_classes == 3


@pytest.mark.parametrize(("arrays", "expect"), [
    ({"x_train": np.zeros((10, 5), np.uint8), "y_train": np.zeros(10)},
     r"x_train has shape \(10, 5\)"),
    ({"x_train": np.zeros((10, 8, 8, 3), np.uint8), "y_train": np.zeros((10, 2))},
     r"y_train has shape \(10, 2\)"),
    ({"x_train": np.zeros((10, 8, 8, 3), np.uint8), "y_train": np.arange(10) % 2,
      "x_test": np.zeros((4, 8, 9, 3), np.uint8), "y_test": np.zeros(4, int)},
     r"x_test has shape \(4, 8, 9, 3\)"),
    ({"x_train": np.zeros((10, 16, 16, 16), np.uint8), "y_train": np.arange(10) % 2},
     r"x_train has shape \(10, 16, 16, 16\)"),
    ({"x_train": np.full((10, 8, 8), -0.5), "y_train": np.arange(10) % 2},
     r"x_train holds floats in \[-0.5, -0.5\]"),
    ({"x_train": np.zeros((10, 8, 8), np.uint8), "y_train": np.zeros(10, int)},
     "at least 2 are needed"),
    ({"x_train": np.zeros((10, 8, 8), np.uint8)}, "has no y_train"),
    ({"x_train": np.zeros((10, 8, 8), np.uint8), "y_train": np.arange(10) % 2,
      "x_val": np.zeros((2, 8, 8), np.uint8)}, "only one of x_val and y_val"),
    ({"x_train": np.zeros((10, 8, 8), np.uint8), "y_train": np.arange(10) % 2,
      "images": np.zeros(3)}, "unknown key"),
])
def test_errors_name_the_key_and_its_shape(tmp_path: Path, arrays: dict, expect: str) -> None:
    with pytest.raises(DatasetError, match=expect):
        load_dataset(_npz(tmp_path / "bad.npz", **arrays))


def test_object_arrays_are_refused_not_unpickled(tmp_path: Path) -> None:
    x, y = _images()
    cfg = _npz(tmp_path / "o.npz", x_train=x, y_train=np.array([str(v) for v in y], dtype=object))
    with pytest.raises(DatasetError, match="cannot read"):
        load_dataset(cfg)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no file"):
        load_dataset(DatasetConfig(name="arrays", data_dir=str(tmp_path / "none.npz")))


@pytest.mark.slow
def test_evaluate_runs_on_arrays(tmp_path: Path) -> None:
    # `lemonade search` on arrays runs in tests/test_dashboard.py (under the live dashboard).
    x, y = _images(n=90, shape=(1, 8, 8))
    np.savez(tmp_path / "d.npz", x_train=x.transpose(0, 2, 3, 1), y_train=y)
    out = tmp_path / "m.json"
    res = run_cli("evaluate", str(GOOD_MODEL), "--dataset", "arrays", "--data-dir", "d.npz",
                  "--epochs", "1", "--device", "cpu", "--json", str(out), cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    doc = json.loads(out.read_text())
    assert doc["dataset"]["name"] == "arrays" and doc["dataset"]["channels"] == 1
    assert doc["metrics"]["test_accuracy"]["value"] is not None
