"""The loop's bookkeeping rules as tables: candidate lists in, what is owed out (no workers).

Rows are written the way the store holds them (`extra`), in this version's form (with
`origin_version`) and in an older run's (no `origin_version`, no `attempt`, no typed kind), so
both go through `Origin.from_extra`.
"""

from __future__ import annotations

import weakref
from typing import Any

import pytest

from lemonade.candidate import Candidate, Status
from lemonade.config import Objective
from lemonade.lineage import (
    calls_per_iteration,
    is_new_attempt,
    iterations_done,
    may_call,
    next_iteration,
    outcome_notes,
    owed_repairs,
    promotion_extra,
    promotions_due,
    repair_due,
    retries_due,
    retry_extra,
)
from lemonade.origin import ORIGIN_VERSION, Kind, Origin, Stop, promotion

OBJS = [Objective(metric="val_accuracy", threshold=0.9, priority=1)]
S = Status


def cand(cid: int, it: int, status: Status, acc: float | None = None, **extra: Any
         ) -> Candidate:
    metrics = {} if acc is None else {"val_accuracy": {"value": acc, "unit": "fraction"}}
    return Candidate(id=cid, iteration=it, status=status, extra=extra, metrics=metrics)


def gen(cid: int, it: int, status: Status, attempt: int = 0, **kw: Any) -> Candidate:
    return cand(cid, it, status, **Origin(Kind.GENERATOR, attempt=attempt).to_extra(), **kw)


def rep(cid: int, it: int, status: Status, of: int, attempt: int) -> Candidate:
    return cand(cid, it, status, **Origin(Kind.REPAIR, attempt=attempt, source=of).to_extra())


# ----- the typed record ---------------------------------------------------------------------------
ORIGINS = [
    Origin(Kind.START, attempt=0),
    Origin(Kind.GENERATOR, attempt=0, fidelity=2, temperature=0.6),
    Origin(Kind.REPAIR, attempt=2, source=7, temperature=0.3),
    promotion(4, 6),
    Origin(Kind.REPAIR, attempt=1, source=3, fidelity=2).retry(9),
    promotion(4, 6).retry(11),
]


@pytest.mark.parametrize("origin", ORIGINS, ids=lambda o: str(o.kind))
def test_origin_round_trips_through_extra(origin: Origin) -> None:
    extra = origin.to_extra()
    assert extra["origin_version"] == ORIGIN_VERSION
    assert Origin.from_extra(extra) == origin


# an older run's extra (as lemonade wrote it before the typed record) -> its origin
LEGACY = [
    ({"kind": "generator", "attempt": 0, "temperature": 0.3},
     Origin(Kind.GENERATOR, attempt=0, temperature=0.3)),
    ({"kind": "repair", "attempt": 1, "repair_of": 3},
     Origin(Kind.REPAIR, attempt=1, source=3)),
    ({"kind": "repair"}, Origin(Kind.REPAIR)),  # no attempt: its place in the chain
    ({"kind": "promotion", "fidelity": 6, "fidelity_of": 2}, promotion(2, 6)),
    ({"fidelity": 6, "fidelity_of": 2}, promotion(2, 6)),  # no kind: fidelity_of says it
    ({"kind": "generator", "attempt": 0, "retry_of": 5, "retried": False},
     Origin(Kind.RETRY, attempt=0, source=5, retried_kind=Kind.GENERATOR)),
    ({"kind": "promotion", "fidelity": 6, "fidelity_of": 2, "retry_of": 8},
     promotion(2, 6).retry(8)),
    ({"kind": "propose"}, Origin(Kind.PROPOSE)),  # before repairs were resumable
    ({}, Origin(Kind.PROPOSE)),
    ({"kind": "start", "attempt": 0, "start_from": "m.py"}, Origin(Kind.START, attempt=0)),
    ({"kind": "generator", "fidelity": True, "attempt": "1"}, Origin(Kind.GENERATOR)),
]


