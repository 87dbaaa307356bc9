"""A block-level description of a CNN (the offline proposer's search space), its edits and its
rendering to a model file.

A genome is a stem convolution, 1-4 stages of plain or residual blocks, global average pooling
and 0-3 hidden dense layers. It is a frozen dataclass, so a genome is a value: it hashes, compares
and serialises (`to_dict` / `from_dict`) to the JSON stored with each candidate.

Edits follow the expert system's vocabulary (LeMo-NADe's instructions), scaled by the
instruction's magnitude in 0..1. "kernels" means the number of convolution kernels, i.e. the
channels (as in the paper); "neurons" means the widths of the dense layers. The genome cannot
change the trainer (weight decay lives in the train config), so "regularization" maps to what a
model file can hold: channel dropout (Dropout2d) after each stage, and BatchNorm switched on.

Downsampling is always a strided convolution with padding k // 2, whose output is
floor((n - 1) / 2) + 1 >= 1 for every n >= 1: a rendered model never shrinks a feature map below
1x1, so any genome runs on 8x8 digits as well as on 32x32 images.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from dataclasses import asdict, dataclass, replace
from importlib import resources
from string import Template
from typing import Any

BLOCK_TYPES = ("plain", "residual")
INITS = ("default", "kaiming", "xavier")
ACTIVATIONS = {"relu": "ReLU", "gelu": "GELU", "silu": "SiLU"}
KERNELS = (1, 3, 5, 7)

# Bounds every edit respects.
MIN_CHANNELS, MAX_CHANNELS = 8, 512
MAX_BLOCKS = 6
MAX_STAGES = 4
MAX_DENSE = 3
MIN_WIDTH, MAX_WIDTH = 16, 1024
MAX_DROPOUT = 0.5
MAX_FEATURE_DROPOUT = 0.3

# The sampling space of random_genome and mutate: a subset of the bounds above, so a random
# candidate trains in seconds on a CPU (the bounds allow 512 channels x 6 blocks x 7x7 kernels,
# which the edits may reach step by step but a uniform sample should not land on by chance).
SAMPLE_CHANNELS = (8, 16, 24, 32, 48, 64, 96, 128, 192, 256)
SAMPLE_WIDTHS = (32, 64, 128, 256, 512)
SAMPLE_KERNELS = (3, 5)
SAMPLE_MAX_BLOCKS = 3


@dataclass(frozen=True)
class Stage:
    blocks: int
    channels: int
    kernel: int = 3
    block: str = "plain"  # plain | residual
    downsample: bool = False  # halve the resolution at the stage start


@dataclass(frozen=True)
class Genome:
    stem_channels: int
    stages: tuple[Stage, ...]
    stem_stride: int = 1
    head: tuple[int, ...] = ()  # hidden dense widths
    dropout: float = 0.0  # before each dense layer
    feature_dropout: float = 0.0  # Dropout2d after each stage ("regularization")
    init: str = "default"  # default | kaiming | xavier
    batchnorm: bool = True
    activation: str = "relu"  # relu | gelu | silu

    def __post_init__(self) -> None:
        problems = _problems(self)
        if problems:
            raise ValueError("invalid genome: " + "; ".join(problems))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["stages"] = [asdict(s) for s in self.stages]
        d["head"] = list(self.head)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Genome:
        try:
            stages = tuple(Stage(**s) for s in d["stages"])
            rest = {k: v for k, v in d.items() if k != "stages"}
            rest["head"] = tuple(rest.get("head", ()))
            return cls(stages=stages, **rest)
        except (KeyError, TypeError) as e:
            raise ValueError(f"invalid genome dict: {e}") from None

    def key(self) -> str:
        """A short stable hash: two genomes with the same key render the same file."""
        text = json.dumps(self.to_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


def _problems(g: Genome) -> list[str]:
    p = []
    if not MIN_CHANNELS <= g.stem_channels <= MAX_CHANNELS:
        p.append(f"stem_channels {g.stem_channels} outside {MIN_CHANNELS}..{MAX_CHANNELS}")
    if g.stem_stride not in (1, 2):
        p.append(f"stem_stride {g.stem_stride} not 1 or 2")
    if not 1 <= len(g.stages) <= MAX_STAGES:
        p.append(f"{len(g.stages)} stages outside 1..{MAX_STAGES}")
    for i, s in enumerate(g.stages):
        if not 1 <= s.blocks <= MAX_BLOCKS:
            p.append(f"stage {i}: {s.blocks} blocks outside 1..{MAX_BLOCKS}")
        if not MIN_CHANNELS <= s.channels <= MAX_CHANNELS:
            p.append(f"stage {i}: channels {s.channels} outside {MIN_CHANNELS}..{MAX_CHANNELS}")
        if s.kernel not in KERNELS:
            p.append(f"stage {i}: kernel {s.kernel} not in {KERNELS}")
        if s.block not in BLOCK_TYPES:
            p.append(f"stage {i}: block {s.block!r} not in {BLOCK_TYPES}")
    if len(g.head) > MAX_DENSE:
        p.append(f"{len(g.head)} dense layers, at most {MAX_DENSE}")
    if any(not MIN_WIDTH <= w <= MAX_WIDTH for w in g.head):
        p.append(f"dense widths {g.head} outside {MIN_WIDTH}..{MAX_WIDTH}")
    if not 0.0 <= g.dropout <= MAX_DROPOUT:
        p.append(f"dropout {g.dropout} outside 0..{MAX_DROPOUT}")
    if not 0.0 <= g.feature_dropout <= MAX_FEATURE_DROPOUT:
        p.append(f"feature_dropout {g.feature_dropout} outside 0..{MAX_FEATURE_DROPOUT}")
    if g.init not in INITS:
        p.append(f"init {g.init!r} not in {INITS}")
    if g.activation not in ACTIVATIONS:
        p.append(f"activation {g.activation!r} not in {tuple(ACTIVATIONS)}")
    return p


# ---- small helpers -----------------------------------------------------------------------------

def round_channels(x: float, lo: int = MIN_CHANNELS, hi: int = MAX_CHANNELS) -> int:
    """Round to a multiple of 8 (friendly to vectorised kernels), within [lo, hi]."""
    return int(min(max(8 * round(x / 8), lo), hi))


def _round_width(x: float) -> int:
    return round_channels(x, MIN_WIDTH, MAX_WIDTH)


def _rate(x: float, hi: float) -> float:
    return round(min(max(x, 0.0), hi), 2)


def _image_size(info: dict[str, Any]) -> tuple[int, int]:
    h, w = info.get("image_size", (32, 32))
    return int(h), int(w)


def _scale(c: int, factor: float, step: bool) -> int:
    new = round_channels(c * factor)
    if step and new == c and factor != 1.0:
        # A small relative change of a narrow layer rounds to nothing (8 x 1.15 -> 8); an
        # instruction still moves it by one multiple of 8 so that it is never a silent no-op.
        new = round_channels(c + (8 if factor > 1 else -8))
    return new


def _scale_channels(g: Genome, factor: float, step: bool = False) -> Genome:
    stages = tuple(replace(s, channels=_scale(s.channels, factor, step)) for s in g.stages)
    return replace(g, stem_channels=_scale(g.stem_channels, factor, step), stages=stages)


def _new_stage_after(g: Genome) -> Stage:
    last = g.stages[-1]
    return Stage(blocks=1, channels=round_channels(last.channels * 2), kernel=last.kernel,
                 block=last.block, downsample=True)


# ---- edits ---------------------------------------------------------------------------------------

def _steps(magnitude: float, most: int) -> int:
    """How many discrete steps (blocks, stages, layers) an instruction of this magnitude takes."""
    return max(1, min(most, round(magnitude * most)))


def _add_conv_layers(g: Genome, m: float) -> Genome:
    stages = list(g.stages)
    for _ in range(_steps(m, 3)):
        open_ = [i for i, s in enumerate(stages) if s.blocks < MAX_BLOCKS]
        if open_:
            # The shallowest stage grows; among equals the deepest, where features are richest.
            i = min(open_, key=lambda j: (stages[j].blocks, -j))
            stages[i] = replace(stages[i], blocks=stages[i].blocks + 1)
        elif len(stages) < MAX_STAGES:
            stages.append(_new_stage_after(replace(g, stages=tuple(stages))))
    return replace(g, stages=tuple(stages))


def _reduce_conv_layers(g: Genome, m: float) -> Genome:
    stages = list(g.stages)
    for _ in range(_steps(m, 3)):
        deep = [i for i, s in enumerate(stages) if s.blocks > 1]
        if deep:
            i = max(deep, key=lambda j: (stages[j].blocks, j))
            stages[i] = replace(stages[i], blocks=stages[i].blocks - 1)
        elif len(stages) > 1:
            stages.pop()
    return replace(g, stages=tuple(stages))


def _set_block(g: Genome, m: float, src: str, dst: str) -> Genome:
    idx = [i for i, s in enumerate(g.stages) if s.block == src]
    # Skips matter most in deep stages: convert the deepest first; remove from the shallowest.
    order = sorted(idx, reverse=(dst == "residual"))
    n = max(1, math.ceil(m * len(idx))) if idx else 0
    stages = list(g.stages)
    for i in order[:n]:
        stages[i] = replace(stages[i], block=dst)
    return replace(g, stages=tuple(stages))


def _add_dense_layers(g: Genome, m: float) -> Genome:
    head = list(g.head)
    for _ in range(_steps(m, 2)):
        if len(head) >= MAX_DENSE:
            break
        prev = head[-1] if head else g.stages[-1].channels * 2
        head.append(_round_width(prev / (2 if head else 1)))
    return replace(g, head=tuple(head))


def _reduce_dense_layers(g: Genome, m: float) -> Genome:
    n = _steps(m, 2)
    return replace(g, head=g.head[: max(0, len(g.head) - n)])


def _neurons(g: Genome, factor: float) -> Genome:
    if g.head:
        return replace(g, head=tuple(_round_width(w * factor) for w in g.head))
    # No hidden dense layer: the "neurons" feeding the classifier are the last stage's channels.
    last = g.stages[-1]
    stages = (*g.stages[:-1], replace(last, channels=_scale(last.channels, factor, True)))
    return replace(g, stages=stages)


def _dropout_step(m: float) -> float:
    return 0.05 + 0.25 * m


def _regularization_step(m: float) -> float:
    return 0.05 + 0.15 * m


def apply(g: Genome, action: str, magnitude: float = 0.3) -> Genome:
    """The genome after one instruction of the expert's vocabulary, scaled by `magnitude`.

    `action` may also be an object with `.action` and `.magnitude` (an expert Instruction).
    The result always respects the bounds; an edit that would cross one stops at it (so an
    instruction can leave the genome unchanged, e.g. add_dense_layers with 3 layers already).
    """
    if not isinstance(action, str):
        magnitude = float(action.magnitude)
        action = action.action
    m = min(max(float(magnitude), 0.0), 1.0)
    if action == "add_conv_layers":
        return _add_conv_layers(g, m)
    if action == "reduce_conv_layers":
        return _reduce_conv_layers(g, m)
    if action == "add_skip_connections":
        return _set_block(g, m, "plain", "residual")
    if action == "reduce_skip_connections":
        return _set_block(g, m, "residual", "plain")
    if action == "add_dense_layers":
        return _add_dense_layers(g, m)
    if action == "reduce_dense_layers":
        return _reduce_dense_layers(g, m)
    if action == "add_dropout":
        return replace(g, dropout=_rate(g.dropout + _dropout_step(m), MAX_DROPOUT))
    if action == "reduce_dropout":
        return replace(g, dropout=_rate(g.dropout - _dropout_step(m), MAX_DROPOUT))
    if action == "add_kernels":
        return _scale_channels(g, 1.0 + m, step=True)
    if action == "reduce_kernels":
        return _scale_channels(g, 1.0 - m, step=True)
    if action == "add_regularization":
        fd = _rate(g.feature_dropout + _regularization_step(m), MAX_FEATURE_DROPOUT)
        return replace(g, feature_dropout=fd, batchnorm=True)
    if action == "reduce_regularization":
        fd = _rate(g.feature_dropout - _regularization_step(m), MAX_FEATURE_DROPOUT)
        return replace(g, feature_dropout=fd)
    if action == "add_neurons":
        return _neurons(g, 1.0 + m)
    if action == "reduce_neurons":
        return _neurons(g, 1.0 - m)
    if action == "add_weight_initializer":
        return g if g.init == "kaiming" else replace(g, init="kaiming")
    raise ValueError(f"unknown action {action!r}")


def shrink(g: Genome) -> Genome:
    """A smaller, simpler genome: what to try after a failure (out of memory, time-out)."""
    stages = tuple(
        replace(s, blocks=max(1, s.blocks - 1), channels=round_channels(s.channels / 2),
                kernel=min(s.kernel, 3))
        for s in g.stages
    )
    return replace(g, stem_channels=round_channels(g.stem_channels / 2), stages=stages,
                   head=g.head[:-1])


# ---- size estimates ------------------------------------------------------------------------------

def _conv_params(c_in: int, c_out: int, k: int, bn: bool) -> int:
    return c_in * c_out * k * k + (2 * c_out if bn else c_out)  # BN: weight+bias; else conv bias


def _halve(n: int) -> int:
    # Output size of a stride-2 convolution with an odd kernel k and padding k // 2.
    return (n - 1) // 2 + 1


def _walk(g: Genome, info: dict[str, Any]) -> tuple[int, int, int]:
    """(parameters, FLOPs per image, buffers) of the rendered model, counted layer by layer.

    FLOPs count 2 x multiply-accumulates of convolutions and linear layers, the convention of
    torch.utils.flop_counter (BatchNorm, activations and pooling are not counted).
    """
    c_in = int(info.get("channels", 3))
    classes = int(info.get("num_classes", 10))
    h, w = _image_size(info)
    bn = g.batchnorm
    params = flops = buffers = 0

    def conv(ci: int, co: int, k: int, hw: tuple[int, int]) -> None:
        nonlocal params, flops, buffers
        params += _conv_params(ci, co, k, bn)
        flops += 2 * ci * co * k * k * hw[0] * hw[1]
        if bn:
            buffers += 2 * co + 1  # BatchNorm running mean and variance, num_batches_tracked

    if g.stem_stride == 2:
        h, w = _halve(h), _halve(w)
    conv(c_in, g.stem_channels, 3, (h, w))
    c = g.stem_channels
    for s in g.stages:
        for i in range(s.blocks):
            stride = 2 if s.downsample and i == 0 else 1
            if stride == 2:
                h, w = _halve(h), _halve(w)
            conv(c, s.channels, s.kernel, (h, w))
            if s.block == "residual":
                conv(s.channels, s.channels, s.kernel, (h, w))
                if stride != 1 or c != s.channels:
                    conv(c, s.channels, 1, (h, w))
            c = s.channels
    for width in (*g.head, classes):
        params += c * width + width
        flops += 2 * c * width
        c = width
    return params, flops, buffers


def estimate_params(g: Genome, info: dict[str, Any]) -> int:
    """Exact trainable parameter count of render(g) for this dataset (in channels, classes)."""
    return _walk(g, info)[0]


def estimate_flops(g: Genome, info: dict[str, Any]) -> int:
    """FLOPs per image of render(g) at the dataset's image size (torch flop_counter convention)."""
    return _walk(g, info)[1]


