"""Final training of the winner: `lemonade finalize RUN_DIR [--top K] [--epochs N] [--seeds S]`.

    run.db ─ ok candidates ranked by objectives.rank_key ─ top K
        ─ each retrained on train+val (CandidateJob.train_on_val) for N epochs, S seeds,
          each seed a fresh sandboxed worker (through lemonade.parallel's pool)
        ─ every metric measured again; test accuracy on the untouched test split
        ─ RUN_DIR/final/: model.py, weights.pt (a state_dict for model.py's Net), metrics.json,
          candidate.json, and the checked exported program the measurement used (graph.json,
          weights.safetensors); written whole, swapped in with one rename

Which seed's weights are kept: the one with the highest test accuracy. That choice looks at the
test split, so the kept model's own test figure is optimistic; the mean and spread over seeds
(in candidate.json) are the honest estimate. With K > 1, `final/` holds the candidate the search
ranked first (selection stays on validation metrics) and `final/top/NNNN/` the others.
"""

from __future__ import annotations

import json
import shutil
import statistics
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lemonade import metrics as M
from lemonade.candidate import Candidate, rank
from lemonade.config import Config, Objective, load_config
from lemonade.parallel import candidate_task, open_pool, require_ray, task_resources
from lemonade.rankcorr import rank_agreement
from lemonade.rundir import plain_state_dict, save_state_dict, swap_in
from lemonade.sandbox.resource import Sandbox
from lemonade.sandbox.runner import CandidateJob, training_job
from lemonade.store import Store

FINAL_DIR = "final"
EPOCHS_FACTOR = 3  # final epochs when neither --epochs nor budget.final_epochs is given


class FinalizeError(Exception):
    """The run cannot be finalized (no successful candidate, a bad option); one line."""


@dataclass
class SeedResult:
    seed: int
    status: str
    reason: str | None
    test_accuracy: float | None
    metrics: dict[str, Any] = field(default_factory=dict)  # the metrics.json document
    weights_path: str | None = None
    artifacts_dir: str | None = None
    seconds: float = 0.0


@dataclass
class FinalCandidate:
    candidate_id: int
    search_rank: int  # 1 = the search's best
    code: str
    search_test_accuracy: float | None
    seeds: list[SeedResult]

    @property
    def ok_seeds(self) -> list[SeedResult]:
        return [s for s in self.seeds if s.status == "ok" and s.test_accuracy is not None]

    @property
    def best_seed(self) -> SeedResult | None:
        ok = self.ok_seeds
        return max(ok, key=lambda s: (s.test_accuracy, -s.seed)) if ok else None

    def test_accuracy_stats(self) -> dict[str, float | int | None]:
        accs = [s.test_accuracy for s in self.ok_seeds if s.test_accuracy is not None]
        if not accs:
            return {"mean": None, "std": None, "min": None, "max": None, "n": 0}
        return {"mean": statistics.fmean(accs),
                "std": statistics.stdev(accs) if len(accs) > 1 else 0.0,
                "min": min(accs), "max": max(accs), "n": len(accs)}


@dataclass
class FinalizeResult:
    run_dir: Path
    final_dir: Path
    epochs: int
    candidates: list[FinalCandidate]


def final_epochs(cfg: Config, epochs: int | None = None) -> int:
    """--epochs, else budget.final_epochs, else EPOCHS_FACTOR x budget.epochs."""
    if epochs is not None:
        if epochs < 1:
            raise FinalizeError(f"--epochs must be at least 1, got {epochs}")
        return epochs
    return cfg.budget.final_epochs or EPOCHS_FACTOR * cfg.budget.epochs


def pick_top(cands: list[Candidate], objectives: list[Objective], k: int) -> list[Candidate]:
    """The k best ok candidates by the search's one ranking (`candidate.rank`: `rank_key`, at
    the highest fidelity two candidates share; ties: the earlier candidate), best first."""
    return rank(cands, objectives)[:k]


def final_config(cfg: Config, epochs: int, seed: int) -> Config:
    """The run's config for one final training: the longer schedule, one seed, no time cap."""
    timeout = cfg.budget.candidate_timeout_s * max(1.0, epochs / cfg.budget.epochs)
    budget = cfg.budget.model_copy(update={
        "epochs": epochs, "seconds_per_candidate": None, "proxy_epochs": None,
        "candidate_timeout_s": timeout})
    return cfg.model_copy(update={"budget": budget, "seed": seed})


def _job(code: str, cfg: Config, workdir: Path, warm_next: bool = False) -> CandidateJob:
    return training_job(cfg, code, workdir=workdir.resolve(), want_weights=True,
                        train_on_val=True, warm_next=warm_next)


