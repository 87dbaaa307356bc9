"""Run one candidate in sandboxed worker processes that can really be killed.

    run_candidate(job) ─ static check (cheap; obviously bad code never gets a process: "rejected")
        ─ the host writes the dataset's split files (lemonade.sandbox.host_measure) and job.json
          into the job dir (a record; the worker never sees the job dir)
        ─ two processes inside the OS wall (lemonade.sandbox.process), each in its own session
          and process group, a fresh empty cwd (also HOME and TMPDIR), a scrubbed environment:
          the training worker (`python -m lemonade.sandbox.worker`, sees the train split) and
          the measurement process (`python -m lemonade.sandbox.measure_worker`, sees val/test
          and the two exported files, runs no candidate code). Both start before they get
          their job, possibly ahead of the candidate (`warm_next`, lemonade.sandbox.prestart),
          by the caller's `Sandbox` (lemonade.sandbox.resource), which may fork them from its
          fork server
        ─ the training worker gets the job on stdin; a thread reads its JSON-line events
          (epoch stats) -> on_event, another keeps the last ~2 KB of stderr
        ─ wall-clock timeout -> SIGKILL to the whole process group -> "timeout"
        ─ graph.json + weights.safetensors -> the measurement process -> the metrics that rank;
          killed by a signal -> "crashed"

The worker sets its own rlimits first thing (RLIMIT_AS, RLIMIT_NPROC, RLIMIT_CORE, RLIMIT_FSIZE)
rather than a `preexec_fn` here: preexec_fn is unsafe when the parent has threads (the search loop
does), and the worker sets them before it imports torch or reads the candidate.

Contrast: a "timeout" that leaves a thread running. A timed-out candidate here leaves
nothing behind: its whole process group is killed and its scratch directory removed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from lemonade.budget import CandidateClock
from lemonade.config import Config, SandboxConfig, build_config
from lemonade.gate import check_source
from lemonade.metrics import Measurement, from_json
from lemonade.prescreen import PRESCREEN_METRICS, prescreen
from lemonade.sandbox import cgroups, isolation
from lemonade.sandbox.artifacts import GRAPH_FILE, WEIGHTS_FILE
from lemonade.sandbox.host_measure import HostSplits, cache_dir, train_metrics
from lemonade.sandbox.isolation import package_dir
from lemonade.sandbox.prestart import ProcessSet
from lemonade.sandbox.process import (
    ProcessExit,
    SandboxProcess,
    remove_dirs,
    scratch_bytes,
    tail_text,
)
from lemonade.sandbox.protocol import (
    FILE_SIZE_LIMIT,
    MEASURE_JOB_FILE,
    MEASURED_FILE,
    RESULT_FILE,
    last_line,
    limits_doc,
    signal_name,
)
from lemonade.sandbox.resource import Sandbox
from lemonade.sandbox.scratchfs import capped_dir
from lemonade.sandbox.workerenv import worker_env

# result.json and the measurement's result: bigger ones are not copied (a recorded failure),
# so the host never parses more than this
RESULT_SIZE_LIMIT = 4 << 20
Status = Literal["ok", "failed", "timeout", "crashed", "rejected"]
ARTIFACT_FILES = (GRAPH_FILE, WEIGHTS_FILE)  # what the training worker hands to the measurement
MEASURE_DIR = "measure"  # JOB_DIR/measure: the measurement's job and result, as a record
MEASURE_MIN_TIMEOUT_S = 120.0  # the measurement's own timeout, at least this
# The files of the training worker's own folder that the host copies back to the job dir.
WORKER_OUTPUTS = (RESULT_FILE, *ARTIFACT_FILES)


@dataclass
class CandidateJob:
    """One candidate for the sandbox: its source and its typed `Config`, from which the limits
    (`sandbox`), the timeout (`budget.candidate_timeout_s`) and the device are read. The config
    becomes a document once, where it crosses the wall (`job_doc`). Build one with
    `training_job` or `check_job`."""

    source: str
    config: Config
    workdir: str | None = None  # job dir (job.json, result.json, weights.pt); None: a temp dir
    want_weights: bool = False
    # "evaluate": build, train, measure (lemonade.evaluate). "check": build + one forward pass
    # on check_shape = (in_channels, height, width, num_classes), for `lemonade check`.
    mode: Literal["evaluate", "check"] = "evaluate"
    check_shape: tuple[int, int, int, int] | None = None
    train_on_val: bool = False  # train on train+val, measure on test (final training)
    # start the processes of a next candidate with the same settings as this call returns, so
    # their start-up overlaps what the caller does next (lemonade.sandbox.prestart)
    warm_next: bool = False

    @property
    def limits(self) -> SandboxConfig:
        return self.config.sandbox

    @property
    def timeout_s(self) -> float:
        return float(self.config.budget.candidate_timeout_s)

    @property
    def device(self) -> str:
        return str(self.config.device)


def training_job(cfg: Config, source: str, *, workdir: str | Path | None = None,
                 want_weights: bool = False, train_on_val: bool = False,
                 warm_next: bool = False) -> CandidateJob:
    """A train-and-measure job: `cfg` as the candidate is to be trained (its epochs, seed,
    device, sandbox limits and timeout)."""
    return CandidateJob(source=source, config=cfg,
                        workdir=str(workdir) if workdir is not None else None,
                        want_weights=want_weights, train_on_val=train_on_val,
                        warm_next=warm_next)


def check_job(source: str, check_shape: tuple[int, int, int, int], *,
              limits: SandboxConfig | None = None, timeout_s: float = 120.0,
              device: str = "cpu", workdir: str | None = None,
              warm_next: bool = False) -> CandidateJob:
    """A check job (`lemonade check`): build the model and run one forward pass on
    `check_shape` = (in_channels, height, width, num_classes); the config's defaults but for
    the limits, the timeout and the device."""
    cfg = build_config({"device": device, "budget": {"candidate_timeout_s": timeout_s}})
    if limits is not None:
        cfg = cfg.model_copy(update={"sandbox": limits})
    return CandidateJob(source=source, config=cfg, workdir=workdir, mode="check",
                        check_shape=check_shape, warm_next=warm_next)


@dataclass
class CandidateOutcome:
    status: Status
    reason: str | None
    metrics: dict[str, Measurement] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    weights_path: str | None = None
    seconds: float = 0.0
    log_tail: str = ""
    info: dict[str, Any] = field(default_factory=dict)  # limits applied, check-mode figures
    # the folder holding graph.json + weights.safetensors (the exported candidate), on success
    artifacts_dir: str | None = None


# Data that dependencies ship (scikit-learn's digits among it): hidden from the training worker.
_SHIPPED_DATA = (("sklearn", ("datasets/data", "datasets/descr", "datasets/images",
                              "datasets/tests")),)
_TRAINING_DATA_MODULES = frozenset({"__init__.py", "base.py", "augment.py"})


def _empty_dir() -> str:
    """An empty, read-only folder of this user's, bound over folders the worker must not see."""
    empty = cache_dir() / "empty"
    empty.mkdir(mode=0o500, exist_ok=True)
    if any(empty.iterdir()):
        raise RuntimeError(f"{empty} must be empty (it hides folders from the training worker)")
    return str(empty)


