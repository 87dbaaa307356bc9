"""Make untrusted text safe to show or to send: capped in length, with no secret in it.

A candidate's error text, a worker's log tail or a violation message can carry anything the
candidate put there: a secret read from the environment, a home path, a megabyte of output.
`scrub` is applied before such text is printed by `lemonade check` or goes into a prompt.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

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


def _looks_like_token(s: str) -> bool:
    """Letters and digits mixed, as keys are; long identifiers (`a_very_long_name`) are not."""
    return any(c.isdigit() for c in s) and any(c.isalpha() for c in s)


def _secret_values(environ: Mapping[str, str]) -> list[str]:
    values = {v for k, v in environ.items() if _SECRET_NAME.search(k) and len(v) >= _MIN_SECRET_LEN}
    return sorted(values, key=len, reverse=True)  # a longer secret first if one contains another


def _home() -> str | None:
    home = os.path.expanduser("~")
    return home.rstrip("/") if home and home not in ("/", "~") else None


def scrub(text: str, limit: int = DEFAULT_LIMIT, *,
          environ: Mapping[str, str] | None = None) -> str:
    """`text` with secrets redacted, the home folder written `~`, and at most `limit` characters.

    Secrets are the values of this process's environment variables named like *KEY*, *TOKEN*,
    *SECRET*, *PASSWORD*, *CREDENTIAL* or *AUTH*, API-key shapes (`sk-...`, `ghp_...`, JWTs) and
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
    for value in _secret_values(os.environ if environ is None else environ):
        work = work.replace(value, REDACTED)
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
