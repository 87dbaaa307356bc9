"""No test split inside the training sandbox, whatever the dataset: the training worker cannot
import lemonade's dataset loaders or generators, nor read the datasets dependencies ship
(scikit-learn's digits), so a candidate cannot rebuild val/test there; only the train split file
reaches it (lemonade.sandbox.runner.dataset_code_binds). Honest training still works."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_isolation import run_inside, wall

from lemonade.sandbox import isolation
from lemonade.sandbox.runner import dataset_code_binds

REBUILD = """
import json
out = {}
def attempt(name, fn):
    try:
        out[name] = repr(fn())[:80]
    except BaseException as e:
        out[name] = "refused: " + type(e).__name__

def digits_loader():
    from lemonade.config import DatasetConfig
    from lemonade.data import load_dataset
    return load_dataset(DatasetConfig(name="digits"), 0).y_test[:5]

def synthetic_loader():
    from lemonade.config import DatasetConfig
    from lemonade.data import load_dataset
    return load_dataset(DatasetConfig(name="synthetic"), 0).y_test[:5]

def synthetic_module():
    import lemonade.data.synthetic as m
    return m.load

def sklearn_digits():
    from sklearn.datasets import load_digits
    return load_digits().target[:5]

def digits_file():
    import os, sklearn
    path = os.path.join(os.path.dirname(sklearn.__file__), "datasets", "data", "digits.csv.gz")
    return open(path, "rb").read(16)

def compiled_loader():
    import glob, os, lemonade.data
    folder = os.path.join(os.path.dirname(lemonade.data.__file__), "__pycache__")
    return [open(p, "rb").read(16) for p in glob.glob(folder + "/synthetic*")] or None

for f in (digits_loader, synthetic_loader, synthetic_module, sklearn_digits, digits_file,
          compiled_loader):
    attempt(f.__name__, f)

def training_path():
    import torch
    from lemonade.data import Dataset
    from lemonade.data.augment import normalize
    return float(normalize(torch.zeros(1, 1, 2, 2, dtype=torch.uint8), (0.5,), (0.5,)).sum())

attempt("training_path", training_path)
print(json.dumps(out))
"""


def test_the_host_itself_can_rebuild_the_splits() -> None:
    """The attack's premise, outside the wall: digits and synthetic rebuild from lemonade."""
    from lemonade.config import DatasetConfig
    from lemonade.data import load_dataset

    assert load_dataset(DatasetConfig(name="digits"), 0).y_test.numel() > 0
    assert load_dataset(DatasetConfig(name="synthetic"), 0).y_test.numel() > 0


def test_val_and_test_cannot_be_rebuilt_inside_the_training_wall(tmp_path: Path) -> None:
    st = wall()
    rc, doc, err = run_inside(REBUILD, tmp_path, status=st,
                              ro_binds=[(Path(s), d) for s, d in dataset_code_binds()])
    assert rc == 0, err[-2000:]
    for name in ("digits_loader", "synthetic_loader", "synthetic_module", "sklearn_digits",
                 "digits_file"):
        assert doc[name].startswith("refused"), (name, doc[name])
    assert doc["compiled_loader"] in ("None", "[]") or doc["compiled_loader"].startswith(
        "refused"), doc
    assert doc["training_path"] == "-4.0", doc  # what training needs still imports


def test_the_fork_server_holds_no_dataset_loader() -> None:
    """A forked training worker inherits the fork server's modules: no loader may be there."""
    code = textwrap.dedent("""
        import json, sys
        from lemonade.sandbox import zygote
        zygote.warm_up()
        bad = sorted(m for m in sys.modules if m.startswith("sklearn") or m in (
            "lemonade.data.digits", "lemonade.data.synthetic", "lemonade.data.cifar",
            "lemonade.data.folder", "lemonade.data.arrays", "lemonade.data.mnist5k",
            "lemonade.data.imagenet16", "lemonade.data.trainval"))
        print(json.dumps(bad))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, env={"PYTHONPATH": str(Path(isolation.package_dir())
                                                              .parent), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


@pytest.mark.parametrize("name", ["digits.py", "synthetic.py"])
def test_loader_files_are_among_the_hidden(name: str) -> None:
    hidden = {Path(d).name for _s, d in dataset_code_binds()}
    assert name in hidden and "augment.py" not in hidden and "base.py" not in hidden