def dataset_code_binds() -> list[tuple[str, str]]:
    """Binds that hide every way of rebuilding the val/test split from the training worker, so
    only the train split file reaches it: lemonade's dataset loaders and generators (each file
    of `lemonade/data/` but the package, `Dataset` and augmentation, and the compiled copies),
    and the datasets dependencies ship (scikit-learn's digits). Files read as empty (/dev/null),
    folders as an empty folder. The fork server never imports them either (lemonade.data loads
    a loader on first use only)."""
    import importlib.util

    data = Path(package_dir()) / "data"
    binds = [(os.devnull, str(f)) for f in sorted(data.glob("*.py"))
             if f.name not in _TRAINING_DATA_MODULES]
    empty = None
    for folder in (data / "__pycache__",):
        if folder.is_dir():
            empty = empty or _empty_dir()
            binds.append((empty, str(folder)))
    for package, subdirs in _SHIPPED_DATA:
        spec = importlib.util.find_spec(package)  # finds, imports nothing
        for root in (spec.submodule_search_locations or []) if spec else []:
            for sub in subdirs:
                if (Path(root) / sub).is_dir():
                    empty = empty or _empty_dir()
                    binds.append((empty, str(Path(root) / sub)))
    return binds


def run_candidate(job: CandidateJob,
                  on_event: Callable[[dict[str, Any]], None] | None = None,
                  clock: CandidateClock | None = None, *,
                  sandbox: Sandbox | None = None) -> CandidateOutcome:
    """Run `job` (either kind) in fresh, limited, killable worker processes; never raises.

    The limits, the timeout and the device are the job's config's. With a `clock`
    (lemonade.budget), training is asked to stop at the clock's deadline or when it stops
    making progress, and keeps its last completed epoch (`info["partial"]`); the timeout is
    then the clock's upper bound (`cap_s`), still the hard limit.

    `sandbox` (lemonade.sandbox.resource) starts the processes and keeps what outlives one
    candidate: the pair started ahead (`job.warm_next`), its fork server, the split files.
    None: a Sandbox of this call only, closed as it returns (nothing is started ahead)."""
    if sandbox is None:
        with Sandbox() as own:
            return run_candidate(job, on_event, clock, sandbox=own)
    t0 = time.perf_counter()
    try:
        return _run(job, sandbox, on_event, t0, clock)
    except Exception as e:  # the loop must never die of one candidate
        return CandidateOutcome(status="failed", reason=f"sandbox error: {type(e).__name__}: {e}",
                                seconds=time.perf_counter() - t0)


