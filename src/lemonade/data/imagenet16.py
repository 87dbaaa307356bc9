"""ImageNet16-120: 16x16 downsampled ImageNet restricted to its first 120 classes.

The layout is that of Chrabaszcz et al. 2017 ("A Downsampled Variant of ImageNet as an
Alternative to the CIFAR datasets") as used by NAS-Bench-201: pickles `train_data_batch_1..10`
and `val_data`, each a dict with `data` (N, 768) uint8 in 3x16x16 channel-first order and
`labels`, 1-based ImageNet class ids 1..1000. NAS-Bench-201 keeps labels 1..120 and maps them to
0..119; `val_data` serves as the test split. There is no public download without an account,
so `download` does not apply here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lemonade.config import DatasetConfig
from lemonade.data.base import DatasetError, Source, load_pickle

NUM_CLASSES = 120
TRAIN_FILES = tuple(f"train_data_batch_{i}" for i in range(1, 11))
TEST_FILE = "val_data"
SUBFOLDER = "ImageNet16"


def find_folder(data_dir: Path) -> Path | None:
    for cand in (data_dir, data_dir / SUBFOLDER):
        if (cand / TEST_FILE).is_file() and any((cand / f).is_file() for f in TRAIN_FILES):
            return cand
    return None


def load(cfg: DatasetConfig) -> Source:
    data_dir = Path(cfg.data_dir).expanduser().resolve()
    folder = find_folder(data_dir)
    if folder is None:
        raise DatasetError(
            f"ImageNet16-120 not found: expected {data_dir}/train_data_batch_1..10 (at least "
            f"one) and {data_dir}/val_data, or the same files in {data_dir / SUBFOLDER}. These "
            "are the 16x16 downsampled ImageNet pickles used by NAS-Bench-201 (Chrabaszcz et "
            "al. 2017; 'Downsampled ImageNet 16x16' from https://image-net.org/download-images, "
            "an account is needed). Put them there, or pass --data-dir."
        )
    parts = [_read(folder / f) for f in TRAIN_FILES if (folder / f).is_file()]
    x_train = np.concatenate([p[0] for p in parts])
    y_train = np.concatenate([p[1] for p in parts])
    x_test, y_test = _read(folder / TEST_FILE)
    if len(y_train) < 2 or len(y_test) == 0:
        raise DatasetError(f"{folder}: too few images with labels 1..{NUM_CLASSES} "
                           f"({len(y_train)} train, {len(y_test)} in {TEST_FILE})")
    return Source(x_train, y_train, x_test, y_test, NUM_CLASSES)


def _read(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """One pickle, filtered to classes 1..120 and relabelled 0..119 (before concatenation, so
    the full 1000-class batches are never all held in memory at once)."""
    batch = load_pickle(path)
    if "data" not in batch or "labels" not in batch:
        raise DatasetError(f"{path}: expected keys 'data' and 'labels', found {sorted(batch)}")
    data = np.asarray(batch["data"], dtype=np.uint8)
    labels = np.asarray(batch["labels"], dtype=np.int64).reshape(-1)
    if data.ndim != 2 or data.shape[1] != 3 * 16 * 16 or len(labels) != len(data):
        raise DatasetError(f"{path}: expected data (N, 768) and N labels, got data "
                           f"{data.shape} and {len(labels)} labels")
    keep = (labels >= 1) & (labels <= NUM_CLASSES)
    return data[keep].reshape(-1, 3, 16, 16), labels[keep] - 1
