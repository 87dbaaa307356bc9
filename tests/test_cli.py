"""The CLI's contract: exit 0 on success, non-zero with a one-line reason (no traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e import ROOT, run_cli

GOOD_MODEL = ROOT / "examples" / "models" / "digits_mlp.py"


def one_line_error(res) -> str:  # type: ignore[no-untyped-def]
    assert res.returncode != 0, res.stdout + res.stderr
    err = res.stderr.strip()
    assert "Traceback" not in err and "Traceback" not in res.stdout
    assert len(err.splitlines()) == 1, err
    return err


def test_help_lists_every_command() -> None:
    res = run_cli("--help")
    assert res.returncode == 0
    for cmd in ("search", "resume", "evaluate", "check", "report", "export", "runs", "show"):
        assert cmd in res.stdout


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["search", "--dataset", "imagenet"], "dataset.name"),
        (["search", "--proposer", "gpt"], "proposer.kind"),
        (["search", "--config", "/nonexistent/c.yaml"], "cannot read"),
        (["search", "--dataset", "cifar10", "--data-dir", "/nonexistent/data"], "CIFAR-10"),
        (["evaluate", "/nonexistent/model.py"], "cannot read"),
        (["resume", "/nonexistent/run"], "not a lemonade run"),
        (["report", "/nonexistent/run"], "not a lemonade run"),
        (["export", "/nonexistent/run"], "not a lemonade run"),
    ],
)
def test_bad_input_is_one_clear_line(args: list[str], expect: str, tmp_path: Path) -> None:
    res = run_cli(*args, cwd=tmp_path)
    assert expect in one_line_error(res)


MODELS = {
    "no_net.py": ("import torch.nn as nn\nclass Model(nn.Module):\n    pass\n", "Net"),
    "bad_import.py": ("import os\nimport torch.nn as nn\nclass Net(nn.Module):\n"
                      "    def __init__(self, in_channels, num_classes):\n"
                      "        super().__init__()\n"
                      "        self.home = os.getcwd()\n", "os"),  # used: not normalized away
    "wrong_shape.py": (
        "import torch\nimport torch.nn as nn\n"
        "class Net(nn.Module):\n"
        "    def __init__(self, in_channels: int, num_classes: int):\n"
        "        super().__init__()\n"
        "        self.fc = nn.Linear(in_channels * 64, num_classes + 3)\n"
        "    def forward(self, x):\n"
        "        return self.fc(x.flatten(1))\n", "shape"),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_evaluate_rejects_bad_model_files(name: str, tmp_path: Path) -> None:
    src, expect = MODELS[name]
    f = tmp_path / name
    f.write_text(src)
    res = run_cli("evaluate", str(f), "--dataset", "digits", "--epochs", "1", "--device", "cpu",
                  cwd=tmp_path)
    assert expect in one_line_error(res)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_check_rejects_bad_model_files(name: str, tmp_path: Path) -> None:
    src, _ = MODELS[name]
    f = tmp_path / name
    f.write_text(src)
    res = run_cli("check", str(f), "--in-channels", "1", "--image-size", "8", cwd=tmp_path)
    assert res.returncode != 0
    assert "Traceback" not in res.stdout + res.stderr
    assert "rejected" in res.stderr


def test_check_passes_example(tmp_path: Path) -> None:
    res = run_cli("check", str(GOOD_MODEL), "--in-channels", "1", "--image-size", "8",
                  cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "passes" in res.stdout and "parameters" in res.stdout


@pytest.mark.slow
def test_evaluate_example_writes_json(tmp_path: Path) -> None:
    import json

    out = tmp_path / "m.json"
    res = run_cli("evaluate", str(GOOD_MODEL), "--dataset", "digits", "--epochs", "3",
                  "--device", "cpu", "--json", str(out), cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    doc = json.loads(out.read_text())
    m = doc["metrics"]
    assert m["test_accuracy"]["value"] > 0.8
    assert m["params"]["value"] > 0
    # measured, by the trusted measurement process, not merely present as a key
    assert m["latency_ms"]["value"] > 0 and m["latency_ms"]["method"]["trusted"] is True
    assert m["test_accuracy"]["method"]["trusted"] is True


BN_MODEL = """import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8, num_classes)

    def forward(self, x):
        return self.fc(torch.relu(self.bn(self.conv(x))).mean(dim=(2, 3)))
"""


@pytest.mark.slow
def test_check_and_evaluate_report_the_same_params_for_batchnorm(tmp_path: Path) -> None:
    """`check` and `evaluate` count params one way (the exported graph's, BatchNorm running
    statistics and its batch counter not counted): 1*8*9+8 conv, 2*8 affine, 8*10+10 linear."""
    import json
    import re

    f = tmp_path / "bn.py"
    f.write_text(BN_MODEL)
    checked = run_cli("check", str(f), "--in-channels", "1", "--image-size", "8", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    said = re.search(r"passes: ([\d,]+) parameters", checked.stdout)
    assert said is not None, checked.stdout
    out = tmp_path / "m.json"
    res = run_cli("evaluate", str(f), "--dataset", "digits", "--epochs", "1", "--device", "cpu",
                  "--json", str(out), cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    params = json.loads(out.read_text())["metrics"]["params"]
    assert int(said.group(1).replace(",", "")) == params["value"] == 186
    assert params["method"]["not_counted"]["normalisation_statistics"] == 16


@pytest.mark.parametrize(("flags", "want"), [
    ([], ("synthetic", 2, "cpu", 7)),  # the config's values: no flag given
    (["--dataset", "digits", "--epochs", "1"], ("digits", 1, "cpu", 7)),  # given flags win
])
def test_evaluate_flags_override_the_config_only_when_given(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flags: list[str],
        want: tuple[str, int, str, int]) -> None:
    from typer.testing import CliRunner

    import lemonade.data
    from lemonade.cli import app
    from lemonade.data import DatasetError

    seen = []

    def fake_load(cfg, seed=0):  # type: ignore[no-untyped-def]
        seen.append(cfg)
        raise DatasetError("stop here")  # the resolved config is what this test checks

    monkeypatch.setattr(lemonade.data, "load_dataset", fake_load)
    cfgp = tmp_path / "c.yaml"
    cfgp.write_text("dataset: {name: synthetic}\nbudget: {epochs: 2}\ndevice: cpu\nseed: 7\n")
    captured = {}

    import lemonade.config

    real = lemonade.config.load_config

    def spy(path, overrides=None):  # type: ignore[no-untyped-def]
        cfg = real(path, overrides)
        captured["cfg"] = cfg
        return cfg

    monkeypatch.setattr("lemonade.cli.load_config", spy)
    res = CliRunner().invoke(app, ["evaluate", str(GOOD_MODEL), "--config", str(cfgp), *flags])
    assert res.exit_code == 2 and seen, res.output
    cfg = captured["cfg"]
    assert (cfg.dataset.name, cfg.budget.epochs, cfg.device, cfg.seed) == want
