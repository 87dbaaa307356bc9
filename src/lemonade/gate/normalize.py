"""The contract normalizer: a model file as LLMs (and people) write it -> the `Net` contract.

It runs between reply extraction and the static check, on the host: pure (no torch import),
deterministic, working on the syntax tree and editing the text at the tree's positions (comments
and layout of what is kept stay). It only does what needs no guessing:

- chooses the model class when none is called `Net` (the top-level nn.Module subclass no other
  class uses; among several, the one the file instantiates) and renames it `Net`;
- gives it the `Net(in_channels, num_classes)` interface: known synonyms (`n_classes`,
  `in_ch`, ...) are renamed, `in_shape`/`out_shape` tuples are built from the two, missing
  arguments are added; a first layer or a classifier that hard-codes the dataset's figures
  takes the argument instead, and one that hard-codes *other* figures is refused, naming the line;
- removes what never runs when lemonade builds, trains and measures the model: methods not
  reachable from `__init__`/`forward` of the model's classes, `__repr__`/`extra_repr`, functions
  and classes nothing kept uses, script code, the `if __name__ == "__main__":` block, then the
  imports nothing kept uses;
- makes TorchScript decorators, `torch.jit.annotate` and `torch.jit.is_scripting()` no-ops.

What it changed comes back as one line (`Normalized.note`), for the store, the report and the
feedback memory. The static check then runs, unchanged, on the result: the wall does not move.
"""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass, field

from lemonade.gate.policy import ALLOWED_IMPORTS
from lemonade.gate.static import is_main_guard
from lemonade.gate.textedit import Edit, Text, first_line
from lemonade.gate.violation import CodeRejected, Violation, cap

# Constructor arguments that mean the input channels / the class count.
CHANNEL_NAMES = ("in_channels", "in_ch", "in_chans", "img_channels", "input_channels",
                 "image_channels", "in_c", "n_channels", "num_channels", "input_channel",
                 "in_channel", "inp_channels", "channels_in", "c_in", "input_dim_channels",
                 "channels", "n_input_channels", "num_input_channels")
CLASS_NAMES = ("num_classes", "n_classes", "class_num", "classes", "num_class", "nclasses",
               "n_class", "num_labels", "num_outputs", "n_outputs", "output_classes",
               "out_features", "num_out", "output_dim", "out_dim", "n_out", "output_size")
# Synonyms that name something else as often as not: mapped only when the first layer (the
# classifier) uses them.
AMBIGUOUS = frozenset({"channels", "num_channels", "n_channels", "out_features", "output_dim",
                       "out_dim", "output_size", "n_out", "num_out"})
IN_SHAPE_NAMES = ("in_shape", "input_shape", "img_shape", "image_shape", "in_size_chw")
OUT_SHAPE_NAMES = ("out_shape", "output_shape")
# Methods nothing in lemonade calls; LLMs copy them from library code.
DROPPED_METHODS = frozenset({"__repr__", "__str__", "extra_repr"})
ROOT_METHODS = ("__init__", "forward")
_JIT_DECORATORS = frozenset({"script", "unused", "ignore", "export", "script_method",
                             "script_if_tracing", "_overload_method", "interface"})
_JIT_FALSE_CALLS = frozenset({"is_scripting", "is_tracing"})


@dataclass
class Normalized:
    code: str
    changes: list[str] = field(default_factory=list)

    @property
    def note(self) -> str:
        """What changed, in one line ('' when nothing did)."""
        return cap(", ".join(self.changes), 400)


def original_line(original: str, normalized: str, line: int) -> int:
    """The line of `original` that line `line` of `normalized` came from (itself if unsure):
    refusals of a normalized file name the line the author wrote."""
    if original == normalized or line <= 0:
        return line
    import difflib

    a, b = original.split("\n"), normalized.split("\n")
    for block in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
        if block.b <= line - 1 < block.b + block.size:
            return block.a + (line - 1 - block.b) + 1
    return line


_LINE_REF = re.compile(r"\bline (\d+)")


