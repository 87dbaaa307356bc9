"""What the trusted measurement process does with its job: the code behind
`lemonade.sandbox.measure_worker`, which imports it once its limits are set (it imports torch).

`run(job, folder)` measures (`measure`), or, for a job `{"task": "export", ...}`, exports a run's
model for `lemonade export` (`lemonade.sandbox.export_job`). `measure` loads the training
worker's artifacts through `lemonade.sandbox.artifacts` (safetensors + a graph checked against an
operator allow-list, nothing unpickled) and the validation/test split (whose sha256 the host
recorded when it wrote it), and measures every metric that ranks (`lemonade.measure.program`).
No candidate source runs here.
"""

from __future__ import annotations

import contextlib
import importlib
from pathlib import Path
from typing import Any

import torch

from lemonade.config import MeasureConfig
from lemonade.measure.int8 import calibration_sample
from lemonade.measure.program import RefusedModel, measure_program
from lemonade.metrics import to_json
from lemonade.sandbox import artifacts
from lemonade.sandbox.artifacts import ArtifactError, ProgramModule, load_program, read_split
from lemonade.sandbox.export_job import run_export_job

# Loading a program pulls in torch's exporter and its serialiser (with sympy), the latency path
# torch.onnx: imported before the job, the first measurement is about a second shorter.
WARM_IMPORTS = ("torch._dynamo", "torch._export.serde.serialize", "torch.export", "torch.onnx")
# the int8 measurement's (an optional dependency: missing, the int8 metrics say so)
OPTIONAL_WARM_IMPORTS = ("onnxruntime", "onnxruntime.quantization")


def warm_up() -> None:
    """Import what a measurement needs before the job exists (the start-up is off the clock),
    then load and run a small program of its own once, through the same checked loader
    (`lemonade.sandbox.artifacts.warm_up`)."""
    for name in WARM_IMPORTS:
        importlib.import_module(name)
    for name in OPTIONAL_WARM_IMPORTS:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    artifacts.warm_up(load=True)


def run(job: dict[str, Any], folder: Path) -> dict[str, Any]:
    """The job's result document: an export (written into `folder`) or a measurement."""
    torch.set_num_threads(max(1, int(job.get("threads") or 1)))
    if job.get("task") == "export":  # `lemonade export` (lemonade.export.export_model)
        return run_export_job(job, folder)
    return measure(job)


def measure(job: dict[str, Any]) -> dict[str, Any]:
    """The measurement itself (importable, so tests can run it in-process on crafted files)."""
    cfg = MeasureConfig(**(job.get("measure") or {}))
    device = torch.device(job.get("device") or "cpu")
    try:
        ep, report = load_program(Path(job["artifacts"]))
        model = ProgramModule(ep)
        splits, meta = read_split(Path(job["eval_split"]), job.get("eval_sha256"))
        metrics = measure_program(model, splits, meta, cfg, device, calibration_images(job, cfg))
    except (ArtifactError, RefusedModel) as e:
        return {"status": "failed", "reason": f"refused by the measurement: {e}"}
    return {"status": "ok", "reason": None, "metrics": to_json(metrics),
            "info": {"graph_ops": report.ops}}


def calibration_images(job: dict[str, Any], cfg: Any) -> Any:
    """The training images the int8 quantization calibrates on (`measure.int8`), from the train
    split file the host wrote (sha256 checked); None when int8 is off or there is no such file."""
    if not cfg.int8 or not job.get("train_split"):
        return None
    tensors, _meta = read_split(Path(job["train_split"]), job.get("train_sha256"))
    return calibration_sample(tensors["x_train"], cfg.int8_calibration_images)
