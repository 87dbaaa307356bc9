"""`lemonade check MODEL_PY`: the static checks, then a dry run in the sandboxed worker.

Everything it reports is capped and scrubbed (`lemonade.gate.scrub`): a candidate's error
text can carry anything, a secret included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lemonade.config import SandboxConfig
from lemonade.gate.normalize import author_lines, normalize_source, original_line
from lemonade.gate.scrub import scrub
from lemonade.gate.static import CodeRejected, Violation, check_source

if TYPE_CHECKING:
    from lemonade.sandbox.resource import Sandbox

MAX_VIOLATIONS = 20  # a file with more problems gets the first ones and a count


@dataclass
class CheckReport:
    ok: bool
    violations: list[Violation] = field(default_factory=list)
    runtime_error: str | None = None
    params: int | None = None
    output_shape: tuple[int, ...] | None = None
    seconds: float = 0.0  # the dry run's wall time (worker start included)
    normalized: str = ""  # what the contract normalizer changed ('' when nothing)


def check_file(path: str | Path, *, dry_run: bool = True, in_channels: int = 3,
               image_size: int | tuple[int, int] = 32, num_classes: int = 10,
               timeout_s: float = 120.0, limits: SandboxConfig | None = None,
               device: str = "cpu", sandbox: Sandbox | None = None) -> CheckReport:
    """Static checks, then (when clean) a build + forward pass in the sandboxed worker.

    The dry run never happens in this process: the file is untrusted until it has run in a
    worker. `limits` is a SandboxConfig (default: the config's defaults). `sandbox` starts
    the worker (lemonade.sandbox.resource; None: one of this call only).
    """
    try:
        source = read_model_file(path)
    except ValueError as e:
        return CheckReport(ok=False, violations=[Violation(0, 0, scrub(str(e)))])
    size = (image_size, image_size) if isinstance(image_size, int) else image_size
    try:
        norm = normalize_source(source, in_channels, num_classes, size)
    except CodeRejected as e:
        return CheckReport(ok=False, violations=_scrubbed(e.violations))
    note = norm.note
    violations = _scrubbed([Violation(original_line(source, norm.code, v.line), v.col,
                                      v.message) for v in check_source(norm.code)])
    if violations or not dry_run:
        return CheckReport(ok=not violations, violations=violations, normalized=note)
    from lemonade.sandbox.runner import check_job, run_candidate

    h, w = size
    out = run_candidate(check_job(norm.code, (in_channels, h, w, num_classes), limits=limits,
                                  timeout_s=timeout_s, device=device), sandbox=sandbox)
    if out.status != "ok":
        # the worker ran the normalized file: its line numbers become the author's
        why = author_lines(f"{out.status}: {out.reason}", source, norm.code)
        return CheckReport(ok=False, runtime_error=scrub(why),
                           seconds=out.seconds, normalized=note)
    shape = out.info.get("output_shape")
    return CheckReport(ok=True, params=out.info.get("params"),
                       output_shape=tuple(shape) if shape else None, seconds=out.seconds,
                       normalized=note)


def read_model_file(path: str | Path) -> str:
    """The text of a model file; ValueError with one clear line when it cannot be read or is not
    UTF-8 (the message names the file and the first bad byte)."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise ValueError(f"cannot read {path}: {e.strerror or e}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"{path} is not UTF-8 text (byte 0x{data[e.start]:02x} at offset "
                         f"{e.start}): save it as UTF-8") from None


def _scrubbed(violations: list[Violation]) -> list[Violation]:
    out = [Violation(v.line, v.col, scrub(v.message)) for v in violations[:MAX_VIOLATIONS]]
    if len(violations) > MAX_VIOLATIONS:
        out.append(Violation(0, 0, f"... and {len(violations) - MAX_VIOLATIONS} more problems"))
    return out
