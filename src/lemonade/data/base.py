"""The in-memory dataset every loader returns, and the split helpers they share.

Images stay uint8 (N, C, H, W) on the CPU: a quarter of the memory of float32, and the trainer
moves them to the device once and normalises batch by batch (`lemonade.data.augment`).
Splits use numpy's PCG64 generator (`np.random.default_rng`), whose streams are stable across
platforms and numpy versions, so a seed names the same split everywhere.
"""

from __future__ import annotations

import io
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from lemonade.config import DatasetConfig

# The seed of the fixed test split for sources without an official one (digits, mnist5k,
# synthetic): independent of the run seed so test accuracy is comparable across runs.
FIXED_TEST_SEED = 20240229
FIXED_TEST_FRACTION = 0.2

# Offsets that give each use of the run seed its own stream (val split vs. train subsample).
_VAL_STREAM = 1
_LIMIT_STREAM = 2


class DatasetError(Exception):
    """A dataset cannot be loaded; the message says what is missing and where to put it."""


@dataclass(frozen=True, eq=False)  # eq=False: comparing tensors field by field is meaningless
class Dataset:
    name: str
    x_train: torch.Tensor  # uint8 (N, C, H, W), CPU
    y_train: torch.Tensor  # int64 (N,)
    x_val: torch.Tensor
    y_val: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    num_classes: int
    mean: tuple[float, ...]  # per channel, in [0, 1] units, from the train split
    std: tuple[float, ...]

    @property
    def channels(self) -> int:
        return int(self.x_train.shape[1])

    @property
    def image_size(self) -> tuple[int, int]:
        return int(self.x_train.shape[2]), int(self.x_train.shape[3])

    def info(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "channels": self.channels,
            "image_size": list(self.image_size),
            "num_classes": self.num_classes,
            "n_train": int(self.x_train.shape[0]),
            "n_val": int(self.x_val.shape[0]),
            "n_test": int(self.x_test.shape[0]),
        }


@dataclass(frozen=True)
class Source:
    """What a loader reads: the full train pool and the test split, as numpy arrays."""

    x_train: np.ndarray  # uint8 (N, C, H, W)
    y_train: np.ndarray  # integer (N,), 0..num_classes-1
    x_test: np.ndarray
    y_test: np.ndarray
    num_classes: int
    # A validation split the source brings itself (a val/ folder, x_val in an .npz); when
    # absent, `assemble` carves one from the train pool with the run seed.
    x_val: np.ndarray | None = None
    y_val: np.ndarray | None = None


def stratified_indices(labels: np.ndarray, n_pick: int, rng: np.random.Generator) -> np.ndarray:
    """Pick `n_pick` indices so each class keeps its share of `labels` (sorted ascending).

    Each class gets floor(share) picks; the remainder goes to the classes with the largest
    fractional parts (ties broken at random), so the total is exact even for tiny classes.
    """
    labels = np.asarray(labels)
    n = labels.shape[0]
    if not 0 <= n_pick <= n:
        raise ValueError(f"cannot pick {n_pick} of {n} examples")
    classes, counts = np.unique(labels, return_counts=True)
    quota = counts * (n_pick / n) if n else counts.astype(float)
    take = np.floor(quota).astype(np.int64)
    rest = n_pick - int(take.sum())
    if rest > 0:
        # Random tie-break first, then a stable sort by the fractional part (largest first).
        order = rng.permutation(len(classes))
        frac = (quota - take)[order]
        take[order[np.argsort(-frac, kind="stable")[:rest]]] += 1
    picked = []
    for cls, k in zip(classes, take, strict=True):
        if k:
            members = np.flatnonzero(labels == cls)
            picked.append(rng.choice(members, size=int(k), replace=False))
    if not picked:
        return np.zeros(0, dtype=np.int64)
    return np.sort(np.concatenate(picked)).astype(np.int64)


