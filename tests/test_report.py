"""The HTML report: self-contained (no outside URL, images as data: URIs), robust to empty and
failed runs, and rendered by a real headless Chromium with every plot decoded."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser import Browser, chromium
from fake_run import make_fake_run

from lemonade.report import estimate_cost, layers_from_code, price_for, write_report
from lemonade.store import Store

SECTIONS = ("summary", "objectives", "best", "plots", "advice", "memory", "failures", "timings")


class _Scan(HTMLParser):
    """Every tag's attributes, and the ids present."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def of(self, name: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == name]

    @property
    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.tags if a.get("id")}


def scan(path: Path) -> _Scan:
    s = _Scan()
    s.feed(path.read_text(encoding="utf-8"))
    return s


def assert_self_contained(s: _Scan) -> None:
    for tag, attrs in s.tags:
        for key in ("src", "href", "srcset", "data", "poster"):
            val = (attrs.get(key) or "").strip().lower()
            assert not re.match(r"^(https?:)?//", val), f"<{tag} {key}={val[:60]}> is external"
        if tag == "link":
            pytest.fail(f"<link> loads an outside resource: {attrs}")
        if tag == "script":
            assert not attrs.get("src"), "scripts must be inline"
    for img in s.of("img"):
        assert (img.get("src") or "").startswith("data:image/png;base64,")
        assert img.get("alt") and img.get("id") and "plot" in (img.get("class") or "")


@pytest.fixture(scope="module")
def full_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = make_fake_run(tmp_path_factory.mktemp("report") / "run", n_ok=4, weights=False)
    return write_report(run)


def test_full_report_is_self_contained_and_complete(full_report: Path) -> None:
    s = scan(full_report)
    assert_self_contained(s)
    assert set(SECTIONS) <= s.ids
    ids = {img["id"] for img in s.of("img")}
    # CME, the 4 objectives of the balanced preset, 3 Pareto plots
    assert ids == {"plot-cme", "plot-metric-val_accuracy", "plot-metric-params",
                   "plot-metric-latency_ms", "plot-metric-train_seconds", "plot-pareto-params",
                   "plot-pareto-latency_ms", "plot-pareto-train_energy_kwh"}
    text = full_report.read_text()
    # stored text is escaped: the fake diagnosis holds a <script> tag
    assert "&lt;script&gt;x&lt;/script&gt;" in text and text.count("<script") == 1
    assert "class Net(nn.Module)" in text and "self.conv1" in text  # best code + layers
    assert "RuntimeError: shape mismatch" in text and "import of &#x27;os&#x27;" in text
    assert "params has the higher priority" in text  # a resolved conflict
    assert "Estimated LLM cost" in text and "$0.0" in text


def test_report_of_empty_run(tmp_path: Path) -> None:
    Store.create(tmp_path / "empty", "seed: 0\n", {"dataset": "digits"}).close()
    path = write_report(tmp_path / "empty")
    s = scan(path)
    assert_self_contained(s)
    assert set(SECTIONS) <= s.ids and s.of("img") == []
    text = path.read_text()
    assert "No candidate finished ok" in text and "no finished candidates" in text


def test_report_of_run_with_only_failures(tmp_path: Path) -> None:
    run = make_fake_run(tmp_path / "fails", n_ok=0, weights=False)
    s = scan(write_report(run))
    assert_self_contained(s)
    assert [img["id"] for img in s.of("img")] == ["plot-cme"]  # failures marked on CME
    text = (run / "report.html").read_text()
    assert "no best model" in text and "Pareto plot of accuracy vs params skipped" in text


def test_missing_metric_skips_its_plot_and_says_so(tmp_path: Path) -> None:
    run = make_fake_run(tmp_path / "noenergy", n_ok=2, weights=False, model="llama3:8b")
    with Store.open(run) as st:  # drop energy everywhere: a run without an energy meter
        st._conn.execute("UPDATE candidates SET metrics = json_remove(metrics, "
                         "'$.train_energy_kwh')")
    path = write_report(run, out=tmp_path / "r.html")
    ids = {img["id"] for img in scan(path).of("img")}
    assert "plot-pareto-params" in ids and "plot-pareto-train_energy_kwh" not in ids
    text = path.read_text()
    assert "train_energy_kwh not measured for any ok candidate" in text
    assert "<th>Estimated LLM cost</th><td>n/a</td>" in text  # unknown model: no price


