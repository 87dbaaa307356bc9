"""Static checks (check_source), normalise/code_hash, and building a model file (modelfile)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from lemonade.gate import check_source, code_hash, normalise
from lemonade.modelfile import ModelFileError, build_net, check_output, count_params

torch.set_num_threads(1)

HEADER = "import torch\nimport torch.nn as nn\n"
NET = """

class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        {body}
        return self.fc(x.mean(dim=(2, 3)))
"""


def model(body: str = "pass", header: str = HEADER, top: str = "") -> str:
    return header + top + NET.replace("{body}", body)


ACCEPTED = [
    ("minimal", model()),
    ("from torch import nn", model(header="import torch\nfrom torch import nn\n")),
    ("functional as F",
     model("x = F.relu(x)", header=HEADER + "from torch.nn import functional as F\n")),
    ("import torch.nn.functional as F",
     model("x = F.gelu(x)", header=HEADER + "import torch.nn.functional as F\n")),
    ("future annotations", "from __future__ import annotations\n" + model()),
    ("math, typing, collections, functools",
     model("y = math.sqrt(2.0)", header=HEADER + "import math\nfrom typing import Optional\n"
           "from collections import OrderedDict\nimport functools\n")),
    ("module docstring and constants",
     '"""A model."""\n' + model(top="WIDTH = 16\nACT = nn.ReLU\nSIZES = (1, 2, -3)\nK = 2 ** 4\n")),
    ("torch.cuda.is_available", model("on_gpu = torch.cuda.is_available()")),
    ("nn.init through torch.nn", model("nn.init.zeros_(self.fc.bias)")),
    ("private attribute on self", model("x = self._helper(x) if self._flag else x")),
    ("setattr with an f-string name", model('setattr(self, f"layer{1}", nn.Identity())')),
    ("getattr with a constant name", model('act = getattr(self, "fc")')),
    ("super().__init__ and nn.Module.__init__", model("nn.Module.__init__")),
    ("format on a plain literal", model('s = "{} {:.2f}".format(1, 2.0)')),
    ("init accepts **kwargs",
     HEADER + "\n\nclass Net(nn.Module):\n    def __init__(self, **kw):\n"
     "        super().__init__()\n"),
    ("init inherited from a base class in the file",
     HEADER + "\n\nclass Base(nn.Module):\n    def __init__(self, in_channels, num_classes):\n"
     "        super().__init__()\n\n\nclass Net(Base):\n    pass\n"),
    ("a main guard is dropped, not refused",
     model() + '\nif __name__ == "__main__":\n    import sys\n    print(Net(3, 10))\n'),
    ("forward(self, input)", model().replace("forward(self, x)", "forward(self, input)")
     .replace("return self.fc(x.mean", "return self.fc(input.mean")),
    ("import torch.nn.init as init", model("init.zeros_(self.fc.bias)",
                                           header=HEADER + "import torch.nn.init as init\n")),
    ("from collections.abc import Sequence",
     model("ok = isinstance(x.shape, Sequence)",
           header=HEADER + "from collections.abc import Sequence\n")),
    ("top-level math, repeat, tuple and partial",
     model(header=HEADER + "import math\nfrom functools import partial\n",
           top="S = math.sqrt(2.0)\nD = [2] * 3\nA, B = 16, 32\n"
               "Norm = partial(nn.BatchNorm2d, eps=1e-3)\n")),
    ("class attribute layer and __repr__", model().replace(
        "class Net(nn.Module):\n", "class Net(nn.Module):\n    act = nn.ReLU()\n\n"
        "    def __repr__(self):\n        return type(self).__name__\n\n")),
    ("__all__", model(top='__all__ = ["Net"]\n')),
    ("getattr over a tuple of names",
     model('for name in ("fc",):\n            m = getattr(self, name)')),
    ("self.__setattr__ with a %-name", model("self.__setattr__('level_%d' % 1, nn.Identity())")),
    ("setattr with a .format name", model("setattr(self, 'x{}'.format(1), nn.Identity())")),
    ("getattr on a plain variable with a constant name",
     model('for m in self.modules():\n            b = getattr(m, "bias", None)')),
    ("type(x) compared", model("same = type(x) == torch.Tensor")),
    ("a base-class method called with self", model("y = Net.forward(self, x) if False else x")),
    ("attributes set on variables that hold runtime values",
     model("for p in self.parameters():\n            p.requires_grad = False\n"
           "        act = nn.ReLU()\n        act.inplace = True\n"
           "        layers = [nn.Linear(3, 3)]\n        layers[0].bias = None")),
    ("typed signature and decorator",
     HEADER + "\n\nclass Net(nn.Module):\n    def __init__(self, in_channels: int = 3, "
     "num_classes: int = 10) -> None:\n        super().__init__()\n\n"
     "    @torch.no_grad()\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n"
     "        return x\n"),
]


@pytest.mark.parametrize("source", [c[1] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_check_source_accepts(source: str) -> None:
    assert check_source(source) == []


REJECTED = [
    # (id, source, substring of a violation message, line)
    ("import os", "import os\n" + model(), "import of 'os' is not allowed: write it with torch", 1),
    ("from subprocess", "from subprocess import run\n" + model(), "import from 'subprocess'", 1),
    ("import torch.utils", "import torch.utils.data\n" + model(),
     "import of 'torch.utils.data' is not allowed", 1),
    ("relative import", "from .x import y\n" + model(), "relative import", 1),
    ("future other than annotations", "from __future__ import braces\n" + model(),
     "only annotations", 1),
    ("from torch import save", "from torch import save\n" + model(), "torch.save", 1),
    ("eval", model('eval("1")'), "use of 'eval' is not allowed", 11),
    ("open", model('open("f")'), "use of 'open' is not allowed", 11),
    ("__import__", model('__import__("os")'), "'__import__' is not allowed", 11),
    ("dunder attribute", model("c = x.__class__"), "attribute '__class__' is not allowed", 11),
    ("defining a dunder", model() + "\n    def __getattr__(self, k):\n        return k\n",
     "defining '__getattr__' is not allowed", 14),
    ("private attribute on a tensor", model("d = x._cdata"), "private attribute '_cdata'", 11),
    ("torch.load", model('w = torch.load("w.pt")'), "torch.load", 11),
    ("torch.hub", model("h = torch.hub"), "torch.hub", 11),
    ("torch.utils.checkpoint", model("c = torch.utils.checkpoint"), "torch.utils", 11),
    ("torch.jit.script", model("s = torch.jit.script"), "torch.jit", 11),
    ("torch.backends", model("torch.backends.cudnn.benchmark = True"), "torch.backends", 11),
    ("torch.distributed", model("d = torch.distributed"), "torch.distributed", 11),
    ("torch.os", model('torch.os.getcwd()'), "'torch.os' (module os)", 11),
    ("unknown torch attribute", model("y = torch.not_a_thing(x)"),
     "torch has no attribute 'not_a_thing'", 11),
    ("a module passed as a value", model("f = torch"), "may only be used as", 11),
    ("rebinding an import", model(top="nn = None\n"), "rebinding the imported name 'nn'", 3),
    ("getattr with a variable name", model("a = getattr(self, name)"),
     "computed attribute name", 11),
    ("setattr with an unsafe f-string prefix", model('setattr(self, f"f_{x}", 1)'),
     "computed attribute name", 11),
    ("setattr on a module", model('setattr(torch, "x", 1)'), "on the module 'torch'", 11),
    ("format on a variable", model("s = fmt.format(self)"), "literal string", 11),
    ("format field in a nested spec", model('s = "{0:{1.x}}".format(1, 2)'), "format fields", 11),
    ("top-level call", model(top='print("hi")\n'), "top-level Expr statement", 3),
    ("top-level loop", model(top="for i in range(3):\n    pass\n"), "top-level For", 3),
    ("top-level call in an assignment", model(top="LAYER = nn.Linear(3, 3)\n"),
     "top-level assignments must be constants", 3),
    ("string repetition at import", model(top='PAD = "x" * 10\n'), "must be constants", 3),
    ("class keyword", model().replace("class Net(nn.Module):", "class Net(nn.Module, x=1):"),
     "class keywords", 5),
    ("no class Net", model().replace("class Net", "class Model"),
     "must define a top-level class Net (found: Model", 0),
    ("Net twice", model() + model(header=""), "defined more than once", 15),
    ("Net without __init__", HEADER + "\n\nclass Net(nn.Module):\n    pass\n",
     "Net must define __init__", 5),
    ("Net.__init__ without num_classes",
     model().replace("in_channels, num_classes):", "in_channels, classes):"),
     "must accept num_classes as keyword", 6),
    ("positional-only arguments",
     model().replace("in_channels, num_classes):", "in_channels, num_classes, /):"),
     "must be accepted as keywords", 6),
    ("async", model() + "\n\nasync def f():\n    pass\n", "async code", 15),
    ("match statement", model("match x:\n            case object(__class__=c):\n"
                              "                pass"), "`match` statements", 11),
    ("a module through an attribute", model("m = F.torch", header=HEADER + "import torch.nn."
                                            "functional as F\n"), "the module F.torch", 12),
    ("a module in a container", model("ms = [torch.nn]"), "the module torch.nn may only", 11),
    ("a module as a default", model(top="def f(m=torch.nn.functional):\n    pass\n"),
     "the module torch.nn.functional may only", 3),
    ("self outside a method", model(top="def f(self):\n    return self._x\n"),
     "private attribute '_x'", 4),
    ("self rebound", model("self = x\n        y = self._cdata"), "private attribute '_cdata'", 12),
    ("getattr on a chain", model('w = getattr(self.fc, "weight")'), "only allowed on self", 11),
    ("getattr of format", model('f = getattr(s, "format")'), "the attribute 'format'", 11),
    ("computed name on a variable", model('w = getattr(m, f"w{1}")'), "only allowed on self", 11),
    ("dunder through self.__getattr__", model("c = self.__getattr__('__class__')"),
     "double-underscore", 11),
    ("a library class patched through an alias",
     model("T = torch.Tensor\n        T.eq = None"), "'T' is bound to a library object", 12),
    ("a library class patched through a container", model("[torch.Tensor][0].eq = None"),
     "on an expression is not allowed", 11),
    ("a library class kept on self, then patched",
     model("self.t = torch.Tensor\n        self.t.eq = None"), "bound to a library object", 12),
    ("an unbound method call with another object as self", model("y = Net.forward(x, x)"),
     "may only be called as Net.forward(self, ...)", 11),
    ("type with three arguments", model('T = type("T", (object,), {})'),
     "type() with more than one argument", 11),
    ("type(x) called", model("y = type(x)(x)"), "type(x) may only be", 11),
    ("Tensor subclass", model(top="class T(torch.Tensor):\n    pass\n"),
     "subclassing torch.Tensor", 3),
    ("plain list of layers", model("pass").replace(
        "self.fc = nn.Linear(in_channels, num_classes)",
        "self.fc = nn.Linear(in_channels, num_classes)\n        self.b = [nn.ReLU(), nn.ReLU()]"),
     "use nn.ModuleList", 9),
    ("plain dict of layers", model("pass").replace(
        "self.fc = nn.Linear(in_channels, num_classes)",
        "self.fc = nn.Linear(in_channels, num_classes)\n        self.b = {'a': nn.ReLU()}"),
     "use nn.ModuleDict", 9),
    ("str.format as a value", model('f = "{}".format'), "may only be called directly", 11),
    ("builtin through a default", model(top="def f(x, open=open):\n    return open\n"),
     "use of 'open' is not allowed", 3),
    ("deep expression", model("x = x" + " + 1" * 300), "nested more than", 11),
    ("syntax error", HEADER + "class Net(nn.Module:\n    pass\n", "syntax error", 3),
    ("empty", "   \n", "empty", 0),
    ("too large", "#" * 300_000, "too large", 0),
]


@pytest.mark.parametrize(("source", "needle", "line"), [c[1:] for c in REJECTED],
                         ids=[c[0] for c in REJECTED])
def test_check_source_rejects(source: str, needle: str, line: int) -> None:
    violations = check_source(source)
    matching = [v for v in violations if needle in v.message]
    assert matching, f"no violation mentions {needle!r}: {violations}"
    assert matching[0].line == line
    assert str(matching[0]).startswith(f"line {line}: ")


def test_violations_are_reported_all_at_once_in_line_order() -> None:
    src = "import os\nimport socket\n" + model('eval("1")')
    lines = [v.line for v in check_source(src)]
    assert lines == sorted(lines)
    assert {1, 2, 13} <= set(lines)


def test_violation_messages_are_capped() -> None:
    src = f"import {'a' * 5000}\n" + model()
    (v,) = [v for v in check_source(src) if "import of" in v.message]
    assert len(v.message) <= 300 and v.message.endswith("…")


def test_truncated_code_is_named_as_such() -> None:
    src = model()[:-20]  # cut inside the last call
    (v,) = check_source(src)
    assert "truncated" in v.message


# -- normalise / code_hash ------------------------------------------------------------------------
SAME = [
    ("comments", model(), model().replace("super().__init__()",
                                          "super().__init__()  # base init\n        # note")),
    ("docstrings", model(), '"""Doc."""\n' + model().replace(
        "    def forward(self, x):\n", '    def forward(self, x):\n        """Fwd."""\n')),
    ("blank lines and spacing", model(), model().replace("\n\n", "\n\n\n").replace(" = ", "=")),
    ("quote style", model('s = "a"'), model("s = 'a'")),
]


@pytest.mark.parametrize(("a", "b"), [c[1:] for c in SAME], ids=[c[0] for c in SAME])
def test_code_hash_ignores_presentation(a: str, b: str) -> None:
    assert a != b
    assert normalise(a) == normalise(b)
    assert code_hash(a) == code_hash(b)


def test_code_hash_sees_real_changes() -> None:
    assert code_hash(model()) != code_hash(model().replace("nn.Linear", "nn.LazyLinear"))
    assert len(code_hash(model())) == 64


def test_normalise_keeps_a_function_whose_body_was_only_a_docstring() -> None:
    out = normalise('def f():\n    """Only a docstring."""\n')
    assert "pass" in out
    compile(out, "x", "exec")


def test_normalise_of_invalid_code_is_stable() -> None:
    assert normalise("def f(:\n   \n") == normalise("def f(:\n")


@pytest.mark.parametrize("source", [
    "x = " + " + ".join(["1"] * 5000),  # ast.unparse: RecursionError
    "x = " + " + ".join(["1"] * 100_000),  # ast.parse: RecursionError
    "x = " + "(" * 5000 + ")" * 5000,  # the parser's own limit
    "x = 1\x00",  # ValueError
], ids=["unparse too deep", "parse too deep", "too many parentheses", "null byte"])
def test_code_hash_never_raises(source: str) -> None:
    assert len(code_hash(source)) == 64
    assert code_hash(source) == code_hash(source + "\n\n")


def test_code_hash_does_not_parse_an_oversized_source(monkeypatch: pytest.MonkeyPatch) -> None:
    import ast

    calls: list[int] = []
    real = ast.parse
    monkeypatch.setattr(ast, "parse", lambda src, *a, **k: calls.append(len(src)) or real(src))
    big = "x = 1\n" * 50_000  # 300 kB: refused by the static check before anything else
    assert len(code_hash(big)) == 64
    assert calls == []
    code_hash("x = 1\n")
    assert calls == [6]


# -- modelfile ------------------------------------------------------------------------------------
def test_build_net_and_check_output() -> None:
    net = build_net(model("x = x * 1"), in_channels=3, num_classes=10)
    assert isinstance(net, nn.Module)
    check_output(net, 3, 8, 10)
    assert count_params(net) == 3 * 10 + 10


@pytest.mark.parametrize(("source", "needle"), [
    (model().replace("class Net", "class Model"), "does not define class Net"),
    (HEADER + "\n\nclass Net:\n    def __init__(self, in_channels, num_classes):\n        pass\n",
     "Net is not a torch.nn.Module"),
    (model().replace("super().__init__()", 'raise ValueError("bad width")'),
     "Net(in_channels=3, num_classes=10) failed (model.py line 7): ValueError: bad width"),
    (HEADER + "x = undefined_name\n" + NET.replace("{body}", "pass"),
     "running model.py failed (model.py line 3): NameError"),
], ids=["no Net", "not a module", "init raises", "import-time error"])
def test_build_net_errors(source: str, needle: str) -> None:
    with pytest.raises(ModelFileError) as info:
        build_net(source, in_channels=3, num_classes=10)
    assert needle in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("code", [
    'import os\nclass Net: pass\n',
    'open("x")\n',
    'eval("1")\n',
], ids=["import os", "open", "eval"])
def test_build_net_restricted_builtins_are_defence_in_depth(code: str) -> None:
    # These never pass check_source; if they reached build_net anyway, they still fail.
    with pytest.raises(ModelFileError, match=r"ImportError|NameError"):
        build_net(code, 3, 10)


@pytest.mark.parametrize(("forward", "needle"), [
    ("return self.fc(x.mean(dim=(2, 3)))[:, :5]", "output shape (2, 5) does not match expected "
                                                  "(2, 10)"),
    ("return self.fc(x.mean(dim=(2, 3))) * float('nan')", "NaN or infinite"),
    ("return (self.fc(x.mean(dim=(2, 3))),)", "got tuple"),
    ("return self.fc(x.mean(dim=(2, 3))).long()", "not a floating point"),
    ("return self.fc(x)", "forward pass on input (2, 3, 8, 8) failed"),
], ids=["shape", "nan", "tuple", "int", "raises"])
def test_check_output_errors(forward: str, needle: str) -> None:
    src = model().replace("        return self.fc(x.mean(dim=(2, 3)))", f"        {forward}")
    net = build_net(src, 3, 10)
    with pytest.raises(ModelFileError) as info:
        check_output(net, 3, (8, 8), 10)
    assert needle in str(info.value)


def test_check_output_names_the_fix_for_a_first_layer_built_for_other_channels() -> None:
    class Gray(nn.Module):  # a first layer hard-coded for 1 channel, run on 3
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv2d(1, 4, 3)
            self.fc = nn.Linear(4, 10)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.fc(self.conv(x).mean((2, 3)))

    with pytest.raises(ModelFileError) as info:
        check_output(Gray(), 3, (8, 8), 10)
    assert ("a layer built for 1 input channels got the dataset's 3: build the first layer "
            "with the in_channels argument of Net(in_channels, num_classes)") in str(info.value)


def test_check_output_restores_training_mode() -> None:
    net = build_net(model(), 3, 10)
    net.train()
    check_output(net, 3, 8, 10)
    assert net.training


def _with_init(extra: str, forward: str = "return self.fc(x.mean(dim=(2, 3)))") -> str:
    return (HEADER + "\n\nclass Net(nn.Module):\n"
            "    def __init__(self, in_channels, num_classes):\n"
            "        super().__init__()\n        self.fc = nn.Linear(in_channels, num_classes)\n"
            f"        {extra}\n\n    def forward(self, x):\n        {forward}\n")


@pytest.mark.parametrize(("source", "needle"), [
    (_with_init("self.blocks = []\n        self.blocks.append(nn.Linear(3, 3))"),
     "self.blocks keeps layers in a plain Python list: they are never trained or counted; "
     "use nn.ModuleList"),
    (_with_init("self.heads = dict(a=nn.Linear(3, 3))"), "use nn.ModuleDict"),
    (_with_init("self.w = torch.randn(3, 10)"),
     "self.w is a plain tensor, invisible to training, counting and export: use nn.Parameter"),
    (_with_init("self.ws = (torch.zeros(3),)"), "nn.ParameterList"),
    (_with_init("self.nested = [[nn.ReLU()]]"), "use nn.ModuleList"),
    (model().replace("class Net(nn.Module):\n",
                     "class Net(nn.Module):\n    fc2 = nn.Linear(3, 3)\n"),
     "class attribute Net.fc2 holds weights"),
], ids=["list append", "dict", "tensor", "tuple of tensors", "nested list", "class attribute"])
def test_build_net_refuses_state_that_training_and_counting_would_not_see(
        source: str, needle: str) -> None:
    with pytest.raises(ModelFileError) as info:
        build_net(source, in_channels=3, num_classes=10)
    assert needle in str(info.value)


def test_build_net_accepts_registered_state() -> None:
    src = _with_init("self.register_buffer('scale', torch.ones(1))\n"
                     "        self.p = nn.Parameter(torch.zeros(10))\n"
                     "        self.blocks = nn.ModuleList([nn.Identity()])\n"
                     "        self.sizes = [3, 10]",
                     "return self.fc(x.mean(dim=(2, 3))) * self.scale + self.p")
    net = build_net(src, 3, 10)
    check_output(net, 3, 8, 10)
    assert count_params(net) == 3 * 10 + 10 + 10


def test_build_net_never_runs_a_main_guard(capsys: pytest.CaptureFixture[str]) -> None:
    src = model() + '\nif __name__ == "__main__":\n    print("demo ran")\n'
    build_net(src, 3, 10)
    assert capsys.readouterr().out == ""


def test_guarded_import_lets_torch_import_lazily_but_not_the_model() -> None:
    # torch imports a submodule from C while this op runs; the model's own import stays guarded
    net = build_net(model("x = torch.relu(x) * 2"), 3, 10)
    check_output(net, 3, 8, 10)
    with pytest.raises(ImportError, match="import of 'os' is not allowed"):
        build_net(model("import os"), 3, 10).forward(torch.zeros(1, 3, 4, 4))


# -- scrub: what check prints and what goes into a prompt -----------------------------------------
def test_scrub_redacts_secrets_and_home(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from lemonade.gate.scrub import scrub

    monkeypatch.setenv("LEMONADE_TEST_API_KEY", "hunter2hunter2")
    home = os.path.expanduser("~")
    text = (f"key hunter2hunter2 and sk-proj-{'a1' * 12} and ghp_{'b2' * 10} in "
            f"{home}/secrets/x.txt token {'0f' * 20} ok")
    out = scrub(text)
    assert "hunter2hunter2" not in out and "sk-proj" not in out and "ghp_" not in out
    assert "0f0f0f" not in out and home + "/" not in out
    assert "~/secrets/x.txt" in out and out.endswith(" ok")
    assert scrub("a_long_identifier_without_any_digit_in_it") == (
        "a_long_identifier_without_any_digit_in_it")


def test_scrub_caps_length_and_never_raises() -> None:
    from lemonade.gate.scrub import scrub

    out = scrub("x" * 1_000_000, limit=200)
    assert len(out) <= 200 and "1,000,000 characters" in out
    assert scrub(None) == "None"  # type: ignore[arg-type]
    assert scrub("short") == "short"


def test_check_file_scrubs_and_caps_what_it_reports(tmp_path, monkeypatch) -> None:
    from lemonade.sandbox.check import check_file

    monkeypatch.setenv("LEMONADE_TEST_TOKEN", "zebra42secret")
    path = tmp_path / "m.py"
    # used by Net (imports nothing uses are removed by the contract normalizer)
    path.write_text("import zebra42secret\n" + "import os\n" * 50
                    + model("x = (zebra42secret, os)"))
    rep = check_file(path, dry_run=False)
    assert not rep.ok
    assert all("zebra42secret" not in v.message for v in rep.violations)
    assert len(rep.violations) == 21 and "more problems" in rep.violations[-1].message


def test_check_file_on_a_non_utf8_file(tmp_path) -> None:
    from lemonade.sandbox.check import check_file

    path = tmp_path / "latin1.py"
    path.write_bytes(model().encode() + "# café\n".encode("latin-1"))
    rep = check_file(path, dry_run=False)
    assert not rep.ok
    (v,) = rep.violations
    assert "is not UTF-8 text (byte 0xe9" in v.message


def test_the_number_of_violations_is_capped() -> None:
    violations = check_source(model("\n".join(["        eval(1)"] * 200).lstrip()))
    assert len(violations) == 50
    assert violations[-1].message == "... and 151 more problems"
