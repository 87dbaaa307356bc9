"""Untrusted model code before any of it runs: cut it out of an LLM reply, check it statically.

The static check is a filter, not the wall: the real containment is the worker process
(`lemonade.sandbox`). It rejects early and with a clear message what a model file has no business
doing, so the proposer can repair it without paying for a process:

- imports outside the allow-list (DESIGN.md "Model file"), relative and star imports;
- builtins that run or load code or touch files (`eval`, `exec`, `open`, `__import__`, ...);
- dunder names and attributes (the classic `().__class__.__bases__[0].__subclasses__()` escape),
  frame/generator internals (`gi_frame.f_back.f_globals`), and `_private` attributes except on
  `self`;
- torch surfaces that load, save, compile or spawn (`torch.load`, `torch.hub`, `torch.utils`,
  `torch.ops`, `torch.jit`, `torch.multiprocessing`, ...). Attribute chains that start at an
  imported module are *resolved* against the real modules, so `torch.os.system`,
  `F.torch.load` or `typing.sys` are caught however they are spelt; a bare module name may only
  be the receiver of an attribute (`T = torch` would hide the chain);
- code that runs at import time: only imports, class and function definitions, constant
  assignments and docstrings at the top level (decorators, defaults and annotations are limited
  to constant-like expressions too);
- a missing `class Net`, or one whose constructor does not take `in_channels` and `num_classes`.

Parsing an LLM reply (`extract_code`) is pure and table-tested (tests/test_extract.py), after
FunSearch's `_trim_function_body`/`_sample_to_program`: small functions over awkward outputs.
"""

from __future__ import annotations

import ast
import re
import string
import types
from dataclasses import dataclass
from typing import Any

# Modules a model file may import (`import X` / `from X import ...`), per DESIGN.md.
ALLOWED_IMPORTS: tuple[str, ...] = (
    "torch", "torch.nn", "torch.nn.functional", "math", "typing", "collections", "functools",
)
# Modules an attribute chain may pass through (`torch.nn.init.kaiming_normal_`, `F.torch.cat`).
# Everything else reached from an allowed module (torch.os, typing.sys, F.np, torch.utils,
# torch.hub, torch.jit, torch.cuda, torch.distributed, ...) is rejected.
_ALLOWED_MODULES: frozenset[str] = frozenset({
    *ALLOWED_IMPORTS, "collections.abc",
    "torch.nn.init", "torch.nn.parameter", "torch.nn.common_types", "torch.nn.modules",
    "torch.nn.utils", "torch.nn.utils.parametrize", "torch.nn.utils.parametrizations",
    "torch.nn.utils.rnn", "torch.nn.utils.fusion", "torch.nn.utils.weight_norm",
    "torch.nn.utils.spectral_norm", "torch.nn.attention",
    "torch.fft", "torch.linalg", "torch.special", "torch.functional", "torch.autograd",
    "torch.autograd.function", "torch.autograd.grad_mode", "torch.types", "torch.return_types",
    "torch.amp", "torch.sparse",
})
_ALLOWED_MODULE_PREFIXES = ("torch.nn.modules.",)
# Allowed objects inside otherwise forbidden modules.
_ALLOWED_DOTTED = frozenset({"torch.cuda.is_available", "torch.cuda.device_count"})
# Functions of allowed modules that load/save files, evaluate strings, compile or change the
# process (threads): rejected by identity, whatever name or alias reaches them.
_FORBIDDEN_OBJECTS = (
    "torch.load", "torch.save", "torch.from_file", "torch.compile", "torch.set_num_threads",
    "torch.set_num_interop_threads", "torch.set_default_device", "typing.get_type_hints",
    "typing.ForwardRef", "torch.nn.Module.compile", "torch.nn.Module.share_memory",
    "torch.Tensor.share_memory_", "torch.Tensor.numpy",
)
# Builtins that run code, load modules, touch files or the interpreter.
FORBIDDEN_NAMES: frozenset[str] = frozenset({
    "__import__", "eval", "exec", "compile", "open", "input", "globals", "locals", "vars",
    "breakpoint", "memoryview", "help", "exit", "quit", "copyright", "credits", "license",
    "reload", "execfile", "file",
})
# Builtins that take an attribute name: fine with a constant (checked like `obj.name`) or an
# f-string with a safe constant prefix (`setattr(self, f"conv{i}", ...)`), nothing else.
_ATTR_BUILTINS = frozenset({"getattr", "setattr", "delattr", "hasattr"})
# Attributes that are dangerous on *runtime* objects, where the receiver cannot be resolved
# statically: frame and code internals, the numpy bridge (ndarray.tofile/dump write files),
# storage files and shared memory, torch's own save/load.
FORBIDDEN_ATTRS: frozenset[str] = frozenset({
    "gi_frame", "gi_code", "gi_yieldfrom", "cr_frame", "cr_code", "cr_await", "ag_frame",
    "ag_code", "f_globals", "f_builtins", "f_locals", "f_back", "f_code", "tb_frame", "tb_next",
    "co_code", "func_globals", "func_code", "im_func", "mro",
    "numpy", "tofile", "dump", "dumps", "from_file", "share_memory_", "share_memory",
    "load", "save", "compile", "format_map", "set_num_threads", "set_num_interop_threads",
    "DataLoader", "cpp_extension", "load_inline", "model_zoo",
})
ALLOWED_DUNDERS = frozenset({"__init__", "__future__"})
MAX_SOURCE_CHARS = 200_000  # a model file is a few KB; a megabyte of code is an attack or a bug


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
            self.violations = [Violation(0, 0, reason)]
            super().__init__(reason)
        else:
            self.violations = list(reason)
            super().__init__("; ".join(str(v) for v in self.violations))



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
        return [Violation(0, 0, f"cannot parse the model file ({type(e).__name__}: {e})")]
    checker = _Checker()
    try:
        checker.run(tree)
    except RecursionError:
        return [Violation(0, 0, "the model file is nested too deeply to check")]
    return sorted(set(checker.violations), key=lambda v: (v.line, v.col, v.message))


