"""Inference latency (batch 1) and throughput (a larger batch) on the target device.

The model is copied to the target device and timed in eval mode under `torch.inference_mode`,
after warm-up runs (first calls pay for allocation and kernel selection). CPU timing uses
`perf_counter`; CUDA timing uses CUDA events after a synchronize, since kernel launches are async.
The median is reported: the mean is pulled up by the scheduler hiccups of a shared machine.

`latency_and_fps_onnxruntime` times the same figures in the deploy runtime instead: the model
exported to ONNX and run in an onnxruntime CPU session (`measure.latency_runtime: onnxruntime`).
"""

from __future__ import annotations

import contextlib
import copy
import io
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from lemonade.config import MeasureConfig
from lemonade.exporters import export_onnx
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


def example_inputs(in_channels: int, image_size: tuple[int, int], batch: int,
                   images: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
    """The batch-1 and the `batch` inputs timed: the first of `images` and `images` repeated to
    `batch` (real images, as the trusted measurement passes them), else seeded random ones."""
    if images is not None and images.shape[0]:
        x = images.float()
        return x[:1], x[torch.arange(batch) % int(x.shape[0])]
    h, w = image_size
    gen = torch.Generator().manual_seed(0)
    x1 = torch.randn(1, in_channels, h, w, generator=gen)
    return x1, torch.randn(batch, in_channels, h, w, generator=gen)


def latency_and_fps(model: nn.Module, in_channels: int, image_size: tuple[int, int],
                    cfg: MeasureConfig, train_device: torch.device,
                    images: torch.Tensor | None = None) -> list[Measurement]:
    """`latency_ms` (median batch-1 forward) and `fps` (images/s at `cfg.fps_batch_size`), on
    `images` when given (`example_inputs`)."""
    device = latency_device(cfg, train_device)
    if device is None:
        why = f"measure.latency_device is {cfg.latency_device!r} but CUDA is not available here"
        return [unavailable("latency_ms", why), unavailable("fps", why)]
    net = copy.deepcopy(model).to(device).eval()  # never move or mode-switch the caller's model
    h, w = image_size
    x1, xb = (t.to(device) for t in example_inputs(in_channels, image_size,
                                                    cfg.fps_batch_size, images))
    # Throughput repeats: fewer than latency ones, a batch costs many single forwards.
    fps_repeats = max(3, cfg.latency_repeats // 3)
    threads = cfg.latency_threads if device.type == "cpu" else None
    with cpu_threads(threads) as used:
        lat = time_forward(net, x1, cfg.latency_warmup, cfg.latency_repeats)
        bat = time_forward(net, xb, max(1, cfg.latency_warmup // 2), fps_repeats)
    common = {
        "device": str(device),
        "threads": used if device.type == "cpu" else None,
        "timer": "cuda events" if device.type == "cuda" else "time.perf_counter",
        "mode": "eval, torch.inference_mode, float32",
        "input_shape": [in_channels, h, w],
    }
    return _latency_and_fps(lat, bat, fps_repeats, cfg, common)


def _latency_and_fps(lat: list[float], bat: list[float], fps_repeats: int, cfg: MeasureConfig,
                     common: dict[str, Any]) -> list[Measurement]:
    """`latency_ms` (median of the batch-1 timings, ms) and `fps` (FPS batch / median batch
    time) from the timings of either runtime; `common` is the method both share."""
    lat_ms, batch_ms = statistics.median(lat), statistics.median(bat)
    return [
        measured("latency_ms", lat_ms, batch_size=1, statistic="median",
                 warmup=cfg.latency_warmup, repeats=cfg.latency_repeats,
                 spread_ms=[min(lat), max(lat)], **common),
        measured("fps", cfg.fps_batch_size / (batch_ms / 1e3), batch_size=cfg.fps_batch_size,
                 statistic="batch / median batch time", repeats=fps_repeats, **common),
    ]


def _first_line(e: BaseException) -> str:
    lines = str(e).strip().splitlines()
    return f"{type(e).__name__}: {lines[0] if lines else ''}".strip().rstrip(":")[:300]


def onnx_session(path: str, threads: int | None) -> Any:
    """A CPU onnxruntime session with `threads` intra-op threads (None: onnxruntime's default)."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads or 0  # 0: onnxruntime picks (one per physical core)
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3  # errors only
    return ort.InferenceSession(path, sess_options=opts, providers=["CPUExecutionProvider"])


def time_session(sess: Any, x: np.ndarray, warmup: int, repeats: int) -> list[float]:
    """Per-call `sess.run` times in ms (after `warmup` untimed calls)."""
    name = sess.get_inputs()[0].name
    feed = {name: x}
    for _ in range(warmup):
        sess.run(None, feed)
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        sess.run(None, feed)
        out.append((time.perf_counter() - t0) * 1e3)
    return out


def latency_and_fps_onnxruntime(model: nn.Module, example: torch.Tensor, cfg: MeasureConfig,
                                images: torch.Tensor | None = None) -> list[Measurement]:
    """`latency_ms` and `fps` of `model` exported to ONNX and run in an onnxruntime CPU session.

    `example` is any float input batch (B, C, H, W); only its image shape is used. The export is
    `lemonade export`'s (dynamo exporter, TorchScript exporter as fallback, dynamic batch axis),
    so the figures are those of the file a user would deploy. Latency: median `sess.run` at
    batch 1; FPS: `cfg.fps_batch_size` / median batch time. `intra_op_num_threads` is
    `cfg.latency_threads`. A failed export or session becomes `unavailable`, never an exception.
    """
    names = ("latency_ms", "fps")
    base: dict[str, Any] = {"runtime": "onnxruntime", "device": "cpu"}
    try:
        import onnxruntime as ort
    except ImportError:
        why = "onnxruntime is not installed (pip install 'lemonade-nas[export]')"
        return [unavailable(n, why, **base) for n in names]

    c, h, w = (int(s) for s in example.shape[1:])
    net = copy.deepcopy(model).to("cpu").eval()
    gen = torch.Generator().manual_seed(0)
    with tempfile.TemporaryDirectory(prefix="lemonade-onnx-") as tmp:
        path = Path(tmp) / "model.onnx"
        try:
            # the TorchScript exporter prints its whole graph to stderr when it fails
            with torch.no_grad(), contextlib.redirect_stderr(io.StringIO()):
                exporter, note = export_onnx(net, torch.randn(2, c, h, w, generator=gen), path)
        except Exception as e:
            why = f"ONNX export failed: {_first_line(e)}"
            return [unavailable(n, why, **base) for n in names]
        try:
            sess = onnx_session(str(path), cfg.latency_threads)
        except Exception as e:
            why = f"onnxruntime could not load the exported model: {_first_line(e)}"
            return [unavailable(n, why, exporter=exporter, **base) for n in names]
    x1, xb = (t.numpy() for t in example_inputs(c, (h, w), cfg.fps_batch_size, images))
    fps_repeats = max(3, cfg.latency_repeats // 3)
    try:
        lat = time_session(sess, x1, cfg.latency_warmup, cfg.latency_repeats)
        bat = time_session(sess, xb, max(1, cfg.latency_warmup // 2), fps_repeats)
    except Exception as e:
        why = f"onnxruntime failed to run the exported model: {_first_line(e)}"
        return [unavailable(n, why, exporter=exporter, **base) for n in names]
    common = {
        **base,
        "onnxruntime": ort.__version__,
        "provider": "CPUExecutionProvider",
        "threads": cfg.latency_threads,
        "exporter": exporter,
        "timer": "time.perf_counter around InferenceSession.run",
        "mode": "float32, graph optimisation ORT_ENABLE_ALL, sequential",
        "input_shape": [c, h, w],
    }
    notes = [note] if note else []
    if cfg.latency_device == "cuda":
        notes.append("timed on the CPU (CPUExecutionProvider) although measure.latency_device "
                     "is cuda")
    if notes:
        common["note"] = "; ".join(notes)
    return _latency_and_fps(lat, bat, fps_repeats, cfg, common)


def latency_for_runtime(model: nn.Module, in_channels: int, image_size: tuple[int, int],
                        cfg: MeasureConfig, train_device: torch.device,
                        images: torch.Tensor | None = None) -> list[Measurement]:
    """`latency_and_fps` (eager PyTorch) or `latency_and_fps_onnxruntime`, as
    `cfg.latency_runtime` says; the same arguments as `latency_and_fps`."""
    if cfg.latency_runtime == "onnxruntime":
        h, w = image_size
        example = torch.randn(1, in_channels, h, w, generator=torch.Generator().manual_seed(0))
        return latency_and_fps_onnxruntime(model, example, cfg, images)
    return latency_and_fps(model, in_channels, image_size, cfg, train_device, images)
