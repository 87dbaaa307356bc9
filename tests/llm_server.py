"""A scripted OpenAI-compatible chat-completions server for tests (127.0.0.1, port 0, a thread).

Each request to `/v1/chat/completions` takes the next step of the script; a step is one of

    json_step(doc, status=200)  any JSON body, status and headers
    code_reply(source)          200, the model file in a ```python fence after a line of prose
    text_reply(text)            200, the text as the message content (prose, truncated code, ...)
    empty_reply()               200, an empty message content
    status_reply(429, retry_after=0)   an HTTP error, optionally with a Retry-After header
    slow_reply(3.0, then=...)   waits (longer than the client's time-out), then sends `then`
    garbage_body()              200 with a body that is not JSON
    huge_reply(60 << 20, framing="chunked")   a completion of that many bytes, made as it is sent

or a callable taking the request (a `Request`) and returning one of those, for replies that
depend on what was asked. When the script runs out the server answers with `default` (a step
or a callable), or with HTTP 500 naming the exhausted script, so a test that asks more than it
planned fails loudly instead of hanging.

Every request is recorded (`requests`), with the step that answered it (`served`), so a test can
check what the client sent: retries (identical bodies), repair prompts (the error quoted back).
"""

from __future__ import annotations

import json
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Step:
    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    delay_s: float = 0.0
    label: str = ""  # what the step is, for assertions and messages
    # a body made while it is sent (so a huge one never sits in memory), and how it is framed:
    # "length" (Content-Length of the whole), "chunked", or "close" (no length: until closed)
    chunks: Callable[[], Iterator[bytes]] | None = None
    framing: str = "length"
    length: int = 0


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: dict[str, Any] = field(default_factory=dict)
    t: float = 0.0  # time.monotonic() at arrival

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages") or [])

    @property
    def last_user(self) -> str:
        users = [m.get("content") or "" for m in self.messages if m.get("role") == "user"]
        return users[-1] if users else ""

    @property
    def is_repair(self) -> bool:
        """A repair request carries the previous reply and a new user turn after it."""
        return any(m.get("role") == "assistant" for m in self.messages)


Responder = Callable[[Request], Step]
ScriptItem = Step | Responder


def completion_body(content: str | None, finish: str = "stop", model: str = "scripted-model"
                    ) -> dict[str, Any]:
    return {
        "id": "chatcmpl-scripted", "object": "chat.completion", "created": 1_700_000_000,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                     "finish_reason": finish}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
    }


def json_step(doc: dict[str, Any], status: int = 200, label: str = "",
              headers: tuple[tuple[str, str], ...] = ()) -> Step:
    """A reply whose body is `doc` as JSON (a completion, an error document, ...)."""
    return Step(status=status, body=json.dumps(doc).encode(), headers=headers, label=label)


def text_reply(text: str | None, finish: str = "stop", label: str = "text") -> Step:
    return json_step(completion_body(text, finish), label=label)


def code_reply(source: str, prose: str = "Here is the model.", label: str = "code") -> Step:
    return text_reply(f"{prose}\n\n```python\n{source.rstrip()}\n```\n", label=label)


def empty_reply() -> Step:
    return text_reply("", label="empty")


def status_reply(status: int, retry_after: float | None = None, message: str = "scripted error"
                 ) -> Step:
    headers = (("Retry-After", f"{retry_after:g}"),) if retry_after is not None else ()
    return json_step({"error": {"message": message, "type": "scripted", "code": status}},
                      status=status, headers=headers, label=f"http {status}")


def slow_reply(delay_s: float, then: Step | None = None) -> Step:
    """Answer only after `delay_s` (the client should have given up by then)."""
    base = then or text_reply("too late", label="late")
    return Step(status=base.status, body=base.body, headers=base.headers, delay_s=delay_s,
                label=f"slow {delay_s:g}s")


def garbage_body(payload: bytes = b'{"choices": [ this is not json') -> Step:
    return Step(status=200, body=payload, label="garbage json")


def huge_reply(size: int, framing: str = "chunked", gzip: bool = False) -> Step:
    """A valid completion of about `size` bytes (its content one long string), made as it is
    sent; with `gzip` it is sent compressed (a few tens of KB on the wire, `size` inflated)."""
    head = json.dumps(completion_body("@@"))
    prefix, suffix = head.split("@@")
    block = b"A" * 65536
    n = max(1, size // len(block))

    def plain() -> Iterator[bytes]:
        yield prefix.encode()
        for _ in range(n):
            yield block
        yield suffix.encode()

    length = len(prefix) + n * len(block) + len(suffix)
    headers: tuple[tuple[str, str], ...] = ()
    make = plain
    if gzip:
        comp = zlib.compressobj(9, zlib.DEFLATED, 31)
        packed = b"".join(comp.compress(c) for c in plain()) + comp.flush()
        length = len(packed)
        headers = (("Content-Encoding", "gzip"),)

        def make() -> Iterator[bytes]:
            yield packed
    return Step(status=200, headers=headers, chunks=make, framing=framing, length=length,
                label=f"huge {size >> 20} MB {framing}{' gzip' if gzip else ''}")


class ScriptedLLM:
    """The server. Use as a context manager, or call `close()`."""

    def __init__(self, script: Iterable[ScriptItem] = (), default: ScriptItem | None = None
                 ) -> None:
        self.script: deque[ScriptItem] = deque(script)
        self.default = default
        self.requests: list[Request] = []
        self.served: list[str] = []  # the label of the step that answered each request
        self._lock = threading.Lock()
        self._closing = threading.Event()  # cuts delays short at teardown
        llm = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real providers do

            def do_POST(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n) if n else b""
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"unparsed": raw.decode("utf-8", "replace")}
                req = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body,
                              time.monotonic())
                step = llm._next(req)
                if step.delay_s:
                    llm._closing.wait(step.delay_s)
                try:
                    self.send_response(step.status)
                    for k, v in step.headers:
                        self.send_header(k, v)
                    self.send_header("Content-Type", "application/json")
                    if step.chunks is None:
                        self.send_header("Content-Length", str(len(step.body)))
                        self.end_headers()
                        self.wfile.write(step.body)
                    else:
                        self._send_chunks(step)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and went away: that was the point

            def _send_chunks(self, step: Step) -> None:
                assert step.chunks is not None
                if step.framing == "length":
                    self.send_header("Content-Length", str(step.length))
                elif step.framing == "chunked":
                    self.send_header("Transfer-Encoding", "chunked")
                else:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                for chunk in step.chunks():
                    if llm._closing.is_set():
                        return
                    if step.framing == "chunked":
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    else:
                        self.wfile.write(chunk)
                if step.framing == "chunked":
                    self.wfile.write(b"0\r\n\r\n")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                       daemon=True, name="scripted-llm")
        self.thread.start()

    def _next(self, req: Request) -> Step:
        # taken when the request arrives, so a retry that overtakes a slow reply gets the next step
        with self._lock:
            self.requests.append(req)
            item = self.script.popleft() if self.script else self.default
            if item is None:
                step = status_reply(500, message=f"script exhausted at request "
                                                 f"{len(self.requests)}")
                step = Step(step.status, step.body, step.headers, label="exhausted")
            else:
                step = item if isinstance(item, Step) else item(req)
            self.served.append(step.label)
        return step

    def push(self, *items: ScriptItem) -> None:
        with self._lock:
            self.script.extend(items)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self) -> None:
        self._closing.set()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> ScriptedLLM:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