def author_lines(text: str, original: str, normalized: str) -> str:
    """`text` (an error raised by the normalized file: "model.py line 106", "line 40: `x.view`")
    with every "line N" naming the line the author wrote instead (`original_line`)."""
    if original == normalized:
        return text
    return _LINE_REF.sub(lambda m: f"line {original_line(original, normalized, int(m[1]))}",
                         text)


def normalize_source(source: str, in_channels: int | None = None,
                     num_classes: int | None = None,
                     image_size: tuple[int, int] | list[int] | None = None) -> Normalized:
    """The model file made to fit the contract, and what was changed.

    `in_channels`, `num_classes`, `image_size`: the dataset's (None: unknown; then hard-coded
    figures are kept as they are). Raises CodeRejected (with the line) for what cannot be fixed
    without guessing. A file that does not parse comes back unchanged: the static check says
    where the syntax error is.
    """
    try:
        return _normalize(source, in_channels, num_classes, image_size)
    except CodeRejected:
        raise
    except Exception:  # a file this module does not understand: the static check judges it
        return Normalized(source)


def _normalize(source: str, in_channels: int | None, num_classes: int | None,
               image_size: tuple[int, int] | list[int] | None) -> Normalized:
    tree = _parse(source)
    if tree is None:
        return Normalized(source)
    out = Normalized(source)
    model = _choose_model(tree)
    if model is None:
        return out
    calls = _instantiations(tree, model)
    out.code = _pass(out, _torchscript_edits, out.code)
    dims = _Dims(in_channels, num_classes, tuple(image_size) if image_size else None)
    # the interface first: defaults taken from the file's own call may name its classes
    out.code = _pass(out, lambda t, tr, ch: _interface_edits(t, tr, ch, model, dims, calls),
                     out.code)
    out.code = _pass(out, lambda t, tr, ch: _removal_edits(t, tr, ch, "Net"), out.code)
    out.code = _pass(out, _import_edits, out.code)
    if out.code != source:
        out.code = _tidy(out.code)
    out.changes.sort(key=_order)
    return out


def _order(change: str) -> int:
    for i, head in enumerate(("renamed", "added", "used", "built", "took", "removed")):
        if change.startswith(head):
            return i
    return 9


def _tidy(code: str) -> str:
    """No runs of more than two blank lines, one newline at the end (after removals)."""
    out: list[str] = []
    blank = 0
    for line in code.split("\n"):
        blank = blank + 1 if not line.strip() else 0
        if blank <= 2:
            out.append(line.rstrip() if not line.strip() else line)
    return "\n".join(out).strip("\n") + "\n"


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _pass(out: Normalized, fn: object, code: str) -> str:
    tree = _parse(code)
    if tree is None:
        return code
    text = Text(code)
    changes: list[str] = []
    edits = fn(text, tree, changes)  # type: ignore[operator]
    if not edits:
        return code
    new = text.apply(edits)
    if _parse(new) is None:  # an edit this module should not make; keep the file as it was
        return code
    out.changes.extend(changes)
    return new


# -- which class is the model ----------------------------------------------------------------
def _base_text(b: ast.expr) -> str:
    try:
        return ast.unparse(b)
    except (ValueError, RecursionError):
        return ""


def _torch_nn_names(tree: ast.Module) -> set[str]:
    """Names bound by `from torch.nn import Module, Sequential`."""
    return {a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom)
            and n.module in ("torch.nn", "torch.nn.modules") for a in n.names}


def module_classes(tree: ast.Module) -> dict[str, ast.ClassDef]:
    """Top-level classes deriving (in the file or from torch.nn) from nn.Module."""
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    nn_names = _torch_nn_names(tree)
    found: dict[str, ast.ClassDef] = {}
    for _ in range(len(classes) + 1):
        for name, cls in classes.items():
            if name in found:
                continue
            for b in cls.bases:
                text = _base_text(b)
                if (text.startswith(("nn.", "torch.nn.")) or text in nn_names
                        or text in found):
                    found[name] = cls
                    break
    return {k: classes[k] for k in classes if k in found}


