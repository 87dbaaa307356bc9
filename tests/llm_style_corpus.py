"""The llm_style corpus (tests/llm_style/): model files written the way LLMs write them.

Each file starts with `# llm_style - what it shows`, then `# expect: accepted` or
`# expect: refused` with `# match: text the refusal must hold`, and optionally
`# dataset: channels=C size=S classes=K` (default 3, 32, 10). `outcome` runs a file through
what lemonade does before training: the contract normalizer, the static check, then building
Net and a forward pass (in this process: the corpus is ours).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).parent / "llm_style"


@dataclass(frozen=True)
class Case:
    path: Path
    source: str
    expect: str  # accepted | refused
    match: str
    channels: int = 3
    size: int = 32
    classes: int = 10

    @property
    def info(self) -> dict[str, object]:
        return {"channels": self.channels, "image_size": [self.size, self.size],
                "num_classes": self.classes, "name": "llm_style"}


def load_cases() -> list[Case]:
    cases = []
    for path in sorted(CORPUS.glob("*.py")):
        text = path.read_text()
        head = dict(re.findall(r"^# (expect|match|dataset): (.*)$", text, re.MULTILINE))
        dims = dict(re.findall(r"(\w+)=(\d+)", head.get("dataset", "")))
        cases.append(Case(path, text, head.get("expect", "").strip(),
                          head.get("match", "").strip(),
                          int(dims.get("channels", 3)), int(dims.get("size", 32)),
                          int(dims.get("classes", 10))))
    return cases


@dataclass(frozen=True)
class Outcome:
    accepted: bool
    stage: str  # "as written" | "normalized" | "normalizer" | "static" | "dry run"
    message: str = ""
    note: str = ""
    code: str = ""


def outcome(source: str, info: dict[str, object]) -> Outcome:
    from lemonade.contract import normalize, refusal
    from lemonade.gate import CodeRejected, check_source
    from lemonade.modelfile import ModelFileError, build_net, check_output

    try:
        norm = normalize(source, info)
    except CodeRejected as e:
        return Outcome(False, "normalizer", refusal(e.violations))
    violations = check_source(norm.code)
    if violations:
        return Outcome(False, "static", refusal(violations, source, norm.code), norm.note,
                       norm.code)
    c, k = int(info["channels"]), int(info["num_classes"])  # type: ignore[call-overload]
    size = tuple(info["image_size"])  # type: ignore[arg-type]
    try:
        net = build_net(norm.code, in_channels=c, num_classes=k)
        check_output(net, c, size, k, source=norm.code)  # type: ignore[arg-type]
    except ModelFileError as e:
        return Outcome(False, "dry run", str(e), norm.note, norm.code)
    return Outcome(True, "normalized" if norm.note else "as written", "", norm.note, norm.code)


# What one repair that follows the refusal changes, per refused file: (old, new) replacements.
# bench/llm_compat.py's scripted server answers a repair prompt with the repaired file only
# when the prompt quotes the file's `# match:` text (the refusal carried the fix).
REPAIRS: dict[str, list[tuple[str, str]]] = {
    "hardcoded_imagenet_classes.py": [("nn.Linear(32, 1000)", "nn.Linear(32, num_classes)")],
    "hardcoded_grayscale.py": [("nn.Conv2d(1, 16, 5)", "nn.Conv2d(in_channels, 16, 5)")],
    "block_stem_grayscale.py": [("ConvBNReLU(1, width, stride=2)",
                                 "ConvBNReLU(in_channels, width, stride=2)")],
    "two_models_ambiguous.py": [("class ModelA(", "class Net(")],
    "torchvision_conv_norm_act.py": [
        ("from torchvision.ops import Conv2dNormActivation\n", ""),
        ("Conv2dNormActivation(in_channels, 32, kernel_size=3, stride=2)",
         "nn.Sequential(nn.Conv2d(in_channels, 32, 3, 2, 1), nn.BatchNorm2d(32), nn.ReLU())")],
    "torchvision_stochastic_depth.py": [
        ("from torchvision.ops import StochasticDepth, SqueezeExcitation\n", ""),
        ("SqueezeExcitation(c, c // 4)", "nn.Identity()"),
        ('StochasticDepth(0.1, "row")', "nn.Identity()")],
    "numpy_constants.py": [("import numpy as np", "import math"),
                           ("float(np.sqrt(2.0))", "math.sqrt(2.0)")],
    "dataclass_config.py": [("cfg=BlockConfig()", "width=16, kernel=3"),
                            ("cfg.channels", "width"), ("cfg.kernel", "kernel")],
    "single_logit.py": [("nn.Linear(16, 1)", "nn.Linear(16, num_classes)")],
    "single_logit_param.py": [("out = 1 if num_classes == 2 else num_classes",
                               "out = num_classes")],
    "flatten_wrong_size.py": [("x.view(-1, 16 * 4 * 4)", "torch.flatten(x, 1)"),
                              ("nn.Linear(16 * 4 * 4, 120)", "nn.Linear(16 * 5 * 5, 120)")],
    "flatten_mismatch_error.py": [("8 * 26 * 26", "8 * 30 * 30")],
    "flatten_batch_lost.py": [("x.view(-1, 16 * 4 * 4)", "torch.flatten(x, 1)"),
                              ("nn.Linear(16 * 4 * 4, 64)", "nn.Linear(16 * 8 * 8, 64)")],
    "required_arg_unknown.py": [("def __init__(self, depth, num_classes=10)",
                                 "def __init__(self, depth=2, num_classes=10)")],
    "hub_pretrained.py": [
        ('torch.hub.load("pytorch/vision", "resnet18", pretrained=True)',
         "nn.Sequential(nn.Conv2d(in_channels, 16, 3, padding=1), nn.ReLU(), "
         "nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 1000))")],
}


def repaired(case: Case) -> str:
    """The file after the repair its refusal asks for (KeyError for a file with none)."""
    text = case.source
    for old, new in REPAIRS[case.path.name]:
        assert old in text, (case.path.name, old)
        text = text.replace(old, new)
    return text