def _syntax_violation(source: str, e: SyntaxError) -> Violation:
    line = e.lineno or 0
    msg = e.msg or "invalid syntax"
    n_lines = len(source.rstrip().split("\n"))
    at_end = line >= n_lines - 1 or "EOF" in msg or "never closed" in msg
    truncated = at_end and any(k in msg for k in (
        "EOF", "never closed", "expected an indented block", "unterminated", "was not closed",
        "expected ':'", "invalid syntax"))
    hint = " (the code looks truncated: was the reply cut off?)" if truncated else ""
    return Violation(line, (e.offset or 1) - 1, f"syntax error: {msg}{hint}")


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
    return name in _ALLOWED_MODULES or name.startswith(_ALLOWED_MODULE_PREFIXES)


class _Resolver:
    """Looks attribute chains up on the real modules (imported once, in the checking process)."""

    _forbidden_ids: dict[int, str] | None = None

    def __init__(self) -> None:
        import importlib

        self.modules: dict[str, types.ModuleType] = {}
        for name in sorted(_ALLOWED_MODULES):
            try:
                self.modules[name] = importlib.import_module(name)
            except ImportError:  # an older torch without e.g. torch.nn.attention
                continue
        if _Resolver._forbidden_ids is None:
            ids: dict[int, str] = {}
            for dotted in _FORBIDDEN_OBJECTS:
                obj = self._lookup(dotted)
                if obj is not None:
                    ids[id(obj)] = dotted
            _Resolver._forbidden_ids = ids

    def _lookup(self, dotted: str) -> Any:
        head, *rest = dotted.split(".")
        obj: Any = self.modules.get(head)
        for part in rest:
            obj = getattr(obj, part, None)
            if obj is None:
                return None
        return obj

    def forbidden(self, obj: Any) -> str | None:
        return (self._forbidden_ids or {}).get(id(obj))


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


