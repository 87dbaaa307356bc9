# expect: static - ().__class__.__bases__[0].__subclasses__() to find os._wrap_close
# match: '__subclasses__' is not allowed
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        for c in ().__class__.__bases__[0].__subclasses__():
            pass

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
