"""The LLM proposer: chat completions against any OpenAI-compatible endpoint.

Works with OpenAI, Gemini's OpenAI-compatible endpoint
(https://generativelanguage.googleapis.com/v1beta/openai/), Ollama (http://localhost:11434/v1),
vLLM and llama.cpp's server, by keeping to the subset of the protocol they all speak: `model`,
`messages`, `temperature`, `max_tokens`; no `response_format`, no tools, no `seed`.

Retries are ours, not the SDK's (`max_retries=0`): exponential backoff with jitter on 429, 408,
409, 5xx, time-outs and connection errors, honouring a server's Retry-After (capped), with an
injectable sleep so tests do not wait. Whatever goes wrong with the provider comes back as a
Proposal with `error` set; only a missing API key raises (a ConfigError, at construction).

Replies are capped at the transport (`proposer.max_reply_bytes`, `reply_cap`): a bigger one is
never read past the cap, and is a recorded failure, not retried.
"""

from __future__ import annotations

import dataclasses
import email.utils
import os
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import openai

from lemonade.config import ConfigError, ProposerConfig
from lemonade.gate import CodeRejected, extract_code
from lemonade.gate.scrub import remember_secret
from lemonade.prompts import (
    diff_failed_prompt,
    diff_instructions,
    repair_prompt,
    system_prompt,
    user_prompt,
)
from lemonade.proposers import Proposal, ProposalRequest, Proposer, zero_usage
from lemonade.proposers.diff_edit import EditError, apply_blocks, parse_blocks
from lemonade.proposers.reply_cap import capped_http_client, reply_too_large

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0")
LOCAL_DUMMY_KEY = "sk-local-no-key"  # local servers ignore the key, but the SDK requires one
BACKOFF_BASE_S = 1.0
BACKOFF_CAP_S = 30.0
RETRY_AFTER_CAP_S = 60.0  # a server asking for minutes would stall the whole search
RETRY_STATUSES = (408, 409, 429)  # plus every 5xx


def is_local(base_url: str | None) -> bool:
    host = urlparse(base_url or "").hostname or ""
    return host in LOCAL_HOSTS or host.endswith(".localhost")


def resolve_api_key(cfg: ProposerConfig, environ: Mapping[str, str] | None = None) -> str:
    """The key from the variable named by `proposer.api_key_env`; local endpoints need none."""
    env = os.environ if environ is None else environ
    key = env.get(cfg.api_key_env, "").strip()
    if key:
        remember_secret(key)  # whatever its variable is called, it never goes into a prompt
        return key
    if is_local(cfg.base_url):
        return LOCAL_DUMMY_KEY
    where = cfg.base_url or "https://api.openai.com/v1"
    raise ConfigError(
        f"proposer.api_key_env: the environment variable {cfg.api_key_env} is not set, and "
        f"{where} needs an API key; export {cfg.api_key_env}=... or set proposer.api_key_env to "
        "the variable that holds it (local endpoints such as Ollama need none)"
    )


def retry_after_s(headers: Mapping[str, str] | None) -> float | None:
    """Seconds a server asked us to wait (retry-after-ms, retry-after as seconds or HTTP date)."""
    if not headers:
        return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def backoff_s(attempt: int, rng: random.Random) -> float:
    """Exponential backoff with 'equal jitter': half fixed, half random, so clients spread out."""
    delay = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**attempt)
    return delay / 2 + rng.uniform(0, delay / 2)


def build_messages(req: ProposalRequest) -> list[dict[str, str]]:
    advice_text = req.advice.prompt_text() if req.advice is not None else ""
    suggestion = req.suggestion.prompt_text() if req.suggestion is not None else ""
    return [
        {"role": "system", "content": system_prompt(req.dataset, req.objectives)},
        {"role": "user", "content": user_prompt(
            iteration=req.iteration, advice_text=advice_text, memory_text=req.memory_text,
            parent_code=req.parent_code, parent_metrics=req.parent_metrics,
            objectives=req.objectives, suggestion_text=suggestion)},
    ]


def usage_dict(usage: Any) -> dict[str, int]:
    """Token counts; zeros where the server reports none (llama.cpp and some proxies omit them)."""
    out = zero_usage()
    if usage is None:
        return out
    p = int(getattr(usage, "prompt_tokens", None) or 0)
    c = int(getattr(usage, "completion_tokens", None) or 0)
    out.update(prompt_tokens=p, completion_tokens=c,
               total_tokens=int(getattr(usage, "total_tokens", None) or (p + c)))
    return out


