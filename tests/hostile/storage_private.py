# expect: static - storage._write_file through a private method
# match: private attribute '_write_file'
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        x.untyped_storage()._write_file(None, True, False, 1)
        return self.fc(x.mean(dim=(2, 3)))
