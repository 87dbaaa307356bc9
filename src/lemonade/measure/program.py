"""Trusted metrics of an exported program (`lemonade.sandbox.artifacts.ProgramModule`), measured
in a process that never runs candidate source: accuracy on val and test, every stored tensor,
size, FLOPs and latency at two batch sizes, inference memory.

The graph measured for accuracy is the graph measured for cost: one static ATen graph with a
dynamic batch dimension, so no branch taken only at batch 1, only in inference mode or only
during measurement can make the two disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from lemonade.config import MeasureConfig
from lemonade.data.augment import normalize
from lemonade.measure import safely
from lemonade.measure.graph_flops import CONVENTION, count_graph_flops
from lemonade.measure.inference_energy import INFERENCE_METRICS, inference_energy_at
from lemonade.measure.int8 import measure_int8
from lemonade.measure.latency import latency_for_runtime
from lemonade.measure.stored import count_stored
from lemonade.metrics import Measurement, measured, top1_accuracy
from lemonade.sandbox.artifacts import ArtifactError

TRUSTED = {"trusted": True, "measured_by": "measurement process (no candidate code), "
                                           "from the exported graph and stored tensors"}
FLOPS_TOLERANCE = 0.01  # per-image FLOPs may differ this much between batch sizes
OUTPUT_ATOL, OUTPUT_RTOL = 1e-3, 1e-3  # batch vs one-by-one outputs (float32 reordering)


class RefusedModel(Exception):
    """The artifact runs, but what it computes cannot be measured honestly; one line."""


def _normalise(x_uint8: torch.Tensor, mean: tuple[float, ...], std: tuple[float, ...]
               ) -> torch.Tensor:
    return normalize(x_uint8, mean, std)


EVAL_BATCH = 512  # the batch size accuracy is measured at
SINGLES = 16  # images also run one by one in the batch-independence check


def _cycle(x: torch.Tensor, n: int) -> torch.Tensor:
    """`n` images of `x` (repeated when it holds fewer)."""
    return x[torch.arange(n) % int(x.shape[0])] if x.shape[0] < n else x[:n]


def _plain_logits(out: Any, batch: int, num_classes: int) -> torch.Tensor:
    if type(out) is not torch.Tensor:
        raise RefusedModel(f"forward returned a {type(out).__name__}, not a plain torch.Tensor")
    if tuple(out.shape) != (batch, num_classes) or not out.is_floating_point():
        raise RefusedModel(f"output {out.dtype} {tuple(out.shape)} is not float logits "
                           f"{(batch, num_classes)}")
    if not bool(torch.isfinite(out).all()):
        raise RefusedModel("output contains NaN or infinite values on validation images")
    return out.detach().float().cpu()


def _forward(model: Any) -> Callable[[torch.Tensor], Any]:
    """The shape-checked graph (`ProgramModule.checked`; a plain module's own forward)."""
    run = getattr(model, "checked", model)

    def call(x: torch.Tensor) -> Any:
        try:
            return run(x)
        except ArtifactError as e:
            raise RefusedModel(str(e)) from None
    return call


def _run(model: Any, x: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Checked logits of one batch."""
    return _plain_logits(_forward(model)(x), int(x.shape[0]), num_classes)


@dataclass
class Pass:
    """Logits of one split in one grouping, and the FLOPs counted on the way."""

    logits: torch.Tensor
    per_image: dict[int, float] = field(default_factory=dict)  # batch size -> FLOPs per image
    by_op: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)


def logits_pass(model: Any, x_uint8: torch.Tensor, order: torch.Tensor, batch: int,
                norm: Callable[[torch.Tensor], torch.Tensor], num_classes: int,
                count: bool) -> Pass:
    """Logits of the images `x_uint8[order]` in batches of `batch`, returned in the split's
    own order; with `count`, every batch runs under the FLOP counter (real images)."""
    out = torch.empty(int(x_uint8.shape[0]), num_classes)
    p = Pass(out)
    with torch.no_grad():
        for i in range(0, int(order.shape[0]), batch):
            idx = order[i:i + batch]
            xb = norm(x_uint8[idx])
            if count:
                counter = count_graph_flops(_forward(model), xb)
                refuse_unknown(counter.unknown)
                b = int(idx.shape[0])
                p.per_image[b] = max(p.per_image.get(b, 0.0), counter.total / b)
                for k, v in counter.by_op.items():
                    p.by_op[k] = p.by_op.get(k, 0) + int(v)
                for k, v in counter.by_category.items():
                    p.by_category[k] = p.by_category.get(k, 0) + int(v)
                out[idx] = _plain_logits(counter.result, b, num_classes)
            else:
                out[idx] = _run(model, xb, num_classes)
    return p


def refuse_unknown(ops: set[str]) -> None:
    if ops:
        raise RefusedModel(f"operator(s) {', '.join(sorted(ops)[:5])} have no FLOP formula: "
                           "their cost cannot be measured honestly; write the computation with "
                           "standard layers and tensor ops")


def same_logits(a: torch.Tensor, b: torch.Tensor, what: str) -> None:
    """Refuse when an image's logits differ between two groupings of the same images."""
    if not torch.allclose(a, b, atol=OUTPUT_ATOL, rtol=OUTPUT_RTOL):
        diff = float((a - b).abs().max())
        raise RefusedModel(f"an image's logits depend on the other images in its batch (max "
                           f"difference {diff:.3g} between {what}): accuracy would depend on "
                           "how test images are grouped")


def check_outputs(model: nn.Module, x: torch.Tensor, num_classes: int) -> None:
    """Outputs must be plain finite float tensors (B, num_classes), and image i's output must not
    depend on the other images of the batch (else accuracy depends on how test images are
    grouped). Raises RefusedModel."""
    with torch.no_grad():
        out = _run(model, x, num_classes)
        alone = torch.cat([_run(model, x[i:i + 1], num_classes) for i in range(x.shape[0])])
    same_logits(out, alone, "batch and one-by-one")


def split_passes(model: Any, x_uint8: torch.Tensor, norm: Callable[[torch.Tensor], torch.Tensor],
                 num_classes: int, other_batch: int, count: bool) -> Pass:
    """The split's logits at the evaluation batch (EVAL_BATCH, in order; FLOPs counted when
    `count`), checked against the same images grouped otherwise: in reverse order at
    `other_batch`, and the first SINGLES one by one. Raises RefusedModel."""
    n = int(x_uint8.shape[0])
    fwd = logits_pass(model, x_uint8, torch.arange(n), EVAL_BATCH, norm, num_classes, count)
    rev = logits_pass(model, x_uint8, torch.arange(n).flip(0), other_batch, norm, num_classes,
                      count)
    same_logits(fwd.logits, rev.logits, f"batches of {EVAL_BATCH} and of {other_batch} in "
                                        "reverse order")
    k = min(n, SINGLES)
    ones = logits_pass(model, x_uint8[:k], torch.arange(k), 1, norm, num_classes, count)
    same_logits(fwd.logits[:k], ones.logits, "batch and one-by-one")
    for p in (rev, ones):
        for b, v in p.per_image.items():
            fwd.per_image[b] = max(fwd.per_image.get(b, 0.0), v)
    return fwd


def params_and_size(model: Any) -> list[Measurement]:
    """`params` as the field counts them (lemonade.measure.stored): parameters, stored tensors
    that are weights, numbers written into the graph; the size is the safetensors serialisation
    of every stored tensor plus 4 bytes per literal number."""
    from safetensors.torch import save

    stored = model.stored()
    count = count_stored(model._gm, model.stored_inputs())
    blob = save({k: v.detach().cpu().contiguous() for k, v in stored.items()})
    return [
        measured("params", count.total, **count.method(), **TRUSTED),
        measured("model_size_bytes", len(blob) + 4 * count.literals,
                 tool="safetensors serialisation of every stored tensor, + 4 bytes per number "
                      "literal in the graph", literal_bytes=4 * count.literals,
                 dtypes=sorted({str(t.dtype).removeprefix("torch.") for t in stored.values()}),
                 **TRUSTED),
    ]


def flops_measurement(passes: list[Pass], shape: tuple[int, int, int]) -> Measurement:
    """FLOPs per image on real validation/test images at every batch size measured; the value is
    the largest per-image figure, `graph_varies_with_batch` says whether they differ beyond
    FLOPS_TOLERANCE."""
    per_image: dict[int, float] = {}
    for p in passes:
        for b, v in p.per_image.items():
            per_image[b] = max(per_image.get(b, 0.0), v)
    lo, hi = min(per_image.values()), max(per_image.values())
    varies = hi > 0 and (hi - lo) / hi > FLOPS_TOLERANCE
    first = passes[0]
    images = sum(int(p.logits.shape[0]) for p in passes[:1])
    return measured("flops", hi, tool="lemonade.measure.graph_flops (TorchDispatchMode over "
                    "every ATen op)", convention=CONVENTION,
                    batch_sizes=sorted(per_image),
                    per_image_by_batch={str(k): v for k, v in sorted(per_image.items())},
                    graph_varies_with_batch=varies,
                    by_op={k: round(v / images) for k, v in first.by_op.items() if v},
                    by_category={k: round(v / images) for k, v in first.by_category.items()
                                 if v},
                    inputs="real validation and test images (normalised)",
                    input_shape=list(shape), statistic="per image, largest over the batch sizes",
                    **TRUSTED)


def inference_memory(model: Any, images: torch.Tensor, device: torch.device) -> Measurement:
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
    batch = int(images.shape[0])
    args = [images.to(device) if s is None else getattr(model, s) for s in model._slots]
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
    """All metrics that rank candidates, from the artifact alone, on the real val/test images:
    accuracy at the evaluation batch, each image's logits checked against other groupings of
    the same images (reverse order at the FPS batch, one by one), FLOPs counted on every batch
    of those passes, memory and latency on real images. Raises RefusedModel.

    `calibration`: training images (uint8) for the int8 quantization (`measure.int8`)."""
    device = torch.device(device)
    model = model.to(device).eval()
    mean, std = tuple(meta["mean"]), tuple(meta["std"])
    num_classes = int(meta["num_classes"])
    x_val, y_val = splits["x_val"], splits["y_val"]
    x_test, y_test = splits["x_test"], splits["y_test"]
    probe = x_val if x_val.shape[0] else x_test
    c, h, w = (int(s) for s in probe.shape[1:])
    shape = (c, h, w)

    def norm(x: torch.Tensor) -> torch.Tensor:
        return _normalise(x.to(device), mean, std)

    fps_batch = int(cfg.fps_batch_size)
    other = fps_batch if fps_batch != EVAL_BATCH else EVAL_BATCH - 1
    check_outputs(model, norm(probe[:8]), num_classes)
    ms: list[Measurement] = []
    ms += params_and_size(model)
    passes: list[Pass] = []
    for name, x, y in (("val_accuracy", x_val, y_val), ("test_accuracy", x_test, y_test)):
        if x.shape[0]:
            p = split_passes(model, x, norm, num_classes, other, count=True)
            passes.append(p)
            acc = top1_accuracy(p.logits, y)
            ms.append(measured(name, acc, split=name.split("_")[0], n=int(y.shape[0]),
                               device=str(device), mode="exported graph, final weights",
                               batch_size=EVAL_BATCH,
                               batch_independence=f"same logits in batches of {other} in "
                                                  f"reverse order and one by one (first "
                                                  f"{SINGLES})", **TRUSTED))
    fps_images = norm(_cycle(probe, fps_batch))
    counted = logits_pass(model, _cycle(probe, fps_batch), torch.arange(fps_batch), fps_batch,
                          norm, num_classes, count=True)
    passes.append(counted)
    ms.append(flops_measurement(passes, shape))
    ms.append(inference_memory(model, fps_images, device))
    hw = (shape[1], shape[2])
    images = fps_images.cpu()
    timed = safely(("latency_ms", "fps"),
                   lambda: latency_for_runtime(model, shape[0], hw, cfg, device, images=images))
    timed += safely(INFERENCE_METRICS,
                    lambda: inference_energy_at(model, shape[0], hw, cfg, device,
                                                images=images))
    for m in timed:
        if m.value is not None:
            m.method.update(TRUSTED, graph="exported program", batch_sizes=[1, fps_batch],
                            inputs="real validation images (normalised)")
    ms += timed
    # last: it moves the model to the CPU (the quantized model runs in onnxruntime there)
    ms += measure_int8(model, splits, meta, calibration, cfg, TRUSTED)
    return {m.name: m for m in ms}
