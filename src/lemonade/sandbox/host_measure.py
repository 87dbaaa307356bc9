"""The host's side of trusted measurement: the data split files it writes for the two processes,
and the metrics it measures itself, from outside the training worker.

- `SplitCache.host_splits`: the train split (for the training worker) and the val/test split
  (for the measurement process only) as safetensors files in a per-user cache, written once per
  dataset configuration and seed (a `SplitCache` per Sandbox remembers them); their sha256
  goes into each job, so a changed file is refused.
- `train_metrics`: `train_seconds` is the training process's wall time as the host saw it, from
  the hand-over of the job (interpreter and torch already started, no candidate code run yet) to
  the exit: build, training, export; its CPU seconds cover the same span (the fork server's
  wait4 of a forked worker; getrusage and /proc samples of a fresh one);
  energy, power and CO2 come from an `EnergyTracker` the host holds around the process.
  Nothing the worker reports can change them.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lemonade.data import load_dataset
from lemonade.data.trainval import train_plus_val
from lemonade.metrics import Measurement, measured, unavailable
from lemonade.sandbox.artifacts import write_split
from lemonade.sandbox.protocol import EVAL_SPLIT_FILE, TRAIN_SPLIT_FILE

if TYPE_CHECKING:
    from lemonade.config import Config

OUTSIDE = {"trusted": True, "measured_by": "host, outside the candidate's process"}


@dataclass(frozen=True)
class HostSplits:
    train: Path
    train_sha256: str
    eval: Path
    eval_sha256: str


def cache_dir() -> Path:
    base = Path(tempfile.gettempdir()) / f"lemonade-splits-{os.getuid()}"
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    return base


def split_key(cfg: Config, *, train_on_val: bool = False) -> str:
    """The cache key of a dataset configuration and seed (the split files' folder name)."""
    return hashlib.sha256(json.dumps([cfg.dataset.model_dump(mode="json"), cfg.seed,
                                      *(["train+val"] if train_on_val else [])],
                                     sort_keys=True).encode()).hexdigest()[:24]


@dataclass(frozen=True)
class SplitBlobs:
    """The two split files' bytes, to ship once to other processes or machines (a parallel
    search puts this into Ray's object store; `SplitCache.adopt` writes it where
    `SplitCache.host_splits` looks, so a task never loads the dataset again)."""

    key: str
    train: bytes
    train_sha256: str
    eval: bytes
    eval_sha256: str


class SplitCache:
    """The split files written so far, by dataset configuration and seed (one per
    `lemonade.sandbox.resource.Sandbox`): each is written once, then found here."""

    def __init__(self, base: Path | None = None) -> None:
        self.base = base  # None: `cache_dir()`
        self._lock = threading.Lock()
        self._cache: dict[str, HostSplits] = {}

    def host_splits(self, cfg: Config, *, train_on_val: bool = False) -> HostSplits:
        """Load the dataset of `cfg` here (the host) and write its two split files once.

        `train_on_val` (final training): the train split is train + val, the eval split holds
        the test split only (`lemonade.data.trainval.train_plus_val`)."""
        key = split_key(cfg, train_on_val=train_on_val)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and cached.train.exists() and cached.eval.exists():
                return cached
            data = load_dataset(cfg.dataset, cfg.seed)
            if train_on_val:
                data = train_plus_val(data)
            folder = (self.base or cache_dir()) / key
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            meta = {"name": data.name, "num_classes": data.num_classes,
                    "mean": list(data.mean), "std": list(data.std)}
            train_sha = write_split(folder / TRAIN_SPLIT_FILE,
                                    {"x_train": data.x_train, "y_train": data.y_train}, meta)
            eval_sha = write_split(folder / EVAL_SPLIT_FILE,
                                   {"x_val": data.x_val, "y_val": data.y_val,
                                    "x_test": data.x_test, "y_test": data.y_test}, meta)
            splits = HostSplits(folder / TRAIN_SPLIT_FILE, train_sha, folder / EVAL_SPLIT_FILE,
                                eval_sha)
            self._cache[key] = splits
            return splits

    def blobs(self, cfg: Config) -> SplitBlobs:
        """Write (or find) the split files of `cfg` here, and return their bytes."""
        s = self.host_splits(cfg)
        return SplitBlobs(split_key(cfg), s.train.read_bytes(), s.train_sha256,
                          s.eval.read_bytes(), s.eval_sha256)

    def adopt(self, blobs: SplitBlobs) -> HostSplits:
        """Make `host_splits` of the same configuration return these files without loading
        the dataset: written into this machine's cache when missing or different (checked by
        sha256)."""
        with self._lock:
            cached = self._cache.get(blobs.key)
            if cached is not None and cached.train_sha256 == blobs.train_sha256 \
                    and cached.train.exists() and cached.eval.exists():
                return cached
            folder = (self.base or cache_dir()) / blobs.key
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            for name, blob, sha in ((TRAIN_SPLIT_FILE, blobs.train, blobs.train_sha256),
                                    (EVAL_SPLIT_FILE, blobs.eval, blobs.eval_sha256)):
                path = folder / name
                if not (path.is_file()
                        and hashlib.sha256(path.read_bytes()).hexdigest() == sha):
                    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
                    tmp.write_bytes(blob)
                    tmp.replace(path)
            splits = HostSplits(folder / TRAIN_SPLIT_FILE, blobs.train_sha256,
                                folder / EVAL_SPLIT_FILE, blobs.eval_sha256)
            self._cache[blobs.key] = splits
            return splits

    def shared(self, cfg: Config, workers: int) -> SplitBlobs | None:
        """What a pool of `workers` shares with its candidate tasks: the split files' bytes
        (Ray), or nothing. The host writes the dataset's split files once; a task on another
        process or machine gets their bytes from the object store and writes them into its own
        cache (`adopt`), so no task loads or preprocesses the dataset again. In-process (one
        local worker) the files are already there."""
        if workers <= 1 and not cfg.parallel.ray_address:
            return None
        return self.blobs(cfg)


def train_metrics(wall_s: float, cpu_s: float, worker_info: dict[str, Any],
                  energy: list[Measurement] | None) -> dict[str, Measurement]:
    """train_seconds, train_accuracy (display only) and the energy figures, keyed by name."""
    train = worker_info.get("train") or {}
    epochs = train.get("epochs_run")
    ms = [measured("train_seconds", wall_s, **OUTSIDE, epochs_run=epochs,
                   scope="wall time of the training process seen by the host, from the "
                         "hand-over of the job to exit: build, training, graph export "
                         "(interpreter and torch start-up excluded)",
                   cpu_seconds=round(cpu_s, 3),
                   worker_reported_loop_s=train.get("loop_seconds"),
                   worker_reported_cpu_s=train.get("cpu_seconds"))]
    acc = train.get("train_accuracy")
    if isinstance(acc, int | float) and 0.0 <= acc <= 1.0:
        ms.append(measured("train_accuracy", float(acc), trusted=False, epochs_run=epochs,
                           measured_by="training worker (display only: reported by the "
                                       "process that runs the candidate)",
                           measured_on="last epoch, on the augmented training batches seen"))
    else:
        ms.append(unavailable("train_accuracy", "not reported by the training worker",
                              trusted=False))
    for m in energy or []:
        if m.value is not None:
            m.method.update(OUTSIDE, scope="around the training process, from the host",
                            epochs_run=epochs)
        ms.append(m)
    return {m.name: m for m in ms}
