"""The static check of a model file: a first filter that rejects early, cheaply and clearly.

It is not the wall (that is the isolated worker, `lemonade.sandbox.isolation`); it refuses what a
model file has no business doing, with one line per problem that the proposer can act on:

- imports outside the allow-list (`policy.ALLOWED_IMPORTS`), relative and star imports;
- builtins that run or load code or touch files (`eval`, `exec`, `open`, `__import__`, ...),
  unless a parameter of the same name shadows them (`def forward(self, input)`);
- dunder names and attributes (`().__class__.__bases__[0].__subclasses__()`), frame and generator
  internals, `_private` attributes except on the real `self` (the first parameter of a method of
  a class in the file, never rebound); `match` statements (class patterns read any attribute);
- torch surfaces that load, save, compile or spawn. Attribute chains that start at an imported
  name are *resolved* against the real modules, so `torch.os.system`, `F.torch.load` or
  `typing.sys` are caught however they are spelt, and an expression whose value is a *module*
  (`torch`, `F.torch`, `torch.nn.functional`) may only be the receiver of another attribute:
  bound to a name, a default, a container or passed along, it would hide what is used from it;
- `getattr`/`setattr`/`delattr`/`hasattr` on anything but `self` or a plain variable, and with a
  computed name anywhere but on `self` (where `f"layer{i}"`, `"level_%d" % i`,
  `"x{}".format(i)` and loops over literal tuples of names are fine);
- `type()` with more than one argument, classes deriving from `torch.Tensor`, metaclasses;
- code that runs at import time: only imports, class and function definitions, constant
  assignments (with a few pure calls: `math.sqrt(2.0)`, `partial(nn.BatchNorm2d, eps=1e-3)`,
  layer constructors in class bodies) and docstrings at the top level. An
  `if __name__ == "__main__":` block is dropped (it never runs);
- layers kept in a plain list or dict in `__init__` (`nn.ModuleList`/`nn.ModuleDict` are needed);
- a missing `class Net`, or one whose constructor does not take `in_channels` and `num_classes`;
- files too large or nested too deeply to check.
"""

from __future__ import annotations

import ast
import re
import string
import types
from dataclasses import dataclass
from typing import Any

from lemonade.gate.annotations import annotations_of
from lemonade.gate.annotations import problem as annotation_problem
from lemonade.gate.policy import (
    ALLOWED_DOTTED,
    ALLOWED_DUNDERS,
    ALLOWED_IMPORTS,
    ALLOWED_MODULE_PREFIXES,
    ALLOWED_MODULES,
    ATTR_BUILTINS,
    DEFINABLE_DUNDERS,
    FORBIDDEN_ATTR_NAMES,
    FORBIDDEN_ATTRS,
    FORBIDDEN_NAMES,
    FORBIDDEN_OBJECTS,
    IMPORT_ALTERNATIVES,
    IMPORT_TIME_CALLS,
    MAX_AST_DEPTH,
    MAX_IMPORT_TIME_REPEAT,
    MAX_MESSAGE_CHARS,
    MAX_SOURCE_CHARS,
    MAX_VIOLATIONS,
    READABLE_DUNDER_ATTRS,
    SELF_ATTR_METHODS,
    TOP_LEVEL_DUNDERS,
)
from lemonade.gate.scopes import Scopes, params

__all__ = [
    "ALLOWED_DUNDERS", "ALLOWED_IMPORTS", "FORBIDDEN_ATTRS", "FORBIDDEN_NAMES", "MAX_SOURCE_CHARS",
    "CodeRejected", "Violation", "cap", "check_source", "drop_main_guard", "is_main_guard",
]


