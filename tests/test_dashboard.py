"""`lemonade dashboard`: read-only pages over run stores, escaped, live in headless Chromium."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import uvicorn  # the `dashboard` extra, part of `dev`
from browser import Browser, chromium
from e2e import cli_env

from lemonade import metrics as M
from lemonade.dashboard.app import CSP, bind, create_app, host_name, url_of
from lemonade.dashboard.runs import ReadOnlyStore
from lemonade.store import Store

HOSTILE_CODE = ('import torch\n# </code></pre><script>document.title="pwned"</script>\n'
                '<img src=x onerror="document.title=\'pwned\'">\nclass Net: pass\n')
HOSTILE_REASON = '<script>document.title="pwned"</script> failed'


# --- helpers -------------------------------------------------------------------------------------
def _metrics(acc: float, params: float) -> dict[str, Any]:
    return M.to_json({"val_accuracy": M.measured("val_accuracy", acc),
                      "test_accuracy": M.measured("test_accuracy", acc - 0.01),
                      "params": M.measured("params", params),
                      "latency_ms": M.measured("latency_ms", 0.2),
                      "train_seconds": M.measured("train_seconds", 3.0)})


def _new_run(path: Path) -> Store:
    return Store.create(path, "dataset: {name: digits}\n",
                        meta={"dataset": "digits", "proposer": "offline"})


def _add(store: Store, i: int, status: str = "ok", code: str = "class Net: pass\n",
         reason: str | None = None, parent: int | None = None,
         extra: dict[str, Any] | None = None) -> int:
    cid = store.add_candidate(iteration=i, parent_id=parent, code=code, code_hash=f"h{i}",
                              genome=None, proposer="offline", extra=extra)
    store.mark_running(cid)
    store.finish_candidate(cid, status, metrics=_metrics(0.80 + 0.05 * i, 3000 + 500 * i),
                           cme=-0.2 + 0.1 * i, feasible=i >= 2, reason=reason, seconds=1.5)
    return cid


@contextlib.contextmanager
def serving(app: Any) -> Iterator[str]:
    """The ASGI app on a free loopback port, in a thread; yields its URL.

    The socket listens before the thread starts, so a request made at once waits in the backlog
    until the server accepts it: nothing to wait for here."""
    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield url_of(sock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _get(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def _dump_dom(url: str, profile: Path, budget_ms: int = 3000) -> str:
    exe = chromium()
    if exe is None:
        pytest.skip("chromium is not installed (apt-get install chromium); CI installs it")
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", f"--user-data-dir={profile}", f"--virtual-time-budget={budget_ms}",
           "--dump-dom", url]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "HOME": str(profile)})
    assert res.returncode == 0, res.stderr[-2000:]
    return res.stdout


def _rows(dom: str) -> list[int]:
    return [int(m) for m in re.findall(r'data-candidate="(\d+)"', dom)]


# --- pages ---------------------------------------------------------------------------------------
def test_pages_list_runs_escape_store_text_and_send_a_strict_csp(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    with _new_run(runs / "evil-<img src=x onerror=alert(1)>") as st:
        first = _add(st, 1, code=HOSTILE_CODE)
        _add(st, 2, status="failed", reason=HOSTILE_REASON, parent=first,
             extra={"suggestion": {"diagnosis": HOSTILE_CODE, "modification": HOSTILE_REASON,
                                   "source": "improver"}, "summary": HOSTILE_CODE})
    with _new_run(runs / "plain") as st:
        pass
    with serving(create_app(runs, poll_seconds=1)) as url:
        status, headers, index = _get(url)
        assert status == 200
        assert headers["content-security-policy"] == CSP and "script-src 'self'" in CSP
        assert "unsafe-eval" not in CSP and headers["x-content-type-options"] == "nosniff"
        assert 'data-run="plain"' in index
        assert "evil-&lt;img src=x onerror=alert(1)&gt;" in index and "<img" not in index
        link = re.search(r'href="(/runs/evil[^"]+)"', index).group(1)
        status, _, page = _get(url.rstrip("/") + link)
        assert status == 200
        assert _rows(page) == [1, 2]
        assert "&lt;script&gt;document.title=&#34;pwned&#34;&lt;/script&gt;" in page
        assert "<script>document.title" not in page and "<img src=x" not in page
        assert 'id="best-code"' in page and "class Net: pass" in page
        for section in ("objectives", "plots", "lineage", "candidates", "advice", "best"):
            assert f'id="{section}"' in page
        # the lineage: candidate 2 came from 1, its panel holds the diff and the suggestion
        assert re.findall(r'class="lin-node" href="#cand-(\d+)"', page) == ["1", "2"]
        panel = page.split('id="cand-2"', 1)[1].split("</article>", 1)[0]
        assert "--- #1/model.py" in panel and '<span class="d-del">-# &lt;/code&gt;' in panel
        assert "Suggestion</b> from the prompt improver" in panel
        status, headers, css = _get(url + "static/lineage.css")
        assert status == 200 and ".lin-detail:target" in css
        status, _, api = _get(url.rstrip("/") + link.replace("/runs/", "/api/runs/"))
        doc = json.loads(api)
        assert doc["candidates"] == 2 and doc["plots"]["cme"]["x"] == [1, 2]
        pareto = doc["plots"]["pareto"]
        assert pareto["ids"] == [1]  # only ok candidates
        # the starting model and the user's thresholds on the plotted metrics, as numbers
        with Store.open(runs / "plain") as st:
            objs = {o.metric: o.threshold for o in st.objectives() or []}
        assert pareto["start_id"] == 1
        assert isinstance(pareto["y_threshold"], float) and isinstance(pareto["x_threshold"], float)
        assert pareto["y_threshold"] == objs[pareto["y_name"]]
        assert pareto["x_threshold"] == objs[pareto["x_name"]]
        status, _, _ = _get(url + "runs/..%2F..%2Fetc")
        assert status == 404
        status, _, _ = _get(url + "static/..%2Fapp.py")
        assert status == 404
        status, headers, js = _get(url + "static/plotly.min.js")
        assert status == 200 and "plotly" in js[:2000].lower() and len(js) > 1_000_000


def _get_as(url: str, host: str | None, path: str = "/") -> tuple[int, str]:
    """GET `path` with this exact `Host` header (None: no Host header at all)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_host=True)
        if host is not None:
            conn.putheader("Host", host)
        conn.endheaders()
        r = conn.getresponse()
        return r.status, r.read().decode()
    finally:
        conn.close()


