"""Int8 truth and ONNX parity of an exported program, measured in the trusted measurement process.

The graph the measurement already holds (`lemonade.sandbox.artifacts.ProgramModule`, ATen calls
only) is exported to ONNX, checked against itself (parity), then quantized:

- **Post-training static quantization with onnxruntime** (`onnxruntime.quantization.
  quantize_static`): QDQ format, int8 weights per output channel, int8 activations, MinMax
  calibration on `measure.int8_calibration_images` training images (from the train split file
  the host wrote; never val or test). onnxruntime's tools rather than `torch.ao`: they work on
  the ONNX file a user deploys (`lemonade export`), so the figure is that of the deployed model;
  they need no candidate code (torch.ao's eager flow needs the model's Python modules, its
  export flow rewrites the graph with code the measurement would have to trust); and onnxruntime
  already runs the ONNX latency path. `quant_pre_process` folds BatchNorm into the convolutions
  first, as a deployment would.
- `int8_val_accuracy` / `int8_test_accuracy`: the quantized model in an onnxruntime CPU session
  on the val / test split (argmax here, on plain arrays); `int8_model_size_bytes`: the bytes of
  its stored tensors (ONNX initializers: int8 weights, int32 biases, scales, zero points), the
  counterpart of `model_size_bytes` (the file's size is in the method); `int8_latency_ms`: median
  batch-1 `InferenceSession.run`, `measure.latency_threads` threads, on the first validation
  image (normalised; the test split's when there is no val split), the image the float32
  `latency_ms` times (`latency_input`).
- `onnx_max_abs_diff` / `onnx_argmax_agreement`: the float ONNX file against the torch graph on
  the val split (the test split when there is no val split, as after `finalize`).

A model that cannot be exported or quantized gets each metric unavailable with the reason, never a
failed candidate.
"""

from __future__ import annotations

import contextlib
import functools
import io
import statistics
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from lemonade.config import MeasureConfig
from lemonade.data.augment import normalize
from lemonade.exporters import export_onnx
from lemonade.measure.latency import onnx_session, time_session
from lemonade.metrics import (
    INT8_METRICS,
    PARITY_METRICS,
    Measurement,
    measured,
    top1_accuracy,
    unavailable,
)

EVAL_BATCH = 256  # images per onnxruntime call when scoring a split
CALIBRATION_BATCH = 32
INSTALL = "pip install 'lemonade-nas[export]'"


def _first_line(e: BaseException) -> str:
    lines = str(e).strip().splitlines()
    return f"{type(e).__name__}: {lines[0] if lines else ''}".strip().rstrip(":")[:300]


def _all_unavailable(names: tuple[str, ...], why: str, **method: Any) -> list[Measurement]:
    return [unavailable(n, why, **method) for n in names]


def calibration_sample(x_train: torch.Tensor, n: int, seed: int = 0) -> torch.Tensor:
    """`n` training images (uint8), drawn without replacement with a fixed seed."""
    total = int(x_train.shape[0])
    if total <= n:
        return x_train
    idx = torch.randperm(total, generator=torch.Generator().manual_seed(seed))[:n]
    return x_train[idx.sort().values]


def export_for_measurement(model: nn.Module, example: torch.Tensor, path: Path) -> str:
    """The ONNX file of `model`: the TorchScript-based exporter first (under a second), the
    dynamo exporter (5-15 s) when it fails or when its file is wrong at another batch size;
    returns which ran. Raises the exporter's error.

    Tracing the exported graph records a batch size the graph reads (`x.view(x.size(0), -1)`)
    as the example's constant: such a file runs only at the example's batch."""

    with torch.no_grad(), contextlib.redirect_stderr(io.StringIO()):
        try:
            how = export_onnx(model, example, path, "torchscript")[0]
            if batch_is_dynamic(model, example, path):
                return how
        except Exception:
            pass
        return export_onnx(model, example, path, "dynamo")[0]


def batch_is_dynamic(model: nn.Module, example: torch.Tensor, path: Path) -> bool:
    """Whether the ONNX file at `path` gives `model`'s logits at a batch other than the
    example's (its batch + 1, seeded random images)."""
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(int(example.shape[0]) + 1, *example.shape[1:], generator=gen)
    try:
        import onnxruntime as ort

        sess = onnx_session(str(path), None)
        quiet = ort.RunOptions()
        quiet.log_severity_level = 4  # the failure expected here is not worth a log line
        got = np.asarray(sess.run(None, {sess.get_inputs()[0].name: x.numpy()}, quiet)[0])
    except Exception:
        return False
    ref = model(x).float().numpy()
    return got.shape == ref.shape and bool(np.allclose(got, ref, rtol=1e-3, atol=1e-4))


def _batches(x: torch.Tensor, mean: tuple[float, ...], std: tuple[float, ...],
             size: int) -> Iterator[np.ndarray]:
    for i in range(0, int(x.shape[0]), size):
        yield normalize(x[i:i + size], mean, std).numpy()


