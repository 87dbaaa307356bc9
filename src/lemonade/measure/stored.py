"""What an exported graph stores, counted as the field counts parameters.

`params` = learnable parameters + every other stored tensor the graph reads (buffers, lifted
constants: weights kept in buffers are weights) + every number written into the graph itself
(weights turned into Python floats become literals such as `aten.full(..., 0.37)` or
`aten.mul(x, 0.37)`), minus two kinds of state that are not weights, told apart by their role
in the graph, never by their name:

- normalisation statistics: a buffer read only as `running_mean` / `running_var` by an
  inference-mode batch-norm operator whose `weight` and `bias` are learnable parameters of the
  same size (each such weight/bias pair frees one pair of statistics, so at most as many numbers
  go uncounted as the affine parameters that are counted);
- unused state (the batch counter `num_batches_tracked` of an eval-mode graph): a stored tensor
  no operator reads cannot change an output. Parameters count even when unused, as
  `sum(p.numel() for p in model.parameters())` does.

A tensor the graph reads under several names (a tied weight) counts once, as its most counted
role (a parameter, else a stored weight; it goes uncounted only if it is nothing but
normalisation statistics or unused state under every name), like `model.parameters()` lists a
shared parameter once.

For a CNN with BatchNorm this is exactly `sum(p.numel() for p in model.parameters())`.

Literals: numbers in shape and layout arguments (sizes, dims, strides, padding, kernel sizes,
dtypes...) are structure, not weights (except sizes that make new elements: `expand`,
`repeat`, `tile`, -1 aside), and batch-norm / layer-norm `eps` of the usual powers of ten,
`momentum` (unused in inference) and inference-mode dropout are hyper-parameters; every other
number in an operator's arguments counts as one parameter (four bytes in the model size),
including the sizes and fill values of tensors the graph creates, and shape reads (`sym_size`)
that are not the batch.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from typing import Any

import torch

from lemonade.sandbox.artifacts import ProgramModule, export_program

_BATCH_NORMS = frozenset({"batch_norm", "native_batch_norm", "_native_batch_norm_legit",
                          "_native_batch_norm_legit_no_training", "cudnn_batch_norm",
                          "miopen_batch_norm", "_batch_norm_impl_index"})
_NORMS_WITH_EPS = _BATCH_NORMS | {"layer_norm", "native_layer_norm", "group_norm",
                                  "native_group_norm", "instance_norm", "rms_norm"}
_STRUCTURE = frozenset("""
dim dims dim0 dim1 start_dim end_dim stride padding dilation groups kernel_size output_size
output_padding size shape sizes split_size split_sizes chunks pad keepdim upscale_factor
downscale_factor num_groups normalized_shape scale_factors scales scales_h scales_w scales_d
align_corners ceil_mode count_include_pad transposed half_to_float dtype layout device
pin_memory memory_format non_blocking copy implicit dimension step cudnn_enabled cudnn_enable
training correction unbiased approximate reduce include_self rounding_mode largest sorted stable
descending return_indices antialias padding_mode interpolation_mode N C HxW group
""".split())  # noqa: SIM905
_LAYOUT = frozenset({"dtype", "layout", "device", "pin_memory", "memory_format"})
_CREATION = frozenset({"full", "ones", "zeros", "empty", "arange", "eye", "linspace",
                       "logspace", "scalar_tensor", "new_full", "new_ones", "new_zeros",
                       "new_empty", "empty_strided", "new_empty_strided", "full_like"})
_DROPOUTS = frozenset({"dropout", "feature_dropout", "alpha_dropout", "feature_alpha_dropout"})
_GROWING = {"expand": ("size",), "tile": ("dims",), "repeat": ("repeats",)}
_SHAPE_READS = frozenset({"sym_size", "sym_numel", "sym_stride", "sym_storage_offset", "numel",
                          "size", "stride"})
_CANONICAL_EPS = tuple(10.0 ** -k for k in range(1, 13))
# the roles of a stored tensor, the most counted first (StoredCount's fields)
_ROLES = ("parameters", "buffers", "constants", "normalisation_statistics", "unused_state")


@dataclass
class StoredCount:
    """The parts of `params`; `total` is the figure."""

    parameters: int = 0
    buffers: int = 0  # buffers the graph reads, other than normalisation statistics
    constants: int = 0  # tensors torch.export lifted (plain tensor attributes)
    literals: int = 0  # numbers written into the graph's operator arguments
    normalisation_statistics: int = 0  # not counted
    unused_state: int = 0  # not counted
    literal_ops: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.parameters + self.buffers + self.constants + self.literals

    def method(self) -> dict[str, Any]:
        return {"counted": "learnable parameters + stored tensors the graph reads, except "
                           "batch-norm running statistics (by their role in the graph) + numbers "
                           "written into the graph (literals); unused state not counted",
                "parameters": self.parameters, "buffers": self.buffers,
                "constants": self.constants, "literals": self.literals,
                "literals_by_op": dict(sorted(self.literal_ops.items())[:20]),
                "not_counted": {"normalisation_statistics": self.normalisation_statistics,
                                "unused_state": self.unused_state}}


def _op_name(target: Any) -> str:
    if isinstance(target, torch._ops.OpOverload):
        return target._opname
    return getattr(target, "__name__", str(target))


def _bound(node: Any) -> dict[str, Any]:
    """The node's arguments by schema name (positional ones included)."""
    schema = getattr(node.target, "_schema", None)
    if schema is None:
        return {f"arg{i}": a for i, a in enumerate(node.args)} | dict(node.kwargs)
    names = [a.name for a in schema.arguments]
    out = {names[i] if i < len(names) else f"arg{i}": a for i, a in enumerate(node.args)}
    out.update(node.kwargs)
    return out