def _status_text(e: openai.APIStatusError) -> str:
    msg = getattr(e, "message", None) or str(e)
    return f"HTTP {e.status_code}: {msg[:300]}"


@dataclass(frozen=True)
class ChatReply:
    """One chat completion after retries: the content, or `error` when there is none."""

    content: str | None
    messages: list[dict[str, str]]
    model: str
    usage: dict[str, int] = field(default_factory=zero_usage)
    finish: str | None = None
    error: str | None = None
    latency_s: float = 0.0


class ChatClient:
    """Chat completions against one OpenAI-compatible endpoint, with our retries; never raises
    for provider trouble. Shared by the code generator and the prompt improver."""

    def __init__(self, cfg: ProposerConfig, *, seed: int = 0,
                 sleep: Callable[[float], None] = time.sleep,
                 environ: Mapping[str, str] | None = None) -> None:
        self.cfg = cfg
        self.sleep = sleep
        self.rng = random.Random(seed)  # backoff jitter only
        self.client = openai.OpenAI(base_url=cfg.base_url, api_key=resolve_api_key(cfg, environ),
                                    timeout=cfg.timeout_s, max_retries=0,
                                    http_client=capped_http_client(cfg.max_reply_bytes))

    def chat(self, messages: list[dict[str, str]], temperature: float | None = None
             ) -> ChatReply:
        """One completion; `temperature` overrides the configured one for this call."""
        started = time.perf_counter()
        try:
            resp, error = self._create(messages, temperature)
        except Exception as e:  # anything the SDK or transport throws is provider trouble
            resp, error = None, f"{type(e).__name__}: {e}"
        if resp is None:
            return ChatReply(None, messages, self.cfg.model, error=error,
                             latency_s=time.perf_counter() - started)
        try:
            choice = resp.choices[0] if resp.choices else None
            content = (choice.message.content if choice and choice.message else None) or ""
            finish = getattr(choice, "finish_reason", None)
            usage = usage_dict(getattr(resp, "usage", None))
            model = getattr(resp, "model", None) or self.cfg.model
        except Exception as e:  # a malformed response object
            return ChatReply(None, messages, self.cfg.model,
                             error=f"malformed response: {type(e).__name__}: {e}",
                             latency_s=time.perf_counter() - started)
        return ChatReply(content, messages, model, usage, finish,
                         latency_s=time.perf_counter() - started)

    def _create(self, messages: list[dict[str, str]], temperature: float | None = None
                ) -> tuple[Any, str | None]:
        """The completion, or (None, why) after the retries are spent or on a final error."""
        last = "no attempt made"
        temp = self.cfg.temperature if temperature is None else temperature
        tries = self.cfg.max_retries + 1
        for attempt in range(tries):
            try:
                resp = self.client.chat.completions.create(
                    model=self.cfg.model, messages=messages,  # type: ignore[arg-type]
                    temperature=temp, max_tokens=self.cfg.max_tokens,
                )
                return resp, None
            except openai.APIStatusError as e:
                last = _status_text(e)
                if not (e.status_code in RETRY_STATUSES or e.status_code >= 500):
                    return None, last  # 400/401/403/404: retrying cannot help
                asked = retry_after_s(e.response.headers if e.response is not None else None)
                delay = min(asked, RETRY_AFTER_CAP_S) if asked is not None else None
            except openai.APITimeoutError:
                last = f"timed out after {self.cfg.timeout_s:g} s"
                delay = None
            except openai.APIConnectionError as e:
                too_large = reply_too_large(e)
                if too_large is not None:
                    return None, str(too_large)  # the same question would get the same reply
                last = f"connection error: {e}"
                delay = None
            if attempt + 1 < tries:
                self.sleep(delay if delay is not None else backoff_s(attempt, self.rng))
        return None, f"{last} (gave up after {tries} attempt{'s' if tries > 1 else ''})"


