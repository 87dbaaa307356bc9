"""Edits to a source text at syntax-tree positions, keeping everything else (comments, layout).

`ast` positions are lines (1-based) and UTF-8 byte columns; an `Edit` replaces the byte range
between two positions. Edits of one pass must not overlap; they are applied from the end.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass(frozen=True)
class Edit:
    start: int  # byte offset
    end: int
    text: str


class Text:
    """A source with its line offsets, for turning node positions into byte offsets."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.data = source.encode("utf-8")
        self.starts = [0]
        for i, b in enumerate(self.data):
            if b == 0x0A:
                self.starts.append(i + 1)

    def offset(self, line: int, col: int) -> int:
        if line - 1 >= len(self.starts):
            return len(self.data)
        return self.starts[line - 1] + col

    def line_start(self, line: int) -> int:
        return self.offset(line, 0)

    def span(self, node: ast.AST) -> tuple[int, int]:
        return (self.offset(node.lineno, node.col_offset),  # type: ignore[attr-defined]
                self.offset(node.end_lineno, node.end_col_offset))  # type: ignore[attr-defined]

    def segment(self, node: ast.AST) -> str:
        a, b = self.span(node)
        return self.data[a:b].decode("utf-8")

    def replace(self, node: ast.AST, text: str) -> Edit:
        a, b = self.span(node)
        return Edit(a, b, text)

    def delete_lines(self, first: int, last: int) -> Edit:
        """Whole lines first..last (1-based, inclusive)."""
        return Edit(self.line_start(first), self.line_start(last + 1), "")

    def indent_of(self, line: int) -> str:
        a = self.line_start(line)
        b = self.line_start(line + 1) if line < len(self.starts) else len(self.data)
        raw = self.data[a:b].decode("utf-8")
        return raw[: len(raw) - len(raw.lstrip())]

    def apply(self, edits: list[Edit]) -> str:
        """The source with the edits applied; overlapping edits keep the first (outermost)."""
        out = self.data
        last_start = len(self.data) + 1
        for e in sorted(edits, key=lambda e: (e.start, -e.end), reverse=True):
            if e.end > last_start:
                continue  # overlaps an edit already applied after it
            out = out[:e.start] + e.text.encode("utf-8") + out[e.end:]
            last_start = e.start
        return out.decode("utf-8")


def first_line(node: ast.stmt) -> int:
    """The first line of a statement, its decorators included."""
    decos = getattr(node, "decorator_list", None) or []
    return min([node.lineno, *(d.lineno for d in decos)])
