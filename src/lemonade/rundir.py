"""A run directory's files, apart from the store (`run.db`, `lemonade.store`).

    RUN_DIR/
      config.yaml                 the run's configuration (written at the start)
      candidates/NNNN/            one folder per candidate (NNNN: its id, four digits)
        model.py                  its code
        metrics.json              its metrics.json document, written when it finishes
        job.json, result.json,    what its sandboxed worker was given and left
        weights...
      best/                       the best candidate so far (`write_best`)
      final/                      the winner retrained on train+val (`lemonade.finalize`)

`best/` and `final/` are written whole in a `.tmp` folder beside them and swapped in with one
rename (`swap_in`), so a reader never sees one half written. Weights are converted here as well:
a worker leaves an exported program's tensors (`.safetensors`) or a state_dict (`.pt`);
`best/` and `final/` hold a plain state_dict for `model.py`'s `Net` (`plain_state_dict`,
`save_state_dict`).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from lemonade.candidate import Candidate

CANDIDATES = "candidates"
BEST = "best"
MODEL_FILE = "model.py"
METRICS_FILE = "metrics.json"
CANDIDATE_FILE = "candidate.json"
# the checked exported program a measurement used (lemonade.sandbox.artifacts)
PROGRAM_FILES = ("graph.json", "weights.safetensors")
_PROGRAM_PREFIXES = ("param.", "state.")  # stored tensors of an exported program (artifacts)


def candidate_dir(run_dir: Path, cid: int) -> Path:
    """RUN_DIR/candidates/NNNN (not created)."""
    return Path(run_dir) / CANDIDATES / f"{cid:04d}"


def write_code(run_dir: Path, cid: int, code: str) -> Path:
    """The candidate's model.py; returns its folder."""
    d = candidate_dir(run_dir, cid)
    d.mkdir(parents=True, exist_ok=True)
    (d / MODEL_FILE).write_text(code)
    return d


def write_metrics(run_dir: Path, cid: int, doc: dict[str, Any]) -> None:
    """The candidate's metrics.json document (keys are metric names)."""
    d = candidate_dir(run_dir, cid)
    d.mkdir(parents=True, exist_ok=True)
    (d / METRICS_FILE).write_text(json.dumps(doc, indent=2))


def swap_in(tmp: Path, dest: Path) -> Path:
    """Replace the folder `dest` by the folder `tmp`, written whole beside it, in one rename
    (the old one goes to DEST.old first, removed after)."""
    old = dest.with_name(dest.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if dest.exists():
        dest.rename(old)
    tmp.rename(dest)
    shutil.rmtree(old, ignore_errors=True)
    return dest


def fresh_tmp(dest: Path) -> Path:
    """An empty DEST.tmp folder to write `dest` in before `swap_in`."""
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    return tmp


def write_best(run_dir: Path, row: Candidate) -> Path:
    """RUN_DIR/best/: the candidate's model.py, its exported program, weights.pt (a state_dict
    for model.py's Net), metrics.json and candidate.json (which candidate, how it scored)."""
    best = Path(run_dir) / BEST
    tmp = fresh_tmp(best)
    (tmp / MODEL_FILE).write_text(row.code)
    cdir = candidate_dir(run_dir, row.id)
    for name in PROGRAM_FILES:
        if (cdir / name).is_file():
            shutil.copy2(cdir / name, tmp / name)
    if row.weights_path and Path(row.weights_path).is_file():
        # weights.pt: a state_dict for model.py's Net (torch.load(weights_only=True))
        save_state_dict(plain_state_dict(row.weights_path), tmp / "weights.pt")
    # metrics.json is the metrics contract (keys are metric names); which candidate this is
    # and how it scored goes beside it
    (tmp / METRICS_FILE).write_text(json.dumps(row.metrics, indent=2))
    doc = {"candidate_id": row.id, "iteration": row.iteration, "cme": row.cme,
           "feasible": row.feasible, "parent_id": row.parent_id,
           "code_hash": row.code_hash, "fidelity": row.fidelity,
           "fidelity_of": row.origin.promoted_from}
    (tmp / CANDIDATE_FILE).write_text(json.dumps(doc, indent=2))
    return swap_in(tmp, best)


def plain_state_dict(weights_file: str | Path) -> dict[str, Any]:
    """The `state_dict` of the model file's `Net` from a weights file the sandbox left.

    A `.safetensors` file holds an exported program's tensors, named `param.<name>`,
    `state.<name>` (persistent buffers) and `const.<name>` (constants, not part of a
    state_dict); a `.pt` file is a state_dict already (read with `weights_only=True`).
    Nothing is unpickled from a safetensors file.
    """
    import torch

    path = Path(weights_file)
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        return {k.split(".", 1)[1]: v for k, v in load_file(str(path)).items()
                if k.startswith(_PROGRAM_PREFIXES)}
    return torch.load(path, map_location="cpu", weights_only=True)


def save_state_dict(state: dict[str, Any], dest: Path) -> None:
    """torch.save, or safetensors when `dest` ends in .safetensors; written atomically."""
    import torch

    tmp = dest.with_name(dest.name + ".tmp")
    if dest.suffix == ".safetensors":
        from safetensors.torch import save_file

        save_file({k: v.contiguous() for k, v in state.items()}, str(tmp))
    else:
        torch.save(state, tmp)
    tmp.replace(dest)