def split_indices(labels: np.ndarray, fraction: float,
                  rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Stratified (keep, held) index arrays: disjoint, together all of range(len(labels)).

    `held` has round(fraction * N) examples, at least one and at most N - 1.
    """
    n = len(labels)
    if n < 2:
        raise DatasetError(f"cannot split {n} example(s) into two non-empty parts")
    n_held = min(max(round(fraction * n), 1), n - 1)
    held = stratified_indices(labels, n_held, rng)
    mask = np.ones(n, dtype=bool)
    mask[held] = False
    return np.flatnonzero(mask).astype(np.int64), held


def fixed_test_split(x: np.ndarray, y: np.ndarray) -> Source:
    """Hold out a fixed stratified test split for sources that ship without one."""
    keep, held = split_indices(y, FIXED_TEST_FRACTION, np.random.default_rng(FIXED_TEST_SEED))
    return Source(x[keep], y[keep], x[held], y[held], int(y.max()) + 1)


def channel_stats(x: torch.Tensor) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-channel mean and std of uint8 images (N, C, H, W), in [0, 1] units.

    Counting the 256 pixel values per channel is exact and needs no float copy of the data
    (a float64 copy of CIFAR-10's train split would be over 1 GB).
    """
    values = torch.arange(256, dtype=torch.float64) / 255.0
    means, stds = [], []
    for c in range(x.shape[1]):
        # bincount reads uint8 as is: converting 46M CIFAR pixels to int64 first is 5x slower.
        hist = torch.bincount(x[:, c].reshape(-1), minlength=256).double()
        total = hist.sum()
        if total == 0:
            means.append(0.0)
            stds.append(1.0)
            continue
        mean = float((hist * values).sum() / total)
        var = float((hist * (values - mean) ** 2).sum() / total)
        # A constant channel would divide by zero when normalising; 1.0 leaves it centred.
        std = var**0.5
        means.append(mean)
        stds.append(std if std > 1e-8 else 1.0)
    return tuple(means), tuple(stds)


def _tensor_x(x: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(x, dtype=np.uint8))


def _tensor_y(y: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(y, dtype=np.int64))


def assemble(name: str, src: Source, cfg: DatasetConfig, seed: int) -> Dataset:
    """Carve the validation split from the train pool, subsample train, build the Dataset.

    The validation split is carved first, so `limit_train` shrinks only the train split and the
    validation split for a given seed stays the same whatever the limit.
    """
    _check_source(name, src)
    if src.x_val is not None and src.y_val is not None:
        keep, x_val, y_val = np.arange(len(src.y_train), dtype=np.int64), src.x_val, src.y_val
    else:
        keep, val = split_indices(src.y_train, cfg.val_fraction,
                                  np.random.default_rng([seed, _VAL_STREAM]))
        x_val, y_val = src.x_train[val], src.y_train[val]
    if cfg.limit_train is not None and cfg.limit_train < len(keep):
        rng = np.random.default_rng([seed, _LIMIT_STREAM])
        keep = keep[stratified_indices(src.y_train[keep], cfg.limit_train, rng)]
    x_train = _tensor_x(src.x_train[keep])
    mean, std = channel_stats(x_train)
    return Dataset(
        name=name,
        x_train=x_train, y_train=_tensor_y(src.y_train[keep]),
        x_val=_tensor_x(x_val), y_val=_tensor_y(y_val),
        x_test=_tensor_x(src.x_test), y_test=_tensor_y(src.y_test),
        num_classes=src.num_classes, mean=mean, std=std,
    )


def _check_source(name: str, src: Source) -> None:
    # A loader bug here would surface much later as a shape error inside a candidate model.
    parts = [("train", src.x_train, src.y_train), ("test", src.x_test, src.y_test)]
    if src.x_val is not None or src.y_val is not None:
        if src.x_val is None or src.y_val is None:
            raise DatasetError(f"{name}: a validation split needs both images and labels")
        parts.append(("val", src.x_val, src.y_val))
    for part, x, y in parts:
        if x.ndim != 4 or x.dtype != np.uint8:
            raise DatasetError(f"{name}: {part} images must be uint8 (N, C, H, W), "
                               f"got {x.dtype} {x.shape}")
        if y.shape != (x.shape[0],):
            raise DatasetError(f"{name}: {part} has {x.shape[0]} images but {y.shape} labels")
        if len(y) and (y.min() < 0 or y.max() >= src.num_classes):
            raise DatasetError(f"{name}: {part} labels outside 0..{src.num_classes - 1}")


# Only what numpy arrays need: the official pickles hold dicts of arrays, lists and strings, so
# anything else in a file is refused instead of executed (pickle runs code by design).
_SAFE_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    # Python 3 pickles bytes at protocol 2 as _codecs.encode(str, "latin1"): no code runs.
    ("_codecs", "encode"),
}


class _ArrayUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _SAFE_GLOBALS:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a data file")
        if module.startswith("numpy.core.") and hasattr(np, "_core"):
            module = "numpy._core." + module.removeprefix("numpy.core.")  # numpy 2 name
        return super().find_class(module, name)


def load_pickle(path: Path) -> dict[str, Any]:
    """Read a Python-2 era data pickle (CIFAR, ImageNet16) as a dict with str keys."""
    try:
        raw = path.read_bytes()
        obj = _ArrayUnpickler(io.BytesIO(raw), encoding="latin1").load()
    except (OSError, pickle.UnpicklingError, EOFError, ValueError) as e:
        raise DatasetError(f"cannot read {path}: {e}") from None
    if not isinstance(obj, dict):
        raise DatasetError(f"{path}: expected a dict, got {type(obj).__name__}")
    return {(k.decode("latin1") if isinstance(k, bytes) else k): v for k, v in obj.items()}
