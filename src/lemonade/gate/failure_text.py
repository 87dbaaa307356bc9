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

What passes that shape can still carry bits: which numbers, which words, in which order. A
prompt's quote (`for_prompt`) is therefore bounded by what the host already knows, the
candidate's own source text (`Known`): a number stays only when the source writes it, when it is
small (at most SMALL_NUMBER), a power of two up to MAX_POWER (batch sizes, widths) or of one
significant digit up to MAX_ROUND (a timeout's 900 s, a limit's 3000 MB), or when it
is the line number after "line" and the source has that line; a word outside the vocabulary stays
only when it is an identifier of the source (the candidate cannot add one: the LLM wrote it);
at most MAX_WORDS words and MAX_NUMBERS numbers are kept, and MAX_GAP punctuation marks between
two of them. A number such as `1936417640` (four
characters of a key) or `7365...` (its hex) becomes "…". What is left is a choice among words and
numbers the receiver already has: at most `capacity_bits()` bits a quote (see docs/security.md),
not a copy of a secret in any spelling.

Reasons of statically rejected candidates (`status == "rejected"`) are the host's own words about
the LLM's own code: they are only scrubbed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from lemonade.gate.scrub import scrub
from lemonade.gate.vocabulary import VOCABULARY

MAX_CHARS = 400
MAX_NUMBERS = 16
MAX_DIGITS = 6
MAX_CODES = 6  # this many printable-range numbers in a row read as text: hidden
MAX_WORDS = 40  # words a prompt's quote keeps (the rest: "…")
SMALL_NUMBER = 16  # numbers up to this stay in a quote whatever the source says
MAX_POWER = 4096  # and powers of two up to this (batch sizes, channel widths)
MAX_ROUND = 100_000  # and numbers of one significant digit up to this (timeouts, limits)
MAX_GAP = 3  # punctuation marks kept between two words or numbers (`]),`: 3; the rest dropped)
HIDDEN = "…"
_PUNCT = set("()[]{},:;.=<>'\"-+*/%!?")
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")
_SHAPE = re.compile(r"\d{1,6}(?:x\d{1,6})+")  # 8x64, as PyTorch writes matrix shapes
_RUNS = re.compile(HIDDEN + r"(?:[^\w]*" + HIDDEN + r")+")


@dataclass(frozen=True)
class Known:
    """What the host knows of a candidate before it runs: its source's identifiers (lower case),
    the numbers the source writes, and its number of lines."""

    identifiers: frozenset[str]
    numbers: frozenset[int]
    lines: int

    @classmethod
    def of(cls, source: str | None) -> Known:
        text = source or ""
        return cls(frozenset(w.lower() for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text)),
                   frozenset(int(n) for n in re.findall(r"(?<![\w.])\d{1,6}(?![\w.])", text)),
                   text.count("\n") + 1)

    def number_ok(self, n: int, after: str) -> bool:
        """Whether number `n` (after the word `after`) may stay in a prompt's quote."""
        if n <= SMALL_NUMBER or n in self.numbers:
            return True
        if n <= MAX_POWER and n & (n - 1) == 0:
            return True
        if len(str(n).rstrip("0")) == 1 and n <= MAX_ROUND:  # 900 s, 3000 MB: round
            return True
        return after == "line" and n <= self.lines


def capacity_bits(known: Known) -> float:
    """An upper bound on the bits one quote of a failure reason can carry for `known`'s source:
    each kept word is one of the vocabulary's and the source's identifiers, each kept number one
    of those `Known.number_ok` allows, and each gap between two kept tokens (a "…" may stand
    between them) up to MAX_GAP marks of `_PUNCT` or none, each with a space or not."""
    words = len(VOCABULARY | known.identifiers)
    numbers = (SMALL_NUMBER + 1 + MAX_POWER.bit_length() + 9 * len(str(MAX_ROUND))
               + len(known.numbers) + known.lines)
    gaps = 2 * (MAX_WORDS + MAX_NUMBERS) + 1
    per_gap = 2 * sum((2 * (len(_PUNCT) + 1)) ** k for k in range(MAX_GAP + 1))
    return (MAX_WORDS * math.log2(words) + MAX_NUMBERS * math.log2(numbers)
            + gaps * math.log2(per_gap))


def _word_ok(word: str, known: Known | None = None) -> bool:
    low = word.lower()
    if low in VOCABULARY or low.strip("_") in VOCABULARY:
        return True
    return known is not None and low in known.identifiers


def _classify(tokens: list[str], known: Known | None = None) -> list[str]:
    """Each token's kind: 'space', 'punct', 'word', 'num' or 'hidden'. With `known` (a prompt's
    quote), numbers and words are bounded by the candidate's source (see the module)."""
    kinds = []
    numbers = words = 0
    after = ""
    for tok in tokens:
        if tok.isspace():
            kinds.append("space")
        elif not (tok[0].isalnum() or tok[0] == "_"):
            kinds.append("punct" if tok in _PUNCT else "drop")
        elif tok.isdigit() or _SHAPE.fullmatch(tok):
            count = len(tok.split("x"))
            longest = max(len(p) for p in tok.split("x"))
            ok = longest <= MAX_DIGITS and numbers + count <= MAX_NUMBERS
            if ok and known is not None:
                ok = all(known.number_ok(int(p), after) for p in tok.split("x"))
            numbers += count if ok else 0
            kinds.append("num" if ok else "hidden")
        else:
            ok = _word_ok(tok, known) and (known is None or words < MAX_WORDS)
            words += 1 if ok else 0
            kinds.append("word" if ok else "hidden")
        if not tok.isspace():
            after = tok.lower()
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


def _cap_gaps(kinds: list[str]) -> None:
    """Keep at most MAX_GAP punctuation marks between two other tokens: a run of `().,:;`
    would otherwise spell anything, a few bits a mark."""
    marks = 0
    for i, kind in enumerate(kinds):
        if kind == "punct":
            marks += 1
            if marks > MAX_GAP:
                kinds[i] = "drop"
        elif kind not in ("space", "drop"):
            marks = 0


def shape_of(text: str, known: Known | None = None) -> str:
    """`text` with every word outside the vocabulary, and every long or glued number, as "…";
    with `known`, bounded by the candidate's source as well (see the module)."""
    tokens = _TOKENS.findall(text[: MAX_CHARS * 8])
    kinds = _classify(tokens, known)
    _hide_glued(tokens, kinds)
    if known is not None:
        _cap_gaps(kinds)
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


def for_prompt(reason: str | None, status: str = "failed", source: str | None = None) -> str:
    """The failure reason as a prompt may quote it (see the module's docstring); `source`: the
    candidate's source text, which bounds the numbers and identifiers kept (without it, only
    the vocabulary's words and small numbers stay)."""
    text = (reason or "").strip() or status
    if status == "rejected":
        return scrub(text, limit=MAX_CHARS * 4)
    return scrub(shape_of(text, Known.of(source)), limit=MAX_CHARS)
