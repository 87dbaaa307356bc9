"""What of a failure reason may go into a prompt: an allow-listed shape, never free text.

A run-time failure's reason comes from the worker, which runs the candidate: the candidate can put
anything into it (its exception's message, its output), including a secret in a form `scrub`
does not know. So a prompt gets only the reason's shape: the words of a fixed vocabulary
(`lemonade.gate.vocabulary`: the words of PyTorch's, Python's and lemonade's own messages,
the exception class names), short numbers (sizes, line numbers; at most MAX_NUMBERS), and plain
punctuation. Every other word becomes "…", and so does a number or short word glued to one (a
key written `s.k.-.1.2.3` keeps no digit), and a run of numbers that read as character codes.
The result is capped and scrubbed as well.

`RuntimeError (model.py line 12): mat1 and mat2 shapes cannot be multiplied (8x64 and 32x10)`
comes through whole; `ValueError: sk-pr0j-… reversed, dotted or base64` comes through as
`ValueError: … reversed, …`.

Reasons of statically rejected candidates (`status == "rejected"`) are the host's own words about
the LLM's own code: they are only scrubbed.
"""

from __future__ import annotations

import re

from lemonade.gate.scrub import scrub
from lemonade.gate.vocabulary import VOCABULARY

MAX_CHARS = 400
MAX_NUMBERS = 16
MAX_DIGITS = 6
MAX_CODES = 6  # this many printable-range numbers in a row read as text: hidden
HIDDEN = "…"
_PUNCT = set("()[]{},:;.=<>'\"-+*/%!?")
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")
_SHAPE = re.compile(r"\d{1,6}(?:x\d{1,6})+")  # 8x64, as PyTorch writes matrix shapes
_RUNS = re.compile(HIDDEN + r"(?:[^\w]*" + HIDDEN + r")+")


def _word_ok(word: str) -> bool:
    low = word.lower()
    return low in VOCABULARY or low.strip("_") in VOCABULARY


def _classify(tokens: list[str]) -> list[str]:
    """Each token's kind: 'space', 'punct', 'word', 'num' or 'hidden'."""
    kinds = []
    numbers = 0
    for tok in tokens:
        if tok.isspace():
            kinds.append("space")
        elif not (tok[0].isalnum() or tok[0] == "_"):
            kinds.append("punct" if tok in _PUNCT else "drop")
        elif tok.isdigit() or _SHAPE.fullmatch(tok):
            count = len(tok.split("x"))
            longest = max(len(p) for p in tok.split("x"))
            ok = longest <= MAX_DIGITS and numbers + count <= MAX_NUMBERS
            numbers += count if ok else 0
            kinds.append("num" if ok else "hidden")
        else:
            kinds.append("word" if _word_ok(tok) else "hidden")
    return kinds


def _hide_glued(tokens: list[str], kinds: list[str]) -> None:
    """A number, or a word of up to 3 letters, joined to a hidden word by punctuation alone (no
    space; a single character: by spaces alone too) is hidden too; so is a run of MAX_CODES numbers
    that all read as printable characters (character codes)."""
    changed = True
    while changed:
        changed = False
        for i, kind in enumerate(kinds):
            if not (kind == "num" or (kind == "word" and len(tokens[i]) <= 3)):
                continue
            for step in (-1, 1):
                j = i + step
                while 0 <= j < len(kinds) and kinds[j] in ("punct", "drop"):
                    j += step
                if j == i + step and len(tokens[i]) == 1:  # "s k - 1": spaces alone
                    while 0 <= j < len(kinds) and kinds[j] == "space":
                        j += step
                if 0 <= j < len(kinds) and kinds[j] == "hidden":
                    kinds[i] = "hidden"
                    changed = True
                    break
    run: list[int] = []
    for i, kind in enumerate([*kinds, "word"]):
        if kind == "num" and 32 <= int(tokens[i].split("x")[0]) <= 126:
            run.append(i)
        elif kind not in ("space", "punct", "drop"):
            if len(run) >= MAX_CODES:
                for k in run:
                    kinds[k] = "hidden"
            run = []


def shape_of(text: str) -> str:
    """`text` with every word outside the vocabulary, and every long or glued number, as "…"."""
    tokens = _TOKENS.findall(text[: MAX_CHARS * 8])
    kinds = _classify(tokens)
    _hide_glued(tokens, kinds)
    out = []
    for tok, kind in zip(tokens, kinds, strict=True):
        if kind == "space":
            out.append(" ")
        elif kind == "hidden":
            out.append(HIDDEN)
        elif kind != "drop":
            out.append(tok)
    shaped = _RUNS.sub(HIDDEN, "".join(out))
    return re.sub(r" {2,}", " ", shaped).strip()


def for_prompt(reason: str | None, status: str = "failed") -> str:
    """The failure reason as a prompt may quote it (see the module's docstring)."""
    text = (reason or "").strip() or status
    if status == "rejected":
        return scrub(text, limit=MAX_CHARS * 4)
    return scrub(shape_of(text), limit=MAX_CHARS)
