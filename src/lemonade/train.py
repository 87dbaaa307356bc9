"""Train one candidate network: the whole loop in one file, read top to bottom (after airbench).

Sections run in the order the code runs:
  1. knobs      -- `lemonade.config.TrainConfig` (batch size, optimizer, lr, schedule, augmentation,
                   label smoothing, compile), documented there in one block; the epoch and time
                   budgets, device and seed are arguments of `train_model`.
  2. data       -- the whole dataset goes to the device once, as uint8; each batch is normalised
                   and augmented there with batched ops (`lemonade.data.augment`), so no
                   per-image Python runs and no DataLoader workers are needed
                   (`bench/train_speed.py` compares the two).
  3. network    -- device, channels_last and bf16 autocast on CUDA, optional torch.compile,
                   optimizer with weight decay only on weights, per-batch lr schedule.
  4. training   -- seeded permutation per epoch; stops at once on a non-finite loss ("diverged"),
                   or after the epoch that crosses the time budget ("time_budget").
  5. evaluation -- full validation split after every epoch, eval mode, no grad.

Timing: `train_seconds` (and `EpochStats.seconds`) count the training steps, including the first
steps' compile and warm-up, because that is what a user pays to get the model (the one-off setup
before the first epoch -- moving data and model, building the optimizer -- is not); they exclude the
per-epoch validation pass, which is measurement, not training, and would otherwise make the figure
depend on the size of the validation split. The time budget `max_seconds` is wall clock of the
whole call (validation included), because it bounds how long the caller waits.

Reproducibility: on the CPU the same seed gives an identical history (same thread count). On
CUDA, cuDNN autotuning and atomics make runs close but not bit-identical.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import torch
from torch import nn

from lemonade.config import TrainConfig, auto_batch_size, resolve_train
from lemonade.data import Dataset
from lemonade.data.augment import normalize, random_crop, random_flip
from lemonade.metrics import top1_hits

# On CUDA the loss is checked for NaN/inf every this many steps: each check waits for the GPU,
# and a diverged run wastes at most this many steps. On the CPU every step is checked (free).
_CUDA_FINITE_CHECK_EVERY = 16


@dataclass
class EpochStats:
    epoch: int  # 1-based
    loss: float  # mean training loss over the examples seen this epoch (label-smoothed)
    train_accuracy: float  # on the augmented training batches seen (free by-product of training)
    val_accuracy: float | None  # full validation split, eval mode; None when the split is empty
    seconds: float  # training time of this epoch, validation excluded
    lr: float  # learning rate of the epoch's last step

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TrainResult:
    history: list[EpochStats]
    status: Literal["ok", "diverged", "time_budget", "stopped"]
    reason: str | None
    train_seconds: float  # sum of the epochs' training time (compile/warm-up in, validation out)
    epochs_run: int  # completed epochs (a diverged epoch is not counted)
    train_accuracy: float | None  # of the last completed epoch
    val_accuracy: float | None  # of the last completed epoch
    notes: list[str] = field(default_factory=list)  # e.g. "torch.compile failed (...); ran eager"

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["history"] = [e.to_json() for e in self.history]
        return d


def resolve_device(name: str) -> torch.device:
    """`auto` -> cuda when available else cpu; asking for cuda without it is an error."""
    key = name.strip().lower()
    if key == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if key.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ValueError(f"device {name!r} requested but CUDA is not available on this "
                             "machine (torch built without CUDA, or no GPU visible); "
                             "use device: cpu or auto")
        return torch.device(key)
    if key == "cpu":
        return torch.device("cpu")
    raise ValueError(f"unknown device {name!r}; allowed: auto, cpu, cuda")


# ---------------------------------------------------------------------------------------------
# evaluation (used after every epoch, and by lemonade.measure for the test split)
# ---------------------------------------------------------------------------------------------

def evaluate_accuracy(model: nn.Module, x_uint8: torch.Tensor, y: torch.Tensor,
                      mean: tuple[float, ...], std: tuple[float, ...], device: torch.device,
                      batch_size: int = 512) -> float:
    """Top-1 accuracy of `model` on uint8 images (N, C, H, W), in eval mode without gradients.

    The images may live on the CPU or already on `device`; batches are moved as needed. The
    model's train/eval mode is restored afterwards.
    """
    n = int(x_uint8.shape[0])
    if n == 0:
        raise ValueError("evaluate_accuracy: no examples to evaluate (empty split)")
    device = torch.device(device)
    was_training = model.training
    model.eval()
    correct = torch.zeros((), dtype=torch.int64, device=device)
    try:
        with torch.no_grad(), _autocast(device):
            for i in range(0, n, batch_size):
                xb = _to_input(normalize(x_uint8[i:i + batch_size].to(device), mean, std), device)
                yb = y[i:i + batch_size].to(device)
                correct += top1_hits(model(xb), yb)
    finally:
        model.train(was_training)
    return correct.item() / n


# ---------------------------------------------------------------------------------------------
# training
# ---------------------------------------------------------------------------------------------

def train_model(model: nn.Module, data: Dataset, cfg: TrainConfig, *, epochs: int,
                max_seconds: float | None, device: torch.device, seed: int,
                on_epoch: Callable[[EpochStats], None] | None = None,
                should_stop: Callable[[], bool] | None = None) -> TrainResult:
    """Train `model` in place on `data.x_train` and report per-epoch statistics.

    Stops after `epochs` epochs, after the epoch during which `max_seconds` (wall clock) ran out
    (status "time_budget"), or at once when the loss is not finite (status "diverged").
    `should_stop` is asked before every step: when it says so, the model goes back to its
    weights at the last completed epoch and training ends (status "stopped"; lemonade.budget).
    Errors raised by the model itself (shape mismatches, out of memory) propagate to the caller.
    """
    start = time.perf_counter()
    if epochs < 1:
        raise ValueError(f"epochs must be >= 1, got {epochs}")
    n_train = int(data.x_train.shape[0])
    if n_train == 0:
        raise ValueError(f"dataset {data.name!r} has an empty training split")
    device = torch.device(device)
    cuda = device.type == "cuda"
    # settings left to auto (batch size, flip, crop padding) take the dataset's defaults
    cfg = resolve_train(cfg, data.name, n_train)

    # -- data: once to the device as uint8 (a quarter of float32's memory and transfer) ---------
    x_train, y_train = data.x_train.to(device), data.y_train.to(device)
    x_val, y_val = data.x_val.to(device), data.y_val.to(device)
    batches = _batch_bounds(n_train, cfg.batch_size or auto_batch_size(n_train))  # resolved
    steps_per_epoch = len(batches)
    # Order on a CPU generator (identical on every device); augmentation draws on the device so
    # random crops and flips need no host round trip.
    order_gen = torch.Generator().manual_seed(seed)
    aug_gen = torch.Generator(device=device).manual_seed(seed + 1)
    # Dropout and other randomness inside the candidate draw from the global generator.
    torch.manual_seed(seed)

    # -- network ----------------------------------------------------------------------------
    model.to(device)
    if cuda:
        # tensor-core friendly conv layout (torch's stubs lack this overload of Module.to)
        model.to(memory_format=torch.channels_last)  # type: ignore[call-overload]
        # Shapes are fixed batch to batch, so cuDNN's autotuner pays off; the worker process
        # trains one candidate, so this process-wide flag affects nobody else.
        torch.backends.cudnn.benchmark = True
    model.train()
    notes: list[str] = []
    forward: Callable[[torch.Tensor], torch.Tensor] = model
    if cfg.compile:
        try:
            forward = torch.compile(model)
        except Exception as e:  # compile is an optimisation: never fail a candidate for it
            notes.append(f"torch.compile unavailable ({type(e).__name__}: {e}); ran eager")
    optimizer = _make_optimizer(model, cfg)
    total_steps = epochs * steps_per_epoch
    scheduler = _make_scheduler(optimizer, cfg, total_steps)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=cfg.label_smoothing)
    check_every = _CUDA_FINITE_CHECK_EVERY if cuda else 1

    # -- training ---------------------------------------------------------------------------
    history: list[EpochStats] = []
    train_seconds = 0.0
    status: Literal["ok", "diverged", "time_budget", "stopped"] = "ok"
    reason: str | None = None
    snapshot: dict[str, torch.Tensor] | None = None  # the weights at the last completed epoch
    compiled_pending = forward is not model  # the first compiled call is where compile fails
    last_lr = cfg.lr
    for epoch in range(1, epochs + 1):
        epoch_start = time.perf_counter()
        perm = torch.randperm(n_train, generator=order_gen).to(device)
        step_losses = torch.zeros(steps_per_epoch, device=device)
        correct = torch.zeros((), dtype=torch.int64, device=device)
        seen = 0
        checked = 0
        for step, (lo, hi) in enumerate(batches):
            if should_stop is not None and should_stop():
                status, reason = "stopped", f"stopped after {len(history)} of {epochs} epochs"
                if snapshot is not None:
                    model.load_state_dict(snapshot)
                break
            idx = perm[lo:hi]
            xb = _augment(normalize(x_train[idx], data.mean, data.std), cfg, aug_gen)
            xb, yb = _to_input(xb, device), y_train[idx]
            with _autocast(device):
                if compiled_pending:
                    try:
                        out = forward(xb)
                    except Exception as e:
                        notes.append(f"torch.compile failed ({type(e).__name__}: "
                                     f"{str(e)[:200]}); ran eager")
                        forward = model
                        out = forward(xb)
                    compiled_pending = False
                else:
                    out = forward(xb)
                loss = loss_fn(out, yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            last_lr = optimizer.param_groups[0]["lr"]  # all groups share the lr
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            step_losses[step] = loss.detach().float()
            correct += top1_hits(out.detach(), yb)
            seen += hi - lo
            if step + 1 - checked >= check_every or step + 1 == steps_per_epoch:
                bad = _first_non_finite(step_losses[checked:step + 1])
                if bad is not None:
                    value = step_losses[checked + bad].item()
                    status, reason = "diverged", (f"loss became {value} at epoch {epoch}, "
                                                  f"step {checked + bad + 1}")
                    break
                checked = step + 1
        if cuda:
            torch.cuda.synchronize(device)  # the GPU runs ahead; time the work, not the queueing
        epoch_seconds = time.perf_counter() - epoch_start
        train_seconds += epoch_seconds
        if status in ("diverged", "stopped"):
            break

        # -- evaluation ---------------------------------------------------------------------
        sizes = torch.tensor([hi - lo for lo, hi in batches], dtype=torch.float32, device=device)
        mean_loss = float((step_losses * sizes).sum().item() / seen)
        val_acc = None
        if x_val.shape[0] > 0:
            val_acc = evaluate_accuracy(model, x_val, y_val, data.mean, data.std, device,
                                        batch_size=cfg.eval_batch_size)
        stats = EpochStats(epoch=epoch, loss=mean_loss, train_accuracy=correct.item() / seen,
                           val_accuracy=val_acc, seconds=epoch_seconds, lr=float(last_lr))
        history.append(stats)
        if should_stop is not None and epoch < epochs:
            snapshot = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if on_epoch is not None:
            on_epoch(stats)
        if (max_seconds is not None and epoch < epochs
                and time.perf_counter() - start >= max_seconds):
            status = "time_budget"
            reason = (f"time budget of {max_seconds:g} s used up after {epoch} of {epochs} "
                      "epochs")
            break

    last = history[-1] if history else None
    return TrainResult(
        history=history, status=status, reason=reason, train_seconds=train_seconds,
        epochs_run=len(history),
        train_accuracy=last.train_accuracy if last else None,
        val_accuracy=last.val_accuracy if last else None,
        notes=notes,
    )


# ---------------------------------------------------------------------------------------------
# helpers, in the order train_model uses them
# ---------------------------------------------------------------------------------------------

def _batch_bounds(n: int, batch_size: int) -> list[tuple[int, int]]:
    """(start, end) of each batch over a permutation of n examples.

    A batch size above n gives one batch of everything. The last partial batch is kept (its
    examples would otherwise never be trained on in that epoch) unless it holds a single
    example: BatchNorm in training mode cannot normalise a batch of one.
    """
    bs = min(batch_size, n)
    bounds = [(lo, min(lo + bs, n)) for lo in range(0, n, bs)]
    if len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] == 1:
        bounds.pop()
    return bounds


def _augment(x: torch.Tensor, cfg: TrainConfig, gen: torch.Generator) -> torch.Tensor:
    if not cfg.augment:
        return x
    if cfg.crop_padding:  # resolved: None only before resolve_train
        x = random_crop(x, cfg.crop_padding, gen)
    if cfg.flip:
        x = random_flip(x, gen)
    return x


def _to_input(x: torch.Tensor, device: torch.device) -> torch.Tensor:
    if device.type == "cuda":
        return x.contiguous(memory_format=torch.channels_last)
    return x


def _autocast(device: torch.device) -> Any:
    # bf16 on CUDA: tensor-core speed with fp32's exponent range, so no loss scaling is needed.
    # The CPU stays fp32: bf16 autocast there is slower on most CPUs and changes the numbers.
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16,
                          enabled=device.type == "cuda")


def _make_optimizer(model: nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    # Weight decay only on weight matrices and conv kernels (ndim >= 2), not on norm scales
    # and shifts or biases (ndim <= 1): decaying a norm layer's scale fights the normalisation
    # without regularising anything (the output is invariant to the scale of the weights before
    # it), and biases add no capacity worth penalising (Goyal et al. 2017, "no bias decay").
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError("model has no trainable parameters")
    decay = [p for p in params if p.ndim >= 2]
    no_decay = [p for p in params if p.ndim < 2]
    groups = [{"params": decay, "weight_decay": cfg.weight_decay},
              {"params": no_decay, "weight_decay": 0.0}]
    groups = [g for g in groups if g["params"]]
    if cfg.optimizer == "adamw":
        return torch.optim.AdamW(groups, lr=cfg.lr)
    return torch.optim.SGD(groups, lr=cfg.lr, momentum=cfg.momentum,
                           nesterov=cfg.momentum > 0)  # Nesterov needs momentum


def _make_scheduler(optimizer: torch.optim.Optimizer, cfg: TrainConfig,
                    total_steps: int) -> torch.optim.lr_scheduler.LRScheduler | None:
    """A per-batch schedule over the planned steps (a time budget may end it early).

    onecycle: Smith & Topin 2017 (super-convergence): warm up to cfg.lr over `warmup_fraction`
    of the steps, then anneal to ~0 (cycle_momentum off so cfg.momentum means what it says).
    cosine / constant: a linear warm-up from 0 over `warmup_fraction` of the steps, then a cosine
    to 0, or cfg.lr held.
    """
    total = max(total_steps, 1)
    if cfg.schedule == "onecycle":
        if total < 4:  # OneCycleLR needs at least two steps in each phase
            return None
        return torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=cfg.lr, total_steps=total, cycle_momentum=False,
            pct_start=min(0.5, max(cfg.warmup_fraction, 2.0 / total)))
    warm = round(cfg.warmup_fraction * total)
    if cfg.schedule == "constant" and warm == 0:
        return None
    cosine = cfg.schedule == "cosine"

    def factor(step: int) -> float:
        if step < warm:
            return (step + 1) / (warm + 1)
        if not cosine:
            return 1.0
        done = (step - warm) / max(1, total - warm)
        return 0.5 * (1.0 + math.cos(math.pi * min(1.0, done)))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _first_non_finite(losses: torch.Tensor) -> int | None:
    bad = ~torch.isfinite(losses)
    if not bool(bad.any()):
        return None
    return int(bad.nonzero()[0, 0].item())
