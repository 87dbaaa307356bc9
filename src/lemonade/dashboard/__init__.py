"""`lemonade dashboard`: a local, read-only web page over the run stores, live while a search runs.

Starlette (a small ASGI toolkit) serves server-rendered Jinja2 pages through uvicorn; Plotly draws
the plots in the browser from `plotly.min.js` as shipped in the `plotly` Python package, served by
this app (no CDN, no network, no JavaScript build step). These come with the `dashboard` extra:
`pip install 'lemonade-nas[dashboard]'`.
"""

from __future__ import annotations

import importlib.util

REQUIRED = ("starlette", "uvicorn", "jinja2", "plotly")
INSTALL_HINT = "pip install 'lemonade-nas[dashboard]'"

__all__ = ["INSTALL_HINT", "REQUIRED", "missing_dependencies"]


def missing_dependencies() -> list[str]:
    """The dashboard's packages that are not installed (or not importable) here."""
    missing = []
    for name in REQUIRED:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(name)
    return missing