def _names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _choose_model(tree: ast.Module) -> str | None:
    mods = module_classes(tree)
    if "Net" in mods or not mods:
        return "Net" if "Net" in mods else None
    used = {name for other, cls in mods.items()
            for name in _names_in(cls) if name in mods and name != other}
    roots = [n for n in mods if n not in used]
    if len(roots) == 1:
        return roots[0]
    script = [n for n in tree.body if not isinstance(n, ast.ClassDef | ast.FunctionDef
                                                     | ast.Import | ast.ImportFrom)]
    for where in (script, [n for n in tree.body if isinstance(n, ast.FunctionDef)]):
        called = {c.func.id for s in where for c in ast.walk(s)
                  if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)}
        picked = [n for n in (roots or list(mods)) if n in called]
        if len(picked) == 1:
            return picked[0]
    names = ", ".join(roots or list(mods))
    first = mods[(roots or list(mods))[0]]
    raise CodeRejected([Violation(first.lineno, first.col_offset, cap(
        f"several model classes ({names}) and nothing says which one is the model: name the "
        "one to train Net (class Net(nn.Module) with __init__(self, in_channels, num_classes))"))])


def _instantiations(tree: ast.Module, model: str) -> list[ast.Call]:
    """Calls of the model class anywhere in the file (script code, main guard, factories)."""
    return [c for c in ast.walk(tree) if isinstance(c, ast.Call)
            and isinstance(c.func, ast.Name) and c.func.id == model]


# -- TorchScript no-ops ----------------------------------------------------------------------
def _is_jit(node: ast.expr, names: frozenset[str]) -> bool:
    text = _base_text(node.func if isinstance(node, ast.Call) else node)
    parts = text.split(".")
    return len(parts) >= 2 and parts[-2] == "jit" and parts[-1] in names


def _torchscript_edits(text: Text, tree: ast.Module, changes: list[str]) -> list[Edit]:
    edits: list[Edit] = []
    n_deco = n_calls = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            for d in node.decorator_list:
                if _is_jit(d, _JIT_DECORATORS):
                    a, b = text.span(d)
                    edits.append(Edit(a - 1, b, ""))  # the '@' too; the line stays (blank)
                    n_deco += 1
        elif isinstance(node, ast.Call):
            if _is_jit(node, _JIT_FALSE_CALLS) and not node.args:
                edits.append(text.replace(node, "False"))
                n_calls += 1
            elif _is_jit(node, frozenset({"annotate"})) and len(node.args) == 2:
                edits.append(text.replace(node, f"({text.segment(node.args[1])})"))
                n_calls += 1
    if n_deco:
        changes.append("dropped TorchScript decorators")
    if n_calls:
        changes.append("made torch.jit calls no-ops")
    return edits


# -- what never runs -------------------------------------------------------------------------
def _top_binders(tree: ast.Module) -> dict[str, list[ast.stmt]]:
    out: dict[str, list[ast.stmt]] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            out.setdefault(stmt.name, []).append(stmt)
        elif isinstance(stmt, ast.Import | ast.ImportFrom):
            for a in stmt.names:
                out.setdefault(a.asname or a.name.split(".")[0], []).append(stmt)
        elif not is_main_guard(stmt):
            for n in ast.walk(stmt):
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                    out.setdefault(n.id, []).append(stmt)
                elif isinstance(n, ast.alias):
                    out.setdefault(n.asname or n.name.split(".")[0], []).append(stmt)
    return out


def _refs(node: ast.AST) -> tuple[set[str], set[str]]:
    """(names read, attribute names and string constants) anywhere in node."""
    names: set[str] = set()
    attrs: set[str] = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            names.add(n.id)
        elif isinstance(n, ast.Attribute):
            attrs.add(n.attr)
        elif isinstance(n, ast.Constant) and isinstance(n.value, str) and len(n.value) < 80:
            attrs.add(n.value)
    return names, attrs


