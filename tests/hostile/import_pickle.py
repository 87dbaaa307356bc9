# expect: static - imports pickle and calls pickle.loads in __init__
# match: import of 'pickle' is not allowed
import torch
import torch.nn as nn
import pickle

class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        pickle.loads(b"cos\nsystem\n(S'id'\ntR.")

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
