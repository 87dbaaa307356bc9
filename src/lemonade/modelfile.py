"""Build a model file's `Net` and dry-run it.

The source runs in a fresh module namespace whose `__builtins__` is a small safe dict: no `open`,
`eval`, `exec`, and an `__import__` that only lets the allow-listed modules in when the model's
own `import` statement asks; otherwise only torch's own lazy imports pass (torch's C code
importing a torch submodule while the model file's code runs an op), and any other caller, such
as a string evaluated with the model's globals, is refused. That is defence in depth on top of
the static check (`lemonade.gate`); the real containment is the isolated worker process, which
is where this runs for untrusted code. An `if __name__ == "__main__":` block is dropped, never
run.

After `Net(...)` is built, state that training, counting and export would not see is refused:
layers in plain lists or dicts, tensors that are neither parameters nor buffers, and class
attributes holding weights.
"""

from __future__ import annotations

import ast
import builtins
import dis
import sys
import traceback
import types
from typing import Any

import torch
from torch import nn

from lemonade.gate.policy import ALLOWED_IMPORTS
from lemonade.gate.static import drop_main_guard
from lemonade.shapes import explain_shape, mismatch_hint

CANDIDATE_MODULE = "lemonade_candidate"  # __name__ (and classes' __module__) of a model file


class ModelFileError(Exception):
    """The model file cannot be built or run; the message is one line, fit for a repair prompt."""


_SAFE_BUILTIN_NAMES = (
    # types and constructors
    "bool", "int", "float", "complex", "str", "bytes", "bytearray", "list", "tuple", "dict",
    "set", "frozenset", "range", "slice", "object", "type", "property", "staticmethod",
    "classmethod", "super",
    # functions without side effects outside the process
    "abs", "all", "any", "ascii", "bin", "callable", "chr", "divmod", "enumerate", "filter",
    "format", "hash", "hex", "id", "isinstance", "issubclass", "iter", "len", "map", "max", "min",
    "next", "oct", "ord", "pow", "print", "repr", "reversed", "round", "sorted", "sum", "zip",
    # attribute access by name: the static check limits the names
    "getattr", "setattr", "hasattr", "delattr",
    # constants and exceptions a model may raise or catch
    "None", "True", "False", "Ellipsis", "NotImplemented",
    "BaseException", "Exception", "ArithmeticError", "AssertionError", "AttributeError",
    "IndexError", "KeyError", "LookupError", "NotImplementedError", "OverflowError",
    "RuntimeError", "StopIteration", "TypeError", "ValueError", "ZeroDivisionError",
    "Warning", "UserWarning", "DeprecationWarning",
)


_IMPORT_NAME = dis.opmap["IMPORT_NAME"]
_MODEL_FILES: set[str] = set()  # the filenames model files were compiled under (load_namespace)


def _called_by_import_statement(frame: types.FrameType) -> bool:
    """True when `frame` (the caller of __import__) stands at an IMPORT_NAME instruction: an
    `import` statement of the model file."""
    code = frame.f_code.co_code
    return 0 <= frame.f_lasti < len(code) and code[frame.f_lasti] == _IMPORT_NAME


def _torch_lazy_import(frame: types.FrameType, name: str, level: int) -> bool:
    """An import C code makes while the model file's own code runs a torch op: torch imports one
    of its submodules with the builtins of that frame. Neither an import statement nor the model
    file's code: any other caller (a string some library helper evaluated with the model's
    globals, code compiled elsewhere) is refused."""
    return (level == 0 and frame.f_code.co_filename in _MODEL_FILES
            and (name == "torch" or name.startswith("torch.")))


def _guarded_import(name: str, globals: Any = None, locals: Any = None,
                    fromlist: Any = (), level: int = 0) -> types.ModuleType:
    frame = sys._getframe(1)
    if not _called_by_import_statement(frame):
        if _torch_lazy_import(frame, name, level):
            return builtins.__import__(name, globals, locals, fromlist, level)
        raise ImportError(f"__import__({name!r}) outside an import statement is not allowed in "
                          "a model file")
    if level != 0 or (name not in ALLOWED_IMPORTS and name != "__future__"):
        raise ImportError(f"import of {name!r} is not allowed in a model file "
                          f"(allowed: {', '.join(ALLOWED_IMPORTS)})")
    return builtins.__import__(name, globals, locals, fromlist, level)


