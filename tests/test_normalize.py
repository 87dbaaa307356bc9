"""The contract normalizer (lemonade.gate.normalize): pure, deterministic, syntax-tree based;
it fits a file to the Net contract or refuses naming the line."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lemonade.gate import CodeRejected, check_source
from lemonade.gate.normalize import author_lines, normalize_source, original_line

DIMS = {"in_channels": 3, "num_classes": 10, "image_size": (32, 32)}


def norm(src: str, **dims: object):  # type: ignore[no-untyped-def]
    return normalize_source(textwrap.dedent(src), **{**DIMS, **dims})  # type: ignore[arg-type]


OWN_NAME = """\
    import torch
    import torch.nn as nn
    import torch.optim as optim


    class TinyCNN(nn.Module):
        # keep this comment
        def __init__(self, n_classes=10):
            super(TinyCNN, self).__init__()
            self.conv = nn.Conv2d(3, 8, 3)
            self.fc = nn.Linear(8, n_classes)

        def forward(self, x):
            return self.fc(self.conv(x).mean((2, 3)))

        def configure_optimizer(self):
            return optim.Adam(self.parameters())


    model = TinyCNN()
    """


def test_own_class_name_synonyms_and_training_code() -> None:
    out = norm(OWN_NAME)
    assert "class Net(nn.Module):" in out.code and "super(Net, self)" in out.code
    assert "def __init__(self, num_classes=10, in_channels=3):" in out.code
    assert "nn.Conv2d(in_channels, 8, 3)" in out.code and "nn.Linear(8, num_classes)" in out.code
    assert "configure_optimizer" not in out.code and "optim" not in out.code
    assert "model = " not in out.code
    assert "# keep this comment" in out.code  # the text is edited, not regenerated
    assert out.note.startswith("renamed TinyCNN to Net")
    for part in ("renamed argument n_classes to num_classes", "added argument in_channels",
                 "removed configure_optimizer", "`import torch.optim`"):
        assert part in out.note
    assert check_source(out.code) == []


def test_idempotent_and_deterministic() -> None:
    first = norm(OWN_NAME)
    again = normalize_source(first.code, **DIMS)  # type: ignore[arg-type]
    assert again.code == first.code and again.note == ""
    assert norm(OWN_NAME).code == first.code


def test_a_conforming_file_is_left_byte_for_byte() -> None:
    src = ("import torch\nimport torch.nn as nn  # unused allowed imports stay\n\n\n"
           "class Net(nn.Module):\n    def __init__(self, in_channels, num_classes):\n"
           "        super().__init__()\n        self.fc = nn.Linear(in_channels, num_classes)\n\n"
           "    def forward(self, x):\n        return self.fc(x.mean((2, 3)))\n")
    out = normalize_source(src, **DIMS)  # type: ignore[arg-type]
    assert out.code == src and out.changes == []


@pytest.mark.parametrize(("dims", "match", "line"), [
    ({"in_channels": 1}, "hard-codes 3 input channels, the dataset has 1", 10),
    ({"num_classes": 100}, "hard-codes 10 classes, the dataset has 100", 11),
])
def test_hard_coded_dims_that_differ_are_refused_naming_the_line(dims, match, line) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CodeRejected) as e:
        norm(OWN_NAME.replace("n_classes=10", "").replace("n_classes", "10"), **dims)
    v = e.value.violations[0]
    assert match in v.message and v.line == line, v


BLOCK_STEM = """\
    import torch.nn as nn


    class ConvBNReLU(nn.Sequential):
        def __init__(self, in_planes, out_planes, stride=1, *, norm=nn.BatchNorm2d):
            super().__init__(nn.Conv2d(in_planes, out_planes, 3, stride, 1), norm(out_planes),
                             nn.ReLU())


    class Stage(nn.Module):
        def __init__(self, cin, cout):
            super().__init__()
            self.conv = ConvBNReLU(cin, cout, stride=2)

        def forward(self, x):
            return self.conv(x)


    class Mobile(nn.Module):
        def __init__(self, num_classes=1000):
            super().__init__()
            self.stem = Stage(3, 16)
            self.body = nn.Sequential(ConvBNReLU(16, 32), nn.Conv2d(32, 32, 1))
            self.fc = nn.Linear(32, num_classes)

        def forward(self, x):
            return self.fc(self.body(self.stem(x)).mean((2, 3)))
    """


def test_a_first_layer_inside_the_files_own_blocks_takes_in_channels() -> None:
    out = norm(BLOCK_STEM)  # Stage(3, 16) -> ConvBNReLU(cin, ...) -> nn.Conv2d(in_planes, ...)
    assert "self.stem = Stage(in_channels, 16)" in out.code
    assert "ConvBNReLU(16, 32)" in out.code and "nn.Conv2d(in_planes, out_planes" in out.code
    assert "used in_channels for the first layer's hard-coded 3" in out.note
    assert check_source(out.code) == []
    with pytest.raises(CodeRejected) as e:
        norm(BLOCK_STEM, in_channels=1)
    v = e.value.violations[0]
    assert "first layer hard-codes 3 input channels, the dataset has 1" in v.message
    assert v.line == 22, v  # the line of Stage(3, 16)


def test_a_block_whose_first_conv_takes_no_argument_is_not_the_first_layer() -> None:
    src = BLOCK_STEM.replace("nn.Conv2d(in_planes, out_planes, 3", "nn.Conv2d(8, out_planes, 3")
    src = src.replace("self.body = nn.Sequential(ConvBNReLU(16, 32), nn.Conv2d(32, 32, 1))",
                      "self.body = nn.Conv2d(3, 32, 1)")
    out = norm(src)  # Stage/ConvBNReLU do not pass anything on: the plain Conv2d is the first
    assert "self.stem = Stage(3, 16)" in out.code
    assert "self.body = nn.Conv2d(in_channels, 32, 1)" in out.code


def test_single_logit_head_is_refused_with_the_fix() -> None:
    src = OWN_NAME.replace("n_classes=10", "").replace("n_classes", "1")
    with pytest.raises(CodeRejected, match="single logit: return num_classes logits"):
        norm(src, num_classes=2)


def test_in_and_out_shape_tuples() -> None:
    out = norm("""\
        import torch.nn as nn


        class M(nn.Module):
            def __init__(self, in_shape, out_shape):
                super().__init__()
                c, h, w = in_shape
                self.fc = nn.Linear(c * h * w, out_shape[0])

            def forward(self, x):
                return self.fc(x.flatten(1))
        """, image_size=(8, 8))
    assert "def __init__(self, in_channels, num_classes):" in out.code
    assert "in_shape = (in_channels, 8, 8)" in out.code
    assert "out_shape = (num_classes,)" in out.code
    assert check_source(out.code) == []


def test_ambiguous_channels_is_not_renamed_when_it_is_the_width() -> None:
    out = norm("""\
        import torch.nn as nn


        class W(nn.Module):
            def __init__(self, channels=16, num_classes=10):
                super().__init__()
                self.conv = nn.Conv2d(3, channels, 3)
                self.fc = nn.Linear(channels, num_classes)

            def forward(self, x):
                return self.fc(self.conv(x).mean((2, 3)))
        """)
    assert "channels=16" in out.code and "in_channels=3" in out.code
    assert "nn.Conv2d(in_channels, channels, 3)" in out.code


def test_torchscript_becomes_no_ops_and_repr_goes() -> None:
    out = norm("""\
        import torch
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self, in_channels, num_classes):
                super().__init__()
                self.fc = nn.Linear(in_channels, num_classes)

            @torch.jit.unused
            def helper(self, x):
                return x

            def forward(self, x):
                if torch.jit.is_scripting():
                    x = self.helper(x)
                return self.fc(x.mean((2, 3)))

            def __repr__(self):
                return "{}".format(self.__class__.__name__)
        """)
    assert "torch.jit" not in out.code and "if False:" in out.code
    assert "def helper(self, x):" in out.code  # reachable from forward: kept
    assert "__repr__" not in out.code
    assert check_source(out.code) == []


def test_several_model_classes_without_a_hint_are_refused_with_the_line() -> None:
    src = """\
        import torch.nn as nn


        class A(nn.Module):
            def forward(self, x):
                return x


        class B(nn.Module):
            def forward(self, x):
                return x
        """
    with pytest.raises(CodeRejected, match=r"several model classes \(A, B\)") as e:
        norm(src)
    assert e.value.violations[0].line == 4


def test_unparseable_code_comes_back_unchanged() -> None:
    out = normalize_source("class Net(:\n", **DIMS)  # type: ignore[arg-type]
    assert out.code == "class Net(:\n" and out.changes == []


def test_original_line_maps_back_over_removed_lines() -> None:
    src = textwrap.dedent(OWN_NAME)
    out = normalize_source(src, **DIMS)  # type: ignore[arg-type]
    line = out.code.split("\n").index("    def forward(self, x):") + 1
    assert src.split("\n")[original_line(src, out.code, line) - 1] == "    def forward(self, x):"


def test_author_lines_rewrites_every_line_reference() -> None:
    src = textwrap.dedent(OWN_NAME)
    out = normalize_source(src, **DIMS)  # type: ignore[arg-type]
    norm_lines = out.code.split("\n")
    fwd = norm_lines.index("    def forward(self, x):") + 1
    ret = fwd + 1
    text = f"RuntimeError (model.py line {ret}): bad; line {fwd}: `def forward`"
    mapped = author_lines(text, src, out.code)
    orig = src.split("\n")
    want_ret = orig.index(norm_lines[ret - 1]) + 1
    want_fwd = orig.index("    def forward(self, x):") + 1
    assert want_ret != ret  # the normalizer moved the lines, so the test can fail
    assert mapped == f"RuntimeError (model.py line {want_ret}): bad; line {want_fwd}: `def forward`"
    assert author_lines(text, out.code, out.code) == text


def test_the_normalizer_imports_no_torch() -> None:
    """It runs on the host: with torch made unimportable, it still works."""
    code = textwrap.dedent("""
        import sys
        sys.modules["torch"] = None
        from lemonade.gate.normalize import normalize_source
        out = normalize_source("import torch.nn as nn\\nclass M(nn.Module):\\n"
                               "    def __init__(self):\\n        super().__init__()\\n"
                               "    def forward(self, x):\\n        return x\\n", 3, 10)
        assert "class Net" in out.code, out.code
        print("ok")
        """)
    src = Path(__file__).parents[1] / "src"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=120, env={**os.environ, "PYTHONPATH": str(src)})
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr
