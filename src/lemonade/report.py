"""The run report: one self-contained `report.html` written from the run store.

Self-contained means it opens offline years later: inline CSS, plots as PNG `data:` URIs, no
scripts or fonts from anywhere (the one inline script only counts decoded images for tests).

The best model's layers: candidate code is untrusted, so the report never runs it. When the loop
stored a layer summary (`layers`: [{name, type, params}] in the candidate's metrics document or its
`extra` annotations) that is shown; otherwise the `nn.*` constructor calls found by parsing the code
with `ast` are listed (static: no parameter counts, but nothing executes).
"""

from __future__ import annotations

import ast
import json
import math
import shlex
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from lemonade import __version__, plots, report_lineage
from lemonade.candidate import FAILURES, Candidate
from lemonade.metrics import METRICS
from lemonade.objectives import describe_gap, ratio
from lemonade.proposers import NO_LLM_MODELS
from lemonade.report_html import esc, html_table
from lemonade.report_stops import prescreen_rule, section_stops
from lemonade.store import Store
from lemonade.units import human

Row = Mapping[str, Any]

# USD per 1M tokens (input, output): OpenAI list prices from openai.com/api/pricing, as of
# 2025-08. Prices change: this is an estimate, labelled as such in the report. A dated model
# name (gpt-4o-2024-08-06) takes the price of its longest listed prefix.
OPENAI_PRICES_PER_MTOK: dict[str, tuple[float, float]] = {
    "gpt-5": (1.25, 10.00),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5-nano": (0.05, 0.40),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4-turbo": (10.00, 30.00),
    "gpt-3.5-turbo": (0.50, 1.50),
    "o1": (15.00, 60.00),
    "o3": (2.00, 8.00),
    "o3-mini": (1.10, 4.40),
    "o4-mini": (1.10, 4.40),
}
ACCURACY_METRICS = ("val_accuracy", "test_accuracy", "train_accuracy")
PARETO_COSTS = ("params", "latency_ms", "train_energy_kwh")
FAILED = FAILURES  # failed, timeout, crashed, rejected, interrupted
ROLES = ("improver", "generator", "repair")  # llm_calls.kind; older runs call the generator
ROLE_NAMES = {"propose": "generator"}  # "propose"


# ---- small pure helpers ------------------------------------------------------------------------
def price_for(model: str | None) -> tuple[float, float] | None:
    """(input, output) USD per 1M tokens of a known OpenAI model, else None."""
    if not model:
        return None
    name = model.strip().lower()
    match = max((k for k in OPENAI_PRICES_PER_MTOK if name == k or name.startswith(k + "-")),
                key=len, default=None)
    return OPENAI_PRICES_PER_MTOK[match] if match else None


def estimate_cost(calls: Sequence[Row], base_url: str | None) -> float | None:
    """Estimated USD of the run's LLM calls, or None when any call's price is unknown.

    Only for OpenAI's own endpoint: a local server or another provider is priced differently."""
    if base_url and "api.openai.com" not in base_url:
        return None
    total = 0.0
    for c in calls:
        usage = c.get("usage") or {}
        p = int(usage.get("prompt_tokens", usage.get("input_tokens", 0)) or 0)
        o = int(usage.get("completion_tokens", usage.get("output_tokens", 0)) or 0)
        if p == 0 and o == 0:
            continue  # offline proposer or an error before any tokens: costs nothing
        price = price_for(c.get("model"))
        if price is None:
            return None
        total += (p * price[0] + o * price[1]) / 1e6
    return total


def role_of(call: Row) -> str:
    kind = str(call.get("kind") or "generator")
    return ROLE_NAMES.get(kind, kind)


def role_stats(calls: Sequence[Row]) -> dict[str, dict[str, Any]]:
    """Per role (improver, generator, repair): calls, errors, tokens, latency, models."""
    out: dict[str, dict[str, Any]] = {}
    for c in calls:
        if c.get("model") in NO_LLM_MODELS:
            continue  # no LLM behind these
        r = out.setdefault(role_of(c), {"calls": 0, "errors": 0, "prompt": 0, "completion": 0,
                                        "latency_s": 0.0, "models": set(), "rows": []})
        usage = c.get("usage") or {}
        r["calls"] += 1
        r["errors"] += bool(c.get("error"))
        r["prompt"] += int(usage.get("prompt_tokens", usage.get("input_tokens", 0)) or 0)
        r["completion"] += int(usage.get("completion_tokens", usage.get("output_tokens", 0)) or 0)
        r["latency_s"] += float(c.get("latency_s") or 0.0)
        r["models"].add(str(c.get("model") or "?"))
        r["rows"].append(c)
    order = {name: i for i, name in enumerate(ROLES)}
    return dict(sorted(out.items(), key=lambda kv: order.get(kv[0], 99)))