@pytest.mark.parametrize(("model", "expected"), [
    ("gpt-4o", (2.50, 10.00)),
    ("gpt-4o-2024-08-06", (2.50, 10.00)),
    ("gpt-4o-mini", (0.15, 0.60)),
    ("gpt-4o-mini-2024-07-18", (0.15, 0.60)),
    ("GPT-4.1-nano", (0.10, 0.40)),
    ("gpt-4oo", None),
    ("llama3:8b", None),
    ("", None),
    (None, None),
])
def test_price_for(model: str | None, expected: tuple[float, float] | None) -> None:
    assert price_for(model) == expected


@pytest.mark.parametrize(("calls", "base_url", "expected"), [
    ([{"model": "gpt-4o", "usage": {"prompt_tokens": 1_000_000, "completion_tokens": 0}}],
     None, 2.50),
    ([{"model": "gpt-4o-mini", "usage": {"prompt_tokens": 2_000_000,
                                         "completion_tokens": 1_000_000}}], None, 0.90),
    ([{"model": "gpt-4o", "usage": {"prompt_tokens": 10}}], "http://localhost:11434/v1", None),
    ([{"model": "mystery", "usage": {"prompt_tokens": 10}}], None, None),
    ([{"model": "offline", "usage": {}}], None, 0.0),
    ([], "https://api.openai.com/v1", 0.0),
])
def test_estimate_cost(calls: list, base_url: str | None, expected: float | None) -> None:
    got = estimate_cost(calls, base_url)
    assert got == pytest.approx(expected) if expected is not None else got is None


def test_layers_from_code() -> None:
    src = ("import torch.nn as nn\nimport torch\nclass Net(nn.Module):\n"
           "    def __init__(self, in_channels, num_classes):\n        super().__init__()\n"
           "        self.a = nn.Conv2d(in_channels, 8, 3)\n"
           "        self.seq = torch.nn.Sequential(nn.ReLU(), nn.Linear(8, num_classes))\n"
           "        x = nn.functional.relu\n")
    got = [(d["line"], d["name"], d["type"]) for d in layers_from_code(src)]
    assert got == [("6", "self.a", "Conv2d"), ("7", "self.seq", "Sequential"),
                   ("7", "", "ReLU"), ("7", "", "Linear")]
    assert layers_from_code("def (") == []


@pytest.mark.browser
def test_headless_chromium_renders_every_plot(full_report: Path, tmp_path: Path) -> None:
    exe = chromium()
    if exe is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    flags = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
             "--virtual-time-budget=3000"]
    url = full_report.resolve().as_uri()
    env = {**os.environ, "HOME": str(tmp_path)}
    dom = subprocess.run([*flags, "--dump-dom", url], capture_output=True, text=True,
                         timeout=120, env=env)
    assert dom.returncode == 0, dom.stderr[-2000:]
    total = re.search(r'data-images-total="(\d+)"', dom.stdout)
    loaded = re.search(r'data-images-loaded="(\d+)"', dom.stdout)
    assert total and loaded, "the page's load handler did not run"
    assert int(total.group(1)) == 8 and int(loaded.group(1)) == 8
    for section in SECTIONS:
        assert f'id="{section}"' in dom.stdout
    shot = tmp_path / "shot.png"
    res = subprocess.run([*flags, f"--screenshot={shot}", "--window-size=1200,3000", url],
                         capture_output=True, text=True, timeout=120, env=env)
    assert res.returncode == 0 and shot.stat().st_size > 10_000, res.stderr[-2000:]


