"""The CIFAR-sized models of bench/recipe_zoo.py's cifar10 arm (32x32 RGB, up to ~0.3M params).

A small ResNet, a plain VGG-like CNN, a MobileNet-like net of depthwise-separable blocks and an
MLP-Mixer-like net on 4x4 patches; all with BatchNorm or LayerNorm, as a search would write them.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn


def _cbr(cin: int, cout: int, stride: int = 1, groups: int = 1, k: int = 3) -> list[nn.Module]:
    return [nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, groups=groups, bias=False),
            nn.BatchNorm2d(cout), nn.ReLU()]


class _Res(nn.Module):
    def __init__(self, w: int) -> None:
        super().__init__()
        self.body = nn.Sequential(*_cbr(w, w), nn.Conv2d(w, w, 3, padding=1, bias=False),
                                  nn.BatchNorm2d(w))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(x + self.body(x))


def resnet_small(c: int, k: int) -> nn.Module:
    """~0.27M params: 24-48-96 channels, one residual block a stage."""
    return nn.Sequential(*_cbr(c, 24), _Res(24), *_cbr(24, 48, stride=2), _Res(48),
                         *_cbr(48, 96, stride=2), _Res(96), nn.AdaptiveAvgPool2d(1),
                         nn.Flatten(), nn.Linear(96, k))


def plain_cnn(c: int, k: int) -> nn.Module:
    """~0.29M params: VGG-like, two convs a stage, max pools."""
    return nn.Sequential(*_cbr(c, 32), *_cbr(32, 32), nn.MaxPool2d(2), *_cbr(32, 64),
                         *_cbr(64, 64), nn.MaxPool2d(2), *_cbr(64, 128), *_cbr(128, 128),
                         nn.MaxPool2d(2), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(128, k))


def _sep(cin: int, cout: int, stride: int) -> list[nn.Module]:
    return [*_cbr(cin, cin, stride=stride, groups=cin), *_cbr(cin, cout, k=1)]


def mobilenet_like(c: int, k: int) -> nn.Module:
    """~0.2M params: depthwise-separable blocks, 32 to 256 channels."""
    return nn.Sequential(*_cbr(c, 32), *_sep(32, 64, 1), *_sep(64, 128, 2), *_sep(128, 128, 1),
                         *_sep(128, 256, 2), *_sep(256, 256, 1), *_sep(256, 256, 2),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(256, k))


class _MixerBlock(nn.Module):
    def __init__(self, tokens: int, dim: int) -> None:
        super().__init__()
        self.n1, self.n2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.tok = nn.Sequential(nn.Linear(tokens, tokens * 2), nn.GELU(),
                                 nn.Linear(tokens * 2, tokens))
        self.ch = nn.Sequential(nn.Linear(dim, dim * 2), nn.GELU(), nn.Linear(dim * 2, dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.tok(self.n1(x).transpose(1, 2)).transpose(1, 2)
        return x + self.ch(self.n2(x))


class _Mixer(nn.Module):
    def __init__(self, c: int, k: int, dim: int = 128, depth: int = 3, patch: int = 4) -> None:
        super().__init__()
        self.embed = nn.Conv2d(c, dim, patch, stride=patch)
        tokens = (32 // patch) ** 2
        self.blocks = nn.Sequential(*[_MixerBlock(tokens, dim) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, k)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.embed(x).flatten(2).transpose(1, 2)
        return self.head(self.norm(self.blocks(x)).mean(dim=1))


def mixer_like(c: int, k: int) -> nn.Module:
    """~0.26M params: 64 tokens of 4x4 patches, width 128, 3 mixer blocks."""
    return _Mixer(c, k)


CIFAR_ZOO: dict[str, Callable[[int, int], nn.Module]] = {
    "small ResNet": resnet_small,
    "plain CNN": plain_cnn,
    "MobileNet-like": mobilenet_like,
    "MLP-Mixer-like": mixer_like,
}
