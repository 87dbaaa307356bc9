"""The OpenAI-compatible proposer against a real local HTTP server speaking the chat-completions
protocol, driven through the official `openai` SDK (no network beyond 127.0.0.1)."""

from __future__ import annotations

import random
import resource
import tracemalloc
from typing import Any

import pytest
from llm_server import ScriptedLLM, huge_reply, json_step, slow_reply

from lemonade.config import ConfigError, Objective, ProposerConfig
from lemonade.expert import Advice, Instruction
from lemonade.proposers import ProposalRequest, make_proposer
from lemonade.proposers import genome as G
from lemonade.proposers.openai_compat import (
    BACKOFF_CAP_S,
    LOCAL_DUMMY_KEY,
    RETRY_AFTER_CAP_S,
    OpenAIProposer,
    backoff_s,
    is_local,
    resolve_api_key,
    retry_after_s,
)

CODE = G.render(G.initial_genome({"image_size": [8, 8]}))
GOOD = f"I added a residual stage.\n\n```python\n{CODE}```\n"
DIGITS = {"name": "digits", "channels": 1, "image_size": [8, 8], "num_classes": 10,
          "n_train": 1293, "n_val": 144, "n_test": 360}
OBJECTIVES = [Objective(metric="val_accuracy", threshold=0.93, priority=3),
              Objective(metric="params", threshold=12_345, priority=2)]


def completion(content: str | None, finish: str = "stop", usage: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "chatcmpl-test", "object": "chat.completion", "created": 1_700_000_000,
        "model": "fake-model-served",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                     "finish_reason": finish}],
    }
    if usage:
        body["usage"] = {"prompt_tokens": 120, "completion_tokens": 80, "total_tokens": 200}
    return body


@pytest.fixture
def llm():
    fake = ScriptedLLM(default=json_step(completion(GOOD)))
    yield fake
    fake.close()


def config(llm: ScriptedLLM, **kw: Any) -> ProposerConfig:
    base = {"kind": "openai", "model": "my-model", "base_url": llm.base_url,
            "api_key_env": "LEMONADE_TEST_KEY", "temperature": 0.35, "max_tokens": 1234,
            "timeout_s": 5.0, "max_retries": 2}
    return ProposerConfig(**{**base, **kw})


def proposer(llm: ScriptedLLM, sleeps: list[float], **kw: Any) -> OpenAIProposer:
    return OpenAIProposer(config(llm, **kw), seed=0, sleep=sleeps.append,
                          environ={"LEMONADE_TEST_KEY": "sk-test-123"})


def request(parent: bool = True) -> ProposalRequest:
    adv = Advice(diagnosis=["val_accuracy 0.880 is 0.050 under threshold"], instructions=[
        Instruction(action="add_conv_layers", magnitude=0.4, reason="underfitting",
                    objective="val_accuracy", priority=3, gap=0.1)])
    return ProposalRequest(iteration=3, dataset=DIGITS, objectives=OBJECTIVES, advice=adv,
                           memory_text="iteration 2: reduce kernels -> params 9,000 (ok)",
                           parent_code=CODE if parent else None, parent_genome=None,
                           parent_metrics={"val_accuracy": 0.88, "params": 7514.0} if parent
                           else None, seed=0)


def test_good_reply_and_what_the_server_received(llm: ScriptedLLM, monkeypatch) -> None:
    monkeypatch.setenv("LEMONADE_TEST_KEY", "sk-test-123")
    prop = make_proposer(config(llm), seed=0)  # the real path: key from the environment
    p = prop.propose(request())
    assert p.error is None
    assert p.code.strip() == CODE.strip()
    assert p.raw_response == GOOD
    assert p.usage == {"prompt_tokens": 120, "completion_tokens": 80, "total_tokens": 200}
    assert p.model == "fake-model-served" and p.latency_s > 0
    assert [m["role"] for m in p.messages] == ["system", "user"]

    (sent,) = llm.requests
    assert sent.path == "/v1/chat/completions"
    assert sent.headers["authorization"] == "Bearer sk-test-123"
    body = sent.body
    assert body["model"] == "my-model"
    assert body["temperature"] == 0.35 and body["max_tokens"] == 1234
    assert "response_format" not in body and "tools" not in body  # the common subset only
    system, user = body["messages"]
    assert system["role"] == "system" and "class Net(nn.Module)" in system["content"]
    assert "12,345" in system["content"] and "0.930" in system["content"]
    assert "add conv layers" in user["content"].lower() and CODE.strip() in user["content"]
    assert "reduce kernels -> params 9,000" in user["content"]


