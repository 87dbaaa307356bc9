"""The benign corpus (tests/benign/): common, harmless model code the static check must accept.

Each file is a pattern that LLMs and public model code write (`def forward(self, input)`,
`import torch.nn.init as init`, `A, B = 16, 32`, `self.__setattr__('level_%d' % i, m)`, ...).
A false positive costs an LLM call, so every file must pass `check_source`, build, run a forward
pass, and have its FLOPs counted by torch's FlopCounterMode.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from lemonade.evaluate import untrained_cost
from lemonade.gate import check_source
from lemonade.modelfile import build_net, check_output

BENIGN = sorted((Path(__file__).parent / "benign").glob("*.py"))
torch.set_num_threads(1)


def test_corpus_has_a_file_per_pattern() -> None:
    assert len(BENIGN) >= 13
    for path in BENIGN:
        assert path.read_text().startswith("# benign - "), path.name


@pytest.mark.parametrize("path", BENIGN, ids=[p.name for p in BENIGN])
def test_benign_file_passes_the_check_and_runs(path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    source = path.read_text()
    assert check_source(source) == []
    net = build_net(source, in_channels=3, num_classes=10)
    check_output(net, 3, (8, 8), 10)
    cost = untrained_cost(net, 3, (8, 8))  # the graph counter the measurement uses too
    assert "flops_error" not in cost and cost["flops"] > 0, cost
    assert capsys.readouterr().out == ""  # a main-guard demo never runs


def test_flops_of_a_forward_that_starts_with_a_torch_op() -> None:
    """torch imports lazily from C while the first op runs; that import goes through the model's
    guarded __import__ and used to fail, which made FLOPs unavailable (scored as the worst)."""
    from torch.utils.flop_counter import FlopCounterMode

    source = (Path(__file__).parent / "benign" / "forward_starts_with_torch_op.py").read_text()
    net = build_net(source, 3, 10).eval()
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        net(torch.zeros(1, 3, 8, 8))
    assert counter.get_total_flops() == 2 * 3 * 10  # the one Linear layer: 2 FLOPs per MAC