def cap(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """One line of at most `limit` characters (a message that quotes the candidate's code)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Violation:
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class CodeRejected(Exception):
    """The reply or the source cannot be used; `violations` says why (may be a single one)."""

    def __init__(self, reason: str | list[Violation]) -> None:
        if isinstance(reason, str):
            self.violations = [Violation(0, 0, cap(reason))]
            super().__init__(cap(reason))
        else:
            self.violations = list(reason)
            super().__init__(cap("; ".join(str(v) for v in self.violations), 1000))


def check_source(source: str) -> list[Violation]:
    """Everything wrong with a model file that can be seen without running it (empty = ok)."""
    if not source or not source.strip():
        return [Violation(0, 0, "the model file is empty")]
    if len(source) > MAX_SOURCE_CHARS:
        return [Violation(0, 0, f"the model file is too large ({len(source):,} characters; "
                                f"at most {MAX_SOURCE_CHARS:,})")]
    try:
        tree = ast.parse(source, filename="model.py")
    except SyntaxError as e:
        return [_syntax_violation(source, e)]
    except (ValueError, RecursionError, MemoryError) as e:
        return [Violation(0, 0, cap(f"cannot parse the model file ({type(e).__name__}: {e})"))]
    deep = _too_deep(tree)
    if deep is not None:
        return [Violation(getattr(deep, "lineno", 0), getattr(deep, "col_offset", 0),
                          f"the code is nested more than {MAX_AST_DEPTH} levels deep: "
                          "split the expression")]
    drop_main_guard(tree)
    checker = _Checker(tree)
    try:
        checker.run(tree)
    except RecursionError:
        return [Violation(0, 0, "the model file is nested too deeply to check")]
    found = sorted(set(checker.violations), key=lambda v: (v.line, v.col, v.message))
    if len(found) > MAX_VIOLATIONS:
        last = found[MAX_VIOLATIONS - 1]
        found = [*found[:MAX_VIOLATIONS - 1], Violation(
            last.line, last.col, f"... and {len(found) - MAX_VIOLATIONS + 1} more problems")]
    return found


def _too_deep(tree: ast.AST) -> ast.AST | None:
    """The first node deeper than MAX_AST_DEPTH (iterative: cannot itself overflow)."""
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_AST_DEPTH:
            return node
        stack.extend((c, depth + 1) for c in ast.iter_child_nodes(node))
    return None


def is_main_guard(node: ast.stmt) -> bool:
    """`if __name__ == "__main__":` (either order), with no else branch."""
    if not isinstance(node, ast.If) or node.orelse or not isinstance(node.test, ast.Compare):
        return False
    test = node.test
    if len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    pair = [test.left, test.comparators[0]]
    return any(isinstance(p, ast.Name) and p.id == "__name__" for p in pair) and any(
        isinstance(p, ast.Constant) and p.value == "__main__" for p in pair)


_is_main_guard = is_main_guard  # the name extract.py used


def drop_main_guard(tree: ast.Module) -> ast.Module:
    """Remove top-level `if __name__ == "__main__":` blocks in place (demo code never runs)."""
    tree.body = [n for n in tree.body if not is_main_guard(n)] or [ast.Pass()]
    return tree


def _syntax_violation(source: str, e: SyntaxError) -> Violation:
    line = e.lineno or 0
    msg = cap(e.msg or "invalid syntax", 200)
    n_lines = len(source.rstrip().split("\n"))
    at_end = line >= n_lines - 1 or "EOF" in msg or "never closed" in msg
    truncated = at_end and any(k in msg for k in (
        "EOF", "never closed", "expected an indented block", "unterminated", "was not closed",
        "expected ':'", "invalid syntax"))
    hint = " (the code looks truncated: was the reply cut off?)" if truncated else ""
    return Violation(line, (e.offset or 1) - 1, f"syntax error: {msg}{hint}")


def _alternative(module: str, names: list[str] | None = None) -> str:
    """What to write instead of an import that is not allowed."""
    for name in names or []:
        if name in IMPORT_ALTERNATIVES:
            return f"{name}: {IMPORT_ALTERNATIVES[name]}"
    parts = module.split(".")
    for k in range(len(parts), 0, -1):
        alt = IMPORT_ALTERNATIVES.get(".".join(parts[:k]))
        if alt:
            return alt
    return "write it with torch, torch.nn and math"


def _is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def _format_reaches_attributes(fmt: str, depth: int = 0) -> bool:
    """True when a format string's fields use attribute or index access ({0.x}, {0[k]})."""
    try:
        parts = list(string.Formatter().parse(fmt))
    except ValueError:
        return True  # malformed: not worth the risk
    for _, name, spec, _ in parts:
        if name and any(c in name for c in ".["):
            return True
        if spec and "{" in spec and (depth > 2 or _format_reaches_attributes(spec, depth + 1)):
            return True
    return False


def _is_private(name: str) -> bool:
    return name.startswith("_") and name not in ALLOWED_DUNDERS


def _allowed_module_name(name: str) -> bool:
    return name in ALLOWED_MODULES or name.startswith(ALLOWED_MODULE_PREFIXES)


_SAFE_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _safe_name_prefix(prefix: str) -> bool:
    """A computed attribute name starting with this prefix can be no dunder, private or
    forbidden name."""
    return bool(_SAFE_PREFIX.fullmatch(prefix)) and not any(
        bad.startswith(prefix) for bad in FORBIDDEN_ATTR_NAMES)


def _constant_attr_problem(attr: str, on_self: bool) -> str | None:
    if _is_dunder(attr):
        return f"the attribute {attr!r} (double-underscore names are not allowed)"
    if attr in FORBIDDEN_ATTR_NAMES:
        return f"the attribute {attr!r}"
    if attr.startswith("_") and (not on_self or attr in _resolver().runtime_private):
        return f"the private attribute {attr!r} (allowed on self only, never tensor internals)"
    return None


class _Resolver:
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
        if _Resolver._forbidden_ids is None:
            ids: dict[int, str] = {}
            for dotted in FORBIDDEN_OBJECTS:
                obj = self.lookup(dotted)
                if obj is not None:
                    ids[id(obj)] = dotted
            _Resolver._forbidden_ids = ids
        self.import_time_ids = {id(o) for o in map(self.lookup, IMPORT_TIME_CALLS)
                                if o is not None}
        # Private names of tensors and storages (`_cdata`, `_write_file`, ...): refused even on
        # self, so no way of passing a tensor as `self` reaches them.
        self.runtime_private = frozenset(
            n for c in (torch.Tensor, torch.UntypedStorage, torch.TypedStorage) for n in dir(c)
            if n.startswith("_") and not _is_dunder(n))

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


_RESOLVER: _Resolver | None = None


def _resolver() -> _Resolver:
    global _RESOLVER
    if _RESOLVER is None:
        _RESOLVER = _Resolver()
    return _RESOLVER


_MISSING = object()


def _module_attr(mod: types.ModuleType, name: str) -> Any:
    # vars() and not getattr(): a module-level __getattr__ (torch's lazy submodules) would import
    # code just to check a name; what is not loaded yet is not for model files anyway.
    return vars(mod).get(name, _MISSING)


def _chain(node: ast.AST) -> tuple[ast.AST, list[ast.Attribute]]:
    chain: list[ast.Attribute] = []
    cur: ast.AST = node
    while isinstance(cur, ast.Attribute):
        chain.append(cur)
        cur = cur.value
    chain.reverse()
    return cur, chain


def _dotted(node: ast.AST) -> bool:
    root, _ = _chain(node)
    return isinstance(root, ast.Name)


_CONTAINERS = (ast.List, ast.Tuple, ast.Set, ast.ListComp, ast.SetComp, ast.GeneratorExp,
               ast.Dict, ast.DictComp)


class _Checker:
    def __init__(self, tree: ast.Module) -> None:
        self.violations: list[Violation] = []
        self.roots: dict[str, Any] = {}  # name bound by an import -> the object it names
        self.aliases: dict[str, Any] = {}  # top-level NAME = <library object>
        self.scopes = Scopes(tree)
        self.classes = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
        self.methods = {name: {s.name: s for s in cls.body if isinstance(s, ast.FunctionDef)}
                        for name, cls in self.classes.items()}
        self.layer_classes: set[str] = set()  # classes of this file that are nn.Modules
        self.name_tuples: dict[str, list[str]] = {}  # top-level NAMES = ("a", "b")
        self.library_bound: set[str] = set()  # names that may hold a library class or function
        self._loop_names: dict[tuple[int, str], bool] = {}
        self.top_level_ids = {id(n) for n in tree.body}
        self._all_nodes = list(ast.walk(tree))

    # -- helpers ---------------------------------------------------------------------------------
    def add(self, node: ast.AST, message: str) -> None:
        self.violations.append(Violation(getattr(node, "lineno", 0),
                                         getattr(node, "col_offset", 0), cap(message)))

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.scopes.parent(node)

    def run(self, tree: ast.Module) -> None:
        self._check_imports(tree)
        self._collect_top_level_names(tree)
        self._collect_library_bound(tree)
        self._check_top_level(tree)
        for node in ast.walk(tree):
            self._check_node(node)
        self._check_net(tree)

    def resolve(self, node: ast.AST) -> Any:
        """The library object an expression names (a chain from an import or a top-level alias),
        or _MISSING when it is not such a chain or cannot be looked up."""
        root, chain = _chain(node)
        if not isinstance(root, ast.Name):
            return _MISSING
        if root.id in self.roots:
            obj = self.roots[root.id]
        elif root.id in self.aliases:
            obj = self.aliases[root.id]
        else:
            return _MISSING
        for link in chain:
            if obj is None or obj is _MISSING:
                return _MISSING
            obj = (_module_attr(obj, link.attr) if isinstance(obj, types.ModuleType)
                   else getattr(obj, link.attr, _MISSING))
        return _MISSING if obj is None else obj

    # -- imports ---------------------------------------------------------------------------------
    def _check_imports(self, tree: ast.Module) -> None:
        allowed = ", ".join(ALLOWED_IMPORTS)
        res = _resolver()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name not in ALLOWED_IMPORTS:
                        self.add(node, f"import of {a.name!r} is not allowed: "
                                       f"{_alternative(a.name)} (allowed: {allowed})")
                        continue
                    if a.asname:
                        self.roots[a.asname] = res.modules.get(a.name)
                    else:
                        root = a.name.split(".")[0]
                        self.roots[root] = res.modules.get(root)
            elif isinstance(node, ast.ImportFrom):
                self._check_import_from(node, res, allowed)

    def _check_import_from(self, node: ast.ImportFrom, res: _Resolver, allowed: str) -> None:
        mod = node.module or ""
        if node.level:
            self.add(node, f"relative import 'from {'.' * node.level}{mod} import ...' is not "
                           f"allowed (allowed: {allowed})")
            return
        if mod == "__future__":
            bad = [a.name for a in node.names if a.name != "annotations"]
            if bad:
                self.add(node, f"'from __future__ import {', '.join(bad)}' is not allowed "
                               "(only annotations)")
            return
        if mod not in ALLOWED_IMPORTS:
            self.add(node, f"import from {mod!r} is not allowed: "
                           f"{_alternative(mod, [a.name for a in node.names])} "
                           f"(allowed: {allowed})")
            return
        module = res.modules.get(mod)
        for a in node.names:
            if a.name == "*":
                self.add(node, f"'from {mod} import *' is not allowed: import names explicitly")
                continue
            obj = self._resolve_step(node, module, mod, a.name) if module is not None else None
            if obj is not _MISSING:
                self.roots[a.asname or a.name] = obj

    def _resolve_step(self, node: ast.AST, obj: Any, dotted: str, attr: str) -> Any:
        """obj.attr for a module obj, with every rule on the way; _MISSING after a violation."""
        full = f"{dotted}.{attr}"
        if _is_dunder(attr) or attr.startswith("_"):
            self.add(node, f"access to private name {full!r} is not allowed")
            return _MISSING
        nxt = _module_attr(obj, attr)
        if nxt is _MISSING:
            self.add(node, f"{dotted} has no attribute {attr!r}")
            return _MISSING
        if full in ALLOWED_DOTTED:
            return nxt
        if isinstance(nxt, types.ModuleType) and not _allowed_module_name(nxt.__name__):
            self.add(node, f"{full!r} (module {nxt.__name__}) is not allowed in a model file")
            return _MISSING
        why = _resolver().forbidden(nxt)
        if why:
            self.add(node, f"{full!r} ({why}) is not allowed in a model file")
            return _MISSING
        return nxt

    # -- top level: nothing runs at import time but definitions -----------------------------------
    def _collect_top_level_names(self, tree: ast.Module) -> None:
        """Top-level aliases of library objects (ACT = nn.ReLU) and tuples of names."""
        counts: dict[str, int] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
                counts[node.id] = counts.get(node.id, 0) + 1
            elif isinstance(node, ast.Global | ast.Nonlocal):
                for n in node.names:
                    counts[n] = counts.get(n, 0) + 2
        for node in tree.body:
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)):
                continue
            name = node.targets[0].id
            if counts.get(name) != 1 or name in self.roots:
                continue
            obj = self.resolve(node.value) if _dotted(node.value) else _MISSING
            if obj is not _MISSING and not isinstance(obj, types.ModuleType):
                self.aliases[name] = obj
            strings = _literal_strings(node.value)
            if strings is not None:
                self.name_tuples[name] = strings
        # classes of this file that derive from nn.Module; a base is defined before its
        # subclasses, so two passes in source order settle it (and stay linear)
        ordered = sorted(self.classes.values(), key=lambda c: (c.lineno, c.col_offset))
        for _ in range(2):
            for cls in ordered:
                if any((isinstance(b, ast.Name) and b.id in self.layer_classes)
                       or _resolver().is_layer_class(self.resolve(b)) for b in cls.bases):
                    self.layer_classes.add(cls.name)

    def _collect_library_bound(self, tree: ast.Module) -> None:
        """What may hold a library object itself (not the result of calling one): variables
        (`T = torch.Tensor`, `for c in (nn.Linear,)`, `def f(c=nn.Conv2d)`), attributes
        (`self.t = torch.Tensor`, a class attribute) and functions that return one. Setting an
        attribute through them would modify the library (`torch.Tensor.eq = ...`)."""
        names: list[tuple[list[str], ast.AST]] = []
        attrs: list[tuple[list[str], ast.AST]] = []
        returns: list[tuple[list[str], ast.AST]] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
                targets: list[ast.expr] = (list(node.targets) if isinstance(node, ast.Assign)
                                           else [node.target])
                if node.value is None:
                    continue
                names.append((_stored_names(targets), node.value))
                attrs.append(([t.attr for t in targets if isinstance(t, ast.Attribute)]
                              + (_stored_names(targets) if isinstance(
                                  self.parent(node), ast.ClassDef) else []), node.value))
                if isinstance(node.value, ast.Lambda):
                    returns.append((_stored_names(targets), node.value.body))
            elif isinstance(node, ast.NamedExpr):
                names.append(([node.target.id], node.value))
            elif isinstance(node, ast.For | ast.comprehension):
                names.append((_stored_names([node.target]), node.iter))
            elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                names.append((_stored_names([node.optional_vars]), node.context_expr))
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                a = node.args
                positional = [*a.posonlyargs, *a.args]
                pairs = list(zip(positional[len(positional) - len(a.defaults):], a.defaults,
                                 strict=True))
                pairs += [(k, d) for k, d in zip(a.kwonlyargs, a.kw_defaults, strict=True)
                          if d is not None]
                names += [([arg.arg], default) for arg, default in pairs]
                if not isinstance(node, ast.Lambda):
                    returns += [([node.name], r.value) for r in ast.walk(node)
                                if isinstance(r, ast.Return | ast.Yield | ast.YieldFrom)
                                and r.value is not None]
        # Propagate along a dependency graph (linear): a binding whose value holds a library
        # object taints its targets; a tainted name, attribute or function taints every binding
        # that reads it.
        self.library_bound = set(self.aliases)
        self.library_attrs: set[str] = set()
        self.library_returning: set[str] = set()
        sets = {"n": self.library_bound, "a": self.library_attrs, "r": self.library_returning}
        readers: dict[tuple[str, str], list[tuple[str, list[str]]]] = {}
        work: list[tuple[str, str]] = [("n", n) for n in self.aliases]
        for kind, bindings in (("n", names), ("a", attrs), ("r", returns)):
            for bound, value in bindings:
                if not bound:
                    continue
                direct, reads = self._library_reads(value)
                if direct:
                    work += [(kind, t) for t in bound if t not in sets[kind]]
                    sets[kind].update(bound)
                for key in reads:
                    readers.setdefault(key, []).append((kind, bound))
        while work:
            key = work.pop()
            for kind, readers_targets in readers.pop(key, []):
                for t in readers_targets:
                    if t not in sets[kind]:
                        sets[kind].add(t)
                        work.append((kind, t))

    def _library_reads(self, expr: ast.AST) -> tuple[bool, set[tuple[str, str]]]:
        """(holds a library object directly, the names/attributes/functions it reads that would
        make it hold one if they did)."""
        direct = False
        reads: set[tuple[str, str]] = set()
        for n in ast.walk(expr):
            if not isinstance(n, ast.Attribute | ast.Name):
                continue
            p = self.parent(n)
            if isinstance(p, ast.Call) and p.func is n:  # called: a runtime value, unless a
                reads.add(("r", n.id if isinstance(n, ast.Name) else n.attr))  # function of
                continue  # ours returns the library
            if isinstance(p, ast.Attribute) and p.value is n:
                continue  # part of a longer chain
            root, chain = _chain(n)
            if isinstance(root, ast.Name):
                reads.add(("n", root.id))
            reads.update(("a", link.attr) for link in chain)
            if not direct:
                obj = self.resolve(n)
                direct = obj is not _MISSING and not isinstance(obj, types.ModuleType)
        return direct, reads

    def _check_store_target(self, node: ast.Attribute) -> None:
        """x.attr = ...: only on self, a chain from self, or a variable that holds no library
        object (monkeypatching torch.Tensor through an alias forges every metric)."""
        cur: ast.AST = node.value
        while isinstance(cur, ast.Attribute | ast.Subscript):
            if isinstance(cur, ast.Attribute) and cur.attr in self.library_attrs:
                self.add(node, f"modifying .{cur.attr}.{node.attr} is not allowed: "
                               f"{cur.attr!r} is bound to a library object (classes and "
                               "functions of torch are read-only in a model file)")
                return
            cur = cur.value
        if self.scopes.is_self(cur):
            return
        if isinstance(cur, ast.Name):
            if cur.id in self.library_bound:
                self.add(node, f"modifying {cur.id}.{node.attr} is not allowed: {cur.id!r} is "
                               "bound to a library object (classes and functions of torch are "
                               "read-only in a model file)")
            return
        self.add(node, f"setting the attribute {node.attr!r} on an expression is not allowed: "
                       "set attributes on self or on a variable")

    def _check_unbound_method(self, node: ast.Attribute) -> None:
        """Net.method(obj) passes any object as `self` (and self is exempt from some checks):
        a method of a class in this file is called on an instance, or as Base.method(self)."""
        if not (isinstance(node.value, ast.Name) and node.value.id in self.classes):
            return
        method = self.methods[node.value.id].get(node.attr)
        if method is None or any(isinstance(d, ast.Name) and d.id in (
                "staticmethod", "classmethod") for d in method.decorator_list):
            return
        call = self.parent(node)
        if (isinstance(call, ast.Call) and call.func is node and call.args
                and self.scopes.is_self(call.args[0])):
            return  # Base.__init__(self, ...)
        self.add(node, f"{node.value.id}.{node.attr} may only be called as "
                       f"{node.value.id}.{node.attr}(self, ...) (or self.{node.attr}(...))")

    def _check_top_level(self, tree: ast.Module) -> None:
        for i, node in enumerate(tree.body):
            if isinstance(node, ast.Import | ast.ImportFrom | ast.Pass):
                continue
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and (
                    (isinstance(node.value.value, str) and i == 0) or node.value.value is ...):
                continue
            if isinstance(node, ast.ClassDef | ast.FunctionDef):
                self._check_definition(node)
                continue
            if isinstance(node, ast.Assign | ast.AnnAssign):
                value = node.value
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if not all(_plain_target(t) for t in targets):
                    self.add(node, "top-level assignments may only bind plain names "
                                   "(NAME = ... or A, B = ...)")
                elif value is not None and not self._static_expr(value, calls=True):
                    self.add(node, "top-level assignments must be constants (numbers, strings, "
                                   "tuples, names such as nn.ReLU, math.sqrt(2.0), "
                                   "partial(...)); code that runs at import time is not "
                                   "allowed: move it into Net")
                if isinstance(node, ast.AnnAssign) and not self._static_expr(node.annotation):
                    self.add(node, "annotation must be a plain type")
                continue
            kind = type(node).__name__
            self.add(node, f"top-level {kind} statement is not allowed: a model file may only "
                           "hold imports, class/function definitions and constant assignments "
                           "(no code at import time)")

    def _check_definition(self, node: ast.ClassDef | ast.FunctionDef) -> None:
        """Decorators, bases, defaults, annotations and class bodies run at import time."""
        for d in node.decorator_list:
            target = d.func if isinstance(d, ast.Call) else d
            args_ok = not isinstance(d, ast.Call) or all(
                self._static_expr(a) for a in [*d.args, *(k.value for k in d.keywords)])
            if not (_dotted(target) and args_ok):
                self.add(d, "decorators must be plain names (e.g. @staticmethod, "
                            "@torch.no_grad()) with constant arguments")
        if isinstance(node, ast.ClassDef):
            for i, stmt in enumerate(node.body):
                if isinstance(stmt, ast.ClassDef | ast.FunctionDef):
                    self._check_definition(stmt)
                elif isinstance(stmt, ast.Pass) or (
                        isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
                        and (i == 0 or stmt.value.value is ...)):
                    continue
                elif isinstance(stmt, ast.Assign | ast.AnnAssign):
                    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                    if not all(_plain_target(t) for t in targets):
                        self.add(stmt, f"class {node.name}: class attributes may only bind "
                                       "plain names")
                    if stmt.value is not None and not self._static_expr(
                            stmt.value, calls=True, layers=True):
                        self.add(stmt, f"class {node.name}: class attributes must be constants "
                                       "or layers such as nn.ReLU() (code in a class body runs "
                                       "at import time); set them in __init__")
                    if isinstance(stmt, ast.AnnAssign) and not self._static_expr(
                            stmt.annotation):
                        self.add(stmt, "annotation must be a plain type")
                else:
                    self.add(stmt, f"class {node.name}: {type(stmt).__name__} statement in a "
                                   "class body is not allowed (it runs at import time)")
            return
        args = node.args
        for default in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
            if not self._static_expr(default):
                self.add(default, f"{node.name}(): default values must be constants")
        annotations = [a.annotation for a in [*args.posonlyargs, *args.args, *args.kwonlyargs,
                                              args.vararg, args.kwarg] if a is not None]
        for ann in [*annotations, node.returns]:
            if ann is not None and not self._static_expr(ann):
                self.add(ann, f"{node.name}(): annotations must be plain types")

    def _static_expr(self, node: ast.AST, calls: bool = False, layers: bool = False) -> bool:
        """Cheap, side-effect-free, bounded: literals, names, attribute chains, small arithmetic;
        with `calls`, a few pure functions (math.sqrt, functools.partial); with `layers`, layer
        constructors (nn.ReLU()) too."""
        def ok(n: ast.AST) -> bool:
            return self._static_expr(n, calls, layers)

        if isinstance(node, ast.Constant | ast.Name):
            return True
        if isinstance(node, ast.Attribute):
            return ok(node.value)
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return all(ok(e) for e in node.elts)
        if isinstance(node, ast.Dict):
            return all(k is None or ok(k) for k in node.keys) and all(ok(v) for v in node.values)
        if isinstance(node, ast.UnaryOp):
            return ok(node.operand)
        if isinstance(node, ast.Subscript):  # Optional[int], list[torch.Tensor]
            return ok(node.value) and ok(node.slice)
        if isinstance(node, ast.Lambda):  # defines, does not run
            return True
        if isinstance(node, ast.Call) and (calls or layers):
            if not all(ok(a) for a in [*node.args, *(k.value for k in node.keywords)]):
                return False
            if any(isinstance(a, ast.Starred) for a in node.args) or any(
                    k.arg is None for k in node.keywords):
                return False
            obj = self.resolve(node.func)
            if calls and obj is not _MISSING and id(obj) in _resolver().import_time_ids:
                return True
            return layers and _resolver().is_layer_class(obj)
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Pow | ast.LShift):
                # 10 ** 10 ** 10 would hang the import; small powers (2 ** 8) are fine
                return all(isinstance(x, ast.Constant) and isinstance(x.value, int | float)
                           and abs(x.value) <= 64 for x in (node.left, node.right))
            if isinstance(node.op, ast.Mult) and any(
                    isinstance(x, ast.List | ast.Tuple | ast.Set)
                    or (isinstance(x, ast.Constant) and isinstance(x.value, str | bytes))
                    for x in (node.left, node.right)):
                return _small_repeat(node) and ok(node.left) and ok(node.right)
            return ok(node.left) and ok(node.right)
        return False

    # -- every node ------------------------------------------------------------------------------
    def _check_node(self, node: ast.AST) -> None:
        for ann in annotations_of(node):  # at any depth: strings in them get evaluated
            found = annotation_problem(ann)
            if found:
                self.add(ann, found)
        if isinstance(node, ast.Name):
            self._check_name(node)
        elif isinstance(node, ast.Attribute):
            self._check_attribute(node)
        elif isinstance(node, ast.Call):
            self._check_call(node)
        elif isinstance(node, ast.Assign):
            self._check_plain_layer_list(node)
        elif isinstance(node, ast.Match):
            self.add(node, "`match` statements are not allowed in a model file (class patterns "
                           "read attributes unchecked): use if/elif")
        elif isinstance(node, ast.AsyncFunctionDef | ast.AsyncFor | ast.AsyncWith | ast.Await):
            self.add(node, "async code is not allowed in a model file")
        elif isinstance(node, ast.FunctionDef):
            if _is_dunder(node.name) and node.name not in DEFINABLE_DUNDERS:
                allowed = ", ".join(sorted(DEFINABLE_DUNDERS))
                self.add(node, f"defining {node.name!r} is not allowed (among the "
                               f"double-underscore methods only {allowed})")
        elif isinstance(node, ast.ClassDef):
            if _is_dunder(node.name):
                self.add(node, f"the class name {node.name!r} is not allowed")
            self._check_bases(node)
        elif isinstance(node, ast.arg | ast.alias):
            name = node.arg if isinstance(node, ast.arg) else (node.asname or "")
            if _is_dunder(name):
                self.add(node, f"the name {name!r} is not allowed")
        elif isinstance(node, ast.Global | ast.Nonlocal):
            for name in node.names:
                if _is_dunder(name) or name in FORBIDDEN_NAMES:
                    self.add(node, f"the name {name!r} is not allowed")
        elif isinstance(node, ast.ExceptHandler) and node.name and _is_dunder(node.name):
            self.add(node, f"the name {node.name!r} is not allowed")

    def _check_name(self, node: ast.Name) -> None:
        name = node.id
        parent = self.parent(node)
        if name in FORBIDDEN_NAMES:
            if isinstance(node.ctx, ast.Load) and self.scopes.is_parameter(node):
                return  # def forward(self, input): the parameter, not the builtin
            self.add(node, f"use of {name!r} is not allowed in a model file"
                     + (" (rename the variable)" if isinstance(node.ctx, ast.Store) else ""))
            return
        if _is_dunder(name) and name not in ALLOWED_DUNDERS:
            if name in TOP_LEVEL_DUNDERS and isinstance(node.ctx, ast.Store) and isinstance(
                    parent, ast.Assign) and id(parent) in self.top_level_ids:
                return  # __all__ = [...]
            self.add(node, f"access to {name!r} is not allowed in a model file")
            return
        if name in ATTR_BUILTINS:
            if not (isinstance(parent, ast.Call) and parent.func is node):
                self.add(node, f"{name!r} may only be called directly")
            return
        if name == "type":
            self._check_type_use(node)
            return
        if name in self.roots:
            if isinstance(node.ctx, ast.Store | ast.Del):
                self.add(node, f"rebinding the imported name {name!r} is not allowed")
                return
            if isinstance(self.roots[name], types.ModuleType) and not (
                    isinstance(parent, ast.Attribute) and parent.value is node):
                self.add(node, f"the module {name!r} may only be used as `{name}.something` "
                               "(binding or passing a module hides what is used from it)")

    def _check_type_use(self, node: ast.Name) -> None:
        call = self.parent(node)
        if not (isinstance(call, ast.Call) and call.func is node):
            self.add(node, "'type' may only be called as type(x)")
            return
        if len(call.args) != 1 or call.keywords or isinstance(call.args[0], ast.Starred):
            self.add(call, "type() with more than one argument builds a class at run time; "
                           "define classes with `class`")
            return
        use = self.parent(call)
        fine = (isinstance(use, ast.Compare | ast.FormattedValue)
                or (isinstance(use, ast.Attribute) and use.attr in READABLE_DUNDER_ATTRS
                    and use.attr != "__init__")
                or (isinstance(use, ast.Call) and use.func is not call
                    and isinstance(use.func, ast.Name)
                    and use.func.id in ("isinstance", "issubclass", "str", "repr", "print")))
        if not fine:
            self.add(call, "type(x) may only be compared, printed or used in isinstance/"
                           "issubclass (its value builds classes)")

    def _check_attribute(self, node: ast.Attribute) -> None:
        attr = node.attr
        parent = self.parent(node)
        if _is_dunder(attr) and attr not in ALLOWED_DUNDERS:
            if attr in READABLE_DUNDER_ATTRS and isinstance(node.ctx, ast.Load):
                pass
            elif (attr == "__class__" and self.scopes.is_self(node.value)
                  and isinstance(parent, ast.Attribute) and parent.value is node
                  and parent.attr in ("__name__", "__qualname__")
                  and isinstance(node.ctx, ast.Load)):
                return  # self.__class__.__name__: a string, as type(self).__name__
            elif (attr in SELF_ATTR_METHODS and isinstance(parent, ast.Call)
                  and parent.func is node and self.scopes.is_self(node.value)):
                return  # self.__setattr__(name, value): the name is checked with the call
            else:
                self.add(node, f"access to attribute {attr!r} is not allowed in a model file")
                return
        if attr in FORBIDDEN_ATTRS:  # and go on: the chain may say more (torch.jit.load)
            self.add(node, f"access to attribute {attr!r} is not allowed in a model file")
        if attr == "format" and not (isinstance(parent, ast.Call) and parent.func is node) \
                and not self.scopes.is_self(node.value):  # self.format: a model's own field
            self.add(node, "str.format may only be called directly on a literal string")
        if isinstance(parent, ast.Attribute) and parent.value is node:
            return  # checked as part of the longest chain
        root, chain = _chain(node)
        if isinstance(root, ast.Name) and root.id in self.roots:
            self._check_module_chain(root, chain)
            return
        if isinstance(node.ctx, ast.Store | ast.Del):
            self._check_store_target(node)
        for link in chain:
            self._check_unbound_method(link)
        for link in chain:  # private links (x._data.y), except directly on self
            if _is_private(link.attr) and not _is_dunder(link.attr) and not (
                    link is chain[0] and self.scopes.is_self(link.value)
                    and link.attr not in _resolver().runtime_private):
                self.add(link, f"access to private attribute {link.attr!r} is not allowed "
                               "(except on self, and never tensor internals)")

    def _check_module_chain(self, root: ast.Name, chain: list[ast.Attribute]) -> None:
        obj = self.roots[root.id]
        dotted = root.id
        for i, link in enumerate(chain):
            if isinstance(obj, types.ModuleType) and i + 1 < len(chain) and (
                    f"{obj.__name__}.{link.attr}.{chain[i + 1].attr}" in ALLOWED_DOTTED):
                return  # torch.cuda.is_available()
            if isinstance(link.ctx, ast.Store | ast.Del) and isinstance(obj, types.ModuleType):
                self.add(link, f"modifying {dotted}.{link.attr} (a library module) is not "
                               "allowed")
                return
            if not isinstance(obj, types.ModuleType):
                # a class or function: its attributes are checked by name
                if link.attr.startswith("_") and link.attr not in READABLE_DUNDER_ATTRS:
                    self.add(link, f"access to private name {dotted}.{link.attr} is not allowed")
                    return
                if isinstance(link.ctx, ast.Store | ast.Del):
                    self.add(link, f"modifying {dotted}.{link.attr} (a library object) is not "
                                   "allowed")
                    return
                nxt = getattr(obj, link.attr, _MISSING) if obj is not None else None
                if nxt is not None and nxt is not _MISSING and _resolver().forbidden(nxt):
                    self.add(link, f"{dotted}.{link.attr} is not allowed in a model file")
                    return
                if isinstance(nxt, types.ModuleType) and not _allowed_module_name(nxt.__name__):
                    self.add(link, f"{dotted}.{link.attr} (module {nxt.__name__}) is not "
                                   "allowed in a model file")
                    return
                obj = None if nxt is _MISSING else nxt
                dotted = f"{dotted}.{link.attr}"
                continue
            name = obj.__name__
            nxt = self._resolve_step(link, obj, name, link.attr)
            if nxt is _MISSING:
                return
            obj = nxt
            dotted = f"{dotted}.{link.attr}"
        if isinstance(obj, types.ModuleType) and chain:
            real = "" if obj.__name__ == dotted else f" ({obj.__name__})"
            self.add(chain[-1], f"the module {dotted}{real} may only be used as "
                                f"`{dotted}.something` (binding or passing a module hides what "
                                "is used from it)")

    def _check_call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id in ATTR_BUILTINS:
            if len(node.args) < 2 or any(isinstance(a, ast.Starred) for a in node.args[:2]):
                self.add(node, f"{func.id}() needs an object and an attribute name")
                return
            self._check_attr_call(node, func.id, node.args[0], node.args[1])
        elif isinstance(func, ast.Attribute) and func.attr in SELF_ATTR_METHODS:
            if not node.args or isinstance(node.args[0], ast.Starred):
                self.add(node, f"{func.attr}() needs an attribute name")
                return
            self._check_attr_call(node, func.attr, func.value, node.args[0])
        elif isinstance(func, ast.Attribute) and func.attr == "format":
            fmt = func.value
            if not (isinstance(fmt, ast.Constant) and isinstance(fmt.value, str)):
                self.add(node, "str.format() is only allowed on a literal string")
            elif _format_reaches_attributes(fmt.value):
                self.add(node, "format fields with attribute or index access ({0.x}, {0[k]}) "
                               "are not allowed")

    def _check_attr_call(self, node: ast.Call, fn: str, target: ast.AST, name: ast.AST) -> None:
        """getattr(target, name) and friends: on self, or on a plain variable with a constant."""
        if isinstance(target, ast.Name) and (target.id in self.roots or target.id in self.aliases):
            obj = self.roots.get(target.id, self.aliases.get(target.id))
            what = "module" if isinstance(obj, types.ModuleType) else "library object"
            self.add(node, f"{fn}() on the {what} {target.id!r} is not allowed")
            return
        on_self = self.scopes.is_self(target)
        if (fn in ("setattr", "delattr", "__setattr__", "__delattr__") and not on_self
                and isinstance(target, ast.Name) and target.id in self.library_bound):
            self.add(node, f"{fn}() on {target.id!r} is not allowed: it is bound to a library "
                           "object (classes and functions of torch are read-only)")
            return
        constant = isinstance(name, ast.Constant) and isinstance(name.value, str)
        if not constant and not on_self:
            self.add(node, f"{fn}() with a computed attribute name is only allowed on self "
                           "(use a constant name)")
            return
        if not on_self and not isinstance(target, ast.Name):
            self.add(node, f"{fn}() is only allowed on self or a plain variable (not on "
                           "an attribute chain or an expression)")
            return
        if constant:
            problem = _constant_attr_problem(name.value, on_self)  # type: ignore[attr-defined]
            if problem:
                self.add(node, f"{fn}() with {problem} is not allowed")
            return
        prefix = self._computed_name_prefix(name)
        if prefix is not None and _safe_name_prefix(prefix):
            return
        if isinstance(name, ast.Name) and self._loops_over_names(name):
            return
        if on_self and isinstance(name, ast.Name) and self._safe_parameter(name):
            return
        self.add(node, f"{fn}() with a computed attribute name is not allowed (use a constant "
                       "name, f\"layer{i}\", 'layer%d' % i, a loop over a tuple of names, or "
                       "nn.ModuleList)")

    def _computed_name_prefix(self, name: ast.AST) -> str | None:
        """The constant start of f"x{i}", "x%d" % i or "x{}".format(i); None otherwise."""
        if isinstance(name, ast.JoinedStr) and name.values and isinstance(
                name.values[0], ast.Constant) and isinstance(name.values[0].value, str):
            return name.values[0].value
        if (isinstance(name, ast.BinOp) and isinstance(name.op, ast.Mod)
                and isinstance(name.left, ast.Constant) and isinstance(name.left.value, str)):
            return name.left.value.split("%", 1)[0]
        if (isinstance(name, ast.Call) and isinstance(name.func, ast.Attribute)
                and name.func.attr == "format" and isinstance(name.func.value, ast.Constant)
                and isinstance(name.func.value.value, str)):
            return name.func.value.value.split("{", 1)[0]
        return None

    def _loops_over_names(self, name: ast.Name) -> bool:
        """Every binding of this variable is a loop over a literal tuple of safe names."""
        fn = self.scopes.innermost_function(name)
        if fn is None or name.id in params(fn):
            return False
        key = (id(fn), name.id)
        if key not in self._loop_names:
            self._loop_names[key] = self._all_loops_over_names(fn, name.id)
        return self._loop_names[key]

    def _paired_names(self, target: ast.Tuple, b: ast.Name) -> list[str] | None:
        """`for name, m in (("a", x), ("b", y))`: the names at b's place, when every pair has a
        constant string there."""
        loop = self.parent(target)
        if not (isinstance(loop, ast.For | ast.comprehension) and loop.target is target):
            return None
        if not all(isinstance(e, ast.Name) for e in target.elts):
            return None
        k = target.elts.index(b)
        if not isinstance(loop.iter, ast.Tuple | ast.List) or not loop.iter.elts:
            return None
        out: list[str] = []
        for item in loop.iter.elts:
            if not (isinstance(item, ast.Tuple | ast.List) and len(item.elts) == len(target.elts)):
                return None
            v = item.elts[k]
            if not (isinstance(v, ast.Constant) and isinstance(v.value, str)):
                return None
            out.append(v.value)
        return out

    def _safe_parameter(self, name: ast.Name) -> bool:
        """setattr(self, name, m) in a method whose parameter `name` is never rebound, and every
        call of that method in the file (`self.method(...)`, nothing else refers to it) passes
        a safe constant name or f-string there."""
        fn = self.scopes.innermost_function(name)
        if not isinstance(fn, ast.FunctionDef) or fn.name.startswith("__") \
                or name.id not in params(fn) or self.scopes.rebinds(fn, name.id):
            return False
        positional = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args)]
        if name.id not in positional or positional.index(name.id) == 0:
            return False
        index = positional.index(name.id) - 1  # the first is self
        uses = [n for n in self._all_nodes if isinstance(n, ast.Attribute)
                and n.attr == fn.name] + [n for n in self._all_nodes
                                         if isinstance(n, ast.Name) and n.id == fn.name]
        if not uses:
            return False
        for use in uses:
            call = self.parent(use)
            if not (isinstance(use, ast.Attribute) and self.scopes.is_self(use.value)
                    and isinstance(call, ast.Call) and call.func is use):
                return False
            given = next((k.value for k in call.keywords if k.arg == name.id), None)
            if given is None and len(call.args) > index:
                given = call.args[index]
            if given is None or isinstance(given, ast.Starred):
                return False
            if isinstance(given, ast.Constant) and isinstance(given.value, str):
                if _constant_attr_problem(given.value, True):
                    return False
                continue
            prefix = self._computed_name_prefix(given)
            if prefix is None or not _safe_name_prefix(prefix):
                return False
        return True

    def _all_loops_over_names(self, fn: ast.AST, name: str) -> bool:
        bindings = self.scopes.bindings(fn).get(name, [])  # type: ignore[arg-type]
        if not bindings:
            return False
        for b in bindings:
            loop = self.parent(b)
            if isinstance(loop, ast.Tuple) and isinstance(b, ast.Name):
                names = self._paired_names(loop, b)
                if names is None or any(_constant_attr_problem(s, True) for s in names):
                    return False
                continue
            if not (isinstance(b, ast.Name) and isinstance(loop, ast.For | ast.comprehension)
                    and loop.target is b):
                return False
            names = _literal_strings(loop.iter)
            if names is None and isinstance(loop.iter, ast.Name):
                names = self.name_tuples.get(loop.iter.id)
            if not names or any(_constant_attr_problem(s, True) for s in names):
                return False
        return True

    # -- classes ---------------------------------------------------------------------------------
    def _check_bases(self, node: ast.ClassDef) -> None:
        if node.keywords:
            self.add(node, f"class {node.name}: class keywords (metaclass=...) are not allowed")
        for b in node.bases:
            if not _dotted(b):
                self.add(b, "class bases must be plain names such as nn.Module")
                continue
            if isinstance(b, ast.Name) and b.id in self.classes:
                continue  # a class of this file: checked where it is defined
            obj = self.resolve(b)
            if obj is _MISSING:
                if isinstance(b, ast.Name) and b.id in _BUILTIN_BASES:
                    continue  # class Error(ValueError)
                self.add(b, f"class {node.name}: the base class must be nn.Module, a torch/"
                            "typing class or a class defined in this file")
                continue
            if _resolver().is_tensor_class(obj):
                self.add(b, f"class {node.name}: subclassing torch.Tensor ({ast.unparse(b)}) is "
                            "not allowed: forward must return plain tensors")
            elif isinstance(obj, type) and issubclass(obj, type):
                self.add(b, f"class {node.name}: metaclasses are not allowed")

    def _check_plain_layer_list(self, node: ast.Assign) -> None:
        """self.layers = [nn.Conv2d(...), ...] hides the layers from training and counting."""
        value = node.value
        if not isinstance(value, _CONTAINERS):
            return
        for t in node.targets:
            if not (isinstance(t, ast.Attribute) and self.scopes.is_self(t.value)):
                continue
            if self._holds_layers(value):
                is_dict = isinstance(value, ast.Dict | ast.DictComp)
                kind, fix = ("dict", "nn.ModuleDict({...})") if is_dict else (
                    "list", "nn.ModuleList([...])")
                self.add(node, f"self.{t.attr} keeps layers in a plain Python {kind}: they are "
                               f"never trained or counted; use {fix}")

    def _holds_layers(self, value: ast.AST) -> bool:
        if isinstance(value, ast.List | ast.Tuple | ast.Set):
            elts = value.elts
        elif isinstance(value, ast.Dict):
            elts = list(value.values)
        elif isinstance(value, ast.DictComp):
            elts = [value.value]
        elif isinstance(value, ast.ListComp | ast.SetComp | ast.GeneratorExp):
            elts = [value.elt]
        else:
            return False
        return any(self._is_layer_call(e) for e in elts)

    def _is_layer_call(self, node: ast.AST) -> bool:
        if not isinstance(node, ast.Call):
            return False
        if isinstance(node.func, ast.Name) and node.func.id in self.layer_classes:
            return True
        return _resolver().is_layer_class(self.resolve(node.func))

    # -- the Net contract ------------------------------------------------------------------------
    def _check_net(self, tree: ast.Module) -> None:
        classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
        nets = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Net"]
        if not nets:
            other = [n for n in classes if n != "Net"]
            hint = f" (found: {', '.join(other)}; rename the model class to Net)" if other else ""
            self.add(tree, f"the model file must define a top-level class Net{hint}")
            return
        if len(nets) > 1:
            self.add(nets[1], "class Net is defined more than once")
        init = _find_init(nets[-1], classes, set())
        if init is None:
            self.add(nets[-1], "Net must define __init__(self, in_channels, num_classes)")
            return
        a = init.args
        names = {x.arg for x in [*a.args, *a.kwonlyargs]}
        missing = [k for k in ("in_channels", "num_classes") if k not in names]
        posonly = [k for k in ("in_channels", "num_classes") if k in {x.arg for x in a.posonlyargs}]
        if posonly:
            self.add(init, f"Net.__init__: {', '.join(posonly)} must be accepted as keywords "
                           "(not positional-only)")
        if missing and a.kwarg is None:
            self.add(init, f"Net.__init__ must accept {' and '.join(missing)} as keyword "
                           "arguments: def __init__(self, in_channels, num_classes)")


