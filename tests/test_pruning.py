"""Early stopping on the whole front: the pure rule, and the clock that applies it."""

from __future__ import annotations

from lemonade.budget import CandidateClock, with_front
from lemonade.candidate import Candidate, Status
from lemonade.config import Objective
from lemonade.pruning import FrontMember, front_for, front_members, prune_verdict

OBJS = [Objective(metric="val_accuracy", threshold=0.7),
        Objective(metric="params", threshold=300_000)]
GOALS = {"params": "min"}
F = FrontMember(1, (("params", 100_000.0),), (0.30, 0.45, 0.55, 0.62, 0.66))


def test_behind_and_no_cheaper_is_pruned_at_the_min_epoch() -> None:
    why = prune_verdict([F], GOALS, {"params": 200_000}, [0.20, 0.30, 0.40],
                        margin=0.1, min_epoch=3)
    assert why is not None and "front candidate 1" in why and "epoch 3" in why
    # before the min epoch: never
    assert prune_verdict([F], GOALS, {"params": 200_000}, [0.1, 0.2], margin=0.1,
                         min_epoch=3) is None


def test_within_the_margin_or_cheaper_or_unknown_cost_is_not_pruned() -> None:
    assert prune_verdict([F], GOALS, {"params": 200_000}, [0.2, 0.3, 0.46], margin=0.1,
                         min_epoch=3) is None
    # cheaper than every front member: it may become a new front point
    assert prune_verdict([F], GOALS, {"params": 50_000}, [0.2, 0.3, 0.3], margin=0.1,
                         min_epoch=3) is None
    # its params not known: the cost side is not settled
    assert prune_verdict([F], GOALS, {}, [0.2, 0.3, 0.3], margin=0.1, min_epoch=3) is None
    # a member with a shorter curve says nothing about epoch 6
    assert prune_verdict([F], GOALS, {"params": 200_000}, [0.1] * 6, margin=0.1,
                         min_epoch=3) is None


def test_front_members_are_the_pareto_front_with_curves() -> None:
    hist = [{"train_accuracy": a} for a in (0.3, 0.5)]
    rows = [(1, {"val_accuracy": 0.6, "params": 100_000.0}, hist),
            (2, {"val_accuracy": 0.5, "params": 200_000.0}, hist),  # dominated by 1
            (3, {"val_accuracy": 0.7, "params": 250_000.0}, hist)]
    front = front_members(rows, OBJS)
    assert [m.id for m in front] == [1, 3]
    assert front[0].costs == (("params", 100_000.0),) and front[0].curve == (0.3, 0.5)


def test_front_for_skips_partial_pruned_and_other_fidelities() -> None:
    hist = [{"train_accuracy": 0.5}, {"train_accuracy": 0.6}]
    stop = {"reason": "r", "epochs_run": 1, "epochs": 10}

    def cand(i: int, status: Status = Status.OK, **extra: object) -> Candidate:
        metrics = {"val_accuracy": {"value": 0.5 + i / 100}, "params": {"value": 1000.0 * i}}
        return Candidate(id=i, iteration=i, status=status, extra=dict(extra), history=hist,
                         metrics=metrics)
    got = front_for([cand(1), cand(2, partial=stop), cand(3, fidelity=10),
                     cand(4, fidelity=4), cand(5, pruned={**stop, "pruned": True}),
                     cand(6, Status.FAILED)], OBJS, epochs=10)
    # no fidelity recorded: the run's epochs; a proxy row (4 epochs) is not on the 10-epoch front
    assert {m.id for m in got} == {1, 3}
    clock = with_front(CandidateClock(cap_s=100, epochs=10, n_train=10), got, OBJS, 0.1, 2)
    assert clock.cost_goals == (("params", "min"),)
    assert clock.prune({"params": 5000.0}, [0.1, 0.2]) is not None
    assert clock.prune({"params": 5000.0}, [0.1]) is None
