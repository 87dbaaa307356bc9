"""What crosses the wall between the training worker and the trusted measurement: files of tensors
and one graph, never pickles, never code.

    host ──train_split.safetensors──> training worker (candidate code runs here)
    training worker ──graph.json + weights.safetensors──> measurement process (no candidate code)
    host ──eval_split.safetensors──> measurement process

- Data splits and weights are safetensors files: a JSON header and raw tensor bytes; reading one
  cannot run code (unlike `torch.load` without `weights_only`).
- The graph is `torch.export`'s JSON schema of the exported program (the serializer that
  `torch.export.save` uses, without its archive). `torch.export.load` is not used: it falls back to
  `torch.load(weights_only=False)` (pickle) for tensors and constants it cannot read otherwise.
  Here the tensors come from safetensors only, and the JSON is checked against an allow-list
  *before* it is deserialised (and again after): every node must call an ATen or prims operator
  that computes (no I/O such as `aten.from_file`, no higher-order or custom ops, no submodules);
  every symbolic shape expression (which the deserialiser hands to `sympy.sympify`, an `eval`)
  must be a plain srepr over shape symbols; the program's guard code (Python source) is dropped.
- `ProgramModule` runs the checked graph as a plain `nn.Module` over the stored tensors, so the
  measurement functions of `lemonade.measure` apply to it unchanged.
"""

from __future__ import annotations

import hashlib
import json
import operator
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

GRAPH_FILE = "graph.json"
WEIGHTS_FILE = "weights.safetensors"
TRAIN_SPLIT_FILE = "train_split.safetensors"
EVAL_SPLIT_FILE = "eval_split.safetensors"
MAX_GRAPH_BYTES = 64 << 20  # a graph JSON beyond this is not a model we can measure
MAX_NODES = 20_000
MAX_BATCH = 1 << 16  # the dynamic batch dimension's upper bound in the exported graph
_PARAM, _STATE, _CONST = "param.", "state.", "const."

# ATen/prims operators that touch files, the network, processes, or global state.
_FORBIDDEN_OPS = frozenset({
    "from_file", "_from_file", "save", "load", "_fused_sdp_choice", "_assert_async",
    "_print", "_make_dep_token", "_sink_tokens", "_debug_has_internal_overlap",
    "set_", "_set_grad_enabled", "_use_cudnn_ctc_loss", "_cufft_set_plan_cache_max_size",
    "_cufft_clear_plan_cache", "record_stream", "_nested_tensor_from_mask",
})
_ALLOWED_NAMESPACES = ("aten", "prims")
_ALLOWED_PYTHON_TARGETS = {"_operator.getitem": operator.getitem}


class ArtifactError(Exception):
    """An artifact is missing, malformed or not allowed; one line, fit for a failure reason."""


# -- data splits -------------------------------------------------------------------------------

def write_split(path: Path, tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> str:
    """Write tensors + JSON-able metadata atomically; returns the file's sha256."""
    from safetensors.torch import save

    blob = save({k: v.contiguous() for k, v in tensors.items()},
                metadata={"lemonade": json.dumps(meta)})
    # a per-process, per-thread name: two Ray tasks may write the same split at once
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.write_bytes(blob)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return hashlib.sha256(blob).hexdigest()


def read_split(path: Path, sha256: str | None = None
               ) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Tensors and metadata of a split file; `sha256` (when given) must match the bytes."""
    from safetensors import safe_open
    from safetensors.torch import load

    blob = Path(path).read_bytes()
    if sha256 is not None and hashlib.sha256(blob).hexdigest() != sha256:
        raise ArtifactError(f"{Path(path).name} was changed after the host wrote it")
    tensors = load(blob)
    with safe_open(str(path), framework="pt") as f:
        meta = json.loads((f.metadata() or {}).get("lemonade", "{}"))
    return tensors, meta


# -- exporting (training worker side) ----------------------------------------------------------

def export_program(model: nn.Module, example: torch.Tensor) -> Any:
    """`torch.export` of the model in eval mode with a dynamic batch dimension.

    Raises ArtifactError with the exporter's first line; the usual cause is Python control flow
    on tensor values or on the batch size, which must become tensor ops (torch.where, masks).
    """
    model.eval()
    batch = torch.export.Dim("batch", min=1, max=MAX_BATCH)
    try:
        with torch.no_grad():
            return torch.export.export(model, (example,), dynamic_shapes=({0: batch},),
                                       strict=False)
    except Exception as e:
        raise ArtifactError(
            f"cannot export the model with torch.export and a dynamic batch size "
            f"({_first_line(e)}); edge deployment needs an exportable graph: replace Python "
            "control flow on tensor values or on the batch size by tensor ops (torch.where, "
            "masks), and keep forward free of .item(), print and data-dependent shapes") from None


def rehearse(folder: Path) -> Path:
    """Export and save a small model of lemonade's own into `folder`."""
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                          nn.Flatten(), nn.Linear(2, 2))
    save_program(export_program(model, torch.zeros(2, 1, 4, 4)), folder)
    return folder