def _numbers(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int | float):
        return 0 if isinstance(value, int) and abs(value) >= 1 << 62 else 1  # slice sentinels
    if isinstance(value, list | tuple):
        return sum(_numbers(v) for v in value)
    return 0


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _canonical_eps(value: Any) -> bool:
    return isinstance(value, float) and any(math.isclose(value, e, rel_tol=1e-6)
                                            for e in _CANONICAL_EPS)


def _symbolic(value: Any) -> bool:
    return isinstance(value, torch.SymInt | torch.SymFloat) and not isinstance(
        getattr(value.node, "maybe_as_int", lambda: None)(), int)


def node_literals(node: Any) -> int:
    """How many numbers a graph node writes into its arguments outside structure."""
    if node.op != "call_function" or node.target is operator.getitem:
        return 0
    name = _op_name(node.target)
    if name in _SHAPE_READS:  # a shape read of a fixed dimension is a number in disguise
        return 0 if _symbolic(node.meta.get("val")) else 1
    bound = _bound(node)
    if name in _DROPOUTS and bound.get("train") is False:  # the identity in inference
        return 0
    n = 0
    for arg, value in bound.items():
        if name in _CREATION:
            n += 0 if arg in _LAYOUT else _numbers(value)
        elif name in _GROWING and arg in _GROWING[name]:
            # sizes that make new elements (ones(...).expand(n).sum() is the number n)
            n += sum(_numbers(v) for v in _as_list(value) if v != -1)
        elif name in _NORMS_WITH_EPS and arg in ("eps", "momentum"):
            n += 0 if arg == "momentum" or _canonical_eps(value) else _numbers(value)
        elif arg not in _STRUCTURE:
            n += _numbers(value)
    return n


def _statistics(gm: Any, kind_of: dict[Any, str], tensor_of: dict[Any, int]) -> set[Any]:
    """Buffer placeholders used only as running statistics of an inference batch norm whose
    affine weight and bias are parameters of the same size (each pair frees one pair: four
    distinct tensors, `tensor_of`, and an affine tensor frees statistics once however many
    names it has)."""
    uses: dict[Any, int] = {}
    freed: set[Any] = set()
    affine_used: set[Any] = set()
    for node in gm.graph.nodes:
        if node.op != "call_function" or _op_name(node.target) not in _BATCH_NORMS:
            continue
        args = _bound(node)
        if args.get("training") is True:
            continue
        w, b = args.get("weight"), args.get("bias")
        rm, rv = args.get("running_mean"), args.get("running_var")
        if not all(isinstance(t, torch.fx.Node) for t in (w, b, rm, rv)):
            continue
        tensors = {tensor_of.get(t) for t in (w, b, rm, rv)}
        if kind_of.get(w) != "parameter" or kind_of.get(b) != "parameter" \
                or kind_of.get(rm) != "buffer" or kind_of.get(rv) != "buffer" \
                or len(tensors) != 4 or tensor_of[w] in affine_used \
                or tensor_of[b] in affine_used:
            continue
        sizes = {_numel(t) for t in (w, b, rm, rv)}
        if len(sizes) != 1:
            continue
        affine_used |= {tensor_of[w], tensor_of[b]}
        for s in (rm, rv):
            uses[s] = uses.get(s, 0) + 1
            freed.add(s)
    # a statistic also read by any other operator (or twice) is a weight
    return {s for s in freed if uses[s] == 1 and len(s.users) == 1}


def _numel(node: Any) -> int:
    v = node.meta.get("val")
    return int(v.numel()) if isinstance(v, torch.Tensor) else -1


def count_stored(gm: Any, placeholders: list[tuple[Any, str, torch.Tensor]]) -> StoredCount:
    """`placeholders`: (graph placeholder node, kind, stored tensor) for every stored input,
    kind one of parameter / buffer / constant; the placeholders of a tied tensor hold the same
    tensor object (`ProgramModule.stored_inputs`), which counts once."""
    kind_of = {node: kind for node, kind, _t in placeholders}
    tensor_of = {node: id(t) for node, _k, t in placeholders}
    stats = _statistics(gm, kind_of, tensor_of)
    roles: dict[int, tuple[int, int]] = {}  # tensor -> (its most counted role, its numel)
    for node, kind, t in placeholders:
        role = _ROLES.index("parameters" if kind == "parameter"
                            else "normalisation_statistics" if node in stats
                            else "unused_state" if not node.users
                            else "buffers" if kind == "buffer" else "constants")
        seen = roles.get(id(t))
        roles[id(t)] = (role if seen is None else min(role, seen[0]), int(t.numel()))
    c = StoredCount()
    for role, n in roles.values():
        setattr(c, _ROLES[role], getattr(c, _ROLES[role]) + n)
    for node in gm.graph.nodes:
        k = node_literals(node)
        if k:
            c.literals += k
            key = _op_name(node.target)
            c.literal_ops[key] = c.literal_ops.get(key, 0) + k
    return c


def module_params(model: torch.nn.Module, example: torch.Tensor) -> tuple[int, dict[str, Any]]:
    """`params` of a module, counted like the trusted measurement counts them: on the graph
    `torch.export` makes of it (in eval mode, as the training worker exports it), with the
    method record. Raises the exporter's error (lemonade.sandbox.artifacts.ArtifactError)."""
    program = ProgramModule(export_program(model, example))
    count = count_stored(program._gm, program.stored_inputs())
    return count.total, count.method()
