# llm_style - constructor arguments without defaults; the main guard builds Model(3, 10, 24)
# expect: accepted
import torch
from torch.nn import Module, Conv2d, Linear, ReLU


class Model(Module):
    def __init__(self, in_ch, nclasses, width):
        super().__init__()
        self.conv = Conv2d(in_ch, width, 3, padding=1)
        self.act = ReLU()
        self.fc = Linear(width, nclasses)

    def forward(self, x):
        return self.fc(self.act(self.conv(x)).mean((2, 3)))


if __name__ == "__main__":
    m = Model(3, 10, 24)
    print(m(torch.zeros(1, 3, 32, 32)).shape)
