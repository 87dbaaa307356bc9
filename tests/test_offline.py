"""The proposers that need no network: offline (advice-driven genome edits), random, replay."""

from __future__ import annotations

import math

import pytest

from lemonade.config import ConfigError, Objective, ProposerConfig
from lemonade.expert import Advice, Instruction, advise
from lemonade.gate import check_source, code_hash
from lemonade.objectives import cme, is_feasible, rank_key
from lemonade.proposers import Proposal, ProposalRequest, Proposer, make_proposer
from lemonade.proposers import genome as G

DIGITS = {"name": "digits", "channels": 1, "image_size": [8, 8], "num_classes": 10,
          "n_train": 1293, "n_val": 144, "n_test": 360}
CIFAR = {"name": "cifar10", "channels": 3, "image_size": [32, 32], "num_classes": 10,
         "n_train": 45000, "n_val": 5000, "n_test": 10000}


def advice(*pairs: tuple[str, float]) -> Advice:
    return Advice(diagnosis=["test"], instructions=[
        Instruction(action=a, magnitude=m, reason="test", objective=None, priority=1.0, gap=0.5)
        for a, m in pairs])


def request(parent: dict | None = None, adv: Advice | None = None, info: dict = CIFAR,
            objectives: list[Objective] | None = None, iteration: int = 1) -> ProposalRequest:
    code = G.render(G.Genome.from_dict(parent)) if parent else None
    return ProposalRequest(iteration=iteration, dataset=info, objectives=objectives or [],
                           advice=adv or advice(), memory_text="", parent_code=code,
                           parent_genome=parent, parent_metrics=None, seed=0)


def offline(exploration: float = 0.0, seed: int = 0) -> Proposer:
    return make_proposer(ProposerConfig(kind="offline", exploration=exploration), seed=seed)


def params(p: Proposal, info: dict = CIFAR) -> int:
    return G.estimate_params(G.Genome.from_dict(p.genome), info)


