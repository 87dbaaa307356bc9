"""Library objects a model file names, looked up on the real modules (`Resolver`, which imports
torch lazily, once per process), and the small syntax-tree and name predicates the static check's
passes share."""

from __future__ import annotations

import ast
import re
import string
import types
from typing import Any

from lemonade.gate.policy import (
    ALLOWED_DUNDERS,
    ALLOWED_MODULE_PREFIXES,
    ALLOWED_MODULES,
    FORBIDDEN_ATTR_NAMES,
    FORBIDDEN_OBJECTS,
    IMPORT_ALTERNATIVES,
    IMPORT_TIME_CALLS,
    MAX_IMPORT_TIME_REPEAT,
)


def import_alternative(module: str, names: list[str] | None = None) -> str:
    """What to write instead of an import that is not allowed: for each imported name that has
    an alternative (`from torchvision.ops import A, B` names both, so one repair fixes both),
    else for the module."""
    hints = [f"{name}: {IMPORT_ALTERNATIVES[name]}" for name in dict.fromkeys(names or [])
             if name in IMPORT_ALTERNATIVES]
    if hints:
        return "; ".join(hints)
    parts = module.split(".")
    for k in range(len(parts), 0, -1):
        alt = IMPORT_ALTERNATIVES.get(".".join(parts[:k]))
        if alt:
            return alt
    return "write it with torch, torch.nn and math"


def is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def format_reaches_attributes(fmt: str, depth: int = 0) -> bool:
    """True when a format string's fields use attribute or index access ({0.x}, {0[k]})."""
    try:
        parts = list(string.Formatter().parse(fmt))
    except ValueError:
        return True  # malformed: not worth the risk
    for _, name, spec, _ in parts:
        if name and any(c in name for c in ".["):
            return True
        if spec and "{" in spec and (depth > 2 or format_reaches_attributes(spec, depth + 1)):
            return True
    return False


def is_private(name: str) -> bool:
    return name.startswith("_") and name not in ALLOWED_DUNDERS


def allowed_module_name(name: str) -> bool:
    return name in ALLOWED_MODULES or name.startswith(ALLOWED_MODULE_PREFIXES)


_SAFE_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def safe_name_prefix(prefix: str) -> bool:
    """A computed attribute name starting with this prefix can be no dunder, private or
    forbidden name."""
    return bool(_SAFE_PREFIX.fullmatch(prefix)) and not any(
        bad.startswith(prefix) for bad in FORBIDDEN_ATTR_NAMES)


def constant_attr_problem(attr: str, on_self: bool) -> str | None:
    if is_dunder(attr):
        return f"the attribute {attr!r} (double-underscore names are not allowed)"
    if attr in FORBIDDEN_ATTR_NAMES:
        return f"the attribute {attr!r}"
    if attr.startswith("_") and (not on_self or attr in resolver().runtime_private):
        return f"the private attribute {attr!r} (allowed on self only, never tensor internals)"
    return None


class Resolver:
    """Looks attribute chains up on the real modules (imported once, in the checking process)."""

    _forbidden_ids: dict[int, str] | None = None

    def __init__(self) -> None:
        import importlib

        import torch

        self.tensor_type: type = torch.Tensor
        self.module_type: type = torch.nn.Module
        self.modules: dict[str, types.ModuleType] = {}
        for name in sorted(ALLOWED_MODULES):
            try:
                self.modules[name] = importlib.import_module(name)
            except ImportError:  # an older torch without e.g. torch.nn.attention
                continue
        if Resolver._forbidden_ids is None:
            ids: dict[int, str] = {}
            for dotted in FORBIDDEN_OBJECTS:
                obj = self.lookup(dotted)
                if obj is not None:
                    ids[id(obj)] = dotted
            Resolver._forbidden_ids = ids
        self.import_time_ids = {id(o) for o in map(self.lookup, IMPORT_TIME_CALLS)
                                if o is not None}
        # Private names of tensors and storages (`_cdata`, `_write_file`, ...): refused even on
        # self, so no way of passing a tensor as `self` reaches them.
        self.runtime_private = frozenset(
            n for c in (torch.Tensor, torch.UntypedStorage, torch.TypedStorage) for n in dir(c)
            if n.startswith("_") and not is_dunder(n))

    def lookup(self, dotted: str) -> Any:
        head, *rest = dotted.split(".")
        obj: Any = self.modules.get(head)
        for part in rest:
            obj = getattr(obj, part, None)
            if obj is None:
                return None
        return obj

    def forbidden(self, obj: Any) -> str | None:
        return (self._forbidden_ids or {}).get(id(obj))

    def is_tensor_class(self, obj: Any) -> bool:
        return isinstance(obj, type) and (issubclass(obj, self.tensor_type) or any(
            c.__module__.startswith("torch._C") for c in obj.__mro__))

    def is_layer_class(self, obj: Any) -> bool:
        return isinstance(obj, type) and issubclass(obj, self.module_type)


