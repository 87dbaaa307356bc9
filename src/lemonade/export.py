"""Export a run's best (or a chosen) candidate for the edge, as ONNX or TorchScript, checked.

No candidate source runs here. The export starts from the artifact the training worker wrote and
the trusted measurement measured: `graph.json` (a `torch.export` program) and
`weights.safetensors`, read by `lemonade.sandbox.artifacts.load_program` (no pickle, every graph
node checked against an operator allow-list) and run as `ProgramModule`, a plain module calling
ATen operators. A payload that stays dormant in the worker therefore has nothing to fire on here.
Runs made before artifacts existed (only `model.py` + `weights.pt`) cannot be exported without
running their code: evaluate the model file again (`lemonade evaluate FILE --save-weights DIR`).

ONNX: torch 2.13's `torch.onnx.export` defaults to the dynamo exporter (`torch.export` + onnxscript,
which must be installed; it works offline). It is the maintained path, so we use it, with a dynamic
batch axis; if it fails (onnxscript missing, an op it cannot trace) we fall back to the older
TorchScript-based exporter (`dynamo=False`, `dynamic_axes`). `ExportResult.exporter` says which ran.
The dynamo exporter costs ~5-15 s a model on a CPU; the TorchScript one under a second.

TorchScript: `torch.jit.trace` of the program module, falling back to `torch.jit.script`.

Both are checked against the exported program on a random batch of 4 (the export used a batch of
2, so this also proves the batch axis is dynamic): within atol 1e-4, rtol 1e-3, via onnxruntime
(CPU) or `torch.jit.load`.
"""

from __future__ import annotations

import contextlib
import io
import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from lemonade.candidate import Candidate
from lemonade.store import Store, StoreError

ATOL, RTOL = 1e-4, 1e-3
EXPORT_BATCH, CHECK_BATCH = 2, 4
SUFFIX = {"onnx": ".onnx", "torchscript": ".pt"}


class ExportError(Exception):
    """What is missing or wrong, in one line (the CLI prints it)."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    size_bytes: int
    max_abs_diff: float | None  # None when the check could not run (see note)
    ok: bool  # exported and matching PyTorch within tolerance
    fmt: str
    candidate_id: int | None = None
    exporter: str = ""  # dynamo | torchscript-onnx | trace | script
    note: str = ""


@dataclass(frozen=True)
class _Source:
    candidate_id: int | None
    artifacts: Path  # the folder holding graph.json + weights.safetensors
    channels: int
    image_size: tuple[int, int]
    num_classes: int


# ---- locating the candidate --------------------------------------------------------------------
def _image_hw(size: Any) -> tuple[int, int]:
    if isinstance(size, int):
        return size, size
    if isinstance(size, list | tuple) and len(size) == 2:
        return int(size[0]), int(size[1])
    raise ExportError(f"dataset_info.image_size must be an int or [H, W], got {size!r}")


def _dataset_shape(store: Store) -> tuple[int, tuple[int, int], int]:
    info = store.get_meta_obj("dataset_info")
    if not isinstance(info, dict) or not {"channels", "image_size", "num_classes"} <= set(info):
        raise ExportError(f"{store.path}: meta 'dataset_info' (channels, image_size, "
                          "num_classes) is missing, so the input shape is unknown")
    return int(info["channels"]), _image_hw(info["image_size"]), int(info["num_classes"])


def has_artifacts(folder: Path) -> bool:
    from lemonade.sandbox.artifacts import GRAPH_FILE, WEIGHTS_FILE

    return (folder / GRAPH_FILE).is_file() and (folder / WEIGHTS_FILE).is_file()


def _artifacts_of(run_dir: Path, row: Candidate) -> Path:
    cdir = run_dir / "candidates" / f"{row.id:04d}"
    tried = [cdir]  # this run's own folder first: a copied run must not export the original
    if row.weights_path:
        p = Path(row.weights_path)
        tried += [q.parent for q in ([p] if p.is_absolute() else [p, run_dir / p,
                                                                   run_dir.parent / p])]
    for folder in tried:
        if has_artifacts(folder):
            return folder
    legacy = " (it has model.py and weights.pt from before trusted measurement: evaluate the "\
        "model file again to export it)" if (cdir / "weights.pt").is_file() else ""
    raise ExportError(f"candidate {row.id} ({row.status}) has no exported model "
                      f"(graph.json + weights.safetensors){legacy}: looked in "
                      + ", ".join(str(p) for p in dict.fromkeys(tried)))


def locate(run_dir: Path, candidate_id: int | None) -> _Source:
    """The exported model and input shape of the chosen candidate; by default final/ (the
    retrained winner, `lemonade finalize`) when it is there, else best/."""
    try:
        store = Store.open(run_dir)
    except StoreError as e:
        raise ExportError(str(e)) from None
    with store:
        channels, hw, classes = _dataset_shape(store)
        for default in ("final", "best"):
            folder = run_dir / default
            if candidate_id is None and has_artifacts(folder):
                cid = None
                with contextlib.suppress(OSError, ValueError, AttributeError):
                    cid = json.loads((folder / "candidate.json").read_text()).get("candidate_id")
                return _Source(cid, folder, channels, hw, classes)
        if candidate_id is None:
            row = store.best_candidate()
            if row is None:
                raise ExportError(f"{run_dir}: no candidate finished ok, nothing to export")
        else:
            try:
                row = store.candidate(candidate_id)
            except StoreError as e:
                raise ExportError(str(e)) from None
        return _Source(row.id, _artifacts_of(run_dir, row), channels, hw, classes)


# ---- building ----------------------------------------------------------------------------------
def build_model(src: _Source) -> Any:
    """The checked exported program as a module in eval mode on the CPU (no candidate code)."""
    import torch

    from lemonade.sandbox.artifacts import ArtifactError, ProgramModule, load_program

    try:
        ep, _report = load_program(src.artifacts)
        model = ProgramModule(ep).eval()
    except ArtifactError as e:
        raise ExportError(f"cannot load the exported model in {src.artifacts}: {e}") from None
    h, w = src.image_size
    with torch.no_grad():
        out = model(torch.zeros(2, src.channels, h, w))
    if tuple(out.shape) != (2, src.num_classes):
        raise ExportError(f"the exported model gives {tuple(out.shape)} for input "
                          f"{(2, src.channels, h, w)}; the run's dataset_info expects "
                          f"(2, {src.num_classes})")
    return model


# ---- exporters ---------------------------------------------------------------------------------
def _quiet() -> contextlib.ExitStack:
    """Silence exporter chatter (progress lines, deprecation warnings) on the CLI's output."""
    stack = contextlib.ExitStack()
    stack.enter_context(warnings.catch_warnings())
    warnings.simplefilter("ignore")
    stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
    return stack


