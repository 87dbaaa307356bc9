"""The trusted measurement process: `python -m lemonade.sandbox.measure_worker FOLDER`.

It never runs candidate source. With a job `{"task": "export", ...}` it exports a run's model
for `lemonade export` instead (`lemonade.export.run_export_job`), writing the file into FOLDER.
It starts like the training worker (FOLDER/spawn.json, limits,
imports, `ready`), reads its job from stdin (written by the host), loads
the training worker's artifacts through `lemonade.sandbox.artifacts` (safetensors + a graph
checked against an operator allow-list, nothing unpickled), loads the validation/test split (whose
sha256 the host recorded when it wrote it), measures (`lemonade.measure.program`) and writes
FOLDER/measured.json ({status, reason, metrics, info}). Like the training worker it runs inside
the OS wall: the artifacts came from candidate code, so this is defence in depth.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path
from typing import Any

from lemonade.sandbox.protocol import MEASURED_FILE, await_job, emit, finish, start


def measure(job: dict[str, Any]) -> dict[str, Any]:
    """The measurement itself (importable, so tests can run it in-process on crafted files)."""
    import torch

    from lemonade.config import MeasureConfig
    from lemonade.measure.program import RefusedModel, measure_program
    from lemonade.metrics import to_json
    from lemonade.sandbox.artifacts import ArtifactError, ProgramModule, load_program, read_split

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
    from lemonade.measure.int8 import calibration_sample
    from lemonade.sandbox.artifacts import read_split

    tensors, _meta = read_split(Path(job["train_split"]), job.get("train_sha256"))
    return calibration_sample(tensors["x_train"], cfg.int8_calibration_images)


# Loading a program pulls in torch's exporter and its serialiser (with sympy), the latency path
# torch.onnx: imported before the job, the first measurement is about a second shorter.
WARM_IMPORTS = ("torch", "torch._dynamo", "torch._export.serde.serialize", "torch.export",
                "torch.onnx", "lemonade.config", "lemonade.data.augment",
                "lemonade.measure.program", "lemonade.sandbox.artifacts")
# the int8 measurement's (an optional dependency: missing, the int8 metrics say so)
OPTIONAL_WARM_IMPORTS = ("onnxruntime", "onnxruntime.quantization")


def _warm_up() -> None:
    """Import what a measurement needs before the job exists (the start-up is off the clock),
    then load and run a small program of its own once, through the same checked loader
    (`lemonade.sandbox.artifacts.warm_up`)."""
    import importlib

    for name in WARM_IMPORTS:
        importlib.import_module(name)
    for name in OPTIONAL_WARM_IMPORTS:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    from lemonade.sandbox.artifacts import warm_up

    warm_up(load=True)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m lemonade.sandbox.measure_worker FOLDER   (job on stdin)",
              file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    job_dir, _spawn, notes, channel = start(argv[1], "cpu")
    emit(channel, "started", pid=os.getpid(), limits=notes, role="measure")
    warm_error: BaseException | None = None
    try:
        _warm_up()
    except BaseException as e:  # reported once there is a job
        warm_error = e
    job = await_job(channel, t0)
    t_job = time.perf_counter()
    exporting = job.get("task") == "export"  # `lemonade export` (lemonade.export.export_model)
    what = "export" if exporting else "measurement"
    emit(channel, "phase", phase=f"{'exporting' if exporting else 'measuring'} the exported "
                                 "model")
    try:
        if warm_error is not None:
            raise warm_error
        import torch

        torch.set_num_threads(max(1, int(job.get("threads") or 1)))
        if exporting:
            from lemonade.export import run_export_job

            result = run_export_job(job, job_dir)
        else:
            result = measure(job)
    except BaseException as e:  # report anything: the host decides
        text = str(e).strip().splitlines()
        result = {"status": "failed", "reason": f"{what} crashed: {type(e).__name__}: "
                                                f"{text[-1] if text else ''}"[:500]}
    result.setdefault("info", {})["measure_s"] = round(time.perf_counter() - t_job, 3)
    finish(channel, job_dir, MEASURED_FILE, result)
    return 0


if __name__ == "__main__":
    code = main(sys.argv)
    sys.stderr.flush()
    # The result is written: skip the interpreter's teardown (torch's and codecarbon's exit
    # handlers and threads cost seconds and can produce nothing the host reads).
    os._exit(code)
