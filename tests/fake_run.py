"""Build a realistic run directory through the Store API, without training anything.

Used by the store, report and export tests (and free for the CLI tests): `make_fake_run(tmp_path)`
writes run.db with ok / failed / rejected candidates, LLM calls, advice and events, the files the
loop writes (`candidates/NNNN/model.py`, `weights.pt`, `best/`), and `dataset_info` in meta.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lemonade import metrics as M
from lemonade.candidate import Candidate
from lemonade.config import build_config, dump_config
from lemonade.store import Store

CHANNELS, IMAGE_SIZE, NUM_CLASSES = 3, (16, 16), 10

# A model file in the contract's style (README, "The model file"); `width` varies the candidates.
MODEL_TEMPLATE = '''import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self, in_channels: int, num_classes: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, {width}, kernel_size=3, padding=1)
        self.bn1 = nn.BatchNorm2d({width})
        self.block = nn.Sequential(
            nn.Conv2d({width}, {width2}, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.dropout = nn.Dropout(0.1)
        self.fc = nn.Linear({width2}, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.block(x)
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(self.dropout(x))
'''


def model_source(width: int) -> str:
    return MODEL_TEMPLATE.format(width=width, width2=width * 2)


def param_count(width: int) -> int:
    """Parameters of model_source(width), by hand (no torch import for tests that need none)."""
    w, w2 = width, width * 2
    return (CHANNELS * w * 9 + w) + 2 * w + (w * w2 * 9 + w2) + (w2 * NUM_CLASSES + NUM_CLASSES)


def build_model(source: str) -> Any:
    """Our own trusted test source, run directly (the export code path goes through the sandbox
    rules; this helper only makes weights)."""
    ns: dict[str, Any] = {}
    exec(compile(source, "model.py", "exec"), ns)
    return ns["Net"](in_channels=CHANNELS, num_classes=NUM_CLASSES)


def metrics_doc(acc: float, params: int, latency: float, energy: float | None) -> dict[str, Any]:
    ms = {
        "val_accuracy": M.measured("val_accuracy", acc, split="val", n=200),
        "train_accuracy": M.measured("train_accuracy", min(acc + 0.03, 1.0), split="train"),
        "params": M.measured("params", params, counted="trainable"),
        "latency_ms": M.measured("latency_ms", latency, device="cpu", batch_size=1, threads=1),
        "train_seconds": M.measured("train_seconds", 3.0 + params / 1e4, device="cpu"),
    }
    if energy is None:
        ms["train_energy_kwh"] = M.unavailable("train_energy_kwh", "no RAPL/NVML on this machine",
                                              source="codecarbon")
    else:
        ms["train_energy_kwh"] = M.measured("train_energy_kwh", energy, source="codecarbon")
    return M.to_json(ms)


def advice_doc(it: int) -> dict[str, Any]:
    keep = {"action": "reduce_kernels", "magnitude": 0.3, "reason": "params 2.1x over threshold",
            "objective": "params", "priority": 2.0, "gap": 1.07}
    drop = {"action": "add_kernels", "magnitude": 0.2, "reason": "val_accuracy 0.05 under",
            "objective": "val_accuracy", "priority": 1.0, "gap": 0.08}
    return {
        "diagnosis": [f"iteration {it}: params over threshold", "underfitting <script>x</script>"],
        "instructions": [keep, {"action": "add_dropout", "magnitude": 0.1, "reason": "overfit",
                                "objective": None, "priority": 1.0, "gap": 0.0}],
        "conflicts": [{"kept": keep, "dropped": drop,
                       "why": "params has the higher priority (2 > 1)"}],
    }


def make_fake_run(run_dir: Path, *, n_ok: int = 4, failures: bool = True, weights: bool = True,
                  energy: bool = True, model: str = "gpt-4o") -> Path:
    """A finished run: `n_ok` ok candidates of growing width, a failed and a rejected one."""
    cfg = build_config({
        "dataset": {"name": "synthetic", "synthetic_shape": [CHANNELS, *IMAGE_SIZE]},
        "proposer": {"kind": "openai", "model": model},
    })
    run_dir = Path(run_dir)
    store = Store.create(run_dir, dump_config(cfg), {
        "name": run_dir.name, "dataset": "synthetic", "proposer": "openai", "model": model,
        "dataset_info": json.dumps({"name": "synthetic", "channels": CHANNELS,
                                    "image_size": list(IMAGE_SIZE), "num_classes": NUM_CLASSES}),
    })
    best_id, best_cme = None, -2.0
    for it in range(n_ok + (2 if failures else 0)):
        width = 4 + 2 * it
        code = model_source(width)
        store.add_advice(it, None, advice_doc(it))
        cid = store.add_candidate(it, best_id, code, f"hash{it}", {"width": width}, "openai",
                                  extra={"problem": "params over", "modification": "shrink"})
        usage = {"prompt_tokens": 1000 + it, "completion_tokens": 400, "total_tokens": 1400 + it}
        store.add_llm_call(cid, it, "propose", [{"role": "user", "content": f"iteration {it}"}],
                           f"Here is the model:\n```python\n{code}```", usage, model, None, 2.5)
        cdir = run_dir / "candidates" / f"{cid:04d}"
        cdir.mkdir(parents=True)
        (cdir / "model.py").write_text(code)
        if failures and it == n_ok:
            store.finish_candidate(cid, "rejected", {}, None, False,
                                   "line 3: import of 'os' is not allowed", 0.0, [], None)
            continue
        store.mark_running(cid)
        if failures and it == n_ok + 1:
            store.finish_candidate(cid, "failed", {}, None, False,
                                   "RuntimeError: shape mismatch (1x8 and 16x10)", 1.5, [], None)
            continue
        params = param_count(width)
        # iteration 2 is dominated (bigger and less accurate than 1): the Pareto front has a gap
        acc = 0.5 + 0.08 * it - (0.1 if it == 2 else 0.0)
        doc = metrics_doc(acc, params, 0.5 + 0.2 * it, 1e-5 * (it + 1) if energy else None)
        score = -0.5 + 0.25 * it
        wpath = None
        if weights:
            import torch

            torch.manual_seed(it)
            net = build_model(code)
            assert sum(p.numel() for p in net.parameters()) == params
            wpath = cdir / "weights.pt"
            torch.save(net.state_dict(), wpath)
        history = [{"epoch": e, "loss": 2.0 / (e + 1), "train_accuracy": acc - 0.1 + 0.02 * e,
                    "val_accuracy": acc - 0.1 + 0.02 * e, "seconds": 1.0, "lr": 0.05}
                   for e in range(3)]
        store.finish_candidate(cid, "ok", doc, score, score >= 0, None, 4.0 + it, history,
                               str(wpath) if wpath else None)
        store.log_event("candidate_end", {"id": cid, "status": "ok"})
        if score > best_cme:
            best_id, best_cme = cid, score
            row = store.candidate(cid)
            assert row is not None
            write_best(run_dir, row)
    store.finish_run("finished")
    store.close()
    return run_dir


def write_best(run_dir: Path, row: Candidate) -> None:
    import shutil

    best = run_dir / "best"
    shutil.rmtree(best, ignore_errors=True)
    best.mkdir()
    (best / "model.py").write_text(row.code)
    if row.weights_path:
        shutil.copy2(row.weights_path, best / "weights.pt")
    (best / "metrics.json").write_text(json.dumps(row.metrics))
    (best / "candidate.json").write_text(json.dumps(
        {"candidate_id": row.id, "iteration": row.iteration, "cme": row.cme}))
