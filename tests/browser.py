"""Headless Chromium for the browser tests (CI installs Debian's chromium).

`chromium()` finds the executable. `Browser` drives one headless Chromium over the DevTools
protocol on a pipe (`--remote-debugging-pipe`: JSON messages separated by NUL bytes on file
descriptors 3 and 4), so a test can load a page, click an element with real mouse events, read
the DOM and the computed style, and take a screenshot, with no client library.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any


def chromium() -> str | None:
    """The Chromium executable, or None where it is not installed."""
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--mute-audio")


class BrowserError(RuntimeError):
    pass


class Browser:
    """One headless Chromium with one page, driven over the DevTools pipe.

    Use as a context manager; every call has a deadline (`timeout`), so a page that never
    answers fails the test instead of hanging it."""

    def __init__(self, exe: str, profile: Path, width: int = 1366, height: int = 768,
                 timeout: float = 60.0) -> None:
        self.timeout = timeout
        self.width, self.height = width, height
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        # bash (dash takes one-digit descriptors only) puts the pipe ends where Chromium
        # reads (3) and writes (4)
        cmd = ["/bin/bash", "-c", f'exec "$0" "$@" 3<&{to_chrome_r} 4>&{from_chrome_w}', exe,
               *FLAGS, "--remote-debugging-pipe", f"--user-data-dir={profile}",
               f"--window-size={width},{height}", "about:blank"]
        profile.mkdir(parents=True, exist_ok=True)
        self.log = profile / "chromium.log"
        with self.log.open("wb") as log:  # a file, not a pipe nobody drains
            self.proc = subprocess.Popen(cmd, pass_fds=(to_chrome_r, from_chrome_w),
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                         env={**os.environ, "HOME": str(profile)})
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        self.session: str | None = None
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget",
                                 {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    # ---- the protocol -----------------------------------------------------------------------
    def _send(self, msg: dict[str, Any]) -> None:
        data = json.dumps(msg).encode() + b"\0"
        while data:
            data = data[os.write(self._to_chrome, data):]

    def _recv(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("Chromium did not answer in time")
            ready, _, _ = select.select([self._from_chrome], [], [], left)
            if ready:
                chunk = os.read(self._from_chrome, 1 << 20)
                if not chunk:
                    raise BrowserError("Chromium closed the pipe: "
                                       + self._stderr_tail())
                self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def _stderr_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if self.session and not method.startswith("Target."):
            msg["sessionId"] = self.session
        self._send(msg)
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._recv(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result") or {}
            if "method" in reply:
                self.events.append(reply)

    def wait_event(self, method: str) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while True:
            for i, ev in enumerate(self.events):
                if ev["method"] == method:
                    return self.events.pop(i)
            reply = self._recv(deadline)
            if "method" in reply:
                self.events.append(reply)

    # ---- what tests use ---------------------------------------------------------------------
    def open(self, url: str) -> None:
        """Load `url` and wait for its load event."""
        self.events.clear()
        self.call("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired")

    def js(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        res = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                             "awaitPromise": True})
        if "exceptionDetails" in res:
            raise BrowserError(f"{expression[:80]}: {res['exceptionDetails']}")
        return res.get("result", {}).get("value")

    def wait_for(self, expression: str, timeout: float | None = None) -> Any:
        """Evaluate `expression` until it is truthy (the page works on its own clock: a live
        dashboard refreshes when its poll comes back); fail at the deadline."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            value = self.js(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"never true: {expression}")
            time.sleep(0.05)

    def click(self, selector: str) -> None:
        """A real left click (mouse press and release) at the centre of the element."""
        box = self.js(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " if (!e) return null; e.scrollIntoView({block: 'center'});"
            " const r = e.getBoundingClientRect();"
            " return [r.left + r.width / 2, r.top + r.height / 2]; })()")
        if not box:
            raise BrowserError(f"nothing matches {selector}")
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1],
                                                   "button": "left", "clickCount": 1})

    def visible(self, selector: str) -> bool:
        return bool(self.js(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " if (!e) return false; const s = getComputedStyle(e);"
            " return s.display !== 'none' && s.visibility !== 'hidden'"
            " && e.getClientRects().length > 0; })()"))

    def screenshot(self, path: Path, fmt: str = "png") -> Path:
        """The viewport as an image file."""
        data = self.call("Page.captureScreenshot", {"format": fmt})["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        with contextlib.suppress(BrowserError, OSError):
            self.call("Browser.close")
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_chrome, self._from_chrome):
            with contextlib.suppress(OSError):
                os.close(fd)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
