"""A secret a candidate got hold of never reaches the LLM endpoint, in any arrangement.

The candidate's failure text is the channel: its exception message goes into the repair prompt,
the next proposal's advice and the feedback memory. The host quotes only an allow-listed shape
of it (`lemonade.gate.failure_text`) and scrubs known secrets in any arrangement
(`lemonade.gate.scrub`). `leaks` below looks for the key the way a receiver would decode it.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import contextlib
import json
import re
from pathlib import Path

import pytest
from llm_server import ScriptedLLM, code_reply
from test_search_faults import KEY_ENV, benign, search_config

from lemonade.config import Objective
from lemonade.gate.failure_text import for_prompt, shape_of
from lemonade.gate.scrub import scrub
from lemonade.memory import make_attempt
from lemonade.prompts import repair_prompt
from lemonade.search import start_run

KEY = "sk-proj-Zq8mV3xLp0aT7uYc2RbN4wE9"


def _alnum(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def arrangements(key: str) -> dict[str, str]:
    """The key as a hostile candidate might write it into an error message."""
    raw = key.encode()
    return {
        "plain": key, "dots": ".".join(key), "dashes": "-".join(key), "spaces": " ".join(key),
        "newlines": "\n".join(key), "reversed": key[::-1], "reversed-dots": ".".join(key[::-1]),
        "upper": key.upper(), "halves": f"{key[:16]} then {key[16:]}",
        "underscored": "_".join(key[i:i + 3] for i in range(0, len(key), 3)),
        "base64": base64.b64encode(raw).decode(), "base64-url": base64.urlsafe_b64encode(
            raw).decode(), "base64-reversed": base64.b64encode(raw[::-1]).decode(),
        "base64-dots": base64.b64encode(".".join(key).encode()).decode(),
        "base64-lines": "\n".join(base64.b64encode(raw).decode()[i:i + 12]
                                  for i in range(0, 64, 12)),
        "hex": raw.hex(), "hex-spaced": " ".join(f"{b:02x}" for b in raw),
        "hex-escaped": "".join(f"\\x{b:02x}" for b in raw),
        "percent": "".join(f"%{b:02X}" for b in raw), "hex-reversed": raw[::-1].hex(),
        "codes": ",".join(str(b) for b in raw), "rot13": codecs.encode(key, "rot13"),
    }


def _decoded(text: str) -> list[str]:
    out = [text]
    for run in re.findall(r"[A-Za-z0-9+/=_\-\s]{12,}", text):
        packed = re.sub(r"\s", "", run)
        for start in range(4):
            body = packed[start:].rstrip("=")
            for alt in (b"+/", b"-_"):
                with contextlib.suppress(binascii.Error, ValueError):
                    out.append(base64.b64decode(body + "=" * (-len(body) % 4), altchars=alt)
                               .decode("latin-1"))
    hexes = re.sub(r"[^0-9a-fA-F]", "", text)
    for start in (0, 1):
        chunk = hexes[start:][: (len(hexes) - start) // 2 * 2]
        out.append(bytes.fromhex(chunk).decode("latin-1"))
    codes = [int(n) for n in re.findall(r"\d+", text)]
    out.append("".join(chr(n) for n in codes if n < 256))
    return out


def leaks(text: str, key: str = KEY, window: int = 8) -> bool:
    """Whether `window` of the key's letters and digits in a row can be read back from `text`."""
    norm = _alnum(key)
    grams = set()
    for form in (norm, norm[::-1], codecs.encode(norm, "rot13")):
        grams.update(form[i:i + window] for i in range(len(form) - window + 1))
    for candidate in _decoded(text):
        flat = _alnum(candidate)
        if any(flat[i:i + window] in grams for i in range(len(flat) - window + 1)):
            return True
    return False


FORMS = arrangements(KEY)


def test_the_receiver_reads_every_arrangement() -> None:
    """The detector is sound: every arrangement leaks when quoted raw."""
    for name, form in FORMS.items():
        assert leaks(f"ValueError: {form}"), name