def warm_up(*, load: bool) -> None:
    """A worker's warm-up before its job, in its own scratch (TMPDIR): export and save the
    `rehearse` model, and with `load` read it back through the checked loader and run it. The
    first export and the first load in a process are the slow ones (about 0.3-0.4 s and 0.2 s
    more than the next). A warm-up only: a failure is swallowed, the job then pays them."""
    import shutil
    import tempfile

    global _WARMED
    if (2 if load else 1) <= _WARMED:  # done in this process already (or in the fork
        return  # server it was forked from: lemonade.sandbox.zygote)
    folder = Path(tempfile.mkdtemp())
    try:
        rehearse(folder)
        if load:
            with torch.no_grad():
                ProgramModule(load_program(folder)[0])(torch.zeros(3, 1, 4, 4))
        _WARMED = 2 if load else 1
    except Exception:
        pass
    finally:
        shutil.rmtree(folder, ignore_errors=True)


_WARMED = 0  # 1: an export was warmed up in this process; 2: an export and a load


def save_program(ep: Any, out_dir: Path) -> None:
    """graph.json (torch.export's JSON schema) + weights.safetensors (every stored tensor)."""
    from safetensors.torch import save_file
    from torch._export.serde.serialize import serialize

    out_dir.mkdir(parents=True, exist_ok=True)
    art = serialize(ep, serialize_state_dict=False, serialize_constants=False,
                    serialize_example_inputs=False)
    tensors: dict[str, torch.Tensor] = {}
    params = set(ep.graph_signature.parameters)
    for k, v in ep.state_dict.items():
        prefix = _PARAM if k in params else _STATE
        tensors[prefix + k] = v.detach().to("cpu").clone().contiguous()
    for k, v in ep.constants.items():
        if not isinstance(v, torch.Tensor):
            raise ArtifactError(f"constant {k!r} is a {type(v).__name__}, not a tensor: "
                                "only tensors can be stored")
        tensors[_CONST + k] = v.detach().to("cpu").clone().contiguous()
    save_file(tensors, str(out_dir / WEIGHTS_FILE))
    (out_dir / GRAPH_FILE).write_bytes(art.exported_program)


# -- loading and checking (measurement side) ---------------------------------------------------

@dataclass(frozen=True)
class GraphReport:
    ops: dict[str, int]  # operator -> number of calls in the graph
    buffer_mutations: int


def _op_name_ok(target: str) -> str | None:
    """None when `target` (a serialised node target) is allowed, else why not."""
    if target in _ALLOWED_PYTHON_TARGETS:
        return None
    parts = target.split(".")
    if len(parts) != 5 or parts[:2] != ["torch", "ops"] or parts[2] not in _ALLOWED_NAMESPACES:
        return f"operator {target!r} is not an ATen/prims operator"
    if parts[3] in _FORBIDDEN_OPS:
        return f"operator {target!r} does I/O or changes global state"
    return None


# Symbolic shape expressions in the JSON are parsed with sympy.sympify, which evaluates Python:
# each one must be a plain sympy srepr over shape symbols, integers and these names.
_SYM_NAMES = frozenset({
    "Symbol", "Integer", "Rational", "Mul", "Add", "Pow", "Mod", "FloorDiv", "CeilToInt",
    "FloorToInt", "PythonMod", "CleanDiv", "TruncToInt", "Max", "Min", "Eq", "Ne", "Lt", "Le",
    "Gt", "Ge", "True", "False", "positive", "integer", "nonnegative", "real", "finite",
})
_SYM_LITERAL = re.compile(r"'[a-z]+[0-9]+'")
_SYM_TOKEN = re.compile(r"[A-Za-z]+[0-9]*|[0-9]+|[()+\-*/=, ]")
MAX_EXPR_CHARS = 400


