"""Candidates trained at the same time: Ray tasks, or one after another in this process.

Both pools have one interface, so the search loop has one code path:

    pool = open_pool(cfg, sandbox=sandbox)       # SerialPool when workers == 1, else RayPool
    ref = pool.share(sandbox.splits.blobs(cfg))  # put ONCE (Ray's object store); pass to tasks
    res = task_resources(cfg, gpus=pool.gpus)    # one GPU a task where there are GPUs, else CPUs
    sink = pool.event_sink(on_event)             # picklable; events reach on_event in wait_any
    pool.submit(candidate_task, job, ref, sink, None, pool.sandbox, resources=res, key=cid)
    for done in pool.as_completed():             # Done(key, value, error), as tasks finish
        ...
    pool.shutdown()

A task's arguments that are `share()` references arrive resolved (Ray resolves top-level
`ObjectRef` arguments from its object store; the serial pool shares by reference).

Isolation: a task body never runs candidate code. `candidate_task` calls
`lemonade.sandbox.runner.run_candidate`, which starts a fresh OS process per candidate under the
sandbox's limits; that process is never reused, and it dies with the Ray worker that started it
(PR_SET_PDEATHSIG), so a lost worker leaves no orphan training on. The processes are started by
a `lemonade.sandbox.resource.Sandbox`: the caller's for a serial pool (`pool.sandbox`: its tasks
run in the caller's process), and for Ray each worker process's own (`worker_sandbox`), created
on its first task and closed when that process exits.

Retries: a task whose Ray worker process is lost (killed, out of memory, node gone) is run again
up to `max_retries` times (Ray's task retries); an exception raised by the task body is not
retried and comes back as `Done.error`.

A local runtime (no `parallel.ray_address`) listens on the loopback interface only and sends no
usage statistics; it is started with the pool and stopped by `shutdown()`. With an address the
pool joins that cluster and leaves it running.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from lemonade.config import Config, ConfigError, auto_cpu_threads

if TYPE_CHECKING:  # the task imports the sandbox when it runs, not this module
    from lemonade.budget import CandidateClock
    from lemonade.sandbox.host_measure import SplitBlobs
    from lemonade.sandbox.resource import Sandbox
    from lemonade.sandbox.runner import CandidateJob, CandidateOutcome

INSTALL_HINT = "pip install 'lemonade-nas[ray]'"
DEFAULT_MAX_RETRIES = 2  # runs after a lost worker; a candidate that kills workers stops there
_POLL_S = 0.25  # how often wait_any relays events while no task has finished


class RayUnavailable(ConfigError):
    """Parallel workers were asked for and Ray is not installed (one line, with the fix)."""


# -- resources -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class TaskResources:
    """What one candidate task reserves: CPU threads, and a GPU where there are GPUs."""

    num_cpus: float = 1.0
    num_gpus: float = 0.0

    def ray_options(self) -> dict[str, float]:
        return {"num_cpus": self.num_cpus, "num_gpus": self.num_gpus}


def uses_cuda(device: str, gpus: int) -> bool:
    """Whether candidates train on a GPU: `cuda`, or `auto` where the cluster has GPUs."""
    return device == "cuda" or (device == "auto" and gpus > 0)


def cpu_threads_per_candidate(cfg: Config, cores: int | None = None) -> int:
    """`train.cpu_threads` when set, else the automatic count shared among the workers."""
    if cfg.train.cpu_threads:
        return int(cfg.train.cpu_threads)
    cores = cores or os.cpu_count() or 1
    return max(1, min(auto_cpu_threads(cores), cores // cfg.parallel.workers))


def task_resources(cfg: Config, gpus: int, cores: int | None = None) -> TaskResources:
    """One GPU (and one CPU to drive it) per candidate on CUDA; else its training threads."""
    if uses_cuda(cfg.device, gpus):
        return TaskResources(num_cpus=1.0, num_gpus=1.0)
    return TaskResources(num_cpus=float(cpu_threads_per_candidate(cfg, cores)), num_gpus=0.0)


def task_env(resources: TaskResources, gpu_ids: list[Any] | None) -> dict[str, str]:
    """Environment a task sets for the worker process it spawns (the sandbox keeps these two).

    On a GPU task, CUDA_VISIBLE_DEVICES names the GPU(s) Ray assigned to it, so two candidates
    never share a card; on a CPU task, OMP_NUM_THREADS is its CPU reservation.
    """
    env = {"OMP_NUM_THREADS": str(max(1, int(resources.num_cpus)))}
    if resources.num_gpus > 0 and gpu_ids is not None:
        env["CUDA_VISIBLE_DEVICES"] = ",".join(str(g) for g in gpu_ids)
    return env


@contextlib.contextmanager
def _environ(updates: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of one task (Ray reuses its workers)."""
    old = {k: os.environ.get(k) for k in updates}
    os.environ.update(updates)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# -- results -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Handle:
    """A submitted task: the caller's key (a candidate id) and the pool's own reference."""

    key: Hashable
    ref: Any


