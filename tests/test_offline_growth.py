"""The offline proposer's growth rule and its record of measured edit effects (pure functions),
and how the proposer uses both."""

from __future__ import annotations

import pytest

from lemonade.candidate import Candidate, Status
from lemonade.config import Objective, ProposerConfig
from lemonade.expert import Advice, Instruction
from lemonade.objectives import cme
from lemonade.proposers import ProposalRequest, make_proposer
from lemonade.proposers import genome as G
from lemonade.proposers.edit_effects import (
    UNTRIED,
    EffectRecord,
    Measured,
    edit_kinds,
    effect,
    rank_options,
    record_effects,
)
from lemonade.proposers.growth import (
    GROW_FILL,
    GROW_ROOM,
    cap_usage,
    growth_options,
    growth_reason,
)
from lemonade.proposers.offline import budget_limits

CIFAR = {"name": "cifar10", "channels": 3, "image_size": [32, 32], "num_classes": 10}
SMALL = G.Genome(stem_channels=16, stages=(G.Stage(1, 16), G.Stage(1, 32, downsample=True),
                                            G.Stage(1, 64, downsample=True)))
CAP = 4 * G.estimate_stored(SMALL, CIFAR)  # SMALL uses 25% of it
OBJS = [Objective(metric="val_accuracy", threshold=0.7, priority=2),
        Objective(metric="params", threshold=CAP, priority=2)]
LIMITS = budget_limits(OBJS)
MISSED = {"val_accuracy": 0.45, "params": float(G.estimate_stored(SMALL, CIFAR))}


def blocks(g: G.Genome) -> int:
    return sum(s.blocks for s in g.stages)


# ---- growth rule ---------------------------------------------------------------------------------

def test_grows_when_accuracy_misses_and_params_have_room() -> None:
    why = growth_reason(OBJS, MISSED, SMALL, CIFAR, LIMITS)
    assert why is not None and "val_accuracy" in why and "25%" in why


@pytest.mark.parametrize(("metrics", "genome"), [
    ({"val_accuracy": 0.75, "params": 1.0}, SMALL),             # accuracy met
    ({"val_accuracy": 0.45, "params": CAP * 2.0}, SMALL),       # params missed (measured)
    (None, SMALL),                                               # nothing measured
    ({"val_accuracy": 0.45}, G.fit_budget(G.apply(SMALL, "add_kernels", 1.0), CIFAR,
                                          max_params=CAP)),      # at the cap: no room
])
def test_does_not_grow(metrics, genome) -> None:
    assert growth_reason(OBJS, metrics, genome, CIFAR, LIMITS) is None


def test_does_not_grow_when_another_objective_misses() -> None:
    objs = [*OBJS, Objective(metric="latency_ms", threshold=1.0, priority=1)]
    assert growth_reason(objs, {**MISSED, "latency_ms": 0.5}, SMALL, CIFAR, LIMITS) is not None
    assert growth_reason(objs, {**MISSED, "latency_ms": 3.0}, SMALL, CIFAR, LIMITS) is None


def test_room_is_a_fraction_of_the_cap() -> None:
    just_under = {"max_params": G.estimate_stored(SMALL, CIFAR) / (GROW_ROOM - 0.01)}
    just_over = {"max_params": G.estimate_stored(SMALL, CIFAR) / (GROW_ROOM + 0.01)}
    assert growth_reason(OBJS, MISSED, SMALL, CIFAR, just_under) is not None
    assert growth_reason(OBJS, MISSED, SMALL, CIFAR, just_over) is None
    assert cap_usage(SMALL, CIFAR, {}) is None  # no cap: always room


def test_growth_options_are_wider_and_deeper_within_the_cap() -> None:
    opts = dict(growth_options(SMALL, CIFAR, LIMITS))
    (wide_label, wide), (deep_label, deep) = growth_options(SMALL, CIFAR, LIMITS)
    assert wide_label.startswith("grow width") and deep_label.startswith("grow depth")
    assert len(opts) == 2
    assert G.edit_signature(SMALL, wide) == "channels+"
    assert G.edit_signature(SMALL, deep) == "blocks+"
    for g in (wide, deep):
        assert G.estimate_stored(SMALL, CIFAR) < G.estimate_stored(g, CIFAR) <= GROW_FILL * CAP


