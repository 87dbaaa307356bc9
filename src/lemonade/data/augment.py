"""Batched augmentation and normalisation for channels-first images, on any device.

The trainer calls these on every batch, so each is a handful of tensor ops over the whole batch
with no Python loop over images (as in airbench: augment on the GPU, whole batches at once).
Random draws come from `generator` when given; they are made on the generator's device and
moved to the images' device, so a CPU generator can drive CUDA batches reproducibly.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F


def normalize(x: torch.Tensor, mean: Sequence[float], std: Sequence[float]) -> torch.Tensor:
    """float32 (x / 255 - mean) / std per channel; x holds pixel values 0..255 (uint8 or float).

    `mean` and `std` are in [0, 1] units (`Dataset.mean`, `Dataset.std`); the result is on x's
    device. Folding the 1/255 into the scale makes it one multiply and one subtract.
    """
    c = x.shape[-3]
    if len(mean) != c or len(std) != c:
        raise ValueError(f"normalize: {c} channels but {len(mean)} means and {len(std)} stds")
    m = torch.tensor(mean, dtype=torch.float32, device=x.device).view(c, 1, 1)
    s = torch.tensor(std, dtype=torch.float32, device=x.device).view(c, 1, 1)
    out = x.to(torch.float32, copy=True)  # copy=True: never scale the caller's float tensor
    return out.mul_(1.0 / (255.0 * s)).sub_(m / s)


def _draw_int(high: int, shape: tuple[int, ...], generator: torch.Generator | None,
              device: torch.device) -> torch.Tensor:
    gen_device = generator.device if generator is not None else device
    return torch.randint(0, high, shape, generator=generator, device=gen_device).to(device)


def random_crop(x: torch.Tensor, padding: int, generator: torch.Generator | None = None,
                mode: str = "reflect") -> torch.Tensor:
    """Pad each image by `padding` (reflect or zeros) and cut a random window of the original
    size, independently per image: a random translation by up to `padding` pixels.

    x: (N, C, H, W), any dtype and device. The padded batch is viewed as all its windows
    (`unfold`, no copy) and one advanced index picks each image's window, so the work is one pad
    and one gather whatever the batch size. Reflect needs padding < H and W.
    """
    if mode not in ("reflect", "zeros"):
        raise ValueError(f"random_crop: mode must be 'reflect' or 'zeros', got {mode!r}")
    if padding < 0:
        raise ValueError(f"random_crop: padding must be >= 0, got {padding}")
    if padding == 0 or x.shape[0] == 0:
        return x
    n, h, w = x.shape[0], x.shape[-2], x.shape[-1]
    if mode == "reflect" and padding >= min(h, w):
        raise ValueError(f"random_crop: reflect padding {padding} needs images larger than "
                         f"{padding} pixels, got {h}x{w}; use mode='zeros' or less padding")
    padded = F.pad(x, (padding,) * 4, mode="reflect" if mode == "reflect" else "constant")
    windows = padded.unfold(2, h, 1).unfold(3, w, 1)  # (N, C, 2p+1, 2p+1, H, W), a view
    offsets = _draw_int(2 * padding + 1, (n, 2), generator, x.device)
    # Advanced indices on dims 0, 2, 3 around the slice: the result is (N, C, H, W).
    return windows[torch.arange(n, device=x.device), :, offsets[:, 0], offsets[:, 1]]


def random_flip(x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Mirror each image left-right with probability 1/2 (x: (N, C, H, W), any dtype/device)."""
    if x.shape[0] == 0:
        return x
    gen_device = generator.device if generator is not None else x.device
    flip = torch.rand(x.shape[0], generator=generator, device=gen_device) < 0.5
    return torch.where(flip.to(x.device).view(-1, 1, 1, 1), x.flip(-1), x)
