"""Everything that touches untrusted model code, in one package: this folder is where the wall is.

- `extract`: an LLM reply -> Python source (linear, bounded).
- `static`: the static check, a first filter that rejects early and cheaply; not the wall.
  `policy` holds its allow- and deny-lists, `scopes` the name-binding questions it asks.
- `scrub`: untrusted text made safe to print or to put in a prompt (capped, secrets removed).
- `hashing`: a candidate's identity (normalised source).
- `isolation`: the OS wall (namespaces through bubblewrap): no network, no view of the user's
  files or processes, a clean environment, resource limits.
- `runner`: runs one candidate in isolated, killable worker processes (`run_candidate`).
- `process`: one sandboxed process, started before its job and handed exactly one.
- `prestart`: the next candidate's processes, started ahead (`release_warm` ends them).
- `worker`: the program that trains inside the wall (`python -m lemonade.sandbox.worker DIR`);
  `measure_worker` measures what it exported, in a second wall.
- `check`: `lemonade check MODEL_PY`.
"""

from lemonade.sandbox.extract import extract_code
from lemonade.sandbox.hashing import code_hash, normalise
from lemonade.sandbox.prestart import release_warm
from lemonade.sandbox.runner import CandidateJob, CandidateOutcome, run_candidate, worker_env
from lemonade.sandbox.scrub import scrub
from lemonade.sandbox.static import ALLOWED_IMPORTS, CodeRejected, Violation, check_source

__all__ = [
    "ALLOWED_IMPORTS", "CandidateJob", "CandidateOutcome", "CodeRejected", "Violation",
    "check_source", "code_hash", "extract_code", "normalise", "release_warm", "run_candidate",
    "scrub",
    "worker_env",
]
