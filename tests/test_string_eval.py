"""String evaluation is closed: annotations, library helpers that evaluate them, `__import__`.

Found by class, not by example: the helpers of the allowed modules that evaluate strings are
searched for in their code (transitively, by the names they call), and each must be refused
by the static check; every attribute of an allowed module that is an import or eval function
must be unreachable; every annotation shape that is code is refused while plain types pass.
"""

from __future__ import annotations

import builtins
import contextlib
import dis
import importlib
import pickle
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from lemonade.gate import check_source
from lemonade.gate.policy import ALLOWED_MODULES
from lemonade.gate.resolve import resolver as _resolver
from lemonade.modelfile import load_namespace

ROOT = Path(__file__).resolve().parents[1]
MODEL = (ROOT / "examples" / "models" / "small_cnn.py").read_text()
# What evaluates a string or an annotation: builtins a function's code loads as globals, and
# distinctive names it loads as globals or attributes.
EVAL_BUILTINS = {"eval", "exec", "compile", "__import__"}
EVALUATORS = {"get_type_hints", "_eval_type", "evaluate_forward_ref", "get_annotations",
              "_evaluate", "import_module", "literal_eval", "sympify"}
# Found by the search and allowed, with the reason.
JUSTIFIED = {
    # field names are checked to be identifiers before the generated code is evaluated
    "collections.namedtuple",
    # torch's own lazy imports of fixed torch modules, no string from the caller
    "torch.nn.functional.interpolate", "torch.nn.functional.pad",
    "torch.nn.functional.max_pool3d_with_indices",
    # compiles a Python/C function: refused by identity as torch.compile (FORBIDDEN_OBJECTS)
}


def _codes(co: types.CodeType) -> Iterator[types.CodeType]:
    yield co
    for c in co.co_consts:
        if isinstance(c, types.CodeType):
            yield from _codes(c)


def _get(obj: object, name: str) -> object:
    try:
        return getattr(obj, name, None)
    except Exception:
        return None


def _callables() -> Iterator[tuple[str, object, set[str], set[str]]]:
    """(dotted name, object, globals its code loads, all names it uses) for the functions and
    methods of classes in the allowed modules, public names only."""
    seen: set[int] = set()
    for mod_name in sorted(ALLOWED_MODULES):
        try:
            mod = importlib.import_module(mod_name)
        except ImportError:
            continue
        for name in dir(mod):
            if name.startswith("_"):
                continue
            obj = _get(mod, name)
            members: list[tuple[str, object]] = [(f"{mod_name}.{name}", obj)]
            if isinstance(obj, type):
                with contextlib.suppress(TypeError):
                    members += [(f"{mod_name}.{name}.{k}", v) for k, v in vars(obj).items()
                                if not k.startswith("_") or k in ("__init__", "__new__",
                                                                  "__call__")]
            for dotted, o in members:
                if isinstance(o, types.ModuleType):
                    continue
                f = _get(o, "__func__") or o
                f = _get(f, "fget") or f
                co = _get(f, "__code__")
                if not isinstance(co, types.CodeType) or id(co) in seen:
                    continue
                seen.add(id(co))
                names: set[str] = set()
                loaded: set[str] = set()
                for c in _codes(co):
                    names |= set(c.co_names)
                    loaded |= {str(i.argval) for i in dis.get_instructions(c)
                               if i.opname in ("LOAD_GLOBAL", "LOAD_NAME")}
                yield dotted, o, loaded, names


def string_evaluators() -> dict[str, object]:
    """Every public function of the allowed modules that evaluates a string or an annotation,
    directly or through another one found here (a fixed point over the names called)."""
    table = list(_callables())
    bad_names = set(EVALUATORS)
    found: dict[str, object] = {}
    while True:
        new = {d: o for d, o, loaded, names in table if d not in found
               and (loaded & EVAL_BUILTINS or names & bad_names)}
        if not new:
            return found
        found.update(new)
        # a module-level function found here is an evaluator too, for whoever calls it
        bad_names |= {d.rsplit(".", 1)[1] for d, o in new.items()
                      if isinstance(o, types.FunctionType) and d not in JUSTIFIED
                      and d.rsplit(".", 1)[0] in ALLOWED_MODULES}