def session_logits(sess: Any, x: torch.Tensor, mean: tuple[float, ...],
                   std: tuple[float, ...]) -> np.ndarray:
    name = sess.get_inputs()[0].name
    outs = [np.asarray(sess.run(None, {name: xb})[0]) for xb in _batches(x, mean, std,
                                                                         EVAL_BATCH)]
    return np.concatenate(outs) if outs else np.zeros((0, 0), np.float32)


def torch_logits(model: nn.Module, x: torch.Tensor, mean: tuple[float, ...],
                 std: tuple[float, ...]) -> np.ndarray:
    with torch.no_grad():
        outs = [model(torch.from_numpy(xb)).float().numpy()
                for xb in _batches(x, mean, std, EVAL_BATCH)]
    return np.concatenate(outs) if outs else np.zeros((0, 0), np.float32)


def parity(reference: np.ndarray, got: np.ndarray) -> tuple[float, float]:
    """(max |logit difference|, fraction of images whose argmax agrees)."""
    if reference.shape != got.shape:
        raise ValueError(f"ONNX output {got.shape} differs from the graph's {reference.shape}")
    if not reference.size:
        return 0.0, 1.0
    diff = float(np.max(np.abs(reference - got)))
    agree = float(np.mean(reference.argmax(axis=1) == got.argmax(axis=1)))
    return diff, agree


def initializer_bytes(path: Path) -> int:
    """Bytes of an ONNX model's stored tensors (its initializers), by dtype and shape."""
    import onnx
    from onnx.helper import tensor_dtype_to_np_dtype

    model = onnx.load(str(path), load_external_data=False)
    return int(sum(int(np.prod(t.dims, dtype=np.int64)) * tensor_dtype_to_np_dtype(
        t.data_type).itemsize for t in model.graph.initializer))


class _Calibration:
    """onnxruntime's CalibrationDataReader protocol over normalised training images."""

    def __init__(self, name: str, x: torch.Tensor, mean: tuple[float, ...],
                 std: tuple[float, ...]) -> None:
        self._it = ({name: xb} for xb in _batches(x, mean, std, CALIBRATION_BATCH))

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self._it, None)

    def rewind(self) -> None:  # one pass is all MinMax calibration makes
        pass


def quantize(float_path: Path, out: Path, calib: torch.Tensor, mean: tuple[float, ...],
             std: tuple[float, ...]) -> dict[str, Any]:
    """Write the int8 model of `float_path` to `out`; returns the method record."""
    import onnxruntime as ort
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    pre = out.with_name("preprocessed.onnx")
    note = ""
    try:  # BatchNorm folded into convolutions, shapes inferred: what quantization expects
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            quant_pre_process(str(float_path), str(pre), skip_symbolic_shape=True)
        source = pre
    except Exception as e:
        source, note = float_path, f"pre-processing skipped ({_first_line(e)})"
    name = ort.InferenceSession(str(source), providers=["CPUExecutionProvider"]
                                ).get_inputs()[0].name
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        quantize_static(str(source), str(out), _Calibration(name, calib, mean, std),
                        quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QInt8, weight_type=QuantType.QInt8,
                        calibrate_method=CalibrationMethod.MinMax)
    method: dict[str, Any] = {
        "tool": f"onnxruntime {ort.__version__} quantize_static",
        "format": "QDQ", "weights": "int8, per output channel", "activations": "int8",
        "calibration": "MinMax", "calibration_images": int(calib.shape[0]),
        "calibration_split": "train", "preprocessing": "quant_pre_process (BatchNorm folded)"
        if not note else "none"}
    if note:
        method["note"] = note
    return method


def _median_run_ms(sess: Any, x: np.ndarray, warmup: int, repeats: int) -> tuple[float,
                                                                                   list[float]]:
    times = time_session(sess, x, warmup, repeats)
    return statistics.median(times), [min(times), max(times)]


