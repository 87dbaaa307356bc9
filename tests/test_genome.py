"""The block genome: rendering meets the model-file contract on any image size, every edit moves
the genome the right way within bounds, and the analytic size estimates are exact."""

from __future__ import annotations

import json
import random
from dataclasses import replace

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from lemonade import expert
from lemonade.gate import check_source
from lemonade.proposers import genome as G
from lemonade.proposers.genome import Genome, Stage

torch.set_num_threads(1)

DIGITS = {"name": "digits", "channels": 1, "image_size": [8, 8], "num_classes": 10}
CIFAR = {"name": "cifar10", "channels": 3, "image_size": [32, 32], "num_classes": 10}
SMALL = {"name": "imagenet16-120", "channels": 3, "image_size": [16, 16], "num_classes": 120}

# Every gene away from its bounds, so each action can move it either way.
MIDDLE = Genome(
    stem_channels=32,
    stages=(Stage(2, 32, 3, "plain"), Stage(2, 64, 3, "residual", downsample=True)),
    head=(64,), dropout=0.2, feature_dropout=0.1, init="default", batchnorm=False,
    activation="gelu",
)


def build(g: Genome, in_channels: int, num_classes: int) -> torch.nn.Module:
    ns: dict = {}
    exec(compile(G.render(g), "model.py", "exec"), ns)
    torch.manual_seed(0)
    return ns["Net"](in_channels=in_channels, num_classes=num_classes)