def export_onnx(model: Any, example: Any, path: Path,
                exporter: Literal["auto", "dynamo", "torchscript"] = "auto") -> tuple[str, str]:
    """Write an ONNX file with a dynamic batch axis; returns (exporter used, note)."""
    import torch

    note = ""
    if exporter in ("auto", "dynamo"):
        try:
            with _quiet():
                batch = torch.export.Dim("batch")
                prog = torch.onnx.export(model, (example,), None, input_names=["input"],
                                         output_names=["logits"], dynamo=True, verbose=False,
                                         dynamic_shapes=({0: batch},))
                # one file, weights inside (external data only matters past 2 GB)
                prog.save(str(path))
            return "dynamo", note
        except Exception as e:
            if exporter == "dynamo":
                raise ExportError(f"ONNX export (dynamo) failed: {_first_line(e)}") from None
            note = f"dynamo exporter failed ({_first_line(e)}); used the TorchScript exporter"
    with _quiet():
        torch.onnx.export(model, (example,), str(path), input_names=["input"],
                          output_names=["logits"], dynamo=False,
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    return "torchscript-onnx", note


def export_torchscript(model: Any, example: Any, path: Path) -> tuple[str, str]:
    import torch

    note = ""
    with _quiet():
        try:
            scripted, how = torch.jit.trace(model, example), "trace"
        except Exception as e:
            note = f"trace failed ({_first_line(e)}); used torch.jit.script"
            scripted, how = torch.jit.script(model), "script"
        scripted.save(str(path))
    return how, note


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0] if text else ''}"[:300]


def max_diff(a: Any, b: Any) -> tuple[float, bool]:
    """(max |a-b|, allclose within ATOL/RTOL) of two numpy arrays of the same shape."""
    import numpy as np

    if a.shape != b.shape:
        return float("inf"), False
    return float(np.max(np.abs(a - b))) if a.size else 0.0, bool(
        np.allclose(a, b, atol=ATOL, rtol=RTOL))


def check_export(model: Any, path: Path, fmt: str, x: Any) -> tuple[float | None, bool, str]:
    """Run the exported file on x and compare with the PyTorch model."""
    import torch

    with torch.no_grad():
        want = model(x).numpy()
    if fmt == "onnx":
        try:
            import onnxruntime as ort
        except ImportError:
            return None, False, "onnxruntime is not installed: output not checked"
        sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        got = sess.run(None, {sess.get_inputs()[0].name: x.numpy()})[0]
    else:
        with _quiet():
            loaded = torch.jit.load(str(path), map_location="cpu")
        with torch.no_grad():
            got = loaded(x).numpy()
    diff, ok = max_diff(got, want)
    return diff, ok, ""


def export_model(run_dir: str | Path, candidate_id: int | None = None, fmt: str = "onnx",
                 out: str | Path | None = None,
                 onnx_exporter: Literal["auto", "dynamo", "torchscript"] = "auto"
                 ) -> ExportResult:
    """Export the run's best candidate (or `candidate_id`) to `out` and check it numerically.

    `out` defaults to RUN_DIR/export/{best|candidate-NNNN}.{onnx|pt}; a directory puts it inside.
    Raises ExportError for a missing run, candidate, weights or dataset shape."""
    if fmt not in SUFFIX:
        raise ExportError(f"unknown export format {fmt!r}; allowed: {', '.join(SUFFIX)}")
    import torch

    run_dir = Path(run_dir)
    src = locate(run_dir, candidate_id)
    model = build_model(src)
    stem = "best" if candidate_id is None else f"candidate-{src.candidate_id:04d}"
    path = Path(out) if out else run_dir / "export"
    if path.suffix.lower() != SUFFIX[fmt]:
        path = path / f"{stem}{SUFFIX[fmt]}"
    path.parent.mkdir(parents=True, exist_ok=True)
    gen = torch.Generator().manual_seed(0)
    h, w = src.image_size
    example = torch.randn(EXPORT_BATCH, src.channels, h, w, generator=gen)
    check = torch.randn(CHECK_BATCH, src.channels, h, w, generator=gen)
    if fmt == "onnx":
        how, note = export_onnx(model, example, path, onnx_exporter)
    else:
        how, note = export_torchscript(model, example, path)
    diff, ok, check_note = check_export(model, path, fmt, check)
    notes = "; ".join(n for n in (note, check_note) if n)
    return ExportResult(path=path, size_bytes=_size(path), max_abs_diff=diff, ok=ok, fmt=fmt,
                        candidate_id=src.candidate_id, exporter=how, note=notes)


def _size(path: Path) -> int:
    extra = path.with_name(path.name + ".data")  # ONNX external data, when a model needs it
    return path.stat().st_size + (extra.stat().st_size if extra.exists() else 0)
