# expect: static - case object(__class__=c): a match class pattern reads a dunder with no ast.Attribute
# match: `match` statements are not allowed
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        match x:
            case object(__class__=cls):
                subs = cls.mro
            case _:
                pass
        return self.fc(x.mean(dim=(2, 3)))
