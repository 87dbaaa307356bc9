"""The expert system: each built-in rule, magnitudes, conflicts, merging, user rules, failures."""

from __future__ import annotations

import json

import pytest

from lemonade.config import Objective, RuleConfig
from lemonade.expert import (
    ACTIONS,
    MAX_INSTRUCTIONS,
    OPPOSITE,
    Advice,
    Instruction,
    advise,
    evaluate_condition,
    merge_duplicates,
    resolve_conflicts,
    vary,
)
from lemonade.rule_grammar import validate_rules
from lemonade.rules import BUILTIN_RULES, classify_failure


def obj(metric: str, threshold: float, priority: float = 1.0, goal: str | None = None):
    return Objective(metric=metric, threshold=threshold, priority=priority, goal=goal)


def acts(advice: Advice) -> list[str]:
    return [i.action for i in advice.instructions]


def mag(advice: Advice, action: str) -> float:
    return next(i.magnitude for i in advice.instructions if i.action == action)


def test_vocabulary():
    assert len(ACTIONS) == 15 and len(set(ACTIONS)) == 15
    assert "add_weight_initializer" not in OPPOSITE
    assert len(OPPOSITE) == 14
    for a, b in OPPOSITE.items():
        assert OPPOSITE[b] == a and a != b
        assert {a.split("_", 1)[0], b.split("_", 1)[0]} == {"add", "reduce"}
    for rule in BUILTIN_RULES:
        assert all(e.action in ACTIONS for e in rule.emits), rule.name


ACC3 = obj("val_accuracy", 0.8, 3)

# (case, objectives, metrics, expected actions in order, {action: magnitude})
# Accuracy magnitudes are judged on the error rate: val 0.7 vs 0.8 is 0.3/0.2 = 1.5x the allowed
# error -> 1 - 1/1.5 = 1/3. Cost magnitudes: 1 - threshold/value, clipped to [0.1, 0.6].
RULE_CASES = [
    ("underfitting", [ACC3], {"val_accuracy": 0.7, "train_accuracy": 0.72},
     ["add_conv_layers", "add_kernels", "add_skip_connections", "reduce_dropout",
      "reduce_regularization"],
     {"add_kernels": 1 / 3, "add_skip_connections": 1 / 6}),
    ("overfitting", [ACC3], {"val_accuracy": 0.7, "train_accuracy": 0.9},
     ["add_dropout", "add_regularization", "reduce_neurons"],
     {"add_dropout": 0.4, "reduce_neurons": 0.2}),
    ("accuracy low, no train accuracy", [ACC3], {"val_accuracy": 0.7},
     ["add_kernels", "add_skip_connections"], {"add_kernels": 1 / 3}),
    ("accuracy low, spread in between", [ACC3], {"val_accuracy": 0.7, "train_accuracy": 0.76},
     ["add_kernels", "add_skip_connections"], {"add_kernels": 1 / 3}),
    ("accuracy far under: clipped", [ACC3], {"val_accuracy": 0.2},
     ["add_kernels", "add_skip_connections"], {"add_kernels": 0.6, "add_skip_connections": 0.3}),
    ("params over", [obj("params", 500_000)], {"params": 850_000},
     ["reduce_kernels", "reduce_neurons", "reduce_dense_layers"],
     {"reduce_kernels": 1 - 500 / 850, "reduce_dense_layers": (1 - 500 / 850) / 2}),
    ("size over 3x: clipped", [obj("model_size_bytes", 1e6)], {"model_size_bytes": 3e6},
     ["reduce_kernels", "reduce_neurons", "reduce_dense_layers"], {"reduce_kernels": 0.6}),
    ("params barely over: floor", [obj("params", 1000)], {"params": 1050},
     ["reduce_kernels", "reduce_neurons", "reduce_dense_layers"],
     {"reduce_kernels": 0.1, "reduce_dense_layers": 0.1}),
    ("flops over", [obj("flops", 1e6)], {"flops": 1.2e6},
     ["reduce_conv_layers", "reduce_kernels"],
     {"reduce_conv_layers": 1 - 1 / 1.2, "reduce_kernels": 0.75 * (1 - 1 / 1.2)}),
    ("latency over", [obj("latency_ms", 4.0)], {"latency_ms": 8.0},
     ["reduce_conv_layers", "reduce_kernels"], {"reduce_conv_layers": 0.5}),
    ("fps under", [obj("fps", 100.0)], {"fps": 50.0},
     ["reduce_conv_layers", "reduce_kernels"], {"reduce_conv_layers": 0.5}),
    ("train seconds over", [obj("train_seconds", 60.0)], {"train_seconds": 80.0},
     ["reduce_conv_layers", "reduce_kernels"], {"reduce_conv_layers": 0.25}),
    ("energy over", [obj("train_energy_kwh", 1e-4)], {"train_energy_kwh": 2e-4},
     ["reduce_conv_layers", "reduce_kernels"], {"reduce_conv_layers": 0.5}),
    ("power over", [obj("avg_power_w", 100.0)], {"avg_power_w": 150.0},
     ["reduce_conv_layers", "reduce_kernels"], {"reduce_conv_layers": 1 / 3}),
    ("co2 over", [obj("co2_kg", 1e-3)], {"co2_kg": 4e-3},
     ["reduce_conv_layers", "reduce_kernels"], {"reduce_conv_layers": 0.6}),
    ("peak memory over", [obj("peak_memory_bytes", 1e8)], {"peak_memory_bytes": 1.25e8},
     ["reduce_conv_layers", "reduce_kernels"], {"reduce_conv_layers": 0.2}),
    ("all met, accuracy top priority", [ACC3, obj("params", 1e6, 1)],
     {"val_accuracy": 0.85, "params": 5e5}, ["add_kernels"], {"add_kernels": 0.15}),
    ("all met, params top priority", [obj("val_accuracy", 0.8, 1), obj("params", 1e6, 3)],
     {"val_accuracy": 0.85, "params": 9e5}, ["reduce_kernels"], {"reduce_kernels": 0.15}),
    ("all met, latency top priority", [obj("val_accuracy", 0.8, 1), obj("latency_ms", 5, 2)],
     {"val_accuracy": 0.85, "latency_ms": 4}, ["reduce_conv_layers"], {}),
    ("all met, training time top priority", [obj("train_seconds", 60, 2)],
     {"train_seconds": 30.5}, ["reduce_conv_layers"], {}),
    # accuracy saturated (r = log2(0.9/0.4) > 1): push the next objective instead
    ("all met, top saturated", [obj("val_accuracy", 0.4, 3), obj("params", 1e6, 1)],
     {"val_accuracy": 0.9, "params": 9e5}, ["reduce_kernels"], {}),
    ("metric without objective ignored", [ACC3], {"val_accuracy": 0.85, "params": 1e9},
     ["add_kernels"], {}),
]