def estimate_stored(g: Genome, info: dict[str, Any]) -> int:
    """Parameters plus buffers (BatchNorm statistics) of render(g): what the `params` metric
    counts, every stored tensor, so a budget on `params` is met by the measured value too."""
    p, _, b = _walk(g, info)
    return p + b


def _scaled(g: Genome, factor: float) -> Genome:
    smaller = _scale_channels(g, factor)
    if smaller.head:
        smaller = replace(smaller, head=tuple(_round_width(w * factor) for w in smaller.head))
    return smaller


def fit_budget(g: Genome, info: dict[str, Any], *, max_params: float | None = None,
               max_flops: float | None = None, steps: int = 16) -> Genome:
    """The genome with channels (and dense widths) scaled by the largest factor <= 1 whose
    estimates meet the limits (bisection: rounding to multiples of 8 makes the size a step
    function of the factor, so a closed-form square-root step would overshoot). When even the
    minimum widths are too big, blocks are removed until it fits or nothing is left to remove.
    `max_params` caps parameters plus buffers (`estimate_stored`), as the `params` metric does.
    """
    def fits(x: Genome) -> bool:
        p, f, b = _walk(x, info)
        return (not max_params or p + b <= max_params) and (not max_flops or f <= max_flops)

    while not fits(g):
        lo, hi = 0.0, 1.0  # fits(_scaled(g, lo)) may be false: checked below
        for _ in range(steps):
            mid = (lo + hi) / 2
            if fits(_scaled(g, mid)):
                lo = mid
            else:
                hi = mid
        best = _scaled(g, lo)
        if fits(best):
            return best
        fewer = _reduce_conv_layers(best, 1 / 3)  # minimum widths too big: one block fewer
        if fewer == best:
            return best  # the smallest genome there is
        g = fewer
    return g


