"""The candidate pools: the serial pool, a local Ray runtime with 2 workers (one per module: it
costs seconds to start), a task that kills its own Ray worker and is retried, candidates run
through the sandbox from Ray tasks, and the resources a CUDA run would get (checked on a CPU)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tiny_job import TINY_NET, with_limits

from lemonade.config import SandboxConfig, build_config
from lemonade.parallel import (
    INSTALL_HINT,
    Done,
    RayPool,
    RayUnavailable,
    SerialPool,
    TaskResources,
    candidate_outcome,
    candidate_task,
    cpu_threads_per_candidate,
    open_pool,
    require_ray,
    task_env,
    task_resources,
)
from lemonade.sandbox.runner import training_job

GOOD = TINY_NET
TINY = {"dataset": {"name": "synthetic", "synthetic_shape": [1, 8, 8], "synthetic_size": 64},
        "budget": {"epochs": 1}, "device": "cpu", "train": {"schedule": "constant"},
        "measure": {"energy": False, "latency_repeats": 3, "latency_warmup": 1}}


# -- task bodies (module level: Ray imports them by name in its workers) ---------------------------

def add(a: int, b: int) -> int:
    return a + b


def boom(_: Any) -> None:
    raise ValueError("bad input\nsecond line")


def rendezvous(marker_dir: str, name: str, other: str, timeout_s: float) -> dict[str, Any]:
    """Both tasks must be running at the same time for either to see the other's marker."""
    Path(marker_dir, name).write_text(str(os.getpid()))
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if Path(marker_dir, other).exists():
            return {"met": True, "pid": os.getpid()}
        time.sleep(0.05)
    return {"met": False, "pid": os.getpid()}


def niceness() -> int:
    return os.nice(0)


def die_once(marker: str) -> str:
    """First attempt: note it, then SIGKILL this Ray worker. Second attempt: succeed."""
    p = Path(marker)
    attempts = p.read_text().count("attempt\n") if p.exists() else 0
    with p.open("a") as f:
        f.write("attempt\n")
    if attempts == 0:
        os.kill(os.getpid(), 9)
    return f"done after {attempts + 1} attempts"


def shared_sum(obj: dict[str, Any]) -> int:
    return sum(obj["numbers"])


def env_of_task() -> dict[str, str | None]:
    return {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "CUDA_VISIBLE_DEVICES")}


def emit_three(emit: Any) -> str:
    for i in range(3):
        emit({"event": "epoch", "epoch": i})
    return "sent"


# -- the serial pool ------------------------------------------------------------------------------

def test_serial_pool_runs_lazily_in_submission_order_and_reports_errors() -> None:
    pool = SerialPool()
    ran: list[int] = []

    def task(i: int) -> int:
        ran.append(i)
        return i * 10

    for i in range(3):
        pool.submit(task, i, key=f"c{i}")
    pool.submit(boom, None, key="bad")
    assert ran == [] and pool.pending == 4  # nothing runs before a result is asked for
    first = pool.wait_any()
    assert [(d.key, d.value) for d in first] == [("c0", 0)] and ran == [0]
    rest = list(pool.as_completed())
    assert [d.key for d in rest] == ["c1", "c2", "bad"]
    assert rest[-1].error == "ValueError: bad input" and not rest[-1].ok
    assert pool.pending == 0 and pool.wait_any() == []


def test_serial_pool_shares_by_reference_and_passes_events_through() -> None:
    pool = SerialPool()
    obj = {"numbers": [1, 2, 3]}
    assert pool.share(obj) is obj
    got: list[dict[str, Any]] = []
    sink = pool.event_sink(got.append)
    pool.submit(emit_three, sink, key=1)
    assert [d.value for d in pool.as_completed()] == ["sent"]
    assert [e["epoch"] for e in got] == [0, 1, 2]