@pytest.mark.parametrize(("case", "objs", "metrics", "expected", "mags"), RULE_CASES,
                         ids=[c[0] for c in RULE_CASES])
def test_builtin_rule(case, objs, metrics, expected, mags):
    advice = advise(objs, metrics)
    assert acts(advice) == expected
    for action, m in mags.items():
        assert mag(advice, action) == pytest.approx(m, abs=1e-9)
    assert advice.conflicts == []
    assert advice.diagnosis and advice.diagnosis[0].startswith("objectives:")


def test_unmeasured_objective_fires_no_threshold_rule():
    # latency missing: it is not met (CME), but there is no gap to act on, and no push either
    advice = advise([obj("latency_ms", 4.0), obj("params", 1e6)], {"params": 5e5})
    assert acts(advice) == []
    assert "unmeasured" in advice.diagnosis[0]


@pytest.mark.parametrize("metrics", [{"params": 100.0}, {"params": 5000.0}])
def test_unnatural_goal_gets_no_builtin_advice(metrics):
    # "maximise params" is allowed by the config, but reduce/add kernels would be guesswork
    advice = advise([obj("params", 1000.0, goal="max")], metrics)
    assert acts(advice) == []


def test_no_metrics_gives_baseline():
    advice = advise([ACC3, obj("params", 5e5, 2)], None)
    assert acts(advice) == ["add_weight_initializer"]
    assert "no candidate measured yet" in advice.diagnosis[0]
    assert "params <= 500,000" in advice.diagnosis[0]
    assert advise([ACC3], {}).instructions == advice.instructions