# ---- starting points and random sampling ---------------------------------------------------------

def initial_genome(info: dict[str, Any]) -> Genome:
    """A sensible first model for the dataset's image size."""
    side = min(_image_size(info))
    if side <= 12:  # 8x8 digits: two small plain stages (about 7.5k parameters)
        return Genome(stem_channels=16,
                      stages=(Stage(1, 16), Stage(1, 32, downsample=True)),
                      dropout=0.1)
    if side <= 40:  # 16x16 to 32x32: a small ResNet (about 0.3M parameters)
        return Genome(stem_channels=32,
                      stages=(Stage(1, 32, block="residual"),
                              Stage(1, 64, block="residual", downsample=True),
                              Stage(1, 128, block="residual", downsample=True)),
                      dropout=0.1, init="kaiming")
    return Genome(stem_channels=32, stem_stride=2,  # larger images: downsample early
                  stages=(Stage(1, 32, block="residual"),
                          Stage(1, 64, block="residual", downsample=True),
                          Stage(1, 128, block="residual", downsample=True),
                          Stage(1, 256, block="residual", downsample=True)),
                  dropout=0.1, init="kaiming")


def _max_stages(info: dict[str, Any]) -> int:
    # Each stage after the first halves the resolution; beyond 1x1 more stages only add cost.
    side = min(_image_size(info))
    return max(1, min(MAX_STAGES, int(math.log2(max(side, 1))) - 1))


