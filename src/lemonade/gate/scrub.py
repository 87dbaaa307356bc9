"""Make untrusted text safe to show or to send: capped in length, with no secret in it.

A candidate's error text, a worker's log tail or a violation message can carry anything the
candidate put there: a secret read from the environment, a home path, a megabyte of output.
`scrub` is applied before such text is printed by `lemonade check` or goes into a prompt.

A known secret (a secret-named environment variable, or one given to `remember_secret`, such as
the LLM key) is found in any arrangement: letters and digits compared without separators or case
(dots, dashes, spaces, new lines inserted), reversed or rot13, base64 (either alphabet, across line
breaks), hex (`736b2d...`, `\\x73`, `%73`, `73:6b`) or decimal character codes; a run of 10 of its
characters in a row is enough. Prompts get less still: `lemonade.gate.failure_text` keeps only
allow-listed words of a failure reason.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import contextlib
import os
import re
from collections.abc import Iterable, Mapping

DEFAULT_LIMIT = 600
# Environment variables whose values are secrets, by name.
_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH", re.IGNORECASE)
_MIN_SECRET_LEN = 6  # shorter values ("1", "true") would redact ordinary words
# Well-known API key shapes, then long opaque tokens (hex, base64) that look like credentials.
_KEY_SHAPES = re.compile(
    r"\b(?:sk|pk|rk)-[A-Za-z0-9_\-]{12,}"
    r"|\b(?:ghp|gho|ghu|ghs|ghr|github_pat|glpat|xox[abpors]|hf)_[A-Za-z0-9_\-]{10,}"
    r"|\bAKIA[A-Z0-9]{12,}"
    r"|\beyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}(?:\.[A-Za-z0-9_\-]+)?")
_HEX_TOKEN = re.compile(r"\b[A-Fa-f0-9]{32,}\b")
_B64_TOKEN = re.compile(r"[A-Za-z0-9+_\-]{32,}={0,2}")
REDACTED = "[redacted]"
WINDOW = 10  # this many of a known secret's letters and digits in a row give it away
_REMEMBERED: set[str] = set()
_B64_RUN = re.compile(r"[A-Za-z0-9+/_\-](?:[A-Za-z0-9+/_\-]|=|\s){15,}")
_HEX_RUN = re.compile(r"(?:(?:\\x|%|0x)?[0-9A-Fa-f]{2}[\s:,;.\-]*){8,}")
_CODES_RUN = re.compile(r"(?:\b\d{2,3}\b[\s,;:.\-]+){7,}\b\d{2,3}\b")


def remember_secret(value: str) -> None:
    """Treat `value` as a secret from now on, whatever the variable it came from is called."""
    if value and len(value) >= _MIN_SECRET_LEN:
        _REMEMBERED.add(value)


def _alnum(text: str) -> tuple[str, list[int]]:
    """`text`'s letters and digits, lower case, and where each one stands in `text`."""
    keep = [(i, c.lower()) for i, c in enumerate(text) if c.isalnum()]
    return "".join(c for _, c in keep), [i for i, _ in keep]


def _windows(secrets: Iterable[str]) -> tuple[int, set[str]]:
    """The runs of WINDOW letters/digits of each secret, as written, reversed and in rot13."""
    out: set[str] = set()
    forms = []
    for secret in secrets:
        norm = _alnum(secret)[0]
        if len(norm) >= _MIN_SECRET_LEN:
            forms += [norm, norm[::-1], codecs.encode(norm, "rot13")]
    width = min([WINDOW, *(len(f) for f in forms)])
    for f in forms:
        out.update(f[i:i + width] for i in range(len(f) - width + 1))
    return width, out


def _hits(text: str, width: int, windows: set[str]) -> list[tuple[int, int]]:
    """Spans of `text` that hold a window, separators between its characters included."""
    norm, where = _alnum(text)
    return [(where[i], where[i + width - 1] + 1) for i in range(len(norm) - width + 1)
            if norm[i:i + width] in windows]


