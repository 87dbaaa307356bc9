"""Export a run's best (or a chosen) candidate for the edge, as ONNX or TorchScript, checked.

No candidate source runs here, and the host never loads or runs the candidate's graph: the host
finds the artifact (`graph.json`, a `torch.export` program, and `weights.safetensors`, from the
training worker, measured by the trusted measurement) and hands it to a fresh trusted measurement
process inside the OS wall (`python -m lemonade.sandbox.measure_worker`, job `task: export`),
under the run's sandbox limits (memory, processes) and a timeout. There
`lemonade.sandbox.export_job.run_export_job` (the sandbox side; this module is the host's) reads it
through `lemonade.sandbox.artifacts.load_program` (no pickle, every graph node checked against an
operator allow-list, shape expressions checked before sympy sees them), runs it as
`ProgramModule`, exports it, checks the file and writes it into its own folder; the host copies
the file out (a regular file under the size limit, never a link). A graph that allocates
gigabytes at the export batch, or a shape expression that never finishes, ends as a clear error
(the memory limit or the timeout), the host unaffected. Runs made before artifacts existed (only
`model.py` + `weights.pt`) cannot be exported without running their code: evaluate the model file
again (`lemonade evaluate FILE --save-weights DIR`).

ONNX: torch 2.13's `torch.onnx.export` defaults to the dynamo exporter (`torch.export` + onnxscript,
which must be installed; it works offline). It is the maintained path, so we use it, with a dynamic
batch axis; if it fails (onnxscript missing, an op it cannot trace) we fall back to the older
TorchScript-based exporter (`dynamo=False`, `dynamic_axes`). `ExportResult.exporter` says which ran.
The dynamo exporter costs ~5-15 s a model on a CPU; the TorchScript one under a second.

TorchScript: `torch.jit.trace` of the program module, falling back to `torch.jit.script`.

Parity: the exported file (onnxruntime CPU session, or `torch.jit.load`) against the exported
torch graph on the run's validation split, in batches of 256 (so the batch axis is proven
dynamic): the maximum absolute logit difference and the fraction of images whose argmax agrees.
A file whose argmax disagrees on more than 0.1% of the images is refused (not written). When the
run's dataset cannot be loaded here, parity runs on random images and the note says so. `ok`: the
logits also match within atol 1e-4, rtol 1e-3. The figures go to the CLI and to `FILE.json`.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from lemonade.candidate import Candidate
from lemonade.config import SandboxConfig, build_config
from lemonade.exporters import ExportError, first_line
from lemonade.sandbox.export_job import ATOL, EXPORTED, RTOL
from lemonade.sandbox.protocol import GRAPH_FILE, WEIGHTS_FILE
from lemonade.sandbox.resource import Sandbox
from lemonade.sandbox.trusted_job import run_trusted_job
from lemonade.store import Store, StoreError

MAX_DISAGREEMENT = 0.001  # refuse a file whose argmax differs on more than 0.1% of the images
EXPORT_TIMEOUT_S = 600.0
SUFFIX = {"onnx": ".onnx", "torchscript": ".pt"}


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
    argmax_agreement: float | None = None  # fraction of the parity images whose argmax agrees
    parity_split: str = ""  # val (the run's validation split) | random
    parity_images: int = 0


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


# ---- the host side ----------------------------------------------------------------------------
def _run_config(run_dir: Path) -> dict[str, Any]:
    """The run's stored config (empty when unreadable: the defaults apply)."""
    try:
        with Store.open(run_dir) as store:
            doc = yaml.safe_load(store.config_yaml() or "")
    except Exception:
        return {}
    return doc if isinstance(doc, dict) else {}


def _eval_split(config: dict[str, Any], sandbox: Sandbox) -> tuple[Any, str]:
    """The run's val/test split file (written by the host from the run's config), or None and
    why not (the parity check then uses random images)."""
    try:
        return sandbox.splits.host_splits(build_config(config)), ""
    except Exception as e:
        return None, (f"the run's dataset could not be loaded ({first_line(e)}): parity "
                      "checked on random images")


