"""What reading a user's dataset may cost the host: limits checked before anything is decoded.

A dataset is untrusted input: a 1 MB folder of PNGs or a 1 MB `.npz` can inflate to gigabytes.
`Limits` holds the caps (`dataset.max_image_pixels`, `dataset.max_dataset_mb`); `check_npz`
reads an `.npz`'s zip directory and each member's `.npy` header, and refuses one whose inflated
size is over the cap, that disagrees with its own header, or that holds Python objects, before
numpy reads a byte of data.
"""

from __future__ import annotations

import math
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lemonade.data.base import DatasetError

DEFAULT_MAX_IMAGE_PIXELS = 25_000_000  # one image (a 24-megapixel photo fits)
DEFAULT_MAX_DATASET_MB = 2048  # the decoded dataset, uint8
MAX_NPZ_MEMBERS = 16


@dataclass(frozen=True)
class Limits:
    max_image_pixels: int = DEFAULT_MAX_IMAGE_PIXELS
    max_dataset_bytes: int = DEFAULT_MAX_DATASET_MB * 2**20

    @classmethod
    def of(cls, cfg: Any) -> Limits:
        """The limits a DatasetConfig sets (its defaults where it has none)."""
        return cls(int(getattr(cfg, "max_image_pixels", None) or DEFAULT_MAX_IMAGE_PIXELS),
                   int(getattr(cfg, "max_dataset_mb", None) or DEFAULT_MAX_DATASET_MB) * 2**20)


def _npy_header(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[tuple[int, ...], np.dtype]:
    with zf.open(info) as fh:
        version = np.lib.format.read_magic(fh)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(fh)
        elif version in ((2, 0), (3, 0)):
            shape, _, dtype = np.lib.format.read_array_header_2_0(fh)
        else:
            raise ValueError(f"unknown .npy version {version}")
    return tuple(int(n) for n in shape), np.dtype(dtype)


def check_npz(path: Path, max_bytes: int, what: str = "arrays dataset") -> None:
    """Refuse `path` unless every member is a plain-dtype .npy whose data, as its header and the
    zip directory both say, fits in `max_bytes` in all (see the module's docstring)."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            if len(infos) > MAX_NPZ_MEMBERS:
                raise DatasetError(f"{what}: {path} holds {len(infos)} members; at most "
                                   f"{MAX_NPZ_MEMBERS} arrays are expected")
            inflated = sum(i.file_size for i in infos)
            if inflated > max_bytes:
                raise DatasetError(
                    f"{what}: {path} inflates to {inflated / 2**20:,.0f} MB, over the limit of "
                    f"{max_bytes / 2**20:,.0f} MB (dataset.max_dataset_mb)")
            for info in infos:
                shape, dtype = _npy_header(zf, info)
                if dtype.hasobject:
                    raise DatasetError(f"{what}: cannot read {path}: {info.filename} holds "
                                       "Python objects; only numeric arrays are read (never "
                                       "unpickled)")
                nbytes = math.prod(shape) * dtype.itemsize
                if nbytes > info.file_size:
                    raise DatasetError(
                        f"{what}: {path}: {info.filename} says {shape} {dtype} "
                        f"({nbytes:,} bytes) but holds {info.file_size:,}: a damaged or "
                        "crafted file")
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zipfile.LargeZipFile) as e:
        raise DatasetError(f"{what}: cannot read {path}: {e}") from None
