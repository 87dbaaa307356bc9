"""The dashboard's ASGI app (Starlette) and its server (uvicorn).

Routes (all GET, all read-only):
    /                       the runs under RUNS_DIR (the columns of `lemonade runs`)
    /runs/{name}            one run: candidates and their lineage (diffs), CME and Pareto plots,
                            advice, best model's code
    /fragment/index, /fragment/runs/{name}: the live part of a page, server-rendered HTML
    /api/runs, /api/runs/{name}   {"version": ...} (+ plot data for a run): what the page polls
    /static/...             dashboard.js, dashboard.css, lineage.css, plotly.min.js (from the
                            plotly package)

The pages refresh themselves: `dashboard.js` polls the JSON endpoint every few seconds and, when
the stores' fingerprint changed (a candidate finished, the run ended), fetches the fragment and
swaps it in. No inline script or style: the Content-Security-Policy allows scripts and styles from
this server only (plus the inline style attributes Plotly sets on its SVG), so even if some store
text escaped the templates' HTML escaping, the browser would not run it.

Every request's `Host` header must name this server: a loopback name or address, or the address it
binds (any IP literal and this machine's own names when it binds all interfaces). Anything else
gets 421: a foreign page that rebinds its own DNS name to 127.0.0.1 cannot read the pages.
"""

from __future__ import annotations

import importlib.resources
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
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
STATIC = {"dashboard.js": "text/javascript", "dashboard.css": "text/css",
          "lineage.css": "text/css"}


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


LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
WILDCARDS = ("", "0.0.0.0", "::")

Scope = MutableMapping[str, Any]
ASGI = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
                Awaitable[None]]


def host_name(header: str) -> str | None:
    """The host part of a `Host` header (lower case, IPv6 without brackets), None if malformed."""
    value = header.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        if end < 0 or (value[end + 1:] and not value[end + 1:].startswith(":")):
            return None
        name, port = value[1:end], value[end + 2:]
    else:
        name, _, port = value.partition(":")
    if port and not port.isdigit():
        return None
    return name.rstrip(".") or None


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def allowed_hosts(bound: str) -> tuple[frozenset[str], bool]:
    """The names a request may carry when serving on `bound`, and whether any IP literal may.

    Loopback names always; the bound address; when binding all interfaces, this machine's own
    names and any IP literal (an IP literal cannot be rebound: DNS rebinding needs a name)."""
    names = set(LOOPBACK_NAMES)
    bound = bound.strip("[]").lower()
    any_ip = bound in WILDCARDS
    if any_ip:
        names.update(n.lower() for n in (socket.gethostname(), socket.getfqdn()) if n)
    else:
        names.add(bound)
    return frozenset(names), any_ip


class HostCheck:
    """ASGI middleware: HTTP requests whose `Host` is not one of ours get 421, with no body read."""

    def __init__(self, app: ASGI, names: Iterable[str], any_ip: bool = False) -> None:
        self.app, self.names, self.any_ip = app, frozenset(names), any_ip

    def allows(self, header: str | None) -> bool:
        name = host_name(header) if header is not None else None
        if name is None:
            return False
        return name in self.names or (self.any_ip and _is_ip(name))

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Any]],
                       send: Callable[[Any], Awaitable[None]]) -> None:
        if scope["type"] in ("http", "websocket"):
            values = [v for k, v in scope.get("headers", ()) if k == b"host"]
            header = values[0].decode("latin-1") if len(values) == 1 else None
            if not self.allows(header):
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                    return
                response = Response("misdirected request: unknown Host\n", status_code=421,
                                    media_type="text/plain", headers=SECURITY_HEADERS)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(runs_dir: str | Path, poll_seconds: float = 2.0,
               host: str = "127.0.0.1") -> HostCheck:
    """The dashboard over the run stores under `runs_dir`, answering only requests for `host`."""
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
    names, any_ip = allowed_hosts(host)
    return HostCheck(Starlette(routes=routes, exception_handlers={HTTPException: not_found}),
                     names, any_ip)


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

    app = create_app(runs_dir, poll_seconds, host=host)
    sock = bind(host, port)
    if on_ready is not None:
        on_ready(url_of(sock))
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
