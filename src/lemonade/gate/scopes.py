"""Which binding a name in a model file refers to, as far as the static check needs to know.

Three questions, answered from the syntax tree alone and conservatively (when in doubt: no):
- is this `self` the real first parameter of a method of a class in the file, never rebound?
- is this name a function parameter (so `input` is not the builtin)?
- where is a name bound inside a function (one walk per function, cached)?
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

Function = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda


def params(fn: Function) -> list[str]:
    a = fn.args
    names = [x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs)]
    names += [x.arg for x in (a.vararg, a.kwarg) if x is not None]
    return names


class Scopes:
    """Scope questions over one parsed module (`parents` maps id(child) -> parent node)."""

    def __init__(self, tree: ast.Module) -> None:
        self.parents: dict[int, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parents[id(child)] = node
        self._bindings: dict[int, dict[str, list[ast.AST]]] = {}

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.parents.get(id(node))

    def functions(self, node: ast.AST) -> Iterator[Function]:
        """The functions whose *body* holds node, innermost first (defaults, decorators and
        annotations run in the enclosing scope, so they do not count)."""
        child, cur = node, self.parent(node)
        while cur is not None:
            if isinstance(cur, ast.FunctionDef | ast.AsyncFunctionDef):
                # a child of a def is in its body unless it is its arguments, return annotation
                # or a decorator (checked without scanning the body: linear overall)
                if child is not cur.args and child is not cur.returns and not any(
                        child is d for d in cur.decorator_list):
                    yield cur
            elif isinstance(cur, ast.Lambda) and child is cur.body:
                yield cur
            child, cur = cur, self.parent(cur)

    def bindings(self, fn: Function) -> dict[str, list[ast.AST]]:
        """Every node inside fn's body that binds a name (assignment, loop, with, except,
        import, walrus, a nested parameter, global/nonlocal), by name; one walk per function."""
        if id(fn) not in self._bindings:
            found: dict[str, list[ast.AST]] = {}
            body = fn.body if isinstance(fn.body, list) else [fn.body]
            for stmt in body:
                for n in ast.walk(stmt):
                    for name in bound_names(n):
                        found.setdefault(name, []).append(n)
            self._bindings[id(fn)] = found
        return self._bindings[id(fn)]

    def rebinds(self, fn: Function, name: str) -> bool:
        return name in self.bindings(fn)

    def is_parameter(self, node: ast.Name) -> bool:
        """The name is a parameter of an enclosing function (it shadows a builtin)."""
        return any(node.id in params(fn) for fn in self.functions(node))

    def is_self(self, node: ast.AST) -> bool:
        """node is the first parameter of a method of a class in this file, never rebound."""
        if not isinstance(node, ast.Name):
            return False
        for fn in self.functions(node):
            if node.id in params(fn):
                return self._is_receiver(fn, node.id)
            if self.rebinds(fn, node.id):
                return False
        return False

    def _is_receiver(self, fn: Function, name: str) -> bool:
        if not isinstance(fn, ast.FunctionDef):
            return False
        if not isinstance(self.parent(fn), ast.ClassDef):  # a def in a class is in its body
            return False
        positional = [*fn.args.posonlyargs, *fn.args.args]
        if not positional or positional[0].arg != name:
            return False
        if any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in fn.decorator_list):
            return False
        return not self.rebinds(fn, name)

    def innermost_function(self, node: ast.AST) -> Function | None:
        return next(self.functions(node), None)


def bound_names(node: ast.AST) -> list[str]:
    """The names this one node binds in its scope."""
    if isinstance(node, ast.Name):
        return [node.id] if isinstance(node.ctx, ast.Store | ast.Del) else []
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, ast.Global | ast.Nonlocal):
        return list(node.names)
    if isinstance(node, ast.alias):
        return [node.asname or node.name.split(".")[0]]
    if isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar):
        return [node.name] if node.name else []
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.MatchMapping):
        return [node.rest] if node.rest else []
    return []
