"""One candidate end to end, in whatever process calls it: check, build, dry-run, train, measure.

    source ─ sandbox.check_source ─ modelfile.build_net ─ check_output (batch of 2, CPU)
           ─ train_model inside EnergyTracker ─ measure_model ─> EvalResult   (evaluate_source)
    source ─ ... ─ train_model ─> TrainedCandidate                           (train_candidate)

`evaluate_source` measures in the calling process: fine for trusted code and tests. Searches and
`lemonade evaluate` use `train_candidate` inside the training worker and measure the exported
artifact in a separate process (`lemonade.sandbox.runner`), so nothing the candidate runs can
touch the figures that rank it.

A bad model never raises out of here: every failure becomes `status="failed"` with a reason the
proposer can repair from, and whatever could still be measured (params, FLOPs...) is kept.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import torch
from torch import nn

from lemonade.config import Config
from lemonade.data import Dataset
from lemonade.gate import Violation, check_source
from lemonade.measure import EnergyTracker, measure_model, reset_peak_memory, static_metrics
from lemonade.metrics import Measurement, to_json
from lemonade.modelfile import ModelFileError, build_net, check_output
from lemonade.train import EpochStats, TrainResult, train_model

MAX_REASON_CHARS = 2000  # a reason goes into prompts and the store: keep it bounded
_OOM_TEXTS = ("out of memory", "can't allocate memory", "cannot allocate memory")


@dataclass
class EvalResult:
    status: Literal["ok", "failed"]
    reason: str | None
    metrics: dict[str, Measurement] = field(default_factory=dict)
    history: list[EpochStats] = field(default_factory=list)
    state_dict: dict[str, torch.Tensor] | None = None  # CPU tensors, on success only
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase

    def to_json(self) -> dict[str, Any]:
        """Everything but the weights, as plain JSON types."""
        return {
            "status": self.status,
            "reason": self.reason,
            "metrics": to_json(self.metrics),
            "history": [asdict(e) for e in self.history],
            "timings": dict(self.timings),
        }


def _failed(reason: str, **kw: Any) -> EvalResult:
    return EvalResult(status="failed", reason=reason[:MAX_REASON_CHARS], **kw)


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


def _cpu_state(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}


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
           ) -> nn.Module | EvalResult:
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


@dataclass
class TrainedCandidate:
    """What the training worker produces: the trained model (or why not) and its history."""

    status: Literal["ok", "failed"]
    reason: str | None
    model: nn.Module | None = None
    train: TrainResult | None = None
    timings: dict[str, float] = field(default_factory=dict)


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
    if isinstance(built, EvalResult):
        return TrainedCandidate("failed", built.reason, timings=timings)
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


def evaluate_source(source: str, data: Dataset, cfg: Config, device: torch.device,
                    on_epoch: Callable[[EpochStats], None] | None = None) -> EvalResult:
    """Evaluate one model file's source on `data`; never raises for a bad model."""
    device = torch.device(device)
    timings: dict[str, float] = {}
    t = time.perf_counter()

    # -- static checks first: nothing of the source runs before they pass (in _build) ----------
    # -- build and dry run: shape errors surface here, before any training time is spent -------
    built = _build(source, data, cfg, timings)
    if isinstance(built, EvalResult):
        return built
    model = built
    timings["build_s"] = time.perf_counter() - t

    # -- train, inside the energy tracker --------------------------------------------------------
    _preload_optimizer_imports()
    t = time.perf_counter()
    reset_peak_memory(device)
    tracker = EnergyTracker(cfg.measure, device)
    try:
        with tracker:
            train = train_model(
                model, data, cfg.train, epochs=cfg.budget.epochs,
                max_seconds=cfg.budget.seconds_per_candidate, device=device, seed=cfg.seed,
                on_epoch=on_epoch,
            )
    except Exception as e:
        timings["train_s"] = time.perf_counter() - t
        oom = is_out_of_memory(e)
        _release(device)
        what = "out of memory" if oom else "training failed"
        return _failed(f"{what}: {_describe(e)}", timings=timings,
                       metrics=_static_only(model, data))
    timings["train_s"] = time.perf_counter() - t
    timings["energy_tracker_overhead_s"] = tracker.startup_s + tracker.shutdown_s

    # -- measure ---------------------------------------------------------------------------------
    t = time.perf_counter()
    energy = tracker.measurements()  # unavailable with the reason when disabled or failed
    try:
        metrics = measure_model(model, data, train, cfg.measure, device, energy)
    except Exception as e:  # measure_model guards each metric; this is a last resort
        return _failed(f"measurement failed: {_describe(e)}", timings=timings,
                       history=train.history)
    timings["measure_s"] = time.perf_counter() - t

    if train.status == "diverged":
        return _failed(f"training diverged: {train.reason}", metrics=metrics,
                       history=train.history, timings=timings)
    return EvalResult(status="ok", reason=_note(train), metrics=metrics, history=train.history,
                      state_dict=_cpu_state(model), timings=timings)


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


def _static_only(model: nn.Module, data: Dataset) -> dict[str, Measurement]:
    try:
        return static_metrics(model.cpu(), data.channels, data.image_size)
    except Exception:
        return {}


def _release(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.empty_cache()


def evaluate_file(path: str | Path, data: Dataset, cfg: Config, device: torch.device,
                  on_epoch: Callable[[EpochStats], None] | None = None) -> EvalResult:
    """`evaluate_source` on a model file; an unreadable file is a failed result too."""
    try:
        source = Path(path).read_text()
    except (OSError, UnicodeDecodeError) as e:
        return _failed(f"cannot read model file {path}: {e}")
    return evaluate_source(source, data, cfg, device, on_epoch=on_epoch)