@dataclass(frozen=True)
class _Plan:
    """Everything about a candidate's processes that is known before its source: what they
    bind, their limits, device and environment. Equal keys: a pair started ahead fits."""

    evaluate: bool
    splits: HostSplits | None
    limits: SandboxConfig  # whether the wall is required, among the rest
    limits_doc: dict[str, Any]
    train_device: str
    measure_device: str  # the resolved device ("cpu" when it cannot be resolved)
    key: str
    cfg: Config  # the job's
    config_doc: dict[str, Any]  # the job's config as the workers get it (converted once)
    device_error: str | None = None  # why the device cannot be resolved, if it cannot


def _plan(job: CandidateJob, sandbox: Sandbox) -> _Plan:
    """The plan of `job` (the host loads the dataset and writes its split files here, once
    per `sandbox`; a missing dataset raises)."""
    from lemonade.train import resolve_device

    evaluate = job.mode != "check"
    cfg = job.config
    splits = sandbox.splits.host_splits(cfg, train_on_val=job.train_on_val) \
        if evaluate else None
    measure_device, device_error = "cpu", None
    if evaluate:
        try:
            measure_device = str(resolve_device(job.device))
        except ValueError as e:  # the measurement reports it (the training worker too)
            device_error = str(e)
    limits = job.limits
    doc = limits_doc(limits)
    env = {k: v for k, v in worker_env("/").items() if k not in ("HOME", "TMPDIR")}
    key = json.dumps({
        "evaluate": evaluate, "limits": doc, "device": [job.device, measure_device], "env": env,
        "splits": [str(splits.train), splits.train_sha256, str(splits.eval), splits.eval_sha256]
        if splits is not None else None,
    }, sort_keys=True, default=str)
    return _Plan(evaluate, splits, limits, doc, job.device, measure_device, key, cfg,
                 cfg.model_dump(mode="json"), device_error)


def job_doc(job: CandidateJob, plan: _Plan,
            clock: CandidateClock | None = None) -> dict[str, Any]:
    """What the training worker is handed (and what job.json records). With a clock that
    prescreens, the worker also gets the limits, so that it does not start training a model
    its own cost event puts over one (it can only stop itself: the host decides)."""
    doc: dict[str, Any] = {
        "source": job.source, "config": plan.config_doc, "device": job.device,
        "want_weights": job.want_weights, "mode": job.mode,
        "check_shape": list(job.check_shape) if job.check_shape else None,
        "limits": plan.limits_doc,
    }
    if clock is not None and clock.prescreen_limits:
        doc["prescreen"] = {k: lim for k, _, lim in clock.prescreen_limits}
    if plan.splits is not None:
        doc.update(train_split=str(plan.splits.train), train_sha256=plan.splits.train_sha256)
    return doc