def safe_builtins() -> dict[str, Any]:
    d = {k: getattr(builtins, k) for k in _SAFE_BUILTIN_NAMES}
    d["__build_class__"] = builtins.__build_class__  # a `class` statement needs it
    d["__import__"] = _guarded_import
    return d


def _where(exc: BaseException, filename: str) -> str:
    """' (model.py line N)' for the innermost frame in the model file, if any."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
    return f" ({filename} line {frames[-1].lineno})" if frames else ""


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


def load_namespace(source: str, filename: str = "model.py") -> dict[str, Any]:
    """Run the source in a fresh module namespace; returns that namespace."""
    try:
        tree = drop_main_guard(ast.parse(source, filename=filename))
        code = compile(tree, filename, "exec", dont_inherit=True)
        _MODEL_FILES.add(filename)
    except SyntaxError as e:
        raise ModelFileError(f"syntax error in {filename} line {e.lineno}: {e.msg}") from None
    except (ValueError, RecursionError, MemoryError) as e:
        raise ModelFileError(f"cannot compile {filename}: {_one_line(e)}") from None
    module = types.ModuleType(CANDIDATE_MODULE)
    ns = module.__dict__
    ns["__builtins__"] = safe_builtins()
    try:
        exec(code, ns)
    except MemoryError:
        raise
    except Exception as e:
        raise ModelFileError(f"running {filename} failed{_where(e, filename)}: "
                             f"{_one_line(e)}") from None
    return ns


def build_net(source: str, in_channels: int, num_classes: int,
              filename: str = "model.py") -> nn.Module:
    """Execute the model file and instantiate `Net(in_channels=..., num_classes=...)`."""
    ns = load_namespace(source, filename)
    net_cls = ns.get("Net")
    if net_cls is None:
        raise ModelFileError(f"{filename} does not define class Net")
    if not (isinstance(net_cls, type) and issubclass(net_cls, nn.Module)):
        raise ModelFileError("Net is not a torch.nn.Module (define class Net(nn.Module))")
    call = f"Net(in_channels={in_channels}, num_classes={num_classes})"
    try:
        model = net_cls(in_channels=in_channels, num_classes=num_classes)
    except MemoryError as e:
        raise ModelFileError(f"{call} failed: out of memory (MemoryError: {e})") from None
    except RecursionError as e:
        raise ModelFileError(f"{call} failed{_where(e, filename)}: RecursionError: "
                             f"{e}") from None
    except Exception as e:
        raise ModelFileError(f"{call} failed{_where(e, filename)}: {_one_line(e)}") from None
    if not isinstance(model, nn.Module):
        raise ModelFileError(f"{call} did not return a torch.nn.Module")
    check_registered(model)
    return model


_MODULE_FIELDS = frozenset(vars(nn.Module()))  # nn.Module's own bookkeeping attributes
_SCAN_LIMIT = 10_000  # container elements looked at per attribute


def _hidden(value: Any, depth: int = 0, budget: list[int] | None = None) -> str | None:
    """'layers' / 'tensors' when a plain container holds nn.Modules / tensors (nested ok)."""
    budget = [_SCAN_LIMIT] if budget is None else budget
    items = value.values() if isinstance(value, dict) else value
    for item in items:
        budget[0] -= 1
        if budget[0] < 0:
            return None
        if isinstance(item, nn.Module):
            return "layers"
        if isinstance(item, torch.Tensor):
            return "tensors"
        if depth < 3 and isinstance(item, list | tuple | dict | set | frozenset):
            found = _hidden(item, depth + 1, budget)
            if found:
                return found
    return None


def _hidden_state_problem(where: str, value: Any) -> str | None:
    if isinstance(value, nn.Parameter):
        return None
    if isinstance(value, torch.Tensor):
        return (f"{where} is a plain tensor, invisible to training, counting and export: use "
                f"nn.Parameter(...) for weights or self.register_buffer(...) for constants")
    if isinstance(value, list | tuple | dict | set | frozenset):
        found = _hidden(value)
        if found == "layers":
            fix = "nn.ModuleDict({...})" if isinstance(value, dict) else "nn.ModuleList([...])"
            kind = "dict" if isinstance(value, dict) else "list"
            return (f"{where} keeps layers in a plain Python {kind}: they are never trained or "
                    f"counted; use {fix}")
        if found == "tensors":
            return (f"{where} keeps tensors in a plain Python container: use nn.ParameterList / "
                    f"nn.ParameterDict for weights or register_buffer for constants")
    return None


def _has_state(module: nn.Module) -> bool:
    return any(True for _ in module.parameters()) or any(True for _ in module.buffers())


def check_registered(model: nn.Module) -> None:
    """Refuse state of the model file's own modules that parameters()/buffers() do not see:
    layers in plain lists/dicts, loose tensors, weights in class attributes."""
    for path, mod in model.named_modules():
        cls = type(mod)
        if cls.__module__ != CANDIDATE_MODULE:
            continue  # library layers are trusted
        prefix = f"self.{path}." if path else "self."
        for key, value in vars(mod).items():
            if key in _MODULE_FIELDS:
                continue
            problem = _hidden_state_problem(f"{prefix}{key}", value)
            if problem:
                raise ModelFileError(problem)
        for klass in cls.__mro__:
            if klass.__module__ != CANDIDATE_MODULE:
                continue
            for key, value in vars(klass).items():
                where = f"class attribute {klass.__name__}.{key}"
                if isinstance(value, nn.Module) and _has_state(value):
                    raise ModelFileError(f"{where} holds weights shared by every instance and "
                                         "hidden from training and counting: create it in "
                                         "__init__ (self.x = ...)")
                problem = _hidden_state_problem(where, value)
                if problem:
                    raise ModelFileError(problem)


def _hw(image_size: int | tuple[int, int] | list[int]) -> tuple[int, int]:
    if isinstance(image_size, int):
        return image_size, image_size
    h, w = image_size
    return int(h), int(w)


def check_output(model: nn.Module, in_channels: int, image_size: int | tuple[int, int],
                 num_classes: int, device: str | torch.device = "cpu",
                 source: str | None = None) -> None:
    """Forward a batch of 2 zero images; the output must be finite float logits (2, num_classes).

    A wrong shape is explained (`lemonade.shapes`): the layer where the batch dimension was lost
    or the classifier that gives the wrong number of logits, with the shapes it got and
    expected, and with `source`, the model file's line that reshapes."""
    h, w = _hw(image_size)
    x = torch.zeros(2, in_channels, h, w, device=device)
    was_training = model.training
    model.eval()  # batch norm with a batch of 2 zeros must not fail the check
    try:
        with torch.no_grad():
            out = model(x)
    except MemoryError as e:
        raise ModelFileError(f"forward pass failed: out of memory (MemoryError: {e})") from None
    except Exception as e:
        where = _where(e, "model.py")
        raise ModelFileError(f"forward pass on input {tuple(x.shape)} failed{where}: "
                             f"{_one_line(e)}{mismatch_hint(e, (h, w), in_channels)}") from None
    finally:
        model.train(was_training)
    if not isinstance(out, torch.Tensor):
        raise ModelFileError(f"forward must return a tensor of logits, got {type(out).__name__}")
    if not out.is_floating_point():
        raise ModelFileError(f"output dtype {out.dtype} is not a floating point type")
    expected = (2, num_classes)
    if tuple(out.shape) != expected:
        why = explain_shape(model, x, tuple(out.shape), num_classes, source)
        raise ModelFileError(f"output shape {tuple(out.shape)} does not match expected "
                             f"{expected} (batch, num_classes){why}")
    if not bool(torch.isfinite(out).all()):
        raise ModelFileError("output contains NaN or infinite values on an all-zero input")


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
