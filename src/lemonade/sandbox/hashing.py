"""A candidate's identity: normalised source (comments, formatting, docstrings do not count)."""

from __future__ import annotations

import ast
import hashlib


def _strip_docstrings(tree: ast.AST) -> None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                del body[0]
                if not body and not isinstance(node, ast.Module):
                    body.append(ast.Pass())


def normalise(source: str) -> str:
    """Canonical form: comments, blank lines, formatting and docstrings do not count."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return "\n".join(ln.rstrip() for ln in source.strip().splitlines())
    _strip_docstrings(tree)
    return ast.unparse(tree)


def code_hash(source: str) -> str:
    return hashlib.sha256(normalise(source).encode()).hexdigest()


