"""A candidate's identity: normalised source (comments, formatting, docstrings do not count).

Never raises and stays bounded: a source too large to be a model file, one that does not parse,
or one nested too deeply for `ast.unparse` is identified by its whitespace-normalised text.
"""

from __future__ import annotations

import ast
import hashlib

from lemonade.gate.policy import MAX_SOURCE_CHARS


def _strip_docstrings(tree: ast.AST) -> None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                del body[0]
                if not body and not isinstance(node, ast.Module):
                    body.append(ast.Pass())


def _plain(source: str) -> str:
    return "\n".join(ln.rstrip() for ln in source.strip().splitlines())


def normalise(source: str) -> str:
    """Canonical form: comments, blank lines, formatting and docstrings do not count."""
    if len(source) > MAX_SOURCE_CHARS:  # refused by the static check anyway: do not parse it
        return _plain(source)
    try:
        tree = ast.parse(source)
        _strip_docstrings(tree)
        return ast.unparse(tree)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return _plain(source)


def code_hash(source: str) -> str:
    return hashlib.sha256(normalise(source).encode()).hexdigest()


