"""Opening a run before its loop starts: a new run directory and store (`open_new`), or a stopped
run's (`reopen`).

Everything that can fail on the user's input fails here, before anything is written: the
sandbox (isolation required but unavailable), the dataset, the start model, the proposer (a
missing API key, a replay source that is not a run). The run directory is locked
(RUN_DIR/.lock, `lemonade.runlock`) from here on; the caller keeps the lock while the run lives.
"""

from __future__ import annotations

import json
import socket
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lemonade import __version__, runlock
from lemonade.config import Config, ConfigError, dump_config, load_config
from lemonade.data import Dataset, load_dataset
from lemonade.proposers import Proposer, make_proposer
from lemonade.proposers.improver import Improver, make_improver
from lemonade.sandbox import isolation
from lemonade.start import read_start_file
from lemonade.store import Store


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def default_run_dir(cfg: Config) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("runs") / f"{cfg.dataset.name}-{cfg.proposer.kind}-{stamp}"


@dataclass
class Opened:
    """An open run, ready for its loop (`lock` is None when the folder did not exist)."""

    cfg: Config
    run_dir: Path
    store: Store
    data: Dataset
    lock: runlock.RunLock | None
    proposer: Proposer | None = None
    improver: Improver | None = None


def hold(owner: object, lock: runlock.RunLock | None) -> runlock.RunLock | None:
    """Keep `lock` while `owner` lives (released when it is freed); returns the lock."""
    if lock is not None:
        weakref.finalize(owner, lock.release)
    return lock


def _taken(run_dir: Path) -> ConfigError:
    return ConfigError(f"run_dir: {run_dir} already holds a run; use `lemonade resume "
                       f"{run_dir}` or choose another --run-dir")


def open_new(cfg: Config) -> Opened:
    """Create a new run directory and its store; fail early on a bad input."""
    run_dir = Path(cfg.run_dir) if cfg.run_dir else default_run_dir(cfg)
    if (run_dir / "run.db").exists():
        raise _taken(run_dir)
    isolation.resolve(cfg.sandbox)
    data = load_dataset(cfg.dataset, seed=cfg.seed)
    if cfg.search.start_from:  # the user's model: usable, or the line to fix, now
        read_start_file(cfg.search.start_from, data.info())
    proposer = make_proposer(cfg.proposer, seed=cfg.seed)
    improver = make_improver(cfg.proposer, seed=cfg.seed)  # its API key, checked now as well
    cfg = cfg.model_copy(update={"run_dir": str(run_dir)})
    run_dir.mkdir(parents=True, exist_ok=True)
    lock = runlock.acquire(run_dir)
    if (run_dir / "run.db").exists():  # another start won the race for this folder
        lock.release()
        raise _taken(run_dir)
    config_yaml = dump_config(cfg)
    (run_dir / "config.yaml").write_text(config_yaml)
    store = Store.create(run_dir, config_yaml, {
        "name": run_dir.name, "dataset": cfg.dataset.name, "proposer": cfg.proposer.kind,
        "model": cfg.proposer.model if cfg.proposer.kind == "openai" else cfg.proposer.kind,
        "started_at": now_iso(), "status": "running", "lemonade_version": __version__,
        "host": socket.gethostname(), "dataset_info": json.dumps(data.info()),
        "objectives": json.dumps([o.model_dump(mode="json")
                                  for o in cfg.resolved_objectives()]),
    })
    return Opened(cfg, run_dir, store, data, lock, proposer, improver)


def reopen(run_dir: Path, overrides: dict[str, Any] | None = None) -> Opened:
    """Reopen a stopped run: stale candidates become interrupted; the resumption is logged.

    Refused (lemonade.runlock.RunLocked) while another process writes to the run: its
    "running" candidates are live, not stale."""
    lock = runlock.acquire(run_dir) if Path(run_dir).is_dir() else None
    try:
        store = Store.open(run_dir)
        cfg = load_config(run_dir / "config.yaml", overrides)
        isolation.resolve(cfg.sandbox)
        stale = store.mark_interrupted_stale()
        # flags given for this resumption only (config.yaml keeps the run's own settings)
        given = {k: v for k, v in (overrides or {}).items() if v is not None}
        store.log_event("resume", {"interrupted": stale, "at": now_iso(), "overrides": given})
        store.set_meta("resumed_at", now_iso())
        data = load_dataset(cfg.dataset, seed=cfg.seed)
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    return Opened(cfg, run_dir, store, data, lock)