def _start(plan: _Plan, sandbox: Sandbox) -> ProcessSet:
    """Start the processes of one candidate with `sandbox`'s commands and fork server (they
    import torch, then wait for their job)."""
    if plan.evaluate:  # the host tracker gets ready meanwhile
        sandbox.energy.prepare(plan.cfg.measure)
    # as root, the folders the host copies from are capped tmpfs mounts (scratchfs), mounted
    # before anything (a stand-in command of the tests) is put in them
    cap = scratch_bytes(plan.limits)
    out_dir = capped_dir("lemonade-out-", cap)
    train_scratch = tempfile.mkdtemp(prefix="lemonade-scratch-")
    ps: ProcessSet | None = None
    dirs: list[Path | str] = [out_dir, train_scratch]
    try:
        splits = plan.splits
        train = SandboxProcess(
            sandbox.worker_command(out_dir), folder=out_dir, scratch=train_scratch,
            env=worker_env(train_scratch), limits=plan.limits, device=plan.train_device,
            spawn_doc={"limits": plan.limits_doc, "device": plan.train_device,
                       "mode": "evaluate" if plan.evaluate else "check"},
            # the train split file the host wrote, nothing else of the dataset (check mode
            # needs none), and no code or shipped file that could rebuild val/test
            ro_binds=[*([(str(splits.train), str(splits.train))] if splits is not None else []),
                      *dataset_code_binds()], cap_folder=True,
            fork_server=sandbox.fork_server("train", plan.limits, plan.train_device))
        ps = ProcessSet(plan.key, train, None, out_dir, None, dirs)
        if not plan.evaluate or splits is None:
            return ps
        # The measurement process sees the val/test split, the train split (int8 calibration
        # images) and a folder holding only the two artifacts the host copied out of the
        # training process's folder, read-only.
        art_dir = Path(tempfile.mkdtemp(prefix="lemonade-artifacts-"))
        mdir = capped_dir("lemonade-measure-", cap)
        m_scratch = tempfile.mkdtemp(prefix="lemonade-scratch-")
        dirs += [art_dir, mdir, m_scratch]
        ps.art_dir = art_dir
        ps.measure = SandboxProcess(
            sandbox.measure_command(mdir), folder=mdir, scratch=m_scratch,
            env=worker_env(m_scratch),
            limits=plan.limits, device=plan.measure_device,
            spawn_doc={"limits": plan.limits_doc, "device": plan.measure_device},
            ro_binds=[(str(art_dir), str(art_dir)), (str(splits.eval), str(splits.eval)),
                      (str(splits.train), str(splits.train))], cap_folder=True,
            fork_server=sandbox.fork_server("measure", plan.limits, plan.measure_device))
        return ps
    except BaseException:
        if ps is not None:
            ps.close()
        remove_dirs(dirs)
        raise


def _run(job: CandidateJob, sandbox: Sandbox,
         on_event: Callable[[dict[str, Any]], None] | None, t0: float,
         clock: CandidateClock | None = None) -> CandidateOutcome:
    violations = check_source(job.source)
    if violations:
        reason = "; ".join(str(v) for v in violations[:5])
        if len(violations) > 5:
            reason += f" (+{len(violations) - 5} more)"
        return CandidateOutcome(status="rejected", reason=reason,
                                seconds=time.perf_counter() - t0)

    own_dir = job.workdir is None
    job_dir = Path(job.workdir or tempfile.mkdtemp(prefix="lemonade-job-"))
    job_dir.mkdir(parents=True, exist_ok=True)
    for stale in (RESULT_FILE, "weights.pt", *ARTIFACT_FILES, MEASURED_FILE):
        (job_dir / stale).unlink(missing_ok=True)
    try:  # the host loads the data and writes the split files the two processes read
        plan = _plan(job, sandbox)
    except Exception as e:  # a missing dataset: the candidate is not at fault
        if own_dir:
            shutil.rmtree(job_dir, ignore_errors=True)
        text = str(e).strip().splitlines()
        return CandidateOutcome(status="failed", seconds=time.perf_counter() - t0,
                                reason=f"{type(e).__name__}: {text[0] if text else ''}")
    (job_dir / "job.json").write_text(json.dumps(job_doc(job, plan)))  # a record

    # The training worker never sees job_dir (it may be the candidate's folder in the run
    # directory): it works in a fresh folder of its own and gets its job on stdin; the host
    # copies WORKER_OUTPUTS back to job_dir afterwards.
    ps = sandbox.warm.take(plan.key)
    warm = ps is not None
    if ps is None:
        ps = _start(plan, sandbox)
    keep_job_dir = False
    try:
        outcome = _train_and_measure(job, job_dir, plan, ps, warm, job.timeout_s, on_event,
                                     t0, clock, sandbox)
        keep_job_dir = outcome.status == "ok" and outcome.weights_path is not None
    finally:
        ps.close()
        # a temporary job dir outlives the call only to hand a successful candidate's weights
        # over to the caller; a failed one leaves nothing behind
        if own_dir and not (job.want_weights and keep_job_dir):
            shutil.rmtree(job_dir, ignore_errors=True)
    if job.warm_next and not sandbox.closed:  # (not on the way out of a Ctrl-C: that skips
        with contextlib.suppress(Exception):  # this) the next candidate starts cold, that is all
            sandbox.warm.keep(_start(plan, sandbox))
    return outcome


