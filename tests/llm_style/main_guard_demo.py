# llm_style - a main guard demo, copy and a learn() method on the model
# expect: accepted
import copy

import torch
from torch import nn


class EfficientClassifier(nn.Module):
    def __init__(self, in_ch=3, class_num=10, width=24):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(in_ch, width, 3, stride=2, padding=1),
                                  nn.BatchNorm2d(width), nn.ReLU())
        self.body = nn.Sequential(nn.Conv2d(width, width * 2, 3, padding=1),
                                  nn.BatchNorm2d(width * 2), nn.ReLU())
        self.head = nn.Linear(width * 2, class_num)

    def forward(self, x):
        x = self.body(self.stem(x))
        return self.head(x.mean(dim=(2, 3)))

    def learn(self, batch, optimizer):
        x, y = batch
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(self(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    def snapshot(self):
        return copy.deepcopy(self.state_dict())


if __name__ == "__main__":
    net = EfficientClassifier()
    out = net(torch.randn(4, 3, 32, 32))
    print(out.shape)