@dataclass(frozen=True)
class Done:
    """A finished task: its return value, or one line saying why there is none."""

    key: Hashable
    value: Any = None
    error: str | None = None
    lost_worker: bool = False  # its worker process died on every attempt (retries spent)
    seconds: float = 0.0  # from submit to result, as the driver saw it

    @property
    def ok(self) -> bool:
        return self.error is None


class Pool(Protocol):
    workers: int
    gpus: int
    sandbox: Sandbox | None  # what tasks run in this process use (None: their process's own)

    def share(self, obj: Any) -> Any: ...
    def event_sink(self, on_event: Callable[[dict[str, Any]], None] | None
                   ) -> Callable[[dict[str, Any]], None] | None: ...
    def submit(self, fn: Callable[..., Any], *args: Any, resources: TaskResources | None = None,
               key: Hashable = None) -> Handle: ...
    @property
    def pending(self) -> int: ...
    def wait_any(self, timeout: float | None = None) -> list[Done]: ...
    def as_completed(self) -> Iterator[Done]: ...
    def shutdown(self, cancel: bool = False) -> None: ...


def _first_line(e: BaseException) -> str:
    lines = [ln for ln in str(e).strip().splitlines() if ln.strip()]
    return f"{type(e).__name__}: {lines[0].strip() if lines else ''}".rstrip(": ")[:500]


class _PoolBase:
    workers: int = 1
    gpus: int = 0
    sandbox: Sandbox | None = None

    def as_completed(self) -> Iterator[Done]:
        """Finished tasks in the order they finish, until none is pending."""
        while self.pending:
            yield from self.wait_any()

    @property
    def pending(self) -> int:  # pragma: no cover - overridden
        raise NotImplementedError

    def wait_any(self, timeout: float | None = None) -> list[Done]:  # pragma: no cover
        raise NotImplementedError

    def shutdown(self, cancel: bool = False) -> None:  # pragma: no cover
        raise NotImplementedError

    def __enter__(self) -> _PoolBase:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.shutdown(cancel=exc_type is not None)


# -- one after another ---------------------------------------------------------------------------