class _Checker:
    def __init__(self) -> None:
        self.violations: list[Violation] = []
        self.roots: dict[str, Any] = {}  # name bound by an import -> the object it names
        self.reported_chains: set[int] = set()

    # -- helpers ---------------------------------------------------------------------------------
    def add(self, node: ast.AST, message: str) -> None:
        self.violations.append(Violation(getattr(node, "lineno", 0),
                                         getattr(node, "col_offset", 0), message))

    def run(self, tree: ast.Module) -> None:
        self._check_imports(tree)
        self._check_top_level(tree)
        parents: dict[int, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                parents[id(child)] = node
        self.parents = parents
        for node in ast.walk(tree):
            self._check_node(node)
        self._check_net(tree)

    # -- imports ---------------------------------------------------------------------------------
    def _check_imports(self, tree: ast.Module) -> None:
        allowed = ", ".join(ALLOWED_IMPORTS)
        res = _resolver()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name not in ALLOWED_IMPORTS:
                        self.add(node, f"import of {a.name!r} is not allowed (allowed: {allowed})")
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
            self.add(node, f"import from {mod!r} is not allowed (allowed: {allowed})")
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
        if full in _ALLOWED_DOTTED:
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
                if not all(isinstance(t, ast.Name) for t in targets):
                    self.add(node, "top-level assignments may only bind plain names")
                elif value is not None and not self._static_expr(value):
                    self.add(node, "top-level assignments must be constants (numbers, strings, "
                                   "tuples, names such as nn.ReLU); code that runs at import "
                                   "time is not allowed: move it into Net")
                if isinstance(node, ast.AnnAssign) and not self._static_expr(node.annotation):
                    self.add(node, "annotation must be a plain type")
                continue
            if _is_main_guard(node):
                self.add(node, "remove the `if __name__ == \"__main__\":` block: a model file "
                               "only defines Net")
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
            if not (self._dotted(target) and args_ok):
                self.add(d, "decorators must be plain names (e.g. @staticmethod, "
                            "@torch.no_grad()) with constant arguments")
        if isinstance(node, ast.ClassDef):
            for b in node.bases:
                if not self._dotted(b):
                    self.add(b, "class bases must be plain names such as nn.Module")
            if node.keywords:
                self.add(node, f"class {node.name}: class keywords (metaclass=...) are not "
                               "allowed")
            for i, stmt in enumerate(node.body):
                if isinstance(stmt, ast.ClassDef | ast.FunctionDef):
                    self._check_definition(stmt)
                elif isinstance(stmt, ast.Pass) or (
                        isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
                        and (i == 0 or stmt.value.value is ...)):
                    continue
                elif isinstance(stmt, ast.Assign | ast.AnnAssign):
                    if stmt.value is not None and not self._static_expr(stmt.value):
                        self.add(stmt, f"class {node.name}: class attributes must be constants "
                                       "(code in a class body runs at import time); set them "
                                       "in __init__")
                    if isinstance(stmt, ast.AnnAssign) and not self._static_expr(stmt.annotation):
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

    def _dotted(self, node: ast.AST) -> bool:
        while isinstance(node, ast.Attribute):
            node = node.value
        return isinstance(node, ast.Name)

    def _static_expr(self, node: ast.AST) -> bool:
        """Cheap, side-effect-free, bounded: literals, names, attribute chains, small arithmetic."""
        if isinstance(node, ast.Constant | ast.Name):
            return True
        if isinstance(node, ast.Attribute):
            return self._static_expr(node.value)
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return all(self._static_expr(e) for e in node.elts)
        if isinstance(node, ast.Dict):
            return all(k is None or self._static_expr(k) for k in node.keys) and all(
                self._static_expr(v) for v in node.values)
        if isinstance(node, ast.UnaryOp):
            return self._static_expr(node.operand)
        if isinstance(node, ast.Subscript):  # Optional[int], list[torch.Tensor]
            return self._static_expr(node.value) and self._static_expr(node.slice)
        if isinstance(node, ast.Lambda):  # defines, does not run
            return True
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Pow | ast.LShift):
                # 10 ** 10 ** 10 would hang the import; small powers (2 ** 8) are fine
                return all(isinstance(x, ast.Constant) and isinstance(x.value, int | float)
                           and abs(x.value) <= 64 for x in (node.left, node.right))
            if isinstance(node.op, ast.Mult) and any(
                    isinstance(x, ast.List | ast.Tuple | ast.Set)
                    or (isinstance(x, ast.Constant) and isinstance(x.value, str | bytes))
                    for x in (node.left, node.right)):
                return False  # "x" * 10**9 allocates at import time
            return self._static_expr(node.left) and self._static_expr(node.right)
        return False

    # -- every node ------------------------------------------------------------------------------
    def _check_node(self, node: ast.AST) -> None:
        if isinstance(node, ast.Name):
            self._check_name(node)
        elif isinstance(node, ast.Attribute):
            self._check_attribute(node)
        elif isinstance(node, ast.Call):
            self._check_call(node)
        elif isinstance(node, ast.AsyncFunctionDef | ast.AsyncFor | ast.AsyncWith | ast.Await):
            self.add(node, "async code is not allowed in a model file")
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            if _is_dunder(node.name) and node.name not in ALLOWED_DUNDERS:
                self.add(node, f"defining {node.name!r} is not allowed (only __init__ among the "
                               "double-underscore names)")
        elif isinstance(node, ast.arg | ast.alias):
            name = node.arg if isinstance(node, ast.arg) else (node.asname or "")
            if _is_dunder(name):
                self.add(node, f"the name {name!r} is not allowed")
        elif isinstance(node, ast.Global | ast.Nonlocal):
            for name in node.names:
                if _is_dunder(name) or name in FORBIDDEN_NAMES:
                    self.add(node, f"the name {name!r} is not allowed")

    def _check_name(self, node: ast.Name) -> None:
        name = node.id
        if name in FORBIDDEN_NAMES:
            self.add(node, f"use of {name!r} is not allowed in a model file")
            return
        if _is_dunder(name) and name not in ALLOWED_DUNDERS:
            self.add(node, f"access to {name!r} is not allowed in a model file")
            return
        if name in _ATTR_BUILTINS:
            parent = self.parents.get(id(node))
            if not (isinstance(parent, ast.Call) and parent.func is node):
                self.add(node, f"{name!r} may only be called directly")
            return
        if name in self.roots:
            if isinstance(node.ctx, ast.Store | ast.Del):
                self.add(node, f"rebinding the imported name {name!r} is not allowed")
                return
            parent = self.parents.get(id(node))
            if isinstance(self.roots[name], types.ModuleType) and not (
                    isinstance(parent, ast.Attribute) and parent.value is node):
                self.add(node, f"the module {name!r} may only be used as `{name}.something` "
                               "(passing or aliasing a module hides what is used from it)")

    def _chain(self, node: ast.Attribute) -> tuple[ast.AST, list[ast.Attribute]]:
        chain: list[ast.Attribute] = []
        cur: ast.AST = node
        while isinstance(cur, ast.Attribute):
            chain.append(cur)
            cur = cur.value
        chain.reverse()
        return cur, chain

    def _check_attribute(self, node: ast.Attribute) -> None:
        attr = node.attr
        if _is_dunder(attr) and attr not in ALLOWED_DUNDERS:
            self.add(node, f"access to attribute {attr!r} is not allowed in a model file")
            return
        if attr in FORBIDDEN_ATTRS:  # and go on: the chain may say more (torch.jit.load)
            self.add(node, f"access to attribute {attr!r} is not allowed in a model file")
        parent = self.parents.get(id(node))
        if isinstance(parent, ast.Attribute) and parent.value is node:
            return  # checked as part of the longest chain
        root, chain = self._chain(node)
        if isinstance(root, ast.Name) and root.id in self.roots:
            self._check_module_chain(root, chain)
        elif _is_private(attr) and not (isinstance(node.value, ast.Name)
                                           and node.value.id in ("self", "cls")):
            self.add(node, f"access to private attribute {attr!r} is not allowed "
                           "(except on self)")
        else:
            for link in chain[:-1]:  # private links inside a chain (x._data.y)
                if _is_private(link.attr) and not (
                        isinstance(link.value, ast.Name) and link.value.id in ("self", "cls")):
                    self.add(link, f"access to private attribute {link.attr!r} is not allowed "
                                   "(except on self)")

    def _check_module_chain(self, root: ast.Name, chain: list[ast.Attribute]) -> None:
        obj = self.roots[root.id]
        dotted = root.id
        for i, link in enumerate(chain):
            if isinstance(obj, types.ModuleType) and i + 1 < len(chain) and (
                    f"{obj.__name__}.{link.attr}.{chain[i + 1].attr}" in _ALLOWED_DOTTED):
                return  # torch.cuda.is_available()
            if isinstance(link.ctx, ast.Store | ast.Del) and isinstance(obj, types.ModuleType):
                self.add(link, f"modifying {dotted}.{link.attr} (a library module) is not "
                               "allowed")
                return
            if not isinstance(obj, types.ModuleType):
                # a class or function: its attributes are checked by name
                if link.attr.startswith("_") and link.attr not in ALLOWED_DUNDERS:
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
                obj = None if nxt is _MISSING else nxt
                dotted = f"{dotted}.{link.attr}"
                continue
            name = obj.__name__ if isinstance(obj, types.ModuleType) else dotted
            nxt = self._resolve_step(link, obj, name, link.attr)
            if nxt is _MISSING:
                return
            obj = nxt
            dotted = f"{dotted}.{link.attr}"

    def _check_call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id in _ATTR_BUILTINS:
            if len(node.args) < 2:
                self.add(node, f"{func.id}() needs an object and an attribute name")
                return
            target, name = node.args[0], node.args[1]
            if isinstance(target, ast.Name) and target.id in self.roots:
                self.add(node, f"{func.id}() on the module {target.id!r} is not allowed")
                return
            self._check_attr_name_arg(node, func.id, name)
        elif isinstance(func, ast.Attribute) and func.attr == "format":
            fmt = func.value
            if not (isinstance(fmt, ast.Constant) and isinstance(fmt.value, str)):
                self.add(node, "str.format() is only allowed on a literal string")
            elif _format_reaches_attributes(fmt.value):
                self.add(node, "format fields with attribute or index access ({0.x}, {0[k]}) "
                               "are not allowed")

    def _check_attr_name_arg(self, node: ast.Call, fn: str, name: ast.AST) -> None:
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            attr = name.value
            if (_is_dunder(attr) and attr not in ALLOWED_DUNDERS) or attr in FORBIDDEN_ATTRS:
                self.add(node, f"{fn}() with the attribute {attr!r} is not allowed")
            elif attr.startswith("_") and not (isinstance(node.args[0], ast.Name)
                                               and node.args[0].id in ("self", "cls")):
                self.add(node, f"{fn}() with the private attribute {attr!r} is not allowed "
                               "(except on self)")
            return
        if isinstance(name, ast.JoinedStr) and name.values and isinstance(
                name.values[0], ast.Constant) and isinstance(name.values[0].value, str):
            prefix = name.values[0].value
            # The computed name starts with this prefix: safe if no forbidden name could.
            if re.match(r"[A-Za-z]", prefix) and not any(
                    bad.startswith(prefix) or prefix.startswith(bad) for bad in FORBIDDEN_ATTRS):
                return
        self.add(node, f"{fn}() with a computed attribute name is not allowed (use a constant "
                       "name, an f-string such as f\"layer{i}\", or nn.ModuleList)")

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

def _is_main_guard(node: ast.stmt) -> bool:
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    parts = [node.test.left, *node.test.comparators]
    names = [p for p in parts if isinstance(p, ast.Name) and p.id == "__name__"]
    consts = [p for p in parts if isinstance(p, ast.Constant) and p.value == "__main__"]
    return bool(names and consts)