class OpenAIProposer(Proposer):
    """The code generator: writes the model file from the advice, the improver's suggestion and
    the memory."""

    name = "openai"

    def __init__(self, cfg: ProposerConfig, *, seed: int = 0,
                 sleep: Callable[[float], None] = time.sleep,
                 environ: Mapping[str, str] | None = None) -> None:
        self.cfg = cfg
        self.chat = ChatClient(cfg, seed=seed, sleep=sleep, environ=environ)

    def propose(self, req: ProposalRequest) -> Proposal:
        if self.cfg.edit_format == "diff" and req.parent_code:
            return self._propose_diff(req)
        return self.complete(build_messages(req), req.temperature)

    def _propose_diff(self, req: ProposalRequest) -> Proposal:
        """SEARCH/REPLACE blocks against the parent's code; an edit that does not apply is
        answered once with a request for the full file (both calls' tokens are counted)."""
        parent = req.parent_code or ""
        messages = build_messages(req)
        messages[-1] = {"role": "user",
                        "content": messages[-1]["content"] + "\n\n" + diff_instructions()}
        temp = self.cfg.temperature if req.temperature is None else req.temperature
        r = self.chat.chat(messages, temp)
        if r.content is None or not parse_blocks(r.content):
            return self._as_full(r, messages, temp)  # no blocks: maybe a whole file
        try:
            code = apply_blocks(parent, parse_blocks(r.content))
        except EditError as e:
            retry = [*messages, {"role": "assistant", "content": r.content},
                     {"role": "user", "content": diff_failed_prompt(str(e))}]
            full = self.complete(retry, temp)
            usage = {k: full.usage.get(k, 0) + r.usage.get(k, 0) for k in full.usage}
            return dataclasses.replace(full, usage=usage, latency_s=full.latency_s + r.latency_s)
        return Proposal(code=code, raw_response=r.content, messages=messages, usage=r.usage,
                        model=r.model, latency_s=r.latency_s, temperature=temp)

    def _as_full(self, r: ChatReply, messages: list[dict[str, str]], temp: float) -> Proposal:
        return self._proposal(r, messages, temp)

    def repair(self, req: ProposalRequest, previous: Proposal, error: str) -> Proposal:
        """The same conversation, at the same temperature, with the error quoted back."""
        messages = list(previous.messages or build_messages(req))
        if previous.raw_response is None:
            # The call itself failed (no reply to correct): ask the same question again.
            return self.complete(messages, req.temperature)
        messages.append({"role": "assistant", "content": previous.raw_response})
        messages.append({"role": "user", "content": repair_prompt(error)})
        return self.complete(messages, req.temperature)

    def observe(self, candidate: Any) -> None:
        """Nothing to learn here: the memory in the prompt carries the outcomes."""

    def complete(self, messages: list[dict[str, str]], temperature: float | None = None
                 ) -> Proposal:
        """One chat completion (with retries) turned into a Proposal; never raises.
        `temperature` overrides `proposer.temperature` for this call."""
        temp = self.cfg.temperature if temperature is None else temperature
        return self._proposal(self.chat.chat(messages, temp), messages, temp)

    def _proposal(self, r: ChatReply, messages: list[dict[str, str]], temp: float) -> Proposal:
        """A completion turned into a Proposal: the code extracted, or why there is none."""
        if r.content is None:
            return Proposal(code=None, messages=messages, model=r.model, error=r.error,
                            latency_s=r.latency_s, temperature=temp)
        content = r.content
        base: dict[str, Any] = {"raw_response": content, "messages": messages, "usage": r.usage,
                "model": r.model, "latency_s": r.latency_s, "temperature": temp}
        if not content.strip():
            return Proposal(code=None, error=f"empty reply (finish_reason={r.finish})", **base)
        try:
            code = extract_code(content, keep_main_guard=True)  # normalized in the loop
        except CodeRejected as e:
            error = f"no usable code in the reply: {e}"
            if r.finish == "length":
                error = self._truncated_text() + f"; {error}"
            return Proposal(code=None, error=error, **base)
        if r.finish == "length" and not _compiles(code):
            return Proposal(code=None, error=self._truncated_text(), **base)
        return Proposal(code=code, error=None, **base)

    def _truncated_text(self) -> str:
        return (f"the reply was cut off at max_tokens={self.cfg.max_tokens} "
                "(finish_reason=length): the code is incomplete")


def _compiles(code: str) -> bool:
    try:
        compile(code, "model.py", "exec")
    except (SyntaxError, ValueError):
        return False
    return True


def create(cfg: ProposerConfig, *, seed: int, store: Any = None) -> OpenAIProposer:
    """The factory `lemonade.plugins.PROPOSERS` names (`store` is for replay only)."""
    return OpenAIProposer(cfg, seed=seed)
