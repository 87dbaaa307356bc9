"""The run store: one SQLite file (`run.db`) per run directory, written as things happen.

Durability choices (the run must survive a kill -9 or a power cut at any instant):
- WAL journal: readers (`lemonade runs`, a report of a live run) never block the writer, and a crash
  leaves either the whole last transaction or none of it.
- `synchronous=FULL`: every commit is fsynced. NORMAL in WAL mode is already safe against a killed
  process (the WAL pages are in the OS cache), but a power cut could lose the last commits; a
  candidate costs minutes of training, so an fsync of a few ms per write is noise, and we keep
  everything that was reported as committed.
- Every write is its own transaction (`with self._conn:`), so there is no half-written candidate.

States (after Optuna's trials; the vocabulary is `lemonade.candidate.Status`): `pending -> running
-> ok | failed | timeout | crashed | rejected | duplicate | interrupted`. A closed candidate never
changes (`finish_candidate` refuses); `resume` calls `mark_interrupted_stale()` to close candidates
a dead process left pending or running. Candidates are read back as `lemonade.candidate.Candidate`
records.

Threads: one connection per Store, opened with `check_same_thread=False` and guarded by a lock, so a
sandbox reader thread may log events; there is no other concurrency inside one process. Several
processes may open the same file (WAL; a busy timeout covers the writer's short locks).

The store holds the database only: the loop writes `candidates/NNNN/model.py`, weights and `best/`.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lemonade import __version__
from lemonade.candidate import CLOSED as _CLOSED
from lemonade.candidate import OPEN as _OPEN
from lemonade.candidate import REUSABLE as _REUSABLE
from lemonade.candidate import Candidate, Status, best_of
from lemonade.config import Objective, build_config

SCHEMA_VERSION = 1
DB_NAME = "run.db"
# The status vocabulary is lemonade.candidate.Status; these are its sets as plain strings for SQL.
# CLOSED: the outcome never changes again (duplicate: the code hash matched an earlier candidate,
# whose outcome is reused, not trained). REUSABLE: the outcome is a property of the code itself.
CLOSED = tuple(sorted(str(s) for s in _CLOSED))
OPEN = tuple(sorted(str(s) for s in _OPEN))
STATUSES = tuple(str(s) for s in Status)
REUSABLE = tuple(sorted(str(s) for s in _REUSABLE))

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS candidates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    iteration INTEGER NOT NULL,
    parent_id INTEGER,
    status TEXT NOT NULL DEFAULT 'pending',
    code TEXT,
    code_hash TEXT,
    genome TEXT,          -- JSON
    metrics TEXT,         -- JSON: the metrics.json document {metric: {value, unit, method, ...}}
    cme REAL,
    feasible INTEGER,
    reason TEXT,
    proposer TEXT,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    seconds REAL,
    history TEXT,         -- JSON: list of epoch stats
    weights_path TEXT,
    extra TEXT            -- JSON: the loop's annotations (problem, modification, retry_of, ...)
);
CREATE INDEX IF NOT EXISTS candidates_hash ON candidates (code_hash);
CREATE INDEX IF NOT EXISTS candidates_status ON candidates (status);
CREATE TABLE IF NOT EXISTS llm_calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    candidate_id INTEGER,
    iteration INTEGER,
    kind TEXT,            -- the role: improver | generator | repair (older runs: propose)
    messages TEXT,        -- JSON
    response TEXT,
    usage TEXT,           -- JSON
    model TEXT,
    error TEXT,
    latency_s REAL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS advice (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    iteration INTEGER NOT NULL,
    candidate_id INTEGER,
    advice TEXT NOT NULL  -- JSON: Advice.to_json()
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT          -- JSON
);
"""

# version -> SQL that brings a store from version-1 to version. Empty until the schema changes.
_MIGRATIONS: dict[int, str] = {}

_JSON_COLUMNS = {
    "candidates": ("genome", "metrics", "history", "extra"),
    "llm_calls": ("messages", "usage"),
    "advice": ("advice",),
    "events": ("payload",),
}


class StoreError(Exception):
    """A run store that cannot be opened or an operation the store's rules forbid."""


