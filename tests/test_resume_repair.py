"""A repair that was due in the next round survives a stop and a resume.

The real loop with the real `openai` generator talks to a scripted chat-completions server on
127.0.0.1 (tests/llm_server.py). The first model passes the static checks but fails in training
(a shape mismatch in forward); the run is stopped (Ctrl-C, from a progress hook) as soon as
that failure is recorded, before the next round. The resumed run must propose its repair: the
error quoted back in the same conversation, at the slot's temperature, and a candidate linked
to the failed one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from llm_server import ScriptedLLM, code_reply
from test_search_faults import KEY_ENV, benign, search_config

from lemonade.candidate import Candidate, Status
from lemonade.config import build_config
from lemonade.search import Hooks, Search, resume_run, start_run
from lemonade.store import Store

pytestmark = pytest.mark.slow

# passes the static checks; fails at the first training step (8 features into a Linear(5, ...))
FAILS_IN_TRAINING = benign(8).replace("nn.Linear(8, num_classes)", "nn.Linear(5, num_classes)")


def stop_on_failure() -> Hooks:
    def on_end(row: Candidate, is_best: bool) -> None:
        if row.status is Status.FAILED:
            raise KeyboardInterrupt  # as Ctrl-C between the rounds

    return Hooks(on_candidate_end=on_end)


def release(s: Search) -> None:
    s.run_lock.release()  # type: ignore[attr-defined]
    s.store.close()


def test_a_repair_due_in_the_next_round_is_proposed_after_resume(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "sk-resume-repair-test")
    assert "nn.Linear(5, num_classes)" in FAILS_IN_TRAINING
    with ScriptedLLM([code_reply(FAILS_IN_TRAINING, label="fails"),
                      code_reply(benign(6), label="repaired")]) as llm:
        doc = search_config(tmp_path, llm, iterations=1, repair_attempts=1,
                            temperature=0.3).model_dump(mode="json")
        cfg = build_config(doc)
        first = start_run(cfg, stop_on_failure())
        assert first.run().status == "interrupted"
        release(first)
        with Store.open(tmp_path / "run") as st:
            (failed,) = st.candidates()
        assert failed.status is Status.FAILED and failed.extra["attempt"] == 0
        assert len(llm.requests) == 1

        resumed = resume_run(tmp_path / "run")
        assert resumed.run().status == "finished"
        release(resumed)
        reqs = list(llm.requests)

    # the repair request: the same conversation, the failed reply and its error quoted back
    assert llm.served == ["fails", "repaired"]
    repair = reqs[1]
    assert repair.is_repair and not reqs[0].is_repair
    assert repair.messages[:2] == reqs[0].messages[:2]
    assert "nn.Linear(5, num_classes)" in repair.messages[2]["content"]
    assert (failed.reason or "")[:40] in repair.last_user
    assert repair.body.get("temperature") == 0.3 == reqs[0].body.get("temperature")

    with Store.open(tmp_path / "run") as st:
        cands = st.candidates()
        calls = st.llm_calls()
    assert [(c.iteration, str(c.status), c.extra.get("kind")) for c in cands] == [
        (0, "failed", "generator"), (0, "ok", "repair")]
    fixed = cands[1]
    assert fixed.extra["repair_of"] == failed.id and fixed.extra["attempt"] == 1
    assert "nn.Linear(6, num_classes)" in fixed.code
    assert [(c["kind"], c["candidate_id"]) for c in calls] == [
        ("generator", failed.id), ("repair", fixed.id)]


def test_nothing_is_owed_once_the_repair_budget_is_spent(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no repair attempts, a training failure owes nothing: the resumed run, its budget
    done, asks the LLM nothing more."""
    monkeypatch.setenv(KEY_ENV, "sk-resume-repair-test")
    with ScriptedLLM([code_reply(FAILS_IN_TRAINING, label="fails")]) as llm:
        cfg = search_config(tmp_path, llm, iterations=1, repair_attempts=0)
        first = start_run(cfg, stop_on_failure())
        assert first.run().status == "interrupted"
        release(first)
        resumed = resume_run(tmp_path / "run")
        assert resumed._repairs == []
        assert resumed.run().status == "finished"
        release(resumed)
        assert llm.served == ["fails"]