FAILURE_CASES = [
    ("CUDA out of memory. Tried to allocate 2.00 GiB", "oom",
     ["reduce_kernels", "reduce_conv_layers"]),
    ("MemoryError at build", "oom", ["reduce_kernels", "reduce_conv_layers"]),
    ("worker timed out after 900 s", "timeout", ["reduce_conv_layers", "reduce_kernels"]),
    ("stopped: time_budget", "timeout", ["reduce_conv_layers", "reduce_kernels"]),
    ("training diverged: loss is nan at epoch 2", "diverged",
     ["add_weight_initializer", "add_regularization", "reduce_conv_layers"]),
    ("RuntimeError: mat1 and mat2 shapes cannot be multiplied (8x512 and 2048x10)", "shape",
     ["reduce_dense_layers"]),
    ("SyntaxError: invalid syntax", "other", ["reduce_conv_layers"]),
    ("no room left in the dynamic graph", "other", ["reduce_conv_layers"]),  # not oom, not nan
]


@pytest.mark.parametrize(("text", "kind", "expected"), FAILURE_CASES)
def test_failure(text, kind, expected):
    assert classify_failure(text) == kind
    advice = advise([ACC3, obj("params", 5e5, 2)], None, failure=text)
    assert acts(advice) == expected
    assert text[:20] in advice.diagnosis[0]
    assert all(i.priority == 3 for i in advice.instructions)  # a failure carries the top priority


def test_no_failure_classifies_none():
    assert classify_failure(None) is None and classify_failure("") is None


def test_shape_failure_says_how():
    advice = advise([ACC3], None, failure="size mismatch for fc.weight")
    assert "AdaptiveAvgPool2d" in advice.instructions[0].reason


# --- conflicts ---------------------------------------------------------------------------------
def test_conflict_priority_wins_reduce():
    objs = [obj("val_accuracy", 0.8, 2), obj("params", 500_000, 3)]
    advice = advise(objs, {"val_accuracy": 0.76, "train_accuracy": 0.77, "params": 850_000})
    assert "reduce_kernels" in acts(advice) and "add_kernels" not in acts(advice)
    [c] = advice.conflicts
    assert (c.kept.action, c.dropped.action) == ("reduce_kernels", "add_kernels")
    assert c.why == ("kept reduce_kernels (params, priority 3, 1.7x over threshold) over "
                     "add_kernels (val_accuracy, priority 2, 0.040 under threshold): "
                     "higher priority")
    assert acts(advice)[0] == "reduce_kernels"  # priority 3 first
    assert len(advice.instructions) == MAX_INSTRUCTIONS  # 7 candidates, capped


def test_conflict_priority_wins_add():
    objs = [obj("val_accuracy", 0.8, 3), obj("params", 500_000, 2)]
    advice = advise(objs, {"val_accuracy": 0.76, "train_accuracy": 0.77, "params": 850_000})
    assert "add_kernels" in acts(advice) and "reduce_kernels" not in acts(advice)
    [c] = advice.conflicts
    assert (c.kept.action, c.dropped.action) == ("add_kernels", "reduce_kernels")
    assert c.why.endswith("higher priority")


@pytest.mark.parametrize(("val", "params", "kept"), [
    (0.5, 600_000, "add_kernels"),      # |log2(0.625)| = 0.68 > |log2(5/6)| = 0.26
    (0.78, 850_000, "reduce_kernels"),  # |log2(0.975)| = 0.04 < |log2(5/8.5)| = 0.77
])
def test_conflict_equal_priority_larger_gap_wins(val, params, kept):
    objs = [obj("val_accuracy", 0.8, 2), obj("params", 500_000, 2)]
    advice = advise(objs, {"val_accuracy": val, "params": params})
    [c] = advice.conflicts
    assert c.kept.action == kept
    assert c.dropped.action == OPPOSITE[kept]
    assert c.why.endswith("equal priority, larger gap")
    assert OPPOSITE[kept] not in acts(advice)


def _ins(action, priority=1.0, gap=0.5, magnitude=0.3, reason="r", objective=None):
    return Instruction(action=action, magnitude=magnitude, reason=reason, objective=objective,
                       priority=priority, gap=gap)


def test_full_tie_keeps_reducing_action():
    kept, conflicts = resolve_conflicts([_ins("add_conv_layers"), _ins("reduce_conv_layers")],
                                        {}, {})
    assert [i.action for i in kept] == ["reduce_conv_layers"]
    assert conflicts[0].dropped.action == "add_conv_layers"


