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

This module holds `check_source` and the walker that runs the passes; the passes live in
`names` (imports, aliases, what holds a library object) and `calls` (names, attributes, calls),
their shared lookups in `resolve`, the lists they apply in `policy`.
"""


from __future__ import annotations

import ast

from lemonade.gate.annotations import annotations_of
from lemonade.gate.annotations import problem as annotation_problem
from lemonade.gate.calls import AttributeChecks
from lemonade.gate.policy import (
    DEFINABLE_DUNDERS,
    FORBIDDEN_NAMES,
    MAX_AST_DEPTH,
    MAX_SOURCE_CHARS,
    MAX_VIOLATIONS,
)
from lemonade.gate.resolve import (
    BUILTIN_BASES,
    CONTAINERS,
    MISSING,
    find_init,
    is_dotted,
    is_dunder,
    plain_target,
    resolver,
    small_repeat,
)
from lemonade.gate.violation import CodeRejected, Violation, cap

__all__ = [
    "CodeRejected", "Violation", "cap", "check_source", "drop_main_guard", "is_main_guard",
]


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



class _Checker(AttributeChecks):
    """The walker: runs the passes, then checks every node, the top level and the Net."""

    def run(self, tree: ast.Module) -> None:
        self._check_imports(tree)
        self._collect_top_level_names(tree)
        self._collect_library_bound(tree)
        self._check_top_level(tree)
        for node in ast.walk(tree):
            self._check_node(node)
        self._check_net(tree)

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
                if not all(plain_target(t) for t in targets):
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
            if not (is_dotted(target) and args_ok):
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
                    if not all(plain_target(t) for t in targets):
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
            if calls and obj is not MISSING and id(obj) in resolver().import_time_ids:
                return True
            return layers and resolver().is_layer_class(obj)
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Pow | ast.LShift):
                # 10 ** 10 ** 10 would hang the import; small powers (2 ** 8) are fine
                return all(isinstance(x, ast.Constant) and isinstance(x.value, int | float)
                           and abs(x.value) <= 64 for x in (node.left, node.right))
            if isinstance(node.op, ast.Mult) and any(
                    isinstance(x, ast.List | ast.Tuple | ast.Set)
                    or (isinstance(x, ast.Constant) and isinstance(x.value, str | bytes))
                    for x in (node.left, node.right)):
                return small_repeat(node) and ok(node.left) and ok(node.right)
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
            if is_dunder(node.name) and node.name not in DEFINABLE_DUNDERS:
                allowed = ", ".join(sorted(DEFINABLE_DUNDERS))
                self.add(node, f"defining {node.name!r} is not allowed (among the "
                               f"double-underscore methods only {allowed})")
        elif isinstance(node, ast.ClassDef):
            if is_dunder(node.name):
                self.add(node, f"the class name {node.name!r} is not allowed")
            self._check_bases(node)
        elif isinstance(node, ast.arg | ast.alias):
            name = node.arg if isinstance(node, ast.arg) else (node.asname or "")
            if is_dunder(name):
                self.add(node, f"the name {name!r} is not allowed")
        elif isinstance(node, ast.Global | ast.Nonlocal):
            for name in node.names:
                if is_dunder(name) or name in FORBIDDEN_NAMES:
                    self.add(node, f"the name {name!r} is not allowed")
        elif isinstance(node, ast.ExceptHandler) and node.name and is_dunder(node.name):
            self.add(node, f"the name {node.name!r} is not allowed")

    # -- classes ---------------------------------------------------------------------------------
    def _check_bases(self, node: ast.ClassDef) -> None:
        if node.keywords:
            self.add(node, f"class {node.name}: class keywords (metaclass=...) are not allowed")
        for b in node.bases:
            if not is_dotted(b):
                self.add(b, "class bases must be plain names such as nn.Module")
                continue
            if isinstance(b, ast.Name) and b.id in self.classes:
                continue  # a class of this file: checked where it is defined
            obj = self.resolve(b)
            if obj is MISSING:
                if isinstance(b, ast.Name) and b.id in BUILTIN_BASES:
                    continue  # class Error(ValueError)
                self.add(b, f"class {node.name}: the base class must be nn.Module, a torch/"
                            "typing class or a class defined in this file")
                continue
            if resolver().is_tensor_class(obj):
                self.add(b, f"class {node.name}: subclassing torch.Tensor ({ast.unparse(b)}) is "
                            "not allowed: forward must return plain tensors")
            elif isinstance(obj, type) and issubclass(obj, type):
                self.add(b, f"class {node.name}: metaclasses are not allowed")

    def _check_plain_layer_list(self, node: ast.Assign) -> None:
        """self.layers = [nn.Conv2d(...), ...] hides the layers from training and counting."""
        value = node.value
        if not isinstance(value, CONTAINERS):
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
        return resolver().is_layer_class(self.resolve(node.func))

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
        init = find_init(nets[-1], classes, set())
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