def _train_and_measure(job: CandidateJob, job_dir: Path, plan: _Plan, ps: ProcessSet,
                       warm: bool, timeout_s: float,
                       on_event: Callable[[dict[str, Any]], None] | None,
                       t0: float, clock: CandidateClock | None, sandbox: Sandbox
                       ) -> CandidateOutcome:
    """Hand the job to the training process, then its artifacts to the measurement process
    (the host's energy tracker around the training is one of `sandbox`'s)."""
    if ps.measure is not None:
        # both start-ups at once, and neither during the training (whose time and energy
        # are measured)
        ps.measure.wait_ready(timeout_s)
    tracker = _host_energy_tracker(plan, sandbox) if plan.evaluate else None
    watch, grace = None, 0.0
    progress: Progress | None = None
    if clock is not None:
        progress = Progress()
        on_event = progress.listen(on_event)
        watch, grace = progress.watch(clock), clock.grace()
        timeout_s = clock.cap_s
    ran = ps.train.run(job_doc(job, plan, clock), timeout_s, on_event, around=tracker, watch=watch,
                       grace_s=grace)
    isolation.copy_out(ps.out_dir, job_dir, [RESULT_FILE], RESULT_SIZE_LIMIT)
    isolation.copy_out(ps.out_dir, job_dir, ARTIFACT_FILES, FILE_SIZE_LIMIT)
    outcome = _outcome(job, job_dir, ran, timeout_s, t0)
    if progress is not None and clock is not None:  # the worker may have stopped itself first
        progress.settle_prescreen(clock)
    if progress is not None and progress.prescreened:  # sent back before training: a repair
        outcome.status, outcome.reason = "failed", progress.prescreened
        outcome.info["prescreen"] = {"reason": progress.prescreened, **progress.cost}
        return outcome
    if ran.stop_reason:
        train = outcome.info.get("train") or {}
        if outcome.status == "ok" and train.get("status") == "stopped":
            outcome.info["partial"] = {"reason": ran.stop_reason,
                                       "pruned": progress is not None and bool(progress.pruned),
                                       "epochs_run": train.get("epochs_run"),
                                       "epochs": plan.cfg.budget.epochs}
        elif outcome.status != "ok":
            outcome.status = "timeout"  # not repaired: the same code would run out again
            outcome.reason = f"{outcome.reason or outcome.status} (asked to stop: " \
                             f"{ran.stop_reason})"
    outcome.info["isolation"] = ran.isolation
    # prestarted: the processes were started ahead; startup_s: their spawn to `ready`;
    # idle_s: how long they then waited; waited_s: this call's start to the hand-over
    outcome.info["startup"] = {
        "prestarted": warm, "startup_s": round(ran.startup_s, 3),
        "idle_s": round(ran.idle_s, 3),
        "waited_s": round((ran.handed_at or time.perf_counter()) - t0, 3)}
    if not plan.evaluate or outcome.status != "ok":
        return outcome
    host_metrics = _host_metrics(ran, tracker, outcome)
    left = max(MEASURE_MIN_TIMEOUT_S, timeout_s - (time.perf_counter() - t0))
    measured, measure_info = _measure(job_dir, plan, ps, left, on_event)
    outcome.info["measure"] = measure_info
    outcome.info["trusted_metrics"] = True
    if measured.get("status") != "ok":
        outcome.status = "failed"
        outcome.reason = str(measured.get("reason") or "measurement failed")[:2000]
        outcome.metrics = host_metrics
    else:
        trusted = from_json(measured.get("metrics") or {})
        epochs = (outcome.info.get("train") or {}).get("epochs_run")
        for m in trusted.values():  # the weights measured are those after this many epochs
            m.method.setdefault("epochs_run", epochs)
        outcome.metrics = {**trusted, **host_metrics}
    outcome.seconds = time.perf_counter() - t0
    if outcome.status != "ok":  # refused by the measurement: nothing is kept
        return outcome
    outcome.artifacts_dir = str(job_dir)
    weights = job_dir / WEIGHTS_FILE
    outcome.weights_path = str(weights) if weights.exists() else None
    return outcome