def test_merge_duplicates_keeps_max_and_joins_reasons():
    merged = merge_duplicates([
        _ins("reduce_kernels", priority=2, gap=0.3, magnitude=0.2, reason="params big",
             objective="params"),
        _ins("add_dropout"),
        _ins("reduce_kernels", priority=1, gap=0.9, magnitude=0.5, reason="flops big",
             objective="flops"),
    ])
    assert [i.action for i in merged] == ["reduce_kernels", "add_dropout"]
    rk = merged[0]
    assert rk.magnitude == 0.5
    assert rk.reason == "params big; flops big"
    assert (rk.objective, rk.priority, rk.gap) == ("params", 2, 0.3)  # the stronger objective


def test_advise_merges_across_rules():
    objs = [obj("params", 500_000, 2), obj("flops", 1e6, 1)]
    advice = advise(objs, {"params": 850_000, "flops": 3e6})
    assert acts(advice).count("reduce_kernels") == 1
    rk = next(i for i in advice.instructions if i.action == "reduce_kernels")
    assert "params 850,000" in rk.reason and "flops 3,000,000" in rk.reason
    # params: 1 - 500/850 = 0.41; flops 3x: 0.6 (clipped) * 0.75 = 0.45 -> the max
    assert rk.magnitude == pytest.approx(max(1 - 500 / 850, 0.75 * 0.6))
    assert rk.objective == "params"  # priority 2 leads the merged instruction


def test_order_priority_then_gap():
    objs = [obj("val_accuracy", 0.8, 1), obj("params", 500_000, 3), obj("latency_ms", 4.0, 2)]
    advice = advise(objs, {"val_accuracy": 0.5, "params": 600_000, "latency_ms": 16.0})
    prios = [i.priority for i in advice.instructions]
    assert prios == sorted(prios, reverse=True)
    assert acts(advice)[0] == "reduce_kernels"
    assert len(advice.instructions) <= MAX_INSTRUCTIONS


def _child(beat: bool, advice: Advice | None = None, status: str = "ok") -> dict:
    pairs = [[i.action, i.magnitude] for i in (advice.instructions if advice else [])]
    return {"status": status, "beat_parent": beat, "advice": pairs}


PARENT = {"val_accuracy": 0.74, "train_accuracy": 0.75}  # underfitting against 0.8


def test_stall_fires_after_k_children_that_did_not_beat_the_parent():
    objs = [ACC3]
    base = advise(objs, PARENT)
    assert not any(d.startswith("stalled") for d in base.diagnosis)
    two = [_child(False, base), _child(False, base, "failed")]
    assert not any(d.startswith("stalled") for d in advise(objs, PARENT, history=two).diagnosis)
    three = [*two, _child(False, base)]
    stalled = advise(objs, PARENT, history=three)
    assert any(d.startswith("stalled: the last 3 children") for d in stalled.diagnosis)
    # the advice changed: no action tried in those attempts is asked for again at the same size
    tried = set(base.actions)
    for i in stalled.instructions:
        if i.action in tried:
            assert i.magnitude > mag(base, i.action)
    assert stalled.signature() != base.signature()
    # a child that beat the parent resets the count
    reset = advise(objs, PARENT, history=[*three, _child(True, base)])
    assert not any(d.startswith("stalled") for d in reset.diagnosis)


def test_stall_after_is_configurable():
    objs = [ACC3]
    base = advise(objs, PARENT)
    one = [_child(False, base)]
    assert any(d.startswith("stalled") for d in
               advise(objs, PARENT, history=one, stall_after=1).diagnosis)
    assert not any(d.startswith("stalled") for d in
                   advise(objs, PARENT, history=one, stall_after=2).diagnosis)


def test_same_advice_for_a_parent_never_three_times_in_a_row():
    # children that beat the parent (no stall) but the rules would give the same advice again
    objs = [obj("params", 500_000, 3)]
    metrics = {"params": 850_000}
    history: list[dict] = []
    sigs = []
    for _ in range(8):
        a = advise(objs, metrics, history=history, stall_after=100)
        sigs.append(a.signature())
        history.append(_child(True, a))
    for k in range(2, len(sigs)):
        assert not (sigs[k] == sigs[k - 1] == sigs[k - 2]), sigs


def test_vary_picks_an_untried_alternative_without_contradiction():
    ins = [_ins("reduce_kernels", magnitude=0.3), _ins("reduce_neurons", magnitude=0.3)]
    out = vary(ins, {"reduce_kernels"}, "test")
    assert [i.action for i in out] == ["reduce_conv_layers", "reduce_neurons"]
    # nothing untried left: a larger step of the same action
    grown = vary([_ins("add_dense_layers", magnitude=0.3)],
                 {"add_dense_layers", "add_neurons", "add_conv_layers"}, "test")
    assert grown[0].action == "add_dense_layers" and grown[0].magnitude > 0.3