def _role_base_url(role: str, proposer: Mapping[str, Any]) -> str | None:
    improver = proposer.get("improver") or {}
    if role == "improver" and isinstance(improver, Mapping) and improver.get("base_url"):
        return improver.get("base_url")
    return proposer.get("base_url")


def run_cost(calls: Sequence[Row], proposer: Mapping[str, Any]) -> float | None:
    """Estimated USD of every role's calls, each priced at its own endpoint; None if unknown."""
    total = 0.0
    for role, st in role_stats(calls).items():
        cost = estimate_cost(st["rows"], _role_base_url(role, proposer))
        if cost is None:
            return None
        total += cost
    return total


def _improver_text(proposer: Mapping[str, Any]) -> str:
    imp = proposer.get("improver")
    if not isinstance(imp, Mapping):
        return "the rule-based expert system (no improver LLM configured)"
    model = imp.get("model") or proposer.get("model") or "?"
    where = imp.get("base_url") or proposer.get("base_url") or "OpenAI"
    return f"LLM {model} at {where}"


def layers_from_code(source: str) -> list[dict[str, str]]:
    """`nn.*` constructor calls in model source, found statically: [{name, type, args, line}].

    `name` is the attribute or variable the layer is assigned to ("" inside a container)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    targets: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Call):
            tgt = node.targets[0] if isinstance(node, ast.Assign) else node.target
            targets[id(node.value)] = ast.unparse(tgt)
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        owner = ast.unparse(node.func.value)
        if owner not in ("nn", "torch.nn") or not node.func.attr[:1].isupper():
            continue
        args = ", ".join([ast.unparse(a) for a in node.args]
                         + [f"{k.arg}={ast.unparse(k.value)}" for k in node.keywords if k.arg])
        out.append({"name": targets.get(id(node), ""), "type": node.func.attr,
                    "args": args if len(args) <= 120 else args[:117] + "...",
                    "line": str(node.lineno)})
    out.sort(key=lambda d: int(d["line"]))
    return out


def stored_layers(cand: Candidate) -> list[dict[str, Any]] | None:
    for holder in (cand.metrics, cand.extra):
        layers = holder.get("layers") if isinstance(holder, Mapping) else None
        if isinstance(layers, list) and layers:
            return [d for d in layers if isinstance(d, dict)]
    return None


def _fmt_num(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if not math.isfinite(v):
            return str(v)
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def _seconds(v: Any) -> str:
    try:
        return f"{float(v):.1f} s"
    except (TypeError, ValueError):
        return "-"


def _method(m: Any, unit: Any = None) -> str:
    """A measurement record folded away: one line per field, shown on demand."""
    if not isinstance(m, Mapping) or not m:
        return '<span class="muted">not recorded</span>'
    items = [(k, v) for k, v in m.items() if v is not None]
    if unit:
        items.insert(0, ("unit", unit))
    rows = "".join(f"<dt>{esc(k)}</dt><dd>{esc(_record_value(v))}</dd>" for k, v in items)
    return (f'<details class="record"><summary>how measured</summary><dl>{rows}</dl>'
            "</details>")


def _record_value(v: Any) -> str:
    if isinstance(v, Mapping | list):
        return json.dumps(v, default=str)
    return str(v)


# ---- sections ----------------------------------------------------------------------------------
class _Ctx:
    """What every section reads, loaded from the store once."""

    def __init__(self, store: Store, run_dir: Path | None = None) -> None:
        self.meta = store.meta()
        self.rows = store.candidates()
        self.calls = store.llm_calls()
        self.advice = store.advice()
        self.summary = store.summary()
        self.best = self.summary["best"]
        self.objectives = store.run_objectives()
        self.config = _config_dict(store.config_yaml())
        self.values = {r.id: r.values for r in self.rows}
        self.run_dir: Path | None = run_dir or (
            Path(store.path).parent if getattr(store, "path", None) else None)
        self.start = report_lineage.starting_model(self.rows)


def _config_dict(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        import yaml

        data = yaml.safe_load(text)
        return data if isinstance(data, dict) else {}
    except Exception:
        return {}


def section_summary(ctx: _Ctx) -> str:
    m, s = ctx.meta, ctx.summary
    prop = ctx.config.get("proposer") or {}
    proposer = m.get("proposer") or prop.get("kind") or "?"
    model = m.get("model") or prop.get("model")
    info = m.get("dataset_info")
    if isinstance(info, str):
        try:
            info = json.loads(info)
        except ValueError:
            info = None
    dataset = m.get("dataset") or (ctx.config.get("dataset") or {}).get("name") or "?"
    if isinstance(info, Mapping):
        shape = f"{info.get('channels')}x{'x'.join(map(str, info.get('image_size') or []))}"
        dataset += f" ({shape}, {info.get('num_classes')} classes)"
    by_status = ", ".join(f"{k}: {v}" for k, v in sorted(s["by_status"].items())) or "none"
    cost = run_cost(ctx.calls, prop) if proposer == "openai" else None
    cost_txt = f"${cost:.4f} (estimate, list prices 2025-08)" if cost is not None else "n/a"
    roles = role_stats(ctx.calls)
    by_role = ", ".join(f"{r}: {roles[r]['calls']}" for r in roles) or "none"
    items = [
        ("Run", m.get("name") or m.get("run_name")), ("Dataset", dataset),
        ("Proposer", f"{proposer}" + (f" / {model}" if model and model != proposer else "")),
        ("Status", m.get("status")), ("Started", m.get("started_at")),
        ("Finished", m.get("finished_at") or "-"),
        ("Search time", _seconds(m.get("seconds_spent"))),
        ("Candidates", f"{s['candidates']} ({by_status})"),
        ("LLM calls", f"{s['llm_calls']} ({by_role}; {s['llm_errors']} with errors)"),
        ("Prompt improver", _improver_text(prop)),
        ("Prescreen", prescreen_rule(ctx)),
        ("Tokens", f"{s['total_tokens']:,} (prompt {s['prompt_tokens']:,}, "
                   f"completion {s['completion_tokens']:,})"),
        ("Estimated LLM cost", cost_txt),
        ("Best candidate", f"#{ctx.best.id} (iteration {ctx.best.iteration})"
         if ctx.best else "none (no candidate finished ok)"),
        ("Host", f"{m.get('host', '?')} / {m.get('platform', '')} / python "
                 f"{m.get('python', '?')} / lemonade {m.get('lemonade_version', '?')}"),
    ]
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in items)
    return f'<section id="summary"><h2>Run details</h2><table class="kv">{rows}</table></section>'


def objective_origins(config: Mapping[str, Any], n: int) -> list[str]:
    """Where each of the run's n objectives came from ("user", "preset NAME"), as its
    config.yaml recorded it; "?" for a run written before the record existed."""
    got = config.get("objective_origins")
    if isinstance(got, list) and len(got) == n:
        return [str(g) for g in got]
    return ["?"] * n


def _commands(ctx: _Ctx) -> str:
    run = shlex.quote(str(ctx.run_dir)) if ctx.run_dir else "RUN_DIR"
    finalized = bool(ctx.run_dir and (ctx.run_dir / "final" / "metrics.json").is_file())
    steps = []
    if not finalized:
        steps.append((f"lemonade finalize {run}",
                      "retrain it on train+val with the longer schedule and measure every metric "
                      "again (test accuracy on the untouched test split); writes final/"))
    steps.append((f"lemonade export {run}",
                  "write it as ONNX with its weights, checked against PyTorch"
                  + (" (uses final/)" if finalized else "")))
    items = "".join(f"<li><code>{esc(cmd)}</code> — {esc(why)}</li>" for cmd, why in steps)
    done = ('<p class="muted">Already finalized: the retrained model is in final/ (below).</p>'
            if finalized else "")
    return f'<h3>What to do next</h3>{done}<ol class="next">{items}</ol>'


def section_answer(ctx: _Ctx) -> str:
    """First the answer: the best model, its metrics against the thresholds, the next commands."""
    b = ctx.best
    if b is None:
        n = len(ctx.rows)
        return ('<section id="answer"><h2>The answer</h2><p class="verdict bad">No model: '
                f"none of the {n} candidate{'s' if n != 1 else ''} finished ok. The failures "
                'below say why.</p><p id="objectives" class="muted">Objectives: '
                + (esc(", ".join(f"{o.metric} {o.goal} {human(o.metric, o.threshold)}"
                                 for o in ctx.objectives)) or "none recorded")
                + "</p></section>")
    vals = ctx.values.get(b.id, {})
    rows, missed = [], []
    origins = objective_origins(ctx.config, len(ctx.objectives))
    for o, origin in zip(ctx.objectives, origins, strict=True):
        v = vals.get(o.metric)
        met = v is not None and ratio(o, v) >= 0
        if not met:
            missed.append(o.metric)
        verdict = (f'<span class="ok">✓ met</span> <span class="muted">'
                   f"{esc(describe_gap(o, v))}</span>" if met else
                   f'<span class="bad">✗ missed</span> <span class="muted">'
                   f"{esc(describe_gap(o, v))}</span>")
        start = ctx.values.get(ctx.start.id, {}).get(o.metric) if ctx.start else None
        rows.append([esc(o.metric), f"{'≥' if o.goal == 'max' else '≤'} "
                     f"{esc(human(o.metric, o.threshold))}",
                     f'<b title="{esc(v)}">{esc(human(o.metric, v))}</b>', verdict,
                     esc(human(o.metric, start)), esc(_fmt_num(o.priority)), esc(origin)])
    total = len(ctx.objectives)
    if not total:
        line = "no objectives recorded"
    elif not missed:
        line = f"meets all {total} threshold{'s' if total != 1 else ''}"
    else:
        line = f"misses {len(missed)} of {total} thresholds ({', '.join(missed)})"
    cls = "ok" if not missed else "bad"
    extra = [m for m in ("test_accuracy", "latency_ms", "model_size_bytes", "params",
                         "int8_val_accuracy", "int8_model_size_bytes", "int8_latency_ms",
                         "onnx_argmax_agreement")
             if m in vals and m not in {o.metric for o in ctx.objectives}]
    also = ("<p>Also measured: " + ", ".join(
        f"{esc(m)} <b>{esc(human(m, vals[m]))}</b>" for m in extra)
        + (' <span class="muted">(test accuracy is reported only: it never ranks or reaches a '
           "prompt)</span>" if "test_accuracy" in extra else "") + "</p>") if extra else ""
    headline = (f'<p class="verdict {cls}">Best model: <a href="#cand-{esc(b.id)}">candidate '
                f"#{esc(b.id)}</a> (iteration {esc(b.iteration)}, CME "
                f"{esc(f'{b.cme:+.3f}' if b.cme is not None else '–')}) "
                f"{esc(line)}.</p>")
    if missed:
        headline += ('<p class="muted">No candidate meets every threshold: this is the closest '
                     "by the combined score. Search longer (<code>lemonade resume RUN --iterations "
                     "N</code>) or revisit the thresholds.</p>")
    start_head = (f"start #{ctx.start.id}" if ctx.start else "start")
    headers = ["objective", "threshold", "best", "", start_head, "priority", "from"]
    if all(o == "?" for o in origins):  # a run from before origins were recorded
        headers, rows = headers[:-1], [r[:-1] for r in rows]
    table = html_table(headers, rows, "answer")
    note = ('<details><summary>how the combined score (CME) is made</summary><p class="muted">'
            "r: the factor q by which a value beats its threshold (value/threshold, "
            "threshold/value for a min goal, error rates for an accuracy), as 1 - 1/q when met "
            "and q - 1 when missed, in [-1, 1]; CME is their priority-weighted mean.</p>"
            "</details>")
    return ('<section id="answer"><h2>The answer</h2>' + headline
            + f'<div id="objectives">{table}</div>' + also + note + _commands(ctx)
            + "</section>")


def section_candidates(ctx: _Ctx) -> str:
    """Every candidate: the lineage tree (click a node for its diff) and one table row each."""
    best_id = ctx.best.id if ctx.best else None
    tree = report_lineage.lineage_html(ctx.rows, ctx.objectives, ctx.advice, best_id)
    metrics = [o.metric for o in ctx.objectives]
    rows = []
    for r in ctx.rows:
        v = ctx.values[r.id]
        parent = f'<a href="#cand-{r.parent_id}">#{r.parent_id}</a>' \
            if r.parent_id is not None else "–"
        status = esc(r.status) + (" ★" if r.id == best_id else "")
        rows.append([f'<a href="#cand-{r.id}">#{r.id}</a>', esc(r.iteration), parent, status,
                     esc(_fmt_num(r.cme) if r.cme is not None else "–"),
                     "yes" if r.feasible else "no", *[esc(human(m, v.get(m))) for m in metrics]])
    table = (html_table(["candidate", "iteration", "parent", "status", "CME", "feasible", *metrics],
                    rows, "candidates") if rows else "")
    return ('<section id="candidates"><h2>Candidates and their lineage</h2><p class="muted">'
            "Each candidate was written from its parent: click a node to see the change in "
            "every objective, the suggestion and advice that produced it, and its diff.</p>"
            + tree + table + "</section>")


def _metrics_table(doc: Mapping[str, Any]) -> str:
    """A metrics document (keyed by metric name) as a table with each value's method."""
    rows = []
    for name in sorted(doc, key=lambda k: list(METRICS).index(k) if k in METRICS else 99):
        rec = doc[name]
        if name not in METRICS or not isinstance(rec, Mapping):
            continue
        value = rec.get("value")
        shown = (f'<span title="{esc(value)} {esc(rec.get("unit", ""))}">'
                 f"{esc(human(name, value))}</span>" if value is not None
                 else f'<span class="muted">unavailable: {esc(rec.get("unavailable"))}</span>')
        rows.append([esc(name), shown, _method(rec.get("method"), rec.get("unit"))])
    return html_table(["metric", "value", "measurement record"], rows, "metrics") if rows else (
        '<p class="note">No metrics recorded.</p>')


