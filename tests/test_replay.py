"""Reproduce an LLM run without the LLM: record through a real local endpoint, replay offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from llm_server import ScriptedLLM, code_reply, text_reply
from test_search_faults import KEY_ENV, benign, search_config

from lemonade.config import build_config
from lemonade.search import start_run
from lemonade.store import Store

pytestmark = pytest.mark.slow


def test_replay_reproduces_the_recorded_candidates(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "sk-replay-test")
    recorded = tmp_path / "recorded"
    recorded.mkdir()
    # one prose reply (rejected, then repaired) so that repairs are replayed too
    with ScriptedLLM([code_reply(benign(6)), text_reply("I cannot write code today."),
                      code_reply(benign(10))]) as llm:
        cfg = search_config(recorded, llm, iterations=2, repair_attempts=1)
        assert start_run(cfg).run().status == "finished"
    original = Store.open(recorded / "run")
    want = [(c.status, c.code_hash) for c in original.candidates()]
    assert [s for s, _ in want] == ["ok", "rejected", "ok"]

    replay_cfg = build_config({**cfg.model_dump(mode="json"),
                               "proposer": {"kind": "replay",
                                            "replay_from": str(recorded / "run")},
                               "run_dir": str(tmp_path / "replayed")})
    assert start_run(replay_cfg).run().status == "finished"  # no server is running now
    again = Store.open(tmp_path / "replayed")
    assert [(c.status, c.code_hash) for c in again.candidates()] == want


def test_resumed_replay_goes_on_where_it_stopped(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from lemonade.search import resume_run

    monkeypatch.setenv(KEY_ENV, "sk-replay-test")
    recorded = tmp_path / "recorded"
    recorded.mkdir()
    with ScriptedLLM([code_reply(benign(6)), code_reply(benign(8))]) as llm:
        cfg = search_config(recorded, llm, iterations=2, repair_attempts=0)
        assert start_run(cfg).run().status == "finished"
    want = [c.code_hash for c in Store.open(recorded / "run").candidates()]
    assert len(set(want)) == 2

    replay_cfg = build_config({**cfg.model_dump(mode="json"),
                               "proposer": {"kind": "replay",
                                            "replay_from": str(recorded / "run")},
                               "budget": {**cfg.budget.model_dump(), "iterations": 1},
                               "run_dir": str(tmp_path / "replayed")})
    assert start_run(replay_cfg).run().status == "finished"
    # resumed with a larger budget: the replay continues with the second recorded reply, not
    # the first again (which would come back as a duplicate)
    s = resume_run(tmp_path / "replayed", overrides={"budget.iterations": 2})
    assert s.run().status == "finished"
    again = Store.open(tmp_path / "replayed").candidates()
    assert [c.code_hash for c in again] == want
    assert [str(c.status) for c in again] == ["ok", "ok"]
