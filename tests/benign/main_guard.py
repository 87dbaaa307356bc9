# benign - an if __name__ == "__main__": demo block (dropped, never runs)
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))


if __name__ == "__main__":
    model = Net(3, 10)
    print(model(torch.randn(2, 3, 32, 32)).shape)