def test_first_proposal_is_a_valid_initial_model() -> None:
    p = offline().propose(request(parent=None, info=DIGITS, iteration=0))
    assert p.error is None and p.model == "offline"
    assert p.genome == G.initial_genome(DIGITS).to_dict()
    assert check_source(p.code) == []
    assert p.usage == {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    assert "initial genome" in p.raw_response


@pytest.mark.parametrize(("action", "measure", "sign"), [
    ("reduce_kernels", params, -1),
    ("add_kernels", params, +1),
    ("add_conv_layers", lambda p: sum(s["blocks"] for s in p.genome["stages"]), +1),
    ("reduce_conv_layers", lambda p: sum(s["blocks"] for s in p.genome["stages"]), -1),
    ("add_dense_layers", lambda p: len(p.genome["head"]), +1),
    ("add_dropout", lambda p: p.genome["dropout"], +1),
])
def test_follows_the_advice(action: str, measure, sign: int) -> None:
    parent = G.apply(G.initial_genome(CIFAR), "add_conv_layers", 0.5).to_dict()
    before = Proposal(code=None, genome=parent)
    p = offline().propose(request(parent, advice((action, 0.4))))
    assert (measure(p) - measure(before)) * sign > 0
    assert action in p.raw_response  # the account of what was modified


def test_applies_instructions_in_order_with_magnitudes() -> None:
    parent = G.initial_genome(CIFAR)
    p = offline().propose(request(parent.to_dict(),
                                  advice(("reduce_kernels", 0.5), ("add_skip_connections", 1.0))))
    expected = G.apply(G.apply(parent, "reduce_kernels", 0.5), "add_skip_connections", 1.0)
    assert p.genome == expected.to_dict()


def test_never_repeats_a_genome_over_30_proposals() -> None:
    # The worst case: the same parent and the same advice every time.
    prop = offline(exploration=0.3, seed=1)
    parent = G.initial_genome(DIGITS).to_dict()
    props = [prop.propose(request(parent, advice(("reduce_kernels", 0.3)), info=DIGITS))
             for _ in range(30)]
    assert len({G.Genome.from_dict(p.genome).key() for p in props}) == 30
    assert len({code_hash(p.code) for p in props}) == 30
    assert all(check_source(p.code) == [] for p in props[:5])


def test_is_deterministic_for_a_seed() -> None:
    def run(seed: int) -> list[str]:
        prop = offline(exploration=1.0, seed=seed)
        parent = G.initial_genome(CIFAR).to_dict()
        return [prop.propose(request(parent, advice(("add_dropout", 0.2)))).code
                for _ in range(6)]

    assert run(5) == run(5)
    assert run(5) != run(6)


def test_steers_toward_a_params_threshold() -> None:
    objs = [Objective(metric="params", threshold=40_000, priority=2)]
    p = offline().propose(request(G.initial_genome(CIFAR).to_dict(), advice(("add_kernels", 0.5)),
                                  objectives=objs))
    assert 20_000 < params(p) <= 40_000
    assert "fit budget" in p.raw_response


def test_repair_shrinks() -> None:
    prop = offline()
    req = request(G.initial_genome(CIFAR).to_dict(), advice(("add_kernels", 1.0)))
    failed = prop.propose(req)
    fixed = prop.repair(req, failed, "crashed: CUDA out of memory")
    assert params(fixed) < params(failed) / 2
    assert fixed.error is None and check_source(fixed.code) == []
    assert "repair" in fixed.raw_response
    dup = prop.repair(req, failed, "identical to candidate 3 (already ok)")
    assert dup.genome != failed.genome and dup.genome != fixed.genome


def test_ignores_unknown_actions() -> None:
    p = offline().propose(request(G.initial_genome(CIFAR).to_dict(), advice(("add_attention", .5))))
    assert p.error is None and "ignored unknown action" in p.raw_response


def fake_metrics(g: G.Genome, info: dict) -> dict[str, float]:
    """A stand-in for training: accuracy grows with log(params) and depth, then saturates."""
    n = G.estimate_params(g, info)
    depth = sum(s.blocks for s in g.stages)
    acc = min(0.98, 0.55 + 0.09 * math.log2(n / 2000) + 0.02 * min(depth, 4))
    return {"val_accuracy": acc, "train_accuracy": min(1.0, acc + 0.01), "params": float(n)}


def test_a_short_search_improves_on_the_starting_model() -> None:
    # The loop's wiring, without training: expert advice on the best so far -> offline proposal.
    objs = [Objective(metric="val_accuracy", threshold=0.9, priority=3),
            Objective(metric="params", threshold=20_000, priority=2)]
    prop = offline(exploration=0.3, seed=0)
    best_g, best_m = None, None
    first = None
    for it in range(12):
        adv = advise(objs, best_m)
        req = request(best_g.to_dict() if best_g else None, adv, info=DIGITS, objectives=objs,
                      iteration=it)
        g = G.Genome.from_dict(prop.propose(req).genome)
        m = fake_metrics(g, DIGITS)
        first = first or m
        if best_m is None or rank_key(objs, m) < rank_key(objs, best_m):  # the loop's ranking
            best_g, best_m = g, m
    # The initial model underfits (accuracy under the threshold); following the expert's
    # "add layers / kernels" under the params cap reaches a model that meets both objectives.
    assert not is_feasible(objs, first)
    assert is_feasible(objs, best_m)
    assert best_m["val_accuracy"] > first["val_accuracy"] + 0.1
    assert cme(objs, best_m) > 0


def test_random_proposer_samples_new_valid_genomes() -> None:
    prop = make_proposer(ProposerConfig(kind="random"), seed=0)
    ps = [prop.propose(request(None, info=DIGITS, iteration=i)) for i in range(10)]
    assert len({p.code for p in ps}) == 10
    assert all(p.model == "random" and check_source(p.code) == [] for p in ps[:4])
    again = make_proposer(ProposerConfig(kind="random"), seed=0)
    assert again.propose(request(None, info=DIGITS)).code == ps[0].code
    fixed = prop.repair(request(None, info=DIGITS), ps[0], "timeout: ran past 900 s")
    assert params(fixed, DIGITS) < params(ps[0], DIGITS)


# ---- replay, against a real SQLite store ---------------------------------------------------------

FENCED = "Here it is.\n```python\n{code}```\n"


@pytest.fixture
def recorded(tmp_path):
    from lemonade.store import Store

    store = Store.create(tmp_path / "rec", "seed: 0\n")
    codes = [G.render(G.initial_genome(CIFAR)), G.render(G.initial_genome(DIGITS)),
             G.render(G.shrink(G.initial_genome(CIFAR)))]
    msgs = [{"role": "user", "content": "q"}]
    usage = {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30}
    fenced = [FENCED.format(code=c) for c in codes]
    # (iteration, kind, response, usage, model, error), in the order the calls were made
    for it, kind, response, use, model, error in [
        (0, "propose", fenced[0], usage, "m1", None),
        (0, "repair", fenced[2], usage, "m1", None),
        (1, "propose", None, None, "m1", "HTTP 500: boom"),
        (2, "propose", fenced[1], None, "m2", None),
        (3, "propose", "sorry, no code", usage, "m2", None),
    ]:
        store.add_llm_call(None, it, kind, msgs, response, use, model, error, 1.0)
    yield tmp_path / "rec", store, codes
    store.close()


def test_replay_plays_back_in_order(recorded) -> None:
    _, store, codes = recorded
    prop = make_proposer(ProposerConfig(kind="replay"), seed=0, store=store)
    req = request(None)
    p0 = prop.propose(req)
    assert p0.code == codes[0] and p0.model == "m1" and p0.usage["total_tokens"] == 30
    assert p0.messages == [{"role": "user", "content": "q"}]
    assert prop.repair(req, p0, "err").code == codes[2]  # repairs have their own queue
    p1 = prop.propose(req)
    assert p1.code is None and p1.error == "HTTP 500: boom"  # a recorded failure replays as one
    assert prop.propose(req).code == codes[1]
    bad = prop.propose(req)
    assert bad.code is None and "no usable code" in bad.error
    assert bad.raw_response == "sorry, no code"
    assert "replay exhausted" in prop.propose(req).error
    assert "replay exhausted" in prop.repair(req, p0, "err").error


def test_replay_opens_a_run_dir_and_names_bad_paths(recorded, tmp_path) -> None:
    run_dir, _, codes = recorded
    prop = make_proposer(ProposerConfig(kind="replay", replay_from=str(run_dir)), seed=0)
    assert prop.propose(request(None)).code == codes[0]
    with pytest.raises(ConfigError, match="replay_from"):
        make_proposer(ProposerConfig(kind="replay", replay_from=str(tmp_path / "nope")), seed=0)
    with pytest.raises(ConfigError, match="replay_from"):
        make_proposer(ProposerConfig(kind="replay"), seed=0)


# ---- learning from what happened: an edit that failed for a parent is not tried on it again ----

def observed(cid: int, g: G.Genome, status: str = "ok", metrics: dict | None = None,
             parent_id: int | None = None):
    from lemonade.candidate import Candidate, Status

    doc = {k: {"value": v, "unit": ""} for k, v in (metrics or {}).items()}
    return Candidate(id=cid, iteration=cid, status=Status(status), parent_id=parent_id,
                     genome=g.to_dict(), metrics=doc)


OBJS = [Objective(metric="val_accuracy", threshold=0.9, priority=3),
        Objective(metric="params", threshold=400_000, priority=2)]
PARENT = G.initial_genome(CIFAR)
PARENT_M = {"val_accuracy": 0.85, "params": 300_000.0}


def loop_request(adv: Advice) -> ProposalRequest:
    req = request(PARENT.to_dict(), adv, objectives=OBJS)
    req.parent_metrics = dict(PARENT_M)
    return req


@pytest.mark.parametrize(("status", "child_m", "banned"), [
    ("ok", {"val_accuracy": 0.75, "params": 200_000.0}, True),    # did not beat the parent
    ("timeout", {}, True),                                        # the candidate failed
    ("ok", {"val_accuracy": 0.92, "params": 200_000.0}, False),   # beat it: the way is open
])
def test_offline_does_not_retry_a_failed_edit_for_that_parent(status, child_m, banned) -> None:
    prop = offline()
    adv = advice(("reduce_kernels", 0.3))
    prop.observe(observed(1, PARENT, metrics=PARENT_M))
    first = prop.propose(loop_request(adv))
    child = G.Genome.from_dict(first.genome)
    assert G.edit_signature(PARENT, child) == "channels-"
    prop.observe(observed(2, child, status, child_m, parent_id=1))
    second = prop.propose(loop_request(adv))
    sig = G.edit_signature(PARENT, G.Genome.from_dict(second.genome))
    assert (sig != "channels-") is banned
    assert ("skip edit (channels-): it failed for this parent (candidate 2)"
            in second.raw_response) is banned


def test_without_observations_the_same_direction_is_stepped_further() -> None:
    # the control for the test above: with nothing observed, the offline proposer line-searches
    # along the advised direction (x2), i.e. it would retry the failed edit
    prop = offline()
    adv = advice(("reduce_kernels", 0.3))
    prop.propose(loop_request(adv))
    second = prop.propose(loop_request(adv))
    assert G.edit_signature(PARENT, G.Genome.from_dict(second.genome)) == "channels-"


def test_a_failed_combined_edit_falls_back_to_one_instruction_alone() -> None:
    prop = offline()
    adv = advice(("reduce_kernels", 0.3), ("add_dropout", 0.3))
    prop.observe(observed(1, PARENT, metrics=PARENT_M))
    child = G.Genome.from_dict(prop.propose(loop_request(adv)).genome)
    assert G.edit_signature(PARENT, child) == "channels-, dropout+"
    prop.observe(observed(2, child, "crashed", parent_id=1))
    second = prop.propose(loop_request(adv))
    assert "different edit: reduce_kernels alone" in second.raw_response
    assert G.edit_signature(PARENT, G.Genome.from_dict(second.genome)) == "channels-"


def test_failed_edits_are_rebuilt_from_stored_candidates_on_resume() -> None:
    # a resumed run: a fresh proposer (no lineage of its own) is told the stored candidates in
    # order; the parent link comes from parent_id
    child = G.apply(PARENT, "reduce_kernels", 0.3)
    prop = offline(seed=3)
    prop.observe(observed(1, PARENT, metrics=PARENT_M))
    prop.observe(observed(2, child, "ok", {"val_accuracy": 0.6, "params": 100_000.0},
                          parent_id=1))
    assert prop.failed_edits(PARENT, OBJS) == {"channels-": 2}
    p = prop.propose(loop_request(advice(("reduce_kernels", 0.3))))
    assert G.edit_signature(PARENT, G.Genome.from_dict(p.genome)) != "channels-"
    assert "skip edit (channels-)" in p.raw_response
    # what was measured is never proposed again
    assert p.genome not in (PARENT.to_dict(), child.to_dict())


def test_test_metrics_are_not_used_to_judge_an_edit() -> None:
    prop = offline()
    prop.observe(observed(1, PARENT, metrics={**PARENT_M, "test_accuracy": 0.99}))
    assert "test_accuracy" not in prop.metrics_by_key[PARENT.key()]