class _Reach:
    """What the model needs, from its class outwards: top-level statements and methods."""

    def __init__(self, tree: ast.Module, model: str) -> None:
        self.binders = _top_binders(tree)
        self.mods = module_classes(tree)
        self.kept: set[int] = set()  # id() of kept top-level statements
        self.methods: set[int] = set()  # id() of kept methods of module classes
        self.attrs: set[str] = set()
        self.pending: list[ast.AST] = []
        self._keep_name(model)
        while True:
            while self.pending:
                self._scan(self.pending.pop())
            more = [m for cls in self._kept_modules() for m in cls.body
                    if isinstance(m, ast.FunctionDef) and id(m) not in self.methods
                    and m.name not in DROPPED_METHODS and m.name in self.attrs]
            if not more:
                break
            for m in more:
                self.methods.add(id(m))
                self.pending.append(m)

    def _kept_modules(self) -> list[ast.ClassDef]:
        return [c for c in self.mods.values() if id(c) in self.kept]

    def _keep_name(self, name: str) -> None:
        for stmt in self.binders.get(name, []):
            if id(stmt) in self.kept:
                continue
            self.kept.add(id(stmt))
            if isinstance(stmt, ast.ClassDef) and stmt.name in self.mods:
                for part in [*stmt.bases, *stmt.keywords, *stmt.decorator_list]:
                    self.pending.append(part)
                for m in stmt.body:
                    if isinstance(m, ast.FunctionDef | ast.AsyncFunctionDef):
                        if m.name in (*ROOT_METHODS, "__len__"):
                            self.methods.add(id(m))
                            self.pending.append(m)
                    else:
                        self.pending.append(m)
            elif not isinstance(stmt, ast.Import | ast.ImportFrom):
                self.pending.append(stmt)

    def _scan(self, node: ast.AST) -> None:
        names, attrs = _refs(node)
        self.attrs |= attrs
        for name in names:
            self._keep_name(name)


