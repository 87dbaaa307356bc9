"""The lineage of a run's candidates: who came from whom, what changed in the code, what it did.

Used by the report (`report.html`) and by the dashboard's run page, which render the same HTML:
an inline SVG tree (no script, no outside resource) whose nodes are links to one panel per
candidate. A panel holds the change in every objective against the parent, the suggestion and
the expert advice that produced the candidate, a unified diff against the parent's code
(`difflib`), and the code itself. The report shows a panel through CSS `:target`; the dashboard
(`static/dashboard.js`) through a class it keeps across live refreshes. Styles:
`dashboard/static/lineage.css`, inlined by the report and served by the dashboard.

Everything taken from the store (code, suggestions, advice, reasons) is candidate- or
LLM-provided text and is escaped here; numbers and ids are formatted by this module.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from lemonade.candidate import FAILURES, Candidate, Status
from lemonade.expert import Advice
from lemonade.origin import Kind
from lemonade.report_html import esc
from lemonade.units import change, human

X_STEP, Y_STEP, MARGIN, RADIUS = 84, 40, 30, 9
MAX_DIFF_LINES = 800
# fill colours by status (and feasibility for ok candidates); presentation attributes, so the
# same SVG is coloured in the report and under the dashboard's style rules
COLORS = {"feasible": "#2a9d3f", "infeasible": "#e9a400", "failed": "#c4262e",
          "rejected": "#7a1f2b", "open": "#3465a4", "other": "#9aa0a6"}
LEGEND = (("feasible", "ok, meets every threshold"), ("infeasible", "ok, misses a threshold"),
          ("failed", "failed / timeout / crashed"), ("rejected", "rejected before training"),
          ("open", "pending / running"), ("other", "duplicate / interrupted"))


def css() -> str:
    """The lineage view's style rules (the report inlines them)."""
    return (resources.files("lemonade.dashboard") / "static" / "lineage.css").read_text()


def color_key(c: Candidate) -> str:
    if c.status is Status.OK:
        return "feasible" if c.feasible else "infeasible"
    if c.status is Status.REJECTED:
        return "rejected"
    if c.status in FAILURES and c.status is not Status.INTERRUPTED:
        return "failed"
    if c.is_open:
        return "open"
    return "other"


def starting_model(cands: Sequence[Candidate]) -> Candidate | None:
    """The model the search started from: the first ok candidate without a parent."""
    return next((c for c in sorted(cands, key=lambda c: c.id)
                 if c.parent_id is None and c.ok), None)


@dataclass
class Node:
    cand: Candidate
    parent: Candidate | None
    children: list[Node] = field(default_factory=list)
    depth: int = 0
    x: float = 0.0
    y: float = 0.0


def build_tree(cands: Sequence[Candidate]) -> list[Node]:
    """Roots of the parent -> child forest, children in id order, with an x (depth) and y (row)
    for each node: leaves take consecutive rows, a parent sits level with its first child."""
    by_id = {c.id: c for c in cands}
    nodes = {c.id: Node(c, by_id.get(c.parent_id) if c.parent_id is not None else None)
             for c in sorted(cands, key=lambda c: c.id)}
    roots: list[Node] = []
    for n in nodes.values():
        pid = n.cand.parent_id
        # a parent that is missing, or not older than its child (a corrupt store), makes a root
        if pid is not None and pid in nodes and pid < n.cand.id:
            nodes[pid].children.append(n)
        else:
            roots.append(n)
    # depth first without recursion (a chain of children can be as long as the run)
    row = 0
    stack: list[tuple[Node, int, bool]] = [(r, 0, False) for r in reversed(roots)]
    while stack:
        n, depth, done = stack.pop()
        if done:
            n.y = n.children[0].y
            continue
        n.depth, n.x = depth, MARGIN + depth * X_STEP
        if not n.children:
            n.y = MARGIN + row * Y_STEP
            row += 1
            continue
        stack.append((n, depth, True))
        stack.extend((ch, depth + 1, False) for ch in reversed(n.children))
    return roots


