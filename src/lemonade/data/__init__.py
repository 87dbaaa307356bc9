"""Datasets: each source loads into one `Dataset` of uint8 CPU tensors with train/val/test splits.

    data = load_dataset(cfg.dataset, seed=cfg.seed)
    data.x_train  # uint8 (N, C, H, W); data.mean / data.std per channel in [0, 1] units

A source reads its files (or generates its images) into a train pool and a test split; the
validation split is then carved from the train pool with the run seed (`base.assemble`).
Batched augmentation for the trainer lives in `lemonade.data.augment`. Which datasets there
are, their loaders and augmentation defaults: `lemonade.plugins.DATASETS`.
"""

from __future__ import annotations

from collections.abc import Callable

from lemonade.config import DatasetConfig
from lemonade.data.base import Dataset, DatasetError, Source, assemble
from lemonade.plugins import DATASETS, augment_defaults, dataset_names, load

# The loaders are named in `lemonade.plugins.DATASETS` and imported on first use only: the
# training worker imports this package for `Dataset` and `augment`, and must hold no loader (the
# training sandbox hides their files: lemonade.sandbox.runner.dataset_code_binds).

__all__ = ["Dataset", "DatasetError", "augment_defaults", "dataset_names", "load_dataset"]


def load_dataset(cfg: DatasetConfig, seed: int = 0) -> Dataset:
    """Load `cfg.name` and split it; the same cfg and seed give the same tensors."""
    if cfg.name not in DATASETS:
        raise DatasetError(f"unknown dataset {cfg.name!r}; known: {', '.join(DATASETS)}")
    loader: Callable[[DatasetConfig], Source] = load(DATASETS[cfg.name].loader)
    return assemble(cfg.name, loader(cfg), cfg, seed)
