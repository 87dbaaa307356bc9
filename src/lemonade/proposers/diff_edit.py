"""`proposer.edit_format: diff`: the generator answers with SEARCH/REPLACE blocks against the
parent's code, applied here deterministically.

A block's SEARCH text must occur in the code: exactly, else line by line ignoring trailing
whitespace, else ignoring each line's indentation (the replacement is then re-indented by the
same difference). The first occurrence is replaced; blocks apply in order, each to the result
of the ones before. An edit that does not apply raises `EditError` saying which block and why;
the proposer then asks once for the full file.
"""

from __future__ import annotations

import re

_BLOCK = re.compile(
    r"^[ \t]*<{5,9}[ \t]*SEARCH[ \t]*\n(?P<search>.*?)\n?^[ \t]*={5,9}[ \t]*\n"
    r"(?P<replace>.*?)\n?^[ \t]*>{5,9}[ \t]*REPLACE[ \t]*$",
    re.DOTALL | re.MULTILINE)
MAX_BLOCKS = 50


class EditError(ValueError):
    """The edit blocks do not apply to the parent's code (the message says which)."""


def parse_blocks(reply: str) -> list[tuple[str, str]]:
    """The (search, replace) pairs of a reply, in order ([] when it has none)."""
    text = reply.replace("\r\n", "\n")
    return [(m.group("search"), m.group("replace")) for m in _BLOCK.finditer(text)][:MAX_BLOCKS]


def apply_blocks(code: str, blocks: list[tuple[str, str]]) -> str:
    """The code with every block applied; EditError for the first one that does not apply."""
    for i, (search, replace) in enumerate(blocks, 1):
        if not search.strip():
            raise EditError(f"edit block {i} has an empty SEARCH part")
        new = _apply_one(code, search, replace)
        if new is None:
            first = next((ln.strip() for ln in search.splitlines() if ln.strip()), "")
            raise EditError(f"edit block {i}: its SEARCH text (starting {first[:60]!r}) is not "
                            "in the parent's code")
        code = new
    return code


def _apply_one(code: str, search: str, replace: str) -> str | None:
    if search in code:
        return code.replace(search, replace, 1)
    lines = code.split("\n")
    want = search.split("\n")
    for key in (str.rstrip, str.strip):
        wanted = [key(w) for w in want]
        for k in range(len(lines) - len(want) + 1):
            if [key(ln) for ln in lines[k:k + len(want)]] == wanted:
                new = replace.split("\n")
                if key is str.strip:
                    new = _reindent(new, _indent(want), _indent(lines[k:k + len(want)]))
                return "\n".join([*lines[:k], *new, *lines[k + len(want):]])
    return None


def _indent(lines: list[str]) -> str:
    first = next((ln for ln in lines if ln.strip()), "")
    return first[: len(first) - len(first.lstrip())]


def _reindent(lines: list[str], was: str, now: str) -> list[str]:
    out = []
    for ln in lines:
        out.append(now + ln[len(was):] if ln.startswith(was) and ln.strip() else ln)
    return out