def _safe_sym_expr(expr: str) -> bool:
    """True when `expr` can only denote a sympy expression over shape symbols (no Python)."""
    if len(expr) > MAX_EXPR_CHARS:
        return False
    rest = _SYM_LITERAL.sub("0", expr)
    tokens = _SYM_TOKEN.findall(rest)
    if "".join(tokens) != rest:
        return False
    return all(not t[0].isalpha() or t in _SYM_NAMES or re.fullmatch(r"[a-z]+[0-9]+", t)
               for t in tokens)


def _expressions(obj: Any, out: list[Any], depth: int = 0) -> None:
    if depth > 200:
        out.append(None)  # nesting no program of ours has
        return
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "expr_str":
                out.append(v)
            else:
                _expressions(v, out, depth + 1)
    elif isinstance(obj, list):
        for v in obj:
            _expressions(v, out, depth + 1)


def check_graph_json(doc: dict[str, Any]) -> list[str]:
    """Problems of a serialised program, read from its JSON before anything is built from it."""
    problems: list[str] = []
    try:
        gm = doc["graph_module"]
        nodes = gm["graph"]["nodes"]
    except (KeyError, TypeError):
        return ["graph.json is not a torch.export program"]
    if len(nodes) > MAX_NODES:
        problems.append(f"graph has {len(nodes)} nodes (limit {MAX_NODES})")
    for node in nodes[:MAX_NODES]:
        target = node.get("target") if isinstance(node, dict) else None
        why = _op_name_ok(target) if isinstance(target, str) else "node without a target"
        if why and why not in problems:
            problems.append(why)
    exprs: list[Any] = []
    _expressions(doc, exprs)
    bad = [e for e in exprs if not isinstance(e, str) or not _safe_sym_expr(e)]
    if bad:
        problems.append(f"symbolic shape expression {str(bad[0])[:80]!r} is not allowed")
    if gm["graph"].get("custom_obj_values"):
        problems.append("graph holds custom (torchbind) objects")
    sig = gm.get("signature") or {}
    for spec in sig.get("input_specs") or []:
        kind = next(iter(spec)) if isinstance(spec, dict) and spec else "?"
        if kind not in ("user_input", "parameter", "buffer", "tensor_constant"):
            problems.append(f"graph input of kind {kind!r} is not allowed")
    return problems


def check_graph(ep: Any) -> GraphReport:
    """Check the deserialised graph again (defence in depth); raises ArtifactError."""
    from torch.export.graph_signature import InputKind, OutputKind

    ops: dict[str, int] = {}
    for node in ep.graph.nodes:
        if node.op in ("placeholder", "output"):
            continue
        if node.op != "call_function":
            raise ArtifactError(f"graph node {node.name!r} is a {node.op}: only operator calls "
                                "are allowed")
        t = node.target
        if t is operator.getitem:
            continue
        if not isinstance(t, torch._ops.OpOverload):
            raise ArtifactError(f"graph node {node.name!r} calls {t!r}: not an ATen operator")
        ns = t.namespace
        if ns not in _ALLOWED_NAMESPACES or t._opname in _FORBIDDEN_OPS:
            raise ArtifactError(f"graph node {node.name!r} calls {t}: not allowed")
        name = f"{ns}.{t._opname}"
        ops[name] = ops.get(name, 0) + 1
    for spec in ep.graph_signature.input_specs:
        if spec.kind not in (InputKind.USER_INPUT, InputKind.PARAMETER, InputKind.BUFFER,
                             InputKind.CONSTANT_TENSOR):
            raise ArtifactError(f"graph input of kind {spec.kind.name} is not allowed")
    users = [s for s in ep.graph_signature.input_specs if s.kind == InputKind.USER_INPUT]
    if len(users) != 1:
        raise ArtifactError(f"forward must take one input (the images), the graph takes "
                            f"{len(users)}")
    outs = [s for s in ep.graph_signature.output_specs if s.kind == OutputKind.USER_OUTPUT]
    if len(outs) != 1:
        raise ArtifactError(f"forward must return one tensor of logits, the graph returns "
                            f"{len(outs)} outputs")
    mutations = sum(s.kind == OutputKind.BUFFER_MUTATION for s in ep.graph_signature.output_specs)
    if mutations:
        raise ArtifactError(f"forward changes {mutations} buffer(s) in eval mode: a model's state "
                            "must not change at inference")
    return GraphReport(ops=ops, buffer_mutations=mutations)


