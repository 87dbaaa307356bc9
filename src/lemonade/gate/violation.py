"""A problem the static check found (`Violation`) and the rejection that carries them
(`CodeRejected`), with `cap`, which keeps a message that quotes the candidate's code to one line."""

from __future__ import annotations

from dataclasses import dataclass

from lemonade.gate.policy import MAX_MESSAGE_CHARS

__all__ = ["CodeRejected", "Violation", "cap"]


def cap(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """One line of at most `limit` characters (a message that quotes the candidate's code)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Violation:
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class CodeRejected(Exception):
    """The reply or the source cannot be used; `violations` says why (may be a single one)."""

    def __init__(self, reason: str | list[Violation]) -> None:
        if isinstance(reason, str):
            self.violations = [Violation(0, 0, cap(reason))]
            super().__init__(cap(reason))
        else:
            self.violations = list(reason)
            super().__init__(cap("; ".join(str(v) for v in self.violations), 1000))