def section_final(ctx: _Ctx) -> str:
    """The retrained winner (`lemonade finalize` / budget.final_epochs), when final/ exists."""
    final = ctx.run_dir / "final" if ctx.run_dir else None
    if final is None or not (final / "metrics.json").is_file():
        return ""
    try:
        metrics = json.loads((final / "metrics.json").read_text())
        cand = json.loads((final / "candidate.json").read_text())
    except (OSError, ValueError):
        return ('<section id="final"><h2>Final model</h2><p class="note">final/ is there but '
                "unreadable.</p></section>")
    if not isinstance(metrics, dict) or not isinstance(cand, dict):
        return ""
    raw_stats = cand.get("test_accuracy")
    stats: dict[str, Any] = raw_stats if isinstance(raw_stats, dict) else {}
    spread = ""
    if stats.get("mean") is not None:
        spread = (f"; test accuracy over {esc(len(cand.get('seeds') or []))} seed(s): mean "
                  f"{esc(_fmt_num(stats.get('mean')))}, std {esc(_fmt_num(stats.get('std')))}")
    head = (f"<p>Candidate #{esc(cand.get('candidate_id'))} retrained on "
            f"{esc(cand.get('trained_on', 'train+val'))} for {esc(cand.get('epochs'))} epochs"
            f"{spread}. <code>lemonade export</code> uses this model.</p>")
    return ('<section id="final"><h2>Final model</h2>' + head + _metrics_table(metrics)
            + "</section>")