def load_program(art_dir: Path) -> tuple[Any, GraphReport]:
    """Read graph.json and weights.safetensors from `art_dir`, checked; never unpickles."""
    from safetensors.torch import load_file
    from torch._export.serde.schema import ExportedProgram as SchemaProgram
    from torch._export.serde.serialize import ExportedProgramDeserializer, _dict_to_dataclass

    gpath, wpath = Path(art_dir) / GRAPH_FILE, Path(art_dir) / WEIGHTS_FILE
    for p in (gpath, wpath):
        if not p.is_file():
            raise ArtifactError(f"the training worker left no {p.name}")
    if gpath.stat().st_size > MAX_GRAPH_BYTES:
        raise ArtifactError(f"{GRAPH_FILE} is larger than {MAX_GRAPH_BYTES >> 20} MB")
    try:
        doc = json.loads(gpath.read_bytes())
    except ValueError as e:
        raise ArtifactError(f"{GRAPH_FILE} is not JSON: {e}") from None
    problems = check_graph_json(doc) if isinstance(doc, dict) else ["graph.json is not an object"]
    if problems:
        raise ArtifactError("refused graph: " + "; ".join(problems[:5]))
    try:
        tensors = load_file(str(wpath))
    except Exception as e:
        raise ArtifactError(f"cannot read {WEIGHTS_FILE}: {_first_line(e)}") from None
    state: dict[str, torch.Tensor] = {
        k[len(_STATE):]: v for k, v in tensors.items() if k.startswith(_STATE)}
    state.update({k[len(_PARAM):]: nn.Parameter(v, requires_grad=False)
                  for k, v in tensors.items() if k.startswith(_PARAM)})
    consts = {k[len(_CONST):]: v for k, v in tensors.items() if k.startswith(_CONST)}
    doc["guards_code"] = []  # input guards are Python source; the measurement needs none
    try:
        schema = _dict_to_dataclass(SchemaProgram, doc)
        ep = ExportedProgramDeserializer().deserialize(schema, state, consts, None)
    except Exception as e:
        raise ArtifactError(f"cannot rebuild the exported graph: {_first_line(e)}") from None
    return ep, check_graph(ep)


class ProgramModule(nn.Module):
    """A checked exported program as an `nn.Module`: its stored tensors are buffers, `forward`
    runs the graph's generated code (ATen calls only), and returns the one output tensor."""

    def __init__(self, ep: Any) -> None:
        super().__init__()
        from torch.export.graph_signature import InputKind, OutputKind

        self._gm = ep.graph_module
        self._out = next(i for i, s in enumerate(ep.graph_signature.output_specs)
                         if s.kind == OutputKind.USER_OUTPUT)
        self._slots: list[str | None] = []  # buffer name per graph input; None = the images
        self.kinds: dict[str, int] = {"parameter": 0, "buffer": 0, "constant": 0}
        for i, spec in enumerate(ep.graph_signature.input_specs):
            if spec.kind == InputKind.USER_INPUT:
                self._slots.append(None)
                continue
            if spec.kind == InputKind.CONSTANT_TENSOR:
                t, kind = ep.constants[spec.target], "constant"
            else:
                t = ep.state_dict[spec.target]
                kind = "parameter" if spec.kind == InputKind.PARAMETER else "buffer"
            name = f"t{i}"
            self.register_buffer(name, t.detach().clone())
            self.kinds[kind] += int(t.numel())
            self._slots.append(name)

    def stored(self) -> dict[str, torch.Tensor]:
        return dict(self.named_buffers())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        args = [x if s is None else getattr(self, s) for s in self._slots]
        return self._gm(*args)[self._out]


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0] if text else ''}"[:300].rstrip(": ")
