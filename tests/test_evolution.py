"""Regularized (aging) evolution: the initial random population, tournament selection by the
search's ranking, one-gene mutations that stay in the genome space, aging, determinism, resume."""

from __future__ import annotations

import math

import pytest
import torch

from lemonade.candidate import Candidate, Status
from lemonade.config import ConfigError, Objective, ProposerConfig, build_config
from lemonade.expert import Advice
from lemonade.gate import check_source
from lemonade.modelfile import build_net
from lemonade.objectives import rank_key
from lemonade.proposers import ProposalRequest, make_proposer
from lemonade.proposers import genome as G
from lemonade.proposers.evolution import EvolutionProposer, Member, tournament_winner

torch.set_num_threads(1)

DIGITS = {"name": "digits", "channels": 1, "image_size": [8, 8], "num_classes": 10}
CIFAR = {"name": "cifar10", "channels": 3, "image_size": [32, 32], "num_classes": 10}
OBJS = [Objective(metric="val_accuracy", threshold=0.9, priority=3),
        Objective(metric="params", threshold=20_000, priority=2)]


def evolution(population: int = 4, tournament: int = 2, seed: int = 0) -> EvolutionProposer:
    p = make_proposer(ProposerConfig(kind="evolution", population=population,
                                     tournament=tournament), seed=seed)
    assert isinstance(p, EvolutionProposer) and p.name == "evolution"
    return p


def request(info: dict = DIGITS, it: int = 0) -> ProposalRequest:
    # the loop's request; evolution ignores the advice, the memory and the loop's parent
    return ProposalRequest(iteration=it, dataset=info, objectives=OBJS,
                           advice=Advice(diagnosis=[], instructions=[], conflicts=[]),
                           memory_text="", seed=0)


def candidate(cid: int, g: G.Genome, metrics: dict[str, float] | None,
              status: str = "ok") -> Candidate:
    doc = {k: {"value": v, "unit": ""} for k, v in (metrics or {}).items()}
    return Candidate(id=cid, iteration=cid, status=Status(status), genome=g.to_dict(),
                     metrics=doc)


def fake_metrics(g: G.Genome, info: dict = DIGITS) -> dict[str, float]:
    """A stand-in for training: accuracy grows with log(params) and depth, then saturates."""
    n = G.estimate_params(g, info)
    depth = sum(s.blocks for s in g.stages)
    acc = min(0.98, 0.55 + 0.09 * math.log2(n / 2000) + 0.02 * min(depth, 4))
    return {"val_accuracy": acc, "params": float(n)}


def drive(prop: EvolutionProposer, steps: int, info: dict = DIGITS) -> list[G.Genome]:
    """The loop without training: propose, 'measure' with fake_metrics, observe."""
    out = []
    for i in range(steps):
        g = G.Genome.from_dict(prop.propose(request(info, i)).genome)
        prop.observe(candidate(i + 1, g, fake_metrics(g, info)))
        out.append(g)
    return out


def test_initial_population_is_the_random_proposers_samples() -> None:
    evo, rnd = evolution(population=4, seed=7), make_proposer(ProposerConfig(kind="random"),
                                                              seed=7)
    for i in range(4):
        e, r = evo.propose(request(it=i)), rnd.propose(request(it=i))
        assert e.genome == r.genome and "initial population" in e.raw_response
        evo.observe(candidate(i + 1, G.Genome.from_dict(e.genome), {"val_accuracy": 0.5}))
    assert "tournament" in evo.propose(request(it=4)).raw_response


def test_aging_removes_the_oldest_whatever_its_score() -> None:
    prop = evolution(population=3)
    genomes = [G.random_genome(prop.rng, DIGITS) for _ in range(5)]
    # candidate 1 is by far the best; it is still the first to go
    scores = [0.99, 0.5, 0.5, 0.5, 0.5]
    for i, (g, acc) in enumerate(zip(genomes, scores, strict=True)):
        prop.observe(candidate(i + 1, g, {"val_accuracy": acc, "params": 1000.0}))
    assert [m.candidate_id for m in prop.population] == [3, 4, 5]


