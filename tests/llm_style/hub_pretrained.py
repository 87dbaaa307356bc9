# llm_style - a pretrained backbone from torch.hub in the model
# expect: refused
# match: torch.hub
import torch
import torch.nn as nn


class PretrainedNet(nn.Module):
    def __init__(self, in_channels=3, num_classes=10):
        super().__init__()
        self.backbone = torch.hub.load("pytorch/vision", "resnet18", pretrained=True)
        self.fc = nn.Linear(1000, num_classes)

    def forward(self, x):
        return self.fc(self.backbone(x))
