"""The report's "Early stops and fidelity" section: candidates the budget stopped early
(partial), pruned against the front, or sent back before training (prescreened), the rules
that did it, and how far the cheaper rankings agree with the full ones (rank correlations)."""

from __future__ import annotations

import json
from typing import Any

from lemonade.prescreen import describe_rule
from lemonade.rankcorr import rank_agreement
from lemonade.report_html import esc, html_table


def _fmt(x: object) -> str:
    return "n/a" if not isinstance(x, int | float) else f"{x:+.3f}"


def agreement_rows(ctx: Any, acc: str) -> list[tuple[str, dict[str, object]]]:
    """(what, {n, spearman, kendall}) for each cheaper ranking the run used."""
    out: list[tuple[str, dict[str, object]]] = []
    rows = ctx.rows
    promoted = {r.lineage: r for r in rows if r.ok and r.lineage != r.id}
    proxies = [r for r in rows if r.ok and r.id in promoted]
    if proxies:
        out.append(("proxy epochs vs promoted (full) " + acc, rank_agreement(
            [ctx.values.get(r.id, {}).get(acc) for r in proxies],
            [ctx.values.get(promoted[r.id].id, {}).get(acc) for r in proxies])))
    budget = (ctx.config.get("budget") or {})
    if budget.get("prune"):
        k = int(budget.get("prune_min_epoch") or 3)
        full = [r for r in rows if r.ok and r.stop is None and len(r.history) >= k]
        out.append((f"training accuracy at epoch {k} (pruning's signal) vs final {acc}",
                    rank_agreement([r.history[k - 1].get("train_accuracy") for r in full],
                                   [ctx.values.get(r.id, {}).get(acc) for r in full])))
    if ctx.run_dir is not None:
        path = ctx.run_dir / "final" / "rank_agreement.json"
        if path.is_file():
            try:
                doc = json.loads(path.read_text())
                out.append(("search val_accuracy vs final test_accuracy (finalize)", doc))
            except ValueError:
                pass
    return out


def prescreen_rule(ctx: Any) -> str:
    """The run's prescreen rule (lemonade.prescreen.describe_rule) from its recorded config;
    a run recorded before budget.prescreen_metrics existed compared params and FLOPs."""
    budget = ctx.config.get("budget") or {}
    objectives = list(getattr(ctx, "objectives", None) or [])
    metrics = budget.get("prescreen_metrics", ["params", "flops"]) \
        if "prescreen_factor" in budget else None
    return describe_rule(budget.get("prescreen_factor") if budget else 3.0, metrics,
                         objectives)


def section_stops(ctx: Any) -> str:
    budget = ctx.config.get("budget") or {}
    stopped = [r for r in ctx.rows if r.stop is not None or r.extra.get("prescreen")]
    acc = "val_accuracy"
    agree = agreement_rows(ctx, acc)
    if not stopped and not agree:
        return ""
    rules = (prescreen_rule(ctx) + " Pruning: "
             + (f"on, margin {budget.get('prune_margin')}, from epoch "
                f"{budget.get('prune_min_epoch')}" if budget.get("prune") else "off")
             + f" (budget.prune). Upper bound per candidate: "
               f"{budget.get('candidate_timeout_s')} s; otherwise its clock follows the run's "
               "measured time per FLOP.")
    body = []
    for r in stopped:
        stop = r.stop  # partial or pruned (lemonade.origin.Stop); else prescreened
        if stop is not None:
            what, ep, why = stop.key, f"{stop.epochs_run} / {stop.epochs}", stop.reason
        else:
            what, ep, why = "prescreened", "0", (r.extra.get("prescreen") or {}).get("reason")
        v = ctx.values.get(r.id, {}).get(acc)
        body.append([esc(r.id), esc(what), esc(ep), esc("" if v is None else f"{v:.3f}"),
                     esc(str(why or r.reason or "")[:300])])
    parts = [f'<section id="stops"><h2>Early stops and fidelity</h2><p>{esc(rules)}</p>']
    if body:
        parts.append(html_table(["id", "stopped", "epochs", acc, "why"], body))
    if agree:
        parts.append(html_table(["rankings compared", "pairs", "Spearman", "Kendall"],
                            [[esc(w), esc(d.get("n")), esc(_fmt(d.get("spearman"))),
                              esc(_fmt(d.get("kendall")))] for w, d in agree]))
    parts.append("</section>")
    return "".join(parts)