def test_failures_join_the_population_and_rank_last_but_rejections_do_not() -> None:
    prop = evolution(population=3)
    g = G.initial_genome(DIGITS)
    prop.observe(candidate(1, g, {}, status="timeout"))
    prop.observe(candidate(2, G.mutate(g, prop.rng, DIGITS), {}, status="rejected"))
    prop.observe(candidate(3, G.shrink(g), {"val_accuracy": 0.5, "params": 500.0}))
    assert [m.candidate_id for m in prop.population] == [1, 3]
    assert tournament_winner(list(prop.population), OBJS).candidate_id == 3


def test_tournament_picks_the_best_of_the_sample_by_rank_key() -> None:
    g = G.initial_genome(DIGITS)
    members = [
        Member(1, g, {"val_accuracy": 0.97, "params": 30_000.0}),   # higher accuracy, infeasible
        Member(2, g, {"val_accuracy": 0.91, "params": 19_000.0}),   # feasible: ranks first
        Member(3, g, {}),                                           # failed
        Member(4, g, {"val_accuracy": 0.90, "params": 20_000.0}),   # feasible, lower CME than 2
    ]
    assert tournament_winner(members, OBJS).candidate_id == 2
    assert tournament_winner([members[0], members[2]], OBJS).candidate_id == 1
    order = sorted(members, key=lambda m: rank_key(OBJS, m.metrics))
    assert [m.candidate_id for m in order] == [2, 4, 1, 3]


def test_each_child_is_one_mutation_of_the_best_of_its_tournament() -> None:
    # tournament == population: every tournament sees everyone, so the parent is the best member
    prop = evolution(population=4, tournament=4, seed=1)
    drive(prop, 4)
    for step in range(6):
        best = rank_key(OBJS, tournament_winner(list(prop.population), OBJS).metrics)
        p = prop.propose(request(it=4 + step))
        child = G.Genome.from_dict(p.genome)
        parent = next(m for m in prop.population if m.genome.key() == prop.lineage[child.key()])
        assert f"parent candidate {parent.candidate_id}" in p.raw_response
        assert rank_key(OBJS, parent.metrics) == best  # (equal-ranked members may tie)
        assert G.describe_change(parent.genome, child).count(";") == 0  # one gene changed
        prop.observe(candidate(5 + step, child, fake_metrics(child)))


def test_evolution_improves_on_its_initial_population() -> None:
    # a stochastic search: judged over seeds (one seed's initial population may hold a member
    # that 20 one-gene mutations do not beat)
    improved = 0
    for seed in range(8):
        prop = evolution(population=4, tournament=2, seed=seed)
        gs = drive(prop, 24)
        keys = [rank_key(OBJS, fake_metrics(g)) for g in gs]
        improved += min(keys[4:]) < min(keys[:4])
        assert len({g.key() for g in gs}) == len(gs)  # never proposes a genome twice
    assert improved >= 6


@pytest.mark.parametrize("info", [DIGITS, CIFAR])
def test_mutations_stay_in_the_space_and_render_valid_models(info) -> None:
    prop = evolution(population=2, tournament=2, seed=3)
    gs = drive(prop, 8, info)
    x = torch.randn(2, info["channels"], *info["image_size"])
    for g in gs[2:]:
        assert G.Genome.from_dict(g.to_dict()) == g  # the bounds hold (the constructor checks)
        src = G.render(g)
        assert check_source(src) == []
        net = build_net(src, info["channels"], info["num_classes"])
        assert net(x).shape == (2, info["num_classes"])


def test_deterministic_for_a_seed() -> None:
    def run(seed: int) -> list[str]:
        return [g.key() for g in drive(evolution(seed=seed), 10)]

    assert run(5) == run(5)
    assert run(5) != run(6)