def walk(roots: Sequence[Node]) -> list[Node]:
    out: list[Node] = []
    stack = list(reversed(roots))
    while stack:
        n = stack.pop()
        out.append(n)
        stack.extend(reversed(n.children))
    return out


def unified_diff(parent_code: str, code: str, parent_id: int, cid: int) -> list[str]:
    return list(difflib.unified_diff(parent_code.splitlines(), code.splitlines(),
                                     fromfile=f"#{parent_id}/model.py", tofile=f"#{cid}/model.py",
                                     lineterm="", n=3))


def diff_html(lines: Sequence[str]) -> str:
    shown = lines[:MAX_DIFF_LINES]
    out = []
    for line in shown:
        cls = ("d-file" if line.startswith(("+++", "---")) else "d-hunk" if line.startswith("@@")
               else "d-add" if line.startswith("+") else "d-del" if line.startswith("-")
               else "d-ctx")
        out.append(f'<span class="{cls}">{esc(line)}</span>')
    more = (f'<span class="d-hunk">... {len(lines) - len(shown):,} more lines</span>'
            if len(lines) > len(shown) else "")
    return '<pre class="diff">' + "".join(out) + more + "</pre>"  # each line a block


# ---- the SVG tree ------------------------------------------------------------------------------
def svg_tree(roots: Sequence[Node], best_id: int | None, start_id: int | None) -> str:
    nodes = walk(roots)
    if not nodes:
        return ""
    width = max(n.x for n in nodes) + 2 * MARGIN + 20  # labels sit above their node
    height = max(n.y for n in nodes) + MARGIN
    edges, marks = [], []
    for n in nodes:
        for ch in n.children:
            repair = ch.cand.origin.first_kind is Kind.REPAIR
            dash = ' stroke-dasharray="4 3"' if repair else ""
            edges.append(f'<path d="M{n.x:.0f},{n.y:.0f} H{n.x + X_STEP / 2:.0f} '
                         f'V{ch.y:.0f} H{ch.x:.0f}" fill="none" stroke="#9aa0a6" '
                         f'stroke-width="1.3"{dash}/>')
    for n in nodes:
        c = n.cand
        key = color_key(c)
        best = c.id == best_id
        label = f"#{c.id}" + (" ★" if best else "") + (" start" if c.id == start_id else "")
        title = f"#{c.id} · iteration {c.iteration} · {c.status}" + (
            f" · CME {c.cme:+.3f}" if c.cme is not None else "") + (
            " · feasible" if c.ok and c.feasible else "")
        stroke = ' stroke="#111" stroke-width="2.5"' if best else ' stroke="#fff" stroke-width="1"'
        marks.append(
            f'<a class="lin-node" href="#cand-{c.id}" data-node="{c.id}" '
            f'data-status="{esc(c.status)}" data-color="{key}">'
            f"<title>{esc(title)}</title>"
            f'<circle cx="{n.x:.0f}" cy="{n.y:.0f}" r="{RADIUS}" fill="{COLORS[key]}"{stroke}/>'
            f'<text x="{n.x:.0f}" y="{n.y - RADIUS - 4:.0f}" font-size="12" '
            f'text-anchor="middle" fill="#1d1f21">{esc(label)}</text></a>')
    return (f'<svg class="lin-svg" xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
            f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
            f'aria-label="lineage tree of the candidates">{"".join(edges)}{"".join(marks)}</svg>')


def legend() -> str:
    items = "".join(f'<span class="lin-key"><svg width="12" height="12" aria-hidden="true">'
                    f'<circle cx="6" cy="6" r="5" fill="{COLORS[k]}"/></svg> {esc(text)}</span>'
                    for k, text in LEGEND)
    return (f'<p class="lin-legend">{items}<span class="lin-key">★ best · dashed: a repair'
            "</span></p>")