def test_llm_calls_by_role_and_cost(tmp_path: Path) -> None:
    run = make_fake_run(tmp_path / "run", n_ok=2, failures=False, model="gpt-4o-mini")
    with Store.open(run) as st:
        for it in range(2):
            st.add_llm_call(None, it, "improver", [{"role": "user", "content": "diagnose"}],
                            '{"diagnosis": "d", "modification": "IMPROVER-REPLY"}',
                            {"prompt_tokens": 500, "completion_tokens": 50}, "gpt-4o", None, 1.0)
    html = write_report(run).read_text()
    section = html.split('<section id="llm">', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r"<tr><td>(\w+)</td><td>([^<]*)</td><td>(\d+)</td>", section)
    # the older runs' "propose" calls are the generator's
    assert rows == [("improver", "gpt-4o", "2"), ("generator", "gpt-4o-mini", "2")]
    assert "IMPROVER-REPLY" in section
    # both roles priced at their own model: 2 x (500 in + 50 out) of gpt-4o, plus the generator's
    from lemonade.report import run_cost

    with Store.open(run) as st:
        calls = st.llm_calls()
    gen = estimate_cost([c for c in calls if c["kind"] == "propose"], None)
    assert run_cost(calls, {}) == pytest.approx(gen + 2 * (500 * 2.5 + 50 * 10.0) / 1e6)


def test_runs_table_counts_candidates(tmp_path: Path) -> None:
    from rich.console import Console

    from lemonade.progress import runs_table

    run = make_fake_run(tmp_path / "run", n_ok=3, failures=True)
    console = Console(width=200, record=True)
    console.print(runs_table([run]))
    line = next(x for x in console.export_text().splitlines() if "synthetic" in x)
    cells = [c.strip() for c in line.split("│") if c.strip()]
    assert "5" in cells  # 3 ok + rejected + failed, not 0


# ---- the answer first, in human units ----------------------------------------------------------
@pytest.mark.parametrize(("metric", "value", "shown"), [
    ("params", 4800, "4.8k"), ("params", 48_213, "48.2k"), ("params", 812, "812"),
    ("params", 1_250_000, "1.25M"), ("latency_ms", 1.2, "1.2 ms"), ("latency_ms", 0.05, "50 µs"),
    ("val_accuracy", 0.9687, "96.9%"), ("model_size_bytes", 18_300, "18.3 KB"),
    ("model_size_bytes", 512, "512 B"), ("train_seconds", 12.34, "12.3 s"),
    ("train_seconds", 400, "6.67 min"), ("train_energy_kwh", 1e-5, "36 J"),
    ("flops", 3.2e6, "3.2M FLOPs"), ("inference_energy_j", 0.0021, "2.1 mJ"),
    ("params", None, "–"), ("val_accuracy", float("nan"), "nan"),
])
def test_human_units(metric: str, value: float | None, shown: str) -> None:
    from lemonade.units import human

    assert human(metric, value) == shown


def test_change_in_the_metric_terms() -> None:
    from lemonade.units import change

    assert change("val_accuracy", 0.9, 0.915) == "+1.5 pts"
    assert change("params", 4000, 3000) == "-25%"
    assert change("latency_ms", 1.0, 1.05) == "+5.0%"
    assert change("params", None, 3000) == "–"


def _section(text: str, sid: str) -> str:
    return text.split(f'<section id="{sid}">', 1)[1].split("</section>", 1)[0]


def test_report_opens_with_the_answer(full_report: Path) -> None:
    text = full_report.read_text()
    order = [text.index(f'<section id="{s}">') for s in ("answer", "plots", "candidates", "best")]
    assert order == sorted(order)  # the answer, then the plots, then the candidates
    answer = _section(text, "answer")
    # fake run: candidate 4 is best (74% val accuracy, 2,334 params, 1.1 ms) and meets all 4
    assert "candidate #4</a>" in answer and "meets all 4 thresholds" in answer
    assert answer.count("✓ met") == 4 and "✗ missed" not in answer
    assert "<b title=\"0.74\">74.0%</b>" in answer and ">2.33k</b>" in answer
    assert ">1.1 ms</b>" in answer and "≤ 100k" in answer
    run = shlex.quote(str(full_report.parent))
    assert f"<code>lemonade finalize {run}</code>" in answer
    assert f"<code>lemonade export {run}</code>" in answer
    # the best model's metrics: human values, each record folded away (no key=value dumps)
    best = _section(text, "best")
    assert "device=cpu" not in best and "<dt>device</dt><dd>cpu</dd>" in best
    assert best.count('<details class="record">') == 6  # one per metric of metrics_doc