def now() -> str:
    """UTC timestamp, ISO 8601 with milliseconds (sorts as text, readable in `sqlite3`)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, default=str)


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _row(table: str, row: sqlite3.Row) -> dict[str, Any]:
    d = dict(row)
    for col in _JSON_COLUMNS.get(table, ()):
        if col in d:
            d[col] = _loads(d[col])
    if "feasible" in d and d["feasible"] is not None:
        d["feasible"] = bool(d["feasible"])
    return d


def db_path(run_dir: str | Path) -> Path:
    """run.db inside a run directory (a path to the .db file itself is accepted too)."""
    p = Path(run_dir)
    return p if p.suffix == ".db" else p / DB_NAME


def _rowid(cur: sqlite3.Cursor) -> int:
    """The id of the row an INSERT just wrote."""
    if cur.lastrowid is None:
        raise StoreError("the database reported no id for a new row")
    return int(cur.lastrowid)


class Store:
    """One run's SQLite database: `Store.create` for a new run, `Store.open` to resume or read."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        # isolation_level=None: no implicit transactions; `with self._write()` opens one explicitly.
        self._conn = sqlite3.connect(str(self.path), timeout=30.0, check_same_thread=False,
                                     isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.execute("PRAGMA busy_timeout=30000")

    # ---- lifecycle ------------------------------------------------------------------------------
    @classmethod
    def create(cls, run_dir: str | Path, config_yaml: str, meta: Mapping[str, Any] | None = None
               ) -> Store:
        """Create run_dir and its run.db; refuses a directory that already holds a run."""
        run_dir = Path(run_dir)
        run_dir.mkdir(parents=True, exist_ok=True)
        path = db_path(run_dir)
        if path.exists():
            raise StoreError(f"{path} already exists; use `lemonade resume {run_dir}` or pick "
                             "another --run-dir")
        store = cls(path)
        # executescript() manages its own transaction, so the schema is created outside `_write`.
        with store._lock:
            store._conn.executescript("BEGIN;" + _SCHEMA + "COMMIT;")
        base = {
            "schema_version": SCHEMA_VERSION,
            "lemonade_version": __version__,
            "status": "running",
            "started_at": now(),
            "config": config_yaml,
            "run_dir": str(run_dir.resolve()),
            "run_name": run_dir.resolve().name,
        }
        base.update(_host_info())
        base.update(meta or {})
        store.set_meta(base)
        return store

    @classmethod
    def open(cls, run_dir: str | Path) -> Store:
        """Open an existing run's store (migrating an older schema, refusing a newer one)."""
        path = db_path(run_dir)
        if not path.is_file():
            raise StoreError(f"no run store at {path} (is {run_dir} a lemonade run directory?)")
        store = cls(path)
        try:
            store._check_schema()
        except Exception:
            store.close()
            raise
        return store

    def _check_schema(self) -> None:
        try:
            row = self._conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path} is not a lemonade run store ({e})") from None
        if row is None:
            raise StoreError(f"{self.path} has no schema_version; not a lemonade run store")
        version = int(json.loads(row[0]))
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path} has schema version {version}, newer than this lemonade "
                             f"({__version__}, schema {SCHEMA_VERSION}); upgrade lemonade")
        for v in range(version + 1, SCHEMA_VERSION + 1):
            if v not in _MIGRATIONS:
                raise StoreError(f"{self.path}: no migration from schema {v - 1} to {v}")
            with self._lock:
                self._conn.executescript("BEGIN;" + _MIGRATIONS[v] + "COMMIT;")
            self.set_meta({"schema_version": v})

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self) -> _Txn:
        return _Txn(self._conn, self._lock)

    def _query(self, sql: str, args: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, tuple(args)).fetchall()

    # ---- meta -----------------------------------------------------------------------------------
    def set_meta(self, items: Mapping[str, Any] | str, value: Any = None) -> None:
        """set_meta({"k": v, ...}) or set_meta("k", v); values are stored as JSON."""
        pairs = dict(items) if isinstance(items, Mapping) else {items: value}
        with self._write() as c:
            c.executemany("INSERT INTO meta(key, value) VALUES (?, ?) "
                          "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                          [(k, json.dumps(v, default=str)) for k, v in pairs.items()])

    def get_meta(self, key: str, default: Any = None) -> Any:
        rows = self._query("SELECT value FROM meta WHERE key=?", (key,))
        return json.loads(rows[0][0]) if rows else default

    def meta(self) -> dict[str, Any]:
        return {r[0]: json.loads(r[1]) for r in self._query("SELECT key, value FROM meta")}

    def get_meta_obj(self, key: str, default: Any = None) -> Any:
        """A meta value holding a JSON document, whether it was stored as an object or as a JSON
        string (the loop stores `dataset_info` and `objectives` as json.dumps() text)."""
        value = self.get_meta(key, default)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    def config_yaml(self) -> str | None:
        return self.get_meta("config")

    def objectives(self) -> list[Any] | None:
        """The run's resolved objectives (lemonade.config.Objective) or None if unreadable."""
        return objectives_from_yaml(self.config_yaml())

    def finish_run(self, status: str) -> None:
        """Record the run's end: status finished | interrupted | failed."""
        if status not in ("finished", "interrupted", "failed", "running"):
            raise StoreError(f"unknown run status {status!r}")
        self.set_meta({"status": status, "finished_at": None if status == "running" else now()})

    # ---- candidates -----------------------------------------------------------------------------
    def add_candidate(self, iteration: int, parent_id: int | None, code: str | None,
                      code_hash: str | None, genome: dict | None, proposer: str | None,
                      extra: dict | None = None) -> int:
        """A new candidate in state pending; `extra` holds the loop's free-form annotations."""
        with self._write() as c:
            cur = c.execute(
                "INSERT INTO candidates(iteration, parent_id, status, code, code_hash, genome, "
                "proposer, created_at, extra) VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?)",
                (iteration, parent_id, code, code_hash, _dumps(genome), proposer, now(),
                 _dumps(extra or {})))
            return _rowid(cur)

    def update_extra(self, candidate_id: int, patch: Mapping[str, Any]) -> dict[str, Any]:
        """Merge keys into a candidate's `extra` annotations (allowed after it finished: they are
        bookkeeping such as "retried", never the measured outcome, which stays immutable)."""
        with self._write() as c:
            row = c.execute("SELECT extra FROM candidates WHERE id=?", (candidate_id,)).fetchone()
            if row is None:
                raise StoreError(f"no candidate {candidate_id} in {self.path}")
            merged = {**(_loads(row[0]) or {}), **patch}
            c.execute("UPDATE candidates SET extra=? WHERE id=?", (_dumps(merged), candidate_id))
            return merged

    def mark_running(self, candidate_id: int) -> None:
        with self._write() as c:
            cur = c.execute("UPDATE candidates SET status='running', started_at=? "
                            "WHERE id=? AND status='pending'", (now(), candidate_id))
            if cur.rowcount != 1:
                raise StoreError(self._not_open(c, candidate_id, "mark running"))

    def finish_candidate(self, candidate_id: int, status: str, metrics: dict | None = None,
                         cme: float | None = None, feasible: bool | None = None,
                         reason: str | None = None, seconds: float | None = None,
                         history: list | None = None, weights_path: str | None = None) -> None:
        """Record a candidate's outcome. A finished candidate is immutable: this raises for one."""
        if status not in CLOSED:
            raise StoreError(f"finish status must be one of {', '.join(CLOSED)}; got {status!r}")
        with self._write() as c:
            # The status test in WHERE makes check-and-write one atomic step.
            cur = c.execute(
                "UPDATE candidates SET status=?, metrics=?, cme=?, feasible=?, reason=?, "
                "seconds=?, history=?, weights_path=?, finished_at=? "
                "WHERE id=? AND status IN ('pending', 'running')",
                (str(status), _dumps(metrics), cme,
                 None if feasible is None else int(bool(feasible)), reason, seconds,
                 _dumps(history), weights_path, now(), candidate_id))
            if cur.rowcount != 1:
                raise StoreError(self._not_open(c, candidate_id, "finish"))

    @staticmethod
    def _not_open(c: sqlite3.Connection, candidate_id: int, what: str) -> str:
        row = c.execute("SELECT status FROM candidates WHERE id=?", (candidate_id,)).fetchone()
        if row is None:
            return f"cannot {what} candidate {candidate_id}: no such candidate"
        return (f"cannot {what} candidate {candidate_id}: it is already {row[0]} "
                "(finished candidates are immutable)")

    def mark_interrupted_stale(self, reason: str = "interrupted: the run stopped before this "
                               "candidate finished") -> list[int]:
        """Close every pending/running candidate (left by a dead process) as interrupted."""
        with self._write() as c:
            ids = [r[0] for r in c.execute(
                "SELECT id FROM candidates WHERE status IN ('pending', 'running') ORDER BY id")]
            c.execute("UPDATE candidates SET status='interrupted', reason=?, finished_at=? "
                      "WHERE status IN ('pending', 'running')", (reason, now()))
            return ids

    def candidates(self, status: str | Iterable[str] | None = None) -> list[Candidate]:
        """Candidates ordered by id, optionally only those with the given status(es)."""
        if status is None:
            rows = self._query("SELECT * FROM candidates ORDER BY id")
        else:
            wanted = [str(status)] if isinstance(status, str) else [str(s) for s in status]
            marks = ",".join("?" * len(wanted))
            rows = self._query(f"SELECT * FROM candidates WHERE status IN ({marks}) ORDER BY id",
                               wanted)
        return [Candidate.from_row(_row("candidates", r)) for r in rows]

    def candidate(self, candidate_id: int) -> Candidate:
        rows = self._query("SELECT * FROM candidates WHERE id=?", (candidate_id,))
        if not rows:
            raise StoreError(f"no candidate {candidate_id} in {self.path}")
        return Candidate.from_row(_row("candidates", rows[0]))

    def find_by_hash(self, code_hash: str) -> Candidate | None:
        """The latest finished ok/failed candidate with this code hash (no need to train again)."""
        marks = ",".join("?" * len(REUSABLE))
        rows = self._query(f"SELECT * FROM candidates WHERE code_hash=? AND status IN ({marks}) "
                           "ORDER BY id DESC LIMIT 1", (code_hash, *REUSABLE))
        return Candidate.from_row(_row("candidates", rows[0])) if rows else None

    # ---- LLM calls, advice, events --------------------------------------------------------------
    def add_llm_call(self, candidate_id: int | None, iteration: int | None, kind: str,
                     messages: list | None, response: str | None, usage: dict | None,
                     model: str | None, error: str | None, latency_s: float | None) -> int:
        with self._write() as c:
            cur = c.execute(
                "INSERT INTO llm_calls(candidate_id, iteration, kind, messages, response, usage, "
                "model, error, latency_s, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (candidate_id, iteration, kind, _dumps(messages), response, _dumps(usage or {}),
                 model, error, latency_s, now()))
            return _rowid(cur)

    def set_llm_call_candidate(self, call_id: int, candidate_id: int) -> None:
        """Link a call made before its candidate existed (the proposal precedes the row)."""
        with self._write() as c:
            c.execute("UPDATE llm_calls SET candidate_id=? WHERE id=? AND candidate_id IS NULL",
                      (candidate_id, call_id))

    def llm_calls(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Calls in the order they were made (the replay proposer plays them back in this order)."""
        if kind is None:
            rows = self._query("SELECT * FROM llm_calls ORDER BY id")
        else:
            rows = self._query("SELECT * FROM llm_calls WHERE kind=? ORDER BY id", (kind,))
        return [_row("llm_calls", r) for r in rows]

    def count_llm_calls(self, exclude_models: Iterable[str] = ()) -> int:
        """How many calls were made, leaving out the given models (a count, not the rows)."""
        models = list(exclude_models)
        marks = ",".join("?" * len(models))
        where = f" WHERE model IS NULL OR model NOT IN ({marks})" if models else ""
        return int(self._query(f"SELECT COUNT(*) FROM llm_calls{where}", models)[0][0])

    def add_advice(self, iteration: int, candidate_id: int | None, advice_json: dict) -> int:
        with self._write() as c:
            cur = c.execute("INSERT INTO advice(iteration, candidate_id, advice) VALUES (?, ?, ?)",
                            (iteration, candidate_id, _dumps(advice_json)))
            return _rowid(cur)

    def advice(self) -> list[dict[str, Any]]:
        """[{id, iteration, candidate_id, advice: Advice JSON}] in the order given."""
        return [_row("advice", r) for r in self._query("SELECT * FROM advice ORDER BY id")]

    def log_event(self, kind: str, payload: Any = None) -> int:
        with self._write() as c:
            cur = c.execute("INSERT INTO events(ts, kind, payload) VALUES (?, ?, ?)",
                            (now(), kind, _dumps(payload)))
            return _rowid(cur)

    def events(self, kind: str | None = None) -> list[dict[str, Any]]:
        if kind is None:
            rows = self._query("SELECT * FROM events ORDER BY id")
        else:
            rows = self._query("SELECT * FROM events WHERE kind=? ORDER BY id", (kind,))
        return [_row("events", r) for r in rows]

    # ---- summary --------------------------------------------------------------------------------
    def best_candidate(self) -> Candidate | None:
        """The best ok candidate by the run's objectives (`objectives.rank_key`)."""
        return best_of(self.candidates(Status.OK), self.run_objectives())

    def run_objectives(self) -> list[Any]:
        """The objectives to rank this run by: the stored config's, else those recorded in meta
        at the start (when the stored config no longer parses, e.g. an older lemonade wrote it);
        [] when neither is readable."""
        return self.objectives() or self._meta_objectives()

    def _meta_objectives(self) -> list[Any]:
        raw = self.get_meta_obj("objectives")
        try:
            return [Objective(**d) for d in raw] if isinstance(raw, list) else []
        except Exception:
            return []

    def summary(self) -> dict[str, Any]:
        counts = {r[0]: r[1] for r in self._query(
            "SELECT status, COUNT(*) FROM candidates GROUP BY status")}
        calls = self.llm_calls()
        prompt, completion, total = token_totals(calls)
        meta = self.meta()
        best = self.best_candidate()
        return {
            "run_name": meta.get("run_name"),
            "status": meta.get("status"),
            "started_at": meta.get("started_at"),
            "finished_at": meta.get("finished_at"),
            "candidates": sum(counts.values()),
            "by_status": counts,
            "best": best,
            "best_id": best.id if best else None,
            "llm_calls": len(calls),
            "llm_errors": sum(1 for c in calls if c.get("error")),
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": total,
        }


class _Txn:
    """`with store._write() as conn:` one transaction under the store's lock; rollback on error."""

    def __init__(self, conn: sqlite3.Connection, lock: threading.Lock) -> None:
        self._conn, self._lock = conn, lock

    def __enter__(self) -> sqlite3.Connection:
        self._lock.acquire()
        try:
            # A write cut short by Ctrl-C (KeyboardInterrupt between BEGIN and the `with` body,
            # or during COMMIT) can leave a transaction open: it never committed, so drop it.
            self._rollback_leftover()
            # IMMEDIATE takes the write lock now, so a concurrent writer waits (busy_timeout)
            # instead of failing half-way with SQLITE_BUSY on upgrade from a read lock.
            self._conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._rollback_leftover()
            self._lock.release()
            raise
        return self._conn

    def __exit__(self, exc_type: object, *rest: object) -> None:
        try:
            self._conn.execute("COMMIT" if exc_type is None else "ROLLBACK")
        except BaseException:
            self._rollback_leftover()
            raise
        finally:
            self._lock.release()

    def _rollback_leftover(self) -> None:
        if self._conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")


def objectives_from_yaml(config_yaml: str | None) -> list[Any] | None:
    """Resolved objectives of a stored config, or None when absent or no longer valid."""
    if not config_yaml:
        return None
    try:
        import yaml

        data = yaml.safe_load(config_yaml) or {}
        return build_config(data).resolved_objectives()
    except Exception:
        # An old or hand-edited config must not make a finished run unreadable: fall back to CME.
        return None


def token_totals(calls: Iterable[Mapping[str, Any]]) -> tuple[int, int, int]:
    """(prompt, completion, total) tokens over LLM calls (OpenAI or Responses-style usage keys)."""
    prompt = completion = total = 0
    for call in calls:
        u = call.get("usage") or {}
        p = int(u.get("prompt_tokens", u.get("input_tokens", 0)) or 0)
        o = int(u.get("completion_tokens", u.get("output_tokens", 0)) or 0)
        prompt += p
        completion += o
        total += int(u.get("total_tokens", p + o) or 0)
    return prompt, completion, total


def _host_info() -> dict[str, Any]:
    import os
    import platform
    import sys

    return {
        "host": platform.node(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "cpu_count": os.cpu_count(),
    }
