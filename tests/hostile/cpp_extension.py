# expect: static - torch.utils.cpp_extension.load_inline to compile and load C++
# match: torch.utils
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        m = torch.utils.cpp_extension.load_inline("m", "int f(){return system(\"id\");}")

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
