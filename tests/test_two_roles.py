"""Two LLM roles (Prompt Improver + Code Generator), checked on the requests a server received.

The real loop with the real `openai` generator and the real LLM improver talks to one scripted
chat-completions server on 127.0.0.1 (tests/llm_server.py); the two roles are told apart by the
model each request names. Candidates are trained for real on a tiny synthetic dataset.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from llm_server import Request, ScriptedLLM, Step, code_reply, text_reply
from test_search_faults import KEY_ENV, benign, search_config

from lemonade.config import Config, build_config
from lemonade.expert import advise
from lemonade.proposers.improver import (
    ExpertImprover,
    ImproveRequest,
    expert_suggestion,
    make_improver,
    parse_reply,
)
from lemonade.report import write_report
from lemonade.search import start_run
from lemonade.store import Store

IMPROVER_MODEL = "improver-model"
SUGGESTION_HEADING = "Suggested modification (from the Prompt Improver"


# ---- the reply parser (fast) -------------------------------------------------------------------
@pytest.mark.parametrize("reply", [
    '{"diagnosis": "too narrow", "modification": "widen conv1 to 16 channels"}',
    'Sure!\n```json\n{"diagnosis": "too narrow", "modification": "widen conv1 to 16 channels"}'
    "\n```\nGood luck.",
    'Here: {"Problem": "too narrow", "Change": "widen conv1 to 16 channels"} done',
    "Diagnosis: too narrow\nModification: widen conv1 to 16 channels",
    "**Diagnosis**: too\nnarrow\n\n- Modification - widen conv1 to 16 channels",
])
def test_parse_reply_accepts_json_and_labelled_lines(reply: str) -> None:
    diag, mod = parse_reply(reply)
    assert " ".join(diag.split()) in ("too narrow",)
    assert mod == "widen conv1 to 16 channels"


@pytest.mark.parametrize("reply", ["", "I would make it better.", '{"diagnosis": "x"}',
                                   '{"diagnosis": "too narrow", "modification": ""}',
                                   "Diagnosis: only this"])
def test_parse_reply_refuses_what_lacks_a_part(reply: str) -> None:
    with pytest.raises(ValueError):
        parse_reply(reply)


def test_without_improver_config_the_expert_plays_the_role() -> None:
    cfg = build_config({})
    assert isinstance(make_improver(cfg.proposer), ExpertImprover)
    objs = cfg.resolved_objectives()
    advice = advise(objs, {"val_accuracy": 0.5, "train_accuracy": 0.52, "params": 900})
    s, call = ExpertImprover().improve(ImproveRequest(0, {}, objs, advice, ""))
    assert call is None and s == expert_suggestion(advice) and s.source == "expert"
    assert "underfitting" in s.diagnosis and not s.diagnosis.startswith("objectives:")
    assert s.modification.startswith("Add ")


def test_improver_fields_default_to_the_proposer() -> None:
    cfg = build_config({"proposer": {"kind": "openai", "model": "big", "base_url":
                                     "http://127.0.0.1:9/v1", "temperature": 0.2,
                                     "improver": {"model": "small", "temperature": 0.9}}})
    s = cfg.proposer.improver_settings()
    assert s is not None
    assert (s.model, s.base_url, s.temperature, s.api_key_env) == (
        "small", "http://127.0.0.1:9/v1", 0.9, cfg.proposer.api_key_env)


def test_an_objective_on_the_test_split_is_refused() -> None:
    from lemonade.config import ConfigError

    with pytest.raises(ConfigError, match="use val_accuracy"):
        build_config({"objectives": [{"metric": "test_accuracy", "threshold": 0.9}]})


# ---- the loop against a scripted server -------------------------------------------------------
class Roles:
    """Answers improver requests with a numbered suggestion (the second one unusable) and
    generator requests with a numbered model file."""

    def __init__(self, code: bool = True) -> None:
        self.improver_n = 0
        self.generator_n = 0
        self.code = code  # False: the generator answers in prose (rejected, nothing trained)

    def __call__(self, req: Request) -> Step:
        if req.body.get("model") == IMPROVER_MODEL:
            n, self.improver_n = self.improver_n, self.improver_n + 1
            if n == 1:
                return text_reply("Honestly, I am not sure what to change.", label="bad improver")
            return text_reply(json.dumps({
                "diagnosis": f"DIAGNOSIS-{n}: the network is too narrow to fit",
                "modification": f"SUGGESTION-{n}: widen the conv to {8 + n} channels"}),
                label=f"improver {n}")
        n, self.generator_n = self.generator_n, self.generator_n + 1
        if not self.code:
            return text_reply(f"GENSUMMARY-{n}: no code today.", label=f"generator {n}")
        return code_reply(benign(6 + 2 * n), prose=f"GENSUMMARY-{n}: changed the conv width.",
                          label=f"generator {n}")


def two_role_config(tmp_path: Path, llm: ScriptedLLM, **budget: Any) -> Config:
    cfg = search_config(tmp_path, llm, iterations=3, repair_attempts=0)
    doc = cfg.model_dump(mode="json")
    # 43 test images: a test accuracy k/43 has digits no other figure in a prompt shares
    doc["dataset"]["synthetic_size"] = 213
    doc["proposer"]["improver"] = {"model": IMPROVER_MODEL, "temperature": 0.1}
    doc["budget"].update(budget)
    return build_config(doc)


def prompt(req: Request) -> str:
    return "\n".join(str(m.get("content")) for m in req.messages)


def memory_part(req: Request) -> str:
    text = req.last_user
    assert "## Feedback memory" in text
    return text.split("## Feedback memory", 1)[1]


@pytest.mark.slow
def test_two_role_search_prompts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "sk-two-roles-test")
    with ScriptedLLM(default=Roles()) as llm:
        cfg = two_role_config(tmp_path, llm)
        assert start_run(cfg).run().status == "finished"
        reqs = list(llm.requests)
    # one improver call, then one generator call, each iteration
    assert [r.body.get("model") for r in reqs] == [IMPROVER_MODEL, "scripted"] * 3
    assert reqs[0].body.get("temperature") == 0.1 and reqs[1].body.get("temperature") == 0.6
    improver = reqs[0::2]
    generator = reqs[1::2]

    # the Improver's suggestion is inside the Generator's prompt of the same iteration
    for it in (0, 2):
        assert SUGGESTION_HEADING in generator[it].last_user
        assert f"SUGGESTION-{it}: widen the conv" in generator[it].last_user
        assert f"DIAGNOSIS-{it}" in generator[it].last_user
        assert "## Expert analysis" in generator[it].last_user  # the expert's advice as well
    # an unusable improver reply: the generator gets the expert's advice alone
    assert SUGGESTION_HEADING not in generator[1].last_user
    assert "SUGGESTION-1" not in prompt(generator[1])
    # the Improver saw the parent's code and validation metrics from the second iteration on
    assert "class Net" in improver[1].last_user and "val_accuracy=" in improver[1].last_user

    # earlier suggestions are in the memory of later prompts (both roles), as modification,
    # with the diagnosis as problem; the failed improver's iteration has the generator's summary
    for req in (improver[1], generator[1], improver[2], generator[2]):
        mem = memory_part(req)
        assert "SUGGESTION-0: widen the conv to 8 channels" in mem
        assert "DIAGNOSIS-0: the network is too narrow to fit" in mem
    for req in (improver[2], generator[2]):
        assert "GENSUMMARY-1: changed the conv width." in memory_part(req)
    assert "objectives:" not in memory_part(generator[2]).split("Last attempts", 1)[1]

    # no test accuracy anywhere: not the name, not the measured values
    st = Store.open(tmp_path / "run")
    cands = st.candidates()
    assert [str(c.status) for c in cands] == ["ok", "ok", "ok"]
    test_accs = [c.values["test_accuracy"] for c in cands]

    def shown(v: float) -> set[str]:
        return {repr(v), f"{v:.4f}", f"{v:.3f}", f"{100 * v:.1f}%"}

    # a short form can coincide with a validation figure or a threshold: those are allowed
    legit = {t for c in cands for k, v in c.values.items() if not k.startswith("test_")
             for t in shown(v)}
    legit |= {t for o in cfg.resolved_objectives() for t in shown(o.threshold)}
    for r in reqs:
        raw = json.dumps(r.body)
        assert "test_accuracy" not in raw and "test accuracy" not in raw.lower()
        text = prompt(r)
        for v in test_accs:
            for form in shown(v) - legit:
                assert form not in text, (v, form, text[:3000])

    # both roles are stored with their role, linked to the candidate, and shown in the report
    calls = st.llm_calls()
    assert [c["kind"] for c in calls] == ["improver", "generator"] * 3
    assert all(c["candidate_id"] is not None for c in calls)
    assert calls[2]["error"] and "unusable improver reply" in calls[2]["error"]
    assert cands[0].extra["suggestion"]["source"] == "improver"
    assert cands[1].extra["suggestion"]["source"] == "expert"
    assert cands[1].extra["modification"].startswith("GENSUMMARY-1")
    st.close()
    html = write_report(tmp_path / "run").read_text()
    assert "LLM calls by role" in html and "<td>improver</td>" in html
    assert "<td>generator</td>" in html and IMPROVER_MODEL in html


def test_improver_calls_count_in_the_llm_budget(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "sk-two-roles-test")
    with ScriptedLLM(default=Roles(code=False)) as llm:
        # 3 calls: one whole iteration (improver + generator); a second would need 2 more
        cfg = two_role_config(tmp_path, llm, max_llm_calls=3, iterations=5)
        assert start_run(cfg).run().status == "finished"
        assert len(llm.requests) == 2
    st = Store.open(tmp_path / "run")
    assert [str(c.status) for c in st.candidates()] == ["rejected"]
    assert st.count_llm_calls() == 2
    st.close()