def test_foreign_host_headers_are_refused_so_dns_rebinding_reads_nothing(tmp_path: Path) -> None:
    with _new_run(tmp_path / "runs" / "secret-run") as st:
        _add(st, 1, code="class Net: pass  # SECRET-MODEL-CODE\n")
    with serving(create_app(tmp_path / "runs", poll_seconds=1)) as url:
        port = urllib.parse.urlsplit(url).port
        for good in (f"127.0.0.1:{port}", "127.0.0.1", f"localhost:{port}", "LOCALHOST",
                     f"[::1]:{port}", "localhost."):
            status, body = _get_as(url, good, "/runs/secret-run")
            assert status == 200 and "SECRET-MODEL-CODE" in body, good
        for bad in ("evil.example", f"evil.example:{port}", "127.0.0.1.evil.example",
                    "localhost.evil.example", f"attacker.test:{port}", "10.0.0.1", "",
                    "[::1", "localhost:80x", "127.0.0.1@evil.example", None):
            for path in ("/", "/runs/secret-run", "/api/runs/secret-run", "/static/plotly.min.js",
                         "/fragment/runs/secret-run"):
                status, body = _get_as(url, bad, path)
                assert status in (400, 421) and "SECRET" not in body, (bad, path, status)
    wildcard = create_app(tmp_path / "runs", host="0.0.0.0")
    assert wildcard.allows("192.168.1.7:8765") and wildcard.allows("[fe80::1]")
    assert not wildcard.allows("rebound.example:8765")
    named = create_app(tmp_path / "runs", host="10.1.2.3")
    assert named.allows("10.1.2.3:80") and not named.allows("10.1.2.4")
    assert host_name("[::1]:80") == "::1" and host_name("a:b") is None


