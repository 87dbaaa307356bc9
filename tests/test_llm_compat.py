"""Real LLM output in: improver replies in any reasonable form, SEARCH/REPLACE edits, the user's
own model as candidate 1 (`search.start_from`), `lemonade check` printing what it normalized."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from llm_server import ScriptedLLM, code_reply, text_reply

from lemonade.config import ProposerConfig, build_config
from lemonade.proposers.diff_edit import EditError, apply_blocks, parse_blocks
from lemonade.proposers.improver import read_reply

KEY_ENV = "LEMONADE_LLM_COMPAT_TEST_KEY"


# ---- improver replies ----------------------------------------------------------------------
@pytest.mark.parametrize(("reply", "form", "diag", "mod"), [
    ('{"analysis": "too narrow", "recommendation": "widen conv1 to 16 channels"}', "json",
     "too narrow", "widen conv1 to 16 channels"),
    ('{"problem": "too narrow", "proposed_change": ["widen conv1", "add a block"]}', "json",
     "too narrow", "widen conv1; add a block"),
    ("Problem: too narrow\nSuggestion: widen conv1 to 16 channels", "labels", "too narrow",
     "widen conv1 to 16 channels"),
    ("**Diagnosis** - too narrow\n**Proposed change**: widen conv1\nto 16 channels", "labels",
     "too narrow", "widen conv1 to 16 channels"),
    ("Recommendation: use a depthwise separable conv in stage 2", "labels", "",
     "use a depthwise separable conv in stage 2"),
    ("I think the network underfits; doubling the channels of the first conv layer should "
     "help.", "prose", "", "I think the network underfits; doubling the channels of the first "
     "conv layer should help."),
])
def test_improver_replies_in_any_reasonable_form(reply: str, form: str, diag: str,
                                                 mod: str) -> None:
    assert read_reply(reply) == (diag, mod, form)


@pytest.mark.parametrize("reply", ["", "   ", "Sure, happy to help with that!",
                                   "<think>hmm</think>", '{"diagnosis": "too narrow"}'])
def test_empty_or_off_topic_improver_replies_are_refused(reply: str) -> None:
    with pytest.raises(ValueError):
        read_reply(reply)


def test_prose_is_capped() -> None:
    _, mod, form = read_reply("widen every conv layer " * 200)
    assert form == "prose" and len(mod) <= 800


def test_llm_improver_records_the_form_and_falls_back_on_off_topic() -> None:
    from lemonade.expert import advise
    from lemonade.proposers.improver import ImproveRequest, LLMImprover

    replies = ["Change: add a third conv layer with 32 channels", "No idea, sorry!"]
    with ScriptedLLM([text_reply(r) for r in replies]) as llm:
        cfg = ProposerConfig(kind="openai", model="m", base_url=llm.base_url,
                             api_key_env=KEY_ENV, max_retries=0)
        imp = LLMImprover(cfg, environ={KEY_ENV: "sk-x"})
        req = ImproveRequest(iteration=1, dataset={"channels": 1, "image_size": [8, 8],
                                                   "num_classes": 10}, objectives=[],
                             advice=advise([], None), memory_text="")
        s, _ = imp.improve(req)
        assert (s.source, s.form) == ("improver", "labels")
        assert s.modification == "add a third conv layer with 32 channels"
        assert s.diagnosis  # the expert's findings stand in for the missing diagnosis
        s2, call = imp.improve(req)
        assert s2.source == "expert" and call is not None and "unusable" in (call.error or "")


# ---- SEARCH/REPLACE edits ------------------------------------------------------------------
PARENT = ("import torch.nn as nn\n\n\nclass Net(nn.Module):\n"
          "    def __init__(self, in_channels, num_classes):\n        super().__init__()\n"
          "        self.conv = nn.Conv2d(in_channels, 8, 3)\n"
          "        self.fc = nn.Linear(8, num_classes)\n\n    def forward(self, x):\n"
          "        return self.fc(self.conv(x).mean((2, 3)))\n")


def block(search: str, replace: str) -> str:
    return f"<<<<<<< SEARCH\n{search}\n=======\n{replace}\n>>>>>>> REPLACE\n"


def test_blocks_apply_exactly_then_ignoring_whitespace() -> None:
    reply = ("Widening.\n" + block("        self.conv = nn.Conv2d(in_channels, 8, 3)",
                                   "        self.conv = nn.Conv2d(in_channels, 16, 3)")
             + block("self.fc = nn.Linear(8, num_classes)  ",  # indentation lost, trailing space
                     "self.fc = nn.Linear(16, num_classes)"))
    out = apply_blocks(PARENT, parse_blocks(reply))
    assert "nn.Conv2d(in_channels, 16, 3)" in out
    assert "        self.fc = nn.Linear(16, num_classes)\n" in out  # re-indented
    assert apply_blocks(PARENT, parse_blocks(reply)) == out  # deterministic


def test_a_block_that_does_not_match_says_which() -> None:
    with pytest.raises(EditError, match="edit block 1: its SEARCH text"):
        apply_blocks(PARENT, parse_blocks(block("self.bn = nn.BatchNorm2d(8)", "x")))
    assert parse_blocks("no blocks here") == []


def diff_request() -> Any:
    from lemonade.expert import advise
    from lemonade.proposers import ProposalRequest

    return ProposalRequest(iteration=2, dataset={"channels": 1, "image_size": [8, 8],
                                                 "num_classes": 10}, objectives=[],
                           advice=advise([], None), memory_text="", parent_code=PARENT)


def diff_proposer(llm: ScriptedLLM) -> Any:
    from lemonade.proposers.openai_compat import OpenAIProposer

    cfg = ProposerConfig(kind="openai", model="m", base_url=llm.base_url, api_key_env=KEY_ENV,
                         max_retries=0, edit_format="diff")
    return OpenAIProposer(cfg, environ={KEY_ENV: "sk-x"})


def test_diff_proposal_applies_the_blocks_to_the_parent() -> None:
    reply = block("nn.Conv2d(in_channels, 8, 3)", "nn.Conv2d(in_channels, 12, 3)")
    with ScriptedLLM([text_reply(reply)]) as llm:
        p = diff_proposer(llm).propose(diff_request())
        assert "SEARCH/REPLACE" in llm.requests[0].last_user
    assert p.error is None and p.code == PARENT.replace("8, 3)", "12, 3)")


def test_an_edit_that_does_not_apply_is_answered_once_with_a_full_file_request() -> None:
    full = PARENT.replace("8, 3)", "10, 3)")
    with ScriptedLLM([text_reply(block("not in the parent", "x")), code_reply(full)]) as llm:
        p = diff_proposer(llm).propose(diff_request())
        assert len(llm.requests) == 2
        assert "could not be applied" in llm.requests[1].last_user
        assert "complete new model file" in llm.requests[1].last_user
    assert p.code == full.rstrip() + "\n" and p.usage["total_tokens"] == 300  # both calls


# ---- the user's own model as candidate 1 ---------------------------------------------------
MY_MODEL = '''\
import torch
import torch.nn as nn
import torch.optim as optim


class MyDigitsNet(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.conv = nn.Conv2d(1, 12, 3, padding=1)
        self.fc = nn.Linear(12, n_classes)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).mean((2, 3)))


def train_one_epoch(model, loader):
    opt = optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
'''
GENERATED = PARENT.replace("8, 3)", "6, 3)").replace("Linear(8", "Linear(6")


@pytest.mark.slow
def test_start_from_trains_the_users_model_first_and_the_first_prompt_carries_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lemonade.search import start_run

    monkeypatch.setenv(KEY_ENV, "sk-start")
    mine = tmp_path / "my_model.py"
    mine.write_text(MY_MODEL)
    with ScriptedLLM(default=code_reply(GENERATED)) as llm:
        cfg = build_config({
            "dataset": {"name": "digits"},
            "objectives": [{"metric": "val_accuracy", "threshold": 0.5}],
            "proposer": {"kind": "openai", "model": "scripted", "base_url": llm.base_url,
                         "api_key_env": KEY_ENV, "max_retries": 0},
            "budget": {"epochs": 1, "iterations": 2, "repair_attempts": 0},
            "search": {"start_from": str(mine)},
            "measure": {"energy": False, "latency_repeats": 3, "latency_warmup": 1},
            "device": "cpu", "run_dir": str(tmp_path / "run")})
        s = start_run(cfg)
        assert s.run().status == "finished"
        first = s.store.candidates()[0]
        assert first.id == 1 and first.proposer == "user" and first.ok, first.reason
        assert first.extra["kind"] == "start"
        assert "class Net(nn.Module)" in first.code and "optim" not in first.code
        assert "nn.Conv2d(in_channels, 12, 3, padding=1)" in first.code
        assert "renamed MyDigitsNet to Net" in first.extra["normalized"]
        calls = s.store.llm_calls()
        assert all(c["candidate_id"] != first.id for c in calls)  # no LLM call for it
        generator = [r for r in llm.requests if not r.is_repair]
        assert first.code.strip() in generator[0].last_user  # improved as the parent
        second = s.store.candidates()[1]
        assert second.parent_id == first.id and second.ok


def test_start_from_refuses_an_unusable_file_naming_the_line(tmp_path: Path) -> None:
    from lemonade.config import ConfigError
    from lemonade.start import read_start_file

    bad = tmp_path / "bad.py"
    bad.write_text(MY_MODEL.replace("nn.Conv2d(1,", "nn.Conv2d(3,"))
    with pytest.raises(ConfigError, match=r"line 9: .*hard-codes 3 input channels"):
        read_start_file(str(bad), {"channels": 1, "image_size": [8, 8], "num_classes": 10})


def test_check_prints_what_it_normalized(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from lemonade.cli import app

    mine = tmp_path / "my_model.py"
    mine.write_text(MY_MODEL)
    res = CliRunner().invoke(app, ["check", str(mine), "--no-run", "--in-channels", "1"])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "normalized: renamed MyDigitsNet to Net" in text and "passes" in text