class SerialPool(_PoolBase):
    """workers = 1: tasks run in this process, one at a time, when results are asked for.

    Lazy on purpose: a batch can be submitted at once and each result is recorded as soon as it
    exists, exactly as with Ray. The task body still starts each candidate in its own sandboxed
    process; only the (trusted) task wrapper runs here, with the caller's `sandbox` (tasks get
    it as an argument: `pool.sandbox`).
    """

    def __init__(self, gpus: int = 0, sandbox: Sandbox | None = None) -> None:
        self.workers = 1
        self.gpus = gpus
        self.sandbox = sandbox
        self._queue: deque[tuple[Handle, Callable[..., Any], tuple[Any, ...], float]] = deque()
        self._ids = itertools.count()

    def share(self, obj: Any) -> Any:
        return obj

    def event_sink(self, on_event: Callable[[dict[str, Any]], None] | None
                   ) -> Callable[[dict[str, Any]], None] | None:
        return on_event

    def submit(self, fn: Callable[..., Any], *args: Any, resources: TaskResources | None = None,
               key: Hashable = None) -> Handle:
        h = Handle(key=key, ref=next(self._ids))
        self._queue.append((h, fn, args, time.perf_counter()))
        return h

    @property
    def pending(self) -> int:
        return len(self._queue)

    def wait_any(self, timeout: float | None = None) -> list[Done]:
        if not self._queue:
            return []
        h, fn, args, t0 = self._queue.popleft()
        try:
            value = fn(*args)
        except Exception as e:  # a task bug is the task's result, as with Ray
            return [Done(key=h.key, error=_first_line(e), seconds=time.perf_counter() - t0)]
        return [Done(key=h.key, value=value, seconds=time.perf_counter() - t0)]

    def shutdown(self, cancel: bool = False) -> None:
        self._queue.clear()


# -- Ray -----------------------------------------------------------------------------------------

def import_ray() -> Any:
    """The `ray` module, or RayUnavailable with the install hint."""
    try:
        import ray
    except ImportError:
        raise RayUnavailable(f"parallel workers need Ray, which is not installed: "
                             f"{INSTALL_HINT}") from None
    return ray


@contextlib.contextmanager
def _loopback_only() -> Iterator[None]:
    """While a local runtime starts: make it advertise and bind 127.0.0.1 only.

    Ray binds its servers to the node's address, which it would otherwise resolve to the
    machine's outward interface. Its switch for a single-machine runtime is read from the
    environment by the processes it starts (they keep it), and from a constant in this one;
    both are restored afterwards, so a later `ray.init(address=...)` here is not affected.
    """
    from ray._private import ray_constants

    old_const = ray_constants.ENABLE_RAY_CLUSTER
    ray_constants.ENABLE_RAY_CLUSTER = False
    try:
        # Ray starts its workers at nice 15, below anything else on the machine; here the
        # workers do the run's main work (training), so they keep this process's priority
        with _environ({"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_worker_niceness": "0"}):
            yield
    finally:
        ray_constants.ENABLE_RAY_CLUSTER = old_const


def _run_in_ray(fn: Callable[..., Any], resources: TaskResources, *args: Any) -> Any:
    """The body of every Ray task: set the spawned worker's GPU/thread env, then call fn."""
    import ray

    gpu_ids = ray.get_gpu_ids() if resources.num_gpus > 0 else None
    with _environ(task_env(resources, gpu_ids)):
        return fn(*args)


class _QueueSink:
    """A picklable event callback: puts (token, event) on the pool's Ray queue."""

    def __init__(self, queue: Any, token: int) -> None:
        self.queue = queue
        self.token = token

    def __call__(self, event: dict[str, Any]) -> None:
        self.queue.put((self.token, event), block=False)


