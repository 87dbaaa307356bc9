"""Training throughput: lemonade's on-device loop vs. a plain DataLoader loop, same net, same run.

    python bench/train_speed.py [--device auto] [--epochs 3] [--seeds 2] [--images N]
                                [--threads N] [--data-dir ../shared/data]

Claim under test: keeping the dataset on the device as uint8 and augmenting whole batches there
(`lemonade.train`) trains faster than the usual `torch.utils.data.DataLoader` loop with per-image
augmentation in `Dataset.__getitem__`, and reaches the same accuracy. Both loops train the same
reference ResNet from the same initial weights with the same optimizer, schedule, batch size,
label smoothing and precision (bf16 + channels_last on CUDA), so the ratio isolates the data path
and loop overhead. Timings exclude evaluation; both models are evaluated once at the end on the
same test images. Printed: images/s of each, their ratio, mean and spread over seeds, and the
machine.

On a CPU the network's arithmetic dominates a step, so expect a ratio near 1; on a GPU the
per-image Python in the DataLoader becomes the bottleneck and the ratio grows.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader
from torch.utils.data import Dataset as TorchDataset

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))  # run from a checkout without installing

from lemonade import train as lt  # noqa: E402
from lemonade.config import DatasetConfig, TrainConfig  # noqa: E402
from lemonade.data import Dataset, DatasetError, load_dataset  # noqa: E402
from lemonade.data.augment import normalize  # noqa: E402

# -- knobs ----------------------------------------------------------------------------------
# CPU defaults keep the whole run under ~3 minutes on 2 cores (about 70 images/s for this net);
# on CUDA the full (partial) CIFAR-10 copy and a larger synthetic set are used.
CPU_IMAGES = 512  # training images per dataset on the CPU
CUDA_IMAGES = 20_000  # synthetic training images on CUDA (CIFAR-10 uses all that are present)
CPU_BATCH, CUDA_BATCH = 64, 512
EVAL_IMAGES_CPU, EVAL_IMAGES_CUDA = 256, 5_000
TRAIN = dict(optimizer="sgd", lr=0.05, momentum=0.9, weight_decay=5e-4, schedule="onecycle",
             label_smoothing=0.1, augment=True, crop_padding=2, flip=True)


# -- the reference network: a small CIFAR ResNet (4 stages of one basic block, ~0.7M params) ---
class Block(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Identity()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                          nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


class RefResNet(nn.Module):
    def __init__(self, in_channels: int = 3, num_classes: int = 10,
                 widths: tuple[int, ...] = (24, 48, 96, 192)):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(in_channels, widths[0], 3, 1, 1, bias=False),
                                  nn.BatchNorm2d(widths[0]), nn.ReLU())
        blocks, cin = [], widths[0]
        for i, w in enumerate(widths):
            blocks.append(Block(cin, w, 1 if i == 0 else 2))
            cin = w
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(F.adaptive_avg_pool2d(self.blocks(self.stem(x)), 1).flatten(1))


# -- the baseline: the usual DataLoader loop ----------------------------------------------------
class AugmentedImages(TorchDataset):
    """Float normalised images; random crop (zero padding) and flip per image, in __getitem__."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, padding: int, flip: bool):
        self.x, self.y, self.padding, self.flip = x, y, padding, flip

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        img = self.x[i]
        p = self.padding
        if p:
            h, w = img.shape[-2:]
            padded = F.pad(img, (p, p, p, p))
            dy, dx = torch.randint(0, 2 * p + 1, (2,)).tolist()
            img = padded[:, dy:dy + h, dx:dx + w]
        if self.flip and torch.rand(()) < 0.5:
            img = img.flip(-1)
        return img, self.y[i]


def make_loader(x: torch.Tensor, y: torch.Tensor, cfg: TrainConfig, cuda: bool) -> DataLoader:
    # Workers on CUDA, as a user would set them; on the CPU they would compete with the model
    # for the same cores.
    return DataLoader(AugmentedImages(x, y, cfg.crop_padding, cfg.flip),
                      batch_size=cfg.batch_size, shuffle=True, drop_last=False,
                      num_workers=min(4, os.cpu_count() or 1) if cuda else 0,
                      pin_memory=cuda, persistent_workers=cuda)


