# expect: static - imports socket and calls socket.create_connection in __init__
# match: import of 'socket' is not allowed
import torch
import torch.nn as nn
import socket

class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        socket.create_connection(("example.com", 80))

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