class RayPool(_PoolBase):
    """Tasks on a Ray runtime: a local one started here, or a running cluster (`address`)."""

    def __init__(self, workers: int, *, address: str | None = None,
                 cpus_per_task: float = 1.0, max_retries: int = DEFAULT_MAX_RETRIES,
                 num_gpus: int | None = None) -> None:
        ray = import_ray()
        self._ray = ray
        self.workers = workers
        self.max_retries = max_retries
        self._owns_runtime = False
        if not ray.is_initialized():
            os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no network at run time
            kw: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.ERROR,
                                  "namespace": "lemonade"}
            if address:
                ray.init(address=address, **kw)
            else:
                # exactly `workers` CPU tasks fit at once; GPUs are detected (or given)
                with _loopback_only():
                    ray.init(num_cpus=max(1, round(workers * cpus_per_task)),
                             num_gpus=num_gpus, include_dashboard=False,
                             _node_ip_address="127.0.0.1", **kw)
                self._owns_runtime = True
        self.gpus = int(ray.cluster_resources().get("GPU", 0))
        self._pending: dict[Any, tuple[Handle, float]] = {}
        self._queue: Any = None
        self._sinks: dict[int, Callable[[dict[str, Any]], None]] = {}
        self._tokens = itertools.count()
        self._remote = ray.remote(_run_in_ray)

    # -- sharing and events
    def share(self, obj: Any) -> Any:
        """Put `obj` into the object store once; pass the reference to any number of tasks."""
        return self._ray.put(obj)

    def event_sink(self, on_event: Callable[[dict[str, Any]], None] | None
                   ) -> Callable[[dict[str, Any]], None] | None:
        if on_event is None:
            return None
        if self._queue is None:
            from ray.util.queue import Queue

            self._queue = Queue(actor_options={"num_cpus": 0})
        token = next(self._tokens)
        self._sinks[token] = on_event
        return _QueueSink(self._queue, token)

    def _relay_events(self) -> None:
        if self._queue is None:
            return
        from ray.util.queue import Empty

        while True:
            try:
                batch = self._queue.get_nowait_batch(max(1, self._queue.qsize()))
            except Empty:
                return
            if not batch:
                return
            for token, event in batch:
                cb = self._sinks.get(token)
                if cb is not None:
                    with contextlib.suppress(Exception):  # a progress bar must not stop a run
                        cb(event)

    # -- tasks
    def remote_options(self, resources: TaskResources) -> dict[str, Any]:
        """The Ray options of one task (module-level logic, so tests can read what CUDA gets)."""
        return {**resources.ray_options(), "max_retries": self.max_retries,
                "retry_exceptions": False}

    def submit(self, fn: Callable[..., Any], *args: Any, resources: TaskResources | None = None,
               key: Hashable = None) -> Handle:
        res = resources or TaskResources()
        ref = self._remote.options(**self.remote_options(res)).remote(fn, res, *args)
        h = Handle(key=key, ref=ref)
        self._pending[ref] = (h, time.perf_counter())
        return h

    @property
    def pending(self) -> int:
        return len(self._pending)

    def wait_any(self, timeout: float | None = None) -> list[Done]:
        """Block until at least one task finished (or `timeout`); relays events meanwhile."""
        ray = self._ray
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._pending:
            step = _POLL_S if deadline is None else max(0.0, min(_POLL_S,
                                                                 deadline - time.monotonic()))
            ready, _ = ray.wait(list(self._pending), num_returns=1, timeout=step)
            if ready:
                ready, _ = ray.wait(list(self._pending), num_returns=len(self._pending),
                                    timeout=0)
                self._relay_events()  # the epochs before the result, first
                return [self._collect(r) for r in ready]
            self._relay_events()
            if deadline is not None and time.monotonic() >= deadline:
                return []
        return []

    def _collect(self, ref: Any) -> Done:
        ray = self._ray
        h, t0 = self._pending.pop(ref)
        took = time.perf_counter() - t0
        try:
            return Done(key=h.key, value=ray.get(ref), seconds=took)
        except ray.exceptions.RayTaskError as e:
            cause = getattr(e, "cause", None) or e
            return Done(key=h.key, error=_first_line(cause), seconds=took)
        except (ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError,
                ray.exceptions.OutOfMemoryError, ray.exceptions.ObjectLostError) as e:
            return Done(key=h.key, lost_worker=True, seconds=took,
                        error=f"worker lost after {self.max_retries + 1} attempt(s): "
                              f"{_first_line(e)}")
        except ray.exceptions.RayError as e:
            return Done(key=h.key, error=_first_line(e), seconds=took)

    def shutdown(self, cancel: bool = False) -> None:
        """Stop: cancel what is still running when asked (its workers are killed, and with
        them the candidate processes), and stop the local runtime this pool started."""
        ray = self._ray
        if cancel:
            for ref in list(self._pending):
                with contextlib.suppress(Exception):
                    ray.cancel(ref, force=True)
        self._pending.clear()
        if self._queue is not None:
            with contextlib.suppress(Exception):
                self._queue.shutdown()
            self._queue = None
        if self._owns_runtime and ray.is_initialized():
            ray.shutdown()
            self._owns_runtime = False


