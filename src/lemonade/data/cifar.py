"""CIFAR-10 and CIFAR-100 from the official "python version" pickles (Krizhevsky, 2009).

`data_dir` may be the folder that holds `cifar-10-batches-py/` (or `cifar-100-python/`) or that
folder itself. Counts are read from the files, never assumed (partial copies exist). When the
files are missing and `download` is on, the official archive is fetched with a short timeout,
checked against its published md5 and extracted without letting any member escape `data_dir`.
"""

from __future__ import annotations

import hashlib
import shutil
import tarfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lemonade.config import DatasetConfig
from lemonade.data.base import DatasetError, Source, load_pickle

DOWNLOAD_TIMEOUT_S = 15.0  # per socket operation: fail fast on machines without a network


@dataclass(frozen=True)
class CifarSpec:
    title: str
    folder: str  # the archive's top-level folder
    train_files: tuple[str, ...]
    test_file: str
    label_key: str
    num_classes: int
    url: str
    md5: str  # of the archive, as published on the CIFAR page
    files_text: str  # how the error message names the files

    @property
    def files(self) -> tuple[str, ...]:
        return (*self.train_files, self.test_file)


CIFAR10 = CifarSpec(
    title="CIFAR-10", folder="cifar-10-batches-py",
    train_files=tuple(f"data_batch_{i}" for i in range(1, 6)), test_file="test_batch",
    label_key="labels", num_classes=10,
    url="https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
    md5="c58f30108f718f92721af3b95e74349a",
    files_text="data_batch_1..5 and test_batch",
)
CIFAR100 = CifarSpec(
    title="CIFAR-100", folder="cifar-100-python",
    train_files=("train",), test_file="test",
    label_key="fine_labels", num_classes=100,
    url="https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",
    md5="eb9058c3a382ffc7106e4002c42a8d85",
    files_text="train and test (with fine_labels)",
)


def load_cifar10(cfg: DatasetConfig) -> Source:
    return load(cfg, CIFAR10)


def load_cifar100(cfg: DatasetConfig) -> Source:
    return load(cfg, CIFAR100)


def load(cfg: DatasetConfig, spec: CifarSpec) -> Source:
    data_dir = Path(cfg.data_dir).expanduser().resolve()
    folder = find_folder(data_dir, spec)
    failure = ""
    if folder is None and cfg.download:
        try:
            download(spec, data_dir)
        except (OSError, DatasetError, tarfile.TarError) as e:
            # urllib raises URLError (an OSError) without a network; the user gets the manual
            # instructions below with the reason appended.
            failure = f" Automatic download failed: {e}."
        folder = find_folder(data_dir, spec)
    if folder is None:
        raise DatasetError(missing_message(spec, data_dir) + failure)
    x_train, y_train = _read_batches(folder, spec.train_files, spec.label_key)
    x_test, y_test = _read_batches(folder, (spec.test_file,), spec.label_key)
    return Source(x_train, y_train, x_test, y_test, spec.num_classes)


def find_folder(data_dir: Path, spec: CifarSpec) -> Path | None:
    """The folder that holds all of the spec's files: data_dir/<folder> or data_dir itself."""
    for cand in (data_dir / spec.folder, data_dir):
        if all((cand / f).is_file() for f in spec.files):
            return cand
    return None


def missing_message(spec: CifarSpec, data_dir: Path) -> str:
    expected = data_dir / spec.folder
    msg = (f"{spec.title} not found: expected {expected}/{spec.files_text} (the official python "
           f"version). Download {spec.url} and extract it into {data_dir}, or pass --data-dir "
           f"pointing at the folder that holds {spec.folder}/.")
    for cand in (expected, data_dir):
        present = [f for f in spec.files if (cand / f).is_file()]
        if present:  # a partial copy: say exactly which files are missing
            lacking = [f for f in spec.files if f not in present]
            msg += f" {cand} has {', '.join(present)} but lacks {', '.join(lacking)}."
            break
    return msg


def _read_batches(folder: Path, names: tuple[str, ...],
                  label_key: str) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for name in names:
        path = folder / name
        batch = load_pickle(path)
        if "data" not in batch or label_key not in batch:
            raise DatasetError(f"{path}: expected keys 'data' and {label_key!r}, "
                               f"found {sorted(batch)}")
        data = np.asarray(batch["data"], dtype=np.uint8)
        labels = np.asarray(batch[label_key], dtype=np.int64)
        if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or len(labels) != len(data):
            raise DatasetError(f"{path}: expected data (N, 3072) and N labels, got data "
                               f"{data.shape} and {len(labels)} labels")
        xs.append(data.reshape(-1, 3, 32, 32))  # rows are stored R, G, B planes (CHW)
        ys.append(labels)
    return np.concatenate(xs), np.concatenate(ys)


def _fetch(url: str, dest: Path, timeout: float = DOWNLOAD_TIMEOUT_S) -> None:
    """Stream `url` to `dest` (the one function that touches the network; tests replace it)."""
    with urllib.request.urlopen(url, timeout=timeout) as resp, dest.open("wb") as out:
        shutil.copyfileobj(resp, out, 1 << 20)


def download(spec: CifarSpec, data_dir: Path) -> None:
    """Fetch the official archive into data_dir, verify it and extract it there."""
    data_dir.mkdir(parents=True, exist_ok=True)
    part = data_dir / (spec.url.rsplit("/", 1)[-1] + ".part")
    try:
        _fetch(spec.url, part)
        extract_verified(part, data_dir, spec.md5)
    finally:
        part.unlink(missing_ok=True)


def md5sum(path: Path) -> str:
    h = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def extract_verified(archive: Path, dest: Path, md5: str) -> None:
    """Check the archive's md5, then extract it into dest; refuse members that could escape.

    Only regular files and folders are allowed, with relative paths that stay inside dest
    (no absolute names, no '..', no links or devices): a tampered archive cannot write elsewhere.
    """
    got = md5sum(archive)
    if got != md5:
        raise DatasetError(f"{archive}: md5 {got} does not match the published {md5} "
                           "(a corrupt or unofficial download)")
    root = dest.resolve()
    with tarfile.open(archive, "r:*") as tar:
        members = tar.getmembers()
        for m in members:
            if not (m.isfile() or m.isdir()):
                raise DatasetError(f"{archive}: refusing member {m.name!r} (not a plain file)")
            target = (root / m.name).resolve()
            if Path(m.name).is_absolute() or ".." in Path(m.name).parts or (
                    target != root and root not in target.parents):
                raise DatasetError(f"{archive}: refusing member {m.name!r} (outside {root})")
        if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4: the stdlib's own safety net
            tar.extractall(root, members=members, filter="data")
        else:
            tar.extractall(root, members=members)
