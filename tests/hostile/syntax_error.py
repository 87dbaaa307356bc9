# expect: static - invalid Python
# match: syntax error
import torch
import torch.nn as nn
class Net(nn.Module:
    pass
