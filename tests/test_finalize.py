"""Final training: the train+val dataset, the choice of finalists by rank_key, the final/ layout,
and `lemonade finalize` on a tiny digits run made by the real loop."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from e2e import quick_config
from safetensors.torch import load_file
from typer.testing import CliRunner

from lemonade.candidate import Candidate
from lemonade.cli import app
from lemonade.config import Objective, build_config, load_config
from lemonade.data import Dataset
from lemonade.data.trainval import train_plus_val
from lemonade.finalize import (
    FinalCandidate,
    SeedResult,
    _write_final,
    final_config,
    final_epochs,
    pick_top,
    plain_state_dict,
    save_state_dict,
)
from lemonade.store import Store


def tiny_dataset() -> Dataset:
    g = torch.Generator().manual_seed(0)

    def x(n: int) -> torch.Tensor:
        return torch.randint(0, 256, (n, 1, 4, 4), generator=g, dtype=torch.uint8)

    return Dataset(name="t", x_train=x(6), y_train=torch.arange(6) % 2,
                   x_val=torch.full((3, 1, 4, 4), 255, dtype=torch.uint8),
                   y_val=torch.ones(3, dtype=torch.int64), x_test=x(4),
                   y_test=torch.zeros(4, dtype=torch.int64), num_classes=2,
                   mean=(0.5,), std=(0.3,))


def test_train_plus_val_merges_val_into_train_and_leaves_the_input_alone() -> None:
    d = tiny_dataset()
    m = train_plus_val(d)
    assert m.x_train.shape[0] == 9 and torch.equal(m.x_train[6:], d.x_val)
    assert torch.equal(m.y_train, torch.cat([d.y_train, d.y_val]))
    assert m.x_val.shape == (0, 1, 4, 4) and m.y_val.shape == (0,)
    assert m.x_test is d.x_test and m.y_test is d.y_test  # the test split is untouched
    assert m.mean[0] > d.x_train.float().mean().item() / 255  # stats of the merged split
    assert d.x_train.shape[0] == 6 and d.x_val.shape[0] == 3  # pure: the input is unchanged


def test_finalists_are_the_ok_candidates_best_first_by_rank_key() -> None:
    objs = [Objective(metric="val_accuracy", threshold=0.9, priority=1),
            Objective(metric="params", threshold=1000, priority=1)]

    def cand(cid: int, status: str, acc: float, params: float) -> Candidate:
        return Candidate.from_row({
            "id": cid, "iteration": cid, "status": status,
            "metrics": {"val_accuracy": {"value": acc}, "params": {"value": params}}})

    cands = [cand(1, "ok", 0.80, 500), cand(2, "failed", 0.99, 10), cand(3, "ok", 0.95, 800),
             cand(4, "ok", 0.95, 400)]
    assert [c.id for c in pick_top(cands, objs, 2)] == [4, 3]
    assert [c.id for c in pick_top(cands, objs, 10)] == [4, 3, 1]


def test_final_schedule_defaults_and_config() -> None:
    cfg = build_config({"budget": {"epochs": 4, "seconds_per_candidate": 30,
                                   "candidate_timeout_s": 100}})
    assert final_epochs(cfg) == 12 and final_epochs(cfg, 7) == 7
    assert final_epochs(build_config({"budget": {"final_epochs": 9}})) == 9
    fc = final_config(cfg, 12, seed=5)
    assert (fc.budget.epochs, fc.seed, fc.budget.seconds_per_candidate) == (12, 5, None)
    assert fc.budget.candidate_timeout_s == 300  # the timeout grows with the schedule


class SmallNet(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 4, 3)
        self.bn = torch.nn.BatchNorm2d(4)
        self.fc = torch.nn.Linear(4, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.bn(self.conv(x)).mean(dim=(2, 3)))


def exported_weights(tmp_path: Path) -> tuple[Path, SmallNet]:
    from lemonade.sandbox.artifacts import WEIGHTS_FILE, export_program, save_program

    torch.manual_seed(0)
    net = SmallNet()
    net.bn.running_mean.fill_(0.25)
    save_program(export_program(net, torch.zeros(2, 1, 6, 6)), tmp_path / "art")
    return tmp_path / "art" / WEIGHTS_FILE, net


def test_program_weights_become_a_plain_state_dict(tmp_path: Path) -> None:
    w, net = exported_weights(tmp_path)
    state = plain_state_dict(w)
    fresh = SmallNet()
    fresh.load_state_dict(state, strict=True)  # every parameter and buffer, nothing else
    assert torch.equal(fresh.bn.running_mean, net.bn.running_mean)
    for dest in (tmp_path / "w.pt", tmp_path / "w.safetensors"):
        save_state_dict(state, dest)
        again = torch.load(dest, weights_only=True) if dest.suffix == ".pt" else load_file(
            str(dest))
        assert set(again) == set(net.state_dict())
        assert torch.equal(again["conv.weight"], net.conv.weight.detach())


def test_final_dir_layout_for_top_k(tmp_path: Path) -> None:
    cfg = build_config({})
    w, net = exported_weights(tmp_path)

    def seed(s: int, acc: float | None, status: str = "ok") -> SeedResult:
        return SeedResult(seed=s, status=status, reason=None, test_accuracy=acc,
                          metrics={"test_accuracy": {"value": acc}}, weights_path=str(w))

    first = FinalCandidate(7, 1, "code 7", 0.5, [seed(0, 0.90), seed(1, 0.94), seed(2, 0.92)])
    second = FinalCandidate(3, 2, "code 3", 0.6, [seed(0, None, "crashed"), seed(1, 0.80)])
    final = _write_final(tmp_path, [first, second], 12, cfg)
    doc = json.loads((final / "candidate.json").read_text())
    assert doc["candidate_id"] == 7 and doc["kept_seed"] == 1 and doc["epochs"] == 12
    assert [s["test_accuracy"] for s in doc["per_seed"]] == [0.90, 0.94, 0.92]
    assert doc["test_accuracy"]["mean"] == pytest.approx(0.92)
    assert doc["test_accuracy"]["std"] == pytest.approx(0.02)
    assert (final / "model.py").read_text() == "code 7"
    assert json.loads((final / "metrics.json").read_text())["test_accuracy"]["value"] == 0.94
    kept = torch.load(final / "weights.pt", weights_only=True)
    assert set(kept) == set(net.state_dict()) and torch.equal(kept["fc.bias"], net.fc.bias)
    other = json.loads((final / "top" / "0003" / "candidate.json").read_text())
    assert other["kept_seed"] == 1 and other["test_accuracy"]["n"] == 1
    assert not (tmp_path / "final.tmp").exists()


# -- end to end: a tiny digits run from the real loop, then `lemonade finalize` ------------------

@pytest.fixture(scope="module")
def digits_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from lemonade.search import start_run

    tmp = tmp_path_factory.mktemp("finalize")
    cfg = load_config(quick_config(tmp, iterations=2),
                      {"run_dir": str(tmp / "run"), "budget.epochs": 1})
    assert start_run(cfg).run().status == "finished"
    return tmp / "run"


@pytest.mark.slow
def test_finalize_writes_a_loadable_model_that_beats_the_search(digits_run: Path) -> None:
    from lemonade.data import load_dataset
    from lemonade.data.augment import normalize
    from lemonade.modelfile import build_net
    from lemonade.sandbox.artifacts import ProgramModule, load_program

    res = CliRunner().invoke(app, ["finalize", str(digits_run), "--epochs", "6"])
    assert res.exit_code == 0, res.output
    final = digits_run / "final"
    doc = json.loads((final / "candidate.json").read_text())
    metrics = json.loads((final / "metrics.json").read_text())
    store = Store.open(digits_run)
    searched = store.candidate(doc["candidate_id"])
    best_doc = json.loads((digits_run / "best" / "candidate.json").read_text())
    assert doc["candidate_id"] == best_doc["candidate_id"]  # the search's best, by rank_key
    assert (final / "model.py").read_text() == searched.code
    assert doc["seeds"] == [0] and doc["per_seed"][0]["status"] == "ok"
    search_acc = searched.values["test_accuracy"]
    assert doc["search_test_accuracy"] == search_acc
    assert doc["test_accuracy"]["mean"] >= search_acc  # train+val, 6 epochs vs 1
    assert "val_accuracy" not in metrics  # no held-out val split after the merge
    assert metrics["test_accuracy"]["value"] == max(s["test_accuracy"] for s in doc["per_seed"])
    assert metrics["test_accuracy"]["method"]["n"] == 359  # digits' fixed test split
    assert any(e["kind"] == "finalize" for e in store.events())
    # the kept weights load (checked graph + safetensors, nothing unpickled) and reproduce
    # the recorded test accuracy
    ep, _ = load_program(final)
    model = ProgramModule(ep).eval()
    cfg = load_config(digits_run / "config.yaml")
    data = train_plus_val(load_dataset(cfg.dataset, cfg.seed))
    with torch.no_grad():
        pred = model(normalize(data.x_test, data.mean, data.std)).argmax(1)
    acc = (pred == data.y_test).float().mean().item()
    assert acc == pytest.approx(metrics["test_accuracy"]["value"], abs=1e-6)
    # weights.pt is a state_dict for model.py's Net, read without unpickling code
    net = build_net((final / "model.py").read_text(), data.channels, data.num_classes)
    net.load_state_dict(torch.load(final / "weights.pt", weights_only=True), strict=True)
    with torch.no_grad():
        same = net.eval()(normalize(data.x_test, data.mean, data.std)).argmax(1)
    assert (same == pred).float().mean().item() > 0.99
    assert not (digits_run / "final.work").exists()
    # the report shows the retrained model and its test accuracy from final/
    from lemonade.report import write_report

    html = write_report(digits_run, digits_run / "r.html").read_text()
    assert '<section id="final">' in html
    assert f"Candidate #{doc['candidate_id']} retrained on train+val" in html


def test_finalize_refuses_a_run_without_a_successful_candidate(tmp_path: Path) -> None:
    from lemonade.config import dump_config

    cfg = build_config({"run_dir": str(tmp_path / "r")})
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "config.yaml").write_text(dump_config(cfg))
    with Store.create(tmp_path / "r", dump_config(cfg)) as st:
        cid = st.add_candidate(0, None, "x = 1", "h", None, "offline")
        st.finish_candidate(cid, "failed", {}, None, False, "broken", 0.0, [], None)
    res = CliRunner().invoke(app, ["finalize", str(tmp_path / "r")])
    assert res.exit_code == 2 and "no successful candidate" in res.output