def export_model(run_dir: str | Path, candidate_id: int | None = None, fmt: str = "onnx",
                 out: str | Path | None = None,
                 onnx_exporter: Literal["auto", "dynamo", "torchscript"] = "auto",
                 timeout_s: float = EXPORT_TIMEOUT_S, limits: Any = None,
                 sandbox: Sandbox | None = None) -> ExportResult:
    """Export the run's best candidate (or `candidate_id`) to `out`, in the sandbox, checked.

    `out` defaults to RUN_DIR/export/{best|candidate-NNNN}.{onnx|pt}; a directory puts it inside.
    `limits`: the sandbox settings (default: the run's `sandbox`). `sandbox`: the
    lemonade.sandbox.resource.Sandbox that writes the split file and starts the process (None:
    one of this call only). Raises ExportError for a missing run, candidate, weights or dataset
    shape, a failed or refused export."""
    if fmt not in SUFFIX:
        raise ExportError(f"unknown export format {fmt!r}; allowed: {', '.join(SUFFIX)}")
    run_dir = Path(run_dir)
    src = locate(run_dir, candidate_id)
    stem = "best" if candidate_id is None else f"candidate-{src.candidate_id:04d}"
    path = Path(out) if out else run_dir / "export"
    if path.suffix.lower() != SUFFIX[fmt]:
        path = path / f"{stem}{SUFFIX[fmt]}"
    path.parent.mkdir(parents=True, exist_ok=True)
    config = _run_config(run_dir)
    staging = Path(tempfile.mkdtemp(prefix="lemonade-export-in-"))
    try:
        art = _stage_artifacts(src.artifacts.resolve(), staging)
        if sandbox is not None:
            return _export_staged(src, art, fmt, path, config, onnx_exporter, limits,
                                  timeout_s, sandbox)
        with Sandbox() as own:
            return _export_staged(src, art, fmt, path, config, onnx_exporter, limits,
                                  timeout_s, own)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _stage_artifacts(folder: Path, staging: Path) -> Path:
    """Copies of the artifact's two files in a folder of the host's own, readable by the
    sandbox's unprivileged uid (the run's copies may be private to the user) and free of links."""
    out = staging / "artifacts"
    out.mkdir()
    for name in (GRAPH_FILE, WEIGHTS_FILE):
        src = folder / name
        if src.is_symlink() or not src.is_file():
            raise ExportError(f"{src} is not a regular file")
        shutil.copyfile(src, out / name)
        (out / name).chmod(0o644)
    out.chmod(0o755)
    return out


def _export_staged(src: _Source, art: Path, fmt: str, path: Path, config: dict[str, Any],
                   onnx_exporter: Any, limits: Any, timeout_s: float,
                   sandbox: Sandbox) -> ExportResult:
    splits, data_note = _eval_split(config, sandbox)
    doc: dict[str, Any] = {"task": "export", "artifacts": str(art), "fmt": fmt,
                           "exporter": onnx_exporter,
                           "shape": [src.channels, *src.image_size],
                           "num_classes": src.num_classes, "data_note": data_note,
                           "threads": 1}
    binds = [(str(art), str(art))]
    if splits is not None:
        doc.update(eval_split=str(splits.eval), eval_sha256=splits.eval_sha256)
        binds.append((str(splits.eval), str(splits.eval)))
    if limits is None:
        try:
            limits = SandboxConfig(**(config.get("sandbox") or {}))
        except Exception:
            limits = SandboxConfig()
    with tempfile.TemporaryDirectory(prefix="lemonade-export-") as tmp:
        result = run_trusted_job(doc, ro_binds=binds, limits=limits, timeout_s=timeout_s,
                                 outputs=list(EXPORTED.values()), dest=Path(tmp), what="export",
                                 sandbox=sandbox)
        if result.get("status") != "ok":
            raise ExportError(f"export of candidate {src.candidate_id} failed: "
                              f"{result.get('reason')}")
        agree = float(result["argmax_agreement"])
        figures = (f"max |logit diff| {float(result['max_abs_diff']):.3g} over "
                   f"{result['parity_images']} {result['parity_split']} images")
        if 1.0 - agree > MAX_DISAGREEMENT:
            raise ExportError(
                f"refused: the exported {fmt} model's argmax differs from the torch graph's on "
                f"{100 * (1 - agree):.2f}% of {result['parity_images']} "
                f"{result['parity_split']} images (limit {100 * MAX_DISAGREEMENT:.1f}%); "
                f"{figures}")
        made = Path(tmp) / str(result.get("file"))
        if not made.is_file():
            raise ExportError("the export process wrote no file (or one over the size limit)")
        shutil.move(str(made), path)
    res = ExportResult(path=path, size_bytes=_size(path),
                       max_abs_diff=float(result["max_abs_diff"]), ok=bool(result["ok"]),
                       fmt=fmt, candidate_id=src.candidate_id,
                       exporter=str(result.get("exporter") or ""),
                       note=str(result.get("note") or ""), argmax_agreement=agree,
                       parity_split=str(result["parity_split"]),
                       parity_images=int(result["parity_images"]))
    path.with_name(path.name + ".json").write_text(json.dumps({
        "candidate_id": res.candidate_id, "format": fmt, "exporter": res.exporter,
        "size_bytes": res.size_bytes, "parity": {
            "against": "the exported torch graph (float32)", "split": res.parity_split,
            "images": res.parity_images, "max_abs_logit_diff": res.max_abs_diff,
            "argmax_agreement": agree, "refused_above_disagreement": MAX_DISAGREEMENT,
            "within_atol_rtol": [ATOL, RTOL], "ok": res.ok},
        "note": res.note}, indent=2))
    return res


def _size(path: Path) -> int:
    extra = path.with_name(path.name + ".data")  # ONNX external data, when a model needs it
    return path.stat().st_size + (extra.stat().st_size if extra.exists() else 0)
