# llm_style - weights initialised through self.apply(self._init_weights), an extra_repr, timm-style in_chans
# expect: accepted
import math

import torch.nn as nn


class ConvMixerLite(nn.Module):
    def __init__(self, in_chans=3, num_classes=10, dim=32, depth=2):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(in_chans, dim, 4, stride=4), nn.GELU(),
                                  nn.BatchNorm2d(dim))
        self.blocks = nn.Sequential(*[nn.Sequential(nn.Conv2d(dim, dim, 3, padding=1,
                                                              groups=dim), nn.GELU(),
                                                    nn.BatchNorm2d(dim)) for _ in range(depth)])
        self.head = nn.Linear(dim, num_classes)
        self.dim = dim
        self.apply(self._init_weights)

    def _init_weights(self, m):
        if isinstance(m, nn.Conv2d):
            fan_out = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
            m.weight.data.normal_(0, math.sqrt(2.0 / fan_out))
        elif isinstance(m, nn.Linear):
            nn.init.zeros_(m.bias)

    def extra_repr(self):
        return f"dim={self.dim}"

    def get_num_params(self):
        return sum(p.numel() for p in self.parameters())

    def forward(self, x):
        return self.head(self.blocks(self.stem(x)).mean((2, 3)))