def section_best(ctx: _Ctx) -> str:
    b = ctx.best
    if b is None:
        return ('<section id="best"><h2>Best model</h2><p class="note">No candidate finished '
                "ok, so there is no best model.</p></section>")
    metrics_html = _metrics_table(b.metrics or {})
    layers = stored_layers(b)
    if layers:
        lrows = [[esc(d.get("name", "")), esc(d.get("type", "")), esc(_fmt_num(d.get("params")))]
                 for d in layers]
        layers_html = ("<p>Layers as recorded by the worker:</p>"
                       + html_table(["module", "type", "params"], lrows))
    else:
        found = layers_from_code(b.code or "")
        lrows = [[esc(d["line"]), esc(d["name"]), esc(d["type"]), f"<code>{esc(d['args'])}</code>"]
                 for d in found]
        layers_html = ("<p>Layers found by reading the code (static, not executed):</p>"
                       + html_table(["line", "assigned to", "type", "arguments"], lrows)
                       if lrows else '<p class="note">No nn.* layers found in the code.</p>')
    head = (f"<p>Candidate #{esc(b.id)}, iteration {esc(b.iteration)}, CME "
            f"{esc(_fmt_num(b.cme))}, feasible: {'yes' if b.feasible else 'no'}.</p>")
    return ('<section id="best"><h2>The best model in detail</h2>' + head
            + "<h3>Every metric</h3>" + metrics_html
            + "<h3>Layers</h3>" + layers_html
            + f'<h3>Code</h3><pre id="best-code"><code>{esc(b.code)}</code></pre>'
            + "</section>")


