"""Build a model file's `Net` and dry-run it.

The source runs in a fresh module namespace whose `__builtins__` is a small safe dict: no `open`,
`eval`, `exec`, and an `__import__` that only lets the allow-listed modules in. That is defence in
depth on top of `lemonade.sandbox`; the real containment is the worker process
(`lemonade.sandbox`), which is where this runs for untrusted code.
"""

from __future__ import annotations

import builtins
import traceback
import types
from typing import Any

import torch
from torch import nn

from lemonade.sandbox import ALLOWED_IMPORTS


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


def _guarded_import(name: str, globals: Any = None, locals: Any = None,
                    fromlist: Any = (), level: int = 0) -> types.ModuleType:
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
        code = compile(source, filename, "exec", dont_inherit=True)
    except SyntaxError as e:
        raise ModelFileError(f"syntax error in {filename} line {e.lineno}: {e.msg}") from None
    module = types.ModuleType("lemonade_candidate")
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
    return model


def _hw(image_size: int | tuple[int, int] | list[int]) -> tuple[int, int]:
    if isinstance(image_size, int):
        return image_size, image_size
    h, w = image_size
    return int(h), int(w)


def check_output(model: nn.Module, in_channels: int, image_size: int | tuple[int, int],
                 num_classes: int, device: str | torch.device = "cpu") -> None:
    """Forward a batch of 2 zero images; the output must be finite float logits (2, num_classes)."""
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
                             f"{_one_line(e)}") from None
    finally:
        model.train(was_training)
    if not isinstance(out, torch.Tensor):
        raise ModelFileError(f"forward must return a tensor of logits, got {type(out).__name__}")
    if not out.is_floating_point():
        raise ModelFileError(f"output dtype {out.dtype} is not a floating point type")
    expected = (2, num_classes)
    if tuple(out.shape) != expected:
        raise ModelFileError(f"output shape {tuple(out.shape)} does not match expected "
                             f"{expected} (batch, num_classes)")
    if not bool(torch.isfinite(out).all()):
        raise ModelFileError("output contains NaN or infinite values on an all-zero input")


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
