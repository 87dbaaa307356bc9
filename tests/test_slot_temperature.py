"""The slots of a round differ in LLM temperature (`parallel.temperatures`), checked on the
request bodies a scripted chat-completions server on 127.0.0.1 received (tests/llm_server.py).

The generator answers in prose, so every candidate is rejected by the static checks and nothing
trains: the test is about what the loop asks the LLM, and stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from llm_server import Request, ScriptedLLM, Step, text_reply
from test_search_faults import KEY_ENV, search_config

from lemonade.config import ConfigError, ParallelConfig, build_config
from lemonade.search import start_run
from lemonade.store import Store


def prose(req: Request) -> Step:
    return text_reply("I would rather not write code today.", label="prose")


def run_round(tmp_path: Path, *, repair_attempts: int = 0, **parallel: Any
              ) -> tuple[list[Request], Store]:
    """One round of `parallel.batch` proposals (workers 1: no Ray) against the scripted
    server; the requests it received and the run's store."""
    with ScriptedLLM(default=prose) as llm:
        doc = search_config(tmp_path, llm, iterations=2,
                            repair_attempts=repair_attempts).model_dump(mode="json")
        doc["parallel"].update({"workers": 1, "batch": 2, **parallel})
        assert start_run(build_config(doc)).run().status == "finished"
        reqs = list(llm.requests)
    return reqs, Store.open(tmp_path / "run")


def test_slot_temperature_spreads_around_the_proposer_temperature() -> None:
    p = ParallelConfig()
    assert [p.slot_temperature(k, 0.6) for k in range(7)] == [0.6, 0.8, 0.4, 1.0, 0.2, 1.2, 0.0]
    assert [p.slot_temperature(k, 1.9) for k in range(3)] == [1.9, 2.0, 1.7]  # clipped to [0, 2]
    listed = ParallelConfig(temperatures=[0.1, 1.3])
    assert [listed.slot_temperature(k, 0.6) for k in range(5)] == [0.1, 1.3, 0.1, 1.3, 0.1]
    # the number of workers plays no part: a 1-worker and a 2-worker run ask the same
    two = ParallelConfig(workers=2, batch=4)
    assert [two.slot_temperature(k, 0.6) for k in range(4)] == \
        [p.slot_temperature(k, 0.6) for k in range(4)]


@pytest.mark.parametrize("bad", [[-0.1], [0.5, 2.5]])
def test_temperatures_out_of_range_are_refused(bad: list[float]) -> None:
    with pytest.raises(ConfigError, match=r"parallel\.temperatures"):
        build_config({"parallel": {"temperatures": bad}})


def test_the_two_slots_of_a_round_ask_at_different_temperatures(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "sk-slot-temperature-test")
    reqs, st = run_round(tmp_path)
    temps = [r.body.get("temperature") for r in reqs]
    assert temps == [0.6, 0.8]  # slot 0: proposer.temperature; slot 1 above it
    cands = st.candidates()
    assert [c.iteration for c in cands] == [0, 1]
    assert [c.extra.get("temperature") for c in cands] == [0.6, 0.8]
    st.close()


def test_the_configured_list_is_honoured_and_a_repair_keeps_its_slot_temperature(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "sk-slot-temperature-test")
    reqs, st = run_round(tmp_path, repair_attempts=1, temperatures=[0.05, 1.45])
    # slot 0, its repair (a rejected reply is repaired at once), slot 1, its repair
    assert [r.is_repair for r in reqs] == [False, True, False, True]
    assert [r.body.get("temperature") for r in reqs] == [0.05, 0.05, 1.45, 1.45]
    cands = st.candidates()
    assert [(c.iteration, c.extra.get("kind"), c.extra.get("temperature")) for c in cands] == [
        (0, "generator", 0.05), (0, "repair", 0.05), (1, "generator", 1.45), (1, "repair", 1.45)]
    st.close()


def test_proposers_without_an_llm_record_no_temperature() -> None:
    cfg = build_config({"proposer": {"kind": "offline"}})
    from lemonade.expert import Advice
    from lemonade.proposers import ProposalRequest, make_proposer

    info = {"name": "synthetic", "channels": 1, "image_size": [8, 8], "num_classes": 2,
            "n_train": 100, "n_val": 50, "n_test": 50}
    req = ProposalRequest(iteration=0, dataset=info,
                          objectives=cfg.resolved_objectives(), advice=Advice(),
                          memory_text="", temperature=1.7)
    assert make_proposer(cfg.proposer, seed=0).propose(req).temperature is None


def test_the_improver_of_each_slot_moves_by_the_same_offset(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With an LLM improver at its own temperature (0.1), slot 1's improver call goes up by the
    generator's slot offset (+0.2), and the generator calls keep their own spread."""
    monkeypatch.setenv(KEY_ENV, "sk-slot-temperature-test")
    with ScriptedLLM(default=prose) as llm:
        doc = search_config(tmp_path, llm, iterations=2,
                            repair_attempts=0).model_dump(mode="json")
        doc["parallel"].update({"workers": 1, "batch": 2})
        doc["proposer"]["improver"] = {"model": "improver-model", "temperature": 0.1}
        assert start_run(build_config(doc)).run().status == "finished"
        reqs = list(llm.requests)
    improver = [r.body.get("temperature") for r in reqs if r.body.get("model") == "improver-model"]
    generator = [r.body.get("temperature") for r in reqs if r.body.get("model") != "improver-model"]
    assert improver == [0.1, 0.3]
    assert generator == [0.6, 0.8]