_RESOLVER: Resolver | None = None


def resolver() -> Resolver:
    global _RESOLVER
    if _RESOLVER is None:
        _RESOLVER = Resolver()
    return _RESOLVER


MISSING = object()


def module_attr(mod: types.ModuleType, name: str) -> Any:
    # vars() and not getattr(): a module-level __getattr__ (torch's lazy submodules) would import
    # code just to check a name; what is not loaded yet is not for model files anyway.
    return vars(mod).get(name, MISSING)


def attr_chain(node: ast.AST) -> tuple[ast.AST, list[ast.Attribute]]:
    chain: list[ast.Attribute] = []
    cur: ast.AST = node
    while isinstance(cur, ast.Attribute):
        chain.append(cur)
        cur = cur.value
    chain.reverse()
    return cur, chain


def is_dotted(node: ast.AST) -> bool:
    root, _ = attr_chain(node)
    return isinstance(root, ast.Name)


CONTAINERS = (ast.List, ast.Tuple, ast.Set, ast.ListComp, ast.SetComp, ast.GeneratorExp,
               ast.Dict, ast.DictComp)



BUILTIN_BASES = frozenset({
    "Exception", "ValueError", "RuntimeError", "TypeError", "KeyError", "IndexError",
    "AttributeError", "NotImplementedError", "ArithmeticError", "LookupError", "UserWarning",
    "Warning", "object", "tuple", "list", "dict",
})


def stored_names(targets: list[ast.expr]) -> list[str]:
    return [n.id for t in targets for n in ast.walk(t)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]


def plain_target(t: ast.AST) -> bool:
    if isinstance(t, ast.Name):
        return True
    return isinstance(t, ast.Tuple | ast.List) and all(isinstance(e, ast.Name) for e in t.elts)


def literal_strings(node: ast.AST) -> list[str] | None:
    if isinstance(node, ast.Tuple | ast.List | ast.Set) and node.elts and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
        return [e.value for e in node.elts if isinstance(e, ast.Constant)
                and isinstance(e.value, str)]
    return None


def small_repeat(node: ast.BinOp) -> bool:
    """[2] * 3: a literal list/tuple times a small int; strings and big counts are refused."""
    seq, count = ((node.left, node.right) if isinstance(node.left, ast.List | ast.Tuple)
                  else (node.right, node.left))
    return (isinstance(seq, ast.List | ast.Tuple) and len(seq.elts) <= 64
            and isinstance(count, ast.Constant) and type(count.value) is int
            and 0 <= count.value <= MAX_IMPORT_TIME_REPEAT)


def find_init(cls: ast.ClassDef, classes: dict[str, ast.ClassDef],
               seen: set[str]) -> ast.FunctionDef | None:
    """Net.__init__, or the one it inherits from another class of the same file."""
    seen.add(cls.name)
    for stmt in cls.body:
        if isinstance(stmt, ast.FunctionDef) and stmt.name == "__init__":
            return stmt
    for b in cls.bases:
        if isinstance(b, ast.Name) and b.id in classes and b.id not in seen:
            found = find_init(classes[b.id], classes, seen)
            if found is not None:
                return found
    return None