@pytest.mark.parametrize(("extra", "origin"), LEGACY)
def test_an_older_runs_extra_is_read_into_the_typed_record(extra: dict[str, Any],
                                                            origin: Origin) -> None:
    assert Origin.from_extra(extra) == origin
    assert cand(1, 0, S.OK, **extra).origin == origin


def test_a_retry_keeps_the_retried_candidates_lineage() -> None:
    r = promotion(2, 6).retry(8)
    assert r.kind is Kind.RETRY and r.first_kind is Kind.PROMOTION and r.promoted
    row = cand(9, 1, S.OK, 0.9, **r.to_extra())
    assert row.lineage == 2 and row.fidelity == 6 and not is_new_attempt(row)
    assert row.extra["kind"] == "promotion" and row.extra["retry_of"] == 8


# where each kind's references point (the report's links, the advice a repair was made under)
REFERENCES = [
    (Origin(Kind.GENERATOR, attempt=0), None, None, None),
    (Origin(Kind.REPAIR, attempt=1, source=3), 3, None, None),
    (Origin(Kind.REPAIR, attempt=1, source=3).retry(9), 3, 9, None),
    (Origin(Kind.REPAIR, attempt=1, source=3).retry(9).retry(12), 3, 12, None),
    (promotion(4, 6), None, None, 4),
    (promotion(4, 6).retry(11), None, 11, 4),
]


@pytest.mark.parametrize(("origin", "repair_of", "retry_of", "promoted_from"), REFERENCES)
def test_references_survive_the_store(origin: Origin, repair_of: int | None,
                                      retry_of: int | None, promoted_from: int | None) -> None:
    o = cand(1, 0, S.OK, **origin.to_extra()).origin
    assert o == origin
    assert (o.repair_of, o.retry_of, o.promoted_from) == (repair_of, retry_of, promoted_from)


@pytest.mark.parametrize(("extra", "retried"), [
    ({}, False), ({"retried": False}, False), ({"retried": True}, True),
    (Origin(Kind.GENERATOR, attempt=0).retry(3).to_extra(), False),
])
def test_retried_mark(extra: dict[str, Any], retried: bool) -> None:
    assert cand(3, 0, S.INTERRUPTED, **extra).retried is retried


def test_a_retry_and_a_promotion_row_keep_what_the_memory_and_the_report_read() -> None:
    c = cand(4, 1, S.INTERRUPTED, **Origin(Kind.REPAIR, attempt=1, source=3).to_extra(),
             problem="too big", summary="narrower", isolation={"wall": "bwrap"})
    retry = cand(5, 1, S.OK, **retry_extra(c))
    assert retry.origin == c.origin.retry(4) and retry.origin.repair_of == 3
    assert retry.extra["problem"] == "too big" and not retry.retried
    p = cand(6, 1, S.OK, 0.8, fidelity=2, problem="too big", summary="narrower",
             isolation={"wall": "bwrap"})
    extra = promotion_extra(p, 6)
    assert cand(7, 1, S.OK, **extra).origin == promotion(6, 6)
    assert extra["problem"] == "too big" and extra["summary"] == "narrower"
    assert "isolation" not in extra  # the proxy row's own outcome notes stay with it


STOPS = [
    ({}, None),
    ({"partial": {"reason": "time", "pruned": False, "epochs_run": 2, "epochs": 5}},
     Stop(False, "time", 2, 5)),
    ({"pruned": {"reason": "behind the front", "pruned": True, "epochs_run": 3,
                 "epochs": 8}}, Stop(True, "behind the front", 3, 8)),
]


@pytest.mark.parametrize(("extra", "stop"), STOPS)
def test_stop_record(extra: dict[str, Any], stop: Stop | None) -> None:
    assert cand(1, 0, S.OK, **extra).stop == stop


