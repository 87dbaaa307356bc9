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
- A tensor the program holds under several names (a tied weight: one module used twice, an
  embedding shared with the classifier) is stored once; weights.safetensors' metadata maps
  each other name to the stored one (`ALIASES`), and the loader gives every name that one
  tensor, so the measured graph reads the same numbers the trained one did.
- `ProgramModule` runs the checked graph as a plain `nn.Module` over the stored tensors, so the
  measurement functions of `lemonade.measure` apply to it unchanged.
"""

from __future__ import annotations

import ast
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

from lemonade.sandbox.protocol import GRAPH_FILE, WEIGHTS_FILE

MAX_GRAPH_BYTES = 64 << 20  # a graph JSON beyond this is not a model we can measure
MAX_NODES = 20_000
MAX_BATCH = 1 << 16  # the dynamic batch dimension's upper bound in the exported graph
_PARAM, _STATE, _CONST = "param.", "state.", "const."
# weights.safetensors' metadata: {stored name: the earlier stored name of the same tensor}
ALIASES = "lemonade_aliases"

# ATen/prims operators that touch files, the network, processes, or global state.
_FORBIDDEN_OPS = frozenset({
    "from_file", "_from_file", "save", "load", "_fused_sdp_choice", "_assert_async",
    "_print", "_make_dep_token", "_sink_tokens", "_debug_has_internal_overlap",
    "set_", "_set_grad_enabled", "_use_cudnn_ctc_loss", "_cufft_set_plan_cache_max_size",
    "_cufft_clear_plan_cache", "record_stream", "_nested_tensor_from_mask",
})
_ALLOWED_NAMESPACES = ("aten", "prims")
# indexing with integer tensors keeps shapes fixed (a boolean mask would not: the measured run
# checks every node's shape against the graph's, lemonade.sandbox.artifacts.ProgramModule.checked)
_INDEXING = frozenset({"index", "index_put", "_index_put_impl", "_unsafe_index",
                       "_unsafe_index_put"})
_ALLOWED_PYTHON_TARGETS = {"_operator.getitem": operator.getitem}
# Integer arithmetic on the symbolic batch size, as torch.export records it for a reshape whose
# size is computed (nn.MultiheadAttention's `bsz * num_heads`): allowed only on symbolic or
# small constant integers (`_sym_int_problem`), never on tensors or lists.
SYM_ARITHMETIC = {"_operator.mul": operator.mul, "_operator.add": operator.add,
                  "_operator.sub": operator.sub, "_operator.floordiv": operator.floordiv}
_MAX_SYM_CONSTANT = MAX_BATCH


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
    params = set(ep.graph_signature.parameters)
    named = [((_PARAM if k in params else _STATE) + k, v) for k, v in ep.state_dict.items()]
    for k, v in ep.constants.items():
        if not isinstance(v, torch.Tensor):
            raise ArtifactError(f"constant {k!r} is a {type(v).__name__}, not a tensor: "
                                "only tensors can be stored")
        named.append((_CONST + k, v))
    tensors: dict[str, torch.Tensor] = {}
    aliases: dict[str, str] = {}
    first: dict[Any, str] = {}
    for name, v in named:
        key = share_key(v)
        if key in first:  # a tied tensor: stored once, under its first name
            aliases[name] = first[key]
            continue
        if key is not None:
            first[key] = name
        tensors[name] = v.detach().to("cpu").clone().contiguous()
    save_file(tensors, str(out_dir / WEIGHTS_FILE),
              metadata={ALIASES: json.dumps(aliases)} if aliases else None)
    (out_dir / GRAPH_FILE).write_bytes(art.exported_program)


def share_key(t: torch.Tensor) -> Any:
    """What makes two tensors one stored tensor: the same memory, read the same way (None for
    an empty tensor, which holds nothing to share)."""
    if t.numel() == 0:
        return None
    return (t.device, t.data_ptr(), t.dtype, tuple(t.shape), tuple(t.stride()))


def read_aliases(path: Path, names: set[str]) -> dict[str, str]:
    """The aliases recorded in a weights file (`ALIASES`), checked: each names a tensor the
    file does not hold, of a known kind, and maps it to one the file does hold. Raises
    ArtifactError."""
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as f:
        doc = (f.metadata() or {}).get(ALIASES)
    try:
        aliases = json.loads(doc) if doc is not None else {}
    except ValueError:
        aliases = None
    if not isinstance(aliases, dict) or not all(
            isinstance(a, str) and isinstance(t, str) and a not in names and t in names
            and a.startswith((_PARAM, _STATE, _CONST)) for a, t in aliases.items()):
        raise ArtifactError(f"{WEIGHTS_FILE}'s tied-tensor map is malformed")
    return aliases


# -- loading and checking (measurement side) ---------------------------------------------------

@dataclass(frozen=True)
class GraphReport:
    ops: dict[str, int]  # operator -> number of calls in the graph
    buffer_mutations: int


def _sym_int_problem(node: dict[str, Any]) -> str | None:
    """Why a serialised SYM_ARITHMETIC node is not integer arithmetic on the batch size (None
    when it is): every input a symbolic integer or a small constant one, one of them
    symbolic, its output a symbolic integer."""
    args = [i.get("arg") if isinstance(i, dict) else None for i in node.get("inputs") or []]
    outs = node.get("outputs") or []
    kinds = [next(iter(a)) if isinstance(a, dict) and len(a) == 1 else "?" for a in args]
    ok = (len(args) == 2 and all(k in ("as_sym_int", "as_int") for k in kinds)
          and "as_sym_int" in kinds and len(outs) == 1 and isinstance(outs[0], dict)
          and set(outs[0]) == {"as_sym_int"})
    consts = [a["as_int"] for a, k in zip(args, kinds, strict=False)
              if k == "as_int" and isinstance(a, dict)] if ok else []
    if ok and all(type(c) is int and abs(c) <= _MAX_SYM_CONSTANT for c in consts):
        return None
    return f"operator {node.get('target')!r} is allowed only on the symbolic batch size"


def _op_name_ok(target: str) -> str | None:
    """None when `target` (a serialised node target) is allowed, else why not."""
    if target in _ALLOWED_PYTHON_TARGETS or target in SYM_ARITHMETIC:
        return None
    parts = target.split(".")
    if len(parts) != 5 or parts[:2] != ["torch", "ops"] or parts[2] not in _ALLOWED_NAMESPACES:
        return f"operator {target!r} is not an ATen/prims operator"
    if parts[3] in _FORBIDDEN_OPS:
        return f"operator {target!r} does I/O or changes global state"
    return None


# Symbolic shape expressions in the JSON are parsed with sympy.sympify, which evaluates Python,
# and sympy then simplifies them (a huge power hangs it). Each one is parsed here first, by
# Python's own parser (which evaluates nothing), and must be a small polynomial-like expression
# over the batch symbol: these calls and keywords, bounded integers and powers, bounded degree.
_SYM_CALLS = frozenset({
    "Symbol", "Integer", "Rational", "Mul", "Add", "Pow", "Mod", "FloorDiv", "CeilToInt",
    "FloorToInt", "PythonMod", "CleanDiv", "TruncToInt", "Max", "Min", "Eq", "Ne", "Lt", "Le",
    "Gt", "Ge",
})
_SYM_KEYWORDS = frozenset({"positive", "integer", "nonnegative", "real", "finite"})
_SYMBOL = re.compile(r"s[0-9]{1,9}")  # a backed size symbol; `u0`... are data-dependent sizes
MAX_EXPR_CHARS = 400
MAX_EXPR_DEGREE = 4  # a shape is at most a small polynomial of the batch size
MAX_EXPR_INT = 1 << 62


class _ExprError(ValueError):
    pass


def _degree(node: ast.AST) -> int:
    """Degree of a parsed shape expression in its symbols; raises _ExprError where the
    expression is not one (any Python beyond the allowed shapes, a power too high)."""
    if isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, bool) or (isinstance(v, int) and abs(v) <= MAX_EXPR_INT):
            return 0
        raise _ExprError(f"literal {str(v)[:20]!r}")
    if isinstance(node, ast.Name) and node.id in ("True", "False"):
        return 0
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        return _degree(node.operand)
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Pow):
            return _power(node.left, node.right)
        left, right = _degree(node.left), _degree(node.right)
        if isinstance(node.op, ast.Mult):
            return _bounded(left + right)
        if isinstance(node.op, ast.Add | ast.Sub | ast.FloorDiv | ast.Mod):
            return max(left, right)
        raise _ExprError("operator")
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        return max(_degree(node.left), _degree(node.comparators[0]))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id in _SYM_CALLS:
        for kw in node.keywords:
            if kw.arg not in _SYM_KEYWORDS or not (isinstance(kw.value, ast.Constant)
                                                  and isinstance(kw.value.value, bool)):
                raise _ExprError("keyword")
        name = node.func.id
        if name == "Symbol":
            if len(node.args) != 1 or not isinstance(node.args[0], ast.Constant) \
                    or not isinstance(node.args[0].value, str):
                raise _ExprError("symbol")
            if not _SYMBOL.fullmatch(node.args[0].value):
                raise _ExprError(f"symbol {node.args[0].value[:20]!r} (only the batch size "
                                 "may be symbolic: data-dependent shapes are not measured)")
            return 1
        if node.keywords and name != "Symbol":
            raise _ExprError("keyword")
        if name == "Pow" and len(node.args) == 2:
            return _power(node.args[0], node.args[1])
        degrees = [_degree(a) for a in node.args]
        return _bounded(sum(degrees) if name == "Mul" else max(degrees, default=0))
    raise _ExprError(type(node).__name__)


def _power(base: ast.AST, exponent: ast.AST) -> int:
    e = exponent
    if isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id == "Integer" \
            and len(e.args) == 1:
        e = e.args[0]
    neg = isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.USub)
    e = e.operand if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.USub) else e
    if not (isinstance(e, ast.Constant) and type(e.value) is int
            and e.value <= MAX_EXPR_DEGREE):
        raise _ExprError("power")
    d = _degree(base)
    if d == 0 and not neg:  # a constant to a small power: small
        return 0
    return _bounded(d * e.value)


def _bounded(degree: int) -> int:
    if degree > MAX_EXPR_DEGREE:
        raise _ExprError(f"degree {degree} > {MAX_EXPR_DEGREE}")
    return degree


def sym_expr_problem(expr: Any) -> str | None:
    """None when `expr` (a serialised shape expression) is safe to hand to sympy, else why not.
    Bounded in size (MAX_EXPR_CHARS), integers (MAX_EXPR_INT) and degree (MAX_EXPR_DEGREE) before
    sympy sees it, so neither Python nor a huge power reaches it."""
    if not isinstance(expr, str):
        return "not a string"
    if len(expr) > MAX_EXPR_CHARS:
        return f"longer than {MAX_EXPR_CHARS} characters"
    try:
        tree = ast.parse(expr, mode="eval")
        _degree(tree.body)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as e:
        return str(e)[:120] or type(e).__name__
    return None


def _safe_sym_expr(expr: str) -> bool:
    """True when `expr` can only denote a small sympy expression over the batch symbol."""
    return sym_expr_problem(expr) is None


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
        if why is None and target in SYM_ARITHMETIC:
            why = _sym_int_problem(node)
        if why and why not in problems:
            problems.append(why)
    exprs: list[Any] = []
    _expressions(doc, exprs)
    for e in exprs:
        why = sym_expr_problem(e)
        if why is not None:
            problems.append(f"symbolic shape expression {str(e)[:80]!r} is not allowed ({why})")
            break
    symbols = set(_SYMBOL.findall(" ".join(e for e in exprs if isinstance(e, str))))
    ranges = doc.get("range_constraints") or {}
    if not isinstance(ranges, dict) or any(not _SYMBOL.fullmatch(str(k)) for k in ranges):
        problems.append("the graph has data-dependent sizes (range constraints on symbols other "
                        "than the batch size): their cost depends on the data, so such a graph "
                        "is not measured; keep every shape but the batch size fixed")
    elif len(symbols | set(ranges)) > 1:
        problems.append(f"the graph has {len(symbols | set(ranges))} symbolic sizes: only the "
                        "batch size may vary")
    if gm["graph"].get("custom_obj_values"):
        problems.append("graph holds custom (torchbind) objects")
    sig = gm.get("signature") or {}
    for spec in sig.get("input_specs") or []:
        kind = next(iter(spec)) if isinstance(spec, dict) and spec else "?"
        if kind not in ("user_input", "parameter", "buffer", "tensor_constant"):
            problems.append(f"graph input of kind {kind!r} is not allowed")
    return problems


def _check_sym_arithmetic(node: Any) -> None:
    """A deserialised SYM_ARITHMETIC node: two integers, one of them symbolic (a node whose
    recorded value is a SymInt), the other symbolic too or a small constant; raises
    ArtifactError otherwise."""
    def sym(a: Any) -> bool:
        return isinstance(a, torch.fx.Node) and isinstance(a.meta.get("val"), torch.SymInt)

    args = list(node.args)
    consts = [a for a in args if not sym(a)]
    if node.kwargs or len(args) != 2 or len(consts) == 2 or not isinstance(
            node.meta.get("val"), torch.SymInt) or any(
            type(c) is not int or abs(c) > _MAX_SYM_CONSTANT for c in consts):
        raise ArtifactError(f"graph node {node.name!r} calls {node.target.__name__} on "
                            "something other than the symbolic batch size")


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
        if t in SYM_ARITHMETIC.values():
            _check_sym_arithmetic(node)
            continue
        if not isinstance(t, torch._ops.OpOverload):
            raise ArtifactError(f"graph node {node.name!r} calls {t!r}: not an ATen operator")
        ns = t.namespace
        if ns not in _ALLOWED_NAMESPACES or t._opname in _FORBIDDEN_OPS:
            raise ArtifactError(f"graph node {node.name!r} calls {t}: not allowed")
        tags = set(t.tags)
        if torch.Tag.data_dependent_output in tags or (
                torch.Tag.dynamic_output_shape in tags and t._opname not in _INDEXING):
            raise ArtifactError(f"graph node {node.name!r} calls {t}, whose output shape or "
                                "value depends on the data: its cost cannot be measured "
                                "independently of the images; use fixed-shape tensor ops "
                                "(masks, torch.where)")
        if "val" not in node.meta and t._schema.returns:
            raise ArtifactError(f"graph node {node.name!r} has no recorded shape")
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
    aliases = read_aliases(wpath, set(tensors))
    tensors.update({a: tensors[t] for a, t in aliases.items()})  # one tensor, every name
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
    """A checked exported program as an `nn.Module`: its stored tensors are buffers (a tensor
    the graph reads under several names, a tied weight, is one buffer), `forward` runs the
    graph's generated code (ATen calls only), and returns the one output tensor.
    `checked` runs it node by node and refuses any node whose output shape differs from the
    shape the graph declares for that batch size (a data-dependent shape)."""

    def __init__(self, ep: Any) -> None:
        super().__init__()
        from torch.export.graph_signature import InputKind, OutputKind

        self._gm = ep.graph_module
        self._out = next(i for i, s in enumerate(ep.graph_signature.output_specs)
                         if s.kind == OutputKind.USER_OUTPUT)
        self._slots: list[str | None] = []  # buffer name per graph input; None = the images
        self.kinds: dict[str, int] = {"parameter": 0, "buffer": 0, "constant": 0}
        self._input_kinds: list[str | None] = []  # per graph input, as the graph declares it
        held: dict[Any, str] = {}  # share_key -> the buffer holding that tensor
        for i, spec in enumerate(ep.graph_signature.input_specs):
            if spec.kind == InputKind.USER_INPUT:
                self._slots.append(None)
                self._input_kinds.append(None)
                continue
            if spec.kind == InputKind.CONSTANT_TENSOR:
                t, kind = ep.constants[spec.target], "constant"
            else:
                t = ep.state_dict[spec.target]
                kind = "parameter" if spec.kind == InputKind.PARAMETER else "buffer"
            self._input_kinds.append(kind)
            key = share_key(t)
            if key in held:  # a tied tensor: the graph reads one buffer under both names
                self._slots.append(held[key])
                continue
            name = f"t{i}"
            self.register_buffer(name, t.detach().clone())
            self.kinds[kind] += int(t.numel())
            if key is not None:
                held[key] = name
            self._slots.append(name)
        self._expected: dict[int, dict[str, Any]] = {}

    def stored(self) -> dict[str, torch.Tensor]:
        return dict(self.named_buffers())

    def stored_inputs(self) -> list[tuple[Any, str, torch.Tensor]]:
        """(graph placeholder, kind, tensor) of every stored input of the graph; the inputs
        of a tied tensor hold the same tensor object."""
        nodes = [n for n in self._gm.graph.nodes if n.op == "placeholder"]
        return [(node, kind, getattr(self, s)) for node, s, kind
                in zip(nodes, self._slots, self._input_kinds, strict=True)
                if s is not None and kind is not None]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        args = [x if s is None else getattr(self, s) for s in self._slots]
        return self._gm(*args)[self._out]

    def _declared(self, batch: int) -> dict[str, Any]:
        """Every node's declared output shape(s) at `batch` (the batch symbol substituted)."""
        if batch in self._expected:
            return self._expected[batch]
        nodes = [n for n in self._gm.graph.nodes if n.op == "placeholder"]
        images = nodes[self._slots.index(None)].meta["val"]
        subs: dict[Any, int] = {}
        if isinstance(images.shape[0], torch.SymInt):
            subs[images.shape[0].node.expr] = batch

        def size(d: Any) -> Any:
            if isinstance(d, torch.SymInt | torch.SymFloat | torch.SymBool):
                return int(d.node.expr.xreplace(subs))
            return d

        def shapes(v: Any) -> Any:
            if isinstance(v, torch.Tensor):
                return tuple(size(d) for d in v.shape)
            if isinstance(v, list | tuple):
                return tuple(shapes(e) for e in v)
            return size(v) if isinstance(v, torch.SymInt | int) else None

        out = {n.name: shapes(n.meta.get("val")) for n in self._gm.graph.nodes
               if n.op == "call_function"}
        if len(self._expected) < 16:
            self._expected[batch] = out
        return out

    def checked(self, x: torch.Tensor) -> torch.Tensor:
        """`forward`, node by node, refusing a node whose output shape is not the declared
        one: what the graph computes cannot depend on the data in shape (ArtifactError)."""
        from torch.fx import Interpreter

        declared = self._declared(int(x.shape[0]))

        def shapes(v: Any) -> Any:
            if isinstance(v, torch.Tensor):
                return tuple(int(d) for d in v.shape)
            if isinstance(v, list | tuple):
                return tuple(shapes(e) for e in v)
            return int(v) if isinstance(v, int) else None

        class Checked(Interpreter):
            def run_node(self, n: Any) -> Any:
                out = super().run_node(n)
                if n.op == "call_function" and shapes(out) != declared.get(n.name):
                    raise ArtifactError(
                        f"graph node {n.name!r} produced shape {shapes(out)} where the graph "
                        f"declares {declared.get(n.name)} at batch {int(x.shape[0])}: a "
                        "data-dependent shape (refused)")
                return out

        args = [x if s is None else getattr(self, s) for s in self._slots]
        return Checked(self._gm).run(*args)[self._out]


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0] if text else ''}"[:300].rstrip(": ")