def _seed_result(seed: int, outcome: Any) -> SeedResult:
    doc = M.to_json(outcome.metrics) if outcome.metrics else {}
    acc = M.values(outcome.metrics).get("test_accuracy") if outcome.metrics else None
    return SeedResult(seed=seed, status=outcome.status, reason=outcome.reason,
                      test_accuracy=acc, metrics=doc, weights_path=outcome.weights_path,
                      artifacts_dir=getattr(outcome, "artifacts_dir", None),
                      seconds=float(outcome.seconds or 0.0))


def finalize_after_search(run_dir: Path, epochs: int, say: Callable[[str], None],
                          sandbox: Sandbox | None = None) -> None:
    """A search's last step (`budget.final_epochs`): retrain its best candidate on train+val
    into RUN_DIR/final/, with the search's `sandbox` (its fork server is warm). A failure is
    said (`say`), never raised: the search is done and stored, and `lemonade finalize RUN_DIR`
    can try again."""
    say(f"final training: {epochs} epochs on train+val")
    try:
        # one training: no Ray runtime to start for it (one failed to start under load)
        finalize_run(run_dir, top=1, epochs=epochs, seeds=1, workers=1, sandbox=sandbox)
    except Exception as e:
        why = str(e) if isinstance(e, FinalizeError) else f"{type(e).__name__}: {e}"
        say(f"final training failed: {why}; retry with `lemonade finalize {run_dir}`")


def finalize_run(run_dir: str | Path, *, top: int = 1, epochs: int | None = None,
                 seeds: int = 1, workers: int | None = None, ray_address: str | None = None,
                 on_seed: Callable[[FinalCandidate, SeedResult], None] | None = None,
                 sandbox: Sandbox | None = None) -> FinalizeResult:
    """Retrain the top `top` candidates on train+val and write RUN_DIR/final/.

    `workers` / `ray_address` override the run's `parallel` settings (None: keep them).
    `sandbox` (lemonade.sandbox.resource) runs the trainings of a serial pool: a search's own,
    whose fork server is warm already; None: one of this call only, closed as it returns.
    """
    if sandbox is None:
        with Sandbox() as own:
            return finalize_run(run_dir, top=top, epochs=epochs, seeds=seeds, workers=workers,
                                ray_address=ray_address, on_seed=on_seed, sandbox=own)
    run_dir = Path(run_dir)
    if top < 1 or seeds < 1:
        raise FinalizeError("--top and --seeds must be at least 1")
    cfg = load_config(run_dir / "config.yaml", {"parallel.workers": workers,
                                                "parallel.ray_address": ray_address})
    require_ray(cfg)
    objectives = cfg.resolved_objectives()
    n_epochs = final_epochs(cfg, epochs)
    with Store.open(run_dir) as store:
        chosen = pick_top(store.candidates(), objectives, top)
        if not chosen:
            raise FinalizeError(f"{run_dir} has no successful candidate to finalize")
        finals = [FinalCandidate(candidate_id=c.id, search_rank=i + 1, code=c.code,
                                 search_test_accuracy=c.values.get("test_accuracy"),
                                 seeds=[]) for i, c in enumerate(chosen)]
        work = (run_dir / "final.work").resolve()
        shutil.rmtree(work, ignore_errors=True)
        pool = open_pool(cfg, sandbox=sandbox)
        try:
            res = task_resources(cfg, pool.gpus)
            by_key: dict[Hashable, tuple[FinalCandidate, int]] = {}
            left = len(finals) * seeds
            for fc in finals:
                for s in range(seeds):
                    seed = cfg.seed + s
                    scfg = final_config(cfg, n_epochs, seed)
                    left -= 1
                    # the next training's processes start as this one is measured
                    # (lemonade.sandbox.prestart), but not after the last
                    job = _job(fc.code, scfg, work / f"{fc.candidate_id:04d}-seed{seed}",
                               warm_next=scfg.sandbox.prestart and left > 0)
                    pool.submit(candidate_task, job, None, None, None, pool.sandbox,
                                resources=res, key=(fc.candidate_id, seed))
                    by_key[(fc.candidate_id, seed)] = fc, seed
            for done in pool.as_completed():
                fc, seed = by_key[done.key]
                if done.ok:
                    sr = _seed_result(seed, done.value)
                else:
                    sr = SeedResult(seed=seed, status="crashed", reason=done.error,
                                    test_accuracy=None)
                fc.seeds.append(sr)
                if on_seed is not None:
                    on_seed(fc, sr)
        finally:
            pool.shutdown(cancel=True)
            sandbox.warm.release()
        for fc in finals:
            fc.seeds.sort(key=lambda s: s.seed)
        if finals[0].best_seed is None:
            reasons = "; ".join(f"seed {s.seed}: {s.status}: {s.reason}" for s in finals[0].seeds)
            raise FinalizeError(f"final training of candidate {finals[0].candidate_id} failed "
                                f"({reasons})")
        final_dir = _write_final(run_dir, finals, n_epochs, cfg)
        # how far the search's validation ranking held on the test split (3+ finalists)
        val = {c.id: c.values.get("val_accuracy") for c in chosen}
        agreement = rank_agreement([val.get(fc.candidate_id) for fc in finals],
                                   [fc.test_accuracy_stats()["mean"] for fc in finals])
        (final_dir / "rank_agreement.json").write_text(json.dumps(
            {"between": ["search val_accuracy", "final test_accuracy (mean over seeds)"],
             **agreement}, indent=2))
        store.log_event("finalize", {
            "epochs": n_epochs, "seeds": seeds, "rank_agreement": agreement,
            "candidates": [{"candidate_id": fc.candidate_id, **fc.test_accuracy_stats()}
                           for fc in finals]})
        shutil.rmtree(work, ignore_errors=True)
    return FinalizeResult(run_dir=run_dir, final_dir=final_dir, epochs=n_epochs, candidates=finals)