# ----- repairs owed -------------------------------------------------------------------------------
REPAIRS: list[tuple[str, list[Candidate], int, list[tuple[int, int]]]] = [
    ("nothing failed", [gen(1, 0, S.OK, acc=0.5)], 2, []),
    ("a failure is owed its first repair", [gen(1, 0, S.FAILED)], 2, [(1, 0)]),
    ("a crash as well", [gen(1, 0, S.CRASHED)], 2, [(1, 0)]),
    ("a timeout is not repaired", [gen(1, 0, S.TIMEOUT)], 2, []),
    ("a rejected proposal was repaired at once", [gen(1, 0, S.REJECTED)], 2, []),
    ("repairs off", [gen(1, 0, S.FAILED)], 0, []),
    ("repaired already", [gen(1, 0, S.FAILED), rep(2, 0, S.OK, 1, 1)], 2, []),
    ("its repair failed too", [gen(1, 0, S.FAILED), rep(2, 0, S.FAILED, 1, 1)], 2, [(2, 1)]),
    ("attempts spent", [gen(1, 0, S.FAILED), rep(2, 0, S.FAILED, 1, 1)], 1, []),
    ("another iteration's repair does not count",
     [gen(1, 0, S.FAILED), gen(2, 1, S.OK, acc=0.5), rep(3, 1, S.OK, 2, 1)], 2, [(1, 0)]),
    ("a retry is not repaired",
     [gen(1, 0, S.INTERRUPTED),
      cand(2, 0, S.FAILED, **Origin(Kind.GENERATOR, attempt=0).retry(1).to_extra())], 2, []),
    ("a promotion is not repaired",
     [gen(1, 0, S.OK, acc=0.5), cand(2, 0, S.FAILED, **promotion(1, 6).to_extra())], 2, []),
    ("the user's model is not repaired",
     [cand(1, 0, S.FAILED, **Origin(Kind.START, attempt=0).to_extra())], 2, []),
    ("an older run: attempt from the chain",
     [cand(1, 0, S.FAILED, kind="generator"), cand(2, 0, S.FAILED, kind="repair")], 3,
     [(2, 1)]),
    ("an older run's chain at its limit",
     [cand(1, 0, S.FAILED, kind="generator"), cand(2, 0, S.FAILED, kind="repair")], 1, []),
    ("an older run's propose rows were never repaired",
     [cand(1, 0, S.FAILED, kind="propose")], 2, []),
    ("two iterations owe one each", [gen(1, 0, S.FAILED), gen(2, 1, S.CRASHED)], 2,
     [(1, 0), (2, 0)]),
]


@pytest.mark.parametrize(("cands", "limit", "owed"), [r[1:] for r in REPAIRS],
                         ids=[r[0] for r in REPAIRS])
def test_owed_repairs(cands: list[Candidate], limit: int, owed: list[tuple[int, int]]) -> None:
    assert [(c.id, a) for c, a in owed_repairs(cands, limit)] == owed


@pytest.mark.parametrize(("status", "kind", "attempt", "limit", "due"), [
    ("failed", Kind.GENERATOR, 0, 2, True),
    ("crashed", Kind.REPAIR, 1, 2, True),
    ("failed", Kind.REPAIR, 2, 2, False),
    ("timeout", Kind.GENERATOR, 0, 2, False),
    ("ok", Kind.GENERATOR, 0, 2, False),
    ("failed", Kind.RETRY, 0, 2, False),
    ("failed", Kind.PROMOTION, 0, 2, False),
    ("failed", Kind.START, 0, 2, False),
])
def test_repair_due_live(status: str, kind: Kind, attempt: int, limit: int, due: bool) -> None:
    assert repair_due(status, kind, attempt, limit) is due


