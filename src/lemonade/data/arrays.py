"""Arrays in one `.npz` file: `x_train`, `y_train`, and optionally `x_val`, `y_val`, `x_test`,
`y_test` (what `np.savez(path, x_train=..., y_train=...)` writes).

Images:
- (N, H, W, C) or (N, C, H, W), or (N, H, W) for single-channel images. The layout is read from
  `x_train`: the axis of size <= 4 next to N or at the end holds the channels; when both could
  (tiny images such as (N, 3, 4, 4)... (N, 4, 4, 3)), (N, C, H, W), PyTorch's order, is assumed.
  Every x array must have the same image shape.
- uint8 (0..255) as is; other integer types when their values are within 0..255; floats either
  in [0, 1] (scaled by 255) or in [0, 255], told apart by `x_train`'s maximum (<= 1.0 means
  [0, 1]) and applied to every split alike. Normalised floats (negative values) are refused:
  lemonade computes the channel statistics and normalises itself.
Labels: integers, shape (N,). When they are not already 0..K-1 they are mapped to 0..K-1 in
sorted order of their values (e.g. 1..10 becomes 0..9).

A missing test split is held out from the train split with the fixed test seed; a missing
validation split is carved with the run seed (as for every source). The file is read with
`allow_pickle=False`: an .npz holding Python objects is refused, never unpickled. Before numpy
reads it, its zip directory and every array's header are checked (`lemonade.data.limits`): an
inflated size over `dataset.max_dataset_mb`, or a header that claims more than its member holds,
is refused.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from lemonade.config import DatasetConfig
from lemonade.data.base import DatasetError, Source, fixed_test_split
from lemonade.data.limits import Limits, check_npz

KEYS = ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test")
_MAX_CHANNELS = 4


def _layout(key: str, shape: tuple[int, ...]) -> str:
    """"nchw", "nhwc" or "nhw" for an image array of `shape` (raises naming `key`)."""
    if len(shape) == 3:
        return "nhw"
    if len(shape) != 4:
        raise DatasetError(f"arrays: {key} has shape {shape}; expected images as (N, H, W, C), "
                           "(N, C, H, W) or (N, H, W)")
    first, last = shape[1] <= _MAX_CHANNELS, shape[3] <= _MAX_CHANNELS
    if last and not first:
        return "nhwc"
    if first:
        return "nchw"
    raise DatasetError(f"arrays: {key} has shape {shape}; no axis of size 1..{_MAX_CHANNELS} "
                       "next to N or at the end holds the channels (expected (N, H, W, C) or "
                       "(N, C, H, W))")


def _to_nchw(x: np.ndarray, layout: str) -> np.ndarray:
    if layout == "nhw":
        return x[:, None]
    return x.transpose(0, 3, 1, 2) if layout == "nhwc" else x


def _float_scale(key: str, x: np.ndarray) -> float:
    """255 for floats in [0, 1], 1 for floats in [0, 255] (decided on x_train)."""
    if not x.size:
        return 1.0
    lo, hi = float(np.nanmin(x)), float(np.nanmax(x))
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise DatasetError(f"arrays: {key} holds NaN or infinite values")
    if lo < 0 or hi > 255:
        raise DatasetError(f"arrays: {key} holds floats in [{lo:.3g}, {hi:.3g}]; give uint8, or "
                           "floats in [0, 1] or [0, 255] (not normalised: lemonade normalises "
                           "with the train split's statistics itself)")
    return 255.0 if hi <= 1.0 else 1.0


def _to_uint8(key: str, x: np.ndarray, scale: float) -> np.ndarray:
    if x.dtype == np.uint8:
        return x
    if np.issubdtype(x.dtype, np.integer) or x.dtype == np.bool_:
        if x.size and (int(x.min()) < 0 or int(x.max()) > 255):
            raise DatasetError(f"arrays: {key} is {x.dtype} with values in "
                               f"[{int(x.min())}, {int(x.max())}]; pixel values must be 0..255")
        return x.astype(np.uint8)
    if np.issubdtype(x.dtype, np.floating):
        lo, hi = (float(np.min(x)), float(np.max(x))) if x.size else (0.0, 0.0)
        if not (np.isfinite(lo) and np.isfinite(hi)) or lo < 0 or hi * scale > 255.5:
            what = "[0, 1]" if scale > 1 else "[0, 255]"
            raise DatasetError(f"arrays: {key} holds floats in [{lo:.3g}, {hi:.3g}], but x_train's "
                               f"are in {what}; every split must use the same scale")
        return np.clip(np.rint(x * scale), 0, 255).astype(np.uint8)
    raise DatasetError(f"arrays: {key} has dtype {x.dtype}; expected uint8, integers or floats")


def _labels(key: str, y: np.ndarray, n: int) -> np.ndarray:
    if y.shape != (n,):
        raise DatasetError(f"arrays: {key} has shape {y.shape}; expected ({n},), one integer "
                           "label per image")
    if np.issubdtype(y.dtype, np.floating) and y.size and np.all(np.mod(y, 1) == 0):
        y = y.astype(np.int64)
    if not (np.issubdtype(y.dtype, np.integer) or y.dtype == np.bool_):
        raise DatasetError(f"arrays: {key} has dtype {y.dtype}; labels must be integers")
    return y.astype(np.int64)


def read_npz(path: Path, limits: Limits | None = None) -> dict[str, np.ndarray]:
    if path.is_dir():
        found = sorted(path.glob("*.npz"))
        if len(found) != 1:
            raise DatasetError(f"arrays dataset: data_dir {path} is a folder; give the .npz file "
                               f"itself ({len(found)} .npz files there)")
        path = found[0]
    if not path.is_file():
        raise DatasetError(f"arrays dataset: no file {path} (data_dir must name an .npz with "
                           "x_train and y_train)")
    check_npz(path, (limits or Limits()).max_dataset_bytes)
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as e:
        raise DatasetError(f"arrays dataset: cannot read {path}: {e}") from None
    unknown = sorted(set(arrays) - set(KEYS))
    if unknown:
        raise DatasetError(f"arrays dataset: {path} has unknown key(s) {', '.join(unknown)}; "
                           f"allowed: {', '.join(KEYS)}")
    for need in ("x_train", "y_train"):
        if need not in arrays:
            raise DatasetError(f"arrays dataset: {path} has no {need} (keys: "
                               f"{', '.join(sorted(arrays)) or 'none'})")
    for part in ("val", "test"):
        if (f"x_{part}" in arrays) != (f"y_{part}" in arrays):
            raise DatasetError(f"arrays dataset: {path} has only one of x_{part} and y_{part}")
    return arrays


def convert(arrays: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], int]:
    """uint8 (N, C, H, W) images and 0..K-1 labels for every split present; and K."""
    layout = _layout("x_train", arrays["x_train"].shape)
    train = arrays["x_train"]
    scale = _float_scale("x_train", train) if np.issubdtype(train.dtype, np.floating) else 1.0
    out: dict[str, np.ndarray] = {}
    for part in ("train", "val", "test"):
        key = f"x_{part}"
        if key not in arrays:
            continue
        x = arrays[key]
        if x.shape[1:] != train.shape[1:]:
            raise DatasetError(f"arrays: {key} has shape {x.shape}; its images must have "
                               f"x_train's shape {train.shape[1:]}")
        out[key] = np.ascontiguousarray(_to_nchw(_to_uint8(key, x, scale), layout))
        out[f"y_{part}"] = _labels(f"y_{part}", arrays[f"y_{part}"], x.shape[0])
    if out["x_train"].shape[0] == 0:
        raise DatasetError("arrays: x_train holds no images")
    ys = [out[k] for k in out if k.startswith("y_")]
    values = np.unique(np.concatenate(ys))
    if values.size and values.min() < 0:
        raise DatasetError(f"arrays: labels must not be negative (found {int(values.min())})")
    if not np.array_equal(values, np.arange(values.size)):
        for key in list(out):
            if key.startswith("y_"):
                out[key] = np.searchsorted(values, out[key]).astype(np.int64)
    k = int(values.size)
    if k < 2:
        raise DatasetError(f"arrays: the labels hold {k} class(es); at least 2 are needed")
    missing = sorted(set(range(k)) - set(np.unique(out["y_train"]).tolist()))
    if missing:
        raise DatasetError(f"arrays: class {int(values[missing[0]])} appears in a val/test split "
                           "but has no training images in y_train")
    return out, k


def load(cfg: DatasetConfig) -> Source:
    arrays, k = convert(read_npz(Path(cfg.data_dir), Limits.of(cfg)))
    if "x_test" in arrays:
        src = Source(arrays["x_train"], arrays["y_train"], arrays["x_test"], arrays["y_test"], k)
    else:
        held = fixed_test_split(arrays["x_train"], arrays["y_train"])
        src = Source(held.x_train, held.y_train, held.x_test, held.y_test, k)
    if "x_val" in arrays:
        return Source(src.x_train, src.y_train, src.x_test, src.y_test, k,
                      x_val=arrays["x_val"], y_val=arrays["y_val"])
    return src