def random_genome(rng: random.Random, info: dict[str, Any]) -> Genome:
    """A genome drawn uniformly from the sampling space (the random-search baseline)."""
    n_stages = rng.randint(1, _max_stages(info))
    stages = tuple(
        Stage(blocks=rng.randint(1, SAMPLE_MAX_BLOCKS), channels=rng.choice(SAMPLE_CHANNELS),
              kernel=rng.choice(SAMPLE_KERNELS), block=rng.choice(BLOCK_TYPES),
              downsample=i > 0)
        for i in range(n_stages)
    )
    return Genome(
        stem_channels=rng.choice(SAMPLE_CHANNELS),
        stages=stages,
        stem_stride=2 if min(_image_size(info)) >= 64 else 1,
        head=tuple(rng.choice(SAMPLE_WIDTHS) for _ in range(rng.randint(0, 2))),
        dropout=round(rng.choice(range(0, 11)) * 0.05, 2),
        feature_dropout=round(rng.choice(range(0, 4)) * 0.05, 2),
        init=rng.choice(INITS),
        batchnorm=rng.random() < 0.8,
        activation=rng.choice(tuple(ACTIVATIONS)),
    )


def _mutations(g: Genome, rng: random.Random, info: dict[str, Any]) -> list[Genome]:
    i = rng.randrange(len(g.stages))
    s = g.stages[i]

    def at(stage: Stage) -> Genome:
        return replace(g, stages=(*g.stages[:i], stage, *g.stages[i + 1:]))

    out = [
        at(replace(s, channels=round_channels(s.channels * rng.choice((0.5, 0.75, 1.5, 2.0))))),
        at(replace(s, blocks=min(MAX_BLOCKS, max(1, s.blocks + rng.choice((-1, 1)))))),
        at(replace(s, kernel=rng.choice([k for k in SAMPLE_KERNELS if k != s.kernel] or [3]))),
        at(replace(s, block="plain" if s.block == "residual" else "residual")),
        replace(g, stem_channels=round_channels(g.stem_channels * rng.choice((0.5, 1.5)))),
        replace(g, dropout=_rate(g.dropout + rng.choice((-0.1, 0.1)), MAX_DROPOUT)),
        replace(g, feature_dropout=_rate(g.feature_dropout + rng.choice((-0.05, 0.05)),
                                         MAX_FEATURE_DROPOUT)),
        replace(g, activation=rng.choice([a for a in ACTIVATIONS if a != g.activation])),
        replace(g, init=rng.choice([x for x in INITS if x != g.init])),
    ]
    if len(g.stages) < _max_stages(info):
        out.append(replace(g, stages=(*g.stages, _new_stage_after(g))))
    if len(g.stages) > 1:
        out.append(replace(g, stages=g.stages[:-1]))
    if len(g.head) < MAX_DENSE:
        out.append(replace(g, head=(*g.head, rng.choice(SAMPLE_WIDTHS))))
    if g.head:
        out.append(replace(g, head=g.head[:-1]))
    return out