# ----- interrupted candidates retried -------------------------------------------------------------
RETRIES: list[tuple[str, list[Candidate], list[int]]] = [
    ("nothing interrupted", [gen(1, 0, S.OK, acc=0.5)], []),
    ("an interrupted candidate is retried", [gen(1, 0, S.INTERRUPTED)], [1]),
    ("once: marked retried", [gen(1, 0, S.INTERRUPTED, retried=True)], []),
    ("once: a retry row exists",
     [gen(1, 0, S.INTERRUPTED),
      cand(2, 0, S.OK, 0.5, **Origin(Kind.GENERATOR, attempt=0).retry(1).to_extra())], []),
    ("its iteration has an outcome already",
     [gen(1, 0, S.FAILED), rep(2, 0, S.INTERRUPTED, 1, 1), gen(3, 0, S.OK, acc=0.5)], []),
    ("a promotion is retried though its iteration has an outcome",
     [gen(1, 0, S.OK, acc=0.5), cand(2, 0, S.INTERRUPTED, **promotion(1, 6).to_extra())], [2]),
    ("an older run's retried mark",
     [cand(1, 0, S.INTERRUPTED, kind="generator", attempt=0, retried=True)], []),
    ("a retry interrupted again is retried",
     [gen(1, 0, S.INTERRUPTED, retried=True),
      cand(2, 0, S.INTERRUPTED, **Origin(Kind.GENERATOR, attempt=0).retry(1).to_extra())],
     [2]),
]


@pytest.mark.parametrize(("cands", "due"), [r[1:] for r in RETRIES], ids=[r[0] for r in RETRIES])
def test_retries_due(cands: list[Candidate], due: list[int]) -> None:
    assert [c.id for c in retries_due(cands)] == due


# ----- promotions due -----------------------------------------------------------------------------
def proxy(cid: int, acc: float) -> Candidate:
    return gen(cid, cid, S.OK, acc=acc, fidelity=1)


PROMOTIONS: list[tuple[str, list[Candidate], int | None, float, list[int]]] = [
    ("single fidelity: none", [gen(1, 0, S.OK, acc=0.9)], None, 0.5, []),
    ("the top half of two", [proxy(1, 0.4), proxy(2, 0.8)], 1, 0.5, [2]),
    ("the top half rounds up", [proxy(1, 0.4), proxy(2, 0.8), proxy(3, 0.6)], 1, 0.5, [2, 3]),
    ("promoted once", [proxy(1, 0.4), proxy(2, 0.8),
                       cand(3, 2, S.OK, 0.9, **promotion(2, 6).to_extra())], 1, 0.5, []),
    ("a later, worse result lets the second in",
     [proxy(1, 0.4), proxy(2, 0.8), cand(3, 2, S.RUNNING, **promotion(2, 6).to_extra()),
      proxy(4, 0.1), proxy(5, 0.2)], 1, 0.5, [1]),
    ("a later, better result is promoted",
     [proxy(1, 0.4), proxy(2, 0.8), cand(3, 2, S.OK, 0.9, **promotion(2, 6).to_extra()),
      proxy(4, 0.1), proxy(5, 0.7)], 1, 0.5, [5]),
    ("failed proxies do not count", [proxy(1, 0.4), gen(2, 2, S.FAILED, fidelity=1)], 1, 0.5,
     [1]),
    ("every proxy", [proxy(1, 0.4), proxy(2, 0.8)], 1, 1.0, [2, 1]),
]


@pytest.mark.parametrize(("cands", "proxy_epochs", "promote", "due"),
                         [r[1:] for r in PROMOTIONS], ids=[r[0] for r in PROMOTIONS])
def test_promotions_due(cands: list[Candidate], proxy_epochs: int | None, promote: float,
                        due: list[int]) -> None:
    assert [c.id for c in promotions_due(cands, proxy_epochs, promote, OBJS)] == due


# ----- the LLM call budget and iteration counts ---------------------------------------------------
@pytest.mark.parametrize(("spent", "max_calls", "needed", "ok"), [
    (0, 1, 1, True), (1, 1, 1, False), (3, 5, 2, True), (4, 5, 2, False), (0, 1, 2, False),
])
def test_llm_budget(spent: int, max_calls: int, needed: int, ok: bool) -> None:
    assert may_call(spent, max_calls, needed) is ok


def test_calls_per_iteration() -> None:
    assert calls_per_iteration(llm_improver=False) == 1
    assert calls_per_iteration(llm_improver=True) == 2


