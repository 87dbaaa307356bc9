"""What the training worker does with its job: the code behind `lemonade.sandbox.worker`, which
imports it once its limits are set (it imports torch, and the candidate's training path).

`run(job, channel, folder)` runs a "check" job (the static check, build, one forward pass: the
dry run of `lemonade check`) or an evaluate job: train on the train split the host wrote (the
only data this process gets), then export the graph and weights into the folder, the artifacts
the trusted measurement process reads. Epoch events and the result are display only.
"""

from __future__ import annotations

import importlib
import os
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

import torch

from lemonade.budget import STOP_FILE
from lemonade.config import auto_cpu_threads, build_config
from lemonade.data import Dataset
from lemonade.data.augment import normalize
from lemonade.evaluate import train_candidate, untrained_cost
from lemonade.gate import check_source
from lemonade.measure.stored import module_params
from lemonade.modelfile import ModelFileError, build_net, check_output, count_params
from lemonade.sandbox import artifacts
from lemonade.sandbox.artifacts import ArtifactError, export_program, read_split, save_program
from lemonade.sandbox.protocol import emit
from lemonade.train import resolve_device

# what an evaluate job needs too: torch.export and the optimizers import torch._dynamo
WARM_IMPORTS_EVALUATE = ("torch._dynamo", "torch.export")


def warm_up(mode: str) -> None:
    """Import what a job needs before the job exists: the start-up the host does not bill to
    the candidate. A "check" job needs this module's imports only, not the exporter. An
    evaluate job's worker also exports and serialises a small model of its own once (lemonade's
    code, before any candidate's: `lemonade.sandbox.artifacts.warm_up`)."""
    if mode == "check":
        return
    for name in WARM_IMPORTS_EVALUATE:
        importlib.import_module(name)
    artifacts.warm_up(load=False)


def run(job: dict[str, Any], channel: TextIO, folder: Path) -> dict[str, Any]:
    """The job's result document ({status, reason, info, ...}; display only)."""
    torch.set_num_threads(_cpu_threads(job))
    if job.get("mode") == "check":
        return _run_check(job, channel)
    return _run_evaluate(job, channel, folder)


def _run_check(job: dict[str, Any], channel: TextIO) -> dict[str, Any]:
    c, h, w, k = job["check_shape"] or (3, 32, 32, 10)
    emit(channel, "phase", phase="running the candidate")
    violations = check_source(job["source"])
    if violations:
        return {"status": "failed", "reason": "; ".join(str(v) for v in violations)}
    try:
        model = build_net(job["source"], in_channels=c, num_classes=k)
        check_output(model, c, (h, w), k, device="cpu", source=job["source"])
    except ModelFileError as e:
        return {"status": "failed", "reason": str(e)}
    info: dict[str, Any] = {"params": count_params(model), "output_shape": [2, k]}
    try:  # the figure `evaluate` reports: counted on the exported graph (measure.stored)
        info["params"], info["params_method"] = module_params(model, torch.zeros(2, c, h, w))
    except Exception as e:  # not exportable: `evaluate` would refuse it; say so, keep going
        info["params_method"] = {"counted": "parameters() only: the model does not export "
                                            f"({type(e).__name__})"}
    return {"status": "ok", "reason": None, "info": info}


def _train_split_dataset(job: dict[str, Any]) -> Any:
    """The train split the host wrote for this job (no val/test labels reach this process)."""
    if not job.get("train_split"):
        # never load the dataset here: val and test labels must not enter this process
        raise ValueError("job has no train_split: the host writes the train split file "
                         "(lemonade.sandbox.host_measure.SplitCache)")
    tensors, meta = read_split(Path(job["train_split"]), job.get("train_sha256"))
    x, y = tensors["x_train"], tensors["y_train"]
    empty_x, empty_y = x[:0], y[:0]
    return Dataset(name=meta["name"], x_train=x, y_train=y, x_val=empty_x, y_val=empty_y,
                   x_test=empty_x, y_test=empty_y, num_classes=int(meta["num_classes"]),
                   mean=tuple(meta["mean"]), std=tuple(meta["std"]))


def _run_evaluate(job: dict[str, Any], channel: TextIO, job_dir: Path) -> dict[str, Any]:
    """Train, then export the graph and weights: the artifacts the measurement process reads.

    Nothing this returns ranks the candidate: epoch events and result.json are display only.
    """
    cfg = build_config(job["config"] or {})
    device = resolve_device(job["device"] or cfg.device)
    emit(channel, "phase", phase="loading the train split")
    data = _train_split_dataset(job)
    emit(channel, "phase", phase="running the candidate")

    def on_epoch(stats: Any) -> None:
        emit(channel, "epoch", **asdict(stats), display_only=True)

    over: list[str] = []  # its own cost over a prescreen limit: no step is worth taking

    def on_built(model: Any) -> None:
        # its cost before any training step: the host sizes its clock with it (lemonade.budget)
        cost = untrained_cost(model, data.channels, data.image_size,
                              latency="latency_ms" in (job.get("prescreen") or {}))
        emit(channel, "cost", **cost, display_only=True)
        for metric, limit in (job.get("prescreen") or {}).items():
            v = cost.get(metric)
            if isinstance(v, int | float) and v > float(limit):
                over.append(metric)

    stop = job_dir / STOP_FILE  # the host writes it when the candidate's time is up
    cpu0 = time.process_time()  # this process's CPU seconds (all its threads): display only
    res = train_candidate(job["source"], data, cfg, device, on_epoch=on_epoch,
                          on_built=on_built, should_stop=lambda: bool(over) or stop.exists())
    cpu_s = time.process_time() - cpu0
    history = [asdict(e) for e in res.train.history] if res.train else []
    info: dict[str, Any] = {"device": str(device), "timings": res.timings}
    if res.train is not None:
        info["train"] = {"status": res.train.status, "epochs_run": res.train.epochs_run,
                         "loop_seconds": res.train.train_seconds, "cpu_seconds": cpu_s,
                         "train_accuracy": res.train.train_accuracy, "notes": res.train.notes}
    out = {"status": res.status, "reason": res.reason, "history": history, "info": info}
    if res.status != "ok" or res.model is None:
        return out
    emit(channel, "phase", phase="exporting the graph")
    t = time.perf_counter()
    model = res.model.to("cpu").eval()
    example = normalize(data.x_train[:2], data.mean, data.std)
    try:
        ep = export_program(model, example)
        save_program(ep, Path(job.get("out_dir") or job_dir))
    except ArtifactError as e:
        return {**out, "status": "failed", "reason": str(e)}
    info["timings"]["export_s"] = time.perf_counter() - t
    return out


def _cpu_threads(job: dict[str, Any]) -> int:
    """Threads for training: the config's `train.cpu_threads`, else OMP_NUM_THREADS, else auto."""
    set_in_config = ((job.get("config") or {}).get("train") or {}).get("cpu_threads")
    env = os.environ.get("OMP_NUM_THREADS")
    if set_in_config:
        return max(1, int(set_in_config))
    if env and env.isdigit():
        return max(1, int(env))
    return auto_cpu_threads(os.cpu_count())
