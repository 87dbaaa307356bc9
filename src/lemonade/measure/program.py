"""Trusted metrics of an exported program (`lemonade.sandbox.artifacts.ProgramModule`), measured
in a process that never runs candidate source: accuracy on val and test, every stored tensor,
size, FLOPs and latency at two batch sizes, inference memory.

The graph measured for accuracy is the graph measured for cost: one static ATen graph with a
dynamic batch dimension, so no branch taken only at batch 1, only in inference mode or only
during measurement can make the two disagree.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from lemonade.config import MeasureConfig
from lemonade.measure import safely
from lemonade.measure.graph_flops import CONVENTION, count_graph_flops
from lemonade.measure.inference_energy import INFERENCE_METRICS, inference_energy_at
from lemonade.measure.int8 import measure_int8
from lemonade.measure.latency import latency_for_runtime
from lemonade.metrics import Measurement, measured

TRUSTED = {"trusted": True, "measured_by": "measurement process (no candidate code), "
                                           "from the exported graph and stored tensors"}
FLOPS_TOLERANCE = 0.01  # per-image FLOPs may differ this much between batch sizes
OUTPUT_ATOL, OUTPUT_RTOL = 1e-3, 1e-3  # batch vs one-by-one outputs (float32 reordering)


class RefusedModel(Exception):
    """The artifact runs, but what it computes cannot be measured honestly; one line."""


def _normalise(x_uint8: torch.Tensor, mean: tuple[float, ...], std: tuple[float, ...]
               ) -> torch.Tensor:
    from lemonade.data.augment import normalize

    return normalize(x_uint8, mean, std)


def check_outputs(model: nn.Module, x: torch.Tensor, num_classes: int) -> None:
    """Outputs must be plain finite float tensors (B, num_classes), and image i's output must not
    depend on the other images of the batch (else accuracy depends on how test images are
    grouped). Raises RefusedModel."""
    with torch.no_grad():
        out = model(x)
        if type(out) is not torch.Tensor:
            raise RefusedModel(f"forward returned a {type(out).__name__}, not a plain "
                               "torch.Tensor")
        if tuple(out.shape) != (x.shape[0], num_classes) or not out.is_floating_point():
            raise RefusedModel(f"output {out.dtype} {tuple(out.shape)} is not float logits "
                               f"{(int(x.shape[0]), num_classes)}")
        if not bool(torch.isfinite(out).all()):
            raise RefusedModel("output contains NaN or infinite values on validation images")
        alone = torch.cat([model(x[i:i + 1]) for i in range(x.shape[0])])
    if not torch.allclose(out, alone, atol=OUTPUT_ATOL, rtol=OUTPUT_RTOL):
        diff = float((out - alone).abs().max())
        raise RefusedModel(f"an image's logits depend on the other images in its batch (max "
                           f"difference {diff:.3g} between batch and one-by-one): accuracy "
                           "would depend on how test images are grouped")


def accuracy(model: nn.Module, x_uint8: torch.Tensor, y: torch.Tensor, mean: tuple[float, ...],
             std: tuple[float, ...], device: torch.device, batch_size: int = 512) -> float:
    """Top-1 accuracy; argmax and comparison run here on plain tensors."""
    correct = 0
    with torch.no_grad():
        for i in range(0, int(x_uint8.shape[0]), batch_size):
            xb = _normalise(x_uint8[i:i + batch_size].to(device), mean, std)
            out = model(xb)
            if type(out) is not torch.Tensor:  # check_outputs refuses this first
                raise RefusedModel(f"forward returned a {type(out).__name__}")
            correct += int((out.float().argmax(dim=1).cpu() == y[i:i + batch_size]).sum())
    return correct / int(x_uint8.shape[0])


def params_and_size(model: Any) -> list[Measurement]:
    """Every stored tensor counts (parameters, buffers, lifted constants); the size is the
    safetensors serialisation of all of them."""
    from safetensors.torch import save

    stored = model.stored()
    total = sum(int(t.numel()) for t in stored.values())
    blob = save({k: v.detach().cpu().contiguous() for k, v in stored.items()})
    kinds = dict(model.kinds)
    return [
        measured("params", total, counted="every stored tensor: parameters, buffers (e.g. "
                 "BatchNorm running statistics) and constants lifted by torch.export",
                 parameters=kinds["parameter"], buffers=kinds["buffer"],
                 constants=kinds["constant"], **TRUSTED),
        measured("model_size_bytes", len(blob), tool="safetensors serialisation of every "
                 "stored tensor", dtypes=sorted({str(t.dtype).removeprefix("torch.")
                                                 for t in stored.values()}), **TRUSTED),
    ]


def flops_at(model: nn.Module, shape: tuple[int, int, int], batch_sizes: list[int],
             device: torch.device) -> Measurement:
    """FLOPs per image at each batch size; the reported value is the largest per-image figure,
    and `graph_varies_with_batch` says whether they differ beyond FLOPS_TOLERANCE."""
    per_image: dict[int, float] = {}
    by_op: dict[str, int] = {}
    uncategorised: set[str] = set()
    for b in batch_sizes:
        counter = count_graph_flops(model, torch.zeros(b, *shape, device=device))
        per_image[b] = counter.total / b
        if b == batch_sizes[0]:
            by_op = {k: int(v) for k, v in counter.by_op.items() if v}
            by_cat = {k: int(v) for k, v in counter.by_category.items() if v}
        uncategorised |= counter.uncategorised
    lo, hi = min(per_image.values()), max(per_image.values())
    varies = hi > 0 and (hi - lo) / hi > FLOPS_TOLERANCE
    return measured("flops", hi, tool="lemonade.measure.graph_flops (TorchDispatchMode over "
                    "every ATen op)", convention=CONVENTION, batch_sizes=batch_sizes,
                    per_image_by_batch={str(k): v for k, v in per_image.items()},
                    graph_varies_with_batch=varies, by_op=by_op, by_category=by_cat,
                    uncategorised=sorted(uncategorised), input_shape=list(shape),
                    statistic="per image, largest over the batch sizes", **TRUSTED)


def inference_memory(model: Any, shape: tuple[int, int, int], batch: int,
                     device: torch.device) -> Measurement:
    """Peak tensor memory of one forward at `batch`: stored tensors + the largest set of live
    activations, following the graph's own liveness (a tensor is freed after its last use).
    On CUDA the allocator's high-water mark is recorded too."""
    from torch.fx import Interpreter

    gm = model._gm
    last_use: dict[Any, Any] = {}
    for node in gm.graph.nodes:
        for inp in node.all_input_nodes:
            last_use[inp] = node
    stored_bytes = sum(t.numel() * t.element_size() for t in model.stored().values())
    live: dict[Any, int] = {}
    peak = [0]

    def nbytes(v: Any) -> int:
        from torch.utils._pytree import tree_flatten

        return sum(t.numel() * t.element_size() for t in tree_flatten(v)[0]
                   if isinstance(t, torch.Tensor))

    class Tracker(Interpreter):
        def run_node(self, n: Any) -> Any:
            out = super().run_node(n)
            if n.op != "placeholder" or n.name == user_input:
                live[n] = nbytes(out)
            peak[0] = max(peak[0], sum(live.values()))
            for inp in n.all_input_nodes:
                if last_use.get(inp) is n:
                    live.pop(inp, None)
            return out

    user_input = next(n.name for n, slot in zip(
        [n for n in gm.graph.nodes if n.op == "placeholder"], model._slots, strict=True)
        if slot is None)
    args = [torch.zeros(batch, *shape, device=device) if s is None else getattr(model, s)
            for s in model._slots]
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    with torch.no_grad():
        Tracker(gm).run(*args)
    extra: dict[str, Any] = {}
    if device.type == "cuda":
        extra["cuda_max_memory_allocated"] = int(torch.cuda.max_memory_allocated(device))
    return measured("peak_memory_bytes", stored_bytes + peak[0], batch_size=batch,
                    device=str(device), stored_bytes=stored_bytes, activation_bytes=peak[0],
                    scope="inference at the FPS batch: stored tensors + peak live activations "
                          "by graph liveness (allocator workspace not included)",
                    **extra, **TRUSTED)


