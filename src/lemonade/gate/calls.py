"""The static check's rules for names, attributes and calls: forbidden builtins and attributes,
attribute chains from imported modules, stores on library objects, `getattr`/`setattr` and the
attribute names they compute (`AttributeChecks`)."""

from __future__ import annotations

import ast
import types

from lemonade.gate.names import NameChecks
from lemonade.gate.policy import (
    ALLOWED_DOTTED,
    ALLOWED_DUNDERS,
    ATTR_BUILTINS,
    FORBIDDEN_ATTRS,
    FORBIDDEN_NAMES,
    READABLE_DUNDER_ATTRS,
    SELF_ATTR_METHODS,
    TOP_LEVEL_DUNDERS,
)
from lemonade.gate.resolve import (
    MISSING,
    allowed_module_name,
    attr_chain,
    constant_attr_problem,
    format_reaches_attributes,
    is_dunder,
    is_private,
    literal_strings,
    resolver,
    safe_name_prefix,
)
from lemonade.gate.scopes import params


class AttributeChecks(NameChecks):
    """Names, attributes and calls: forbidden builtins and attributes, module chains,
    stores on library objects, getattr/setattr and their attribute names."""

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


    def _check_name(self, node: ast.Name) -> None:
        name = node.id
        parent = self.parent(node)
        if name in FORBIDDEN_NAMES:
            if isinstance(node.ctx, ast.Load) and self.scopes.is_parameter(node):
                return  # def forward(self, input): the parameter, not the builtin
            self.add(node, f"use of {name!r} is not allowed in a model file"
                     + (" (rename the variable)" if isinstance(node.ctx, ast.Store) else ""))
            return
        if is_dunder(name) and name not in ALLOWED_DUNDERS:
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
        if is_dunder(attr) and attr not in ALLOWED_DUNDERS:
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
        root, chain = attr_chain(node)
        if isinstance(root, ast.Name) and root.id in self.roots:
            self._check_module_chain(root, chain)
            return
        if isinstance(node.ctx, ast.Store | ast.Del):
            self._check_store_target(node)
        for link in chain:
            self._check_unbound_method(link)
        for link in chain:  # private links (x._data.y), except directly on self
            if is_private(link.attr) and not is_dunder(link.attr) and not (
                    link is chain[0] and self.scopes.is_self(link.value)
                    and link.attr not in resolver().runtime_private):
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
                nxt = getattr(obj, link.attr, MISSING) if obj is not None else None
                if nxt is not None and nxt is not MISSING and resolver().forbidden(nxt):
                    self.add(link, f"{dotted}.{link.attr} is not allowed in a model file")
                    return
                if isinstance(nxt, types.ModuleType) and not allowed_module_name(nxt.__name__):
                    self.add(link, f"{dotted}.{link.attr} (module {nxt.__name__}) is not "
                                   "allowed in a model file")
                    return
                obj = None if nxt is MISSING else nxt
                dotted = f"{dotted}.{link.attr}"
                continue
            name = obj.__name__
            nxt = self._resolve_step(link, obj, name, link.attr)
            if nxt is MISSING:
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
            elif format_reaches_attributes(fmt.value):
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
            problem = constant_attr_problem(name.value, on_self)  # type: ignore[attr-defined]
            if problem:
                self.add(node, f"{fn}() with {problem} is not allowed")
            return
        prefix = self._computed_name_prefix(name)
        if prefix is not None and safe_name_prefix(prefix):
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
                if constant_attr_problem(given.value, True):
                    return False
                continue
            prefix = self._computed_name_prefix(given)
            if prefix is None or not safe_name_prefix(prefix):
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
                if names is None or any(constant_attr_problem(s, True) for s in names):
                    return False
                continue
            if not (isinstance(b, ast.Name) and isinstance(loop, ast.For | ast.comprehension)
                    and loop.target is b):
                return False
            names = literal_strings(loop.iter)
            if names is None and isinstance(loop.iter, ast.Name):
                names = self.name_tuples.get(loop.iter.id)
            if not names or any(constant_attr_problem(s, True) for s in names):
                return False
        return True