def _figure(img_id: str, uri: str, alt: str, caption: str) -> str:
    return (f'<figure><img id="{esc(img_id)}" class="plot" src="{uri}" alt="{esc(alt)}">'
            f"<figcaption>{esc(caption)}</figcaption></figure>")


def _accuracy_metric(ctx: _Ctx) -> str | None:
    named = [o.metric for o in ctx.objectives if o.metric in ACCURACY_METRICS]
    for m in [*named, *ACCURACY_METRICS]:
        if any(m in v for v in ctx.values.values()):
            return m
    return None


def section_plots(ctx: _Ctx) -> str:
    figs: list[str] = []
    notes: list[str] = []
    uri = plots.cme_plot(ctx.rows)
    if uri:
        figs.append(_figure("plot-cme", uri, "CME per iteration", "CME per iteration; failures "
                            "marked x under the scale."))
    else:
        notes.append("CME per iteration: no finished candidates.")
    for o in ctx.objectives:
        vals = [ctx.values[r.id].get(o.metric) for r in ctx.rows]
        uri = plots.metric_plot(ctx.rows, o.metric, vals, o.threshold, o.goal)
        if uri:
            figs.append(_figure(f"plot-metric-{o.metric}", uri, f"{o.metric} per iteration",
                                f"{o.metric} per iteration with its threshold {o.threshold:g}."))
        else:
            notes.append(f"{o.metric} per iteration: not measured for any ok candidate.")
    acc = _accuracy_metric(ctx)
    ok = [r for r in ctx.rows if r.status == "ok"]
    best_id = ctx.best.id if ctx.best else None
    start_id = ctx.start.id if ctx.start else None
    threshold = {o.metric: o.threshold for o in ctx.objectives}
    for cost in PARETO_COSTS:
        pts = [(r.id, a, c) for r in ok
               if (a := ctx.values[r.id].get(acc)) is not None
               and (c := ctx.values[r.id].get(cost)) is not None] if acc else []
        uri = plots.pareto_plot([p[0] for p in pts], [p[1] for p in pts], [p[2] for p in pts],
                                acc or "", cost, best_id, start_id=start_id,
                                acc_threshold=threshold.get(acc or ""),
                                cost_threshold=threshold.get(cost)) if pts else None
        if uri:
            marks = [m for m, t in ((acc or "", threshold.get(acc or "")),
                                    (cost, threshold.get(cost))) if t is not None]
            figs.append(_figure(f"plot-pareto-{cost}", uri, f"Pareto front: {acc} vs {cost}",
                                f"{acc} vs {cost}: Pareto front joined, best starred, the "
                                "starting model a diamond"
                                + (f"; dashed: the thresholds on {' and '.join(marks)}"
                                   if marks else "") + "."))
        else:
            why = "no accuracy measured" if not acc else f"{cost} not measured for any ok candidate"
            notes.append(f"Pareto plot of accuracy vs {cost} skipped: {why}.")
    notes_html = ("<ul class=\"note\">" + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>"
                  if notes else "")
    return '<section id="plots"><h2>Plots</h2>' + "".join(figs) + notes_html + "</section>"