def test_one_worker_needs_no_ray(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError
    cfg = build_config({"device": "cpu"})
    require_ray(cfg)
    assert isinstance(open_pool(cfg), SerialPool)


def test_two_workers_without_ray_fail_with_the_install_hint(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)
    cfg = build_config({}, {"parallel.workers": 2})
    with pytest.raises(RayUnavailable) as err:
        require_ray(cfg)
    assert INSTALL_HINT in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(RayUnavailable):
        open_pool(cfg)


# -- resources, including the CUDA path (checked on a CPU) ----------------------------------------

def test_cuda_tasks_reserve_one_gpu_each_and_see_only_theirs() -> None:
    cuda = build_config({"device": "cuda"}, {"parallel.workers": 4})
    res = task_resources(cuda, gpus=4, cores=16)
    assert res == TaskResources(num_cpus=1.0, num_gpus=1.0)
    auto = build_config({"device": "auto"}, {"parallel.workers": 2})
    assert task_resources(auto, gpus=2, cores=16).num_gpus == 1.0
    assert task_env(res, [3]) == {"OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": "3"}
    assert task_env(TaskResources(2.0, 0.0), None) == {"OMP_NUM_THREADS": "2"}


def test_cpu_tasks_share_the_cores_among_workers() -> None:
    two = build_config({"device": "auto"}, {"parallel.workers": 2})
    assert task_resources(two, gpus=0, cores=2) == TaskResources(num_cpus=1.0, num_gpus=0.0)
    assert cpu_threads_per_candidate(two, cores=16) == 8
    one = build_config({"device": "cpu"})  # one job on a small machine: all its cores
    assert cpu_threads_per_candidate(one, cores=2) == 2
    assert cpu_threads_per_candidate(one, cores=32) == 8
    four = build_config({"device": "cpu"}, {"parallel.workers": 4})
    assert task_resources(four, gpus=8, cores=16).num_gpus == 0.0  # device cpu: no GPU
    assert cpu_threads_per_candidate(four, cores=16) == 4
    fixed = build_config({"train": {"cpu_threads": 3}}, {"parallel.workers": 4})
    assert cpu_threads_per_candidate(fixed, cores=2) == 3


def test_batch_defaults_to_workers() -> None:
    assert build_config({}, {"parallel.workers": 3}).parallel.in_flight == 3
    assert build_config({}, {"parallel.workers": 3, "parallel.batch": 5}).parallel.in_flight == 5


# -- a local Ray runtime with 2 workers ------------------------------------------------------------

@pytest.fixture(scope="module")
def ray_pool() -> Iterator[RayPool]:
    ray = pytest.importorskip("ray")
    # this test module is not importable in Ray's workers: send its task bodies by value
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    pool = RayPool(workers=2, cpus_per_task=1.0, max_retries=2)
    try:
        yield pool
    finally:
        pool.shutdown(cancel=True)


@pytest.mark.slow
def test_ray_pool_runs_two_tasks_at_once_on_loopback(ray_pool: RayPool, tmp_path: Path) -> None:
    import ray

    assert ray.cluster_resources()["CPU"] == 2
    assert "node:127.0.0.1" in ray.cluster_resources()  # the local runtime is loopback only
    assert "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER" not in os.environ  # restored after the start
    ray_pool.submit(rendezvous, str(tmp_path), "a", "b", 60.0, key="a")
    ray_pool.submit(rendezvous, str(tmp_path), "b", "a", 60.0, key="b")
    done = {d.key: d for d in ray_pool.as_completed()}
    assert set(done) == {"a", "b"} and done["a"].ok and done["b"].ok, done
    assert done["a"].value["met"] and done["b"].value["met"]
    assert done["a"].value["pid"] != done["b"].value["pid"] != os.getpid()


@pytest.mark.slow
def test_ray_pool_shares_once_reports_errors_and_sets_the_task_env(ray_pool: RayPool) -> None:
    import ray

    ref = ray_pool.share({"numbers": list(range(100))})
    assert isinstance(ref, ray.ObjectRef)
    for i in range(3):
        ray_pool.submit(shared_sum, ref, key=("sum", i))
    ray_pool.submit(boom, None, key="bad")
    ray_pool.submit(add, 2, 3, key="add")
    ray_pool.submit(env_of_task, resources=TaskResources(num_cpus=1.0), key="env")
    done = {d.key: d for d in ray_pool.as_completed()}
    assert [done[("sum", i)].value for i in range(3)] == [4950] * 3
    assert done["bad"].error == "ValueError: bad input" and not done["bad"].lost_worker
    assert done["add"].value == 5
    assert done["env"].value["OMP_NUM_THREADS"] == "1"


@pytest.mark.slow
def test_ray_workers_train_at_the_driver_s_priority(ray_pool: RayPool) -> None:
    # Ray's own default is nice 15: training would lose the CPU to anything else running
    ray_pool.submit(niceness, key="nice")
    assert [d.value for d in ray_pool.as_completed()] == [os.nice(0)]


@pytest.mark.slow
def test_a_lost_worker_is_retried_and_the_result_arrives_once(ray_pool: RayPool,
                                                              tmp_path: Path) -> None:
    marker = tmp_path / "attempts"
    ray_pool.submit(die_once, str(marker), key="victim")
    results = list(ray_pool.as_completed())
    assert [(d.key, d.value) for d in results] == [("victim", "done after 2 attempts")]
    assert marker.read_text() == "attempt\nattempt\n"  # killed once, then run again


@pytest.mark.slow
def test_events_from_ray_tasks_reach_the_driver(ray_pool: RayPool) -> None:
    got: list[int] = []
    sink = ray_pool.event_sink(lambda ev: got.append(ev["epoch"]))
    ray_pool.submit(emit_three, sink, key="ev")
    assert [d.value for d in ray_pool.as_completed()] == ["sent"]
    assert got == [0, 1, 2]


@pytest.mark.slow
def test_candidates_run_in_sandboxed_processes_from_ray_tasks(ray_pool: RayPool,
                                                             tmp_path: Path) -> None:
    cfg = build_config(TINY)
    limits = SandboxConfig(memory_limit_mb=2048)
    epochs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
    for cid, source in ((1, GOOD), (2, "import os\n" + GOOD)):
        job = training_job(with_limits(cfg, limits, 120.0), source,
                           workdir=tmp_path / f"c{cid}", want_weights=True)
        sink = ray_pool.event_sink(epochs[cid].append)
        ray_pool.submit(candidate_task, job, None, sink,
                        resources=task_resources(cfg, gpus=0, cores=2), key=cid)
    done = {d.key: d for d in ray_pool.as_completed()}
    good, bad = done[1].value, done[2].value
    assert good.status == "ok", good.reason
    assert good.metrics["params"].value > 0 and Path(good.weights_path).is_file()
    assert [e["epoch"] for e in epochs[1] if e.get("event") == "epoch"] == [1]
    worker_pid = next(e["pid"] for e in epochs[1] if e.get("event") == "started")
    assert worker_pid != os.getpid()  # the candidate ran in its own process, not in a Ray task
    assert bad.status == "rejected" and "os" in bad.reason and epochs[2] == []


@pytest.mark.parametrize(("done", "status", "reason"), [
    (Done(key=1, error="worker died 3 times", lost_worker=True), "crashed",
     "worker died 3 times"),
    (Done(key=1, error="OSError: no space"), "failed", "sandbox error: OSError: no space"),
])
def test_a_task_without_an_outcome_is_a_crash_or_a_failure(done: Done, status: str,
                                                           reason: str) -> None:
    out = candidate_outcome(done)
    assert (out.status, out.reason) == (status, reason)


def test_a_tasks_own_outcome_is_kept() -> None:
    from lemonade.sandbox.runner import CandidateOutcome

    own = CandidateOutcome(status="ok", reason=None)
    assert candidate_outcome(Done(key=1, value=own)) is own
