"""The discovery loop end to end: real workers, a real store, the offline proposer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from e2e import quick_config, run_cli

from lemonade import metrics as M
from lemonade.config import load_config
from lemonade.objectives import rank_key
from lemonade.proposers import Proposer
from lemonade.sandbox.resource import Sandbox
from lemonade.search import start_run
from lemonade.store import Store

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Sandbox]:
    """A finished run's folder, and the Sandbox the run held (closed by now)."""
    tmp = tmp_path_factory.mktemp("search")
    cfg = load_config(quick_config(tmp, iterations=4), {"run_dir": str(tmp / "run")})
    s = start_run(cfg)
    res = s.run()
    assert res.status == "finished"
    return tmp / "run", s.sandbox


@pytest.fixture(scope="module")
def finished_run(finished: tuple[Path, Sandbox]) -> Path:
    return finished[0]


def test_run_directory_contract(finished_run: Path) -> None:
    run = finished_run
    assert (run / "run.db").exists() and (run / "config.yaml").exists()
    for name in ("model.py", "weights.pt", "metrics.json"):
        assert (run / "best" / name).exists(), name
    st = Store.open(run)
    cands = st.candidates()
    assert cands, "no candidates"
    for c in cands:
        assert c.status in ("ok", "failed", "timeout", "crashed", "rejected", "duplicate")
        if c.code:
            assert (run / "candidates" / f"{c.id:04d}" / "model.py").read_text() == c.code
    assert st.get_meta("status") == "finished"
    best_doc = json.loads((run / "best" / "metrics.json").read_text())
    assert set(best_doc) <= set(M.METRIC_NAMES) and "val_accuracy" in best_doc


def test_best_is_the_top_ranked_and_iterations_counted(finished_run: Path) -> None:
    st = Store.open(finished_run)
    cfg = load_config(finished_run / "config.yaml")
    objs = cfg.resolved_objectives()
    ok = st.candidates(status="ok")
    assert ok
    top = min(ok, key=lambda c: rank_key(objs, M.values(c.metrics)))
    best_doc = json.loads((finished_run / "best" / "candidate.json").read_text())
    assert best_doc["candidate_id"] == top.id
    assert len({c.iteration for c in st.candidates()}) == cfg.budget.iterations


def test_every_proposal_and_advice_is_stored(finished_run: Path) -> None:
    st = Store.open(finished_run)
    calls = st.llm_calls()
    assert len(calls) >= len(st.candidates())
    assert len(st.advice()) == 4
    # the offline proposer says what it modified: that is the memory's "modification"
    assert all(c["response"] for c in calls)
    assert [c["kind"] for c in calls if c["kind"] != "repair"] == ["generator"] * 4
    for c in st.candidates():
        # the memory's problem is the expert's diagnosis, never the objectives' status line
        assert c.extra["problem"] and not c.extra["problem"].startswith("objectives:")
        assert c.extra["suggestion"]["source"] == "expert"
        # and the modification is the offline proposer's own edit log
        assert c.extra["summary"] and c.extra["modification"] == c.extra["summary"]


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


class _Recorder(Proposer):
    """A proposer that writes no code (every candidate is rejected, nothing is trained) and
    records what the loop tells it."""

    name = "recorder"

    def __init__(self) -> None:
        self.seen: list[tuple[int, str]] = []
        self.requests: list = []

    def propose(self, req):  # type: ignore[no-untyped-def]
        from lemonade.proposers import Proposal

        self.requests.append(req)
        return Proposal(code=None, model="offline", error="no code today")

    def repair(self, req, previous, error):  # type: ignore[no-untyped-def]
        return self.propose(req)

    def observe(self, candidate) -> None:  # type: ignore[no-untyped-def]
        self.seen.append((candidate.id, str(candidate.status)))


def test_observe_is_called_live_and_on_resume(tmp_path: Path) -> None:
    from lemonade.candidate import Candidate
    from lemonade.config import build_config
    from lemonade.search import Search

    cfg = build_config({"dataset": {"name": "synthetic", "synthetic_shape": [1, 8, 8],
                                    "synthetic_size": 100},
                        "budget": {"iterations": 2, "repair_attempts": 1}, "device": "cpu",
                        "run_dir": str(tmp_path / "run")})
    rec = _Recorder()
    s = start_run(cfg)
    s.proposer = rec
    assert s.run().status == "finished"
    cands = s.store.candidates()
    assert all(isinstance(c, Candidate) for c in cands)
    assert rec.seen == [(c.id, "rejected") for c in cands] and len(cands) == 4  # 2 x (1 + repair)
    assert all(r.parent_metrics is None for r in rec.requests)
    again = _Recorder()
    Search(s.cfg, s.run_dir, s.store, s.data, proposer=again)  # a resumed run's rebuild
    assert again.seen == rec.seen


def test_candidates_after_the_first_get_processes_started_ahead(
        finished: tuple[Path, Sandbox]) -> None:
    """sandbox.prestart (default on): each candidate that trains after another one takes the
    pair that one started; the run ends holding none, its Sandbox closed, its fork server
    stopped (lemonade.sandbox.prestart, lemonade.sandbox.resource)."""
    finished_run, sandbox = finished
    with Store.open(finished_run) as st:
        trained = [c for c in st.candidates() if c.extra.get("timing")]
    assert len(trained) >= 3
    started_ahead = [c.extra["timing"]["startup"]["prestarted"] for c in trained]
    assert started_ahead[0] is False and all(started_ahead[1:]), started_ahead
    assert all(c.extra["timing"]["measure_s"] > 0 for c in trained)
    assert sandbox.closed and not sandbox.warm.holding()
    assert not sandbox.fork_server_running()


@pytest.mark.slow
def test_the_search_wall_clock_stops_what_still_trains_and_keeps_it(tmp_path: Path) -> None:
    from lemonade.candidate import Status
    from lemonade.config import build_config

    cfg = build_config({"dataset": {"name": "synthetic", "synthetic_shape": [1, 8, 8],
                                    "synthetic_size": 100},
                        "budget": {"iterations": 1, "epochs": 100000, "max_seconds": 5},
                        "measure": {"energy": False, "inference_energy": False},
                        "device": "cpu", "run_dir": str(tmp_path / "run")})
    s = start_run(cfg)
    assert s.run().status == "finished"
    (c,) = s.store.candidates()
    assert c.status == Status.OK, c.reason
    assert "budget.max_seconds" in (c.reason or "") and "of 100000 epochs" in (c.reason or "")
    assert c.values["val_accuracy"] is not None  # measured at the epochs it reached
