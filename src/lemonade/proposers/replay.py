"""The replay proposer: plays back the LLM responses recorded in an earlier run's store.

Responses are played in the order they were recorded, the code generator's proposals and the
repairs from separate queues, so a replayed run asks for them in the same order as the recorded
one did (a recorded improver's calls are not played: the expert system stands in for it, and the
generator's replies already carry what it suggested). A resumed replay run skips the responses it
already used (`resume_from`), so it goes on where it stopped. The code is
extracted again from each raw response (not copied from the candidate row), so a replay also
exercises today's parser. When the recording runs out, a Proposal with error "replay exhausted"
comes back and the loop stops proposing anything new.
"""

from __future__ import annotations

import json
import time
from collections import deque
from typing import Any

from lemonade.config import ConfigError, ProposerConfig
from lemonade.gate import CodeRejected, extract_code
from lemonade.proposers import Proposal, ProposalRequest, Proposer, zero_usage
from lemonade.store import Store

EXHAUSTED = "replay exhausted"
# stored call kind -> the queue it is played from ("propose" is what older runs called the
# generator's calls)
ROLE_OF = {"generator": "generator", "propose": "generator", "repair": "repair"}


def _usage(u: Any) -> dict[str, int]:
    out = zero_usage()
    if isinstance(u, dict):
        for k in out:
            out[k] = int(u.get(k) or 0)
    return out


class ReplayProposer(Proposer):
    name = "replay"

    def __init__(self, store: Any) -> None:
        # `store` is a lemonade.store.Store (anything with llm_calls() -> list[dict]).
        rows = store.llm_calls()
        self.queues: dict[str, deque[dict[str, Any]]] = {
            role: deque(r for r in rows if ROLE_OF.get(r.get("kind") or "") == role)
            for role in ("generator", "repair")
        }

    def remaining(self, kind: str) -> int:
        return len(self.queues[ROLE_OF.get(kind, kind)])

    def resume_from(self, calls: list[dict[str, Any]]) -> None:
        """Skip the responses this run already played (its own recorded calls, from its store)."""
        for c in calls:
            role = ROLE_OF.get(c.get("kind") or "")
            if role is None or str(c.get("error") or "").startswith(EXHAUSTED):
                continue
            if self.queues[role]:
                self.queues[role].popleft()

    def _next(self, kind: str) -> Proposal:
        started = time.perf_counter()
        if not self.queues[kind]:
            return Proposal(code=None, model="replay", error=f"{EXHAUSTED} ({kind})")
        row = self.queues[kind].popleft()
        response = row.get("response")
        model = row.get("model") or "replay"
        messages = row.get("messages")
        if isinstance(messages, str):  # a raw sqlite row: JSON text
            messages = json.loads(messages)
        usage = row.get("usage")
        if isinstance(usage, str):
            usage = json.loads(usage)
        base: dict[str, Any] = {"raw_response": response, "messages": messages,
                                "usage": _usage(usage),
                                "model": model}
        if response is None:
            error = row.get("error") or "the recorded call has no response"
            return Proposal(code=None, error=error, latency_s=time.perf_counter() - started,
                            **base)
        try:
            code = extract_code(response)
        except CodeRejected as e:
            error = f"no usable code in the recorded response: {e}"
            if model in ("offline", "random"):
                error += (f" (recorded by the {model} proposer, whose responses describe edits; "
                          f"rerun with proposer.kind={model} and the same seed instead)")
            return Proposal(code=None, error=error, latency_s=time.perf_counter() - started,
                            **base)
        return Proposal(code=code, latency_s=time.perf_counter() - started, **base)

    def propose(self, req: ProposalRequest) -> Proposal:
        return self._next("generator")

    def observe(self, candidate: Any) -> None:
        return None  # a replay plays back what was recorded, whatever the results

    def repair(self, req: ProposalRequest, previous: Proposal, error: str) -> Proposal:
        return self._next("repair")


def create(cfg: ProposerConfig, *, seed: int, store: Any = None) -> ReplayProposer:
    """The factory `lemonade.plugins.PROPOSERS` names: plays back `store`, else the run in
    `proposer.replay_from`."""
    if store is None:
        if not cfg.replay_from:
            raise ConfigError("proposer.replay_from: the replay proposer needs the run "
                              "directory whose responses it plays back")
        try:
            store = Store.open(cfg.replay_from)
        except Exception as e:  # StoreError, sqlite3 errors: all mean "not a usable run"
            raise ConfigError(f"proposer.replay_from: {e}") from None
    return ReplayProposer(store)