@pytest.mark.parametrize(("reply", "finish", "expected"), [
    ("I would use a ResNet with three stages and batch norm.", "stop", "no usable code"),
    ("```python\nimport torch\nfrom torch import nn\n\nclass Net(nn.Module):\n"
     "    def __init__(self, in_ch", "length", "cut off at max_tokens=1234"),
    ("", "stop", "empty reply"),
    (None, "stop", "empty reply"),
], ids=["prose", "truncated", "empty", "null"])
def test_unusable_replies_become_error_proposals(llm: ScriptedLLM, reply, finish, expected) -> None:
    llm.push(json_step(completion(reply, finish)))
    p = proposer(llm, []).propose(request())
    assert p.code is None
    assert expected in p.error
    assert p.raw_response == (reply or "")
    assert p.usage["total_tokens"] == 200  # tokens were spent all the same
    assert len(llm.requests) == 1  # a bad reply is repaired by the loop, not retried here


def test_missing_usage_is_recorded_as_zeros(llm: ScriptedLLM) -> None:
    llm.push(json_step(completion(GOOD, usage=False)))
    p = proposer(llm, []).propose(request(parent=False))
    assert p.error is None and p.code is not None
    assert p.usage == {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    assert "initial model" in llm.requests[0].body["messages"][1]["content"]


def test_429_is_retried_after_the_servers_retry_after(llm: ScriptedLLM) -> None:
    llm.push(json_step({"error": {"message": "rate limited", "type": "rate_limit"}},
                       status=429, headers=(("Retry-After", "7"),)))
    sleeps: list[float] = []
    p = proposer(llm, sleeps).propose(request())
    assert p.error is None and p.code is not None
    assert sleeps == [7.0]
    assert len(llm.requests) == 2


def test_retry_after_is_capped(llm: ScriptedLLM) -> None:
    llm.push(json_step({}, status=503, headers=(("Retry-After", "3600"),)))
    sleeps: list[float] = []
    assert proposer(llm, sleeps).propose(request()).error is None
    assert sleeps == [RETRY_AFTER_CAP_S]


def test_persistent_500_gives_an_error_not_an_exception(llm: ScriptedLLM) -> None:
    for _ in range(3):
        llm.push(json_step({"error": {"message": "upstream exploded"}}, status=500))
    sleeps: list[float] = []
    p = proposer(llm, sleeps, max_retries=2).propose(request())
    assert p.code is None and p.raw_response is None
    assert "HTTP 500" in p.error and "gave up after 3 attempts" in p.error
    assert len(llm.requests) == 3 and len(sleeps) == 2
    assert 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0  # exponential, jittered
    assert p.messages is not None  # what was sent is recorded even when nothing came back


@pytest.mark.parametrize("framing,gzip", [("length", False), ("chunked", False),
                                          ("close", False), ("chunked", True),
                                          ("length", True)])
def test_huge_replies_are_cut_at_the_transport(llm: ScriptedLLM, framing: str,
                                               gzip: bool) -> None:
    """A 64 MB reply (declared, chunked, until-close, or a ~64 KB gzip bomb) is never read past
    the cap: the host's allocations stay a few MB, and the failure is recorded, not retried."""
    cap = 1 << 20
    llm.push(huge_reply(64 << 20, framing=framing, gzip=gzip))
    sleeps: list[float] = []
    prop = proposer(llm, sleeps, max_reply_bytes=cap)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    try:
        p = prop.propose(request())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss_growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    assert p.code is None and p.raw_response is None
    assert f"{cap:,}-byte cap" in p.error, p.error
    assert len(llm.requests) == 1 and sleeps == []  # the same question would get the same reply
    assert peak < 12 * cap, peak
    assert rss_growth_mb < 48, rss_growth_mb


def test_a_reply_under_the_cap_is_read(llm: ScriptedLLM) -> None:
    for gzip in (False, True):
        llm.push(huge_reply(1 << 20, framing="chunked", gzip=gzip))
        p = proposer(llm, [], max_reply_bytes=2 << 20).propose(request())
        assert p.raw_response is not None and len(p.raw_response) >= 1 << 20
        assert "no usable code" in p.error


def test_client_errors_are_not_retried(llm: ScriptedLLM) -> None:
    llm.push(json_step({"error": {"message": "bad key"}}, status=401))
    sleeps: list[float] = []
    p = proposer(llm, sleeps).propose(request())
    assert "HTTP 401" in p.error and sleeps == [] and len(llm.requests) == 1


def test_a_slow_reply_times_out_and_is_retried(llm: ScriptedLLM) -> None:
    llm.push(slow_reply(10))  # longer than the client's time-out
    sleeps: list[float] = []
    p = proposer(llm, sleeps, timeout_s=0.3).propose(request())
    assert p.error is None and p.code is not None
    assert len(llm.requests) == 2 and len(sleeps) == 1


def test_timeouts_beyond_the_retries_give_an_error(llm: ScriptedLLM) -> None:
    llm.push(slow_reply(10))  # longer than the client's time-out
    p = proposer(llm, [], timeout_s=0.3, max_retries=0).propose(request())
    assert p.code is None and "timed out after 0.3 s" in p.error


def test_connection_refused_gives_an_error(llm: ScriptedLLM) -> None:
    cfg = config(llm, max_retries=1)
    llm.close()  # nothing listens on that port any more
    sleeps: list[float] = []
    p = OpenAIProposer(cfg, sleep=sleeps.append, environ={}).propose(request())
    assert p.code is None and "connection error" in p.error and len(sleeps) == 1


def test_repair_sends_the_reply_and_the_error_back(llm: ScriptedLLM) -> None:
    llm.push(json_step(completion("No code, sorry.")))
    llm.push(json_step(completion(GOOD)))
    prop = proposer(llm, [])
    req = request()
    first = prop.propose(req)
    assert first.code is None
    fixed = prop.repair(req, first, "RuntimeError: mat1 and mat2 shapes cannot be multiplied "
                                    "(2x512 and 128x10)\n" + "x" * 10_000)
    assert fixed.error is None and fixed.code is not None
    sent = llm.requests[1].body["messages"]
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "user"]
    assert sent[2]["content"] == "No code, sorry."
    assert "mat1 and mat2 shapes cannot be multiplied" in sent[3]["content"]
    assert len(sent[3]["content"]) < 3_000  # the error is trimmed
    assert fixed.messages == sent