def test_width_growth_is_fitted_to_a_tight_cap() -> None:
    cap = 1.3 * G.estimate_stored(SMALL, CIFAR)  # x1.5 channels (~x2.2 params) does not fit
    (_, wide), *_ = growth_options(SMALL, CIFAR, {"max_params": cap})
    assert G.estimate_stored(SMALL, CIFAR) < G.estimate_stored(wide, CIFAR) <= GROW_FILL * cap


def test_no_growth_option_at_the_cap() -> None:
    at_cap = {"max_params": G.estimate_stored(SMALL, CIFAR) * 1.01}
    assert growth_options(SMALL, CIFAR, at_cap) == []


# ---- the record of measured effects ---------------------------------------------------------

def test_effect_is_the_cme_change_and_a_failure_is_negative() -> None:
    better = {"val_accuracy": 0.55, "params": MISSED["params"]}
    d = effect(OBJS, MISSED, "ok", better)
    assert d["cme"] == pytest.approx(cme(OBJS, better) - cme(OBJS, MISSED))
    assert d["cme"] > 0 and d["val_accuracy"] == pytest.approx(0.10) and d["params"] == 0
    # CME also counts the size: the same accuracy gain at 4x the params is not a gain here
    assert effect(OBJS, MISSED, "ok", {**better, "params": CAP})["cme"] < 0
    failed = effect(OBJS, MISSED, "timeout", {})
    assert failed["cme"] < 0 and set(failed) == {"cme"}


def test_record_scores_kinds_that_helped_above_untried_above_hurt() -> None:
    wide = G.apply(SMALL, "add_kernels", 0.5)
    deep = G.apply(SMALL, "add_conv_layers", 1 / 3)
    helped = {**MISSED, "val_accuracy": 0.55}
    hurt = {**MISSED, "val_accuracy": 0.40}
    rec = record_effects([Measured(SMALL, MISSED, wide, "ok", helped),
                          Measured(SMALL, MISSED, deep, "ok", hurt),
                          Measured(SMALL, MISSED, deep, "rejected", {})],  # not informative
                         OBJS)
    assert rec.count("channels+") == 1 and rec.count("blocks+") == 1
    assert rec.score(["channels+"]) > UNTRIED > rec.score(["blocks+"])
    assert rec.score(["dropout+"]) == UNTRIED and rec.score([]) == UNTRIED
    assert rec.hurt(["blocks+"]) and not rec.hurt(["blocks+", "dropout+"])
    assert "channels+ +" in rec.describe() and "blocks+ -" in rec.describe()
    drop = G.apply(SMALL, "add_dropout", 0.3)
    ranked = rank_options(SMALL, [("deep", deep), ("drop", drop), ("wide", wide)], rec)
    assert [label for label, _ in ranked] == ["wide", "drop", "deep"]


def test_rank_keeps_the_given_order_without_evidence() -> None:
    opts = [("a", G.apply(SMALL, "add_conv_layers", 0.3)), ("b", G.apply(SMALL, "add_kernels", .5))]
    assert rank_options(SMALL, opts, EffectRecord()) == opts
    assert edit_kinds(SMALL, SMALL) == ()


# ---- the proposer --------------------------------------------------------------------------

def observed(cid: int, g: G.Genome, status: str = "ok", metrics: dict | None = None,
             parent_id: int | None = None) -> Candidate:
    doc = {k: {"value": v, "unit": ""} for k, v in (metrics or {}).items()}
    return Candidate(id=cid, iteration=cid, status=Status(status), parent_id=parent_id,
                     genome=g.to_dict(), metrics=doc)


def advice(*pairs: tuple[str, float]) -> Advice:
    return Advice(diagnosis=["test"], instructions=[
        Instruction(action=a, magnitude=m, reason="test", objective=None, priority=1.0, gap=0.5)
        for a, m in pairs])


def req(adv: Advice, parent: G.Genome = SMALL, metrics: dict | None = None) -> ProposalRequest:
    return ProposalRequest(iteration=1, dataset=CIFAR, objectives=OBJS, advice=adv,
                           memory_text="", parent_code=G.render(parent),
                           parent_genome=parent.to_dict(), parent_metrics=metrics or MISSED)


