"""The discovery loop end to end: real workers, a real store, the offline proposer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from e2e import quick_config, run_cli

from lemonade import metrics as M
from lemonade.config import load_config
from lemonade.objectives import rank_key
from lemonade.search import start_run
from lemonade.store import Store

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("search")
    cfg = load_config(quick_config(tmp, iterations=4), {"run_dir": str(tmp / "run")})
    s = start_run(cfg)
    res = s.run()
    assert res.status == "finished"
    return tmp / "run"


def test_run_directory_contract(finished_run: Path) -> None:
    run = finished_run
    assert (run / "run.db").exists() and (run / "config.yaml").exists()
    for name in ("model.py", "weights.pt", "metrics.json"):
        assert (run / "best" / name).exists(), name
    st = Store.open(run)
    cands = st.candidates()
    assert cands, "no candidates"
    for c in cands:
        assert c["status"] in ("ok", "failed", "timeout", "crashed", "rejected", "duplicate")
        if c["code"]:
            assert (run / "candidates" / f"{c['id']:04d}" / "model.py").read_text() == c["code"]
    assert st.get_meta("status") == "finished"
    best_doc = json.loads((run / "best" / "metrics.json").read_text())
    assert set(best_doc) <= set(M.METRIC_NAMES) and "val_accuracy" in best_doc


def test_best_is_the_top_ranked_and_iterations_counted(finished_run: Path) -> None:
    st = Store.open(finished_run)
    cfg = load_config(finished_run / "config.yaml")
    objs = cfg.resolved_objectives()
    ok = st.candidates(status="ok")
    assert ok
    top = min(ok, key=lambda c: rank_key(objs, M.values(c["metrics"])))
    best_doc = json.loads((finished_run / "best" / "candidate.json").read_text())
    assert best_doc["candidate_id"] == top["id"]
    assert len({c["iteration"] for c in st.candidates()}) == cfg.budget.iterations


def test_every_proposal_and_advice_is_stored(finished_run: Path) -> None:
    st = Store.open(finished_run)
    calls = st.llm_calls()
    assert len(calls) >= len(st.candidates())
    assert len(st.advice()) == 4
    # the offline proposer says what it modified: that is the memory's "modification"
    assert all(c["response"] for c in calls)


def test_search_cli_default_like_run(tmp_path: Path) -> None:
    cfgp = quick_config(tmp_path, iterations=2)
    res = run_cli("search", "--config", str(cfgp), "--run-dir", str(tmp_path / "r"),
                  cwd=tmp_path)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert "best" in res.stdout
    assert (tmp_path / "r" / "best" / "model.py").exists()
    assert (tmp_path / "r" / "report.html").exists()
    again = run_cli("search", "--config", str(cfgp), "--run-dir", str(tmp_path / "r"),
                    cwd=tmp_path)
    assert again.returncode != 0 and "already holds a run" in again.stderr
    listing = run_cli("runs", str(tmp_path), cwd=tmp_path)
    assert listing.returncode == 0 and "digits" in listing.stdout
    show = run_cli("show", str(tmp_path / "r"), cwd=tmp_path)
    assert show.returncode == 0 and "ok" in show.stdout