# -- the candidate task --------------------------------------------------------------------------

_WORKER_SANDBOX: Sandbox | None = None  # this process's own, for tasks given none
_WORKER_LOCK = threading.Lock()


def worker_sandbox() -> Sandbox:
    """This process's own Sandbox (a Ray worker's), created on its first task and closed when
    the process exits."""
    global _WORKER_SANDBOX
    with _WORKER_LOCK:
        if _WORKER_SANDBOX is None or _WORKER_SANDBOX.owner != os.getpid():
            from lemonade.sandbox.resource import Sandbox

            _WORKER_SANDBOX = Sandbox()
            atexit.register(_WORKER_SANDBOX.close)
        return _WORKER_SANDBOX


def candidate_task(job: CandidateJob, shared: SplitBlobs | None = None,
                   emit: Callable[[dict[str, Any]], None] | None = None,
                   clock: CandidateClock | None = None,
                   sandbox: Sandbox | None = None) -> CandidateOutcome:
    """One candidate, as a pool task: `run_candidate` runs it in fresh sandboxed processes
    (never here), under the limits, timeout and device of its config.

    `shared` is the split files' bytes from the object store (`SplitCache.blobs`), written to
    this machine's cache first, so the host side of a task never reloads the dataset. `clock`
    (lemonade.budget) may stop training early. `sandbox` starts the processes: the caller's
    (a serial pool's `pool.sandbox`), or None for this process's own (`worker_sandbox`)."""
    from lemonade.sandbox.runner import run_candidate

    sandbox = sandbox if sandbox is not None else worker_sandbox()
    if shared is not None:
        sandbox.splits.adopt(shared)
    return run_candidate(job, on_event=emit, clock=clock, sandbox=sandbox)


def candidate_outcome(done: Done) -> CandidateOutcome:
    """A finished candidate task's outcome: its own, or, when the task gave none, a crash (its
    worker process died on every attempt) or a failure (the sandbox's error)."""
    from lemonade.sandbox.runner import CandidateOutcome

    if done.ok:
        return done.value
    if done.lost_worker:
        return CandidateOutcome(status="crashed", reason=done.error)
    return CandidateOutcome(status="failed", reason=f"sandbox error: {done.error}")


# -- choosing a pool -----------------------------------------------------------------------------

def require_ray(cfg: Config) -> None:
    """Fail now (one line, with the install hint) when the config needs Ray and it is missing."""
    if needs_ray(cfg):
        import_ray()


def needs_ray(cfg: Config) -> bool:
    return cfg.parallel.workers > 1 or bool(cfg.parallel.ray_address)


def open_pool(cfg: Config, max_retries: int = DEFAULT_MAX_RETRIES,
              sandbox: Sandbox | None = None) -> SerialPool | RayPool:
    """SerialPool for one local worker, its tasks run with `sandbox`; otherwise a RayPool sized
    for `parallel.workers` (each of its worker processes has its own Sandbox)."""
    if not needs_ray(cfg):
        gpus = 0
        if cfg.device != "cpu":
            with contextlib.suppress(Exception):
                import torch

                gpus = torch.cuda.device_count()
        return SerialPool(gpus=gpus, sandbox=sandbox)
    return RayPool(cfg.parallel.workers, address=cfg.parallel.ray_address,
                   cpus_per_task=cpu_threads_per_candidate(cfg), max_retries=max_retries)