def _instr_rows(instrs: Sequence[Any]) -> list[list[str]]:
    rows = []
    for i in instrs:
        if not isinstance(i, Mapping):
            continue
        rows.append([esc(i.get("action")), esc(_fmt_num(i.get("magnitude"))),
                     esc(i.get("objective") or "-"), esc(_fmt_num(i.get("priority"))),
                     esc(_fmt_num(i.get("gap"))), esc(i.get("reason"))])
    return rows


def section_advice(ctx: _Ctx) -> str:
    if not ctx.advice:
        return ('<section id="advice"><h2>Expert system advice</h2><p class="note">No advice '
                "recorded.</p></section>")
    parts = []
    for a in ctx.advice:
        adv = a.get("advice") or {}
        diag = "".join(f"<li>{esc(d)}</li>" for d in adv.get("diagnosis") or []) or (
            "<li class=\"muted\">none</li>")
        instr = _instr_rows(adv.get("instructions") or [])
        conf = []
        for c in adv.get("conflicts") or []:
            kept, dropped = c.get("kept") or {}, c.get("dropped") or {}
            conf.append([esc(kept.get("action")), esc(dropped.get("action")), esc(c.get("why"))])
        cand = f", candidate #{a['candidate_id']}" if a.get("candidate_id") is not None else ""
        parts.append(
            f"<h3>Iteration {esc(a['iteration'])}{esc(cand)}</h3><p>Diagnosis:</p><ul>{diag}</ul>"
            + (html_table(["action", "magnitude", "objective", "priority", "gap", "reason"], instr)
               if instr else "<p class=\"muted\">No instructions.</p>")
            + ("<p>Conflicts resolved:</p>" + html_table(["kept", "dropped", "why"], conf)
               if conf else ""))
    return '<section id="advice"><h2>Expert system advice</h2>' + "".join(parts) + "</section>"


