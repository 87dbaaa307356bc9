"""The report's early-stops section: what was stopped, why, and the rank agreements."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from lemonade.candidate import Candidate, Status
from lemonade.report_stops import agreement_rows, section_stops


def _row(i: int, acc: float, curve: list[float], **extra: object) -> Candidate:
    return Candidate(id=i, iteration=i, status=Status.OK, extra=dict(extra),
                     metrics={"val_accuracy": {"value": acc}},
                     history=[{"epoch": k + 1, "train_accuracy": a} for k, a in enumerate(curve)])


def _ctx(rows: list[Candidate], run_dir: Path | None, prune: bool) -> SimpleNamespace:
    return SimpleNamespace(rows=rows, values={r.id: r.values for r in rows}, run_dir=run_dir,
                           config={"budget": {"prune": prune, "prune_min_epoch": 2,
                                              "prune_margin": 0.1, "prescreen_factor": 3.0,
                                              "candidate_timeout_s": 7200}})


def test_pruning_signal_and_finalize_agreement_are_reported(tmp_path: Path) -> None:
    rows = [_row(1, 0.5, [0.2, 0.3]), _row(2, 0.6, [0.3, 0.4]), _row(3, 0.7, [0.4, 0.5]),
            _row(4, 0.4, [0.1, 0.15], pruned={"reason": "pruned at epoch 2: front candidate 3",
                                              "epochs_run": 2, "epochs": 10})]
    (tmp_path / "final").mkdir()
    (tmp_path / "final" / "rank_agreement.json").write_text(json.dumps(
        {"n": 3, "spearman": -0.5, "kendall": -0.333}))
    got = dict(agreement_rows(_ctx(rows, tmp_path, prune=True), "val_accuracy"))
    signal = next(v for k, v in got.items() if "epoch 2" in k)
    assert signal["n"] == 3 and signal["spearman"] == 1.0  # the pruned row is not in it
    assert any("finalize" in k for k in got)
    html = section_stops(_ctx(rows, tmp_path, prune=True))
    assert "pruned at epoch 2" in html and "2 / 10" in html and "-0.500" in html


def test_nothing_to_say_gives_no_section() -> None:
    assert section_stops(_ctx([_row(1, 0.5, [0.2])], None, prune=False)) == ""
