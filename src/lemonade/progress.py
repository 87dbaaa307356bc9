"""Terminal output (rich): live search progress, metric tables, run and candidate listings."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from lemonade import metrics as M
from lemonade.candidate import Candidate, rank
from lemonade.config import Config
from lemonade.hooks import Hooks
from lemonade.store import Store

_SHOWN = ("val_accuracy", "test_accuracy", "params", "flops", "latency_ms", "train_seconds",
          "train_energy_kwh")


def fmt_metric(name: str, v: float | None) -> str:
    if v is None:
        return "–"
    if name.endswith("accuracy"):
        return f"{100 * v:.2f}%"
    if name in ("params", "flops", "model_size_bytes", "peak_memory_bytes"):
        for unit, div in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
            if abs(v) >= div:
                return f"{v / div:.2f}{unit}"
        return f"{v:.0f}"
    if name in ("train_energy_kwh", "co2_kg"):
        return f"{v:.3g}"
    return f"{v:.3g}" if abs(v) < 100 else f"{v:,.0f}"


def metrics_table(ms: dict[str, M.Measurement], title: str = "metrics") -> Table:
    t = Table(title=title, title_justify="left")
    t.add_column("metric")
    t.add_column("value", justify="right")
    t.add_column("unit")
    t.add_column("how")
    for name in M.METRIC_NAMES:
        m = ms.get(name)
        if m is None:
            continue
        how = ", ".join(f"{k}={v}" for k, v in m.method.items() if v is not None)
        if m.value is None:
            t.add_row(name, "[yellow]unavailable[/]", m.unit, m.unavailable or "")
        else:
            t.add_row(name, fmt_metric(name, m.value), m.unit, how[:80])
    return t


@contextlib.contextmanager
def epoch_progress(console: Console, epochs: int, label: str
                   ) -> Iterator[Callable[[dict[str, Any]], None]]:
    """A progress bar fed by the worker's epoch events."""
    prog = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[info]}"), TimeElapsedColumn(), console=console,
                    transient=False)
    task = prog.add_task(label, total=epochs, info="")

    def on_event(ev: dict[str, Any]) -> None:
        if ev.get("event") != "epoch":
            return
        va = ev.get("val_accuracy")
        info = f"loss {ev.get('loss', float('nan')):.3f}" + (f" val {100 * va:.1f}%"
                                                             if va is not None else "")
        prog.update(task, completed=int(ev.get("epoch", 0)), info=info)

    with prog:
        yield on_event


def objectives_table(objectives: list[Any], sources: list[str] | None = None) -> Table:
    """The resolved objectives, one row each, with where each came from (user or preset)."""
    t = Table(title="objectives", title_justify="left")
    for col in ("metric", "goal", "threshold", "priority", "from"):
        t.add_column(col, justify="left" if col in ("metric", "from") else "right")
    for i, o in enumerate(objectives):
        src = sources[i] if sources and i < len(sources) else "?"
        t.add_row(o.metric, "≥" if o.goal == "max" else "≤", fmt_metric(o.metric, o.threshold),
                  f"{o.priority:g}", src)
    return t


