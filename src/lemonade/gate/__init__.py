"""The code gate: pure text and syntax-tree work on untrusted model code; imports no torch.

It stands before the wall (`lemonade.sandbox`) and is not the wall:
- `extract`: an LLM reply -> Python source (linear, bounded).
- `static`: the static check, a first filter that rejects early and cheaply.
  Its passes: `names` (imports, aliases), `calls` (names, attributes, calls); `resolve` their
  lookups on the real modules, `policy` the allow- and deny-lists, `scopes` the name-binding
  questions they ask; `violation` what a rejection carries.
- `scrub`: untrusted text made safe to print or to put in a prompt (capped, secrets removed).
- `failure_text`: what of a failure reason may go into a prompt (its shape over `vocabulary`).
- `hashing`: a candidate's identity (normalised source).

Only `static.check_source` (through `resolve.Resolver`) imports torch, lazily, to resolve
attribute chains on the real modules.
"""

from lemonade.gate.extract import extract_code
from lemonade.gate.hashing import code_hash, normalise
from lemonade.gate.policy import ALLOWED_IMPORTS
from lemonade.gate.scrub import scrub
from lemonade.gate.static import CodeRejected, Violation, check_source

__all__ = [
    "ALLOWED_IMPORTS", "CodeRejected", "Violation", "check_source", "code_hash", "extract_code",
    "normalise", "scrub",
]
