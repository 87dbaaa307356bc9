"""The plug-in registry (`lemonade.plugins`): one table of proposer kinds and one of datasets, which
the config, the CLI help, `make_proposer` and `load_dataset` all read."""

from __future__ import annotations

import subprocess
import sys

import pytest

from lemonade import plugins
from lemonade.config import DATASET_NAMES, PROPOSER_KINDS, ConfigError, build_config
from lemonade.data import augment_defaults
from lemonade.proposers import NO_LLM_MODELS, Proposal, Proposer


def test_the_config_accepts_exactly_the_registered_names() -> None:
    assert tuple(plugins.PROPOSERS) == PROPOSER_KINDS
    assert tuple(plugins.DATASETS) == DATASET_NAMES
    with pytest.raises(ConfigError, match="allowed: " + ", ".join(plugins.PROPOSERS)):
        build_config({"proposer": {"kind": "nope"}})
    with pytest.raises(ConfigError, match="unknown dataset"):
        build_config({"dataset": {"name": "nope"}})


@pytest.mark.parametrize("kind", list(plugins.PROPOSERS))
def test_every_proposer_factory_resolves_and_builds_a_proposer(kind: str) -> None:
    factory = plugins.load(plugins.PROPOSERS[kind].factory)
    assert callable(factory)
    if kind in ("offline", "random", "evolution"):  # no key, no recorded run needed
        p = factory(build_config({"proposer": {"kind": kind}}).proposer, seed=0, store=None)
        assert isinstance(p, Proposer)
        assert p.resume_from([]) is None  # declared on Proposer: no getattr probing


@pytest.mark.parametrize("name", list(plugins.DATASETS))
def test_every_dataset_loader_resolves(name: str) -> None:
    assert callable(plugins.load(plugins.DATASETS[name].loader))


def test_what_counts_as_an_llm_call_is_read_from_the_registry() -> None:
    assert set(NO_LLM_MODELS) == {k for k, p in plugins.PROPOSERS.items() if not p.calls_llm}
    assert set(NO_LLM_MODELS) == {"offline", "random", "evolution"}
    assert not Proposal(code=None, model="offline").from_llm
    assert Proposal(code=None, model="some-llm").from_llm


def test_augmentation_defaults_come_from_the_dataset_entry() -> None:
    assert augment_defaults("digits") == {"flip": False, "crop_padding": 0}
    assert augment_defaults("cifar10") == {"flip": True, "crop_padding": 4}
    assert augment_defaults("not-registered") == {"flip": True, "crop_padding": 2}
    cfg = build_config({"dataset": {"name": "digits"}})
    from lemonade.config import resolve_train

    t = resolve_train(cfg.train, "digits", 1000)
    assert (t.flip, t.crop_padding) == (False, 0)


def test_the_cli_help_lists_the_registered_names() -> None:
    from typer.testing import CliRunner

    from lemonade.cli import app

    out = CliRunner().invoke(app, ["search", "--help"], env={"COLUMNS": "300"}).output
    assert " | ".join(plugins.PROPOSERS) in out
    assert " | ".join(plugins.DATASETS) in out


def test_the_registry_config_and_cli_import_without_torch() -> None:
    """`lemonade --help` and config validation must not pay for torch."""
    program = (
        "import sys\n"
        "sys.modules['torch'] = None  # any `import torch` now raises ImportError\n"
        "import lemonade.plugins, lemonade.config, lemonade.rule_grammar, lemonade.proposers\n"
        "import lemonade.gate, lemonade.gate.extract, lemonade.cli\n"
        "lemonade.config.build_config({'rules': [{'name': 'r', 'when': 'params > 1',\n"
        "                                         'then': ['add_kernels']}]})\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
