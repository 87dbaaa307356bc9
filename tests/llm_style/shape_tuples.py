# llm_style - in_shape / out_shape tuples instead of in_channels / num_classes
# expect: accepted
import torch
import torch.nn as nn


class Net2(nn.Module):
    def __init__(self, in_shape=(3, 32, 32), out_shape=(10,)):
        super().__init__()
        c, h, w = in_shape
        self.conv = nn.Conv2d(c, 16, 3, padding=1)
        self.fc = nn.Linear(16 * (h // 2) * (w // 2), out_shape[0])

    def forward(self, x):
        x = torch.relu(self.conv(x))
        x = nn.functional.max_pool2d(x, 2)
        return self.fc(torch.flatten(x, 1))
