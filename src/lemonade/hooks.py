"""What the search loop tells the outside world while it runs (`Hooks`: the CLI draws its
progress from these) and what it hands back when it ends (`SearchResult`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lemonade.candidate import Candidate


@dataclass
class Hooks:
    """What the loop tells the outside world (the CLI draws progress from these)."""

    on_start: Callable[[dict[str, Any]], None] = lambda info: None
    on_candidate_start: Callable[[int, int, str], None] = lambda cid, it, kind: None
    on_epoch: Callable[[int, dict[str, Any]], None] = lambda cid, ev: None
    on_candidate_end: Callable[[Candidate, bool], None] = lambda row, is_best: None
    on_message: Callable[[str], None] = lambda text: None


@dataclass
class SearchResult:
    run_dir: Path
    status: str  # finished | interrupted
    best: Candidate | None
    baseline: Candidate | None  # the first successful candidate (the starting model)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @classmethod
    def of(cls, run_dir: Path, status: str, cands: Sequence[Candidate], best: Candidate | None,
           seconds: float) -> SearchResult:
        """The result of a run whose store holds `cands`."""
        ok = [c for c in cands if c.ok]
        return cls(run_dir=run_dir, status=status, best=best, baseline=ok[0] if ok else None,
                   counts=dict(Counter(str(c.status) for c in cands)), seconds=seconds)
