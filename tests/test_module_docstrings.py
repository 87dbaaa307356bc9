"""Every module of lemonade opens with a docstring whose first line says what it holds."""

from __future__ import annotations

import ast
from pathlib import Path

import lemonade

SRC = Path(lemonade.__file__).parent


def test_every_module_has_a_first_docstring_line() -> None:
    missing = []
    for path in sorted(SRC.rglob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text()))
        if not doc or not doc.split("\n")[0].strip():
            missing.append(str(path.relative_to(SRC)))
    assert not missing, missing
