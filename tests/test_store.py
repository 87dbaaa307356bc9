"""The run store: round trips, the immutability rule, resume's stale marking, hash lookup, and
durability against concurrent readers, copies taken mid-run and kill -9 at random instants."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from fake_run import make_fake_run

from lemonade.candidate import Candidate, Status
from lemonade.config import Objective
from lemonade.store import CLOSED, SCHEMA_VERSION, Store, StoreError, best_of, token_totals

SRC = Path(__file__).resolve().parents[1] / "src"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.create(tmp_path / "run", "seed: 0\n", {"dataset": "digits"})
    yield s
    s.close()


def test_create_writes_meta_and_wal(store: Store, tmp_path: Path) -> None:
    meta = store.meta()
    assert meta["schema_version"] == SCHEMA_VERSION
    assert meta["status"] == "running"
    assert meta["dataset"] == "digits"
    assert meta["config"] == "seed: 0\n"
    assert meta["run_name"] == "run"
    assert (tmp_path / "run" / "run.db").is_file()
    mode = sqlite3.connect(tmp_path / "run" / "run.db").execute("PRAGMA journal_mode").fetchone()
    assert mode[0] == "wal"


def test_create_refuses_existing_run(store: Store, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="already exists"):
        Store.create(tmp_path / "run", "", {})


def test_open_missing_run_is_clear(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no run store"):
        Store.open(tmp_path / "nowhere")


def test_open_refuses_newer_schema_and_non_store(store: Store, tmp_path: Path) -> None:
    store.set_meta("schema_version", SCHEMA_VERSION + 1)
    with pytest.raises(StoreError, match="newer"):
        Store.open(tmp_path / "run")
    other = tmp_path / "other"
    other.mkdir()
    sqlite3.connect(other / "run.db").execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(StoreError, match="not a lemonade run store"):
        Store.open(other)


def test_meta_round_trip(store: Store) -> None:
    store.set_meta({"a": {"x": [1, 2]}, "b": 3.5})
    store.set_meta("b", "again")
    store.set_meta("info", json.dumps({"channels": 1}))
    assert store.get_meta("a") == {"x": [1, 2]}
    assert store.get_meta("b") == "again"
    assert store.get_meta("missing", 7) == 7
    assert store.get_meta_obj("info") == {"channels": 1}
    store.finish_run("finished")
    assert store.get_meta("status") == "finished" and store.get_meta("finished_at")


def test_candidate_round_trip(store: Store) -> None:
    cid = store.add_candidate(0, None, "class Net: ...", "h0", {"blocks": [1, 2]}, "offline",
                              extra={"problem": "p"})
    row = store.candidate(cid)
    assert isinstance(row, Candidate)
    assert (row.status, row.iteration, row.genome, row.extra) == (
        Status.PENDING, 0, {"blocks": [1, 2]}, {"problem": "p"})
    with pytest.raises(AttributeError):  # the record is frozen
        row.status = Status.OK  # type: ignore[misc]
    store.mark_running(cid)
    assert store.candidate(cid).status is Status.RUNNING
    assert store.candidate(cid).started_at
    metrics = {"val_accuracy": {"value": 0.9, "unit": "fraction", "method": {"n": 10}}}
    hist = [{"epoch": 0, "loss": 1.0}]
    store.finish_candidate(cid, "ok", metrics, 0.25, True, None, 3.5, hist, "w.pt")
    row = store.candidate(cid)
    assert row.metrics == metrics and row.history == hist and row.values == {"val_accuracy": 0.9}
    assert (row.status, row.cme, row.feasible, row.seconds, row.weights_path) == (
        "ok", 0.25, True, 3.5, "w.pt")
    assert row.finished_at >= row.started_at
    assert store.update_extra(cid, {"retried": True}) == {"problem": "p", "retried": True}


def test_status_sets() -> None:
    # one vocabulary: interrupted is closed (never changed again) but is not an outcome
    assert set(CLOSED) == {"ok", "failed", "timeout", "crashed", "rejected", "duplicate",
                           "interrupted"}
    from lemonade.candidate import OUTCOMES

    assert Status.INTERRUPTED not in OUTCOMES and Status.DUPLICATE in OUTCOMES


@pytest.mark.parametrize("final", CLOSED)
def test_finished_candidate_is_immutable(store: Store, final: str) -> None:
    cid = store.add_candidate(0, None, "x", "h", None, "offline")
    store.finish_candidate(cid, final, {}, None, False, "why", 0.0, [], None)
    with pytest.raises(StoreError, match="immutable"):
        store.finish_candidate(cid, "ok", {}, 1.0, True, None, 1.0, [], None)
    with pytest.raises(StoreError, match="immutable"):
        store.mark_running(cid)
    assert store.candidate(cid).status == final


@pytest.mark.parametrize("bad", ["pending", "running", "great", ""])
def test_finish_rejects_unknown_status(store: Store, bad: str) -> None:
    cid = store.add_candidate(0, None, "x", "h", None, "offline")
    with pytest.raises(StoreError, match="finish status"):
        store.finish_candidate(cid, bad)


def test_unknown_candidate(store: Store) -> None:
    with pytest.raises(StoreError, match="no such candidate"):
        store.finish_candidate(99, "ok")
    with pytest.raises(StoreError, match="no candidate 99"):
        store.candidate(99)


def test_mark_interrupted_stale(store: Store) -> None:
    a = store.add_candidate(0, None, "a", "ha", None, "offline")
    b = store.add_candidate(1, None, "b", "hb", None, "offline")
    c = store.add_candidate(2, None, "c", "hc", None, "offline")
    store.mark_running(b)
    store.finish_candidate(a, "ok", {}, 0.1, True, None, 1.0, [], None)
    assert store.mark_interrupted_stale() == [b, c]
    assert [r.status for r in store.candidates()] == ["ok", "interrupted", "interrupted"]
    assert "interrupted" in store.candidate(b).reason
    assert store.mark_interrupted_stale() == []
    assert [r.id for r in store.candidates(status="interrupted")] == [b, c]
    assert [r.id for r in store.candidates(status=("ok", "interrupted"))] == [a, b, c]


@pytest.mark.parametrize(("statuses", "expected_index"), [
    (["ok"], 0),
    (["failed"], 0),
    (["ok", "failed"], 1),          # latest reusable wins
    (["ok", "timeout"], 0),         # a timeout may be transient: not reused
    (["crashed"], None),
    (["rejected", "interrupted"], None),
    (["duplicate"], None),
])
def test_find_by_hash(store: Store, statuses: list[str], expected_index: int | None) -> None:
    ids = []
    for i, st in enumerate(statuses):
        cid = store.add_candidate(i, None, "same", "H", None, "offline")
        store.finish_candidate(cid, st, {}, None, False, None, 0.0, [], None)
        ids.append(cid)
    store.add_candidate(9, None, "same", "H", None, "offline")  # pending: never a match
    found = store.find_by_hash("H")
    if expected_index is None:
        assert found is None
    else:
        assert found is not None and found.id == ids[expected_index]
    assert store.find_by_hash("other") is None


def test_llm_calls_advice_events(store: Store) -> None:
    ids = [store.add_llm_call(None, i, kind, [{"role": "user", "content": str(i)}], f"r{i}",
                              {"prompt_tokens": 10, "completion_tokens": 5}, "m", None, 0.5)
           for i, kind in enumerate(["propose", "repair", "propose"])]
    assert [c["id"] for c in store.llm_calls()] == ids
    assert [c["response"] for c in store.llm_calls("propose")] == ["r0", "r2"]
    assert store.llm_calls()[1]["messages"] == [{"role": "user", "content": "1"}]
    cid = store.add_candidate(0, None, "x", "h", None, "openai")
    store.set_llm_call_candidate(ids[0], cid)
    assert store.llm_calls()[0]["candidate_id"] == cid
    adv = {"diagnosis": ["d"], "instructions": [], "conflicts": []}
    store.add_advice(0, cid, adv)
    assert store.advice()[0]["advice"] == adv and store.advice()[0]["candidate_id"] == cid
    store.log_event("epoch", {"loss": 1.0})
    store.log_event("resume", None)
    assert [(e["kind"], e["payload"]) for e in store.events()] == [
        ("epoch", {"loss": 1.0}), ("resume", None)]
    assert [e["kind"] for e in store.events("resume")] == ["resume"]


@pytest.mark.parametrize(("usages", "expected"), [
    ([], (0, 0, 0)),
    ([{"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}], (3, 2, 5)),
    ([{"input_tokens": 4, "output_tokens": 1}], (4, 1, 5)),
    ([{}, None, {"prompt_tokens": 1, "completion_tokens": 1}], (1, 1, 2)),
])
def test_token_totals(usages: list, expected: tuple[int, int, int]) -> None:
    assert token_totals([{"usage": u} for u in usages]) == expected


def _cand(cid: int, status: str, acc: float | None) -> Candidate:
    metrics = {} if acc is None else {"val_accuracy": {"value": acc, "unit": "fraction"}}
    return Candidate(id=cid, iteration=cid, status=Status(status), metrics=metrics, cme=-acc
                     if acc is not None else None)


def test_best_of_ranks_by_rank_key_only() -> None:
    # the stored cme column is deliberately inverted: best_of must rank by the objectives
    objs = [Objective(metric="val_accuracy", threshold=0.5)]
    cands = [_cand(1, "ok", 0.6), _cand(2, "ok", 0.9), _cand(3, "failed", None),
             _cand(4, "ok", 0.7)]
    assert best_of(cands, objs).id == 2
    assert best_of(cands, None).id == 1  # no objectives: nothing to rank by, the first ok one
    assert best_of([], objs) is None
    assert best_of([_cand(3, "failed", None)], objs) is None


def test_summary_of_fake_run(tmp_path: Path) -> None:
    run = make_fake_run(tmp_path / "fake", n_ok=3, weights=False)
    with Store.open(run) as s:
        summ = s.summary()
        assert summ["by_status"] == {"ok": 3, "rejected": 1, "failed": 1}
        assert summ["candidates"] == 5 and summ["llm_calls"] == 5
        assert summ["total_tokens"] == sum(1400 + i for i in range(5))
        assert summ["status"] == "finished"
        # ranked by the stored config's objectives (balanced preset: every cost objective is met
        # and clipped, so the most accurate wins), not by the stored cme column, which the fake
        # run makes disagree on purpose
        ok = s.candidates("ok")
        most_accurate = max(ok, key=lambda c: c.metrics["val_accuracy"]["value"])
        assert summ["best_id"] == most_accurate.id
        assert summ["best_id"] != max(ok, key=lambda c: c.cme).id
        assert s.objectives()[0].metric == "val_accuracy"


def test_second_connection_reads_while_writer_holds_a_transaction(store: Store) -> None:
    cid = store.add_candidate(0, None, "a", "ha", None, "offline")
    writer = sqlite3.connect(store.path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO events(ts, kind, payload) VALUES ('t', 'uncommitted', NULL)")
    reader = Store.open(store.path.parent)
    try:
        # WAL: the reader is not blocked by the open write transaction and sees the last commit
        assert [c.id for c in reader.candidates()] == [cid]
        assert reader.events() == []
        writer.execute("COMMIT")
        assert [e["kind"] for e in reader.events()] == ["uncommitted"]
    finally:
        reader.close()
        writer.close()


def test_copy_taken_mid_run_is_consistent(store: Store, tmp_path: Path) -> None:
    ids = []
    for i in range(20):
        cid = store.add_candidate(i, None, f"code{i}", f"h{i}", None, "offline")
        store.finish_candidate(cid, "ok", {"params": {"value": i}}, i / 20, True, None, 1.0, [],
                               None)
        ids.append(cid)
    # the writer is still open (nothing checkpointed on close): copy the db with its WAL, the
    # way a backup or rsync of a live run would
    copy = tmp_path / "copy"
    copy.mkdir()
    for suffix in ("", "-wal"):
        src = Path(str(store.path) + suffix)
        if src.exists():
            shutil.copy(src, copy / ("run.db" + suffix))
    store.add_candidate(99, None, "later", "hl", None, "offline")  # after the copy
    with Store.open(copy) as c:
        rows = c.candidates()
        assert [r.id for r in rows] == ids
        assert all(r.status == "ok" and r.metrics["params"]["value"] == r.iteration
                   for r in rows)
        assert c._query("PRAGMA integrity_check")[0][0] == "ok"
    with Store.open(store.path.parent) as live:
        assert len(live.candidates()) == 21


# A writer that commits candidates in a loop and says so on stdout after each commit.
WRITER = r"""
import sys
from pathlib import Path
from lemonade.store import Store
run = Path(sys.argv[1])
s = Store.open(run) if (run / "run.db").exists() else Store.create(run, "seed: 0\n", {})
s.mark_interrupted_stale()
i = 0
while True:
    cid = s.add_candidate(i, None, "x" * 2000, f"h{i}", {"i": i}, "offline")
    s.mark_running(cid)
    s.add_llm_call(cid, i, "propose", [{"role": "user", "content": "m" * 500}], "r", {}, "m",
                   None, 0.1)
    s.finish_candidate(cid, "ok", {"params": {"value": cid}}, 0.5, True, None, 1.0,
                       [{"epoch": 0}], None)
    s.log_event("done", {"id": cid})
    print(f"committed {cid}", flush=True)
    i += 1