def measure_program(model: Any, splits: dict[str, torch.Tensor], meta: dict[str, Any],
                    cfg: MeasureConfig, device: torch.device,
                    calibration: torch.Tensor | None = None) -> dict[str, Measurement]:
    """All metrics that rank candidates, from the artifact alone. Raises RefusedModel.

    `calibration`: training images (uint8) for the int8 quantization (`measure.int8`)."""
    device = torch.device(device)
    model = model.to(device).eval()
    mean, std = tuple(meta["mean"]), tuple(meta["std"])
    num_classes = int(meta["num_classes"])
    x_val, y_val = splits["x_val"], splits["y_val"]
    x_test, y_test = splits["x_test"], splits["y_test"]
    shape = tuple(int(s) for s in x_val.shape[1:]) if x_val.numel() else tuple(
        int(s) for s in x_test.shape[1:])
    probe = x_val if x_val.shape[0] else x_test
    check_outputs(model, _normalise(probe[:8].to(device), mean, std), num_classes)
    batches = sorted({1, int(cfg.fps_batch_size)})
    ms: list[Measurement] = []
    ms += params_and_size(model)
    ms.append(flops_at(model, shape, batches, device))
    ms.append(inference_memory(model, shape, int(cfg.fps_batch_size), device))
    for name, x, y in (("val_accuracy", x_val, y_val), ("test_accuracy", x_test, y_test)):
        if x.shape[0]:
            acc = accuracy(model, x, y, mean, std, device)
            ms.append(measured(name, acc, split=name.split("_")[0], n=int(y.shape[0]),
                               device=str(device), mode="exported graph, final weights",
                               **TRUSTED))
    hw = (shape[1], shape[2])
    timed = safely(("latency_ms", "fps"),
                   lambda: latency_for_runtime(model, shape[0], hw, cfg, device))
    timed += safely(INFERENCE_METRICS,
                    lambda: inference_energy_at(model, shape[0], hw, cfg, device))
    for m in timed:
        if m.value is not None:
            m.method.update(TRUSTED, graph="exported program", batch_sizes=batches)
    ms += timed
    # last: it moves the model to the CPU (the quantized model runs in onnxruntime there)
    ms += measure_int8(model, splits, meta, calibration, cfg, TRUSTED)
    return {m.name: m for m in ms}
