"""The training worker's side of one candidate: check, build, dry-run, train (no measurement).

    source ─ gate.check_source ─ modelfile.build_net ─ check_output (batch of 2, CPU)
           ─ on_built(untrained model) ─ train_model ─> TrainedCandidate   (train_candidate)

Nothing here ranks a candidate: the training worker (lemonade.sandbox.worker) exports what
`train_candidate` trained, and a separate process measures the exported artifact
(lemonade.sandbox.runner, lemonade.measure.program), so nothing the candidate runs can touch
the figures that rank it. `untrained_cost` is the untrained model's params and FLOPs, which the
worker reports before training (display only: the host's clock and prescreen read them).

A bad model never raises out of here: every failure becomes `status="failed"` with a reason the
proposer can repair from.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import torch
from torch import nn

from lemonade.config import Config
from lemonade.data import Dataset
from lemonade.gate import Violation, check_source
from lemonade.measure.graph_flops import count_graph_flops
from lemonade.modelfile import ModelFileError, build_net, check_output, count_params
from lemonade.train import EpochStats, TrainResult, train_model

MAX_REASON_CHARS = 2000  # a reason goes into prompts and the store: keep it bounded
_OOM_TEXTS = ("out of memory", "can't allocate memory", "cannot allocate memory")


@dataclass
class TrainedCandidate:
    """What the training worker produces: the trained model (or why not) and its history."""

    status: Literal["ok", "failed"]
    reason: str | None
    model: nn.Module | None = None
    train: TrainResult | None = None
    timings: dict[str, float] = field(default_factory=dict)


def _failed(reason: str, **kw: Any) -> TrainedCandidate:
    return TrainedCandidate(status="failed", reason=reason[:MAX_REASON_CHARS], **kw)


def is_out_of_memory(e: BaseException) -> bool:
    # torch.OutOfMemoryError is recent; older CUDA OOMs are RuntimeErrors saying so.
    if isinstance(e, MemoryError | getattr(torch, "OutOfMemoryError", MemoryError)):
        return True
    # CPU allocation failures (RLIMIT_AS in the worker) say "can't allocate memory" instead.
    text = str(e).lower()
    return isinstance(e, RuntimeError) and any(s in text for s in _OOM_TEXTS)


def _describe(e: BaseException) -> str:
    """First line of the message; the exception type too unless it is our own model-file error."""
    lines = str(e).strip().splitlines()
    first = lines[0] if lines else ""
    if isinstance(e, ModelFileError) and first:
        return first
    return f"{type(e).__name__}: {first}".strip().rstrip(":")


def _where(v: Violation) -> str:
    return f"line {v.line}:{v.col}: " if v.line > 0 else ""


def plain_container_modules(model: nn.Module) -> list[str]:
    """Attributes that hold layers in a plain list, tuple or dict: never trained, never counted."""
    found = []
    for prefix, mod in model.named_modules():
        for name, value in vars(mod).items():
            items = (value.values() if isinstance(value, dict) and not name.startswith("_")
                     else value if isinstance(value, list | tuple) else ())
            if any(isinstance(v, nn.Module) for v in items):
                found.append(f"{prefix}.{name}" if prefix else name)
    return found


def _build(source: str, data: Dataset, cfg: Config, timings: dict[str, float]
           ) -> nn.Module | TrainedCandidate:
    """Static check, build and dry run; the model, or the failed result saying why."""
    try:
        violations = check_source(source)
    except Exception as e:  # a checker bug must not crash the worker; the source stays unrun
        return _failed(f"static check crashed: {_describe(e)}", timings=timings)
    if violations:
        lines = "; ".join(f"{_where(v)}{v.message}" for v in violations)
        return _failed(f"rejected by the static check: {lines}", timings=timings)
    torch.manual_seed(cfg.seed)  # the weight initialisation is part of the experiment
    try:
        model = build_net(source, in_channels=data.channels, num_classes=data.num_classes)
    except Exception as e:
        what = "out of memory" if is_out_of_memory(e) else "could not build Net"
        return _failed(f"{what}: {_describe(e)}", timings=timings)
    plain = plain_container_modules(model)
    if plain:
        return _failed(f"layers kept in a plain Python list/dict ({', '.join(plain[:3])}) are "
                       "never trained nor counted: use nn.ModuleList or nn.ModuleDict",
                       timings=timings)
    try:
        check_output(model, data.channels, data.image_size, data.num_classes, device="cpu",
                     source=source)
    except Exception as e:
        if is_out_of_memory(e):
            return _failed(f"out of memory: {_describe(e)}", timings=timings)
        return _failed(f"dry run failed: {_describe(e)}", timings=timings)
    return model


def train_candidate(source: str, data: Dataset, cfg: Config, device: torch.device,
                    on_epoch: Callable[[EpochStats], None] | None = None,
                    on_built: Callable[[nn.Module], None] | None = None,
                    should_stop: Callable[[], bool] | None = None) -> TrainedCandidate:
    """Build and train only (the training worker's job): no measurement, no energy tracker,
    nothing here ranks the candidate. `data` may hold the train split alone. `on_built` sees
    the untrained model; `should_stop` may end training at the last completed epoch (a
    candidate stopped after at least one epoch is "ok", its training status "stopped")."""
    device = torch.device(device)
    timings: dict[str, float] = {}
    t = time.perf_counter()
    built = _build(source, data, cfg, timings)
    if isinstance(built, TrainedCandidate):
        return built
    model = built
    timings["build_s"] = time.perf_counter() - t
    if on_built is not None:
        on_built(model)
    _preload_optimizer_imports()
    t = time.perf_counter()
    try:
        train = train_model(model, data, cfg.train, epochs=cfg.budget.epochs,
                            max_seconds=cfg.budget.seconds_per_candidate, device=device,
                            seed=cfg.seed, on_epoch=on_epoch, should_stop=should_stop)
    except Exception as e:
        timings["train_s"] = time.perf_counter() - t
        _release(device)
        what = "out of memory" if is_out_of_memory(e) else "training failed"
        return TrainedCandidate("failed", f"{what}: {_describe(e)}"[:MAX_REASON_CHARS],
                                timings=timings)
    timings["train_s"] = time.perf_counter() - t
    if train.status == "diverged":
        return TrainedCandidate("failed", f"training diverged: {train.reason}", train=train,
                                timings=timings)
    if train.status == "stopped" and train.epochs_run < 1:
        return TrainedCandidate("failed", "stopped by the time budget before its first epoch "
                                "ended", train=train, timings=timings)
    return TrainedCandidate("ok", _note(train), model=model, train=train, timings=timings)


def _preload_optimizer_imports() -> None:
    """Import torch._dynamo now, outside the energy window.

    torch.optim's first optimizer imports it lazily (2-4 s of CPU on a small machine, once per
    process, i.e. once per candidate in a worker); inside the tracker it would be billed as
    training energy.
    """
    with contextlib.suppress(Exception):  # an optimisation of the measurement only
        import torch._dynamo  # noqa: F401


def _note(train: TrainResult) -> str | None:
    """A success may still carry news (stopped at the time budget, compile fell back)."""
    parts = ([train.reason] if train.reason else []) + list(getattr(train, "notes", []) or [])
    return "; ".join(parts) or None


def _release(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.empty_cache()


def untrained_cost(model: nn.Module, in_channels: int, image_size: tuple[int, int],
                   latency: bool = False) -> dict[str, Any]:
    """Params, FLOPs per image and stored size of a model before training, and with `latency`
    its batch-1 forward time (display only: the host's clock and prescreen, lemonade.prescreen).

    Counted as the trusted measurement counts the trained model, where that needs no export:
    FLOPs by the same graph counter (lemonade.measure.graph_flops) on one blank image in eval
    mode (the mode comes back); the size as the safetensors serialisation of the stored tensors
    laid out as the exported graph stores them (`stored_size_bytes`; training changes values,
    not shapes); params as `model.parameters()` counts them. The latency is the median of
    LATENCY_REPEATS forwards on one thread, before training starts: noisy on a busy machine, so
    it is measured only when asked. A figure that cannot be had leaves `<name>_error`."""
    out: dict[str, Any] = {"params": count_params(model)}
    x = torch.zeros(1, in_channels, *image_size, device=_device_of(model))
    was_training = model.training
    model.eval()  # batch-1 BatchNorm in train mode would fail; eval is the deployed graph
    try:
        out["flops"] = count_graph_flops(model, x).total
    except Exception as e:  # the clock falls back to its default; training goes on
        out["flops_error"] = f"{type(e).__name__}: {e}"[:200]
    finally:
        model.train(was_training)
    try:
        out["model_size_bytes"] = stored_size_bytes(model)
    except Exception as e:  # the trusted measurement will say what is wrong with it
        out["model_size_bytes_error"] = f"{type(e).__name__}: {e}"[:200]
    if latency:
        try:
            out["latency_ms"] = _latency_ms(model, x)
        except Exception as e:  # the forward pass fails: training will report it
            out["latency_ms_error"] = f"{type(e).__name__}: {e}"[:200]
    return out


def stored_size_bytes(model: nn.Module) -> int:
    """The safetensors serialisation of a module's parameters and buffers, named and ordered as
    the exported graph's stored inputs are (lemonade.sandbox.artifacts.ProgramModule): the
    trusted `model_size_bytes` of a graph with no literal numbers and no lifted constants."""
    from safetensors.torch import save

    tensors = [*model.parameters(), *model.buffers()]
    return len(save({f"t{i}": t.detach().cpu().contiguous() for i, t in enumerate(tensors)}))


def _device_of(model: nn.Module) -> torch.device:
    return next((t.device for t in (*model.parameters(), *model.buffers())),
                torch.device("cpu"))


LATENCY_WARMUP, LATENCY_REPEATS = 2, 5


def _latency_ms(model: nn.Module, x: torch.Tensor) -> float:
    """Median forward time in ms of `model` on `x`, on one thread (as the trusted latency
    defaults to), in eval mode; the model's mode and the thread count are restored."""
    import statistics

    was_training, threads = model.training, torch.get_num_threads()
    times = []
    try:
        model.eval()
        torch.set_num_threads(1)
        with torch.inference_mode():
            for i in range(LATENCY_WARMUP + LATENCY_REPEATS):
                t0 = time.perf_counter()
                model(x)
                if x.device.type == "cuda":
                    torch.cuda.synchronize(x.device)
                if i >= LATENCY_WARMUP:
                    times.append((time.perf_counter() - t0) * 1e3)
    finally:
        torch.set_num_threads(threads)
        model.train(was_training)
    return statistics.median(times)
