"""The static check's import and name pass: what a model file imports (resolved on the real
modules), its top-level aliases of library objects, and which of its names, attributes and
functions may hold one (`NameChecks`, the base the other passes build on)."""

from __future__ import annotations

import ast
import types
from typing import Any

from lemonade.gate.policy import (
    ALLOWED_DOTTED,
    ALLOWED_IMPORTS,
)
from lemonade.gate.resolve import (
    MISSING,
    Resolver,
    allowed_module_name,
    attr_chain,
    import_alternative,
    is_dotted,
    is_dunder,
    literal_strings,
    module_attr,
    resolver,
    stored_names,
)
from lemonade.gate.scopes import Scopes
from lemonade.gate.violation import Violation, cap


class NameChecks:
    """The checker's state, and its first pass: imports, top-level aliases and tuples of names,
    and what may hold a library object."""

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


    def resolve(self, node: ast.AST) -> Any:
        """The library object an expression names (a chain from an import or a top-level alias),
        or MISSING when it is not such a chain or cannot be looked up."""
        root, chain = attr_chain(node)
        if not isinstance(root, ast.Name):
            return MISSING
        if root.id in self.roots:
            obj = self.roots[root.id]
        elif root.id in self.aliases:
            obj = self.aliases[root.id]
        else:
            return MISSING
        for link in chain:
            if obj is None or obj is MISSING:
                return MISSING
            obj = (module_attr(obj, link.attr) if isinstance(obj, types.ModuleType)
                   else getattr(obj, link.attr, MISSING))
        return MISSING if obj is None else obj

    # -- imports ---------------------------------------------------------------------------------
    def _check_imports(self, tree: ast.Module) -> None:
        allowed = ", ".join(ALLOWED_IMPORTS)
        res = resolver()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name not in ALLOWED_IMPORTS:
                        self.add(node, f"import of {a.name!r} is not allowed: "
                                       f"{import_alternative(a.name)} (allowed: {allowed})")
                        continue
                    if a.asname:
                        self.roots[a.asname] = res.modules.get(a.name)
                    else:
                        root = a.name.split(".")[0]
                        self.roots[root] = res.modules.get(root)
            elif isinstance(node, ast.ImportFrom):
                self._check_import_from(node, res, allowed)

    def _check_import_from(self, node: ast.ImportFrom, res: Resolver, allowed: str) -> None:
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
                           f"{import_alternative(mod, [a.name for a in node.names])} "
                           f"(allowed: {allowed})")
            return
        module = res.modules.get(mod)
        for a in node.names:
            if a.name == "*":
                self.add(node, f"'from {mod} import *' is not allowed: import names explicitly")
                continue
            obj = self._resolve_step(node, module, mod, a.name) if module is not None else None
            if obj is not MISSING:
                self.roots[a.asname or a.name] = obj

    def _resolve_step(self, node: ast.AST, obj: Any, dotted: str, attr: str) -> Any:
        """obj.attr for a module obj, with every rule on the way; MISSING after a violation."""
        full = f"{dotted}.{attr}"
        if is_dunder(attr) or attr.startswith("_"):
            self.add(node, f"access to private name {full!r} is not allowed")
            return MISSING
        nxt = module_attr(obj, attr)
        if nxt is MISSING:
            self.add(node, f"{dotted} has no attribute {attr!r}")
            return MISSING
        if full in ALLOWED_DOTTED:
            return nxt
        if isinstance(nxt, types.ModuleType) and not allowed_module_name(nxt.__name__):
            self.add(node, f"{full!r} (module {nxt.__name__}) is not allowed in a model file")
            return MISSING
        why = resolver().forbidden(nxt)
        if why:
            self.add(node, f"{full!r} ({why}) is not allowed in a model file")
            return MISSING
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
            obj = self.resolve(node.value) if is_dotted(node.value) else MISSING
            if obj is not MISSING and not isinstance(obj, types.ModuleType):
                self.aliases[name] = obj
            strings = literal_strings(node.value)
            if strings is not None:
                self.name_tuples[name] = strings
        # classes of this file that derive from nn.Module; a base is defined before its
        # subclasses, so two passes in source order settle it (and stay linear)
        ordered = sorted(self.classes.values(), key=lambda c: (c.lineno, c.col_offset))
        for _ in range(2):
            for cls in ordered:
                if any((isinstance(b, ast.Name) and b.id in self.layer_classes)
                       or resolver().is_layer_class(self.resolve(b)) for b in cls.bases):
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
                names.append((stored_names(targets), node.value))
                attrs.append(([t.attr for t in targets if isinstance(t, ast.Attribute)]
                              + (stored_names(targets) if isinstance(
                                  self.parent(node), ast.ClassDef) else []), node.value))
                if isinstance(node.value, ast.Lambda):
                    returns.append((stored_names(targets), node.value.body))
            elif isinstance(node, ast.NamedExpr):
                names.append(([node.target.id], node.value))
            elif isinstance(node, ast.For | ast.comprehension):
                names.append((stored_names([node.target]), node.iter))
            elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                names.append((stored_names([node.optional_vars]), node.context_expr))
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
            root, chain = attr_chain(n)
            if isinstance(root, ast.Name):
                reads.add(("n", root.id))
            reads.update(("a", link.attr) for link in chain)
            if not direct:
                obj = self.resolve(n)
                direct = obj is not MISSING and not isinstance(obj, types.ModuleType)
        return direct, reads