def test_answer_names_the_thresholds_the_best_misses(tmp_path: Path) -> None:
    import yaml

    run = make_fake_run(tmp_path / "run", n_ok=3, weights=False)
    with Store.open(run) as st:  # a params budget no candidate meets
        cfg = yaml.safe_load(st.config_yaml())
        for o in cfg["objectives"]:
            if o["metric"] == "params":
                o["threshold"] = 300
        cfg["objective_origins"] = ["user", "user", "preset balanced", "preset balanced"]
        st.set_meta("config", yaml.safe_dump(cfg))
    answer = _section(write_report(run).read_text(), "answer")
    assert "misses 1 of 4 thresholds (params)" in answer
    assert "<th>from</th>" in answer and answer.count("<td>preset balanced</td>") == 2
    assert answer.count("✗ missed") == 1 and "lemonade resume" in answer


def test_answer_of_a_run_without_a_model(tmp_path: Path) -> None:
    run = make_fake_run(tmp_path / "fails", n_ok=0, weights=False)
    answer = _section(write_report(run).read_text(), "answer")
    assert "No model" in answer and "lemonade export" not in answer


# ---- lineage -----------------------------------------------------------------------------------
def test_lineage_tree_panels_and_diffs(full_report: Path) -> None:
    text = full_report.read_text()
    cands = _section(text, "candidates")
    # one node and one panel per candidate; colours by status and feasibility
    nodes = re.findall(r'<a class="lin-node" href="#cand-(\d+)" data-node="\d+" '
                       r'data-status="(\w+)" data-color="(\w+)">', cands)
    assert nodes == [("1", "ok", "infeasible"), ("2", "ok", "infeasible"),
                     ("3", "ok", "feasible"), ("4", "ok", "feasible"),
                     ("5", "rejected", "rejected"), ("6", "failed", "failed")]
    panel = cands.split('id="cand-3"', 1)[1].split("</article>", 1)[0]
    assert 'parent <a href="#cand-2">#2</a>' in panel
    assert "--- #2/model.py" in panel and "+++ #3/model.py" in panel
    assert '<span class="d-del">-        self.conv1 = nn.Conv2d(in_channels, 6,' in panel
    assert '<span class="d-add">+        self.conv1 = nn.Conv2d(in_channels, 8,' in panel
    # every objective against the parent: 58% -> 56% val accuracy is 2 points worse
    assert '<td class="num worse">-2.0 pts</td>' in panel
    assert "Reduce kernels" in panel and "shrink" in panel  # advice and suggestion
    assert "No parent" in cands.split('id="cand-1"', 1)[1].split("</article>", 1)[0]


def test_lineage_layout_is_a_tree_and_survives_long_chains() -> None:
    from lemonade.candidate import Candidate, Status
    from lemonade.report_lineage import build_tree, walk

    def cand(i: int, parent: int | None) -> Candidate:
        return Candidate(id=i, iteration=i, status=Status.OK, parent_id=parent, code=f"# {i}\n")

    roots = build_tree([cand(1, None), cand(2, 1), cand(3, 1), cand(4, 3), cand(5, 99),
                        cand(6, 7), cand(7, None)])
    # a missing parent (99) or a parent not older than its child (7 for 6) makes a root
    assert [r.cand.id for r in roots] == [1, 5, 6, 7]
    one = roots[0]
    assert [c.cand.id for c in one.children] == [2, 3]
    ys = {n.cand.id: n.y for n in walk(roots)}
    xs = {n.cand.id: n.x for n in walk(roots)}
    assert ys[1] == ys[2] < ys[3] == ys[4] and xs[1] < xs[2] == xs[3] < xs[4]
    chain = [cand(1, None), *[cand(i, i - 1) for i in range(2, 5001)]]
    deep = build_tree(chain)  # deeper than Python's recursion limit
    assert len(walk(deep)) == 5000


