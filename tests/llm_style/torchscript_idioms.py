# llm_style - copied from torchvision: TorchScript decorators, torch.jit.is_scripting(),
# torch.jit.annotate, a __repr__ over self.__dict__, setattr with a parameter as the name
# expect: accepted
from typing import List

import torch
import torch.nn as nn
from torch import Tensor


class _DenseLayer(nn.Module):
    def __init__(self, num_input_features: int, growth_rate: int) -> None:
        super().__init__()
        self.norm = nn.BatchNorm2d(num_input_features)
        self.conv = nn.Conv2d(num_input_features, growth_rate, 3, padding=1, bias=False)

    @torch.jit.unused
    def call_checkpoint_bottleneck(self, input: List[Tensor]) -> Tensor:
        raise RuntimeError("not used")

    @torch.jit._overload_method  # noqa: F811
    def forward(self, input: Tensor) -> Tensor:
        pass

    def forward(self, input: Tensor) -> Tensor:  # noqa: F811
        if torch.jit.is_scripting():
            prev = input
        else:
            prev = input
        return torch.cat([prev, self.conv(torch.relu(self.norm(prev)))], 1)


class DenseNetTiny(nn.Module):
    def __init__(self, growth_rate: int = 8, num_classes: int = 10) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        channels = 16
        for i in range(2):
            self.add(f"denselayer{i + 1}", _DenseLayer(channels, growth_rate))
            channels += growth_rate
        self.classifier = nn.Linear(channels, num_classes)
        self.n_layers = 2

    def add(self, name: str, module: nn.Module) -> None:
        setattr(self, name, module)

    def forward(self, x: Tensor) -> Tensor:
        features = torch.jit.annotate(List[Tensor], [])
        x = self.stem(x)
        x = self.denselayer1(x)
        x = self.denselayer2(x)
        features.append(x)
        return self.classifier(torch.flatten(nn.functional.adaptive_avg_pool2d(features[0], 1), 1))

    def __repr__(self):
        s = "{name}({n_layers} layers)"
        return s.format(name=self.__class__.__name__, **self.__dict__)
