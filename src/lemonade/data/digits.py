"""scikit-learn's bundled 8x8 handwritten digits (1,797 images, 10 classes): always available."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from lemonade.config import DatasetConfig
from lemonade.data.base import Source, fixed_test_split


def load(cfg: DatasetConfig) -> Source:
    values, y = _read()
    # Pixel values are 0..16 (counts of set pixels in 4x4 blocks); stretch to the uint8 range
    # so every dataset shares one pixel scale.
    x = np.rint(values * (255.0 / 16.0))
    x = np.clip(x, 0, 255).astype(np.uint8).reshape(-1, 1, 8, 8)
    return fixed_test_split(x, y)


def _read() -> tuple[np.ndarray, np.ndarray]:
    """(1797, 64) pixel values 0..16 and int64 labels.

    Importing sklearn.datasets costs seconds (scipy and more), and every candidate worker loads
    its data anew, so the bundled CSV (what load_digits reads: 64 pixels, then the label) is
    read directly when it is where scikit-learn keeps it; otherwise load_digits() it is.
    """
    spec = importlib.util.find_spec("sklearn")  # locates the package without importing it
    if spec is not None and spec.origin is not None:
        path = Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz"
        try:
            table = np.loadtxt(path, delimiter=",", dtype=np.float64)
            if table.ndim == 2 and table.shape[1] == 65:
                return table[:, :-1], table[:, -1].astype(np.int64)
        except (OSError, ValueError):
            pass
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return np.asarray(bunch.data, dtype=np.float64), np.asarray(bunch.target, dtype=np.int64)
