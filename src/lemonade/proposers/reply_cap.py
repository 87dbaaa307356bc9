"""An HTTP transport that never reads more than a fixed number of bytes of a reply.

The LLM endpoint is not trusted with the host's memory: a reply of hundreds of megabytes would
otherwise be read whole, then parsed whole, by the SDK. `CappedTransport` wraps the SDK's transport
and counts bytes as they arrive from the socket:

- a `Content-Length` over the cap is refused before any body byte is read;
- a body (chunked or with a lying length) that grows past the cap is cut there;
- a compressed body (`gzip`, `deflate`) is inflated here, counted after inflation, so a small
  compressed bomb cannot expand past the cap either; any other encoding is refused (we ask for
  `gzip, deflate, identity` only).

Either way the SDK sees a transport error whose cause is a `ReplyTooLarge`, which the client turns
into a recorded failure without a retry.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

try:  # the openai SDK moved from httpx to its fork httpx2; take whichever it uses
    import httpx2 as httpx
except ImportError:  # pragma: no cover - older SDKs
    import httpx  # type: ignore[no-redef, import-not-found, unused-ignore]

DEFAULT_MAX_REPLY_BYTES = 4 * 1024 * 1024
ACCEPT_ENCODING = "gzip, deflate, identity"
READ_CHUNK = 64 * 1024


class ReplyTooLarge(Exception):
    """The reply would exceed the byte cap (raw on the wire, or once inflated)."""

    def __init__(self, limit: int, what: str) -> None:
        super().__init__(f"reply larger than the {limit:,}-byte cap ({what}); not read further")
        self.limit = limit


def reply_too_large(exc: BaseException | None) -> ReplyTooLarge | None:
    """The `ReplyTooLarge` somewhere in `exc`'s chain of causes, if any."""
    seen = 0
    while exc is not None and seen < 32:
        if isinstance(exc, ReplyTooLarge):
            return exc
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


class _Inflater:
    """gzip or zlib-wrapped deflate (or raw deflate), inflated at most `limit` bytes in all."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.obj: Any = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header
        self.raw_tried = encoding != "deflate"

    def feed(self, data: bytes, room: int) -> bytes:
        """Inflate `data`, returning at most `room + 1` bytes (one more means: over the cap)."""
        try:
            out = self.obj.decompress(data, room + 1)
        except zlib.error:
            if self.raw_tried:
                raise
            self.raw_tried = True  # some servers send raw deflate without the zlib header
            self.obj = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self.obj.decompress(data, room + 1)
        return bytes(out)


class _CappedStream(httpx.SyncByteStream):
    def __init__(self, inner: Any, limit: int, encoding: str | None) -> None:
        self.inner, self.limit = inner, limit
        self.inflater = _Inflater(encoding) if encoding else None
        self.raw = self.out = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.inner:
            self.raw += len(chunk)
            if self.raw > self.limit:
                raise ReplyTooLarge(self.limit, "on the wire")
            if self.inflater is None:
                yield chunk
                continue
            data = self.inflater.feed(chunk, self.limit - self.out)
            # only what is still left to inflate stays in the inflater: at most `room + 1` comes out
            while True:
                self.out += len(data)
                if self.out > self.limit:
                    raise ReplyTooLarge(self.limit, f"once {self.inflater.encoding}-inflated")
                if data:
                    yield data
                tail = self.inflater.obj.unconsumed_tail
                if not tail:
                    break
                data = self.inflater.feed(tail, self.limit - self.out)

    def close(self) -> None:
        close = getattr(self.inner, "close", None)
        if close is not None:
            close()


class CappedTransport(httpx.BaseTransport):
    """Wraps a transport so that no reply body beyond `limit` bytes is ever read."""

    def __init__(self, limit: int = DEFAULT_MAX_REPLY_BYTES,
                 inner: httpx.BaseTransport | None = None) -> None:
        self.limit = int(limit)
        self.inner = inner if inner is not None else httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.headers["Accept-Encoding"] = ACCEPT_ENCODING
        response = self.inner.handle_request(request)
        try:
            length = int(response.headers.get("content-length") or 0)
        except ValueError:
            length = 0
        encodings = [e.strip().lower() for e in
                     response.headers.get("content-encoding", "").split(",") if e.strip()]
        encodings = [e for e in encodings if e != "identity"]
        problem: Exception | None = None
        if length > self.limit:
            problem = ReplyTooLarge(self.limit, f"Content-Length {length:,}")
        elif len(encodings) > 1 or (encodings and encodings[0] not in ("gzip", "deflate")):
            problem = ValueError(f"unsupported Content-Encoding {', '.join(encodings)!r}")
        if problem is not None:
            response.close()
            raise problem
        headers = [(k, v) for k, v in response.headers.multi_items()
                   if not (encodings and k.lower() in ("content-encoding", "content-length"))]
        stream = _CappedStream(response.stream, self.limit, encodings[0] if encodings else None)
        return httpx.Response(response.status_code, headers=headers, stream=stream,
                              extensions=response.extensions)

    def close(self) -> None:
        self.inner.close()


def capped_http_client(limit: int) -> httpx.Client:
    """The openai SDK's default HTTP client, with replies capped at `limit` bytes."""
    import openai

    client: httpx.Client = openai.DefaultHttpxClient(transport=CappedTransport(limit))
    return client
