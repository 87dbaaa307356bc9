"""What the dashboard shows, read from the run stores (read-only) into plain dicts for templates.

Nothing here writes: stores are opened through SQLite's read-only mode (`mode=ro`), so a page view
can never change a run, even one a search is writing at that moment (WAL lets readers and the
writer work side by side). Every string taken from a store (candidate code, failure reasons,
advice, run names) is data: the templates escape it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from markupsafe import Markup

from lemonade import metrics as M
from lemonade.expert import Advice
from lemonade.objectives import pareto_indices
from lemonade.progress import fmt_metric
from lemonade.report_lineage import lineage_html, starting_model
from lemonade.store import DB_NAME, Store

ACCURACY_METRICS = ("val_accuracy", "test_accuracy", "train_accuracy")
MAX_REASON = 160


class ReadOnlyStore(Store):
    """A `Store` whose connection is opened read-only (`Store.open` works on it unchanged)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        uri = self.path.resolve().as_uri() + "?mode=ro"
        self._conn = sqlite3.connect(uri, uri=True, timeout=10.0, check_same_thread=False,
                                     isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA query_only=ON")
        self._conn.execute("PRAGMA busy_timeout=10000")


def get(obj: Any, key: str, default: Any = None) -> Any:
    """A field of a candidate record, whether it is a mapping or an object with attributes."""
    if isinstance(obj, Mapping):
        return obj.get(key, default)
    return getattr(obj, key, default)


def discover(runs_dir: Path) -> dict[str, Path]:
    """{run name: run dir} for RUNS_DIR/*/run.db, and RUNS_DIR itself when it is a run."""
    found: dict[str, Path] = {}
    if (runs_dir / DB_NAME).is_file():
        found[runs_dir.resolve().name] = runs_dir
    for db in sorted(runs_dir.glob(f"*/{DB_NAME}")):
        found.setdefault(db.parent.name, db.parent)
    return found


def fingerprint(run_dirs: list[Path]) -> str:
    """Changes whenever a store is written (run.db and its WAL's size and mtime): cheap to poll."""
    h = hashlib.sha256()
    for d in run_dirs:
        for name in (DB_NAME, DB_NAME + "-wal"):
            try:
                st = (d / name).stat()
                h.update(f"{d}/{name}:{st.st_size}:{st.st_mtime_ns}\n".encode())
            except OSError:
                h.update(f"{d}/{name}:-\n".encode())
    return h.hexdigest()[:16]


def _fmt(name: str, value: float | None) -> str:
    return fmt_metric(name, value)


def _cme(v: Any) -> str:
    return f"{v:+.3f}" if isinstance(v, int | float) else "–"


def run_summary(name: str, run_dir: Path) -> dict[str, Any]:
    """One row of the runs table (the columns of `lemonade runs`)."""
    row: dict[str, Any] = {"name": name, "path": str(run_dir)}
    try:
        with ReadOnlyStore.open(run_dir) as st:
            meta = st.meta()
            cands = st.candidates()
            best = st.best_candidate()
    except Exception as e:  # one unreadable run must not hide the others
        row.update(error=f"unreadable: {type(e).__name__}: {e}")
        return row
    vals = M.values(get(best, "metrics") or {}) if best is not None else {}
    row.update(
        dataset=meta.get("dataset", "?"),
        proposer=meta.get("model") or meta.get("proposer", "?"),
        status=meta.get("status", "?"),
        candidates=len(cands),
        best_cme=_cme(get(best, "cme")) if best is not None else "–",
        best_test_acc=_fmt("test_accuracy", vals.get("test_accuracy")),
        started=str(meta.get("started_at") or "")[:19].replace("T", " "),
    )
    return row


def _advice(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The latest advice: its iteration, diagnosis and instruction texts."""
    if not rows:
        return None
    last = rows[-1]
    doc = get(last, "advice") or {}
    out: dict[str, Any] = {"iteration": get(last, "iteration"),
                           "candidate_id": get(last, "candidate_id"),
                           "diagnosis": [str(d) for d in doc.get("diagnosis") or []],
                           "instructions": [], "conflicts": []}
    try:
        adv = Advice.from_json(doc)
        out["instructions"] = [i.text() for i in adv.instructions]
        out["conflicts"] = [c.why for c in adv.conflicts]
    except Exception:
        out["instructions"] = [json.dumps(i, default=str) for i in doc.get("instructions") or []]
    return out


def _pareto(points: list[tuple[float, float]]) -> list[int]:
    try:
        return list(pareto_indices(points))
    except Exception:
        return []


def _plots(rows: list[dict[str, Any]], objs: list[Any], best_id: int | None,
           start_id: int | None = None) -> dict[str, Any]:
    """Numbers only (no strings from the store): CME per candidate, and a Pareto view with the
    user's thresholds on its two metrics (None where no objective names one) and the starting
    model."""
    cme_x, cme_y, feas, best_so_far, running = [], [], [], [], None
    for r in rows:
        if isinstance(r["cme_value"], int | float):
            cme_x.append(r["id"])
            cme_y.append(r["cme_value"])
            feas.append(bool(r["feasible_value"]))
            running = r["cme_value"] if running is None else max(running, r["cme_value"])
            best_so_far.append(running)
    metric_names = [str(o.metric) for o in objs]
    acc = next((m for m in [*metric_names, *ACCURACY_METRICS] if m in ACCURACY_METRICS),
               "val_accuracy")
    cost = next((str(o.metric) for o in objs if o.goal == "min"), "params")
    ids, xs, ys = [], [], []
    for r in rows:
        v = r["values"]
        if r["status"] == "ok" and acc in v and cost in v:
            ids.append(r["id"])
            xs.append(v[cost])
            ys.append(v[acc])
    front = sorted(_pareto(list(zip(ys, xs, strict=True))), key=lambda i: xs[i])
    threshold = {str(o.metric): float(o.threshold) for o in objs}
    return {
        "cme": {"x": cme_x, "y": cme_y, "feasible": feas, "best_so_far": best_so_far},
        "pareto": {"x_name": cost, "y_name": acc, "ids": ids, "x": xs, "y": ys,
                   "front": [ids[i] for i in front], "best_id": best_id, "start_id": start_id,
                   "x_threshold": threshold.get(cost), "y_threshold": threshold.get(acc)},
    }


def run_view(name: str, run_dir: Path) -> dict[str, Any]:
    """Everything the run page shows."""
    with ReadOnlyStore.open(run_dir) as st:
        meta = st.meta()
        cands = st.candidates()
        best = st.best_candidate()
        objs = st.run_objectives()
        advice_rows = st.advice()
    advice = _advice(advice_rows)
    start = starting_model(cands)
    metric_names = [str(o.metric) for o in objs]
    best_id = get(best, "id") if best is not None else None
    rows = []
    for c in cands:
        vals = M.values(get(c, "metrics") or {})
        reason = str(get(c, "reason") or "")
        rows.append({
            "id": get(c, "id"), "iteration": get(c, "iteration"),
            "status": str(get(c, "status")), "cme": _cme(get(c, "cme")),
            "cme_value": get(c, "cme"), "feasible_value": get(c, "feasible"),
            "feasible": "yes" if get(c, "feasible") else "no",
            "metrics": [_fmt(m, vals.get(m)) for m in metric_names],
            "values": vals, "seconds": f"{get(c, 'seconds') or 0:.1f}",
            "reason": reason[:MAX_REASON] + ("…" if len(reason) > MAX_REASON else ""),
            "is_best": get(c, "id") == best_id,
        })
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    objectives = [{"metric": str(o.metric), "goal": str(o.goal), "threshold": o.threshold,
                   "priority": o.priority} for o in objs]
    best_view = None
    if best is not None:
        bvals = M.values(get(best, "metrics") or {})
        best_view = {"id": best_id, "cme": _cme(get(best, "cme")),
                     "feasible": "yes" if get(best, "feasible") else "no",
                     "code": str(get(best, "code") or ""),
                     "metrics": [(m, _fmt(m, bvals.get(m))) for m in M.METRIC_NAMES
                                 if m in bvals]}
    return {
        "name": name, "path": str(run_dir),
        "dataset": meta.get("dataset", "?"),
        "proposer": meta.get("model") or meta.get("proposer", "?"),
        "status": meta.get("status", "?"),
        "started": str(meta.get("started_at") or "")[:19].replace("T", " "),
        "finished": str(meta.get("finished_at") or "")[:19].replace("T", " "),
        "objectives": objectives, "metric_names": metric_names,
        "rows": rows, "counts": counts, "best": best_view, "advice": advice,
        "plots": _plots(rows, objs, best_id, start.id if start else None),
        # built and escaped by report_lineage (the report's own view), so marked safe here
        "lineage": Markup(lineage_html(cands, objs, advice_rows, best_id)),
    }