def _removal_edits(text: Text, tree: ast.Module, changes: list[str], model: str) -> list[Edit]:
    reach = _Reach(tree, model)
    edits: list[Edit] = []
    removed: list[str] = []
    script = guard = False
    for i, stmt in enumerate(tree.body):
        if id(stmt) in reach.kept or isinstance(stmt, ast.Import | ast.ImportFrom):
            if isinstance(stmt, ast.ClassDef) and stmt.name in reach.mods:
                for m in stmt.body:
                    if isinstance(m, ast.FunctionDef | ast.AsyncFunctionDef) \
                            and id(m) not in reach.methods:
                        edits.append(text.delete_lines(first_line(m), m.end_lineno or m.lineno))
                        removed.append(m.name)
            continue
        if i == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # the module docstring
        edits.append(text.delete_lines(first_line(stmt), stmt.end_lineno or stmt.lineno))
        if is_main_guard(stmt):
            guard = True
        elif isinstance(stmt, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            removed.append(stmt.name)
        else:
            script = True
    what = list(dict.fromkeys(removed))
    if len(what) > 6:
        what = [*what[:6], f"{len(what) - 6} more"]
    if guard:
        what.append("the __main__ block")
    if script:
        what.append("top-level script code")
    if what:
        changes.append("removed " + ", ".join(what))
    return edits


# -- the Net(in_channels, num_classes) interface -------------------------------------------------
@dataclass(frozen=True)
class _Dims:
    channels: int | None
    classes: int | None
    size: tuple[int, ...] | None


def _layer_calls(init: ast.FunctionDef) -> list[ast.Call]:
    calls = [c for c in ast.walk(init) if isinstance(c, ast.Call)]
    return sorted(calls, key=lambda c: (c.lineno, c.col_offset))


def _callee(c: ast.Call) -> str:
    return _base_text(c.func).split(".")[-1]


def _arg(c: ast.Call, pos: int, *keys: str) -> ast.expr | None:
    for k in c.keywords:
        if k.arg in keys:
            return k.value
    return c.args[pos] if len(c.args) > pos and not isinstance(c.args[pos], ast.Starred) \
        else None


def _first_layer_in(init: ast.FunctionDef, blocks: dict[str, ast.ClassDef] | None = None,
                    depth: int = 0) -> ast.expr | None:
    """The input-channels argument of the first convolution built in __init__, also when the
    file's own block builds it: `ConvBNReLU(3, 32)`, where ConvBNReLU passes its first argument
    on as its first convolution's in_channels, gives the `3`."""
    for c in _layer_calls(init):
        if _callee(c) in ("Conv2d", "Conv1d", "Conv3d", "LazyConv2d"):
            return _arg(c, 0, "in_channels")
        block = (blocks or {}).get(c.func.id) if isinstance(c.func, ast.Name) else None
        passed = _passed_on(c, block, blocks, depth) if block is not None else None
        if passed is not None:
            return passed
    return None


def _passed_on(call: ast.Call, block: ast.ClassDef, blocks: dict[str, ast.ClassDef] | None,
               depth: int) -> ast.expr | None:
    """The argument of `call` that `block` passes on as its first convolution's in_channels
    (None when the block's first convolution takes something else)."""
    init = _own_init(block)
    if init is None or depth >= 4:
        return None
    inner = _first_layer_in(init, blocks, depth + 1)
    if not isinstance(inner, ast.Name):
        return None
    params = [a.arg for a in (*init.args.posonlyargs, *init.args.args)][1:]  # without self
    kwonly = [a.arg for a in init.args.kwonlyargs]
    if inner.id in params:
        return _arg(call, params.index(inner.id), inner.id)
    if inner.id in kwonly:
        return next((k.value for k in call.keywords if k.arg == inner.id), None)
    return None


def _classifier_out(init: ast.FunctionDef) -> tuple[ast.Call, ast.expr] | None:
    """The last Linear (or 1x1 classifier conv) built in __init__, and its output argument."""
    for c in reversed(_layer_calls(init)):
        if _callee(c) in ("Linear", "LazyLinear"):
            out = _arg(c, 1 if _callee(c) == "Linear" else 0, "out_features")
            return (c, out) if out is not None else None
    return None


def _int(node: ast.expr | None) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    return None


def _refuse(node: ast.AST, message: str) -> CodeRejected:
    return CodeRejected([Violation(getattr(node, "lineno", 0), getattr(node, "col_offset", 0),
                                   cap(message))])


def _own_init(cls: ast.ClassDef) -> ast.FunctionDef | None:
    return next((s for s in cls.body if isinstance(s, ast.FunctionDef)
                 and s.name == "__init__"), None)


def _interface_edits(text: Text, tree: ast.Module, changes: list[str], model: str,
                     dims: _Dims, calls: list[ast.Call]) -> list[Edit]:
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == model)
    edits: list[Edit] = []
    if model != "Net":
        if "Net" in {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}:
            raise _refuse(cls, f"the model class {model} must be called Net, and the file "
                               "uses the name Net for something else: rename that")
        edits += _rename_class(text, tree, cls, model)
        changes.append(f"renamed {model} to Net")
    init = _own_init(cls)
    if init is None:
        return edits  # inherited: the static check says what the constructor must take
    blocks = {k: v for k, v in module_classes(tree).items() if k != model}
    edits += _Signature(text, init, dims, calls, changes, blocks).edits()
    return edits


def _rename_class(text: Text, tree: ast.Module, cls: ast.ClassDef, old: str) -> list[Edit]:
    edits = [text.replace(n, "Net") for n in ast.walk(tree)
             if isinstance(n, ast.Name) and n.id == old]
    line = text.line_start(cls.lineno)
    raw = text.data[line:text.line_start(cls.lineno + 1)]
    at = raw.find(f"class {old}".encode())
    if at >= 0:
        a = line + at + len("class ")
        edits.append(Edit(a, a + len(old.encode()), "Net"))
    return edits


