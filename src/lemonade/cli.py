"""`lemonade` command line: search, resume, evaluate, finalize, check, report, export, runs,
show, dashboard.

Every command exits 0 on success and non-zero with a one-line reason on failure (no traceback;
set LEMONADE_DEBUG=1 to see one).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from lemonade import metrics as M
from lemonade.config import PRESET_NAMES, ConfigError, load_config
from lemonade.contract import normalize, refusal
from lemonade.dashboard import INSTALL_HINT, missing_dependencies
from lemonade.gate import CodeRejected, check_source, scrub
from lemonade.gate.normalize import author_lines
from lemonade.parallel import require_ray
from lemonade.plugins import DATASETS, PROPOSERS, choices
from lemonade.progress import (
    SearchDisplay,
    candidates_table,
    epoch_progress,
    metrics_table,
    runs_table,
)
from lemonade.rundir import plain_state_dict, save_state_dict
from lemonade.sandbox.check import check_file, read_model_file

app = typer.Typer(
    name="lemonade",
    help="Discover neural network architectures with an LLM under several objectives "
         "(LeMo-NADe with feedback memory).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])
EVALUATE_EPOCHS = 5  # `evaluate` without a config: a quick look, fewer epochs than a search


class UserError(Exception):
    """A problem the user can fix; printed as one line."""


# The other problems a user can fix, by the module that defines each. Looked up, not imported:
# a module that is not loaded cannot have raised its error, and an error must not wait for torch.
USER_ERRORS = (("lemonade.data.base", "DatasetError"), ("lemonade.modelfile", "ModelFileError"),
               ("lemonade.store", "StoreError"), ("lemonade.exporters", "ExportError"),
               ("lemonade.gate.violation", "CodeRejected"))


def _user_errors() -> tuple[type[BaseException], ...]:
    errs: list[type[BaseException]] = [UserError, ConfigError, FileNotFoundError]
    for mod, name in USER_ERRORS:
        err = getattr(sys.modules.get(mod), name, None)
        if isinstance(err, type) and issubclass(err, BaseException):
            errs.append(err)
    return tuple(errs)


def cli_errors(fn: F) -> F:
    """One-line errors: known problems exit 2, anything else exits 1 with a hint."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except _user_errors() as e:
            if os.environ.get("LEMONADE_DEBUG"):
                raise
            msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            # escape: a message may hold [brackets] (paths, "pip install 'x[extra]'")
            err_console.print(f"[bold red]error:[/] {escape(msg)}", highlight=False,
                              soft_wrap=True)
            raise typer.Exit(2) from None
        except Exception as e:
            if os.environ.get("LEMONADE_DEBUG"):
                raise
            first = (str(e).strip().splitlines() or [""])[0]
            err_console.print(f"[bold red]internal error:[/] {type(e).__name__}: {escape(first)} "
                              "(set LEMONADE_DEBUG=1 for the traceback)", highlight=False,
                              soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


# --------------------------------------------------------------------------------------------
# search / resume
# --------------------------------------------------------------------------------------------
@app.command()
@cli_errors
def search(
    config: Annotated[Path | None, typer.Option("--config", "-c", help="YAML config file.")] = None,
    dataset: Annotated[str | None, typer.Option(
        help=choices(DATASETS))] = None,
    data_dir: Annotated[str | None, typer.Option(
        help="Folder holding the dataset files (arrays: the .npz file).")] = None,
    preset: Annotated[str | None, typer.Option(
        help=choices(PRESET_NAMES))] = None,
    proposer: Annotated[str | None, typer.Option(
        help=choices(PROPOSERS))] = None,
    model: Annotated[str | None, typer.Option(help="LLM model name (openai proposer).")] = None,
    base_url: Annotated[str | None, typer.Option(
        help="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 for Ollama.")] = None,
    api_key_env: Annotated[str | None, typer.Option(
        help="Environment variable holding the API key.")] = None,
    temperature: Annotated[float | None, typer.Option(help="LLM sampling temperature.")] = None,
    replay_from: Annotated[str | None, typer.Option(
        help="Run directory whose recorded LLM replies the replay proposer plays back.")] = None,
    improver_model: Annotated[str | None, typer.Option(
        help="Model of the Prompt Improver LLM (proposer.improver.model); endpoint, key and "
             "temperature default to the proposer's.")] = None,
    iterations: Annotated[int | None, typer.Option(help="Candidates to propose.")] = None,
    epochs: Annotated[int | None, typer.Option(help="Training epochs per candidate.")] = None,
    max_seconds: Annotated[float | None, typer.Option(
        help="Wall-clock budget of the whole search (s).")] = None,
    device: Annotated[str | None, typer.Option(help="auto | cpu | cuda")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
    run_dir: Annotated[str | None, typer.Option(help="Where the run is written.")] = None,
    workers: Annotated[int | None, typer.Option(
        help="Candidates trained at the same time (Ray; 1 = no Ray).", min=1)] = None,
    batch: Annotated[int | None, typer.Option(
        help="Candidates in flight at once (default: --workers).", min=1)] = None,
    ray_address: Annotated[str | None, typer.Option(
        help="Join this Ray cluster (HOST:PORT or auto) instead of a local runtime "
             "(parallel.ray_address).")] = None,
    proxy_epochs: Annotated[int | None, typer.Option(
        help="Multi-fidelity: proxy epochs every candidate trains first.",
        min=1)] = None,
    start_from: Annotated[Path | None, typer.Option(
        "--start-from", help="Your own model file: candidate 1 (normalized to the Net "
                             "contract), which the search then improves (search.start_from).")
    ] = None,
    edit_format: Annotated[str | None, typer.Option(
        help="full | diff: the generator writes whole files or SEARCH/REPLACE edits of the "
             "parent (proposer.edit_format).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Less output.")] = False,
) -> None:
    """Run a discovery search (defaults: digits, offline proposer, CPU, a few minutes)."""
    overrides = {
        "dataset.name": dataset, "dataset.data_dir": data_dir, "preset": preset,
        "proposer.kind": proposer, "proposer.model": model, "proposer.base_url": base_url,
        "proposer.api_key_env": api_key_env, "proposer.temperature": temperature,
        "proposer.replay_from": replay_from, "proposer.improver.model": improver_model,
        "budget.iterations": iterations, "budget.epochs": epochs,
        "budget.max_seconds": max_seconds, "device": device, "seed": seed, "run_dir": run_dir,
        "parallel.workers": workers, "parallel.batch": batch, "budget.proxy_epochs": proxy_epochs,
        "parallel.ray_address": ray_address,
        "search.start_from": str(start_from) if start_from else None,
        "proposer.edit_format": edit_format,
    }
    cfg = load_config(config, overrides)
    require_ray(cfg)  # `--workers 2` without Ray: one line with the install hint, nothing written
    from lemonade.search import start_run

    display = SearchDisplay(console, cfg, quiet=quiet)
    s = start_run(cfg, display.hooks())
    _drive(s, display)


@app.command()
@cli_errors
def resume(
    run_dir: Annotated[Path, typer.Argument(help="The run directory to continue.")],
    iterations: Annotated[int | None, typer.Option(
        help="Raise the iteration budget (total, not additional).")] = None,
    max_seconds: Annotated[float | None, typer.Option(help="Raise the wall-clock budget.")] = None,
    improver_model: Annotated[str | None, typer.Option(
        help="Model of the Prompt Improver LLM from here on (proposer.improver.model).")] = None,
    workers: Annotated[int | None, typer.Option(
        help="Candidates trained at the same time, for this resumption (Ray; 1 = no Ray).",
        min=1)] = None,
    batch: Annotated[int | None, typer.Option(
        help="Candidates in flight at once, for this resumption.", min=1)] = None,
    ray_address: Annotated[str | None, typer.Option(
        help="Join this Ray cluster (HOST:PORT or auto) for this resumption.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Continue an interrupted run from its store; finished candidates are never retrained.

    A flag overrides the run's stored config for this resumption only (config.yaml is kept;
    the overrides are logged with the store's `resume` event)."""
    if not (run_dir / "run.db").exists():
        raise UserError(f"{run_dir} is not a lemonade run (no run.db)")
    from lemonade.search import resume_run

    overrides = {"budget.iterations": iterations, "budget.max_seconds": max_seconds,
                 "proposer.improver.model": improver_model, "parallel.workers": workers,
                 "parallel.batch": batch, "parallel.ray_address": ray_address}
    # `--workers 2` without Ray: one line with the install hint before the run is touched
    require_ray(load_config(run_dir / "config.yaml", overrides))
    s = resume_run(run_dir, overrides=overrides)
    display = SearchDisplay(console, s.cfg, quiet=quiet)  # the run's own (resolved) config
    s.hooks = display.hooks()
    _drive(s, display)


def _drive(s: Any, display: Any) -> None:
    with display:
        result = s.run()
    report_path = None
    try:
            report_path = _write_report(s.run_dir)
    except Exception as e:  # the report must never lose a finished search
        err_console.print(f"[yellow]warning:[/] report not written: {type(e).__name__}: {e}")
    display.summary(result, report_path)
    if result.status == "interrupted":
        err_console.print(f"interrupted; continue with: [bold]lemonade resume {s.run_dir}[/]")
        raise typer.Exit(130)


# --------------------------------------------------------------------------------------------
# evaluate / check
# --------------------------------------------------------------------------------------------
@app.command()
@cli_errors
def evaluate(
    model_py: Annotated[Path, typer.Argument(help="A model file defining class Net.")],
    dataset: Annotated[str | None, typer.Option(
        help="Dataset name (default: the config's, else digits).")] = None,
    data_dir: Annotated[str | None, typer.Option(
        help="Folder holding the dataset (arrays: the .npz file).")] = None,
    epochs: Annotated[int | None, typer.Option(
        help=f"Training epochs (default: the config's, else {EVALUATE_EPOCHS}).")] = None,
    device: Annotated[str | None, typer.Option(
        help="auto | cpu | cuda (default: the config's, else auto)")] = None,
    config: Annotated[Path | None, typer.Option("--config", "-c",
                                                help="Config for train/measure settings.")] = None,
    seed: Annotated[int | None, typer.Option(
        help="Random seed (default: the config's, else 0).")] = None,
    json_out: Annotated[Path | None, typer.Option("--json",
                                                  help="Write metrics JSON here.")] = None,
    save_weights: Annotated[Path | None, typer.Option(
        "--save-weights", help="Keep the trained weights in this file: a state_dict for the "
                               "model file's Net (torch.save; safetensors if it ends in "
                               ".safetensors).")] = None,
) -> None:
    """Train and measure one model file; print its metrics and optionally write them as JSON."""
    # the dataset and the sandbox's runner (torch): imported by the command that uses them
    from lemonade.data import load_dataset
    from lemonade.sandbox.resource import Sandbox
    from lemonade.sandbox.runner import run_candidate, training_job

    try:
        source = read_model_file(model_py)  # not UTF-8: one clear line, not "internal error"
    except ValueError as e:
        raise UserError(f"model file: {e}") from None
    original = source
    # a flag overrides the config only when given (None is "not given" to load_config)
    if config is None and epochs is None:
        epochs = EVALUATE_EPOCHS
    cfg = load_config(config, {"dataset.name": dataset, "dataset.data_dir": data_dir,
                               "budget.epochs": epochs, "device": device, "seed": seed})
    data = load_dataset(cfg.dataset, seed=cfg.seed)  # clear error now, not inside the worker
    source = _normalized_source(model_py, source, data.info())
    violations = check_source(source)
    if violations:
        v = violations[0]
        more = ""
        if len(violations) > 1:
            more = f" (+{len(violations) - 1} more; see `lemonade check`)"
        raise UserError(f"{model_py}: {refusal([v], original, source)}{more}")
    job = training_job(cfg, source, want_weights=save_weights is not None)
    with Sandbox() as sandbox, epoch_progress(console, cfg.budget.epochs,
                                              f"{model_py.name} on {data.name}") as on_ev:
        outcome = run_candidate(job, on_event=on_ev, sandbox=sandbox)
    if outcome.status != "ok":
        why = author_lines(f"{outcome.status}: {outcome.reason}", original, source)
        raise UserError(f"{model_py.name}: {why}")
    console.print(metrics_table(outcome.metrics, title=f"{model_py.name} on {data.name}"))
    if save_weights is not None:
        _keep_weights(outcome.weights_path, save_weights)
    if json_out:
        doc = {"model": str(model_py), "dataset": data.info(), "status": outcome.status,
               "metrics": M.to_json(outcome.metrics), "history": outcome.history}
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(doc, indent=2))
        console.print(f"metrics written to {json_out}")


def _normalized_source(model_py: Path, source: str, info: dict[str, Any]) -> str:
    """The model file fitted to the contract (printing what changed), or a UserError naming
    the line that cannot be fitted."""
    try:
        out = normalize(source, info)
    except CodeRejected as e:
        raise UserError(scrub(f"{model_py}: {refusal(e.violations)}")) from None
    if out.note:
        console.print(f"normalized: {out.note}", highlight=False, markup=False)
    return out.code


def _keep_weights(weights_path: str | None, dest: Path) -> None:
    """Write the weights a single evaluation left in its temporary job folder to `dest`, as a
    state_dict of the model file's Net; then remove that folder."""
    if not weights_path or not Path(weights_path).is_file():
        raise UserError("the evaluation left no weights to save")
    src = Path(weights_path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    save_state_dict(plain_state_dict(src), dest)
    if src.parent.name.startswith("lemonade-job-"):  # the evaluation's temporary job folder
        shutil.rmtree(src.parent, ignore_errors=True)
    console.print(f"weights written to {dest}")


@app.command()
@cli_errors
def finalize(
    run_dir: Annotated[Path, typer.Argument(help="A run directory.")],
    top: Annotated[int, typer.Option(help="Retrain the K best candidates.", min=1)] = 1,
    epochs: Annotated[int | None, typer.Option(
        help="Final epochs (default: budget.final_epochs, else 3x budget.epochs).",
        min=1)] = None,
    seeds: Annotated[int, typer.Option(help="Seeds per candidate (mean ± spread).", min=1)] = 1,
    workers: Annotated[int | None, typer.Option(
        help="Trainings at the same time (Ray; default: the run's parallel.workers).",
        min=1)] = None,
    ray_address: Annotated[str | None, typer.Option(
        help="Join this Ray cluster (HOST:PORT or auto) instead of a local runtime.")] = None,
) -> None:
    """Retrain the best candidate (or top K) on train+val with the longer schedule; measure
    every metric again, test accuracy on the untouched test split; write RUN_DIR/final/."""
    from lemonade.finalize import FinalizeError, final_table, finalize_run

    _need_run(run_dir)

    def on_seed(fc: Any, sr: Any) -> None:
        acc = "n/a" if sr.test_accuracy is None else f"{sr.test_accuracy:.4f}"
        console.print(f"candidate {fc.candidate_id} seed {sr.seed}: {sr.status}, test accuracy "
                      f"{acc} ({sr.seconds:.1f} s)", highlight=False)

    try:
        res = finalize_run(run_dir, top=top, epochs=epochs, seeds=seeds, workers=workers,
                           ray_address=ray_address, on_seed=on_seed)
    except FinalizeError as e:
        raise UserError(str(e)) from None
    console.print(final_table(res))
    agree = json.loads((res.final_dir / "rank_agreement.json").read_text())
    if agree.get("spearman") is not None:
        console.print(f"search val vs final test ranking over {agree['n']} finalists: "
                      f"Spearman {agree['spearman']:+.3f}, Kendall {agree['kendall']:+.3f}")
    console.print(f"final model written to {res.final_dir}")


@app.command()
@cli_errors
def check(
    model_py: Annotated[Path, typer.Argument(help="A model file defining class Net.")],
    in_channels: Annotated[int, typer.Option(help="Input channels for the dry run.")] = 3,
    image_size: Annotated[int, typer.Option(help="Input height = width for the dry run.")] = 32,
    num_classes: Annotated[int, typer.Option(help="Classes for the dry run.")] = 10,
    no_run: Annotated[bool, typer.Option("--no-run", help="Static checks only.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds allowed for the dry run.")] = 60.0,
) -> None:
    """Static checks and a sandboxed dry-run forward pass; says why a file is rejected."""
    from lemonade.sandbox.resource import Sandbox

    if not model_py.exists():
        raise UserError(f"no such file: {model_py}")
    with Sandbox() as sandbox:
        rep = check_file(model_py, dry_run=not no_run, in_channels=in_channels,
                         image_size=image_size, num_classes=num_classes, timeout_s=timeout,
                         sandbox=sandbox)
    if rep.normalized:
        console.print(f"normalized: {rep.normalized}", highlight=False, markup=False)
    for v in rep.violations:
        console.print(f"[red]✗[/] {model_py}:{v.line}:{v.col}: {v.message}", highlight=False)
    if rep.runtime_error:
        console.print(f"[red]✗[/] dry run: {rep.runtime_error}", highlight=False)
    if not rep.ok:
        n = len(rep.violations) + (1 if rep.runtime_error else 0)
        raise UserError(f"{model_py} rejected ({n} problem{'s' if n != 1 else ''})")
    extra = ""
    if rep.params is not None:
        extra = f": {rep.params:,} parameters, output shape {tuple(rep.output_shape or ())}"
    console.print(f"[green]✓[/] {model_py} passes{extra}", highlight=False)


# --------------------------------------------------------------------------------------------
# report / export / runs / show
# --------------------------------------------------------------------------------------------
@app.command()
@cli_errors
def report(run_dir: Annotated[Path, typer.Argument(help="A run directory.")]) -> None:
    """Write RUN_DIR/report.html (self-contained, opens offline)."""
    _need_run(run_dir)
    path = _write_report(run_dir)
    console.print(f"report written to {path}")


@app.command()
@cli_errors
def export(
    run_dir: Annotated[Path, typer.Argument(help="A run directory.")],
    candidate: Annotated[int | None, typer.Option(help="Candidate id (default: best).")] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="onnx | torchscript")] = "onnx",
    out: Annotated[Path | None, typer.Option(help="Output file.")] = None,
    timeout: Annotated[float, typer.Option(
        help="Seconds the sandboxed export may take.", min=1)] = 600.0,
) -> None:
    """Export the best (or a chosen) model with its weights, in the sandbox, and check it against
    the torch graph on the validation split (refused when argmax differs on > 0.1%)."""
    from lemonade.export import export_model
    from lemonade.sandbox.resource import Sandbox

    _need_run(run_dir)
    if format not in ("onnx", "torchscript"):
        raise UserError(f"unknown format {format!r}; allowed: onnx, torchscript")
    with Sandbox() as sandbox:
        res = export_model(run_dir, candidate_id=candidate, fmt=format, out=out,
                           timeout_s=timeout, sandbox=sandbox)
    verdict = "[green]matches PyTorch[/]" if res.ok else "[red]DIFFERS from PyTorch[/]"
    diff = "n/a" if res.max_abs_diff is None else f"{res.max_abs_diff:.2e}"
    agree = "n/a" if res.argmax_agreement is None else f"{100 * res.argmax_agreement:.2f}%"
    console.print(f"{res.fmt} model written to {res.path} ({res.size_bytes:,} bytes); "
                  f"parity on {res.parity_images} {res.parity_split} images: max |logit diff| "
                  f"{diff}, argmax agreement {agree}: {verdict}", highlight=False)
    if res.note:
        console.print(f"note: {res.note}", highlight=False)
    if not res.ok:
        raise typer.Exit(1)


@app.command()
@cli_errors
def runs(directory: Annotated[Path, typer.Argument(help="Folder holding runs.")] = Path("runs")
         ) -> None:
    """A table of the runs under DIRECTORY."""
    if not directory.exists():
        raise UserError(f"no such folder: {directory}")
    found = sorted(p.parent for p in directory.glob("*/run.db"))
    if (directory / "run.db").exists():
        found.insert(0, directory)
    if not found:
        console.print(f"no runs under {directory}")
        return
    console.print(runs_table(found))


@app.command()
@cli_errors
def show(run_dir: Annotated[Path, typer.Argument(help="A run directory.")]) -> None:
    """The candidates of one run."""
    _need_run(run_dir)
    console.print(candidates_table(run_dir))


@app.command()
@cli_errors
def dashboard(
    runs_dir: Annotated[Path, typer.Argument(help="Folder holding runs (or one run).")] = Path(
        "runs"),
    port: Annotated[int, typer.Option(help="TCP port (0: any free port).", min=0,
                                      max=65535)] = 8765,
    host: Annotated[str, typer.Option(help="Address to bind; the default is this machine "
                                           "only.")] = "127.0.0.1",
    poll: Annotated[float, typer.Option(help="Seconds between the pages' refresh checks.",
                                        min=0.25)] = 2.0,
) -> None:
    """A local, read-only web page over the runs, live while a search writes to them."""
    missing = missing_dependencies()
    if missing:
        raise UserError(f"the dashboard needs {', '.join(missing)}: {INSTALL_HINT}")
    if not runs_dir.is_dir():
        raise UserError(f"no such folder: {runs_dir}")
    from lemonade.dashboard.app import serve

    def ready(url: str) -> None:
        console.print(f"dashboard of {runs_dir} at [bold]{url}[/] (read-only; Ctrl-C stops it)",
                      highlight=False, soft_wrap=True)

    try:
        serve(runs_dir, host=host, port=port, poll_seconds=poll, on_ready=ready)
    except OSError as e:
        raise UserError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    except KeyboardInterrupt:
        pass


def _write_report(run_dir: Path) -> Path:
    """RUN_DIR/report.html, written (the report's plots import matplotlib: only when asked)."""
    from lemonade.report import write_report

    return write_report(run_dir)


def _need_run(run_dir: Path) -> None:
    if not (run_dir / "run.db").exists():
        raise UserError(f"{run_dir} is not a lemonade run (no run.db)")


def main() -> None:  # pragma: no cover - entry point
    app(prog_name="lemonade")


if __name__ == "__main__":  # pragma: no cover
    main()
