"""The parts of a failure reason that reach a prompt cannot carry a secret the candidate read.

A hostile candidate can read what is inside its wall (its data, its scratch, its own source)
and fail with a message built from it. The vocabulary shape (`lemonade.gate.failure_text`)
already hides unknown words; what passed it could still carry a secret in the numbers (packed
bytes, shapes, line numbers) or in identifiers. A canary stands for such a secret here: every
encoding a candidate could write is quoted for a prompt, and no window of the canary can be
read back, by the receiver's decoders of `test_secret_leaks`, by numeric ones (bytes and 2- to
4-byte integers) and by one that reads punctuation as hex digits.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from test_secret_leaks import arrangements, leaks

from lemonade.gate.failure_text import (
    MAX_WORDS,
    Known,
    capacity_bits,
    for_prompt,
    shape_of,
)
from lemonade.gate.vocabulary import VOCABULARY
from lemonade.memory import make_attempt

CANARY = "c4n4ry-Qx7Lm2Pz9Rk5Wt3Vb8"
SOURCE = '''import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 24, 3, padding=1)
        self.fc3 = nn.Linear(24, num_classes)

    def forward(self, x):
        return self.fc3(self.conv1(x).mean(dim=(2, 3)))
'''


def _packed(key: str, width: int) -> list[int]:
    raw = key.encode()
    return [int.from_bytes(raw[i:i + width], "big") for i in range(0, len(raw), width)]


def numeric_leaks(text: str, key: str = CANARY, window: int = 6) -> bool:
    """Whether the numbers of `text` spell `window` characters of the key in a row: as
    printable character codes (other numbers between them skipped), or as big-endian
    integers of 2, 3 or 4 bytes (either order)."""
    nums = [int(n) for n in re.findall(r"\d+", text)]
    forms = []
    for width in (1, 2, 3, 4):
        fit = [n for n in nums if (32 <= n < 127 if width == 1 else n < 256 ** width)]
        raw = b"".join(n.to_bytes(width, "big") for n in fit)
        forms += [raw, raw[::-1]]
    norm = key.encode()
    grams = {norm[i:i + window] for i in range(len(norm) - window + 1)}
    grams |= {g[::-1] for g in grams}
    return any(f[i:i + window] in grams for f in forms for i in range(len(f) - window + 1))


NIBBLES = "().,:;[]{}=<>+*/"  # a punctuation mark a hex digit


def punct_leaks(text: str, key: str = CANARY, window: int = 6) -> bool:
    """Whether the punctuation of `text`, read a mark a hex digit (NIBBLES), spells `window`
    characters of the key in a row."""
    marks = "".join(c for c in text if c in NIBBLES)
    digits = "".join(f"{NIBBLES.index(c):x}" for c in marks)
    norm = key.encode()
    for start in (0, 1):
        raw = bytes.fromhex(digits[start:][: (len(digits) - start) // 2 * 2])
        if any(norm[i:i + window] in raw for i in range(len(norm) - window + 1)):
            return True
    return False


def encodings(key: str) -> dict[str, str]:
    """Failure messages a candidate could build from the canary it read."""
    raw = key.encode()
    two, three, four = _packed(key, 2), _packed(key, 3), _packed(key, 4)
    out = {f"text-{k}": f"ValueError: token {v} end" for k, v in arrangements(key).items()}
    out.update({
        "packed-2": "ValueError: sizes " + ", ".join(map(str, two)),
        "packed-3": "RuntimeError: expected " + " ".join(map(str, three)),
        "packed-4": "RuntimeError: index " + " and ".join(map(str, four)) + " is out of bounds",
        "shape": "RuntimeError: mat1 and mat2 shapes cannot be multiplied ("
                 + "x".join(map(str, two[:4])) + " and " + "x".join(map(str, two[4:8])) + ")",
        "codes-interleaved": "IndexError: index " + " with size 3, index ".join(
            str(b) for b in raw),
        "codes-as-lines": " ".join(f"(model.py line {b})" for b in raw),
        "identifiers": "AttributeError: 'Net' object has no attribute " + ", ".join(
            f"'{key[i:i + 3]}'" for i in range(0, len(key), 3)),
        "identifier-spread": "AttributeError: no attribute " + ", ".join(
            f"'{c}'" for c in key),
        "base64-words": "KeyError: " + " ".join(base64.b64encode(raw).decode()),
        "hex-shape": "RuntimeError: shape [" + ", ".join(f"{b:02x}" for b in raw) + "]",
        "punctuation": "ValueError: " + "".join(NIBBLES[int(h, 16)] for h in raw.hex()),
        "punctuation-spaced": "ValueError: " + " ".join(NIBBLES[int(h, 16)] for h in raw.hex()),
    })
    return out


FORMS = encodings(CANARY)


def test_the_receiver_reads_every_encoding() -> None:
    """The detectors are sound: every encoding leaks when quoted raw, and the numeric ones
    also leak through the vocabulary shape alone (the channel this closes)."""
    for name, text in FORMS.items():
        assert leaks(text, CANARY) or numeric_leaks(text) or punct_leaks(text), name
    for name in ("packed-2", "shape", "codes-interleaved"):  # 3- and 4-byte: over 6 digits
        assert numeric_leaks(shape_of(FORMS[name])), name
    assert punct_leaks(shape_of(FORMS["punctuation"]))


@pytest.mark.parametrize("name", sorted(FORMS))
def test_no_encoding_of_the_canary_reaches_a_prompt(name: str) -> None:
    reason = f"dry run failed: {FORMS[name]}"
    for source in (SOURCE, None):
        quoted = for_prompt(reason, "failed", source)
        assert not leaks(quoted, CANARY) and not numeric_leaks(quoted), (name, quoted)
        assert not punct_leaks(quoted), (name, quoted)
    attempt = make_attempt([], iteration=1, candidate_id=1, status="failed", metrics={},
                           reason=reason, source=SOURCE)
    for text in (attempt.outcome, attempt.summary):
        assert not leaks(text, CANARY) and not numeric_leaks(text), (name, text)
        assert not punct_leaks(text), (name, text)


def test_honest_messages_keep_their_shape_and_the_sources_names() -> None:
    for reason in [
        "dry run failed: RuntimeError (model.py line 12): mat1 and mat2 shapes cannot be "
        "multiplied (8x24 and 128x10)",
        "RuntimeError: Given groups=1, weight of size [24, 3, 3, 3], expected input[8, 1, 32, "
        "32] to have 3 channels, but got 1 channels instead",
        "IndexError: index 5 is out of bounds for dimension 0 with size 3",
        "AttributeError: 'Net' object has no attribute 'fc3'",
    ]:
        assert for_prompt(reason, "failed", SOURCE) == reason
    # a number neither in the source, nor small, nor a power of two, nor a line it has
    assert for_prompt("ValueError (model.py line 9): got 24 and 1234", "failed", SOURCE) == (
        "ValueError (model.py line 9): got 24 and …")
    assert "line …" in for_prompt("ValueError (model.py line 97): bad", "failed", SOURCE)
    # an identifier the source does not have stays hidden
    assert for_prompt("AttributeError: 'Net' object has no attribute 'fc9'", "failed",
                      SOURCE).endswith("'…'")


def test_a_quote_keeps_a_bounded_number_of_words() -> None:
    words = sorted(VOCABULARY)[:3 * MAX_WORDS]
    quoted = for_prompt("ValueError: " + " ".join(words), "failed", SOURCE)
    kept = [w for w in re.findall(r"\w+", quoted) if w.lower() in VOCABULARY]
    assert len(kept) <= MAX_WORDS + 1  # + the exception's name
    assert capacity_bits(Known.of(SOURCE)) < 3000  # bounded, not zero: see docs/security.md


# The candidate holds the canary only XOR-masked in its source (as if it had read it inside its
# wall) and fails with it packed into numbers or spelled in punctuation: the two channels the
# vocabulary shape let through. A real search against the scripted LLM server.
PACKERS = {
    "packed": 'return ", ".join(str(ord(a) * 256 + ord(b)) for a, b in zip(key[::2], key[1::2]))',
    "punct": 'return "".join("().,:;[]{}=<>+*/"[ord(c) // 16] + "().,:;[]{}=<>+*/"[ord(c) % 16] '
             'for c in key)',
}


def packer(form: str, width: int) -> str:
    from test_secret_leaks import LEAKER

    mask = [ord(c) ^ 90 for c in CANARY]
    src = (LEAKER.replace("MASK_VALUE", repr(mask)).replace("FORM_NAME", form)
           .replace("ARRANGE_BODY", PACKERS[form]))
    return src.replace("nn.Linear(in_channels", f"nn.Linear(in_channels * {width} // {width}")


def test_the_packers_spell_the_canary() -> None:
    """The detectors read what the packers write (run here on the plain canary)."""
    for form, body in PACKERS.items():
        scope: dict[str, object] = {}
        exec(f"def arrange(key):\n    {body}\n", scope)
        written = scope["arrange"](CANARY)  # type: ignore[operator]
        assert numeric_leaks(written) or punct_leaks(written), form


@pytest.mark.slow
def test_a_packed_canary_never_reaches_the_llm_endpoint(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from llm_server import ScriptedLLM, code_reply
    from test_search_faults import benign, search_config

    from lemonade.search import start_run
    from lemonade.store import Store

    monkeypatch.chdir(tmp_path)
    script = [code_reply(packer("packed", 2), label="packed"),
              code_reply(packer("punct", 3), label="punct"),
              code_reply(benign(6), label="benign")]
    with ScriptedLLM(script) as llm:
        cfg = search_config(tmp_path, llm, iterations=2, repair_attempts=1)
        res = start_run(cfg).run()
        requests = list(llm.requests)
    assert res.status == "finished" and len(requests) == len(script)
    with Store.open(res.run_dir) as st:
        failed = [c for c in st.candidates() if str(c.status) == "failed"]
    assert len(failed) == 2 and all("ValueError" in (c.reason or "") for c in failed)
    # the stored reason (the user's, scrubbed) holds the packed canary: the channel was there
    assert any(numeric_leaks(c.reason or "") or punct_leaks(c.reason or "") for c in failed)
    repairs = [r for r in requests if r.is_repair]
    assert len(repairs) == 1 and "ValueError" in repairs[0].last_user
    for r in requests:
        for m in r.messages:
            text = m.get("content") or ""
            if m["role"] == "assistant":  # the masked code the LLM wrote, not a reason
                continue
            assert not leaks(text, CANARY), (r.messages.index(m), m["role"])
            assert not numeric_leaks(text) and not punct_leaks(text), (m["role"], text[-400:])
