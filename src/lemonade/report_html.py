"""HTML building blocks the report's sections share: escaping (`esc`) and tables (`html_table`)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def html_table(headers: Sequence[str], rows: Sequence[Sequence[str]], cls: str = "") -> str:
    """rows hold already-escaped HTML cells."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
