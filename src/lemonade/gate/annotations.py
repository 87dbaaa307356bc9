"""Annotations a model file may write: type names, nothing that evaluates to more.

Annotations are code: Python evaluates them at definition time, and with
`from __future__ import annotations` (or a string annotation) they are kept as strings that
library helpers evaluate later with the model's globals (`typing.get_type_hints`,
`functools.singledispatch`'s `register`, dataclass-like helpers). A string there is a way to run
code the static check never saw. So every annotation, at any depth, and every string inside
one must be a plain type: a name or dotted name, `None`, `...`, `X | Y`, a subscript of those
(`list[int]`, `dict[str, torch.Tensor]`, `Callable[[int], int]`). Dotted names inside strings
may not use double-underscore or private parts.
"""

from __future__ import annotations

import ast

MAX_STRING_CHARS = 200
MAX_DEPTH = 12


def _plain_name(node: ast.AST, in_string: bool) -> bool:
    while isinstance(node, ast.Attribute):
        if in_string and node.attr.startswith("_"):
            return False
        node = node.value
    return isinstance(node, ast.Name) and not (in_string and node.id.startswith("_"))


def problem(node: ast.AST, in_string: bool = False, depth: int = 0) -> str | None:
    """None when `node` is a plain type annotation, else what is wrong with it."""
    if depth > MAX_DEPTH:
        return "annotation nests too deep"
    if isinstance(node, ast.Name | ast.Attribute):
        if _plain_name(node, in_string):
            return None
        return "a string annotation may not name private or double-underscore attributes"
    if isinstance(node, ast.Constant):
        if node.value is None or node.value is ...:
            return None
        if isinstance(node.value, str):
            if in_string:
                return "a string annotation may not hold another string"
            return _string_problem(node.value, depth)
        return "annotation must be a type, not a constant"
    if isinstance(node, ast.Subscript):
        return problem(node.value, in_string, depth + 1) or problem(node.slice, in_string,
                                                                    depth + 1)
    if isinstance(node, ast.Tuple | ast.List):
        for elt in node.elts:
            found = problem(elt, in_string, depth + 1)
            if found:
                return found
        return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return problem(node.left, in_string, depth + 1) or problem(node.right, in_string,
                                                                   depth + 1)
    what = "string annotation" if in_string else "annotation"
    return (f"{what} must be a plain type (a name, a dotted name, X | Y, or a subscript of "
            f"them), not {type(node).__name__}")


def _string_problem(text: str, depth: int) -> str | None:
    if len(text) > MAX_STRING_CHARS:
        return f"string annotation longer than {MAX_STRING_CHARS} characters"
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return f"string annotation {text[:40]!r} is not a type expression"
    found = problem(tree.body, True, depth + 1)
    if found and not found.startswith("string annotation"):
        found = f"string annotation {text[:40]!r}: {found}"
    return found


def annotations_of(node: ast.AST) -> list[ast.expr]:
    """The annotations a node carries (a function's parameters and return, an annotated
    assignment's annotation)."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        a = node.args
        params = [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
        found = [p.annotation for p in params if p is not None and p.annotation is not None]
        return found + ([node.returns] if node.returns is not None else [])
    if isinstance(node, ast.AnnAssign):
        return [node.annotation]
    return []