class _Signature:
    """Edits that give one __init__ the (in_channels, num_classes) keyword arguments."""

    def __init__(self, text: Text, init: ast.FunctionDef, dims: _Dims, calls: list[ast.Call],
                 changes: list[str], blocks: dict[str, ast.ClassDef] | None = None) -> None:
        self.text, self.init, self.dims, self.calls = text, init, dims, calls
        self.blocks = blocks or {}  # the file's own nn.Module classes other than the model
        self.changes = changes
        self.args = copy.deepcopy(init.args)
        self.renames: dict[str, str] = {}
        self.body_lines: list[str] = []
        self.literal_edits: list[Edit] = []
        self.changed = False

    def names(self) -> list[str]:
        a = self.args
        return [x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs)]

    def _find(self, synonyms: tuple[str, ...], confirm: ast.expr | None) -> str | None:
        for name in synonyms:
            if name not in self.names():
                continue
            if name in AMBIGUOUS and not (isinstance(confirm, ast.Name) and confirm.id == name):
                continue
            return name
        return None

    def edits(self) -> list[Edit]:
        first = _first_layer_in(self.init, self.blocks)
        head = _classifier_out(self.init)
        self._channels(first)
        self._classes(head)
        self._required()
        if not self.changed:
            return self.literal_edits
        return [*self._rename_edits(), *self.literal_edits, self._signature_edit(),
                *self._body_edit()]

    # in_channels ------------------------------------------------------------------------------
    def _channels(self, first: ast.expr | None) -> None:
        found = self._find(CHANNEL_NAMES, first)
        shape = next((n for n in IN_SHAPE_NAMES if n in self.names()), None)
        if found == "in_channels":
            self._check_literal(first, self.dims.channels, "input channels", "in_channels",
                                substitute=False)
            return
        if found is not None:
            self._rename_param(found, "in_channels")
            self.changes.append(f"renamed argument {found} to in_channels")
            return
        if shape is not None:
            self._rename_param(shape, "in_channels", keep_name=False)
            size = self.dims.size
            hw = f"{size[0]}, {size[1]}" if size and len(size) == 2 else "32, 32"
            self.body_lines.append(f"{shape} = (in_channels, {hw})")
            self.changes.append(f"built {shape} from in_channels")
            return
        self._add_param("in_channels", self.dims.channels)
        self.changes.append("added argument in_channels")
        self._check_literal(first, self.dims.channels, "input channels", "in_channels",
                            substitute=True)

    # num_classes ------------------------------------------------------------------------------
    def _classes(self, head: tuple[ast.Call, ast.expr] | None) -> None:
        out = head[1] if head else None
        found = self._find(CLASS_NAMES, out)
        shape = next((n for n in OUT_SHAPE_NAMES if n in self.names()), None)
        if found == "num_classes":
            if not self._uses("num_classes"):
                self._check_literal(out, self.dims.classes, "classes", "num_classes",
                                    substitute=False, head=head)
            return
        if found is not None:
            self._rename_param(found, "num_classes")
            self.changes.append(f"renamed argument {found} to num_classes")
            return
        if shape is not None:
            self._rename_param(shape, "num_classes", keep_name=False)
            subscripted = any(isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name)
                              and n.value.id == shape for n in ast.walk(self.init))
            self.body_lines.append(f"{shape} = (num_classes,)" if subscripted
                                   else f"{shape} = num_classes")
            self.changes.append(f"built {shape} from num_classes")
            return
        self._add_param("num_classes", self.dims.classes)
        self.changes.append("added argument num_classes")
        self._check_literal(out, self.dims.classes, "classes", "num_classes", substitute=True,
                            head=head)

    def _uses(self, name: str) -> bool:
        return any(isinstance(n, ast.Name) and n.id == name for s in self.init.body
                   for n in ast.walk(s))

    def _check_literal(self, node: ast.expr | None, want: int | None, what: str, arg: str,
                       substitute: bool, head: tuple[ast.Call, ast.expr] | None = None) -> None:
        value = _int(node)
        if value is None or node is None:
            return
        if want is not None and value != want:
            call = self.text.segment(head[0]) if head else ""
            if what == "classes" and value == 1:
                raise _refuse(node, f"{cap(call, 80)} gives a single logit: return num_classes "
                                    f"logits (nn.Linear(..., num_classes), no sigmoid); the "
                                    f"dataset has {want} classes")
            where = f"{cap(call, 80)} hard-codes" if call else "the first layer hard-codes"
            raise _refuse(node, f"{where} {value} {what}, the dataset has {want}: use the "
                                f"{arg} argument of Net(in_channels, num_classes)")
        if substitute:
            self.literal_edits.append(self.text.replace(node, arg))
            layer = "first layer" if arg == "in_channels" else "classifier"
            self.changes.append(f"used {arg} for the {layer}'s hard-coded {value}")

    # signature --------------------------------------------------------------------------------
    def _rename_param(self, old: str, new: str, keep_name: bool = True) -> None:
        a = self.args
        for x in (*a.posonlyargs, *a.args, *a.kwonlyargs):
            if x.arg == old:
                x.arg = new
        if keep_name:
            self.renames[old] = new
        self.changed = True

    def _add_param(self, name: str, default: int | None) -> None:
        a = self.args
        value = ast.Constant(default if default is not None else (3 if name == "in_channels"
                                                                   else 10))
        if a.vararg is not None:
            a.kwonlyargs.append(ast.arg(name))
            a.kw_defaults.append(value)
        else:
            a.args.append(ast.arg(name))
            a.defaults.append(value)
        self.changed = True

    def _required(self) -> None:
        """Arguments without a default: given one from where the file built the model."""
        a = self.args
        positional = [*a.posonlyargs, *a.args]
        n_required = len(positional) - len(a.defaults)
        required = [x.arg for x in positional[1:n_required]]
        required += [x.arg for x, d in zip(a.kwonlyargs, a.kw_defaults, strict=True)
                     if d is None]
        ours = {"in_channels": self.dims.channels, "num_classes": self.dims.classes}
        others = [r for r in required if r not in ours]
        if not others:
            return
        given = self._given_args() if others else {}
        missing = [r for r in others if r not in given]
        if missing:
            raise _refuse(self.init, f"Net.__init__ needs {', '.join(missing)} without a "
                                     "default: give each a default value (lemonade builds "
                                     "Net(in_channels=..., num_classes=...))")

        def default(name: str) -> ast.expr:
            if name in given:
                return given[name]
            value = ours.get(name)
            return ast.Constant(value if value is not None else
                                (3 if name == "in_channels" else 10))

        old = list(a.defaults)
        a.defaults = [default(x.arg) for x in positional[1:n_required]] + old
        if len(positional) == 0:
            a.defaults = []
        a.kw_defaults = [default(x.arg) if d is None else d
                         for x, d in zip(a.kwonlyargs, a.kw_defaults, strict=True)]
        self.changed = True
        if others:
            self.changes.append(f"took defaults for {', '.join(others)} from the file's own "
                                "call of the model")

    def _given_args(self) -> dict[str, ast.expr]:
        """Constant arguments of the file's first call of the model class."""
        original = [x.arg for x in (*self.init.args.posonlyargs, *self.init.args.args)][1:]
        for call in self.calls:
            given: dict[str, ast.expr] = {}
            ok = True
            for name, value in zip(original, call.args, strict=False):
                ok &= not isinstance(value, ast.Starred)
                given[self.renames.get(name, name)] = value
            for k in call.keywords:
                if k.arg is None:
                    ok = False
                else:
                    given[self.renames.get(k.arg, k.arg)] = k.value
            if ok and all(_literal_or_name(v) for v in given.values()):
                return given
        return {}

    def _signature_edit(self) -> Edit:
        a = self.init.args
        nodes: list[ast.AST] = [*a.posonlyargs, *a.args, *a.kwonlyargs, *a.defaults,
                                *(d for d in a.kw_defaults if d is not None)]
        nodes += [x for x in (a.vararg, a.kwarg) if x is not None]
        start = min(self.text.span(n)[0] for n in nodes)
        end = max(self.text.span(n)[1] for n in nodes)
        return Edit(start, end, ast.unparse(self.args))

    def _rename_edits(self) -> list[Edit]:
        return [self.text.replace(n, self.renames[n.id]) for s in self.init.body
                for n in ast.walk(s) if isinstance(n, ast.Name) and n.id in self.renames]

    def _body_edit(self) -> list[Edit]:
        if not self.body_lines:
            return []
        body = self.init.body
        first = body[1] if (len(body) > 1 and isinstance(body[0], ast.Expr)
                            and isinstance(body[0].value, ast.Constant)) else body[0]
        indent = self.text.indent_of(first.lineno)
        at = self.text.line_start(first.lineno)
        return [Edit(at, at, "".join(f"{indent}{ln}\n" for ln in self.body_lines))]


