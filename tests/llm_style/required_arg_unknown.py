# llm_style - a constructor argument without a default that nothing in the file gives
# expect: refused
# match: Net.__init__ needs depth without a default: give each a default value
import torch.nn as nn


class DeepNet(nn.Module):
    def __init__(self, depth, num_classes=10):
        super().__init__()
        self.convs = nn.Sequential(*[nn.Conv2d(3, 3, 3, padding=1) for _ in range(depth)])
        self.fc = nn.Linear(3, num_classes)

    def forward(self, x):
        return self.fc(self.convs(x).mean((2, 3)))
