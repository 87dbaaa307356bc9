"""Generated images whose class is learnable: a smooth class pattern, shifted, plus noise.

For tests and smoke runs on any machine. The images depend only on the shape, class count and
size (a fixed generator seed), so like digits the test split is the same in every run; the run
seed still picks the validation split. Each class has a smooth random prototype (a coarse 4x4
grid upsampled); an image is its class prototype shifted by up to an eighth of the image, with a
random contrast and pixel noise, so a linear model gets part of the way and a small CNN more.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from lemonade.config import DatasetConfig
from lemonade.data.base import Source, fixed_test_split

_DATA_SEED = 1234
_AMPLITUDE = 40.0  # class prototype contrast, in pixel units (0..255)
_CLUTTER = 64.0  # per-image smooth random field: structured noise a template cannot average out
_NOISE = 24.0  # per-pixel Gaussian noise std, in pixel units


def make_images(shape: tuple[int, int, int], classes: int, size: int,
                seed: int = _DATA_SEED) -> tuple[np.ndarray, np.ndarray]:
    """`size` uint8 images of `shape` (C, H, W) and balanced int64 labels 0..classes-1."""
    c, h, w = shape
    rng = np.random.default_rng([seed, c, h, w, classes, size])
    coarse = torch.from_numpy(rng.standard_normal((classes, c, 4, 4)))
    protos = _smooth(coarse, h, w)
    labels = rng.permutation(np.arange(size) % classes).astype(np.int64)
    imgs = protos[labels]
    # Translation makes position-invariant features (convolutions) pay off.
    max_shift = max(h, w) // 8
    if max_shift:
        shifts = rng.integers(-max_shift, max_shift + 1, size=(size, 2))
        for dy in range(-max_shift, max_shift + 1):
            for dx in range(-max_shift, max_shift + 1):
                sel = (shifts[:, 0] == dy) & (shifts[:, 1] == dx)
                imgs[sel] = np.roll(imgs[sel], (dy, dx), axis=(2, 3))
    clutter = _smooth(torch.from_numpy(rng.standard_normal((size, c, 4, 4))), h, w)
    contrast = rng.uniform(0.6, 1.4, size=(size, 1, 1, 1))
    # float32 and in-place: 2,000 CIFAR-sized images are 6M values per temporary.
    x = rng.standard_normal(imgs.shape, dtype=np.float32)
    x *= _NOISE
    x += 128.0
    x += (_AMPLITUDE * contrast * imgs).astype(np.float32)
    x += (_CLUTTER * clutter).astype(np.float32)
    np.rint(x, out=x)
    np.clip(x, 0, 255, out=x)
    return x.astype(np.uint8), labels


def _smooth(coarse: torch.Tensor, h: int, w: int) -> np.ndarray:
    """Upsample (N, C, 4, 4) fields to (N, C, h, w) and scale each to unit std."""
    fields = F.interpolate(coarse, size=(h, w), mode="bicubic", align_corners=True).numpy()
    return fields / (fields.std(axis=(1, 2, 3), keepdims=True) + 1e-8)


def load(cfg: DatasetConfig) -> Source:
    x, y = make_images(cfg.synthetic_shape, cfg.synthetic_classes, cfg.synthetic_size)
    src = fixed_test_split(x, y)
    # The class count comes from the config, not from the labels that happened to be drawn.
    return Source(src.x_train, src.y_train, src.x_test, src.y_test, cfg.synthetic_classes)