def _literal_or_name(node: ast.expr) -> bool:
    try:
        ast.literal_eval(node)
        return True
    except (ValueError, TypeError, SyntaxError, RecursionError):
        pass
    if isinstance(node, ast.Name | ast.Attribute):
        return True
    return isinstance(node, ast.List | ast.Tuple) and all(_literal_or_name(e) for e in node.elts)


# -- imports nothing kept uses ---------------------------------------------------------------
def _import_edits(text: Text, tree: ast.Module, changes: list[str]) -> list[Edit]:
    used: set[str] = set()
    chains: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            continue
        for n in ast.walk(stmt):
            if isinstance(n, ast.Name):
                used.add(n.id)
            elif isinstance(n, ast.Attribute):
                chains.add(_base_text(n))
    edits: list[Edit] = []
    dropped: list[str] = []
    for stmt in tree.body:
        if not isinstance(stmt, ast.Import | ast.ImportFrom):
            continue
        if isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
            continue
        keep = [a for a in stmt.names if _import_used(a, stmt, used, chains)
                or _harmless(a, stmt)]
        if len(keep) == len(stmt.names):
            continue
        gone = [a for a in stmt.names if a not in keep]
        if isinstance(stmt, ast.Import):  # `import torch.optim` was what bound `torch`
            roots = {a.name.split(".")[0] for a in gone if not a.asname and "." in a.name}
            keep += [ast.alias(r) for r in sorted(roots) if r in used
                     and not _bound_elsewhere(tree, stmt, r)]
        if isinstance(stmt, ast.Import):
            dropped += [f"import {a.name}" for a in gone]
        else:
            mod = "." * stmt.level + (stmt.module or "")
            dropped += [f"from {mod} import {', '.join(a.name for a in gone)}"]
        if not keep:
            edits.append(text.delete_lines(stmt.lineno, stmt.end_lineno or stmt.lineno))
        else:
            new = copy.copy(stmt)
            new.names = keep
            edits.append(text.replace(stmt, ast.unparse(new)))
    if dropped:
        shown = [f"`{d}`" for d in dropped[:5]]
        if len(dropped) > 5:
            shown.append(f"{len(dropped) - 5} more imports")
        changes.append("removed " + ", ".join(shown))
    return edits