def _outcome(r: Candidate, vals: Mapping[str, float]) -> str:
    if r.status != "ok":
        return f"{r.status}: {r.reason or 'no reason recorded'}"
    keys = [k for k in ("val_accuracy", "test_accuracy", "params", "latency_ms") if k in vals]
    cme = f"CME {r.cme:+.3f}; " if r.cme is not None else ""
    return cme + ", ".join(f"{k} {human(k, vals[k])}" for k in keys)


def section_memory(ctx: _Ctx) -> str:
    """The feedback memory's triples (problem, modification, outcome), rebuilt from the store."""
    if not ctx.rows:
        return ('<section id="memory"><h2>Feedback memory</h2><p class="note">No candidates.'
                "</p></section>")
    advice_by_it = {a["iteration"]: a.get("advice") or {} for a in ctx.advice}
    response_by_cand: dict[int, str] = {}
    for c in ctx.calls:
        if c.get("candidate_id") is not None and c.get("response"):
            response_by_cand[c["candidate_id"]] = c["response"]
    rows = []
    for r in ctx.rows:
        extra = r.extra or {}
        adv = advice_by_it.get(r.iteration, {})
        problem = extra.get("problem") or "; ".join(adv.get("diagnosis") or []) or "-"
        modification = extra.get("modification") or "; ".join(
            str(i.get("action")) for i in adv.get("instructions") or [] if isinstance(i, Mapping)
        ) or "-"
        suggestion = extra.get("suggestion")
        if isinstance(suggestion, Mapping) and suggestion.get("source") == "improver":
            form = suggestion.get("form")
            modification = (f"[prompt improver{', ' + str(form) if form else ''}] "
                            f"{modification}")
        normalized = esc(extra.get("normalized")) if extra.get("normalized") else ""
        raw = response_by_cand.get(r.id)
        raw_html = (f"<details><summary>proposer response ({len(raw):,} chars)</summary>"
                    f"<pre>{esc(raw[:4000])}{'...' if len(raw) > 4000 else ''}</pre></details>"
                    if raw else "")
        cls = "ok" if r.status == "ok" else "bad"
        if normalized:  # what the contract normalizer changed in the file
            normalized = f'<br><span class="note">normalized: {normalized}</span>'
        rows.append([esc(r.iteration), f"#{esc(r.id)}", esc(problem),
                     esc(modification) + normalized,
                     f'<span class="{cls}">{esc(_outcome(r, ctx.values[r.id]))}</span>'
                     + raw_html])
    return ('<section id="memory"><h2>Feedback memory</h2><p>Each attempt as the memory holds '
            "it: the problem diagnosed, the modification asked for, the outcome measured.</p>"
            + html_table(["iteration", "candidate", "problem", "modification", "outcome"], rows)
            + "</section>")


def section_failures(ctx: _Ctx) -> str:
    bad = [r for r in ctx.rows if r.status in FAILED]
    if not bad:
        return '<section id="failures"><h2>Failures</h2><p>No failed candidates.</p></section>'
    rows = [[f"#{esc(r.id)}", esc(r.iteration), f'<span class="bad">{esc(r.status)}'
             "</span>", f"<pre>{esc(r.reason or 'no reason recorded')}</pre>"]
            for r in bad]
    return ('<section id="failures"><h2>Failures</h2>'
            + html_table(["candidate", "iteration", "status", "why"], rows) + "</section>")


def section_llm(ctx: _Ctx) -> str:
    """The LLM calls by role: the Prompt Improver's, the Code Generator's and the repairs."""
    roles = role_stats(ctx.calls)
    if not roles:
        return ('<section id="llm"><h2>LLM calls by role</h2><p class="note">No LLM calls '
                "(offline proposer, expert system as improver).</p></section>")
    prop = ctx.config.get("proposer") or {}
    rows = []
    for role, st in roles.items():
        cost = estimate_cost(st["rows"], _role_base_url(role, prop))
        rows.append([esc(role), esc(", ".join(sorted(st["models"]))), esc(_fmt_num(st["calls"])),
                     esc(_fmt_num(st["errors"])), esc(_fmt_num(st["prompt"])),
                     esc(_fmt_num(st["completion"])), esc(f"{st['latency_s']:.1f}"),
                     esc(f"${cost:.4f}" if cost is not None else "n/a")])
    last = next((c for c in reversed(ctx.calls) if role_of(c) == "improver"), None)
    reply = ""
    if last is not None and last.get("response"):
        text = str(last["response"])
        reply = (f"<details><summary>last improver reply (iteration {esc(last.get('iteration'))})"
                 f"</summary><pre>{esc(text[:4000])}</pre></details>")
    return ('<section id="llm"><h2>LLM calls by role</h2><p>Each iteration the Prompt Improver '
            "diagnoses the parent and suggests one modification; the Code Generator writes the "
            "model from it; repairs fix code that failed. All count in the LLM call budget.</p>"
            + html_table(["role", "model", "calls", "errors", "prompt tokens", "completion tokens",
                      "latency s", "est. cost"], rows) + reply + "</section>")