def test_findings_leave_out_the_status_line():
    a = advise([ACC3], PARENT)
    assert a.diagnosis[0].startswith("objectives:")
    assert a.findings and not any(d.startswith("objectives:") for d in a.findings)
    assert any(d.startswith("underfitting") for d in a.findings)


def test_test_metrics_never_reach_the_advice():
    a = advise([ACC3], {**PARENT, "test_accuracy": 0.123456})
    assert "test_accuracy" not in json.dumps(a.to_json()) and "0.123" not in a.prompt_text()


# --- prompt text and JSON ----------------------------------------------------------------------
def test_prompt_text_line():
    advice = advise([obj("params", 500_000, 3)], {"params": 850_000})
    text = advice.prompt_text()
    assert ("1. Reduce kernels (channels) by about 40%: params 850,000 is 1.7x the 500,000 "
            "threshold (priority 3)") in text.splitlines()
    assert text.startswith("Diagnosis:")


@pytest.mark.parametrize(("m", "pct"), [(0.41, "40%"), (0.43, "45%"), (0.1, "10%"), (0.6, "60%")])
def test_instruction_text_rounds_to_5(m, pct):
    assert f"by about {pct}:" in _ins("reduce_kernels", magnitude=m).text()


def test_json_round_trip_with_conflicts():
    objs = [obj("val_accuracy", 0.8, 2), obj("params", 500_000, 3)]
    advice = advise(objs, {"val_accuracy": 0.76, "train_accuracy": 0.77, "params": 850_000})
    back = Advice.from_json(json.loads(json.dumps(advice.to_json())))
    assert back == advice
    assert back.prompt_text() == advice.prompt_text()


# --- user rules --------------------------------------------------------------------------------
LAT = obj("latency_ms", 4.0, 2)
SLOW = RuleConfig(name="very_slow", when="latency_ms > 2 * threshold(latency_ms)",
                  then=["reduce_conv_layers", "add_skip_connections"], magnitude=0.5,
                  objective="latency_ms")


@pytest.mark.parametrize(("latency", "fires"), [(10.0, True), (8.0, False), (6.0, False)])
def test_user_rule_fires(latency, fires):
    validate_rules([SLOW])
    advice = advise([LAT], {"latency_ms": latency}, extra_rules=[SLOW])
    assert ("add_skip_connections" in acts(advice)) is fires
    assert any("rule very_slow" in d for d in advice.diagnosis) is fires
    if fires:
        sk = next(i for i in advice.instructions if i.action == "add_skip_connections")
        assert sk.magnitude == 0.5 and sk.priority == 2 and sk.objective == "latency_ms"
        # reduce_conv_layers also comes from the built-in rule (2.5x over -> 0.6): merged
        rc = next(i for i in advice.instructions if i.action == "reduce_conv_layers")
        assert rc.magnitude == 0.6 and "user rule 'very_slow'" in rc.reason


def test_user_rule_without_objective_takes_lowest_priority():
    rule = RuleConfig(name="big", when="params > 100", then=["add_kernels"])
    objs = [obj("params", 50, 3), obj("val_accuracy", 0.5, 2)]
    advice = advise(objs, {"params": 200, "val_accuracy": 0.9}, extra_rules=[rule])
    # add_kernels (priority 2, the lowest) loses to reduce_kernels from params (priority 3)
    assert "add_kernels" not in acts(advice)
    assert advice.conflicts[0].dropped.action == "add_kernels"
    assert advice.conflicts[0].dropped.priority == 2


M = {"val_accuracy": 0.6, "params": 1000.0, "latency_ms": 5.0}
OBJS = [obj("params", 500.0), obj("latency_ms", 4.0)]


@pytest.mark.parametrize(("expr", "expected"), [
    ("params > 999", True),
    ("params > threshold(params)", True),
    ("params >= 2 * threshold(params)", True),
    ("params > 2 * threshold(params) + 1", False),
    ("0.5 < val_accuracy < 0.7", True),
    ("0.5 < val_accuracy < 0.55", False),
    ("val_accuracy < 0.7 and latency_ms / threshold(latency_ms) > 1.2", True),
    ("not latency_ms < 4", True),
    ("-params < -999", True),
    ("params - 1000 == 0", True),
    ("params != 1000 or True", True),
    ("(params + latency_ms) * 2 > 2010", False),
    # unmeasured metrics make a comparison unknown; only a definite True fires
    ("fps > 10", False),
    ("not (fps > 10)", False),
    ("fps > 10 or params > 10", True),
    ("fps > 10 and params > 10", False),
    ("threshold(flops) > 0", False),   # no objective on flops
    ("params / 0 > 1", False),          # division by zero: unknown
])
def test_condition_language(expr, expected):
    assert evaluate_condition(expr, M, OBJS) is expected