class Progress:
    """What the host hears of a training worker's progress: its FLOPs (the `cost` event) and
    when each epoch event arrived (host clock), for its `CandidateClock`."""

    def __init__(self) -> None:
        self.flops: float | None = None
        self.cost: dict[str, Any] = {}  # the untrained model's cost figures, as reported
        self.epoch_at: list[float] = []
        self.prescreened: str | None = None  # why it was sent back before training
        self.curve: list[float] = []  # training accuracy after each epoch (as reported)
        self.pruned: str | None = None  # why it was pruned (lemonade.pruning)
        self._pruned_at = 0

    def listen(self, sink: Callable[[dict[str, Any]], None] | None
               ) -> Callable[[dict[str, Any]], None]:
        def on_event(ev: dict[str, Any]) -> None:
            if ev.get("event") == "epoch":
                self.epoch_at.append(time.perf_counter())
                acc = ev.get("train_accuracy")
                if isinstance(acc, int | float) and not isinstance(acc, bool):
                    self.curve.append(float(acc))
            elif ev.get("event") == "cost":
                self.cost = {k: ev.get(k) for k in PRESCREEN_METRICS if k in ev}
                f = ev.get("flops")
                if isinstance(f, int | float) and not isinstance(f, bool) and f > 0:
                    self.flops = float(f)
            if sink is not None:
                sink(ev)
        return on_event

    def settle_prescreen(self, clock: CandidateClock) -> str | None:
        """The host's own prescreen verdict on the reported cost (once it has arrived)."""
        if self.cost and clock.prescreen_limits and self.prescreened is None:
            limits = {k: (t, lim) for k, t, lim in clock.prescreen_limits}
            self.prescreened = prescreen(self.cost, limits, clock.prescreen_factor)
        return self.prescreened

    def watch(self, clock: CandidateClock) -> Callable[[float], str | None]:
        def verdict(elapsed: float) -> str | None:
            if self.prescreened is None and self.settle_prescreen(clock):
                return self.prescreened
            if clock.front and len(self.curve) > self._pruned_at:
                self._pruned_at = len(self.curve)
                costs = {k: float(v) for k, v in self.cost.items()
                         if isinstance(v, int | float) and not isinstance(v, bool)}
                self.pruned = clock.prune(costs, self.curve)
                if self.pruned:
                    return self.pruned
            t_go = time.perf_counter() - elapsed
            return clock.verdict(elapsed, self.flops, [t - t_go for t in self.epoch_at])
        return verdict


def _host_energy_tracker(plan: _Plan, sandbox: Sandbox) -> Any:
    from lemonade.measure import EnergyTracker

    return EnergyTracker(plan.cfg.measure, plan.measure_device, shared=sandbox.energy)


def _host_metrics(ran: ProcessExit, tracker: Any, outcome: CandidateOutcome
                  ) -> dict[str, Measurement]:
    energy = tracker.measurements() if tracker is not None else None
    return train_metrics(ran.wall_s, ran.cpu_s, outcome.info, energy)


