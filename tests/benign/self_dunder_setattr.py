# benign - self.__setattr__('level_%d' % i, m) and self.__getattr__(...) on the model itself
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.levels = 3
        c = in_channels
        for i in range(self.levels):
            self.__setattr__("level_%d" % i, nn.Conv2d(c, 4, 3, padding=1))
            c = 4
        self.fc = nn.Linear(c, num_classes)

    def forward(self, x):
        for i in range(self.levels):
            x = torch.relu(self.__getattr__("level_{}".format(i))(x))
        return self.fc(x.mean(dim=(2, 3)))
