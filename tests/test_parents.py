"""Parents and stagnation: drawing parents beyond the single best; the stall rule fed the history
of attempts made from a parent; another parent once one is exhausted."""

from __future__ import annotations

import random
from collections import Counter

from lemonade.candidate import Candidate, Status, rank
from lemonade.config import Objective
from lemonade.expert import advise
from lemonade.parents import exhausted_parents, front, parent_attempts, select_parent

OBJS = [Objective(metric="val_accuracy", threshold=0.8, priority=3),
        Objective(metric="params", threshold=10_000, priority=2)]


def cand(cid: int, acc: float | None, params: float | None = None, *, parent: int | None = None,
         iteration: int | None = None, status: str = "ok") -> Candidate:
    metrics = {}
    if acc is not None:
        metrics["val_accuracy"] = {"value": acc, "unit": "fraction"}
        metrics["train_accuracy"] = {"value": acc + 0.01, "unit": "fraction"}
    if params is not None:
        metrics["params"] = {"value": params, "unit": "count"}
    return Candidate(id=cid, iteration=cid if iteration is None else iteration,
                     status=Status(status), parent_id=parent, metrics=metrics)


# 1, 2, 3 trade accuracy for size (a front); 4 is dominated by 2; 5 failed
POOL = [cand(1, 0.90, 9_000), cand(2, 0.85, 5_000), cand(3, 0.75, 2_000),
        cand(4, 0.84, 6_000), cand(5, None, status="failed")]


def draws(policy: str, n: int = 200, **kw: object) -> Counter[int]:
    return Counter(select_parent(POOL, OBJS, policy=policy, rng=random.Random(i), **kw).id
                   for i in range(n))


RANKED = [c.id for c in rank(POOL, OBJS)]  # the search's one ranking (objectives.rank_key)
BEST = RANKED[0]


def test_front_is_the_non_dominated_ok_candidates_best_first() -> None:
    assert [c.id for c in front(POOL, OBJS)] == [i for i in RANKED if i in (1, 2, 3)]


def test_pareto_policy_draws_from_the_whole_front_most_often_the_best() -> None:
    got = draws("pareto")
    assert set(got) == {1, 2, 3}  # not only the single best; never the dominated or failed
    order = [i for i in RANKED if i in got]
    assert got[order[0]] > got[order[1]] > got[order[2]]


def test_tournament_policy_draws_beyond_the_best() -> None:
    got = draws("tournament", tournament_size=2)
    assert len(got) >= 3 and got.most_common(1)[0][0] == BEST
    assert 5 not in got  # a failed candidate is never a parent
    # a tournament as large as the pool is always won by the best
    assert set(draws("tournament", tournament_size=10)) == {BEST}


def test_best_policy_and_nothing_ok() -> None:
    assert set(draws("best", n=20)) == {BEST}
    assert select_parent([POOL[-1]], OBJS, policy="pareto", rng=random.Random(0)) is None


def test_exhausted_parent_is_set_aside_while_another_exists() -> None:
    assert BEST not in draws("best", n=20, exhausted=frozenset({BEST}))
    assert BEST not in draws("pareto", exhausted=frozenset({BEST}))
    alone = [POOL[0]]
    assert select_parent(alone, OBJS, policy="pareto", rng=random.Random(0),
                         exhausted=frozenset({1})).id == 1


def _children_of_1(outcomes: list[tuple[float | None, str]]) -> list[Candidate]:
    """Children of candidate 1 (0.90 / 9,000), one an iteration, ids from 10."""
    return [cand(10 + k, acc, 9_500 if acc is not None else None, parent=1, iteration=10 + k,
                 status=status) for k, (acc, status) in enumerate(outcomes)]


def test_parent_attempts_feed_the_stall_rule() -> None:
    parent = POOL[0]
    advice0 = advise(OBJS, parent.values)
    adv = {10 + k: advice0.to_json() for k in range(6)}
    kids = _children_of_1([(0.89, "ok"), (None, "failed"), (0.88, "ok")])
    # a repair in iteration 11 that beat the parent folds into that iteration's attempt
    history = parent_attempts(parent, [*POOL, *kids], adv, OBJS)
    assert [h["iteration"] for h in history] == [10, 11, 12]
    assert [h["beat_parent"] for h in history] == [False, False, False]
    assert history[0]["advice"] == [[i.action, i.magnitude] for i in advice0.instructions]
    stalled = advise(OBJS, parent.values, history=history, stall_after=3)
    assert any(d.startswith("stalled: the last 3 children") for d in stalled.diagnosis)
    assert stalled.signature() != advice0.signature()  # the advice changed
    repaired = [*kids, cand(20, 0.95, 9_000, parent=1, iteration=11)]
    history = parent_attempts(parent, [*POOL, *repaired], adv, OBJS)
    assert [h["beat_parent"] for h in history] == [False, True, False]
    assert not any(d.startswith("stalled")
                   for d in advise(OBJS, parent.values, history=history).diagnosis)
    # another parent's children do not count against this one
    other = [cand(30 + k, 0.5, 9_000, parent=2, iteration=30 + k) for k in range(3)]
    assert parent_attempts(parent, [*POOL, *other], adv, OBJS) == []


def test_exhausted_after_twice_stall_after_children_without_improvement() -> None:
    kids5 = _children_of_1([(0.89, "ok")] * 5)
    assert exhausted_parents([*POOL, *kids5], {}, OBJS, stall_after=3) == frozenset()
    kids6 = _children_of_1([(0.89, "ok")] * 6)
    assert exhausted_parents([*POOL, *kids6], {}, OBJS, stall_after=3) == frozenset({1})
