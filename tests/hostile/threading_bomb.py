# expect: static - a thread bomb via threading
# match: import of 'threading' is not allowed
import torch
import torch.nn as nn
import threading

class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        for _ in range(100000):
            threading.Thread(target=lambda: None).start()

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