def mutate(g: Genome, rng: random.Random, info: dict[str, Any] | None = None) -> Genome:
    """One random edit of one gene (exploration); the result differs from `g`."""
    info = info or {"image_size": (32, 32)}
    for _ in range(20):
        child = rng.choice(_mutations(g, rng, info))
        if child != g:
            return child
    return replace(g, dropout=0.0 if g.dropout else 0.1)  # always a change


# ---- description and rendering -------------------------------------------------------------------

def summary(g: Genome) -> str:
    """One line: 'stem 32 | 1x32k3res, 1x64k3res/2 | head [] | drop 0.1 ...'."""
    stages = ", ".join(
        f"{s.blocks}x{s.channels}k{s.kernel}{'res' if s.block == 'residual' else ''}"
        f"{'/2' if s.downsample else ''}"
        for s in g.stages
    )
    stem = f"stem {g.stem_channels}{'/2' if g.stem_stride == 2 else ''}"
    return (f"{stem} | {stages} | head {list(g.head)} | dropout {g.dropout} | "
            f"feature dropout {g.feature_dropout} | {'BN' if g.batchnorm else 'no BN'} | "
            f"{g.activation} | init {g.init}")


def describe_change(before: Genome, after: Genome) -> str:
    """What differs between two genomes, in words ('no change' when nothing does)."""
    parts = []
    if before.stem_channels != after.stem_channels:
        parts.append(f"stem channels {before.stem_channels}->{after.stem_channels}")
    if before.stages != after.stages:
        b = [f"{s.blocks}x{s.channels}{'r' if s.block == 'residual' else ''}k{s.kernel}"
             for s in before.stages]
        a = [f"{s.blocks}x{s.channels}{'r' if s.block == 'residual' else ''}k{s.kernel}"
             for s in after.stages]
        parts.append(f"stages [{' '.join(b)}]->[{' '.join(a)}]")
    for name in ("head", "dropout", "feature_dropout", "init", "batchnorm", "activation",
                 "stem_stride"):
        x, y = getattr(before, name), getattr(after, name)
        if x != y:
            parts.append(f"{name} {list(x) if name == 'head' else x}->"
                         f"{list(y) if name == 'head' else y}")
    return "; ".join(parts) or "no change"


