# llm_style - train_setup with an optimizer and a scheduler, `from torch import optim`
# expect: accepted
import torch
import torch.nn as nn
from torch import optim


class Model(nn.Module):
    def __init__(self, input_channels=3, classes=10):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(input_channels, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
            nn.Linear(32, classes),
        )

    def forward(self, x):
        return self.net(x)

    def train_setup(self, epochs=10):
        opt = optim.AdamW(self.parameters(), lr=3e-4)
        sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
        return opt, sched


model = Model()
optimizer, scheduler = model.train_setup()
