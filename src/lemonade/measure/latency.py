"""Inference latency (batch 1) and throughput (a larger batch) on the target device.

The model is copied to the target device and timed in eval mode under `torch.inference_mode`,
after warm-up runs (first calls pay for allocation and kernel selection). CPU timing uses
`perf_counter`; CUDA timing uses CUDA events after a synchronize, since kernel launches are async.
The median is reported: the mean is pulled up by the scheduler hiccups of a shared machine.
"""

from __future__ import annotations

import copy
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch
from torch import nn

from lemonade.config import MeasureConfig
from lemonade.metrics import Measurement, measured, unavailable


def latency_device(cfg: MeasureConfig, train_device: torch.device) -> torch.device | None:
    """The device latency is measured on; None when the configured one is not here."""
    if cfg.latency_device == "auto":
        return torch.device(train_device)
    if cfg.latency_device == "cuda" and not torch.cuda.is_available():
        return None
    return torch.device(cfg.latency_device)


@contextmanager
def cpu_threads(n: int | None) -> Iterator[int]:
    """Set torch's intra-op CPU threads for the block and restore the previous value after."""
    before = torch.get_num_threads()
    if n is not None and n != before:
        torch.set_num_threads(n)
    try:
        yield torch.get_num_threads()
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)


def _timer(device: torch.device) -> Callable[[Callable[[], object]], float]:
    """A function that runs `fn` once and returns its wall time in ms on `device`."""
    if device.type == "cuda":
        def run_cuda(fn: Callable[[], object]) -> float:
            start = torch.cuda.Event(enable_timing=True)
            end = torch.cuda.Event(enable_timing=True)
            start.record()
            fn()
            end.record()
            end.synchronize()
            return float(start.elapsed_time(end))
        return run_cuda

    def run_cpu(fn: Callable[[], object]) -> float:
        t0 = time.perf_counter()
        fn()
        return (time.perf_counter() - t0) * 1e3
    return run_cpu


def time_forward(model: nn.Module, x: torch.Tensor, warmup: int, repeats: int) -> list[float]:
    """Per-call forward times in ms (after `warmup` untimed calls)."""
    timer = _timer(x.device)
    with torch.inference_mode():
        for _ in range(warmup):
            model(x)
        if x.device.type == "cuda":
            torch.cuda.synchronize(x.device)
        return [timer(lambda: model(x)) for _ in range(repeats)]


def latency_and_fps(model: nn.Module, in_channels: int, image_size: tuple[int, int],
                    cfg: MeasureConfig, train_device: torch.device) -> list[Measurement]:
    """`latency_ms` (median batch-1 forward) and `fps` (images/s at `cfg.fps_batch_size`)."""
    device = latency_device(cfg, train_device)
    if device is None:
        why = f"measure.latency_device is {cfg.latency_device!r} but CUDA is not available here"
        return [unavailable("latency_ms", why), unavailable("fps", why)]
    net = copy.deepcopy(model).to(device).eval()  # never move or mode-switch the caller's model
    h, w = image_size
    gen = torch.Generator().manual_seed(0)
    x1 = torch.randn(1, in_channels, h, w, generator=gen).to(device)
    xb = torch.randn(cfg.fps_batch_size, in_channels, h, w, generator=gen).to(device)
    # Throughput repeats: fewer than latency ones, a batch costs many single forwards.
    fps_repeats = max(3, cfg.latency_repeats // 3)
    threads = cfg.latency_threads if device.type == "cpu" else None
    with cpu_threads(threads) as used:
        lat = time_forward(net, x1, cfg.latency_warmup, cfg.latency_repeats)
        bat = time_forward(net, xb, max(1, cfg.latency_warmup // 2), fps_repeats)
    lat_ms = statistics.median(lat)
    batch_ms = statistics.median(bat)
    common = {
        "device": str(device),
        "threads": used if device.type == "cpu" else None,
        "timer": "cuda events" if device.type == "cuda" else "time.perf_counter",
        "mode": "eval, torch.inference_mode, float32",
        "input_shape": [in_channels, h, w],
    }
    return [
        measured("latency_ms", lat_ms, batch_size=1, statistic="median",
                 warmup=cfg.latency_warmup, repeats=cfg.latency_repeats,
                 spread_ms=[min(lat), max(lat)], **common),
        measured("fps", cfg.fps_batch_size / (batch_ms / 1e3), batch_size=cfg.fps_batch_size,
                 statistic="batch / median batch time", repeats=fps_repeats, **common),
    ]
