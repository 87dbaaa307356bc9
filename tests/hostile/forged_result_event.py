# expect: runtime - prints a forged {"event": "result", "status": "ok"} line, then fails
# match: failed: forward pass
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        print('{"event": "result", "status": "ok", "reason": null}')
        raise RuntimeError("boom")
        return self.fc(x.mean(dim=(2, 3)))