def test_proposer_grows_then_prefers_the_growth_that_helped() -> None:
    prop = make_proposer(ProposerConfig(kind="offline", exploration=0.0), seed=0)
    adv = advice(("add_kernels", 0.3), ("add_skip_connections", 0.15))
    prop.observe(observed(1, SMALL, metrics=MISSED))
    first = G.Genome.from_dict(prop.propose(req(adv)).genome)
    assert G.edit_signature(SMALL, first) == "channels+"  # wider first while nothing is measured
    assert G.estimate_stored(first, CIFAR) > 1.5 * G.estimate_stored(SMALL, CIFAR)
    # the wider child scored lower than its parent: the next growth of that parent is deeper
    prop.observe(observed(2, first, metrics={**MISSED, "val_accuracy": 0.40}, parent_id=1))
    second = prop.propose(req(adv))
    assert G.edit_signature(SMALL, G.Genome.from_dict(second.genome)) == "blocks+"
    assert "grow depth" in second.raw_response and "channels+ -" in second.raw_response


def test_proposer_prefers_width_again_where_it_helped() -> None:
    prop = make_proposer(ProposerConfig(kind="offline", exploration=0.0), seed=0)
    adv = advice(("add_kernels", 0.3))
    prop.observe(observed(1, SMALL, metrics=MISSED))
    deep = G.apply(SMALL, "add_conv_layers", 1 / 3)
    wide = G.apply(SMALL, "add_kernels", 0.25)
    prop.observe(observed(2, deep, metrics={**MISSED, "val_accuracy": 0.40}, parent_id=1))
    prop.observe(observed(3, wide, metrics={**MISSED, "val_accuracy": 0.50}, parent_id=1))
    # a new parent (the wider child): width helped in this run, so it grows wider again
    p = prop.propose(req(adv, parent=wide, metrics={**MISSED, "val_accuracy": 0.50}))
    assert G.edit_signature(wide, G.Genome.from_dict(p.genome)) == "channels+"
    assert "grow width" in p.raw_response


def test_proposer_defers_to_advice_that_asks_for_a_smaller_model() -> None:
    prop = make_proposer(ProposerConfig(kind="offline", exploration=0.0), seed=0)
    p = prop.propose(req(advice(("reduce_kernels", 0.3))))
    assert G.edit_signature(SMALL, G.Genome.from_dict(p.genome)) == "channels-"
    assert "grow" not in p.raw_response


def test_proposer_drops_an_advised_instruction_that_hurt() -> None:
    prop = make_proposer(ProposerConfig(kind="offline", exploration=0.0), seed=0)
    big = G.fit_budget(G.apply(SMALL, "add_kernels", 1.0), CIFAR, max_params=CAP)  # no room
    big_m = {**MISSED, "params": float(G.estimate_stored(big, CIFAR))}
    prop.observe(observed(1, big, metrics=big_m))
    dropped = G.apply(big, "add_dropout", 0.3)
    prop.observe(observed(2, dropped, metrics={**big_m, "val_accuracy": 0.30}, parent_id=1))
    p = prop.propose(req(advice(("add_dropout", 0.3), ("add_skip_connections", 0.5)), big, big_m))
    assert "drop add_dropout" in p.raw_response
    sig = G.edit_signature(big, G.Genome.from_dict(p.genome))
    assert "skips+" in sig and "dropout" not in sig  # (channels fitted back under the cap)


def test_proposer_stops_growing_where_growth_lowered_cme() -> None:
    prop = make_proposer(ProposerConfig(kind="offline", exploration=0.0), seed=0)
    prop.observe(observed(1, SMALL, metrics=MISSED))
    worse = {**MISSED, "val_accuracy": 0.40}
    for cid, (_, g) in enumerate(growth_options(SMALL, CIFAR, LIMITS), start=2):
        prop.observe(observed(cid, g, metrics=worse, parent_id=1))
    # another parent (not banned there): wider and deeper both lowered CME in this run
    other = G.apply(SMALL, "add_dropout", 0.2)
    adv = advice(("add_conv_layers", 0.3))  # alone, so the advice stands
    p = prop.propose(req(adv, parent=other))
    assert "every growth left lowered CME in this run" in p.raw_response
    assert "grow width" not in p.raw_response and "grow depth" not in p.raw_response
    # the control: with nothing measured the same request grows
    fresh = make_proposer(ProposerConfig(kind="offline", exploration=0.0), seed=0)
    assert "grow width" in fresh.propose(req(adv, parent=other)).raw_response
