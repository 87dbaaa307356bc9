"""`lemonade search --ray-address` and `lemonade resume --workers/--batch/--ray-address`: the
config the search gets. The commands run for real (run directory, store, dataset) up to the
point where the search would start; `_drive`, which runs it, only keeps the Search it is given,
so no Ray runtime is started."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lemonade import cli
from lemonade.config import build_config, load_config
from lemonade.search import Search, start_run
from lemonade.store import Store

runner = CliRunner()


@pytest.fixture
def searches(monkeypatch: pytest.MonkeyPatch) -> list[Search]:
    """The Search each command would run (not run; its run lock released)."""
    got: list[Search] = []

    def keep(s: Search, display: Any) -> None:
        got.append(s)
        s.run_lock.release()  # type: ignore[attr-defined]
        s.store.close()

    monkeypatch.setattr(cli, "_drive", keep)
    return got


@pytest.fixture
def no_ray(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if Ray were not installed: `import ray` raises ImportError."""
    monkeypatch.setitem(sys.modules, "ray", None)


def small_run(tmp_path: Path) -> Path:
    """A run directory with its store and config (workers 1), not run."""
    run_dir = tmp_path / "run"
    s = start_run(build_config({"dataset": {"name": "synthetic", "synthetic_size": 120},
                                "run_dir": str(run_dir), "budget": {"iterations": 2}}))
    s.run_lock.release()  # type: ignore[attr-defined]
    s.store.close()
    return run_dir


def test_search_ray_address_sets_the_config_key(tmp_path: Path, searches: list[Search]) -> None:
    pytest.importorskip("ray")
    res = runner.invoke(cli.app, ["search", "--dataset", "synthetic", "--run-dir",
                                  str(tmp_path / "run"), "--workers", "2",
                                  "--ray-address", "10.1.2.3:6379", "-q"])
    assert res.exit_code == 0, res.output
    (s,) = searches
    assert s.cfg.parallel.ray_address == "10.1.2.3:6379" and s.cfg.parallel.workers == 2
    # the run's stored config holds it, as any search flag
    assert load_config(tmp_path / "run" / "config.yaml").parallel.ray_address == "10.1.2.3:6379"


def test_search_ray_address_without_ray_is_the_one_line_hint(
        tmp_path: Path, searches: list[Search], no_ray: None) -> None:
    res = runner.invoke(cli.app, ["search", "--dataset", "synthetic", "--run-dir",
                                  str(tmp_path / "run"), "--ray-address", "auto"])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "pip install" in lines[0] and "[ray]" in lines[0]
    assert not searches and not (tmp_path / "run").exists()


def test_resume_flags_override_the_stored_config_for_this_resumption(
        tmp_path: Path, searches: list[Search]) -> None:
    pytest.importorskip("ray")
    run_dir = small_run(tmp_path)
    stored = (run_dir / "config.yaml").read_text()
    res = runner.invoke(cli.app, ["resume", str(run_dir), "--workers", "2", "--batch", "3",
                                  "--ray-address", "auto", "-q"])
    assert res.exit_code == 0, res.output
    (s,) = searches
    p = s.cfg.parallel
    assert (p.workers, p.batch, p.ray_address, p.in_flight) == (2, 3, "auto", 3)
    assert s.cfg.budget.iterations == 2  # the rest is the run's own
    assert (run_dir / "config.yaml").read_text() == stored  # for this resumption only
    with Store.open(run_dir) as st:
        (ev,) = st.events("resume")
    assert ev["payload"]["overrides"] == {"parallel.workers": 2, "parallel.batch": 3,
                                          "parallel.ray_address": "auto"}

    # a later resumption without the flags is back to the stored settings
    res = runner.invoke(cli.app, ["resume", str(run_dir), "-q"])
    assert res.exit_code == 0, res.output
    p = searches[1].cfg.parallel
    assert (p.workers, p.batch, p.ray_address) == (1, None, None)


def test_resume_with_workers_without_ray_is_the_one_line_hint(
        tmp_path: Path, searches: list[Search], no_ray: None) -> None:
    run_dir = small_run(tmp_path)
    res = runner.invoke(cli.app, ["resume", str(run_dir), "--workers", "2"])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "pip install" in lines[0]
    assert not searches
    with Store.open(run_dir) as st:
        assert st.events("resume") == []  # refused before the run was touched