def data_path_rates(data: Dataset, cfg: TrainConfig, device: torch.device, seed: int,
                    epochs: int) -> tuple[float, float]:
    """images/s of each data path alone (batches produced on the device, no model):
    what the comparison is about, free of the model's arithmetic and of its noise."""
    cuda = device.type == "cuda"
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    x8, y = data.x_train.to(device), data.y_train.to(device)
    gen = torch.Generator(device=device).manual_seed(seed)
    order = torch.Generator().manual_seed(seed)
    bounds = lt._batch_bounds(len(y), cfg.batch_size)
    t0 = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(len(y), generator=order).to(device)
        for lo, hi in bounds:
            idx = perm[lo:hi]
            xb = lt._to_input(lt._augment(normalize(x8[idx], data.mean, data.std), cfg, gen),
                              device)
            yb = y[idx]
    sync()
    fast = epochs * sum(hi - lo for lo, hi in bounds) / (time.perf_counter() - t0)
    torch.manual_seed(seed)
    mean = torch.tensor(data.mean).view(1, -1, 1, 1)
    std = torch.tensor(data.std).view(1, -1, 1, 1)
    loader = make_loader((data.x_train.float() / 255.0 - mean) / std, data.y_train, cfg, cuda)
    images = 0
    t0 = time.perf_counter()
    for _ in range(epochs):
        for xb, yb in loader:
            xb, yb = xb.to(device, non_blocking=True), yb.to(device, non_blocking=True)
            images += len(yb)
    sync()
    return fast, images / (time.perf_counter() - t0)