"""


def test_kill_9_at_random_moments_loses_nothing_committed(tmp_path: Path) -> None:
    run = tmp_path / "crash"
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    rng = random.Random(1234)
    committed: list[int] = []
    for _ in range(5):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(run)], stdout=subprocess.PIPE,
                                text=True, env=env)
        assert proc.stdout is not None
        for _ in range(rng.randint(1, 12)):
            line = proc.stdout.readline()
            assert line.startswith("committed "), f"writer died: {line!r}"
            committed.append(int(line.split()[1]))
        # the writer is somewhere inside its next transactions now
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        assert proc.returncode == -signal.SIGKILL
    with Store.open(run) as s:
        assert s._query("PRAGMA integrity_check")[0][0] == "ok"
        rows = {r.id: r for r in s.candidates()}
        for cid in committed:
            assert rows[cid].status == "ok"
            assert rows[cid].metrics == {"params": {"value": cid}}
            assert rows[cid].history == [{"epoch": 0}]
        # rows we did not hear about (written after the lines we read, or cut by the kill) are
        # whole: either finished with all their data in one transaction, or still open
        for i in set(rows) - set(committed):
            if rows[i].status == "ok":
                assert rows[i].metrics == {"params": {"value": i}}
            else:
                assert rows[i].status in ("pending", "running", "interrupted")
        stale = s.mark_interrupted_stale()
        assert all(rows[i].status in ("pending", "running") for i in stale)
        calls = {c["candidate_id"] for c in s.llm_calls()}
        assert set(committed) <= calls


@pytest.mark.parametrize(
    ("models", "exclude", "expect"),
    [
        (["gpt-4o", "offline", "gpt-4o", None], (), 4),
        (["gpt-4o", "offline", "gpt-4o", None], ("offline", "random"), 3),
        (["offline", "random"], ("offline", "random"), 0),
        ([], ("offline",), 0),
    ],
)
def test_count_llm_calls_leaves_out_models(tmp_path: Path, models: list, exclude: tuple,
                                           expect: int) -> None:
    store = Store.create(tmp_path / "run", "{}", {})
    for m in models:
        store.add_llm_call(None, 0, "propose", [], "reply", {}, m, None, 0.1)
    assert store.count_llm_calls(exclude_models=exclude) == expect
    assert store.count_llm_calls() == len(store.llm_calls())


def test_a_write_cut_short_by_ctrl_c_does_not_block_the_next_one(tmp_path: Path) -> None:
    # KeyboardInterrupt between BEGIN and COMMIT leaves an open, uncommitted transaction; the
    # interrupt handler's own write (marking the run interrupted) must still go through
    with Store.create(tmp_path, "seed: 0\n", {"status": "running"}) as store:
        store._conn.execute("BEGIN IMMEDIATE")
        store._conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('half', 'x')")
        assert store._conn.in_transaction
        store.set_meta("status", "interrupted")
        assert store.get_meta("status") == "interrupted"
        assert store.get_meta("half") is None  # the cut-short write never committed
    with Store.open(tmp_path) as again:
        assert again.get_meta("status") == "interrupted"