def _decodings(run: str) -> list[str]:
    """What an encoded-looking run may say: base64 (both alphabets, any start), hex, char codes."""
    out = []
    packed = re.sub(r"\s", "", run)
    for start in range(4):
        body = packed[start:].rstrip("=")
        body = body[: len(body) - len(body) % 4] if len(body) % 4 == 1 else body
        for alt in (b"+/", b"-_"):
            try:
                raw = base64.b64decode(body + "=" * (-len(body) % 4), altchars=alt)
            except (binascii.Error, ValueError):
                continue
            out.append(raw.decode("latin-1"))
    hexes = re.sub(r"\\x|%|0x|[^0-9A-Fa-f]", "", run)
    for start in (0, 1):
        chunk = hexes[start:]
        chunk = chunk[: len(chunk) - len(chunk) % 2]
        with contextlib.suppress(ValueError):
            out.append(bytes.fromhex(chunk).decode("latin-1"))
    codes = [int(n) for n in re.findall(r"\d+", run)]
    if codes and all(n < 256 for n in codes):
        out.append("".join(map(chr, codes)))
    return out


def _known_spans(text: str, secrets: list[str]) -> list[tuple[int, int]]:
    width, windows = _windows(secrets)
    if not windows:
        return []
    spans = _hits(text, width, windows)
    for rx in (_B64_RUN, _HEX_RUN, _CODES_RUN):
        for m in rx.finditer(text):
            if any(_hits(decoded, width, windows) for decoded in _decodings(m.group())):
                spans.append(m.span())
    return spans


def _redact(text: str, spans: list[tuple[int, int]]) -> str:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, pos = [], 0
    for start, end in merged:
        out += [text[pos:start], REDACTED]
        pos = end
    return "".join(out) + text[pos:]


def _looks_like_token(s: str) -> bool:
    """Letters and digits mixed, as keys are; long identifiers (`a_very_long_name`) are not."""
    return any(c.isdigit() for c in s) and any(c.isalpha() for c in s)


def _secret_values(environ: Mapping[str, str]) -> list[str]:
    values = {v for k, v in environ.items() if _SECRET_NAME.search(k) and len(v) >= _MIN_SECRET_LEN}
    values |= _REMEMBERED
    return sorted(values, key=len, reverse=True)  # a longer secret first if one contains another


def _home() -> str | None:
    home = os.path.expanduser("~")
    return home.rstrip("/") if home and home not in ("/", "~") else None


def scrub(text: str, limit: int = DEFAULT_LIMIT, *,
          environ: Mapping[str, str] | None = None) -> str:
    """`text` with secrets redacted, the home folder written `~`, and at most `limit` characters.

    Secrets are the values of this process's environment variables named like *KEY*, *TOKEN*,
    *SECRET*, *PASSWORD*, *CREDENTIAL* or *AUTH* (and those given to `remember_secret`), in any
    arrangement (see the module's docstring), API-key shapes (`sk-...`, `ghp_...`, JWTs) and
    long hex or base64 tokens. Never raises; a longer text is cut and ends in
    "… (cut; N characters in all)".
    """
    if not isinstance(text, str):
        text = str(text)
    limit = max(limit, 40)
    # Work on a bounded prefix: the regexes then cost the same for 1 KB and 1 GB, and whatever a
    # secret left at this cut is beyond the final cap anyway.
    total = len(text)
    prefix = text[: limit * 4 + 256]
    work = prefix
    secrets = _secret_values(os.environ if environ is None else environ)
    for value in secrets:
        work = work.replace(value, REDACTED)
    work = _redact(work, _known_spans(work, secrets))
    work = _KEY_SHAPES.sub(REDACTED, work)
    work = _HEX_TOKEN.sub(REDACTED, work)
    work = _B64_TOKEN.sub(lambda m: REDACTED if _looks_like_token(m.group()) else m.group(), work)
    home = _home()
    if home:
        work = re.sub(re.escape(home) + r"(?![\w.-])", "~", work)
    if len(work) <= limit and total == len(prefix):
        return work
    keep = work[: limit - 40].rstrip()
    return f"{keep}… (cut; {total:,} characters in all)"
