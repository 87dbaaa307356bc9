"""The exporters a trained model goes through: ONNX (torch's dynamo exporter, else its TorchScript
one) and TorchScript, with their chatter silenced; shared by `lemonade export` and the
measurement's ONNX runtimes (latency, int8), so neither imports the other."""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path
from typing import Any, Literal


class ExportError(Exception):
    """What is missing or wrong, in one line (the CLI prints it)."""


def quiet() -> contextlib.ExitStack:
    """Silence exporter chatter (progress lines, deprecation warnings) on the CLI's output."""
    stack = contextlib.ExitStack()
    stack.enter_context(warnings.catch_warnings())
    warnings.simplefilter("ignore")
    stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
    return stack


def export_onnx(model: Any, example: Any, path: Path,
                exporter: Literal["auto", "dynamo", "torchscript"] = "auto") -> tuple[str, str]:
    """Write an ONNX file with a dynamic batch axis; returns (exporter used, note)."""
    import torch

    note = ""
    if exporter in ("auto", "dynamo"):
        try:
            with quiet():
                batch = torch.export.Dim("batch")
                prog = torch.onnx.export(model, (example,), None, input_names=["input"],
                                         output_names=["logits"], dynamo=True, verbose=False,
                                         dynamic_shapes=({0: batch},))
                if prog is None:
                    raise RuntimeError("torch.onnx.export returned no program")
                # one file, weights inside (external data only matters past 2 GB)
                prog.save(str(path))
            return "dynamo", note
        except Exception as e:
            if exporter == "dynamo":
                raise ExportError(f"ONNX export (dynamo) failed: {first_line(e)}") from None
            note = f"dynamo exporter failed ({first_line(e)}); used the TorchScript exporter"
    with quiet():
        torch.onnx.export(model, (example,), str(path), input_names=["input"],
                          output_names=["logits"], dynamo=False,
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    return "torchscript-onnx", note


def export_torchscript(model: Any, example: Any, path: Path) -> tuple[str, str]:
    import torch

    note = ""
    with quiet():
        try:
            scripted, how = torch.jit.trace(model, example), "trace"
        except Exception as e:
            note = f"trace failed ({first_line(e)}); used torch.jit.script"
            scripted, how = torch.jit.script(model), "script"
        scripted.save(str(path))
    return how, note


def first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0] if text else ''}"[:300]
