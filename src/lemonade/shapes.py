"""Why a model's output has the wrong shape: the layer and the line, for a repair prompt.

`check_output` forwards a batch of 2; when the logits are not (2, num_classes) these functions
trace the modules' inputs and outputs with forward hooks (in the process that already runs the
model) and name the first layer whose input lost the batch dimension, or the classifier that
gives the wrong number of logits, with the shapes it got and expected. With the model file's
source they also name the line that reshapes (`x.view(-1, 16 * 4 * 4)`).
"""

from __future__ import annotations

import ast
import re
from typing import Any

import torch
from torch import nn

MAX_SNIPPET = 80


def _reshape_lines(source: str | None) -> list[tuple[int, str]]:
    """(line, text) of every x.view(...)/x.reshape(...) with more than one argument."""
    if not source:
        return []
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return []
    out: list[tuple[int, str]] = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) \
                and n.func.attr in ("view", "reshape") and len(n.args) >= 2:
            text = ast.get_source_segment(source, n) or ast.unparse(n)
            out.append((n.lineno, " ".join(text.split())[:MAX_SNIPPET]))
    return sorted(out)


def _assign_line(source: str | None, path: str) -> tuple[int, str] | None:
    """(line, text) where `self.<last part of path> = ...` is assigned in the source."""
    if not source:
        return None
    attr = path.split(".")[-1]
    if attr.isdigit():  # a layer inside an nn.Sequential: the Sequential's own line
        parts = path.split(".")
        attr = next((p for p in reversed(parts) if not p.isdigit()), attr)
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return None
    for n in ast.walk(tree):
        if isinstance(n, ast.Assign) and any(
                isinstance(t, ast.Attribute) and t.attr == attr for t in n.targets):
            text = ast.get_source_segment(source, n) or ""
            return n.lineno, " ".join(text.split())[:MAX_SNIPPET]
    return None


def explain_shape(model: nn.Module, x: torch.Tensor, got: tuple[int, ...], num_classes: int,
                  source: str | None = None) -> str:
    """': ...' saying where the output's shape went wrong ('' when it cannot tell)."""
    batch = x.shape[0]
    try:
        seen = _trace(model, x)
    except Exception:  # the trace is a courtesy: never hide the first error
        seen = []
    last = next(((n, k) for n, k, _ in reversed(seen) if k in ("Linear", "LazyLinear",
                                                                 "Conv2d")), None)
    at = _assign_line(source, last[0]) if last else None
    where = f"; line {at[0]}: `{at[1]}`" if at else ""
    if len(got) == 2 and got[0] == batch and got[1] == 1 and num_classes != 1:
        return (": a single logit per image: return num_classes logits "
                f"(nn.Linear(..., num_classes), no sigmoid; here {num_classes}){where}")
    if got and got[0] != batch:
        for name, kind, shape in seen:
            if shape and shape[0] != batch:
                reshapes = _reshape_lines(source)
                line = f"; line {reshapes[0][0]}: `{reshapes[0][1]}`" if reshapes else ""
                return (f": the batch dimension is lost before self.{name} ({kind}), whose "
                        f"input has shape {shape} but the batch is {batch}{line}; flatten "
                        "with torch.flatten(x, 1) (or x.view(x.size(0), -1)) and size the "
                        "next layer for that")
        return ": the batch dimension is lost: flatten with torch.flatten(x, 1)"
    if len(got) == 2 and got[1] != num_classes:
        layer = f" (self.{last[0]}, {last[1]})" if last else ""
        return (f": the classifier{layer} gives {got[1]} logits per image: return "
                f"num_classes ({num_classes}) logits, e.g. nn.Linear(..., num_classes)"
                f"{where}")
    if len(got) != 2:
        return (f": forward returns a {len(got)}-d tensor; pool and flatten to "
                "(batch, features) before the classifier")
    return ""


def _trace(model: nn.Module, x: torch.Tensor) -> list[tuple[str, str, tuple[int, ...]]]:
    """(name, class, input shape) of each leaf module, in call order."""
    seen: list[tuple[str, str, tuple[int, ...]]] = []
    handles: list[Any] = []

    def hook(name: str) -> Any:
        def pre(mod: nn.Module, args: tuple[Any, ...]) -> None:
            first = args[0] if args else None
            if isinstance(first, torch.Tensor):
                seen.append((name, type(mod).__name__, tuple(first.shape)))
        return pre

    for name, mod in model.named_modules():
        if name and not any(True for _ in mod.children()):
            handles.append(mod.register_forward_pre_hook(hook(name)))
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
    return seen


def mismatch_hint(e: BaseException, hw: tuple[int, int], channels: int | None = None) -> str:
    """A fix for the errors a hard-coded flatten size, or a first layer built for other input
    channels than the dataset's `channels`, raises ('' for other errors)."""
    text = str(e)
    built = re.search(r"to have (\d+) channels, but got (\d+) channels", text)
    if built and channels is not None and int(built[2]) == channels:
        return (f" (a layer built for {built[1]} input channels got the dataset's {channels}: "
                "build the first layer with the in_channels argument of Net(in_channels, "
                "num_classes))")
    if "shapes cannot be multiplied" in text or ("shape '[" in text and "is invalid" in text):
        return (f" (a flatten size hard-coded for another image size? inputs here are "
                f"{hw[0]}x{hw[1]}: flatten with torch.flatten(x, 1) and size the next layer "
                "for that, e.g. nn.LazyLinear or an nn.AdaptiveAvgPool2d before it)")
    return ""
