"""FLOPs of every ATen operator a forward pass runs, not only the matmuls and convolutions.

`torch.utils.flop_counter.FlopCounterMode` counts only operators it has formulas for (matmul,
convolution, attention); a model that writes its arithmetic as elementwise ops (`(x * w).sum(-1)`
instead of a Linear) would score almost 0 FLOPs with it. This counter runs the forward under a
`TorchDispatchMode` and charges every operator:

- matmul / convolution / attention: FlopCounterMode's own formulas (multiply-add = 2 FLOPs);
- pointwise operators (ATen's `pointwise` tag: add, mul, relu, exp, where...): 1 per output element;
- reductions (sum, mean, amax, var, norm, argmax...): 1 per input element;
  softmax / log_softmax: 3 per input element (exp, sum, divide);
- pooling: output elements x kernel area (adaptive pooling: 1 per input element);
- normalisation: batch norm 2 per element (scale and shift), layer/group/instance norm 5;
- data movement (views, reshapes, copies, concatenation, indexing, creation): 0;
- contractions torch has no formula for: `_trilinear` (nn.Bilinear) 2 per element of the
  broadcast product, `mv`/`dot`/`addmv` 2 per multiply-add, `addr`/`outer` 1-2 per output,
  `cdist` 3 per pair-dimension, interpolation per tap; scaled dot-product attention on the CPU
  (`F.scaled_dot_product_attention`, nn.TransformerEncoderLayer) as its math: score
  multiply-adds, scale, mask, softmax (3) and the weighted values (`_attention`);
  nn.MultiheadAttention exports as matmuls (bmm), a multiply and a softmax: formulas above;
- any other operator has no formula: it is listed in `GraphFlopCounter.unknown`, and the trusted
  measurement refuses the model (lemonade.measure.program), never a guessed figure.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten
from torch.utils.flop_counter import flop_registry

CONVENTION = ("matmul/conv multiply-add = 2 FLOPs (torch FlopCounterMode formulas; bilinear, "
              "mv, dot, cdist, CPU attention by lemonade's); pointwise ops 1 per output "
              "element; reductions 1 per input element (softmax 3); pooling output x kernel; "
              "interpolation 2 per tap; batch norm 2, layer/group norm 5 per element; data "
              "movement 0; an operator without a formula is refused")

_MOVES = frozenset("""
view _unsafe_view reshape expand expand_as permute transpose t squeeze unsqueeze flatten
unflatten slice select index_select cat stack split split_with_sizes chunk unbind clone
contiguous _to_copy to copy_ copy detach alias lift_fresh_copy lift_fresh as_strided empty
empty_like empty_strided zeros zeros_like ones ones_like full full_like new_empty new_zeros
new_ones new_full new_empty_strided arange scalar_tensor constant_pad_nd pad repeat narrow
gather index movedim roll flip _reshape_alias view_as slice_scatter select_scatter
channel_shuffle pixel_shuffle pixel_unshuffle native_dropout dropout feature_dropout tile
masked_select resize_ sym_size sym_numel sym_stride _local_scalar_dense item fill_ zero_
""".split())  # noqa: SIM905
_MOVES |= set("""
scatter index_copy index_fill unfold im2col diagonal diag_embed tril triu embedding rot90
swapaxes swapdims moveaxis unsafe_split unsafe_chunk tensor_split hsplit vsplit dsplit
empty_permuted linspace logspace eye one_hot view_copy permute_copy expand_copy t_copy
transpose_copy unsqueeze_copy squeeze_copy alias_copy slice_copy select_copy split_copy
unbind_copy _unsafe_index _unsafe_view diagonal_copy unfold_copy as_strided_copy
""".split())  # noqa: SIM905
_MOVES |= {"fill", "zero", "resize", "copy", "_assert_tensor_metadata", "_assert_scalar",
           "sym_constrain_range", "sym_constrain_range_for_size", "_functional_assert_scalar"}
_REDUCE = frozenset("""
sum mean amax amin max min argmax argmin prod var std var_mean std_mean norm linalg_vector_norm
logsumexp any all cumsum cumprod nansum count_nonzero median mode topk sort kthvalue argsort
msort nanmean aminmax logcumsumexp cummax cummin nanmedian
""".split())  # noqa: SIM905
_SCATTER_ADD = frozenset({"scatter_add", "scatter_reduce", "index_add", "index_reduce",
                          "index_put", "_index_put_impl", "embedding_bag", "_embedding_bag",
                          "_embedding_bag_forward_only", "col2im"})  # 1 per source element
_ELEMENTWISE = frozenset({"hardswish", "prelu", "_prelu_kernel", "glu", "masked_fill",
                          "where", "clamp", "fill"})  # untagged overloads of elementwise ops
_INTERPOLATE = {"upsample_nearest1d": 0, "upsample_nearest2d": 0, "upsample_nearest3d": 0,
                "_upsample_nearest_exact1d": 0, "_upsample_nearest_exact2d": 0,
                "_upsample_nearest_exact3d": 0, "upsample_linear1d": 3,
                "upsample_bilinear2d": 7, "_upsample_bilinear2d_aa": 7,
                "upsample_trilinear3d": 15, "upsample_bicubic2d": 31,
                "_upsample_bicubic2d_aa": 31, "grid_sampler_2d": 7, "grid_sampler": 7,
                "grid_sampler_3d": 15}  # FLOPs per output element (2 x taps - 1)
_SOFTMAX = frozenset({"_softmax", "_log_softmax", "softmax", "log_softmax", "_safe_softmax"})
_POOL = frozenset({"max_pool1d", "max_pool2d", "max_pool3d", "max_pool2d_with_indices",
                   "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d", "avg_pool3d",
                   "max_pool1d_with_indices"})
_ADAPTIVE = frozenset({"adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
                       "_adaptive_avg_pool2d", "_adaptive_avg_pool3d", "adaptive_max_pool1d",
                       "adaptive_max_pool2d", "adaptive_max_pool3d"})
_BATCH_NORM = frozenset({"batch_norm", "native_batch_norm", "_native_batch_norm_legit",
                         "_native_batch_norm_legit_no_training", "_batch_norm_impl_index",
                         "cudnn_batch_norm", "miopen_batch_norm"})
_OTHER_NORM = frozenset({"layer_norm", "native_layer_norm", "group_norm", "native_group_norm",
                         "instance_norm", "rms_norm", "_fused_rms_norm",
                         "_weight_norm_interface", "_weight_norm"})


def _numel(x: Any) -> int:
    return sum(int(t.numel()) for t in tree_flatten(x)[0] if isinstance(t, torch.Tensor))


def _first_tensor(args: Any) -> torch.Tensor | None:
    return next((t for t in tree_flatten(args)[0] if isinstance(t, torch.Tensor)), None)


def _shape(x: Any) -> list[int]:
    return [int(d) for d in x.shape] if isinstance(x, torch.Tensor) else []


def _trilinear(args: tuple[Any, ...]) -> int:
    """aten._trilinear(i1, i2, i3, expand1, expand2, expand3, sumdim, ...): the three inputs,
    each unsqueezed at its `expand` dims, are multiplied over their broadcast shape and summed
    over `sumdim`: 2 FLOPs per element of that shape (what the einsum twin costs in matmuls)."""
    shapes = []
    for t, expand in zip(args[:3], args[3:6], strict=True):
        dims = iter(_shape(t))
        ndim = len(_shape(t)) + len(expand)
        shapes.append([1 if d in set(expand) else next(dims) for d in range(ndim)])
    return 2 * math.prod(torch.broadcast_shapes(*[torch.Size(s) for s in shapes]))


def _attention(args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    """Scaled dot-product attention (`F.scaled_dot_product_attention`, the attention of
    nn.TransformerEncoderLayer) as its math: per query row (batch x heads x queries) and key,
    the score's multiply-adds (2 x head dim), its scale (1), an additive mask's add (1, when a
    float mask is given), the softmax (3) and the weighted sum of values (2 x value dim)."""
    q, k, v = (_shape(t) for t in args[:3])
    mask = kwargs.get("attn_mask", args[3] if len(args) > 3 else None)
    rows, keys = math.prod(q[:-1]), k[-2]  # batch x heads x queries; keys
    per_score = 2 * q[-1] + 1 + 3 + 2 * v[-1]
    if isinstance(mask, torch.Tensor):
        per_score += 1
    return rows * keys * per_score


def _contraction(name: str, args: tuple[Any, ...], out: Any,
                 kwargs: dict[str, Any] | None = None) -> int | None:
    """FLOPs of the contractions torch's flop_registry has no formula for; None otherwise."""
    a, b = (*args, None, None)[:2]
    if name in ("mv", "addmv"):
        m = a if name == "mv" else b
        return 2 * math.prod(_shape(m))
    if name in ("dot", "vdot", "inner"):
        return 2 * math.prod(_shape(a))
    if name in ("addr", "outer", "ger"):
        return 2 * _largest_output(out) if name == "addr" else _largest_output(out)
    if name == "addbmm":
        mat1, mat2 = _shape(args[1]), _shape(args[2])
        return 2 * math.prod(mat1) * mat2[-1]
    if name == "_trilinear":
        return _trilinear(args)
    if name in ("cdist", "_cdist_forward", "_euclidean_dist"):
        return 3 * _largest_output(out) * (_shape(a)[-1] if _shape(a) else 1)
    if name in ("_scaled_dot_product_flash_attention_for_cpu",
                "_scaled_dot_product_attention_math", "scaled_dot_product_attention"):
        return _attention(args, kwargs or {})
    return None