# ---- one candidate's panel ---------------------------------------------------------------------
def _objective_rows(c: Candidate, parent: Candidate | None, objectives: Sequence[Any]) -> str:
    mine, theirs = c.values, parent.values if parent else {}
    rows = []
    for o in objectives:
        m, goal = str(o.metric), str(o.goal)
        new, old = mine.get(m), theirs.get(m)
        cls = ""
        if new is not None and old is not None and new != old:
            cls = "better" if (new > old) == (goal == "max") else "worse"
        rows.append(f"<tr><td>{esc(m)}</td><td>{esc(goal)} {esc(human(m, o.threshold))}</td>"
                    f'<td class="num">{esc(human(m, old))}</td>'
                    f'<td class="num">{esc(human(m, new))}</td>'
                    f'<td class="num {cls}">{esc(change(m, old, new))}</td></tr>')
    old_cme = parent.cme if parent else None
    cls = ""
    if c.cme is not None and old_cme is not None and c.cme != old_cme:
        cls = "better" if c.cme > old_cme else "worse"
    delta = f"{c.cme - old_cme:+.3f}" if c.cme is not None and old_cme is not None else "–"
    rows.append(f"<tr><td>CME</td><td>max</td>"
                f'<td class="num">{esc(_cme(old_cme))}</td><td class="num">{esc(_cme(c.cme))}'
                f'</td><td class="num {cls}">{esc(delta)}</td></tr>')
    return ('<table class="lin-objectives"><thead><tr><th>objective</th><th>threshold</th>'
            f"<th>parent</th><th>this</th><th>change</th></tr></thead><tbody>{''.join(rows)}"
            "</tbody></table>")


def _cme(v: float | None) -> str:
    return "–" if v is None else f"{v:+.3f}"


def _advice_html(doc: Mapping[str, Any] | None) -> str:
    if not doc:
        return '<p class="muted">No expert advice recorded for this candidate.</p>'
    diag = "".join(f"<li>{esc(d)}</li>" for d in doc.get("diagnosis") or [])
    texts: list[str] = []
    try:
        texts = [i.text() for i in Advice.from_json(doc).instructions]
    except Exception:  # an older or damaged record: show what it holds
        texts = [str(i) for i in doc.get("instructions") or []]
    instr = "".join(f"<li>{esc(t)}</li>" for t in texts)
    return (f'<details class="lin-advice"><summary><b>Expert system advice</b> '
            f"({len(texts)} instruction{'s' if len(texts) != 1 else ''})</summary>"
            + (f"<ul>{diag}</ul>" if diag else "")
            + (f"<ol>{instr}</ol>" if instr else '<p class="muted">No instructions.</p>')
            + "</details>")


def _suggestion_html(c: Candidate) -> str:
    s = c.extra.get("suggestion")
    parts = []
    if isinstance(s, Mapping) and (s.get("diagnosis") or s.get("modification")):
        who = "the prompt improver (LLM)" if s.get("source") == "improver" \
            else "the expert system"
        parts.append(f"<p><b>Suggestion</b> from {esc(who)}</p><dl>"
                     f"<dt>diagnosis</dt><dd>{esc(s.get('diagnosis') or '–')}</dd>"
                     f"<dt>modification</dt><dd>{esc(s.get('modification') or '–')}</dd></dl>")
        if s.get("error"):
            parts.append(f'<p class="muted">The improver\'s reply was not used: '
                         f"{esc(s.get('error'))}</p>")
    else:
        problem, mod = c.extra.get("problem"), c.extra.get("modification")
        if problem or mod:
            parts.append(f"<p><b>Suggestion</b></p><dl><dt>diagnosis</dt><dd>{esc(problem or '–')}"
                         f"</dd><dt>modification</dt><dd>{esc(mod or '–')}</dd></dl>")
    summary = c.extra.get("summary")
    if summary:
        parts.append(f"<p><b>The generator's note</b></p><pre class=\"lin-note\">"
                     f"{esc(str(summary)[:2000])}</pre>")
    return "".join(parts) or '<p class="muted">No suggestion recorded for this candidate.</p>'


