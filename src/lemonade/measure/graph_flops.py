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
- any other operator: 1 per output element, and listed under `uncategorised` in the method.
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

CONVENTION = ("matmul/conv multiply-add = 2 FLOPs (torch FlopCounterMode formulas); pointwise "
              "ops 1 per output element; reductions 1 per input element (softmax 3); pooling "
              "output x kernel; batch norm 2, layer/group norm 5 per element; data movement 0")

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
_REDUCE = frozenset("""
sum mean amax amin max min argmax argmin prod var std var_mean std_mean norm linalg_vector_norm
logsumexp any all cumsum cumprod nansum count_nonzero median mode topk sort kthvalue
""".split())  # noqa: SIM905
_SOFTMAX = frozenset({"_softmax", "_log_softmax", "softmax", "log_softmax"})
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
                         "instance_norm", "rms_norm", "_fused_rms_norm"})


def _numel(x: Any) -> int:
    return sum(int(t.numel()) for t in tree_flatten(x)[0] if isinstance(t, torch.Tensor))


def _first_tensor(args: Any) -> torch.Tensor | None:
    return next((t for t in tree_flatten(args)[0] if isinstance(t, torch.Tensor)), None)


def _largest_output(out: Any) -> int:
    sizes = [int(t.numel()) for t in tree_flatten(out)[0] if isinstance(t, torch.Tensor)]
    return max(sizes, default=0)


def _kernel_area(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    k = kwargs.get("kernel_size", args[1] if len(args) > 1 else 1)
    dims = 1 if name.endswith("1d") else 3 if name.endswith("3d") else 2
    if isinstance(k, int):
        return k ** dims
    return math.prod(int(v) for v in k) if len(k) > 1 else int(k[0]) ** dims


def op_flops(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], out: Any
             ) -> tuple[int, str]:
    """(FLOPs, category) of one ATen call."""
    packet = func.overloadpacket
    if packet in flop_registry:
        return int(flop_registry[packet](*args, **kwargs, out_val=out)), "matmul/conv"
    name = packet.__name__.rstrip("_") or packet.__name__  # in-place add_ costs as add
    if name in _MOVES:
        return 0, "data movement"
    first = _first_tensor(args)
    n_in = int(first.numel()) if first is not None else 0
    if name in _POOL:
        return _largest_output(out) * _kernel_area(name, args, kwargs), "pooling"
    if name in _ADAPTIVE:
        return n_in, "pooling"
    if name in _SOFTMAX:
        return 3 * n_in, "reduction"
    if name in _REDUCE:
        return n_in, "reduction"
    if name in _BATCH_NORM:
        return 2 * n_in, "normalisation"
    if name in _OTHER_NORM:
        return 5 * n_in, "normalisation"
    if torch.Tag.pointwise in getattr(func, "tags", ()):
        return _largest_output(out), "pointwise"
    return _largest_output(out), "uncategorised"


class GraphFlopCounter(TorchDispatchMode):
    """Counts `op_flops` of every operator dispatched inside the `with` block."""

    def __init__(self) -> None:
        super().__init__()
        self.by_op: dict[str, int] = defaultdict(int)
        self.by_category: dict[str, int] = defaultdict(int)
        self.uncategorised: set[str] = set()

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
        if category == "uncategorised":
            self.uncategorised.add(key)
        return out


def count_graph_flops(forward: Callable[[torch.Tensor], Any], x: torch.Tensor
                      ) -> GraphFlopCounter:
    """Run `forward(x)` once without gradients and count every operator's FLOPs."""
    counter = GraphFlopCounter()
    with torch.no_grad(), counter:
        forward(x)
    return counter