class SearchDisplay:
    """Live view of a search: iteration and epoch bars over a table of the best candidates."""

    def __init__(self, console: Console, cfg: Config, quiet: bool = False) -> None:
        self.console = console
        self.cfg = cfg
        self.quiet = quiet
        self.objectives = cfg.resolved_objectives()
        self.rows: list[Candidate] = []
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TextColumn("{task.fields[info]}"),
                                 TimeElapsedColumn(), console=console)
        self.it_task = self.progress.add_task("iterations", total=cfg.budget.iterations, info="")
        # one epoch bar per candidate in training (several at once with parallel workers)
        self.ep_tasks: dict[int, Any] = {}
        self.live: Live | None = None

    def __enter__(self) -> SearchDisplay:
        if not self.quiet:
            self.live = Live(self._render(), console=self.console, refresh_per_second=4,
                             transient=True)
            self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.__exit__(None, None, None)
            self.live = None

    def _render(self) -> Group:
        return Group(self.best_table(), self.progress)

    def _refresh(self) -> None:
        if self.live is not None:
            self.live.update(self._render())

    def best_table(self, n: int = 5) -> Table:
        t = Table(title="best candidates", title_justify="left")
        for col in ("id", "iter", "CME", "feasible", *[o.metric for o in self.objectives]):
            t.add_column(col, justify="right")
        for r in rank(self.rows, self.objectives)[:n]:
            vals = r.values
            t.add_row(str(r.id), str(r.iteration), _cme(r.cme), "yes" if r.feasible else "no",
                      *[fmt_metric(o.metric, vals.get(o.metric)) for o in self.objectives])
        return t

    def hooks(self) -> Any:
        def on_start(info: dict[str, Any]) -> None:
            d = info["dataset"]
            improver = ("" if info.get("improver", "expert") == "expert"
                        else " + LLM prompt improver")
            self.console.print(f"[bold]lemonade search[/] → {info['run_dir']}\n"
                               f"  dataset {d['name']} {d['channels']}x{d['image_size'][0]}x"
                               f"{d['image_size'][1]}, {d['num_classes']} classes, "
                               f"{d['n_train']} train / {d['n_val']} val / {d['n_test']} test\n"
                               f"  proposer {info['proposer']}{improver}",
                               highlight=False)
            self.console.print(objectives_table(info["objectives"],
                                                info.get("objective_sources")))
            self.progress.update(self.it_task, completed=info.get("iterations_done", 0))

        def on_candidate_start(cid: int, it: int, kind: str) -> None:
            epochs = self.cfg.budget.proxy_epochs or self.cfg.budget.epochs
            self.ep_tasks[cid] = self.progress.add_task(f"candidate {cid} (iter {it})",
                                                        total=epochs, info="")
            self._refresh()

        def on_epoch(cid: int, ev: dict[str, Any]) -> None:
            va = ev.get("val_accuracy")
            info = f"loss {ev.get('loss', float('nan')):.3f}" + (
                f" val {100 * va:.1f}%" if va is not None else "")
            task = self.ep_tasks.get(cid)
            if task is not None:
                total = ev.get("epochs")
                self.progress.update(task, completed=int(ev.get("epoch", 0)), info=info,
                                     total=int(total) if isinstance(total, int) else None)

        def on_candidate_end(row: Candidate, is_best: bool) -> None:
            self.rows.append(row)
            its = {r.iteration for r in self.rows}
            self.progress.update(self.it_task, completed=max(len(its), 0))
            task = self.ep_tasks.pop(row.id, None)
            if task is not None:
                self.progress.remove_task(task)
            if row.ok:
                vals = row.values
                star = " [bold green]★ new best[/]" if is_best else ""
                msg = (f"#{row.id:<3} iter {row.iteration:<2} ok   CME {_cme(row.cme)} "
                       f"val {fmt_metric('val_accuracy', vals.get('val_accuracy'))} "
                       f"params {fmt_metric('params', vals.get('params'))} "
                       f"lat {fmt_metric('latency_ms', vals.get('latency_ms'))}ms{star}")
            else:
                msg = (f"#{row.id:<3} iter {row.iteration:<2} [red]{row.status}[/]: "
                       f"{(row.reason or '')[:110]}")
            if not self.quiet or is_best:
                self.console.print(msg, highlight=False)
            self._refresh()

        def on_message(text: str) -> None:
            self.console.print(f"[dim]{text}[/]")

        return Hooks(on_start=on_start, on_candidate_start=on_candidate_start, on_epoch=on_epoch,
                     on_candidate_end=on_candidate_end, on_message=on_message)

    def summary(self, result: Any, report_path: Path | None) -> None:
        c = self.console
        counts = ", ".join(f"{k} {v}" for k, v in sorted(result.counts.items()))
        c.print(f"\n[bold]{result.status}[/] in {result.seconds:.0f}s: {counts}")
        if self.rows:
            c.print(self.best_table())
        best, base = result.best, result.baseline
        if best is None:
            c.print("[yellow]no candidate trained successfully[/]")
        else:
            vals = best.values
            c.print(f"best: candidate {best.id} (CME {_cme(best.cme)}, "
                    f"{'feasible' if best.feasible else 'not feasible'}), test accuracy "
                    f"{fmt_metric('test_accuracy', vals.get('test_accuracy'))}, params "
                    f"{fmt_metric('params', vals.get('params'))}", highlight=False)
            if base is not None and base.id != best.id:
                c.print(f"starting model: candidate {base.id} (CME {_cme(base.cme)})",
                        highlight=False)
            c.print(f"best model: {result.run_dir / 'best' / 'model.py'} (+ weights.pt, "
                    "metrics.json)")
        if report_path:
            c.print(f"report: {report_path}")


def _cme(v: float | None) -> str:
    return f"{v:+.3f}" if v is not None else "–"


def runs_table(run_dirs: list[Path]) -> Table:
    t = Table(title="runs", title_justify="left")
    for col in ("run", "dataset", "proposer", "status", "candidates", "best CME", "best test acc",
                "started"):
        t.add_column(col)
    for d in run_dirs:
        try:
            st = Store.open(d)
            meta = st.meta()
            s = st.summary()
            best = s.get("best")
            vals = best.values if best is not None else {}
            t.add_row(str(d), meta.get("dataset", "?"), meta.get("model") or
                      meta.get("proposer", "?"), meta.get("status", "?"),
                      str(s["candidates"]), _cme(best.cme if best is not None else None),
                      fmt_metric("test_accuracy", vals.get("test_accuracy")),
                      (meta.get("started_at") or "")[:19])
            st.close()
        except Exception as e:  # one unreadable run must not hide the others
            t.add_row(str(d), "?", "?", f"[red]unreadable: {e}[/]", "", "", "", "")
    return t


def candidates_table(run_dir: Path) -> Table:
    st = Store.open(run_dir)
    objs = [o.metric for o in st.run_objectives()]
    t = Table(title=f"candidates of {run_dir}", title_justify="left")
    for col in ("id", "iter", "status", "CME", "feasible", *objs,
                "seconds", "reason"):
        t.add_column(col)
    for c in st.candidates():
        vals = c.values
        t.add_row(str(c.id), str(c.iteration), str(c.status), _cme(c.cme),
                  "yes" if c.feasible else "no",
                  *[fmt_metric(m, vals.get(m)) for m in objs],
                  f"{c.seconds or 0:.1f}", (c.reason or "")[:60])
    st.close()
    return t