def candidate_doc(fc: FinalCandidate, epochs: int, cfg: Config) -> dict[str, Any]:
    """candidate.json: which candidate, how it was trained, and every seed's test accuracy."""
    best = fc.best_seed
    return {
        "candidate_id": fc.candidate_id,
        "search_rank": fc.search_rank,
        "trained_on": "train+val",
        "measured_on": "test",
        "epochs": epochs,
        "dataset": cfg.dataset.name,
        "seeds": [s.seed for s in fc.seeds],
        "kept_seed": best.seed if best else None,
        "kept_seed_chosen_by": "highest test accuracy (mean and std are the unbiased figures)",
        "per_seed": [{"seed": s.seed, "status": s.status, "reason": s.reason,
                      "test_accuracy": s.test_accuracy, "seconds": round(s.seconds, 3)}
                     for s in fc.seeds],
        "test_accuracy": fc.test_accuracy_stats(),
        "search_test_accuracy": fc.search_test_accuracy,
    }


def _write_one(dest: Path, fc: FinalCandidate, epochs: int, cfg: Config) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "model.py").write_text(fc.code)
    best = fc.best_seed
    if best is not None:
        if best.weights_path and Path(best.weights_path).is_file():
            # weights.pt: a state_dict for model.py's Net (torch.load(weights_only=True))
            save_state_dict(plain_state_dict(best.weights_path), dest / "weights.pt")
        art = Path(best.artifacts_dir) if best.artifacts_dir else None
        if art is not None and (art / "graph.json").is_file():
            # the checked exported program the measurement used (lemonade.sandbox.artifacts)
            shutil.copy2(art / "graph.json", dest / "graph.json")
            if (art / "weights.safetensors").is_file():
                shutil.copy2(art / "weights.safetensors", dest / "weights.safetensors")
        (dest / "metrics.json").write_text(json.dumps(best.metrics, indent=2))
    (dest / "candidate.json").write_text(json.dumps(candidate_doc(fc, epochs, cfg), indent=2))


def _write_final(run_dir: Path, finals: list[FinalCandidate], epochs: int, cfg: Config) -> Path:
    final = run_dir / FINAL_DIR
    tmp = run_dir / (FINAL_DIR + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    _write_one(tmp, finals[0], epochs, cfg)
    for fc in finals[1:]:
        _write_one(tmp / "top" / f"{fc.candidate_id:04d}", fc, epochs, cfg)
    return swap_in(tmp, final)


def final_table(res: FinalizeResult) -> Any:
    """A rich table: each finalist's search test accuracy against its final one, per seed."""
    from rich.table import Table

    t = Table(title=f"final training: {res.epochs} epochs on train+val, measured on test")
    for col in ("candidate", "search rank", "search test acc", "final test acc (mean ± std)",
                "per seed", "kept"):
        t.add_column(col)
    for fc in res.candidates:
        st = fc.test_accuracy_stats()
        mean = "n/a" if st["mean"] is None else f"{st['mean']:.4f} ± {st['std']:.4f}"
        search = "n/a" if fc.search_test_accuracy is None else f"{fc.search_test_accuracy:.4f}"
        per = ", ".join("n/a" if s.test_accuracy is None else f"{s.test_accuracy:.4f}"
                        for s in fc.seeds)
        best = fc.best_seed
        t.add_row(str(fc.candidate_id), str(fc.search_rank), search, mean, per,
                  f"seed {best.seed}" if best else "none")
    return t