def test_every_string_evaluating_helper_of_the_allowed_modules_is_refused() -> None:
    found = string_evaluators()
    assert "functools.singledispatch" in found and "typing.get_type_hints" in found
    resolver = _resolver()
    open_holes = []
    for dotted, obj in sorted(found.items()):
        if dotted in JUSTIFIED or dotted.rsplit(".", 1)[0] in JUSTIFIED:
            continue
        if resolver.forbidden(obj) or resolver.forbidden(_get(obj, "__func__")):
            continue
        owner = dotted.rsplit(".", 1)[0]
        if resolver.forbidden(resolver.lookup(owner)):
            continue  # a method of a class refused as a whole (typing.ForwardRef)
        open_holes.append(dotted)
    assert open_holes == [], f"string evaluators that pass the static check: {open_holes}"


def test_no_allowed_module_hands_out_an_import_or_eval_function() -> None:
    dangerous = {id(builtins.__import__), id(importlib.import_module), id(builtins.eval),
                 id(builtins.exec), id(builtins.compile), id(builtins.open)}
    for mod_name in sorted(ALLOWED_MODULES):
        try:
            mod = importlib.import_module(mod_name)
        except ImportError:
            continue
        for name in dir(mod):
            if id(_get(mod, name)) not in dangerous:
                continue
            src = f"import torch\nimport {mod_name.split('.')[0]}\nFN = {mod_name}.{name}\n"
            assert check_source(src), f"{mod_name}.{name} is reachable"


@pytest.mark.parametrize("annotation", [
    '"__import__(\'os\')"', '"(lambda: 0)()"', "list['print(1)']", '"nn.__spec__"',
    '"torch._C"', "print(1)", "(lambda: 0)()", "x.y()", "'a' + 'b'", '"1 + 1"', "[i for i in ()]",
    '"f\'{1}\'"', "{'a': 1}", "1", '"list[\'int\']"',
])
def test_annotations_that_are_code_are_refused_everywhere(annotation: str) -> None:
    for where in (f"def f(x: {annotation}):\n    return x\n",
                  f"def f(x) -> {annotation}:\n    return x\n",
                  f"class A:\n    a: {annotation} = 1\n",
                  f"def f():\n    def g(y: {annotation}):\n        return y\n    return g\n",
                  f"def f():\n    v: {annotation} = 1\n    return v\n"):
        src = "from __future__ import annotations\nimport torch\nimport torch.nn as nn\n" + where
        assert check_source(src), where


@pytest.mark.parametrize("annotation", [
    "int", "torch.Tensor", '"torch.Tensor"', "list[int]", 'list["torch.Tensor"]',
    "dict[str, torch.Tensor]", "int | None", '"int | None"', "typing.Optional[int]",
    "typing.Callable[[int], int]", '"Net"', "None", "tuple[int, ...]",
])
def test_plain_type_annotations_pass(annotation: str) -> None:
    src = MODEL + f"\n\nimport typing\n\n\ndef helper(x: {annotation}) -> {annotation}:\n" + (
        "    y: " + annotation + " = x\n    return y\n")
    assert check_source(src) == [], (annotation, check_source(src))


# --- the guarded __import__ at run time -----------------------------------------------------------
def test_guarded_import_refuses_strings_evaluated_with_the_models_globals() -> None:
    ns = load_namespace(MODEL)
    for expr in ("__import__('os')", "__import__('torch')", "__import__('torch.hub')"):
        with pytest.raises(ImportError, match="outside an import statement"):
            eval(expr, ns)  # what a library helper evaluating an annotation would run


def test_guarded_import_lets_only_torch_import_lazily_from_the_models_code() -> None:
    """C code importing while the model file's code runs (pickle stands in for torch's C
    extension here): a torch module passes, anything else is refused."""
    ns = load_namespace(MODEL)
    ns["loads"] = pickle.loads
    ns["torch_ref"] = pickle.dumps(torch.nn.functional.relu)
    ns["posix_ref"] = b"cposix\ngetcwd\n."
    exec(compile("def a():\n    return loads(torch_ref)\n"
                 "def b():\n    return loads(posix_ref)\n", "model.py", "exec"), ns)
    assert ns["a"]() is torch.nn.functional.relu
    with pytest.raises(ImportError, match="outside an import statement"):
        ns["b"]()