def test_repair_after_a_failed_call_resends_the_question(llm: ScriptedLLM) -> None:
    llm.push(json_step({"error": {"message": "bad request"}}, status=400))
    prop = proposer(llm, [])
    first = prop.propose(request())
    prop.repair(request(), first, first.error)
    assert llm.requests[1].body["messages"] == llm.requests[0].body["messages"]


def test_missing_key_is_a_config_error_naming_the_variable() -> None:
    cfg = ProposerConfig(kind="openai", base_url="https://api.example.com/v1",
                         api_key_env="MY_PROVIDER_KEY")
    with pytest.raises(ConfigError, match=r"proposer\.api_key_env.*MY_PROVIDER_KEY"):
        resolve_api_key(cfg, environ={})
    assert resolve_api_key(cfg, environ={"MY_PROVIDER_KEY": " k "}) == "k"


def test_local_endpoints_need_no_key(llm: ScriptedLLM) -> None:
    p = OpenAIProposer(config(llm), sleep=lambda s: None, environ={}).propose(request())
    assert p.error is None
    assert llm.requests[0].headers["authorization"] == f"Bearer {LOCAL_DUMMY_KEY}"


@pytest.mark.parametrize(("url", "local"), [
    ("http://localhost:11434/v1", True),
    ("http://127.0.0.1:8000/v1", True),
    ("http://[::1]:8080/v1", True),
    ("https://api.openai.com/v1", False),
    ("https://generativelanguage.googleapis.com/v1beta/openai/", False),
    (None, False),
])
def test_is_local(url, local) -> None:
    assert is_local(url) is local


@pytest.mark.parametrize(("headers", "seconds"), [
    ({"retry-after": "7"}, 7.0),
    ({"retry-after": "0.5"}, 0.5),
    ({"retry-after-ms": "250"}, 0.25),
    ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
    ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),  # a date in the past
    ({"retry-after": "soon"}, None),
    ({}, None),
    (None, None),
])
def test_retry_after_parsing(headers, seconds) -> None:
    assert retry_after_s(headers) == seconds


def test_backoff_grows_and_is_capped() -> None:
    rng = random.Random(0)
    for attempt in range(10):
        delay = min(BACKOFF_CAP_S, 2**attempt)
        assert delay / 2 <= backoff_s(attempt, rng) <= delay
