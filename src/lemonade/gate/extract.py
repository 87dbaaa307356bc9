"""LLM reply -> Python source: fenced or bare code, `<think>` blocks dropped, a main guard cut.

Pure and table-tested (tests/test_extract.py), after FunSearch's `_sample_to_program`: small
functions over awkward outputs. Linear in the reply's size: a reply is capped
(`MAX_REPLY_CHARS`), fences and `<think>` tags are found in one pass, and each candidate block is
parsed a bounded number of times (never every prefix of the reply).
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass

from lemonade.gate.static import is_main_guard
from lemonade.gate.violation import CodeRejected

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)$")
_PY_LANGS = {"python", "py", "python3", "py3", "pytorch", "ipython"}
_THINK_TAG = re.compile(r"<(/?)think(?:ing)?>", re.IGNORECASE)
MAX_REPLY_CHARS = 200_000  # a model file is a few KB; a reply this large is an attack or a loop
_CODE_START = re.compile(r"^(import |from \S+ import |class |def |@|#)")
_DEFINES_NET = re.compile(r"^[ \t]*class[ \t]+Net\b", re.MULTILINE)


@dataclass(frozen=True)
class _Block:
    lang: str  # "python", "" (no language) or another language
    code: str
    closed: bool


def _fenced_blocks(text: str) -> list[_Block]:
    """Every fenced block (``` or ~~~), an unterminated last one included (a truncated reply)."""
    blocks: list[_Block] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, info = m.group("fence"), m.group("info").strip()
        lang = re.split(r"[\s:{}.,]", info.lower().lstrip("{."), maxsplit=1)[0] if info else ""
        lang = "python" if lang in _PY_LANGS else lang
        body: list[str] = []
        j = i + 1
        closed = False
        while j < len(lines):
            stripped = lines[j].strip()
            if stripped.startswith(fence[0] * len(fence)) and not stripped.strip(fence[0]):
                closed = True
                break
            if stripped.endswith(fence):  # closing fence glued to the last line: "return x```"
                body.append(lines[j].rstrip()[: -len(fence)].rstrip(fence[0]))
                closed = True
                break
            body.append(lines[j])
            j += 1
        blocks.append(_Block(lang, textwrap.dedent("\n".join(body)).strip("\n"), closed))
        i = j + 1
    return blocks


def _parse(code: str) -> ast.Module | SyntaxError | None:
    """The tree, the SyntaxError (it says where), or None when the code cannot be parsed at all."""
    try:
        return ast.parse(code)
    except SyntaxError as e:
        return e
    except (ValueError, RecursionError, MemoryError):
        return None


def _defines(tree: ast.Module | SyntaxError | None) -> bool:
    kinds = (ast.Import, ast.ImportFrom, ast.ClassDef, ast.FunctionDef)
    return isinstance(tree, ast.Module) and any(isinstance(n, kinds) for n in tree.body)


def _has_definitions(code: str) -> bool:
    return _defines(_parse(code))


def _bare_code(text: str) -> str | None:
    """Code without fences: the whole reply, or the run of lines from the first code line with
    trailing prose cut where the parser first fails (at most three parses, whatever the size)."""
    if _has_definitions(text):
        return text
    lines = text.split("\n")
    first = next((k for k, ln in enumerate(lines) if _CODE_START.match(ln)), None)
    if first is None:
        return None
    chunk = "\n".join(lines[first:]).strip("\n")
    parsed = _parse(chunk)
    if _defines(parsed):
        return chunk
    if isinstance(parsed, SyntaxError) and parsed.lineno and parsed.lineno > 1:
        head = "\n".join(chunk.split("\n")[: parsed.lineno - 1]).strip("\n")
        if _has_definitions(head):
            return head  # the prose after the code
    # Nothing parses (e.g. truncated): hand back from the first code line; the syntax check
    # reports the error instead of "no code".
    return chunk if re.search(r"^class[ \t]+\w+", chunk, re.MULTILINE) else None


def _drop_main_guard(code: str) -> str:
    """Remove a top-level `if __name__ == "__main__":` block (LLMs add demo code there)."""
    tree = _parse(code)
    if not isinstance(tree, ast.Module):
        return code
    lines = code.split("\n")
    for node in reversed(tree.body):
        if is_main_guard(node) and node.end_lineno is not None:
            del lines[node.lineno - 1:node.end_lineno]
    return "\n".join(lines).strip("\n") + "\n"


def _drop_think(text: str) -> str:
    """Text outside <think>...</think> (or <thinking>) blocks, in one pass; an unclosed block is
    kept (a truncated reply may have its code there)."""
    out: list[str] = []
    pos, open_at = 0, -1
    for m in _THINK_TAG.finditer(text):
        closing = m.group(1) == "/"
        if open_at < 0 and not closing:
            open_at = m.start()
        elif open_at >= 0 and closing:
            out.append(text[pos:open_at])
            pos, open_at = m.end(), -1
    out.append(text[pos:])
    return "".join(out)


def extract_code(reply: str, keep_main_guard: bool = False) -> str:
    """The model file inside an LLM reply.

    Prefers a ```python block (several: the one defining `class Net`, then the longest); accepts
    ``` without a language, ~~~ fences, an unterminated last fence (a truncated reply: what is
    there is returned and fails the syntax check as truncated) and a bare reply that is Python,
    with leading/trailing prose cut. Reasoning in <think> tags is ignored when code exists outside
    it. A trailing `if __name__ == "__main__":` demo block is removed, unless `keep_main_guard`
    (the contract normalizer reads which class it builds, then removes it).
    """
    if reply is not None and len(reply) > MAX_REPLY_CHARS:
        raise CodeRejected(f"the reply is too large ({len(reply):,} characters; at most "
                           f"{MAX_REPLY_CHARS:,}): answer with one model file of a few KB")
    if reply is None or not reply.strip():
        raise CodeRejected("reply is empty")
    text = reply.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    without_think = _drop_think(text)
    for candidate_text in dict.fromkeys((without_think, text)):  # outside <think> first
        code = _extract(candidate_text)
        if code is not None:
            if keep_main_guard or not code.strip():
                return code
            return _drop_main_guard(code)
    raise CodeRejected("no code block found in the reply")


def _extract(text: str) -> str | None:
    blocks = _fenced_blocks(text)
    python = [b for b in blocks if b.lang == "python" and b.code.strip()]
    plain = [b for b in blocks if b.lang == "" and b.code.strip()]
    pool = python or [b for b in plain if _has_definitions(b.code) or not b.closed]
    if not pool and plain:  # an unlabelled block that does not parse is still the best we have
        pool = [b for b in plain if _DEFINES_NET.search(b.code)]
    if pool:
        with_net = [b for b in pool if _DEFINES_NET.search(b.code)]
        best = max(with_net or pool, key=lambda b: len(b.code))
        return best.code + "\n"
    if blocks:  # only other languages (bash, json, ...): maybe the code is bare around them
        return None
    bare = _bare_code(text.strip("\n"))
    return None if bare is None else bare.strip("\n") + "\n"