# names under torch that are modules a model file may not import (torch.optim, ...)
_TORCH_SUBMODULES = frozenset({"optim", "utils", "jit", "distributed", "hub", "onnx", "cuda",
                               "multiprocessing", "backends", "data", "export", "fx", "package",
                               "testing", "profiler", "quantization", "ao", "compiler"})


def _harmless(a: ast.alias, stmt: ast.stmt) -> bool:
    """An unused import the static check allows: left as written (fewer edits)."""
    if isinstance(stmt, ast.Import):
        return a.name in ALLOWED_IMPORTS
    mod = getattr(stmt, "module", None) or ""
    return mod in ALLOWED_IMPORTS and a.name not in _TORCH_SUBMODULES


def _bound_elsewhere(tree: ast.Module, stmt: ast.stmt, root: str) -> bool:
    return any(isinstance(s, ast.Import) and s is not stmt and any(
        a.asname is None and a.name.split(".")[0] == root for a in s.names) for s in tree.body)


def _import_used(a: ast.alias, stmt: ast.stmt, used: set[str], chains: set[str]) -> bool:
    if a.name == "*":
        return True
    if a.asname or isinstance(stmt, ast.ImportFrom):
        return (a.asname or a.name) in used
    if "." not in a.name:
        return a.name in used
    # `import torch.optim`: used when a chain starts with torch.optim
    return any(c == a.name or c.startswith(a.name + ".") for c in chains)
