"""The training recipe against plain SGD on a small zoo of digits models.

    python bench/recipe_zoo.py [--epochs 8] [--seeds 0 1] [--dataset digits]
    python bench/recipe_zoo.py --dataset cifar10 --epochs 8 --limit-train 2000 --seeds 0

The cifar10 arm (the partial CIFAR-10 in ../shared/data; bench/cifar_zoo.py's four ~0.2-0.3M
models) compares the default recipe with SGD + Nesterov momentum, a one-cycle schedule and label
smoothing (`AIRBENCH_LIKE`) instead of plain SGD.

For each model (with and without BatchNorm, residual, MLP) and seed, train with lemonade's default
recipe (`TrainConfig()`: its optimizer, lr, warm-up, schedule, label smoothing and weight decay)
and with plain SGD (constant lr 0.05, no schedule, no label smoothing, no weight decay; without
and with momentum 0.9; the same batches and augmentation), and print the test accuracies. The
recipe should train every model at least as well as plain SGD. CPU, one thread.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

from lemonade.config import DatasetConfig, TrainConfig
from lemonade.data import Dataset, load_dataset
from lemonade.train import evaluate_accuracy, train_model

PLAIN_SGD = TrainConfig(optimizer="sgd", lr=0.05, momentum=0.0, schedule="constant",
                        label_smoothing=0.0, weight_decay=0.0, warmup_fraction=0.0)
PLAIN_MOMENTUM = PLAIN_SGD.model_copy(update={"momentum": 0.9})
# SGD with Nesterov momentum (train.py uses Nesterov whenever momentum > 0), one-cycle, label
# smoothing 0.2, coupled weight decay 5e-4
AIRBENCH_LIKE = TrainConfig(optimizer="sgd", lr=0.1, momentum=0.9, schedule="onecycle",
                            warmup_fraction=0.25, label_smoothing=0.2, weight_decay=5e-4)


def _conv(cin: int, cout: int, bn: bool) -> list[nn.Module]:
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=not bn),
            *([nn.BatchNorm2d(cout)] if bn else []), nn.ReLU()]


def cnn(c: int, k: int, bn: bool = False) -> nn.Module:
    """~4-5k parameters: three 3x3 convs, two max pools, a linear head on the 2x2 map."""
    return nn.Sequential(*_conv(c, 8, bn), *_conv(8, 16, bn), nn.MaxPool2d(2),
                         *_conv(16, 16, bn), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64, k))


def cnn_gap(c: int, k: int) -> nn.Module:
    """~5k parameters, no BatchNorm, global average pooling: the slowest of the zoo to train."""
    return nn.Sequential(*_conv(c, 16, False), *_conv(16, 16, False), nn.MaxPool2d(2),
                         *_conv(16, 16, False), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(16, k))


def cnn_deep(c: int, k: int) -> nn.Module:
    """~6.6k parameters, five 3x3 convs without BatchNorm, global pooling: the hardest here."""
    return nn.Sequential(*_conv(c, 8, False), *_conv(8, 8, False), *_conv(8, 16, False),
                         nn.MaxPool2d(2), *_conv(16, 16, False), *_conv(16, 16, False),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, k))


class Residual(nn.Module):
    def __init__(self, width: int, bn: bool) -> None:
        super().__init__()
        self.body = nn.Sequential(*_conv(width, width, bn),
                                  nn.Conv2d(width, width, 3, padding=1, bias=not bn),
                                  *([nn.BatchNorm2d(width)] if bn else []))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(x + self.body(x))


def resnet(c: int, k: int, bn: bool = True) -> nn.Module:
    return nn.Sequential(*_conv(c, 12, bn), Residual(12, bn), nn.MaxPool2d(2), Residual(12, bn),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(12, k))


def mlp(c: int, k: int, depth: int = 2) -> nn.Module:
    layers: list[nn.Module] = [nn.Flatten(), nn.Linear(c * 64, 48), nn.ReLU()]
    for _ in range(depth - 1):
        layers += [nn.Linear(48, 48), nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(48, k))


ZOO: dict[str, Callable[[int, int], nn.Module]] = {
    "cnn (no BN)": cnn,
    "cnn + BN": lambda c, k: cnn(c, k, bn=True),
    "cnn, global pool (no BN)": cnn_gap,
    "cnn, 5 convs (no BN)": cnn_deep,
    "resnet + BN": resnet,
    "resnet (no BN)": lambda c, k: resnet(c, k, bn=False),
    "mlp": mlp,
    "mlp, 4 layers": lambda c, k: mlp(c, k, depth=4),
}


def test_accuracy(make: Callable[[int, int], nn.Module], data: Dataset, cfg: TrainConfig,
                  epochs: int, seed: int) -> float:
    torch.manual_seed(seed)
    model = make(data.channels, data.num_classes)
    res = train_model(model, data, cfg, epochs=epochs, max_seconds=None,
                      device=torch.device("cpu"), seed=seed)
    if res.status == "diverged":
        return 0.0
    return evaluate_accuracy(model, data.x_test, data.y_test, data.mean, data.std,
                             torch.device("cpu"))


def _chosen(zoo: dict[str, Callable[..., nn.Module]],
            wanted: list[str] | None) -> dict[str, Callable[..., nn.Module]]:
    """The zoo's models whose names contain one of `wanted` (case-insensitive); all without it."""
    if not wanted:
        return zoo
    chosen = {n: m for n, m in zoo.items() if any(w.lower() in n.lower() for w in wanted)}
    if not chosen:
        raise SystemExit(f"no zoo model matches {wanted}; models: {', '.join(zoo)}")
    return chosen


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--dataset", default="digits")
    ap.add_argument("--limit-train", type=int, default=None)
    ap.add_argument("--data-dir", type=Path, default=None, help="cifar10: the partial CIFAR-10")
    ap.add_argument("--models", nargs="+", default=None,
                    help="only these zoo models (names as printed, or a unique part of one)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    if args.dataset == "cifar10":
        cifar_arm(args)
        return
    data = load_dataset(DatasetConfig(name=args.dataset), 0)
    recipe = TrainConfig()
    print(f"{args.dataset}, {args.epochs} epochs, seeds {args.seeds}; test accuracy, mean "
          f"(min) over seeds\nrecipe: {recipe.optimizer} lr {recipe.lr} "
          f"momentum {recipe.momentum} {recipe.schedule} warm-up {recipe.warmup_fraction} "
          f"label smoothing {recipe.label_smoothing} weight decay {recipe.weight_decay}")
    print(f"{'model':28s} {'params':>7s} {'recipe':>14s} {'plain SGD':>14s} "
          f"{'SGD+momentum':>14s} {'diff':>7s}")
    t0 = time.perf_counter()
    worse = 0
    for name, make in _chosen(ZOO, args.models).items():
        params = sum(p.numel() for p in make(data.channels, data.num_classes).parameters())
        cols = [[test_accuracy(make, data, cfg, args.epochs, s) for s in args.seeds]
                for cfg in (recipe, PLAIN_SGD, PLAIN_MOMENTUM)]
        diff = statistics.mean(cols[0]) - max(statistics.mean(c) for c in cols[1:])
        worse += diff < 0
        print(f"{name:28s} {params:7d} " + " ".join(
            f"{statistics.mean(c):8.3f} ({min(c):.3f})" for c in cols) + f" {diff:+7.3f}",
            flush=True)
    print(f"recipe worse than plain SGD on {worse} of {len(_chosen(ZOO, args.models))} models; "
          f"{time.perf_counter() - t0:.0f} s")


def cifar_arm(args: argparse.Namespace) -> None:
    """The default recipe against AIRBENCH_LIKE on the CIFAR-sized zoo (test accuracy)."""
    import os
    import platform

    from cifar_zoo import CIFAR_ZOO

    shared = args.data_dir or Path(__file__).resolve().parents[2] / "shared" / "data"
    if not (shared / "cifar-10-batches-py").is_dir():
        print(f"partial CIFAR-10 not found at {shared}: nothing to measure")
        return
    data = load_dataset(DatasetConfig(name="cifar10", data_dir=str(shared), download=False,
                                      limit_train=args.limit_train), 0)
    recipes = {"AdamW cosine (default)": TrainConfig(), "SGD Nesterov one-cycle LS": AIRBENCH_LIKE}
    print(f"partial CIFAR-10, {data.x_train.shape[0]} train / {data.x_test.shape[0]} test, "
          f"{args.epochs} epochs, seeds {args.seeds}, 1 thread; {platform.machine()}, "
          f"{os.cpu_count()} cores, torch {torch.__version__}, load {os.getloadavg()[0]:.1f}")
    print("| model | params | " + " | ".join(recipes) + " | seconds |\n|---|---|---|---|---|")
    for name, make in _chosen(CIFAR_ZOO, args.models).items():
        params = sum(p.numel() for p in make(data.channels, data.num_classes).parameters())
        t = time.perf_counter()
        accs = [statistics.mean(test_accuracy(make, data, cfg, args.epochs, s)
                                for s in args.seeds) for cfg in recipes.values()]
        print(f"| {name} | {params:,} | " + " | ".join(f"{a:.3f}" for a in accs)
              + f" | {time.perf_counter() - t:.0f} |", flush=True)


if __name__ == "__main__":
    main()