def _direction(name: str, before: float, after: float) -> str | None:
    if after > before:
        return f"{name}+"
    if after < before:
        return f"{name}-"
    return None


def edit_signature(before: Genome, after: Genome) -> str:
    """What kind of edit turns `before` into `after`, whatever its size: the genes that changed
    and in which direction ("blocks+, channels-"), sorted; "no change" when nothing did.

    Two edits with the same signature push the same genes the same way (reduce_kernels by 15% and
    by 30% both read "channels-"), so a signature that failed for a parent names a direction not
    worth trying on that parent again.
    """
    def channels(g: Genome) -> int:
        return g.stem_channels + sum(s.channels for s in g.stages)

    parts = [
        _direction("channels", channels(before), channels(after)),
        _direction("blocks", sum(s.blocks for s in before.stages),
                   sum(s.blocks for s in after.stages)),
        _direction("stages", len(before.stages), len(after.stages)),
        _direction("skips", sum(s.block == "residual" for s in before.stages),
                   sum(s.block == "residual" for s in after.stages)),
        _direction("kernels", sum(s.kernel for s in before.stages),
                   sum(s.kernel for s in after.stages)),
        _direction("dense_layers", len(before.head), len(after.head)),
        _direction("dropout", before.dropout, after.dropout),
        _direction("feature_dropout", before.feature_dropout, after.feature_dropout),
        _direction("stem_stride", before.stem_stride, after.stem_stride),
    ]
    if len(before.head) == len(after.head):
        parts.append(_direction("neurons", sum(before.head), sum(after.head)))
    for name in ("init", "activation", "batchnorm"):
        if getattr(before, name) != getattr(after, name):
            parts.append(f"{name}={getattr(after, name)}")
    if before != after and not any(parts):
        parts.append("layout")  # same totals, genes moved between stages
    return ", ".join(sorted(p for p in parts if p)) or "no change"


def _stage_line(s: Stage) -> str:
    return f'    ({s.blocks}, {s.channels}, {s.kernel}, "{s.block}", {s.downsample}),\n'


def render(g: Genome) -> str:
    """The model file for a genome (meets the model-file contract; only torch imports)."""
    text = resources.files("lemonade").joinpath("templates/genome_model.txt").read_text()
    return Template(text).substitute(
        genome_key=g.key(),
        summary=summary(g),
        stem_channels=g.stem_channels,
        stem_stride=g.stem_stride,
        stages="".join(_stage_line(s) for s in g.stages),
        head=repr(list(g.head)),
        dropout=repr(g.dropout),
        feature_dropout=repr(g.feature_dropout),
        batchnorm=repr(g.batchnorm),
        activation=ACTIVATIONS[g.activation],
        init=g.init,
    )
