"""The grammar of user rules (`rules:` in the config): the instruction vocabulary (`ACTIONS`) and
the small, safe expression language of `when`, parsed, checked and evaluated here.

A leaf module (it imports only `lemonade.metrics`): the config validates its rules with it at
load time, and `lemonade.expert` compiles them into `Rule`s with it.

Grammar of `when`: metric names, numbers, True/False, threshold(metric), + - * /, unary -,
comparisons (chained allowed), and/or/not. Nothing else parses: no attributes, no subscripts, no
other calls, no ** (10**10**10 would hang the loop). Metrics that were not measured make a
comparison *unknown*, and a rule fires only when its condition is definitely true (Kleene
three-valued logic), so `not (latency_ms > 5)` does not fire for an unmeasured latency.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from lemonade.metrics import METRICS

# --- vocabulary --------------------------------------------------------------------------------
ACTIONS: tuple[str, ...] = (
    "add_conv_layers", "reduce_conv_layers",
    "add_skip_connections", "reduce_skip_connections",
    "add_dense_layers", "reduce_dense_layers",
    "add_dropout", "reduce_dropout",
    "add_kernels", "reduce_kernels",
    "add_regularization", "reduce_regularization",
    "add_neurons", "reduce_neurons",
    "add_weight_initializer",  # no opposite: initialising well never hurts another objective
)


class RuleSpec(Protocol):
    """A user rule as the config holds it (`lemonade.config.RuleConfig`)."""

    name: str
    when: str
    then: list[str]
    objective: str | None


MAX_EXPR_CHARS = 500
_BIN = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
        ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b}
_CMP = {ast.Lt: lambda a, b: a < b, ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b,
        ast.GtE: lambda a, b: a >= b, ast.Eq: lambda a, b: a == b,
        ast.NotEq: lambda a, b: a != b}


class _Invalid(ValueError):
    """A `when` expression outside the grammar."""


def _kind(node: ast.AST) -> str:
    """Statically check a node and return its type, 'bool' or 'num'; raise _Invalid
    otherwise."""
    if isinstance(node, ast.BoolOp):
        for v in node.values:
            if _kind(v) != "bool":
                raise _Invalid(f"operand of {type(node.op).__name__.lower()} must be a condition")
        return "bool"
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.Not):
            if _kind(node.operand) != "bool":
                raise _Invalid("operand of not must be a condition")
            return "bool"
        if isinstance(node.op, ast.USub | ast.UAdd):
            if _kind(node.operand) != "num":
                raise _Invalid("unary minus needs a number")
            return "num"
        raise _Invalid(f"operator {type(node.op).__name__} is not allowed")
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BIN:
            raise _Invalid(f"operator {type(node.op).__name__} is not allowed (only + - * /)")
        if _kind(node.left) != "num" or _kind(node.right) != "num":
            raise _Invalid("arithmetic needs numbers on both sides")
        return "num"
    if isinstance(node, ast.Compare):
        for op in node.ops:
            if type(op) not in _CMP:
                raise _Invalid(f"comparison {type(op).__name__} is not allowed")
        for v in [node.left, *node.comparators]:
            if _kind(v) != "num":
                raise _Invalid("comparisons need numbers on both sides")
        return "bool"
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool):
            return "bool"
        if isinstance(node.value, int | float):
            return "num"
        raise _Invalid(f"constant {node.value!r} is not a number")
    if isinstance(node, ast.Name):
        if node.id not in METRICS:
            raise _Invalid(f"unknown name {node.id!r}; allowed: metric names and threshold()")
        return "num"
    if isinstance(node, ast.Call):
        if not (isinstance(node.func, ast.Name) and node.func.id == "threshold"):
            raise _Invalid("function calls are not allowed except threshold(metric)")
        if node.keywords or len(node.args) != 1 or not isinstance(node.args[0], ast.Name):
            raise _Invalid("threshold() takes exactly one metric name")
        if node.args[0].id not in METRICS:
            raise _Invalid(f"threshold() of unknown metric {node.args[0].id!r}")
        return "num"
    raise _Invalid(f"{type(node).__name__} is not allowed in a rule condition")


def parse_condition(expr: str) -> ast.Expression:
    """Parse and check a `when` expression; raise ValueError saying what is wrong."""
    if len(expr) > MAX_EXPR_CHARS:
        raise _Invalid(f"longer than {MAX_EXPR_CHARS} characters")
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError as e:
        raise _Invalid(f"not a valid expression ({e.msg})") from None
    if _kind(tree.body) != "bool":
        raise _Invalid("must be a condition (a comparison, and/or/not), not a number")
    return tree


def _eval(node: ast.AST, metrics: Mapping[str, float],
          thresholds: Mapping[str, float]) -> float | bool | None:
    """Evaluate a checked node; None means unknown (an unmeasured metric or a division by 0)."""
    if isinstance(node, ast.BoolOp):
        vals = [_eval(v, metrics, thresholds) for v in node.values]
        if isinstance(node.op, ast.And):
            return False if any(v is False for v in vals) else (None if None in vals else True)
        return True if any(v is True for v in vals) else (None if None in vals else False)
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, metrics, thresholds)
        if v is None:
            return None
        if isinstance(node.op, ast.Not):
            return not v
        return -v if isinstance(node.op, ast.USub) else +v
    if isinstance(node, ast.BinOp):
        a, b = _eval(node.left, metrics, thresholds), _eval(node.right, metrics, thresholds)
        if a is None or b is None or (isinstance(node.op, ast.Div) and b == 0):
            return None
        return _BIN[type(node.op)](a, b)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, metrics, thresholds)
        result: bool | None = True
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = _eval(comp, metrics, thresholds)
            if left is None or right is None:
                result = None
            elif not _CMP[type(op)](left, right):
                return False
            left = right
        return result
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return node.value  # bool is an int; any other constant was rejected by the check
    if isinstance(node, ast.Name):
        v = metrics.get(node.id)
        return None if v is None or (isinstance(v, float) and math.isnan(v)) else v
    if isinstance(node, ast.Call):
        return thresholds.get(node.args[0].id)  # type: ignore[attr-defined]
    raise AssertionError(f"unchecked node {type(node).__name__}")  # parse_condition rejects it


def evaluate_condition(expr: str | ast.Expression, metrics: Mapping[str, float],
                       objectives: Sequence[Any] = ()) -> bool:
    """Whether a `when` expression definitely holds (unknown -> False)."""
    tree = parse_condition(expr) if isinstance(expr, str) else expr
    thresholds = {o.metric: o.threshold for o in objectives}
    return _eval(tree.body, metrics, thresholds) is True


def check_rule(rc: RuleSpec) -> ast.Expression:
    """A user rule's condition, parsed; ValueError naming the rule and the problem."""
    try:
        tree = parse_condition(rc.when)
    except _Invalid as e:
        raise ValueError(f"rule {rc.name!r}: invalid condition {rc.when!r}: {e}") from None
    if not rc.then:
        raise ValueError(f"rule {rc.name!r}: 'then' lists no instruction; "
                         f"allowed: {', '.join(ACTIONS)}")
    for a in rc.then:
        if a not in ACTIONS:
            raise ValueError(f"rule {rc.name!r}: unknown instruction {a!r}; "
                             f"allowed: {', '.join(ACTIONS)}")
    if rc.objective is not None and rc.objective not in METRICS:
        raise ValueError(f"rule {rc.name!r}: unknown objective metric {rc.objective!r}")
    return tree


def validate_rules(rules: Iterable[RuleSpec]) -> None:
    """Check user rules at config load time; raise ValueError naming the rule and the problem."""
    seen: set[str] = set()
    for rc in rules:
        if rc.name in seen:
            raise ValueError(f"rule {rc.name!r}: defined twice")
        seen.add(rc.name)
        check_rule(rc)