def n_params(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def deepest_tiny() -> Genome:
    # The most downsampling the bounds allow: stem stride 2 and four halving stages (8x8 -> 1x1
    # after two of them), with residual shortcuts that must also keep >= 1x1.
    stages = tuple(Stage(G.MAX_BLOCKS, 8, 7, "residual", downsample=True)
                   for _ in range(G.MAX_STAGES))
    return Genome(stem_channels=8, stages=stages, stem_stride=2, head=(16, 16, 16))


def heavily_edited() -> Genome:
    g = G.initial_genome(DIGITS)
    for action in ("add_conv_layers", "add_conv_layers", "add_skip_connections",
                   "add_dense_layers", "add_dropout", "add_regularization", "reduce_kernels",
                   "add_neurons", "add_weight_initializer", "add_conv_layers",
                   "reduce_skip_connections", "add_dense_layers"):
        g = G.apply(g, action, 0.6)
    return g


def sample_genomes() -> list[tuple[str, Genome]]:
    out = [("initial-digits", G.initial_genome(DIGITS)),
           ("initial-cifar", G.initial_genome(CIFAR)),
           ("initial-64px", G.initial_genome({"channels": 3, "image_size": [64, 64]})),
           ("middle", MIDDLE), ("deepest-tiny", deepest_tiny()), ("edited", heavily_edited())]
    for seed in range(5):
        rng = random.Random(seed)
        g = G.random_genome(rng, CIFAR)
        # Random samples can be wide; the test is about shapes, not capacity.
        out.append((f"random-{seed}", G.fit_budget(g, CIFAR, max_params=150_000)))
    return out


@pytest.mark.parametrize(("label", "g"), sample_genomes(), ids=lambda v: v if isinstance(v, str)
                         else "")
def test_render_builds_and_forwards_on_every_size(label: str, g: Genome) -> None:
    assert check_source(G.render(g)) == [], label
    for c, hw, classes in ((1, 8, 10), (3, 32, 10), (3, 16, 120)):
        model = build(g, c, classes).eval()
        with torch.no_grad():
            out = model(torch.randn(2, c, hw, hw))
        assert out.shape == (2, classes), (label, hw)
        assert torch.isfinite(out).all(), label


@pytest.mark.parametrize(("label", "g"), sample_genomes()[:7])
@pytest.mark.parametrize("info", [DIGITS, CIFAR, SMALL], ids=["8px", "32px", "16px"])
def test_estimates_are_exact(label: str, g: Genome, info: dict) -> None:
    model = build(g, info["channels"], info["num_classes"]).eval()
    assert G.estimate_params(g, info) == n_params(model), label
    # the `params` metric counts every stored tensor: parameters and buffers
    stored = n_params(model) + sum(b.numel() for b in model.buffers())
    assert G.estimate_stored(g, info) == stored, label
    x = torch.randn(1, info["channels"], *info["image_size"])
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(x)
    assert G.estimate_flops(g, info) == counter.get_total_flops(), label


def total_blocks(g: Genome) -> int:
    return sum(s.blocks for s in g.stages)


def residual_stages(g: Genome) -> int:
    return sum(s.block == "residual" for s in g.stages)


def channels(g: Genome) -> list[int]:
    return [g.stem_channels, *(s.channels for s in g.stages)]


# (action, measure, direction): the measure must rise (+1) or fall (-1) from MIDDLE.
DIRECTIONS = [
    ("add_conv_layers", total_blocks, +1),
    ("reduce_conv_layers", total_blocks, -1),
    ("add_skip_connections", residual_stages, +1),
    ("reduce_skip_connections", residual_stages, -1),
    ("add_dense_layers", lambda g: len(g.head), +1),
    ("reduce_dense_layers", lambda g: len(g.head), -1),
    ("add_dropout", lambda g: g.dropout, +1),
    ("reduce_dropout", lambda g: g.dropout, -1),
    ("add_kernels", lambda g: sum(channels(g)), +1),
    ("reduce_kernels", lambda g: sum(channels(g)), -1),
    ("add_regularization", lambda g: g.feature_dropout, +1),
    ("reduce_regularization", lambda g: g.feature_dropout, -1),
    ("add_neurons", lambda g: sum(g.head), +1),
    ("reduce_neurons", lambda g: sum(g.head), -1),
    ("add_weight_initializer", lambda g: g.init == "kaiming", +1),
]


@pytest.mark.parametrize(("action", "measure", "sign"), DIRECTIONS, ids=[d[0] for d in DIRECTIONS])
def test_each_action_moves_the_right_way(action, measure, sign) -> None:
    after = G.apply(MIDDLE, action, 0.4)
    assert (measure(after) - measure(MIDDLE)) * sign > 0


def test_vocabulary_is_covered() -> None:
    assert set(expert.ACTIONS) == {d[0] for d in DIRECTIONS}
    for action in expert.ACTIONS:
        G.apply(MIDDLE, action, 0.5)
    with pytest.raises(ValueError, match="unknown action"):
        G.apply(MIDDLE, "add_attention", 0.5)


def test_apply_accepts_an_instruction_object() -> None:
    ins = expert.Instruction(action="reduce_kernels", magnitude=0.4, reason="", objective=None,
                             priority=1.0, gap=0.5)
    assert G.apply(MIDDLE, ins) == G.apply(MIDDLE, "reduce_kernels", 0.4)


@pytest.mark.parametrize(("before", "magnitude", "after"), [
    (64, 0.4, 40),   # 64 x 0.6 = 38.4 -> nearest multiple of 8
    (32, 0.4, 16),   # 19.2 -> 16
    (128, 0.25, 96),
    (16, 0.9, 8),    # never below 8
    (8, 1.0, 8),
])
def test_reduce_kernels_scales_and_rounds(before: int, magnitude: float, after: int) -> None:
    g = replace(MIDDLE, stem_channels=before)
    assert G.apply(g, "reduce_kernels", magnitude).stem_channels == after


@pytest.mark.parametrize(("action", "magnitude", "before", "after"), [
    ("add_kernels", 0.1, 8, 16),      # 8.8 rounds back to 8: still one step of 8
    ("add_kernels", 0.05, 64, 72),
    ("reduce_kernels", 0.05, 64, 56),
    ("reduce_kernels", 0.05, 8, 8),   # the bound wins
])
def test_small_channel_edits_still_move(action: str, magnitude: float, before: int,
                                        after: int) -> None:
    g = replace(MIDDLE, stem_channels=before)
    assert G.apply(g, action, magnitude).stem_channels == after


def test_magnitude_scales_the_edit() -> None:
    small, big = (G.apply(MIDDLE, "reduce_kernels", m) for m in (0.2, 0.7))
    assert sum(channels(big)) < sum(channels(small)) < sum(channels(MIDDLE))
    small, big = (G.apply(MIDDLE, "add_dropout", m) for m in (0.1, 0.9))
    assert big.dropout > small.dropout > MIDDLE.dropout
    small, big = (G.apply(MIDDLE, "add_conv_layers", m) for m in (0.1, 1.0))
    assert total_blocks(big) > total_blocks(small) > total_blocks(MIDDLE)


@pytest.mark.parametrize(("action", "check"), [
    ("add_conv_layers", lambda g: len(g.stages) == G.MAX_STAGES
     and all(s.blocks == G.MAX_BLOCKS for s in g.stages)),
    ("reduce_conv_layers", lambda g: len(g.stages) == 1 and g.stages[0].blocks == 1),
    ("add_kernels", lambda g: max(channels(g)) == G.MAX_CHANNELS),
    ("reduce_kernels", lambda g: channels(g) == [G.MIN_CHANNELS] * len(channels(g))),
    ("add_dense_layers", lambda g: len(g.head) == G.MAX_DENSE),
    ("reduce_dense_layers", lambda g: g.head == ()),
    ("add_dropout", lambda g: g.dropout == G.MAX_DROPOUT),
    ("reduce_dropout", lambda g: g.dropout == 0.0),
    ("add_regularization", lambda g: g.feature_dropout == G.MAX_FEATURE_DROPOUT and g.batchnorm),
    ("add_neurons", lambda g: max(g.head) == G.MAX_WIDTH),
    ("reduce_neurons", lambda g: min(g.head) == G.MIN_WIDTH),
])
def test_repeated_actions_stop_at_the_bounds(action, check) -> None:
    g = MIDDLE
    for _ in range(30):
        g = G.apply(g, action, 1.0)  # the Genome constructor rejects anything out of bounds
    assert check(g), G.summary(g)


def test_neurons_without_dense_layers_widen_the_last_stage() -> None:
    g = replace(MIDDLE, head=())
    assert G.apply(g, "add_neurons", 0.5).stages[-1].channels == 96
    assert G.apply(g, "reduce_neurons", 0.5).stages[-1].channels == 32


@pytest.mark.parametrize("bad", [
    {"stem_channels": 4},
    {"stem_channels": 1024},
    {"stages": ()},
    {"stages": (Stage(7, 32),)},
    {"stages": (Stage(1, 32, kernel=4),)},
    {"stages": (Stage(1, 32, block="dense"),)},
    {"head": (64, 64, 64, 64)},
    {"dropout": 0.9},
    {"init": "orthogonal"},
    {"activation": "tanh"},
    {"stem_stride": 3},
])
def test_out_of_bounds_genomes_are_refused(bad: dict) -> None:
    with pytest.raises(ValueError, match="invalid genome"):
        replace(MIDDLE, **bad)


def test_dict_round_trip_through_json() -> None:
    for _, g in sample_genomes():
        d = json.loads(json.dumps(g.to_dict()))
        assert Genome.from_dict(d) == g
        assert Genome.from_dict(d).key() == g.key()
    with pytest.raises(ValueError):
        Genome.from_dict({"stem_channels": 16})


def test_fit_budget_meets_the_caps() -> None:
    g = G.initial_genome(CIFAR)
    assert G.estimate_params(g, CIFAR) > 50_000
    fitted = G.fit_budget(g, CIFAR, max_params=50_000)
    assert G.estimate_stored(fitted, CIFAR) <= 50_000  # buffers count against the cap too
    assert G.estimate_params(fitted, CIFAR) > 25_000  # scaled, not collapsed to the minimum
    flops = G.fit_budget(g, CIFAR, max_flops=10_000_000)
    assert G.estimate_flops(flops, CIFAR) <= 10_000_000
    assert G.fit_budget(g, CIFAR, max_params=10**9) == g


def test_random_and_mutate() -> None:
    a = [G.random_genome(random.Random(3), CIFAR) for _ in range(2)]
    assert a[0] == a[1]  # seeded
    rng = random.Random(0)
    keys = {G.random_genome(rng, CIFAR).key() for _ in range(40)}
    assert len(keys) > 35
    g = G.initial_genome(CIFAR)
    for _ in range(50):
        child = G.mutate(g, rng, CIFAR)
        assert child != g
        g = child
    # Random 8x8 genomes never have more stages than halvings the image allows.
    assert max(len(G.random_genome(rng, DIGITS).stages) for _ in range(50)) <= 2


def test_shrink_makes_it_smaller() -> None:
    g = G.apply(G.initial_genome(CIFAR), "add_conv_layers", 1.0)
    assert G.estimate_params(G.shrink(g), CIFAR) < G.estimate_params(g, CIFAR) / 2
    assert total_blocks(G.shrink(g)) < total_blocks(g)


def test_initial_genomes_suit_the_dataset() -> None:
    digits, cifar = G.initial_genome(DIGITS), G.initial_genome(CIFAR)
    assert G.estimate_params(digits, DIGITS) < 20_000  # the digits preset's params threshold
    assert 100_000 < G.estimate_params(cifar, CIFAR) < 500_000
    assert residual_stages(cifar) == len(cifar.stages)


def test_describe_change_names_what_moved() -> None:
    after = G.apply(MIDDLE, "reduce_kernels", 0.5)
    text = G.describe_change(MIDDLE, after)
    assert "stem channels 32->16" in text and "stages" in text
    assert G.describe_change(MIDDLE, MIDDLE) == "no change"


def test_edit_signature_names_the_direction_not_the_size() -> None:
    g = MIDDLE
    small, large = G.apply(g, "reduce_kernels", 0.15), G.apply(g, "reduce_kernels", 0.3)
    assert small != large
    assert G.edit_signature(g, small) == G.edit_signature(g, large) == "channels-"
    assert G.edit_signature(g, G.apply(g, "add_kernels", 0.3)) == "channels+"
    both = G.apply(G.apply(g, "add_conv_layers", 0.3), "add_dropout", 0.3)
    assert G.edit_signature(g, both) == "blocks+, dropout+"
    assert G.edit_signature(g, replace(g, activation="relu")) == "activation=relu"
    assert G.edit_signature(g, g) == "no change"
    # genes moved between stages with the same totals still count as an edit
    swapped = replace(g, stages=(replace(g.stages[0], channels=64),
                                 replace(g.stages[1], channels=32)))
    assert G.edit_signature(g, swapped) == "layout"
