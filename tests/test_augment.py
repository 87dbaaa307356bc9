"""Batched augmentation: crops are real shifts, flips are real mirrors, normalisation is exact."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from lemonade.data.augment import normalize, random_crop, random_flip

torch.set_num_threads(1)

CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


def _images(n: int = 32, c: int = 3, h: int = 8, w: int = 8, dtype=torch.uint8) -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    return torch.randint(0, 256, (n, c, h, w), generator=g).to(dtype)


def _window_offsets(out: torch.Tensor, x: torch.Tensor, padding: int, mode: str) -> list[list]:
    """For each output image, every (dy, dx) whose window of the padded input equals it."""
    pad_mode = "reflect" if mode == "reflect" else "constant"
    padded = F.pad(x.double(), (padding,) * 4, mode=pad_mode)
    h, w = x.shape[-2:]
    found = []
    for i in range(x.shape[0]):
        found.append([(dy, dx) for dy in range(2 * padding + 1) for dx in range(2 * padding + 1)
                      if torch.equal(padded[i, :, dy:dy + h, dx:dx + w], out[i].double())])
    return found


# --- normalize -------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "mean", "std"), [
    (0, 0.0, 1.0), (255, 0.0, 1.0), (255, 0.5, 0.25), (51, 0.2, 0.5), (128, 0.9, 0.1),
])
def test_normalize_matches_formula(value, mean, std):
    x = torch.full((2, 3, 4, 4), value, dtype=torch.uint8)
    out = normalize(x, (mean,) * 3, (std,) * 3)
    assert out.dtype == torch.float32 and out.shape == x.shape
    assert torch.allclose(out, torch.full_like(out, (value / 255 - mean) / std), atol=1e-5)


def test_normalize_per_channel_and_float_input_untouched():
    x = torch.stack([torch.full((4, 4), v) for v in (0.0, 100.0, 255.0)]).unsqueeze(0)
    before = x.clone()
    out = normalize(x, (0.1, 0.2, 0.3), (0.5, 1.0, 2.0))
    expected = [(0 / 255 - 0.1) / 0.5, (100 / 255 - 0.2) / 1.0, (255 / 255 - 0.3) / 2.0]
    assert torch.allclose(out[0, :, 0, 0], torch.tensor(expected), atol=1e-6)
    assert torch.equal(x, before)  # the caller's float tensor is not scaled in place
    assert torch.allclose(normalize(x.to(torch.uint8), (0.1, 0.2, 0.3), (0.5, 1.0, 2.0)), out)


def test_normalize_rejects_wrong_channel_count():
    with pytest.raises(ValueError, match="3 channels"):
        normalize(torch.zeros(1, 3, 2, 2, dtype=torch.uint8), (0.5,), (0.5,))


# --- random_crop -----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32])
def test_crop_with_zero_padding_is_identity(dtype):
    x = _images(dtype=dtype)
    assert torch.equal(random_crop(x, 0), x)


@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32])
@pytest.mark.parametrize(("mode", "padding"), [("reflect", 1), ("reflect", 3), ("zeros", 2),
                                               ("zeros", 9)])
def test_crop_outputs_are_shifted_windows_of_the_padded_input(dtype, mode, padding):
    x = _images(n=40, dtype=dtype)
    out = random_crop(x, padding, torch.Generator().manual_seed(1), mode=mode)
    assert out.shape == x.shape and out.dtype == dtype
    found = _window_offsets(out, x, padding, mode)
    assert all(found), "some output is not a window of the padded image"
    # Offsets are drawn per image: 40 images cannot all share one shift by chance.
    assert len({f[0] for f in found}) > 1


def test_crop_is_reproducible_with_a_generator_and_varies_without_reseeding():
    x = _images(n=64)
    a = random_crop(x, 2, torch.Generator().manual_seed(5))
    b = random_crop(x, 2, torch.Generator().manual_seed(5))
    g = torch.Generator().manual_seed(5)
    c1, c2 = random_crop(x, 2, g), random_crop(x, 2, g)
    assert torch.equal(a, b)
    assert not torch.equal(c1, c2)


@pytest.mark.parametrize(("padding", "mode", "match"), [
    (-1, "reflect", "padding"), (8, "reflect", "reflect padding"), (2, "wrap", "mode"),
])
def test_crop_rejects_bad_arguments(padding, mode, match):
    with pytest.raises(ValueError, match=match):
        random_crop(_images(), padding, mode=mode)


def test_crop_and_flip_accept_an_empty_batch():
    x = torch.zeros(0, 3, 8, 8, dtype=torch.uint8)
    assert random_crop(x, 2).shape == x.shape
    assert random_flip(x).shape == x.shape


# --- random_flip -----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32])
def test_flip_mirrors_about_half_and_leaves_the_rest(dtype):
    x = _images(n=400, h=6, w=6, dtype=dtype)
    out = random_flip(x, torch.Generator().manual_seed(2))
    assert out.shape == x.shape and out.dtype == dtype
    flipped = [torch.equal(o, xi.flip(-1)) for o, xi in zip(out, x, strict=True)]
    kept = [torch.equal(o, xi) for o, xi in zip(out, x, strict=True)]
    assert all(f != k for f, k in zip(flipped, kept, strict=True))  # each is exactly one of them
    # Binomial(400, 0.5): std 10, so 140..260 is a six-sigma band.
    assert 140 <= sum(flipped) <= 260


def test_flip_is_reproducible_with_a_generator():
    x = _images(n=64)
    a = random_flip(x, torch.Generator().manual_seed(3))
    b = random_flip(x, torch.Generator().manual_seed(3))
    assert torch.equal(a, b)


# --- CUDA: same results as the CPU when driven by the same CPU generator ---------------------

@CUDA
def test_cuda_ops_match_cpu_with_a_cpu_generator():
    x = _images(n=64)
    xc = x.cuda()
    for fn in (lambda t, g: random_crop(t, 2, g), lambda t, g: random_crop(t, 2, g, "zeros"),
               random_flip):
        cpu = fn(x, torch.Generator().manual_seed(4))
        gpu = fn(xc, torch.Generator().manual_seed(4))
        assert gpu.device.type == "cuda"
        assert torch.equal(gpu.cpu(), cpu)
    m, s = (0.4, 0.5, 0.6), (0.2, 0.3, 0.4)
    assert torch.allclose(normalize(xc, m, s).cpu(), normalize(x, m, s), atol=1e-6)


@CUDA
def test_cuda_ops_without_generator_stay_on_device():
    xc = _images(n=16).cuda()
    assert random_crop(xc, 2).device.type == "cuda"
    assert random_flip(xc).device.type == "cuda"
    assert random_flip(xc, torch.Generator(device="cuda").manual_seed(0)).device.type == "cuda"