def test_stores_are_opened_read_only(tmp_path: Path) -> None:
    with _new_run(tmp_path / "r") as st:
        _add(st, 1)
    with ReadOnlyStore.open(tmp_path / "r") as ro:
        assert len(ro.candidates()) == 1
        with pytest.raises(sqlite3.OperationalError):
            ro.set_meta("status", "tampered")
    with Store.open(tmp_path / "r") as st:
        assert st.get_meta("status") == "running"


def test_cli_without_the_extra_prints_the_install_hint(tmp_path: Path) -> None:
    # A sitecustomize blocks starlette (None in sys.modules: imports of it fail, find_spec
    # says it is absent), as if the extra were not installed.
    stub = tmp_path / "stub"
    stub.mkdir()
    (stub / "sitecustomize.py").write_text("import sys\nsys.modules['starlette'] = None\n")
    env = cli_env()
    env["PYTHONPATH"] = str(stub) + os.pathsep + env["PYTHONPATH"]
    res = subprocess.run([sys.executable, "-m", "lemonade", "dashboard", str(tmp_path)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 2
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "pip install 'lemonade-nas[dashboard]'" in lines[0], res.stderr


# --- live, in Chromium ---------------------------------------------------------------------------
class FinishOnPoll:
    """ASGI wrapper: each time the page polls its run's JSON, the next candidate finishes.

    This stands for a search writing its store while the page is open, in lockstep with the
    page's polls (no timing involved)."""

    def __init__(self, app: Any, step: Callable[[], None]) -> None:
        self.app, self.step = app, step

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/runs/"):
            self.step()
        await self.app(scope, receive, send)


@pytest.mark.browser
def test_rows_appear_in_chromium_as_candidates_finish(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    store = _new_run(runs / "live")
    done: list[int] = []

    def step() -> None:
        if len(done) < 3:
            done.append(_add(store, len(done) + 1,
                             code=HOSTILE_CODE if not done else "class Net: pass\n"))
        elif store.get_meta("status") == "running":
            store.finish_run("finished")

    try:
        with serving(FinishOnPoll(create_app(runs, poll_seconds=0.25), step)) as url:
            status, _, first = _get(url + "runs/live")
            assert status == 200 and _rows(first) == []  # the page opens before any candidate
            dom = _dump_dom(url + "runs/live", tmp_path / "profile", budget_ms=8000)
    finally:
        store.close()
    assert done == [1, 2, 3]
    assert _rows(dom) == [1, 2, 3]
    refreshes = int(re.search(r'data-refreshes="(\d+)"', dom).group(1))
    assert refreshes >= 3  # each row arrived by a refresh of the open page, not at load
    assert 'data-plots-drawn="2"' in dom and dom.count('class="main-svg"') >= 2
    assert "s-finished" in dom
    assert "<title>live · lemonade dashboard</title>" in dom  # the hostile script did not run


@pytest.mark.browser
def test_chromium_clicks_a_lineage_node_and_the_panel_stays_through_refreshes(
        tmp_path: Path) -> None:
    exe = chromium()
    if exe is None:
        pytest.skip("chromium is not installed (apt-get install chromium); CI installs it")
    runs = tmp_path / "runs"
    store = _new_run(runs / "tree")
    done: list[int] = []
    more = threading.Event()  # set by the test: the next poll finishes one more candidate

    def step() -> None:
        if len(done) < 2 or (more.is_set() and len(done) < 3):
            parent = done[-1] if done else None
            done.append(_add(store, len(done) + 1, parent=parent,
                             code=f"class Net: pass\n# width {8 * (len(done) + 1)}\n"
                             + HOSTILE_CODE,
                             extra={"suggestion": {"diagnosis": "too small " + HOSTILE_CODE,
                                                   "modification": "widen it",
                                                   "source": "expert"}}))

    try:
        with serving(FinishOnPoll(create_app(runs, poll_seconds=0.25), step)) as url, \
                Browser(exe, tmp_path / "profile", 1366, 768) as b:
            b.open(url + "runs/tree")
            b.wait_for("document.querySelectorAll('a.lin-node').length === 2")
            assert not b.visible("#cand-2")
            b.click('a.lin-node[data-node="2"] circle')
            assert b.visible("#cand-2")
            diff = b.js("document.querySelector('#cand-2 pre.diff').innerText")
            assert "-# width 8" in diff and "+# width 16" in diff
            panel = b.js("document.querySelector('#cand-2').innerText")
            assert "widen it" in panel and '<img src=x onerror="document.title' in panel
            # the candidate's text is shown, never run: no image tag, the title untouched
            assert b.js("document.querySelectorAll('main img').length") == 0
            assert b.js("document.title") == "tree · lemonade dashboard"
            # a candidate finishes: the tree is swapped for a new one, the panel stays open
            refreshes = int(b.js("document.getElementById('live').dataset.refreshes"))
            more.set()
            b.wait_for("document.querySelectorAll('a.lin-node').length === 3")
            assert int(b.js("document.getElementById('live').dataset.refreshes")) > refreshes
            assert b.visible("#cand-2") and not b.visible("#cand-3")
            assert b.js("document.querySelector('a.lin-node.selected').dataset.node") == "2"
            b.click('a.lin-node[data-node="3"] circle')
            assert b.visible("#cand-3") and not b.visible("#cand-2")
    finally:
        store.close()


@pytest.mark.slow
@pytest.mark.browser
def test_cli_dashboard_during_a_live_search_on_arrays(tmp_path: Path) -> None:
    from lemonade.data.synthetic import make_images

    x, y = make_images((1, 8, 8), 3, 150)
    np.savez(tmp_path / "d.npz", x_train=x.transpose(0, 2, 3, 1), y_train=y)  # NHWC uint8
    runs = tmp_path / "runs"
    runs.mkdir()
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        f"dataset: {{name: arrays, data_dir: {tmp_path / 'd.npz'}}}\n"
        "objectives: [{metric: val_accuracy, threshold: 0.5}, {metric: params, threshold: 5000}]\n"
        "budget: {iterations: 2, epochs: 1, repair_attempts: 0, candidate_timeout_s: 180}\n"
        "measure: {latency_repeats: 3, latency_warmup: 1, energy: false, "
        "inference_energy: false}\ndevice: cpu\n")
    env = cli_env()
    dash = subprocess.Popen([sys.executable, "-m", "lemonade", "dashboard", str(runs), "--port",
                             "0", "--poll", "0.5"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env)
    try:
        line = dash.stdout.readline()  # printed once the socket listens
        url = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)
        search = subprocess.Popen(
            [sys.executable, "-m", "lemonade", "search", "--config", str(cfg), "--run-dir",
             str(runs / "arr"), "-q"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, env=env, cwd=tmp_path)
        seen_live = None
        for out_line in search.stdout:  # the search reports each candidate as it finishes
            if seen_live is None and re.match(r"\s*#1\b", out_line):
                seen_live = _dump_dom(url + "runs/arr", tmp_path / "p1", budget_ms=1500)
        assert search.wait(timeout=300) == 0
        assert seen_live is not None, "the search never reported candidate 1"
        assert 1 in _rows(seen_live)
        final = _dump_dom(url + "runs/arr", tmp_path / "p2", budget_ms=1500)
        assert _rows(final) == [1, 2] and "s-finished" in final
        assert 'data-plots-drawn="2"' in final
        index = _dump_dom(url, tmp_path / "p3", budget_ms=500)
        assert 'data-run="arr"' in index
    finally:
        dash.terminate()
        dash.wait(timeout=30)
