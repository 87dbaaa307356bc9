"""extract_code over a table of awkward LLM replies (after FunSearch's sample-parsing tests)."""

from __future__ import annotations

import contextlib

import pytest

from lemonade.gate import CodeRejected, check_source, extract_code

NET = """import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
"""
HELPER = "def helper(x):\n    return x * 2\n"


def fence(code: str, lang: str = "python", mark: str = "```") -> str:
    return f"{mark}{lang}\n{code.rstrip(chr(10))}\n{mark}\n"


CASES = [
    # (id, reply, expected code)
    ("plain python fence", fence(NET), NET),
    ("prose around the fence",
     "Sure! Here is an improved model:\n\n" + fence(NET) + "\nIt uses fewer parameters.", NET),
    ("fence without language", "Here you go:\n" + fence(NET, lang=""), NET),
    ("py tag", fence(NET, lang="py"), NET),
    ("Python tag with a title", fence(NET, lang="Python title=model.py"), NET),
    ("tilde fence", fence(NET, mark="~~~"), NET),
    ("four backticks", fence(NET, mark="````"), NET),
    ("CRLF line endings", fence(NET).replace("\n", "\r\n"), NET),
    ("several python blocks: the one defining Net wins over a longer helper",
     fence(HELPER * 8) + "and the model:\n" + fence(NET), NET),
    ("several blocks defining Net: the longest wins",
     fence(NET.replace("        self.fc = nn.Linear(in_channels, num_classes)\n",
                       "        pass\n")[:120]) + fence(NET), NET),
    ("bash block before the python block", fence("pip install torch", "bash") + fence(NET), NET),
    ("indented fence inside a list item",
     "1. The model:\n\n" + "".join("   " + ln + "\n" if ln else "\n"
                                   for ln in fence(NET).splitlines()), NET),
    ("closing fence glued to the last line", "```python\n" + NET.rstrip() + "```\nDone.", NET),
    ("bare code, no fences", NET, NET),
    ("bare code after leading prose", "Here is the code.\n\n" + NET, NET),
    ("bare code with trailing prose", NET + "\nThis network has one layer.\n", NET),
    ("reasoning in think tags is skipped",
     "<think>maybe\n" + fence(HELPER) + "</think>\nFinal answer:\n" + fence(NET), NET),
    ("main guard removed",
     fence(NET + '\n\nif __name__ == "__main__":\n    print(Net(3, 10))\n'), NET),
]


@pytest.mark.parametrize(("reply", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_extract_code(reply: str, expected: str) -> None:
    assert extract_code(reply).strip() == expected.strip()


def test_extracted_code_passes_the_static_check() -> None:
    assert check_source(extract_code("Sure:\n" + fence(NET) + "Done.")) == []


TRUNCATED = fence(NET)[: len(fence(NET)) // 2 + 40].rstrip("`\n")  # cut mid-class, no closing


def test_unterminated_fence_returns_the_partial_code_which_fails_as_truncated() -> None:
    code = extract_code("Here is the model:\n" + TRUNCATED)
    assert code.startswith("import torch")
    violations = check_source(code)
    assert len(violations) == 1
    assert "syntax error" in violations[0].message
    assert "truncated" in violations[0].message


REJECTED = [
    ("empty", "", "reply is empty"),
    ("whitespace", "  \n\t\n", "reply is empty"),
    ("prose only", "I'm sorry, I cannot help with that request.", "no code block found"),
    ("single word that parses as Python", "Sorry", "no code block found"),
    ("only a bash block", "Run:\n" + fence("pip install torch", "bash"), "no code block found"),
    ("only a json block", fence('{"layers": 3}', "json"), "no code block found"),
    ("empty python block", fence(""), "no code block found"),
]


@pytest.mark.parametrize(("reply", "reason"), [c[1:] for c in REJECTED],
                         ids=[c[0] for c in REJECTED])
def test_extract_code_rejects(reply: str, reason: str) -> None:
    with pytest.raises(CodeRejected, match=reason) as info:
        extract_code(reply)
    assert info.value.violations and reason in info.value.violations[0].message


def test_a_reply_over_the_cap_is_refused_before_any_parsing(monkeypatch) -> None:
    import ast

    from lemonade.gate.extract import MAX_REPLY_CHARS

    calls: list[int] = []
    monkeypatch.setattr(ast, "parse", lambda *a, **k: calls.append(1))
    with pytest.raises(CodeRejected, match="the reply is too large"):
        extract_code(fence(NET) + "#" * MAX_REPLY_CHARS)
    assert calls == []


def _adversarial(n: int) -> list[str]:
    """Replies of about n characters that made extraction re-parse every prefix or rescan."""
    prose = "This line is prose, not code at all.\n"
    return [
        "import torch\n" + prose * (n // len(prose)),  # bare code then endless prose
        "Intro\n" + "class Net(nn.Module):\n    x = (\n" + "  1,\n" * (n // 5),  # never closed
        "<think>" * (n // 7) + fence(NET),  # unclosed think tags
        fence("x = 1", lang="") * (n // 16),  # many small unlabelled blocks
        ("```python\n" + NET) * (n // (len(NET) + 10)),  # unterminated fences
    ]


@pytest.mark.parametrize("kind", range(5), ids=["prose tail", "unclosed paren", "think tags",
                                                "many blocks", "open fences"])
def test_extraction_parses_a_linear_amount_of_text(kind: int, monkeypatch) -> None:
    """Characters handed to ast.parse grow linearly with the reply (they used to grow with its
    square: every prefix was parsed)."""
    import ast

    real = ast.parse
    parsed: list[int] = []

    def counting(source, *args, **kwargs):
        parsed.append(len(source))
        return real(source, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", counting)
    for n in (9_000, 36_000, 150_000):
        parsed.clear()
        reply = _adversarial(n)[kind]
        with contextlib.suppress(CodeRejected):
            extract_code(reply)
        assert sum(parsed) <= 6 * len(reply) + 1000, (n, len(parsed), sum(parsed))
        assert len(parsed) <= 8 or kind == 3, (n, len(parsed))  # blocks: one parse each


def test_unclosed_think_tags_keep_the_code() -> None:
    assert extract_code("<think>\n" * 5000 + fence(NET)).strip() == NET.strip()
    assert extract_code("<think>a</think><thinking>b</thinking>" + fence(NET)).strip() == (
        NET.strip())


def test_think_tags_are_dropped_in_linear_time() -> None:
    """A regex `<think>.*?</think>` rescans to the end from every unclosed tag: ~45 s for this
    reply. The budget is 20x what the one-pass scan needs on a loaded 2-core machine."""
    import time

    reply = "<think>" * 27_000 + "\n" + fence(NET)
    start = time.perf_counter()
    assert extract_code(reply).strip() == NET.strip()
    assert time.perf_counter() - start < 2.0


def test_the_reply_parser_and_the_gate_import_without_torch() -> None:
    """The code gate is pure text and syntax-tree work: a process that cannot import torch can
    still parse a reply, hash it and scrub text (only `check_source` needs torch)."""
    import subprocess
    import sys

    program = (
        "import sys\n"
        "sys.modules['torch'] = None  # any `import torch` now raises ImportError\n"
        "from lemonade.gate import code_hash, extract_code, scrub\n"
        "import lemonade.sandbox.protocol\n"
        "src = extract_code('```python\\nimport torch\\nclass Net:\\n    pass\\n```')\n"
        "assert src.startswith('import torch'), src\n"
        "assert code_hash(src) and scrub('x') == 'x'\n"
        "assert not any(m == 'torch' or m.startswith('torch.') for m in sys.modules\n"
        "               if sys.modules[m] is not None)\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