def _measure(job_dir: Path, plan: _Plan, ps: ProcessSet, timeout_s: float,
             on_event: Callable[[dict[str, Any]], None] | None
             ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run the measurement process on the training worker's artifacts; (measured.json, info)."""
    if plan.splits is None or ps.measure is None or ps.art_dir is None:
        return {"status": "failed", "reason": "no evaluation split"}, {}
    copied = isolation.copy_out(ps.out_dir, ps.art_dir, ARTIFACT_FILES, FILE_SIZE_LIMIT)
    missing = [n for n in ARTIFACT_FILES if n not in copied]
    if missing:
        return {"status": "failed",
                "reason": f"the training worker left no {', '.join(missing)}"}, {}
    if plan.device_error is not None:
        return {"status": "failed", "reason": plan.device_error}, {}
    cfg = plan.cfg
    doc = {"artifacts": str(ps.art_dir), "eval_split": str(plan.splits.eval),
           "eval_sha256": plan.splits.eval_sha256, "measure": cfg.measure.model_dump(mode="json"),
           "train_split": str(plan.splits.train), "train_sha256": plan.splits.train_sha256,
           "device": plan.measure_device, "limits": plan.limits_doc,
           "threads": cfg.train.cpu_threads or 1}
    record = job_dir / MEASURE_DIR  # what was asked and what came back, kept with the candidate
    record.mkdir(exist_ok=True)
    (record / MEASURED_FILE).unlink(missing_ok=True)
    (record / MEASURE_JOB_FILE).write_text(json.dumps(doc))
    ran = ps.measure.run(doc, timeout_s, on_event)
    info = {"seconds": round(ran.wall_s, 3), "startup_s": round(ran.startup_s, 3)}
    if ran.timed_out:
        what = "timed out after" if ran.started else "did not start within"
        return {"status": "failed", "reason": f"measurement {what} {timeout_s:g} s"}, info
    isolation.copy_out(ps.measure.folder, record, [MEASURED_FILE], RESULT_SIZE_LIMIT)
    try:
        result = json.loads((record / MEASURED_FILE).read_text())
    except (OSError, ValueError, RecursionError):
        last = last_line(tail_text(ran.tail)) or f"exit status {ran.returncode}"
        return {"status": "failed", "reason": f"measurement process failed: {last}"}, info
    info.update(result.get("info") or {})
    return result, info


def _outcome(job: CandidateJob, job_dir: Path, ran: ProcessExit, timeout_s: float,
             t0: float) -> CandidateOutcome:
    seconds = time.perf_counter() - t0
    returncode, timed_out, events = ran.returncode, ran.timed_out, ran.events
    log = tail_text(ran.tail)
    history = [{k: v for k, v in e.items() if k != "event"} for e in events
               if e.get("event") == "epoch"]
    started = next((e for e in events if e.get("event") == "started"), {})
    phases = [e.get("phase") for e in events if e.get("event") == "phase"]
    info: dict[str, Any] = {"limits": started.get("limits", {}),
                            "phase": phases[-1] if phases else "starting the worker"}
    if ran.resources:
        info["resources"] = ran.resources
    capped = cgroups.verdict(ran.resources)  # a cap of its cgroup stopped it
    if timed_out:
        return CandidateOutcome(
            status="timeout", history=history, seconds=seconds, log_tail=log, info=info,
            reason=f"timed out after {timeout_s:g} s while {info['phase']} "
                   "(worker process group killed)" + (f"; {capped}" if capped else ""))
    if returncode < 0:
        sig = signal_name(returncode)
        hint = " (possibly the out-of-memory killer)" if sig == "SIGKILL" else ""
        return CandidateOutcome(status="crashed",
                                reason=f"worker killed by {sig}: {capped}" if capped
                                else f"worker killed by {sig}{hint}",
                                history=history, seconds=seconds, log_tail=log, info=info)
    result = _read_result(job_dir) or next(
        (e for e in reversed(events) if e.get("event") == "result"), None)
    if result is None:
        last = last_line(log) or "no output"
        why = f"exit status {returncode}" if returncode else "no result"
        if capped:
            last = f"{last} ({capped})"
        return CandidateOutcome(status="failed", reason=f"worker failed ({why}): {last}",
                                history=history, seconds=seconds, log_tail=log, info=info)
    info.update(result.get("info") or {})
    status: Literal["ok", "failed"] = "ok" if result.get("status") == "ok" else "failed"
    reason = str(result.get("reason"))[:2000] if result.get("reason") else None
    if status == "failed" and capped:
        reason = f"{reason or 'failed'} ({capped})"
    # Display only: the history and info the worker wrote. Its metrics, if it wrote any, are
    # ignored: the figures that rank a candidate come from the host and the measurement process.
    return CandidateOutcome(
        status=status, reason=reason,
        history=doc_history if isinstance(doc_history := result.get("history"), list)
        else history,
        seconds=seconds, log_tail=log, info=info,
    )


def _read_result(job_dir: Path) -> dict[str, Any] | None:
    try:
        doc = json.loads((job_dir / RESULT_FILE).read_text())
    except (OSError, ValueError, RecursionError):
        return None
    return doc if isinstance(doc, dict) else None