@pytest.mark.parametrize("known", [False, True], ids=["unknown-secret", "env-secret"])
@pytest.mark.parametrize("name", sorted(FORMS))
def test_no_arrangement_survives_the_prompt_shape(name: str, known: bool,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    if known:
        monkeypatch.setenv("SOME_SERVICE_TOKEN", KEY)
    form = FORMS[name]
    reason = f"dry run failed: ValueError (model.py line 9): token {form} end"
    quoted = for_prompt(reason, "failed")
    assert not leaks(quoted), (name, quoted)
    assert quoted.startswith("dry run failed: ValueError (model.py line 9):"), quoted
    assert not leaks(repair_prompt(quoted))
    attempt = make_attempt([Objective(metric="val_accuracy", threshold=0.9)], iteration=1,
                           candidate_id=1, status="failed", metrics={}, reason=reason)
    assert not leaks(attempt.outcome) and not leaks(attempt.summary)


@pytest.mark.parametrize("name", sorted(FORMS))
def test_scrub_finds_a_known_secret_in_every_arrangement(name: str) -> None:
    out = scrub(f"RuntimeError: leaked {FORMS[name]} here", limit=2000,
                environ={"OPENAI_API_KEY": KEY})
    assert not leaks(out) and "[redacted]" in out, (name, out)


def test_ordinary_errors_keep_their_shape() -> None:
    for reason in [
        "dry run failed: RuntimeError (model.py line 42): mat1 and mat2 shapes cannot be "
        "multiplied (8x64 and 128x10)",
        "RuntimeError: Given groups=1, weight of size [16, 3, 3, 3], expected input[8, 1, 28, "
        "28] to have 3 channels, but got 1 channels instead",
        "timed out after 20 s while running the candidate",
        "training diverged: loss became nan at epoch 2",
        "IndexError: index 5 is out of bounds for dimension 0 with size 3",
    ]:
        assert shape_of(reason) == reason
    assert shape_of("AttributeError: 'Net' object has no attribute 'fc3'") == (
        "AttributeError: 'Net' object has no attribute '…'")
    assert for_prompt("rejected: 'open' is not allowed", "rejected") == (
        "rejected: 'open' is not allowed")


# The candidate holds the key only XOR-masked (as if it had read it at run time), and raises it
# in one arrangement; the LLM server must never receive a readable form.
LEAKER = '''import torch
import torch.nn as nn

MASK = MASK_VALUE
FORM = "FORM_NAME"


def _secret():
    return "".join(chr(c ^ 90) for c in MASK)


def _arrange(key):
    ARRANGE_BODY


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        raise ValueError("token " + _arrange(_secret()) + " end")

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
'''
ARRANGE = {
    "dots": 'return ".".join(key)',
    "reversed": "return key[::-1]",
    "spaces": 'return " ".join(key)',
    "hex-spaced": 'return " ".join(format(ord(c), "02x") for c in key)',
    "codes": 'return ",".join(str(ord(c)) for c in key)',
    "plain": "return key",
}


def leaker(form: str, width: int) -> str:
    mask = [ord(c) ^ 90 for c in KEY]
    src = (LEAKER.replace("MASK_VALUE", repr(mask)).replace("FORM_NAME", form)
           .replace("ARRANGE_BODY", ARRANGE[form]))
    return src.replace("nn.Linear(in_channels", f"nn.Linear(in_channels * {width} // {width}")


@pytest.mark.slow
@pytest.mark.parametrize("key_is_the_api_key", [False, True], ids=["file-secret", "api-key"])
def test_planted_key_never_reaches_the_llm_endpoint(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    key_is_the_api_key: bool) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(KEY_ENV, KEY if key_is_the_api_key else "sk-other-key-000")
    forms = list(ARRANGE)
    # each iteration: a leaking proposal, then its repair leaking again; then a benign one
    script = []
    for i in range(0, len(forms), 2):
        script += [code_reply(leaker(forms[i], i + 2), label=forms[i]),
                   code_reply(leaker(forms[i + 1], i + 3), label=forms[i + 1])]
    script.append(code_reply(benign(6), label="benign"))
    with ScriptedLLM(script) as llm:
        cfg = search_config(tmp_path, llm, iterations=len(forms) // 2 + 1, repair_attempts=1)
        res = start_run(cfg).run()
        requests = list(llm.requests)
    assert res.status == "finished"
    assert len(requests) == len(script)
    from lemonade.store import Store

    with Store.open(res.run_dir) as st:
        failed = [c for c in st.candidates() if str(c.status) == "failed"]
    assert len(failed) == len(forms)
    assert all("ValueError" in (c.reason or "") for c in failed), [c.reason for c in failed]
    # every failure went back: the repairs and the next proposals quote the exception's shape
    repairs = [r for r in requests if r.is_repair]
    assert len(repairs) == len(forms) // 2
    assert all("ValueError" in r.last_user for r in repairs)
    for r in requests:
        sent = json.dumps(r.body)
        # the assistant turns hold the masked code, not the key: any readable form is a leak
        for m in r.messages:
            assert not leaks(m.get("content") or ""), (r.messages.index(m), m["role"])
        assert not leaks(sent.replace("\\n", "\n"))
