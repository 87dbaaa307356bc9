"""The hostile corpus (tests/hostile/): every file is rejected statically or contained at run time
with a recorded reason, nothing is written outside the worker's scratch directory, and the host
process survives. Prints the figures: tried, static, runtime-contained, escaped."""

from __future__ import annotations

import glob
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from lemonade.config import SandboxConfig, build_config
from lemonade.gate import check_source
from lemonade.sandbox.resource import Sandbox
from lemonade.sandbox.runner import CandidateOutcome, run_candidate, training_job

HOSTILE = Path(__file__).parent / "hostile"
LIMITS = SandboxConfig(memory_limit_mb=2048)
TINY = build_config({
    "dataset": {"name": "synthetic", "synthetic_shape": [1, 8, 8], "synthetic_size": 64},
    "budget": {"epochs": 1}, "device": "cpu",
    "measure": {"energy": False, "latency_repeats": 3, "latency_warmup": 1},
})
# An infinite loop costs exactly this. It must exceed the worker's start-up (a torch import,
# several seconds on a loaded 2-core machine) so that the timeout hits the candidate's code.
LOOP_TIMEOUT_S = 15.0
TIMEOUT_S = 60.0  # everything else fails in seconds; generous for a loaded CI machine
PWNED = "/tmp/lemonade_pwned*"  # where the corpus tries to write


@dataclass(frozen=True)
class Case:
    name: str
    expect: str  # static | runtime
    what: str
    match: str  # static: violation substring; runtime: "<status>: <reason substring>"
    source: str


def load_corpus() -> list[Case]:
    cases = []
    for path in sorted(HOSTILE.glob("*.py")):
        source = path.read_text()
        first, second = source.split("\n")[:2]
        assert first.startswith("# expect: "), f"{path.name}: first line must be '# expect: ...'"
        assert second.startswith("# match: "), f"{path.name}: second line must be '# match: ...'"
        expect, _, what = first.removeprefix("# expect: ").partition(" - ")
        assert expect in ("static", "runtime"), path.name
        cases.append(Case(path.name, expect, what, second.removeprefix("# match: "), source))
    return cases


CORPUS = load_corpus()
STATIC = [c for c in CORPUS if c.expect == "static"]
RUNTIME = [c for c in CORPUS if c.expect == "runtime"]


def test_corpus_is_large_and_covers_both_kinds() -> None:
    assert len(CORPUS) >= 40
    assert len(STATIC) >= 30 and len(RUNTIME) >= 8


@pytest.mark.parametrize("case", STATIC, ids=[c.name for c in STATIC])
def test_static_case_is_rejected_for_the_expected_reason(case: Case) -> None:
    violations = check_source(case.source)
    messages = [str(v) for v in violations]
    assert violations, f"{case.name} ({case.what}) passed the static check"
    assert any(case.match in m for m in messages), messages


@pytest.mark.parametrize("case", RUNTIME, ids=[c.name for c in RUNTIME])
def test_runtime_case_passes_the_static_check(case: Case) -> None:
    # otherwise it would not test the worker at all
    assert check_source(case.source) == []


def _run(case: Case, sandbox: Sandbox) -> CandidateOutcome:
    timeout = LOOP_TIMEOUT_S if case.match.startswith("timeout") else TIMEOUT_S
    cfg = TINY.model_copy(update={"sandbox": LIMITS, "budget": TINY.budget.model_copy(
        update={"candidate_timeout_s": timeout})})
    return run_candidate(training_job(cfg, case.source, want_weights=True), sandbox=sandbox)


@pytest.mark.slow
def test_runtime_corpus_is_contained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    (cwd / "sentinel.txt").write_text("untouched")
    temp_base = tmp_path / "tmp"  # every job and scratch dir the sandbox makes lands here
    temp_base.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(tempfile, "tempdir", str(temp_base))
    pwned_before = set(glob.glob(PWNED))
    pgrp = os.getpgrp()

    # one Sandbox for all (its fork server among them), closed before the leftovers are counted
    with Sandbox() as sandbox, ThreadPoolExecutor(max_workers=4) as pool:
        # the loops mostly wait on their timeout
        outcomes = dict(zip([c.name for c in RUNTIME],
                            pool.map(lambda c: _run(c, sandbox), RUNTIME), strict=True))

    escaped = []
    for case in RUNTIME:
        out = outcomes[case.name]
        status, _, needle = case.match.partition(": ")
        line = f"{case.name}: {out.status}: {out.reason}"
        if out.status == "ok" or not out.reason:
            escaped.append(line)
        assert out.status == status, line + "\n" + out.log_tail
        assert needle in out.reason, line
        assert out.weights_path is None, line  # nothing is kept from a failed candidate
    # nothing written outside the worker's scratch dir, and the scratch dirs are gone
    assert sorted(os.listdir(cwd)) == ["sentinel.txt"]
    assert (cwd / "sentinel.txt").read_text() == "untouched"
    # nothing left but the host's documented split cache (the dataset's split files), once
    # the Sandbox (its fork server, the server's folder with it) is closed
    from lemonade.sandbox.host_measure import cache_dir

    assert [n for n in os.listdir(temp_base) if n != cache_dir().name] == []
    assert set(glob.glob(PWNED)) == pwned_before
    assert os.getpgrp() == pgrp  # the host process and its group are alive and unchanged

    n_static = sum(1 for c in STATIC if check_source(c.source))
    contained = len(RUNTIME) - len(escaped)
    print(f"\nhostile corpus: tried {len(CORPUS)}, static rejects {n_static}, "
          f"runtime-contained {contained}, escaped {len(escaped) + len(STATIC) - n_static}")
    for case in RUNTIME:
        out = outcomes[case.name]
        print(f"  {case.name:28s} {out.status:8s} {out.seconds:5.1f} s  {out.reason[:90]}")
    assert not escaped