def _origin(c: Candidate) -> str:
    o = c.origin
    bits = [f"made by: {esc(o.first_kind)}"]
    for ref, what in ((o.repair_of, "repair of"), (o.retry_of, "retry of"),
                      (o.promoted_from, "promoted from")):
        if ref is not None:
            bits.append(f'{what} <a href="#cand-{ref}">#{ref}</a>')
    return " · ".join(bits)


def panel(n: Node, objectives: Sequence[Any], advice: Mapping[str, Any] | None,
          best_id: int | None) -> str:
    c, p = n.cand, n.parent
    head = (f"<h3>Candidate #{c.id}{' (best)' if c.id == best_id else ''}</h3>"
            f'<p>iteration {c.iteration} · <span class="status s-{esc(c.status)}">'
            f"{esc(c.status)}</span> · feasible: {'yes' if c.feasible else 'no'}"
            + (f' · parent <a href="#cand-{p.id}">#{p.id}</a>' if p else
               " · no parent (a starting model)")
            + (f" · {_origin(c)}" if _origin(c) else "") + "</p>")
    if c.reason:
        head += f'<pre class="lin-reason">{esc(c.reason[:2000])}</pre>'
    if p is None:
        diff = '<p class="muted">No parent: nothing to compare with.</p>'
    else:
        lines = unified_diff(p.code or "", c.code or "", p.id, c.id)
        diff = diff_html(lines) if lines else \
            '<p class="muted">Same code as its parent.</p>'
    code_lines = (c.code or "").count("\n") + 1 if c.code else 0
    code = (f'<details class="lin-code" id="code-{c.id}"><summary>code ({code_lines} lines)'
            f"</summary><pre><code>{esc(c.code)}</code></pre></details>" if c.code
            else '<p class="muted">No code recorded.</p>')
    return (f'<article class="lin-detail" id="cand-{c.id}" data-node="{c.id}">{head}'
            f"<h4>Change in every objective against the parent</h4>"
            f"{_objective_rows(c, p, objectives)}"
            f"<h4>What produced it</h4>{_suggestion_html(c)}"
            f'<h4>Diff against the parent</h4><div class="lin-diff">{diff}</div>'
            f"{_advice_html(advice)}<h4>Code</h4>{code}</article>")


def advice_by_candidate(advice_rows: Sequence[Mapping[str, Any]],
                        cands: Sequence[Candidate]) -> dict[int, Mapping[str, Any]]:
    """The advice each candidate was proposed under: the row naming it, else its iteration's."""
    by_cand: dict[int, Mapping[str, Any]] = {}
    by_iter: dict[int, Mapping[str, Any]] = {}
    for a in advice_rows:
        doc = a.get("advice")
        if not isinstance(doc, Mapping):
            continue
        if a.get("candidate_id") is not None:
            by_cand[int(a["candidate_id"])] = doc
        if a.get("iteration") is not None:
            by_iter.setdefault(int(a["iteration"]), doc)
    return {c.id: by_cand.get(c.id) or by_cand.get(c.origin.repair_of or -1)
            or by_iter.get(c.iteration) or {} for c in cands}


def lineage_html(cands: Sequence[Candidate], objectives: Sequence[Any],
                 advice_rows: Sequence[Mapping[str, Any]], best_id: int | None) -> str:
    """The lineage section's body: tree, legend and one (hidden) panel per candidate."""
    if not cands:
        return '<p class="note">No candidates yet.</p>'
    roots = build_tree(cands)
    start = starting_model(cands)
    advice = advice_by_candidate(advice_rows, cands)
    panels = "".join(panel(n, objectives, advice.get(n.cand.id), best_id)
                     for n in sorted(walk(roots), key=lambda n: n.cand.id))
    return (f'<div class="lineage"><div class="lin-tree">'
            f"{svg_tree(roots, best_id, start.id if start else None)}</div>{legend()}"
            '<div class="lin-details"><p class="lin-hint muted">Click a node to see how that '
            "candidate differs from its parent.</p>"
            f"{panels}</div></div>")