def measure_int8(model: nn.Module, splits: dict[str, torch.Tensor], meta: dict[str, Any],
                 calib_uint8: torch.Tensor | None, cfg: MeasureConfig,
                 trusted: dict[str, Any]) -> list[Measurement]:
    """The int8 metrics and ONNX parity of `model` (on the CPU); never raises for a model that
    cannot be exported or quantized: its metrics are unavailable with the reason."""
    names = INT8_METRICS + PARITY_METRICS
    if not cfg.int8:
        return _all_unavailable(names, "not measured (measure.int8: false, or auto in a search "
                                       "where no objective or rule names an int8 metric)")
    try:
        import onnxruntime  # noqa: F401
        from onnxruntime.quantization import quantize_static  # noqa: F401
    except ImportError:
        return _all_unavailable(names, f"onnxruntime is not installed ({INSTALL})")
    mean, std = tuple(meta["mean"]), tuple(meta["std"])
    x_val, y_val = splits["x_val"], splits["y_val"]
    x_test, y_test = splits["x_test"], splits["y_test"]
    model = model.to("cpu").eval()
    probe = x_val if x_val.shape[0] else x_test
    example = torch.zeros(2, *probe.shape[1:])
    with tempfile.TemporaryDirectory(prefix="lemonade-int8-") as tmp:
        float_path, int8_path = Path(tmp) / "model.onnx", Path(tmp) / "model.int8.onnx"
        try:
            exporter = export_for_measurement(model, example, float_path)
        except Exception as e:
            return _all_unavailable(names, f"ONNX export failed: {_first_line(e)}", **trusted)
        ms = _parity(model, float_path, probe, "val" if x_val.shape[0] else "test", mean, std,
                     exporter, trusted)
        if calib_uint8 is None or not calib_uint8.shape[0]:
            return ms + _all_unavailable(INT8_METRICS, "no training images to calibrate on",
                                         **trusted)
        try:
            method = quantize(float_path, int8_path, calib_uint8, mean, std)
        except Exception as e:
            return ms + _all_unavailable(INT8_METRICS, "the model cannot be quantized to int8: "
                                         f"{_first_line(e)}", exporter=exporter, **trusted)
        method.update(exporter=exporter, runtime="onnxruntime CPUExecutionProvider", **trusted)
        ms += _scored(int8_path, float_path, (("int8_val_accuracy", x_val, y_val),
                                              ("int8_test_accuracy", x_test, y_test)),
                      mean, std, cfg, method, latency_input(probe, mean, std))
    return ms


def latency_input(images: torch.Tensor, mean: tuple[float, ...],
                  std: tuple[float, ...]) -> np.ndarray:
    """The batch-1 input `int8_latency_ms` times: the first of the real (uint8) `images`,
    normalised, as the float32 latency path times the first validation image."""
    return next(_batches(images[:1], mean, std, 1)).astype(np.float32)


def _parity(model: nn.Module, path: Path, x: torch.Tensor, split: str, mean: tuple[float, ...],
            std: tuple[float, ...], exporter: str, trusted: dict[str, Any]) -> list[Measurement]:
    try:
        got = session_logits(onnx_session(str(path), None), x, mean, std)
        diff, agree = parity(torch_logits(model, x, mean, std), got)
    except Exception as e:
        return _all_unavailable(PARITY_METRICS, f"the float ONNX model did not run: "
                                                f"{_first_line(e)}", exporter=exporter,
                                **trusted)
    common = {"split": split, "n": int(x.shape[0]), "exporter": exporter,
              "against": "the exported torch graph (float32)", **trusted}
    return [measured("onnx_max_abs_diff", diff, statistic="max over images and classes",
                     **common),
            measured("onnx_argmax_agreement", agree, **common)]


def _scored(int8_path: Path, float_path: Path,
            splits: tuple[tuple[str, torch.Tensor, torch.Tensor], ...],
            mean: tuple[float, ...], std: tuple[float, ...], cfg: MeasureConfig,
            method: dict[str, Any], x1: np.ndarray) -> list[Measurement]:
    try:
        sess = onnx_session(str(int8_path), cfg.latency_threads)
    except Exception as e:
        return _all_unavailable(INT8_METRICS, f"onnxruntime cannot load the int8 model: "
                                              f"{_first_line(e)}", **method)
    ms: list[Measurement] = []

    def scored(name: str, x: torch.Tensor, y: torch.Tensor) -> Measurement:
        acc = top1_accuracy(session_logits(sess, x, mean, std), y.numpy())
        return measured(name, acc, split=name.split("_")[1],
                        n=int(y.shape[0]), **method)

    for name, x, y in splits:
        if x.shape[0]:
            ms += _guarded(name, method, functools.partial(scored, name, x, y))
    ms += _guarded("int8_model_size_bytes", method, lambda: measured(
        "int8_model_size_bytes", initializer_bytes(int8_path),
        counted="ONNX initializers of the quantized model (int8 weights, int32 biases, scales, "
                "zero points)", file_bytes=int8_path.stat().st_size,
        float_onnx_initializer_bytes=initializer_bytes(float_path), **method))
    def latency() -> Measurement:
        ms_, spread = _median_run_ms(sess, x1, cfg.latency_warmup, cfg.latency_repeats)
        return measured("int8_latency_ms", ms_, batch_size=1, statistic="median",
                        warmup=cfg.latency_warmup, repeats=cfg.latency_repeats,
                        spread_ms=spread, threads=cfg.latency_threads, device="cpu",
                        timer="time.perf_counter around InferenceSession.run",
                        inputs="the first validation image (normalised)", **method)
    return ms + _guarded("int8_latency_ms", method, latency)


def _guarded(name: str, method: dict[str, Any], fn: Callable[[], Measurement]
             ) -> list[Measurement]:
    try:
        return [fn()]
    except Exception as e:
        return [unavailable(name, f"the int8 model did not run: {_first_line(e)}", **method)]