def _largest_output(out: Any) -> int:
    sizes = [int(t.numel()) for t in tree_flatten(out)[0] if isinstance(t, torch.Tensor)]
    return max(sizes, default=0)


def _kernel_area(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    k = kwargs.get("kernel_size", args[1] if len(args) > 1 else 1)
    dims = 1 if name.endswith("1d") else 3 if name.endswith("3d") else 2
    if isinstance(k, int):
        return k ** dims
    return math.prod(int(v) for v in k) if len(k) > 1 else int(k[0]) ** dims


def _pointwise(func: Any) -> bool:
    """An elementwise operator: ATen tags one of its overloads `pointwise`."""
    packet = func.overloadpacket
    return any(torch.Tag.pointwise in getattr(getattr(packet, o), "tags", ())
               for o in packet.overloads())


def op_flops(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], out: Any
             ) -> tuple[int, str]:
    """(FLOPs, category) of one ATen call; category "unknown" (0 FLOPs) when no formula
    applies, which the trusted measurement refuses."""
    packet = func.overloadpacket
    if packet in flop_registry:
        return int(flop_registry[packet](*args, **kwargs, out_val=out)), "matmul/conv"
    name = packet.__name__.rstrip("_") or packet.__name__  # in-place add_ costs as add
    if name in _MOVES:
        return 0, "data movement"
    contraction = _contraction(name, args, out, kwargs)
    if contraction is not None:
        return contraction, "matmul/conv"
    first = _first_tensor(args)
    n_in = int(first.numel()) if first is not None else 0
    if name in _POOL:
        return _largest_output(out) * _kernel_area(name, args, kwargs), "pooling"
    if name in _ADAPTIVE:
        return n_in, "pooling"
    if name in _INTERPOLATE:
        return _INTERPOLATE[name] * _largest_output(out), "interpolation"
    if name in _SOFTMAX:
        return 3 * n_in, "reduction"
    if name in _REDUCE:
        return n_in, "reduction"
    if name in _SCATTER_ADD:
        src = [t for t in tree_flatten(args)[0] if isinstance(t, torch.Tensor)]
        return (int(src[-1].numel()) if name != "col2im" else n_in), "reduction"
    if name in _BATCH_NORM:
        return 2 * n_in, "normalisation"
    if name in _OTHER_NORM:
        return 5 * n_in, "normalisation"
    if name in _ELEMENTWISE or _pointwise(func):
        return _largest_output(out), "pointwise"
    return 0, "unknown"


class GraphFlopCounter(TorchDispatchMode):
    """Counts `op_flops` of every operator dispatched inside the `with` block."""

    def __init__(self) -> None:
        super().__init__()
        self.by_op: dict[str, int] = defaultdict(int)
        self.by_category: dict[str, int] = defaultdict(int)
        self.unknown: set[str] = set()  # operators without a formula (refused)
        self.result: Any = None  # what the forward returned

    @property
    def total(self) -> int:
        return sum(self.by_op.values())

    def __torch_dispatch__(self, func: Any, types: Any, args: tuple[Any, ...] = (),
                           kwargs: dict[str, Any] | None = None) -> Any:
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        n, category = op_flops(func, args, kwargs, out)
        key = str(func.overloadpacket)
        self.by_op[key] += n
        self.by_category[category] += n
        if category == "unknown":
            self.unknown.add(key)
        return out


def count_graph_flops(forward: Callable[[torch.Tensor], Any], x: torch.Tensor
                      ) -> GraphFlopCounter:
    """Run `forward(x)` once without gradients and count every operator's FLOPs (its output is
    kept in `counter.result`)."""
    counter = GraphFlopCounter()
    with torch.no_grad(), counter:
        counter.result = forward(x)
    return counter