_BUILTIN_BASES = frozenset({
    "Exception", "ValueError", "RuntimeError", "TypeError", "KeyError", "IndexError",
    "AttributeError", "NotImplementedError", "ArithmeticError", "LookupError", "UserWarning",
    "Warning", "object", "tuple", "list", "dict",
})


def _stored_names(targets: list[ast.expr]) -> list[str]:
    return [n.id for t in targets for n in ast.walk(t)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]


def _plain_target(t: ast.AST) -> bool:
    if isinstance(t, ast.Name):
        return True
    return isinstance(t, ast.Tuple | ast.List) and all(isinstance(e, ast.Name) for e in t.elts)


def _literal_strings(node: ast.AST) -> list[str] | None:
    if isinstance(node, ast.Tuple | ast.List | ast.Set) and node.elts and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
        return [e.value for e in node.elts if isinstance(e, ast.Constant)
                and isinstance(e.value, str)]
    return None


def _small_repeat(node: ast.BinOp) -> bool:
    """[2] * 3: a literal list/tuple times a small int; strings and big counts are refused."""
    seq, count = ((node.left, node.right) if isinstance(node.left, ast.List | ast.Tuple)
                  else (node.right, node.left))
    return (isinstance(seq, ast.List | ast.Tuple) and len(seq.elts) <= 64
            and isinstance(count, ast.Constant) and type(count.value) is int
            and 0 <= count.value <= MAX_IMPORT_TIME_REPEAT)


def _find_init(cls: ast.ClassDef, classes: dict[str, ast.ClassDef],
               seen: set[str]) -> ast.FunctionDef | None:
    """Net.__init__, or the one it inherits from another class of the same file."""
    seen.add(cls.name)
    for stmt in cls.body:
        if isinstance(stmt, ast.FunctionDef) and stmt.name == "__init__":
            return stmt
    for b in cls.bases:
        if isinstance(b, ast.Name) and b.id in classes and b.id not in seen:
            found = _find_init(classes[b.id], classes, seen)
            if found is not None:
                return found
    return None