def test_lineage_panels_link_each_candidate_to_where_it_came_from() -> None:
    """The links and the dashed repair edge come from the typed origin (`Candidate.origin`):
    a retry of a repair is still drawn as a repair, links both, and shows the advice the
    repair was made under."""
    from lemonade.candidate import Candidate, Status
    from lemonade.origin import Kind, Origin, promotion
    from lemonade.report_lineage import advice_by_candidate, lineage_html

    repair = Origin(Kind.REPAIR, attempt=1, source=1)
    rows = [(1, None, Status.FAILED, Origin(Kind.GENERATOR, attempt=0)),
            (2, 1, Status.INTERRUPTED, repair), (3, 1, Status.OK, repair.retry(2)),
            (4, 1, Status.OK, promotion(3, 6))]
    cands = [Candidate(id=i, iteration=0, status=st, parent_id=p, code=f"# {i}\n",
                       extra=o.to_extra()) for i, p, st, o in rows]
    advice = advice_by_candidate([{"candidate_id": 1, "iteration": 0,
                                   "advice": {"diagnosis": ["too big"]}}], cands)
    assert advice[3] == {"diagnosis": ["too big"]}
    html = lineage_html(cands, [], [], None)
    assert html.count('stroke-dasharray="4 3"') == 2  # 1 -> 2 and 1 -> 3
    panel = html[html.index('id="cand-3"'):html.index('id="cand-4"')]
    assert "made by: repair" in panel and 'repair of <a href="#cand-1">' in panel
    assert 'retry of <a href="#cand-2">' in panel
    four = html[html.index('id="cand-4"'):]
    assert "made by: promotion" in four and 'promoted from <a href="#cand-3">' in four


HOSTILE = ("</script><img src=x onerror=\"document.title='pwned'\">"
           "<script>document.title='pwned'</script>")


def _hostile_run(tmp_path: Path) -> Path:
    run = make_fake_run(tmp_path / "hostile", n_ok=3, failures=False, weights=False)
    with Store.open(run) as st:
        parent = st.best_candidate()
        cid = st.add_candidate(9, parent.id, "import torch\n# " + HOSTILE + "\nclass Net: pass\n",
                               "evil", None, "openai",
                               extra={"suggestion": {"diagnosis": HOSTILE,
                                                     "modification": HOSTILE,
                                                     "source": "improver"},
                                      "summary": HOSTILE, "kind": HOSTILE})
        st.mark_running(cid)
        st.finish_candidate(cid, "failed", {}, None, False, HOSTILE, 1.0, [], None)
    return run


def test_hostile_candidate_text_is_escaped(tmp_path: Path) -> None:
    path = write_report(_hostile_run(tmp_path))
    s = scan(path)
    assert_self_contained(s)  # every <img> is one of our plots
    text = path.read_text()
    assert text.count("<script") == 1 and "onerror=\"document" not in text
    assert "&lt;/script&gt;&lt;img src=x onerror=" in text


@pytest.mark.browser
def test_chromium_clicks_a_lineage_node_and_sees_its_diff(full_report: Path,
                                                          tmp_path: Path) -> None:
    exe = chromium()
    if exe is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with Browser(exe, tmp_path / "profile", 1366, 768) as b:
        b.open(full_report.resolve().as_uri())
        assert b.visible("#answer") and not b.visible("#cand-3")
        b.click('a.lin-node[data-node="3"] circle')
        assert b.js("location.hash") == "#cand-3"
        assert b.visible("#cand-3") and not b.visible("#cand-2")
        diff = b.js("document.querySelector('#cand-3 pre.diff').innerText")
        assert "+        self.conv1 = nn.Conv2d(in_channels, 8," in diff
        b.click('#cand-3 a[href="#cand-2"]')  # the panel's parent link opens the parent's
        assert b.visible("#cand-2") and not b.visible("#cand-3")


@pytest.mark.browser
def test_chromium_runs_nothing_a_candidate_wrote(tmp_path: Path) -> None:
    exe = chromium()
    if exe is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    path = write_report(_hostile_run(tmp_path))
    with Browser(exe, tmp_path / "profile", 1366, 768) as b:
        b.open(path.resolve().as_uri())
        b.click('a.lin-node[data-node="4"] circle')
        assert b.visible("#cand-4")
        assert b.js("document.title").startswith("lemonade report")
        assert b.js("document.querySelectorAll('img:not(.plot)').length") == 0
        assert HOSTILE in b.js("document.querySelector('#code-4 code').textContent")
        assert HOSTILE in b.js("document.querySelector('#cand-4 dd').innerText")