@pytest.mark.parametrize(("when", "problem"), [
    ("params >", "not a valid expression"),
    ("__import__('os').system('true') == 0", "function calls are not allowed"),
    ("abs(params) > 1", "function calls are not allowed"),
    ("params.real > 1", "Attribute is not allowed"),
    ("params ** 2 > 1", "operator Pow is not allowed"),
    ("params % 2 == 0", "operator Mod is not allowed"),
    ("foo > 1", "unknown name 'foo'"),
    ("params", "must be a condition"),
    ("'a' == 'a'", "is not a number"),
    ("threshold(params, latency_ms) > 1", "threshold() takes exactly one metric"),
    ("threshold(nope) > 1", "unknown metric 'nope'"),
    ("[1][0] > 0", "is not allowed"),
    ("params > 1 if True else False", "IfExp is not allowed"),
    ("(x := 1) > 0", "NamedExpr is not allowed"),
    ("params in [1, 2]", "comparison In is not allowed"),
    ("params and latency_ms", "must be a condition"),
    ("params > 1 + (latency_ms > 2)", "arithmetic needs numbers"),
])
def test_invalid_rule_expression(when, problem):
    rule = RuleConfig(name="bad_rule", when=when, then=["add_kernels"])
    with pytest.raises(ValueError) as err:
        validate_rules([rule])
    assert "'bad_rule'" in str(err.value)
    assert problem in str(err.value)
    with pytest.raises(ValueError):
        advise(OBJS, M, extra_rules=[rule])


def test_unknown_action():
    rule = RuleConfig(name="magic", when="params > 1", then=["reduce_kernels", "add_magic"])
    with pytest.raises(ValueError, match=r"rule 'magic': unknown instruction 'add_magic'"):
        validate_rules([rule])


def test_unknown_objective_and_duplicate_name():
    with pytest.raises(ValueError, match="unknown objective metric 'speed'"):
        validate_rules([RuleConfig(name="r", when="params > 1", then=["add_kernels"],
                                   objective="speed")])
    with pytest.raises(ValueError, match="rule 'r': defined twice"):
        validate_rules([SLOW.model_copy(update={"name": "r"}),
                        RuleConfig(name="r", when="params > 1", then=["add_kernels"])])


def test_empty_then():
    with pytest.raises(ValueError, match="lists no instruction"):
        validate_rules([RuleConfig(name="e", when="params > 1", then=[])])


@pytest.mark.parametrize(
    ("metrics", "expect"),
    [
        # scores r = 1 - 1/q: accuracy 0.979 vs 0.95 (error 2.4x lower, r 0.58) has 0.42 x 3 left,
        # params at 2.7x under 0.375 x 2, latency at 0.9 vs 1.0 (r 0.1) 0.9 x 2: push latency
        ({"val_accuracy": 0.979, "params": 7_500, "latency_ms": 0.9}, "latency_ms"),
        # latency at 10x under (r 0.9): params at 1.33x (r 0.25) has 0.75 x 2 left, the most
        ({"val_accuracy": 0.979, "params": 15_000, "latency_ms": 0.1}, "params"),
        # everything saturated but accuracy far from its ceiling at a low threshold
        ({"val_accuracy": 0.55, "params": 1_000, "latency_ms": 0.1}, "val_accuracy"),
        # an objective missed: no push
        ({"val_accuracy": 0.90, "params": 1_000, "latency_ms": 0.1}, None),
    ],
)
def test_push_target_goes_where_cme_can_still_grow(metrics: dict, expect: str | None) -> None:
    from lemonade.rules import Context, push_target

    thr = 0.95 if metrics["val_accuracy"] > 0.6 else 0.5
    objs = [Objective(metric="val_accuracy", threshold=thr, priority=3),
            Objective(metric="params", threshold=20_000, priority=2),
            Objective(metric="latency_ms", threshold=1.0, priority=2)]
    ctx = Context(objectives={o.metric: o for o in objs}, metrics=metrics)
    assert push_target(ctx) == expect
