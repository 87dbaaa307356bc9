"""The sandbox side of `lemonade export`: the job the trusted measurement process runs for it.

`run_export_job(job, out_dir)` loads the checked graph (`lemonade.sandbox.artifacts.load_program`:
no pickle, every node against the operator allow-list), runs it as `ProgramModule`, exports it
(ONNX or TorchScript, `lemonade.exporters`) to `out_dir / EXPORTED[fmt]` and checks the file's
logits against the graph's on the validation split the host wrote (sha256 checked), or on random
images when there is none. It returns the result document the host reads; the host side
(locating the model, starting this process, copying the file out, refusing) is
`lemonade.export`. No candidate source runs here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from lemonade.data.augment import normalize
from lemonade.exporters import ExportError, export_onnx, export_torchscript, first_line, quiet
from lemonade.measure.int8 import EVAL_BATCH, parity
from lemonade.measure.latency import onnx_session
from lemonade.sandbox.artifacts import ArtifactError, ProgramModule, load_program, read_split

ATOL, RTOL = 1e-4, 1e-3
EXPORT_BATCH = 2
RANDOM_PARITY_IMAGES = 64  # parity images when the run's dataset cannot be loaded
EXPORTED = {"onnx": "exported.onnx", "torchscript": "exported.pt"}  # in the process's folder


def build_model(artifacts: Path, shape: tuple[int, ...], num_classes: int) -> Any:
    """The checked exported program as a module in eval mode on the CPU (no candidate code)."""
    try:
        ep, _report = load_program(artifacts)
        model = ProgramModule(ep).eval()
    except ArtifactError as e:
        raise ExportError(f"cannot load the exported model: {e}") from None
    with torch.no_grad():
        out = model(torch.zeros(EXPORT_BATCH, *shape))
    if tuple(out.shape) != (EXPORT_BATCH, num_classes):
        raise ExportError(f"the exported model gives {tuple(out.shape)} for input "
                          f"{(EXPORT_BATCH, *shape)}; the run's dataset_info expects "
                          f"({EXPORT_BATCH}, {num_classes})")
    return model


def max_diff(a: Any, b: Any) -> tuple[float, bool]:
    """(max |a-b|, allclose within ATOL/RTOL) of two numpy arrays of the same shape."""
    if a.shape != b.shape:
        return float("inf"), False
    return float(np.max(np.abs(a - b))) if a.size else 0.0, bool(
        np.allclose(a, b, atol=ATOL, rtol=RTOL))


def _parity_images(job: dict[str, Any]) -> tuple[Any, str, str]:
    """(normalised float images, split name, note) for the parity check: the run's validation
    split (sha256 checked) when the host could give it, else random images."""
    shape = tuple(int(s) for s in job["shape"])
    if job.get("eval_split"):
        splits, meta = read_split(Path(job["eval_split"]), job.get("eval_sha256"))
        for split in ("val", "test"):
            x = splits.get(f"x_{split}")
            if x is not None and x.shape[0]:
                return normalize(x, tuple(meta["mean"]), tuple(meta["std"])), split, ""
    gen = torch.Generator().manual_seed(0)
    return (torch.randn(RANDOM_PARITY_IMAGES, *shape, generator=gen), "random",
            job.get("data_note") or "no validation split")


def _file_logits(path: Path, fmt: str, x: Any) -> Any:
    """The exported file's logits for float images `x`, in batches (numpy)."""
    if fmt == "onnx":
        sess = onnx_session(str(path), None)
        name = sess.get_inputs()[0].name
        run = lambda xb: sess.run(None, {name: xb.numpy()})[0]  # noqa: E731
    else:
        with quiet():
            loaded = torch.jit.load(str(path), map_location="cpu")
        run = lambda xb: loaded(xb).numpy()  # noqa: E731
    with torch.no_grad():
        return np.concatenate([np.asarray(run(x[i:i + EVAL_BATCH]))
                               for i in range(0, int(x.shape[0]), EVAL_BATCH)])


def run_export_job(job: dict[str, Any], out_dir: Path) -> dict[str, Any]:
    """Load the checked graph, export it to `out_dir / EXPORTED[fmt]`, check parity; the result
    document ({status, reason, file, exporter, note, max_abs_diff, argmax_agreement, ...})."""
    fmt = str(job["fmt"])
    shape = tuple(int(s) for s in job["shape"])
    try:
        model = build_model(Path(job["artifacts"]), shape, int(job["num_classes"]))
        path = out_dir / EXPORTED[fmt]
        example = torch.randn(EXPORT_BATCH, *shape, generator=torch.Generator().manual_seed(0))
        if fmt == "onnx":
            how, note = export_onnx(model, example, path, job.get("exporter") or "auto")
        else:
            how, note = export_torchscript(model, example, path)
        x, split, data_note = _parity_images(job)
        with torch.no_grad():
            want = np.concatenate([model(x[i:i + 256]).numpy()
                                   for i in range(0, int(x.shape[0]), 256)])
        got = _file_logits(path, fmt, x)
    except ExportError as e:
        return {"status": "failed", "reason": str(e)}
    except ImportError as e:
        return {"status": "failed", "reason": f"{first_line(e)} (pip install "
                                              "'lemonade-nas[export]')"}
    _diff, agree = parity(want, got)
    diff, ok = max_diff(got, want)
    return {"status": "ok", "reason": None, "file": path.name, "exporter": how,
            "note": "; ".join(n for n in (note, data_note) if n), "max_abs_diff": diff,
            "argmax_agreement": agree, "parity_split": split, "parity_images": int(x.shape[0]),
            "ok": ok}
