# expect: static - case torch.UntypedStorage(from_file=f): reads and writes files without os
# match: `match` statements are not allowed
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        match torch.zeros(1).untyped_storage():
            case torch.UntypedStorage(from_file=opener):
                self.store = opener("/tmp/lemonade_pwned_match", True, 16)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