def section_timings(ctx: _Ctx) -> str:
    if not ctx.rows:
        return '<section id="timings"><h2>Timings</h2><p>No candidates.</p></section>'
    llm_s: dict[int, float] = {}
    for c in ctx.calls:
        if c.get("candidate_id") is not None:
            llm_s[c["candidate_id"]] = llm_s.get(c["candidate_id"], 0.0) + (c.get("latency_s")
                                                                            or 0.0)
    rows = []
    for r in ctx.rows:
        v = ctx.values[r.id]
        rows.append([f"#{esc(r.id)}", esc(r.iteration), esc(r.status),
                     esc(_fmt_num(r.seconds)), esc(_fmt_num(v.get("train_seconds"))),
                     esc(_fmt_num(llm_s.get(r.id)))])
    worker = sum(r.seconds or 0.0 for r in ctx.rows)
    llm = sum(c.get("latency_s") or 0.0 for c in ctx.calls)
    return ('<section id="timings"><h2>Timings</h2>'
            f"<p>Worker time {worker:.1f} s in all; LLM latency {llm:.1f} s in all.</p>"
            + html_table(["candidate", "iteration", "status", "worker s", "train s", "LLM s"], rows)
            + "</section>")


def section_fidelity(ctx: _Ctx) -> str:
    """Multi-fidelity runs: each code's proxy result beside its promoted (full) result."""
    rows = [r for r in ctx.rows if r.fidelity is not None]
    if not rows:
        return ""
    promoted = {r.lineage: r for r in rows if r.lineage != r.id}
    acc = _accuracy_metric(ctx) or "val_accuracy"

    def cells(r: Candidate | None) -> list[str]:
        if r is None:
            return ['<span class="muted">not promoted</span>', "", ""]
        v = ctx.values.get(r.id, {}).get(acc)
        return [f"#{esc(r.id)} ({esc(r.fidelity)} ep, {esc(r.status)})",
                esc(human(acc, v)) if v is not None else "", esc(_fmt_num(r.cme))]

    body = [[esc(r.iteration), *cells(r), *cells(promoted.get(r.id))]
            for r in rows if r.lineage == r.id and r.ok]
    table = html_table(["iteration", "proxy", acc, "CME", "promoted", acc, "CME"], body)
    return ('<section id="fidelity"><h2>Fidelities</h2><p>Every candidate first trained for '
            "the proxy's epochs; the best by CME were trained again for the full epochs. "
            "Candidates are compared at the highest fidelity both have.</p>" + table
            + "</section>")


# first the answer, then the plots, then the candidates; the details after
SECTIONS = (section_answer, section_plots, section_candidates, section_best, section_final,
            section_fidelity, section_stops, section_advice, section_memory, section_llm,
            section_failures, section_timings, section_summary)


def render_report(store: Store, run_dir: Path | None = None) -> str:
    """The report's HTML; `run_dir` as the user names it goes into the commands it suggests."""
    ctx = _Ctx(store, run_dir)
    body = "\n".join(section(ctx) for section in SECTIONS)
    template = Template(resources.files("lemonade").joinpath("templates/report.html").read_text())
    return template.substitute(
        title=esc(ctx.meta.get("name") or ctx.meta.get("run_name") or "run"),
        body=body, version=esc(__version__), lineage_css=report_lineage.css(),
        generated=esc(datetime.now(UTC).isoformat(timespec="seconds")),
    )


def write_report(run_dir: str | Path, out: str | Path | None = None) -> Path:
    """Write `report.html` (or `out`) for the run in run_dir; returns its path."""
    run_dir = Path(run_dir)
    with Store.open(run_dir) as store:
        text = render_report(store, run_dir)
    path = Path(out) if out else run_dir / "report.html"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)  # never a half-written report, even if interrupted
    return path