@pytest.mark.parametrize(("cands", "done", "nxt"), [
    ([], 0, 0),
    ([gen(1, 0, S.OK, acc=0.5)], 1, 1),
    ([gen(1, 0, S.OK, acc=0.5), gen(2, 1, S.INTERRUPTED)], 1, 2),
    ([gen(1, 0, S.FAILED), rep(2, 0, S.OK, 1, 1), gen(3, 1, S.RUNNING)], 1, 2),
])
def test_iteration_counts(cands: list[Candidate], done: int, nxt: int) -> None:
    assert iterations_done(cands) == done and next_iteration(cands) == nxt


# ----- what a worker's report adds to the row -----------------------------------------------------
def test_outcome_notes_keep_the_stores_keys() -> None:
    partial = {"reason": "deadline", "pruned": False, "epochs_run": 2, "epochs": 5}
    notes, stop = outcome_notes("ok", {"isolation": {"net": "none"}, "partial": partial,
                                       "startup": {"prestarted": True},
                                       "measure": {"seconds": 1.5}}, "/tmp/a")
    assert notes == {"isolation": {"net": "none"}, "partial": partial, "artifacts_dir": "/tmp/a",
                     "timing": {"startup": {"prestarted": True}, "measure_s": 1.5}}
    assert stop is not None and stop.describe() == \
        "partial: deadline; measured after 2 of 5 epochs"
    pruned = {**partial, "pruned": True, "reason": "behind"}
    notes, stop = outcome_notes("ok", {"partial": pruned})
    assert notes == {"pruned": pruned}
    assert stop is not None and stop.describe() == "behind; measured after 2 of 5 epochs"
    notes, stop = outcome_notes("failed", {"partial": partial, "prescreen": {"reason": "big"}})
    assert notes == {"prescreen": {"reason": "big"}} and stop is None


# ----- a store written before the typed record ----------------------------------------------------
def test_a_store_written_the_old_way_loads_and_owes_the_same(tmp_path: Any) -> None:
    """Rows as an older lemonade wrote them (no origin_version; the first without attempt):
    read back typed, and a Search opened on them owes the repair and the retry it owed then."""
    from lemonade.config import build_config, dump_config
    from lemonade.data import load_dataset
    from lemonade.search import Search
    from lemonade.store import Store

    cfg = build_config({"dataset": {"name": "synthetic", "synthetic_shape": [1, 8, 8],
                                    "synthetic_size": 100},
                        "budget": {"iterations": 3, "repair_attempts": 2}, "device": "cpu",
                        "run_dir": str(tmp_path / "run")})
    store = Store.create(tmp_path / "run", dump_config(cfg))
    a = store.add_candidate(0, None, "a", "ha", None, "offline",
                            extra={"kind": "generator", "problem": "p", "temperature": 0.4})
    store.finish_candidate(a, "failed", reason="shape mismatch")
    b = store.add_candidate(1, None, "b", "hb", None, "offline",
                            extra={"kind": "generator", "attempt": 0})
    store.mark_interrupted_stale()
    store.close()
    store = Store.open(tmp_path / "run")
    rows = store.candidates()
    assert [r.origin for r in rows] == [Origin(Kind.GENERATOR, temperature=0.4),
                                        Origin(Kind.GENERATOR, attempt=0)]
    assert [(c.id, n) for c, n in owed_repairs(rows, 2)] == [(a, 0)]
    assert [c.id for c in retries_due(rows)] == [b]
    s = Search(cfg, tmp_path / "run", store, load_dataset(cfg.dataset, seed=cfg.seed))
    (owed,) = s._repairs
    assert (owed.cid, owed.attempt, owed.it) == (a, 0, 0)
    assert owed.req.temperature == 0.4 and "shape mismatch" in owed.error
    assert store.candidate(a).extra == {"kind": "generator", "problem": "p", "temperature": 0.4}
    # nothing holds a Search in a cycle: dropped, it is freed at once (and start_run's lock with it)
    ref = weakref.ref(s)
    del s
    assert ref() is None
    store.close()
