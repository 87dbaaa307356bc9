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
    from lemonade.modelfile import ModelFileError, build_net, check_output
    from lemonade.gate import CodeRejected, check_source

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
