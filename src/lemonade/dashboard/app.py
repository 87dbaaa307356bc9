"""The dashboard's ASGI app (Starlette) and its server (uvicorn).

Routes (all GET, all read-only):
    /                       the runs under RUNS_DIR (the columns of `lemonade runs`)
    /runs/{name}            one run: candidates, CME and Pareto plots, advice, best model's code
    /fragment/index, /fragment/runs/{name}: the live part of a page, server-rendered HTML
    /api/runs, /api/runs/{name}   {"version": ...} (+ plot data for a run): what the page polls
    /static/...             dashboard.js, dashboard.css, plotly.min.js (from the plotly package)

The pages refresh themselves: `dashboard.js` polls the JSON endpoint every few seconds and, when
the stores' fingerprint changed (a candidate finished, the run ended), fetches the fragment and
swaps it in. No inline script or style: the Content-Security-Policy allows scripts and styles from
this server only (plus the inline style attributes Plotly sets on its SVG), so even if some store
text escaped the templates' HTML escaping, the browser would not run it.
"""

from __future__ import annotations

import importlib.resources
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from lemonade.dashboard.runs import discover, fingerprint, run_summary, run_view

CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; "
       "form-action 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
STATIC = {"dashboard.js": "text/javascript", "dashboard.css": "text/css"}


def plotly_js_path() -> Path:
    """plotly.min.js as shipped inside the `plotly` Python package (served offline)."""
    path = Path(str(importlib.resources.files("plotly") / "package_data" / "plotly.min.js"))
    if not path.is_file():
        raise FileNotFoundError(f"plotly.min.js not found in the plotly package ({path})")
    return path


def _env() -> Environment:
    env = Environment(loader=PackageLoader("lemonade.dashboard", "templates"),
                      autoescape=select_autoescape(["html"], default=True),
                      trim_blocks=True, lstrip_blocks=True)
    return env


def create_app(runs_dir: str | Path, poll_seconds: float = 2.0) -> Starlette:
    """The dashboard over the run stores under `runs_dir`."""
    root = Path(runs_dir)
    env = _env()
    plotly_js = plotly_js_path()
    static_dir = Path(str(importlib.resources.files("lemonade.dashboard") / "static"))

    def html(template: str, status_code: int = 200, **ctx: Any) -> HTMLResponse:
        body = env.get_template(template).render(poll_ms=int(poll_seconds * 1000), **ctx)
        return HTMLResponse(body, status_code=status_code, headers=SECURITY_HEADERS)

    def runs() -> dict[str, Path]:
        return discover(root) if root.is_dir() else {}

    def lookup(name: str) -> Path:
        found = runs().get(name)  # only names discovered here: no path is built from the URL
        if found is None:
            raise HTTPException(404, f"no run named {name!r} under {root}")
        return found

    def index_ctx() -> dict[str, Any]:
        found = runs()
        return {"runs_dir": str(root), "runs": [run_summary(n, p) for n, p in found.items()],
                "version": fingerprint(list(found.values()))}

    async def index(request: Request) -> Response:
        return html("index.html", **index_ctx())

    async def index_fragment(request: Request) -> Response:
        return html("_runs.html", **index_ctx())

    async def index_api(request: Request) -> Response:
        found = runs()
        return JSONResponse({"version": fingerprint(list(found.values())),
                             "runs": sorted(found)}, headers=SECURITY_HEADERS)

    def run_ctx(name: str) -> dict[str, Any]:
        path = lookup(name)
        return {"run": run_view(name, path), "version": fingerprint([path])}

    async def run_page(request: Request) -> Response:
        return html("run.html", **run_ctx(request.path_params["name"]))

    async def run_fragment(request: Request) -> Response:
        return html("_run.html", **run_ctx(request.path_params["name"]))

    async def run_api(request: Request) -> Response:
        name = request.path_params["name"]
        version = fingerprint([lookup(name)])
        if request.query_params.get("since") == version:  # the page is up to date: no store read
            return JSONResponse({"version": version}, headers=SECURITY_HEADERS)
        ctx = run_ctx(name)
        run = ctx["run"]
        return JSONResponse({"version": ctx["version"], "status": run["status"],
                             "candidates": len(run["rows"]), "plots": run["plots"]},
                            headers=SECURITY_HEADERS)

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        headers = {**SECURITY_HEADERS, "Cache-Control": "max-age=3600"}
        if name == "plotly.min.js":
            return FileResponse(plotly_js, media_type="text/javascript", headers=headers)
        if name not in STATIC:
            raise HTTPException(404, "not found")
        return FileResponse(static_dir / name, media_type=STATIC[name], headers=headers)

    async def not_found(request: Request, exc: Exception) -> Response:
        code = getattr(exc, "status_code", 500)
        detail = getattr(exc, "detail", "error")
        return html("error.html", status_code=code, code=code, detail=str(detail))

    routes = [
        Route("/", index),
        Route("/fragment/index", index_fragment),
        Route("/api/runs", index_api),
        Route("/runs/{name}", run_page),
        Route("/fragment/runs/{name}", run_fragment),
        Route("/api/runs/{name}", run_api),
        Route("/static/{name}", static),
    ]
    return Starlette(routes=routes, exception_handlers={HTTPException: not_found})


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket (port 0: a free one), so the URL is known before serving."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(runs_dir: str | Path, host: str = "127.0.0.1", port: int = 8765,
          poll_seconds: float = 2.0, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve the dashboard until interrupted; `on_ready(url)` is called once it listens."""
    import uvicorn

    app = create_app(runs_dir, poll_seconds)
    sock = bind(host, port)
    if on_ready is not None:
        on_ready(url_of(sock))
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
