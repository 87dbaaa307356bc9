"""The wall: untrusted model code runs only in processes this package starts and measures.

The pure code gate that stands before it (extraction, static check, hashing, scrubbing) is
`lemonade.gate`.

- `isolation`: the OS wall (namespaces through bubblewrap): no network, no view of the user's
  files or processes, a clean environment, resource limits.
- `resource`: `Sandbox`, the host's sandbox as one owned object (a context manager): the pair of
  processes started ahead, the fork server, the split files, the shared energy trackers, and
  the workers' commands. A search, `lemonade finalize` and each CLI command hold one.
- `runner`: runs one candidate in isolated, killable worker processes (`run_candidate`).
- `process`: one sandboxed process, started before its job and handed exactly one.
- `prestart`: the next candidate's processes, started ahead (held by a `Sandbox`).
- `forkserver`: the server CPU workers are forked from; `workerenv`: the workers' commands and
  environment.
- `worker`: the program that trains inside the wall (`python -m lemonade.sandbox.worker DIR`);
  `measure_worker` measures what it exported, in a second wall.
- `protocol`: what crosses the wall between the host and a sandboxed process.
- `check`: `lemonade check MODEL_PY`.

This package's face imports nothing: `lemonade.sandbox.protocol` must load in a process that
has not imported torch yet. Import from the modules (`lemonade.sandbox.runner.run_candidate`);
`lemonade.sandbox.Sandbox` is imported from `resource` when it is first asked for.
"""

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "Sandbox":
        from lemonade.sandbox.resource import Sandbox

        return Sandbox
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