def train_dataloader(model: nn.Module, data: Dataset, cfg: TrainConfig, epochs: int,
                     device: torch.device, seed: int) -> tuple[float, int]:
    """Train with a DataLoader; returns (seconds, images trained). Same optimizer as lemonade."""
    torch.manual_seed(seed)
    mean = torch.tensor(data.mean).view(1, -1, 1, 1)
    std = torch.tensor(data.std).view(1, -1, 1, 1)
    x = (data.x_train.float() / 255.0 - mean) / std
    cuda = device.type == "cuda"
    loader = make_loader(x, data.y_train, cfg, cuda)
    model.to(device).train()
    if cuda:
        model.to(memory_format=torch.channels_last)
    # The same optimizer and schedule as lemonade.train (its helpers, so they cannot drift).
    opt = lt._make_optimizer(model, cfg)
    sched = lt._make_scheduler(opt, cfg, epochs * len(loader))
    loss_fn = nn.CrossEntropyLoss(label_smoothing=cfg.label_smoothing)
    seconds, images = 0.0, 0
    for _ in range(epochs):
        t0 = time.perf_counter()
        for xb, yb in loader:
            xb = xb.to(device, non_blocking=True)
            yb = yb.to(device, non_blocking=True)
            if cuda:
                xb = xb.contiguous(memory_format=torch.channels_last)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=cuda):
                loss = loss_fn(model(xb), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if sched is not None:
                sched.step()
            images += len(yb)
        if cuda:
            torch.cuda.synchronize(device)
        seconds += time.perf_counter() - t0
    return seconds, images


def lemonade_rate(model: nn.Module, data: Dataset, cfg: TrainConfig, epochs: int,
                  device: torch.device, seed: int) -> float:
    res = lt.train_model(model, data, cfg, epochs=epochs, max_seconds=None, device=device,
                         seed=seed)
    per_epoch = sum(hi - lo for lo, hi in lt._batch_bounds(len(data.y_train), cfg.batch_size))
    return per_epoch * res.epochs_run / res.train_seconds


def dataloader_rate(model: nn.Module, data: Dataset, cfg: TrainConfig, epochs: int,
                    device: torch.device, seed: int) -> float:
    seconds, images = train_dataloader(model, data, cfg, epochs, device, seed)
    return images / seconds


RUNNERS = {"lemonade": lemonade_rate, "dataloader": dataloader_rate}


# -- the run ------------------------------------------------------------------------------------
def machine(device: torch.device) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    dev = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    return (f"machine: {cpu}, {os.cpu_count()} cores, torch {torch.__version__} "
            f"({torch.get_num_threads()} threads), python {platform.python_version()}, "
            f"device {dev}")


def datasets(device: torch.device, images: int | None, data_dir: Path) -> list[Dataset]:
    cuda = device.type == "cuda"
    n = images or (CUDA_IMAGES if cuda else CPU_IMAGES)
    # synthetic_size counts the whole pool (train + val + fixed test split).
    out = [load_dataset(DatasetConfig(name="synthetic", synthetic_size=max(4 * n, 200),
                                      limit_train=n), seed=0)]
    try:
        out.append(load_dataset(DatasetConfig(
            name="cifar10", data_dir=str(data_dir), download=False,
            limit_train=images or (None if cuda else CPU_IMAGES)), seed=0))
    except DatasetError as e:
        print(f"cifar10: skipped ({str(e).splitlines()[0]})")
    return out


def without_val(d: Dataset, n_train: int | None = None) -> Dataset:
    """Timing runs skip lemonade's per-epoch validation; both loops are evaluated once after."""
    return Dataset(name=d.name, x_train=d.x_train[:n_train], y_train=d.y_train[:n_train],
                   x_val=d.x_val[:0], y_val=d.y_val[:0], x_test=d.x_test, y_test=d.y_test,
                   num_classes=d.num_classes, mean=d.mean, std=d.std)


def warm_up(data: Dataset, cfg: TrainConfig, device: torch.device) -> None:
    """One untimed step of each loop: first-call costs (kernel selection, allocator growth,
    lazy imports) would otherwise land on whichever loop runs first."""
    small = without_val(data, cfg.batch_size)
    lt.train_model(RefResNet(data.channels, data.num_classes), small, cfg, epochs=1,
                   max_seconds=None, device=device, seed=0)
    train_dataloader(RefResNet(data.channels, data.num_classes), small, cfg, 1, device, 0)


def spread(xs: list[float], digits: int = 1) -> str:
    sd = statistics.stdev(xs) if len(xs) > 1 else 0.0
    return f"{statistics.mean(xs):.{digits}f} ± {sd:.{digits}f}"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="auto")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--images", type=int, default=None,
                    help=f"training images per dataset (default {CPU_IMAGES} on cpu, "
                         "all available / 20000 synthetic on cuda)")
    ap.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--threads", type=int, default=None,
                    help="torch CPU threads (default: torch's own choice); on a loaded shared "
                         "machine 1 thread gives steadier figures")
    args = ap.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)

    device = lt.resolve_device(args.device)
    cuda = device.type == "cuda"
    cfg = TrainConfig(batch_size=CUDA_BATCH if cuda else CPU_BATCH, **TRAIN)
    n_eval = EVAL_IMAGES_CUDA if cuda else EVAL_IMAGES_CPU
    print(machine(device))
    params = sum(p.numel() for p in RefResNet().parameters())
    print(f"net: RefResNet, {params:,} params; batch {cfg.batch_size}, {args.epochs} epochs, "
          f"{args.seeds} seeds; baseline DataLoader workers "
          f"{min(4, os.cpu_count() or 1) if cuda else 0}")
    t_start = time.perf_counter()
    for data in datasets(device, args.images, args.data_dir):
        train_only = without_val(data)
        x_eval, y_eval = data.x_test[:n_eval], data.y_test[:n_eval]
        warm_up(data, cfg, device)
        fast, slow, ratios, acc_fast, acc_slow = [], [], [], [], []
        d_fast, d_slow, d_ratios = [], [], []
        for seed in range(args.seeds):
            rate_fast, rate_slow = data_path_rates(train_only, cfg, device, seed, epochs=5)
            d_fast.append(rate_fast)
            d_slow.append(rate_slow)
            d_ratios.append(rate_fast / rate_slow)
            torch.manual_seed(seed)
            init = RefResNet(data.channels, data.num_classes).state_dict()
            m1 = RefResNet(data.channels, data.num_classes)
            m1.load_state_dict(init)
            m2 = RefResNet(data.channels, data.num_classes)
            m2.load_state_dict(init)
            models = {"lemonade": m1, "dataloader": m2}
            rates = {}
            # Alternate which loop goes first, so drift in machine load hits both alike.
            for name in (("lemonade", "dataloader") if seed % 2 == 0
                         else ("dataloader", "lemonade")):
                rates[name] = RUNNERS[name](models[name], train_only, cfg, args.epochs, device,
                                            seed)
            fast.append(rates["lemonade"])
            slow.append(rates["dataloader"])
            ratios.append(fast[-1] / slow[-1])
            for m, accs in ((m1, acc_fast), (m2, acc_slow)):
                accs.append(lt.evaluate_accuracy(m, x_eval, y_eval, data.mean, data.std,
                                                 device))
        print(f"\n{data.name}: {len(data.y_train)} train images "
              f"{tuple(data.x_train.shape[1:])}, eval on {len(y_eval)} test images "
              f"(mean ± sd over {args.seeds} seeds)")
        print(f"  lemonade.train  images/s {spread(fast)}   accuracy "
              f"{statistics.mean(acc_fast):.3f}")
        print(f"  DataLoader      images/s {spread(slow)}   accuracy "
              f"{statistics.mean(acc_slow):.3f}")
        print(f"  ratio (lemonade / DataLoader)  {spread(ratios, 2)}")
        print(f"  data path alone, no model (images/s): lemonade {spread(d_fast)}, "
              f"DataLoader {spread(d_slow)}, ratio {spread(d_ratios, 2)}")
    print(f"\ntotal {time.perf_counter() - t_start:.0f} s")


if __name__ == "__main__":
    main()
