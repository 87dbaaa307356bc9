# expect: static - t.numpy().tofile(path): the numpy bridge writes files
# match: 'numpy' is not allowed
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        x.detach().numpy().tofile("/tmp/lemonade_pwned.bin")
        return self.fc(x.mean(dim=(2, 3)))