def test_resume_rebuilds_the_population_from_the_stored_candidates_in_order() -> None:
    live = evolution(population=3, seed=2)
    drive(live, 7)
    stored = [candidate(m.candidate_id, m.genome, m.metrics) for m in live.population]
    earlier = [candidate(cid, G.Genome.from_dict(live.observed[cid].genome.to_dict()),
                         live.observed[cid].metrics) for cid in sorted(live.observed)]
    resumed = evolution(population=3, seed=99)
    for c in earlier:
        resumed.observe(c)
    assert list(resumed.population) == list(live.population)
    assert [m.candidate_id for m in resumed.population] == [c.id for c in stored]
    # nothing measured before is proposed again
    for i in range(5):
        p = resumed.propose(request(it=7 + i))
        assert G.Genome.from_dict(p.genome).key() not in {c.genome and G.Genome.from_dict(
            c.genome).key() for c in earlier}
        resumed.observe(candidate(8 + i, G.Genome.from_dict(p.genome), {"val_accuracy": 0.5}))


def test_config_keys_and_errors() -> None:
    cfg = build_config({"proposer": {"kind": "evolution", "population": 6, "tournament": 2}})
    assert (cfg.proposer.population, cfg.proposer.tournament) == (6, 2)
    assert ProposerConfig().population == 8 and ProposerConfig().tournament == 3
    with pytest.raises(ConfigError, match="population"):
        build_config({"proposer": {"kind": "evolution", "population": 1}})
    # a tournament larger than the population samples everyone
    assert evolution(population=3, tournament=9).tournament_size == 3


# ---- through the real search loop, with the worker replaced by a fake measurement -------------

def fake_outcome(job, *args, **kwargs):
    """Stands in for the sandboxed worker: counts the model's parameters, invents an accuracy."""
    from lemonade import metrics as M
    from lemonade.sandbox.runner import CandidateOutcome

    net = build_net(job.source, 1, 10)
    n = sum(p.numel() for p in net.parameters())
    acc = min(0.99, 0.6 + 0.08 * math.log2(max(n, 1000) / 1000))
    ms = {"val_accuracy": M.measured("val_accuracy", acc),
          "test_accuracy": M.measured("test_accuracy", acc - 0.01),
          "params": M.measured("params", float(n)),
          "latency_ms": M.measured("latency_ms", 0.5),
          "train_seconds": M.measured("train_seconds", 1.0)}
    return CandidateOutcome(status="ok", reason=None, metrics=ms, seconds=0.01)


def test_the_loop_feeds_the_population_and_resume_rebuilds_it(tmp_path, monkeypatch) -> None:
    from lemonade import search as S
    from lemonade.sandbox import runner

    monkeypatch.setattr(runner, "run_candidate", fake_outcome)  # what a pool task calls
    cfg = build_config({"proposer": {"kind": "evolution", "population": 3, "tournament": 2},
                        "budget": {"iterations": 6}, "seed": 4,
                        "run_dir": str(tmp_path / "run")})
    run = S.start_run(cfg)
    run.run()
    cands = run.store.candidates()
    assert len(cands) == 6 and all(str(c.status) == "ok" for c in cands)
    live = run.proposer
    assert [m.candidate_id for m in live.population] == [c.id for c in cands[-3:]]
    # the first `population` proposals are random samples, then tournaments over measured members
    responses = [c["response"] for c in run.store.llm_calls()]
    assert all("initial population" in r for r in responses[:3])
    assert all("tournament of candidates" in r for r in responses[3:])
    # the metrics it ranked on are the validation ones only
    assert all("test_accuracy" not in m.metrics for m in live.population)
    run.store.close()
    lock = getattr(run, "run_lock", None)  # the run dir stays locked while its Search lives
    if lock is not None:
        lock.release()
    resumed = S.resume_run(tmp_path / "run")
    assert list(resumed.proposer.population) == list(live.population)
    resumed.store.close()
