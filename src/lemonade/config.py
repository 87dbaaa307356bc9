"""The run configuration: one pydantic schema, loaded from YAML and overridden by CLI flags.

Every key is optional; the defaults make `lemonade search` run offline on `digits` on the CPU.
Unknown keys fail loudly (a typo must not silently fall back to a default), and every error names
the field and the allowed values.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from lemonade.metrics import INT8_METRICS, METRIC_NAMES, METRICS, is_test_metric
from lemonade.plugins import augment_defaults, dataset_names, proposer_kinds
from lemonade.rule_grammar import validate_rules

DATASET_NAMES = dataset_names()  # lemonade.plugins.DATASETS
PRESET_NAMES = ("accuracy-first", "balanced", "efficiency-first")
PROPOSER_KINDS = proposer_kinds()  # lemonade.plugins.PROPOSERS


class ConfigError(ValueError):
    """A configuration problem, with a message that names the field and the allowed values."""


def _one_of(value: str, allowed: tuple[str, ...] | dict[str, object], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; allowed: {', '.join(allowed)}")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class DatasetConfig(_Strict):
    name: str = "digits"
    data_dir: str = Field("./data", validate_default=True)  # made absolute (see _absolute)
    val_fraction: float = Field(0.1, gt=0.0, lt=0.9)
    download: bool = True  # cifar: fetch the official archive when missing and a network is there
    # synthetic only: shape of the generated images and number of examples
    synthetic_shape: tuple[int, int, int] = (3, 32, 32)
    synthetic_classes: int = Field(10, ge=2)
    synthetic_size: int = Field(2000, ge=20)
    limit_train: int | None = Field(None, ge=10)  # subsample the train split (quick runs)
    # folder only: resize every image to image_size x image_size (None: the most common size)
    image_size: int | None = Field(None, ge=2, le=4096)
    # folder and arrays: what reading the data may cost the host (refused beyond, clearly)
    max_image_pixels: int = Field(25_000_000, ge=1024)  # one image, from its header
    max_dataset_mb: int = Field(2048, ge=1)  # the decoded dataset (folder), the inflated .npz

    @field_validator("name")
    @classmethod
    def _known(cls, v: str) -> str:
        return _one_of(v.strip().lower(), DATASET_NAMES, "dataset")

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, v: str) -> str:
        # Absolute at load time: candidate workers run in a scratch cwd, where a relative path
        # would point elsewhere, and a resumed run must find its data from any directory.
        return os.path.abspath(os.path.expanduser(v)) if v.strip() else v


class Objective(_Strict):
    """One user objective: `metric` should be `goal` (max/min) relative to `threshold`."""

    metric: str
    goal: Literal["max", "min"] | None = None  # default: the metric's natural direction
    threshold: float
    priority: float = Field(1.0, gt=0.0)

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, v: str) -> str:
        if is_test_metric(v):
            # the search ranks on validation metrics; the test split is only reported
            raise ValueError(f"{v} is measured on the test split, which the search never sees "
                             f"(it is only reported); use {v.replace('test_', 'val_', 1)} as "
                             "the objective")
        if v == "train_accuracy":
            # reported by the process that runs the candidate's code: display only, forgeable
            raise ValueError("train_accuracy is reported by the candidate's own training process "
                             "and cannot be trusted for ranking; use val_accuracy as the objective")
        return _one_of(v, METRIC_NAMES, "metric")

    @field_validator("threshold")
    @classmethod
    def _positive(cls, v: float) -> float:
        # CME uses log2(value / threshold): a threshold must be a positive, finite number.
        if not math.isfinite(v) or v <= 0:
            raise ValueError(f"threshold must be a positive finite number, got {v}")
        return v

    @model_validator(mode="after")
    def _fill_goal(self) -> Objective:
        if self.goal is None:
            object.__setattr__(self, "goal", METRICS[self.metric][1])
        if self.metric.endswith("accuracy") and self.threshold > 1.0:
            raise ValueError(
                f"{self.metric} threshold is a fraction in (0, 1], got {self.threshold}"
            )
        return self


class RuleConfig(_Strict):
    """A user-defined expert rule: when `when` holds for the last candidate, emit `then`.

    `when` is a small expression over metric values and thresholds, e.g.
    `"latency_ms > 2 * threshold(latency_ms)"` (see lemonade.rule_grammar for the grammar).
    """

    name: str
    when: str
    then: list[str]  # instruction names from the vocabulary, e.g. ["reduce_kernels"]
    magnitude: float = Field(0.3, gt=0.0, le=1.0)
    objective: str | None = None  # metric whose priority this rule carries in conflicts


class ImproverConfig(_Strict):
    """The Prompt Improver: a second LLM that diagnoses the parent and suggests one change for the
    code generator. A field left out is taken from `proposer`."""

    model: str | None = None
    base_url: str | None = None
    api_key_env: str | None = None
    temperature: float | None = Field(None, ge=0.0, le=2.0)


class ProposerConfig(_Strict):
    kind: str = "offline"
    model: str = "gpt-4o"
    base_url: str | None = None  # None: the SDK's default (OpenAI)
    api_key_env: str = "OPENAI_API_KEY"
    temperature: float = Field(0.6, ge=0.0, le=2.0)
    max_tokens: int = Field(4096, ge=256)
    timeout_s: float = Field(120.0, gt=0)
    max_retries: int = Field(4, ge=0)
    # bytes of one LLM reply read at most (on the wire and once inflated); a bigger one fails
    max_reply_bytes: int = Field(4 * 1024 * 1024, ge=64 * 1024)
    replay_from: str | None = None  # replay: the run directory whose responses are played back
    exploration: float = Field(0.3, ge=0.0, le=1.0)  # offline: chance of an exploratory edit
    # evolution (regularized evolution): members kept alive, and how many a tournament samples
    population: int = Field(8, ge=2)
    tournament: int = Field(3, ge=1)
    improver: ImproverConfig | None = None  # None: the rule-based expert system plays the role
    # openai: "full" asks for the whole model file; "diff" for SEARCH/REPLACE blocks against the
    # parent's code (a first model, and an edit that does not apply, get the full file)
    edit_format: Literal["full", "diff"] = "full"

    def improver_settings(self) -> ProposerConfig | None:
        """The improver's endpoint settings as a full ProposerConfig (gaps from `proposer`)."""
        if self.improver is None:
            return None
        given = self.improver.model_dump(exclude_none=True)
        return self.model_copy(update={**given, "kind": "openai", "improver": None})

    @field_validator("kind")
    @classmethod
    def _known(cls, v: str) -> str:
        return _one_of(v, PROPOSER_KINDS, "proposer kind")


class SearchConfig(_Strict):
    """How the loop picks the parent to edit and notices a stalled parent."""

    parent: Literal["pareto", "tournament", "best"] = "pareto"  # where parents are drawn from
    tournament_size: int = Field(3, ge=2)
    # this many children of one parent in a row that do not beat it: the advice changes (a larger
    # or different edit); twice as many: another parent is drawn
    stall_after: int = Field(3, ge=1)
    # a model file of the user's: normalized, it is candidate 1 (no LLM call), and the
    # generator's first prompt improves it as the parent; made absolute like data_dir
    start_from: str | None = None

    @field_validator("start_from")
    @classmethod
    def _start_absolute(cls, v: str | None) -> str | None:
        return None if not v else str(Path(v).expanduser().resolve())


PrescreenMetric = Literal["params", "flops", "model_size_bytes", "latency_ms"]


def _default_prescreen() -> list[PrescreenMetric]:
    return ["params", "flops", "model_size_bytes"]


class BudgetConfig(_Strict):
    iterations: int = Field(8, ge=1)  # candidates proposed (repairs not counted)
    epochs: int = Field(6, ge=1)  # per candidate
    seconds_per_candidate: float | None = Field(None, gt=0)  # training budget by time
    max_seconds: float = Field(3600.0, gt=0)  # wall clock of the whole search
    max_llm_calls: int = Field(200, ge=1)
    repair_attempts: int = Field(2, ge=0)
    # The upper bound of a candidate's wall clock (build+train+measure), no longer the normal
    # limit: a search stops a candidate at factor x its expected time (from what the run has
    # measured, lemonade.budget) or when it makes no progress, and keeps its last epoch
    candidate_timeout_s: float = Field(7200.0, gt=0)
    # Cheap metrics first: a model whose params or FLOPs (counted before training) exceed this
    # many times a `min` objective's threshold goes back to the proposer untrained, as a repair
    # (lemonade.prescreen); null: off
    prescreen_factor: float | None = Field(3.0, gt=1.0)
    # which of the untrained model's figures the prescreen compares (as the candidate's training
    # process reports them before its first step; lemonade.prescreen). latency_ms is opt-in: the
    # training process times 5 batch-1 forwards on one thread, a noisy figure on a busy machine
    prescreen_metrics: list[PrescreenMetric] = Field(default_factory=_default_prescreen)
    # Early stopping on the whole front (lemonade.pruning): stop a candidate at epoch k >=
    # prune_min_epoch when a front member no costlier was more than prune_margin ahead in
    # training accuracy at epoch k; it is measured at that epoch and recorded as pruned
    prune: bool = False
    prune_margin: float = Field(0.1, ge=0.0, le=1.0)
    prune_min_epoch: int = Field(3, ge=1)
    # Multi-fidelity: every candidate first trains `proxy_epochs` (None: no proxy); the
    # `promote` fraction that ranks best at that fidelity trains on to `epochs`.
    proxy_epochs: int | None = Field(None, ge=1)
    promote: float = Field(0.5, gt=0.0, le=1.0)
    # Final training of the winner on train+val (`lemonade finalize`, and the end of `search`
    # when set); finalize's default when unset: 3 x epochs.
    final_epochs: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def _proxy_below_full(self) -> BudgetConfig:
        if self.proxy_epochs is not None and self.proxy_epochs >= self.epochs:
            raise ValueError(f"proxy_epochs ({self.proxy_epochs}) must be below epochs "
                             f"({self.epochs}); leave it unset for single-fidelity training")
        return self


class TrainConfig(_Strict):
    # None = auto: about 40 steps an epoch on small sets, within 32..256 (see resolve_train)
    batch_size: int | None = Field(None, ge=1)
    # CPU threads of the training worker; None = auto: 1 on machines of <= 4 cores, where
    # OpenMP's spinning threads made a small model train 10x slower on a busy 2-core machine
    cpu_threads: int | None = Field(None, ge=1)
    # The default recipe trains small nets without BatchNorm too (bench/recipe_zoo.py): SGD with
    # onecycle left a deep 6.6k-parameter CNN without BN at 10-60% on digits in 8 epochs, where
    # AdamW reaches 95%; with BN both reach ~99%.
    optimizer: Literal["sgd", "adamw"] = "adamw"
    lr: float = Field(0.01, gt=0)
    momentum: float = Field(0.9, ge=0, lt=1)  # SGD only
    weight_decay: float = Field(0.01, ge=0)  # decoupled (AdamW); on weights, not norms/biases
    schedule: Literal["onecycle", "cosine", "constant"] = "cosine"
    # fraction of the planned steps spent warming the lr up linearly (onecycle: its pct_start)
    warmup_fraction: float = Field(0.05, ge=0, lt=1)
    label_smoothing: float = Field(0.1, ge=0, lt=1)
    augment: bool = True  # random crop (padding) + horizontal flip, batched on the device
    # None = what suits the dataset (lemonade.plugins.augment_defaults: no flip for digits, ...)
    crop_padding: int | None = Field(None, ge=0)
    flip: bool | None = None
    compile: bool = False  # torch.compile the candidate (CUDA)
    eval_batch_size: int = Field(512, ge=1)


def auto_batch_size(n_train: int) -> int:
    """A power of two giving ~40 optimizer steps an epoch, clamped to 32..256.

    With a fixed 128, digits (1,294 images) got 10 steps an epoch and a 7.5k-parameter CNN
    reached 80% test accuracy in 6 epochs; at 32 the same model reached 98.6%.
    """
    target = max(1, n_train // 40)
    size = 1 << (target.bit_length() - 1)
    return int(min(256, max(32, size)))


def auto_cpu_threads(cores: int | None) -> int:
    """Training threads of one job on `cores` logical CPUs: all of a small machine (a 282k-
    parameter CNN trained 1.25x faster on 2 threads than on 1 on a 2-core machine, loaded),
    half of a larger one (its logical CPUs are often hyper-threads), at most 8."""
    cores = cores or 1
    return cores if cores <= 4 else min(8, cores // 2)


def resolve_train(train: TrainConfig, dataset: str, n_train: int | None = None) -> TrainConfig:
    """`train` with the dataset's defaults filled in where the config left them to auto."""
    d = augment_defaults(dataset)
    batch = train.batch_size
    if batch is None:
        batch = auto_batch_size(n_train) if n_train else 128
    return train.model_copy(update={
        "batch_size": batch,
        "flip": d["flip"] if train.flip is None else train.flip,
        "crop_padding": d["crop_padding"] if train.crop_padding is None else train.crop_padding,
    })


class MeasureConfig(_Strict):
    latency_device: Literal["auto", "cpu", "cuda"] = "cpu"  # the target device for latency/FPS
    latency_threads: int | None = Field(1, ge=1)  # CPU threads for latency (edge-like)
    latency_warmup: int = Field(5, ge=0)
    latency_repeats: int = Field(30, ge=1)
    fps_batch_size: int = Field(64, ge=1)
    country_iso_code: str = "USA"  # codecarbon offline grid intensity
    grid_intensity_g_per_kwh: float | None = Field(None, gt=0)  # overrides the country figure
    energy: bool = True
    # latency/FPS in eager PyTorch, or exported to ONNX and timed in an onnxruntime CPU session
    latency_runtime: Literal["torch", "onnxruntime"] = "torch"
    # inference_energy_j / inference_power_w (a timed loop: about 3 s a candidate on a CPU).
    # auto: in `search` only when an objective or a rule names one of them; `evaluate` and
    # `finalize` always measure them (Config.measures_inference_energy)
    inference_energy: bool | Literal["auto"] = "auto"
    inference_energy_seconds: float = Field(2.0, gt=0, le=600)  # length of the timed loop
    # int8_* metrics and ONNX parity (the exported graph to ONNX, quantized by onnxruntime,
    # calibrated on training images: a few seconds a candidate). auto: in `search` only when an
    # objective or a rule names an int8 metric; `evaluate` and `finalize` always
    # (Config.measures_int8)
    int8: bool | Literal["auto"] = "auto"
    int8_calibration_images: int = Field(256, ge=1, le=10_000)  # from the train split


class SandboxConfig(_Strict):
    # RLIMIT_AS of each worker process (CPU runs), and the memory cap of each sandbox's cgroup
    # as a whole (shared memory, tmpfs and memfd pages included; lemonade.sandbox.cgroups)
    memory_limit_mb: int | None = Field(8192, ge=256)
    # tasks (processes and threads) of one sandbox: its cgroup's pids.max (unset: 1024), and
    # RLIMIT_NPROC where set, or where the sandbox runs as a uid of its own (root)
    max_processes: int | None = Field(None, ge=1)
    # each writable folder of a sandbox: its scratch (cwd, HOME, TMPDIR) is a private tmpfs of
    # this size; as root its output folder is a host tmpfs of this size too
    scratch_mb: int = Field(2048, ge=16)
    # The OS wall around candidate code (docs/security.md). auto: bubblewrap when it starts
    # here, else a one-time warning and plain processes; bwrap: bubblewrap or refuse; none: off.
    isolation: Literal["auto", "bwrap", "none"] = "auto"
    require_isolation: bool = False  # refuse to run candidate code without the OS wall
    # Start the next candidate's two sandboxed processes (training, measurement) while this one
    # is recorded and the next is proposed, so their interpreter and torch start-up is off the
    # critical path. Each process still serves one candidate only (lemonade.sandbox.prestart).
    prestart: bool = True
    # Fork CPU workers from one process that imported torch once (the fork server) instead of
    # starting a fresh interpreter each: same wall, about 2.5 CPU-seconds less per process.
    # Needs bubblewrap with its seccomp filter; elsewhere workers start fresh.
    fork_server: bool = True

    @model_validator(mode="after")
    def _isolation_consistent(self) -> SandboxConfig:
        if self.require_isolation and self.isolation == "none":
            raise ValueError("sandbox.require_isolation is true but sandbox.isolation is 'none'")
        return self


class ParallelConfig(_Strict):
    """Candidates trained at the same time, as Ray tasks (`lemonade.parallel`)."""

    workers: int = Field(1, ge=1)  # 1: no Ray, candidates one after another in this process
    batch: int | None = Field(None, ge=1)  # candidates in flight at once; None: `workers`
    # None: a local Ray runtime (loopback only) is started and stopped with the run;
    # "auto" or "HOST:PORT": join that running Ray cluster
    ray_address: str | None = None
    # the LLM temperature of each slot (iteration % batch; slot k: temperatures[k % len]);
    # empty: slot 0 at proposer.temperature, the others spread around it (`slot_temperature`)
    temperatures: list[float] = Field(default_factory=list)

    @field_validator("temperatures")
    @classmethod
    def _temperatures_in_range(cls, v: list[float]) -> list[float]:
        bad = [t for t in v if not 0.0 <= t <= 2.0]
        if bad:
            raise ValueError(f"each temperature must be in [0, 2]; got {bad[0]:g}")
        return v

    @property
    def in_flight(self) -> int:
        """Candidates the search keeps in flight (`batch`, else `workers`)."""
        return self.batch or self.workers

    def slot_temperature(self, slot: int, base: float) -> float:
        """The generator's temperature for slot `slot` (iteration % batch).

        With `temperatures` set: `temperatures[slot % len(temperatures)]`. Otherwise slot 0
        keeps `base` (proposer.temperature) and the others alternate above and below it in
        steps of 0.2 (slot 1: +0.2, 2: -0.2, 3: +0.4, 4: -0.4, ...), clipped to [0, 2]. It
        depends on the slot and the config only, never on the number of workers."""
        if self.temperatures:
            return self.temperatures[slot % len(self.temperatures)]
        if slot <= 0:
            return base
        step = 0.2 * ((slot + 1) // 2)
        t = base + step if slot % 2 else base - step
        return round(min(2.0, max(0.0, t)), 4)


class Config(_Strict):
    dataset: DatasetConfig = Field(default_factory=DatasetConfig)
    preset: str = "balanced"
    # The objectives, exactly: when given, the preset adds nothing unless `preset_extends`.
    objectives: list[Objective] = Field(default_factory=list)
    # true: the preset's objectives join the given ones (a given metric replaces the preset's)
    preset_extends: bool = False
    # written into a run's config.yaml: where each of `objectives` came from ("user" or
    # "preset NAME"), parallel to the list; not an input (a given list is "user")
    objective_origins: list[str] = Field(default_factory=list)
    rules: list[RuleConfig] = Field(default_factory=list)
    proposer: ProposerConfig = Field(default_factory=ProposerConfig)
    budget: BudgetConfig = Field(default_factory=BudgetConfig)
    search: SearchConfig = Field(default_factory=SearchConfig)
    train: TrainConfig = Field(default_factory=TrainConfig)
    measure: MeasureConfig = Field(default_factory=MeasureConfig)
    sandbox: SandboxConfig = Field(default_factory=SandboxConfig)
    parallel: ParallelConfig = Field(default_factory=ParallelConfig)
    device: Literal["auto", "cpu", "cuda"] = "auto"
    seed: int = 0
    run_dir: str | None = None  # default: runs/<dataset>-<timestamp>
    memory_window: int = Field(5, ge=1)
    memory_token_budget: int = Field(1200, ge=200)

    @field_validator("preset")
    @classmethod
    def _known_preset(cls, v: str) -> str:
        return _one_of(v, PRESET_NAMES, "preset")

    @field_validator("device", mode="before")
    @classmethod
    def _device(cls, v: Any) -> Any:
        if isinstance(v, str) and v.lower() not in ("auto", "cpu", "cuda"):
            raise ValueError(f"unknown device {v!r}; allowed: auto, cpu, cuda")
        return v.lower() if isinstance(v, str) else v

    def measures_inference_energy(self) -> bool:
        """Whether a search measures inference energy and power for each candidate:
        `measure.inference_energy` when it is a bool; with "auto", exactly when an objective or
        a rule names `inference_energy_j` or `inference_power_w`."""
        if self.measure.inference_energy != "auto":
            return bool(self.measure.inference_energy)
        return self._names_any(("inference_energy_j", "inference_power_w"))

    def measures_int8(self) -> bool:
        """Whether a search quantizes each candidate to int8 (and checks ONNX parity):
        `measure.int8` when it is a bool; with "auto", exactly when an objective or a rule names
        an int8 metric."""
        if self.measure.int8 != "auto":
            return bool(self.measure.int8)
        return self._names_any(INT8_METRICS)

    def for_candidate(self, epochs: int | None) -> Config:
        """The config one search candidate's job runs under: `epochs` (its fidelity; None: the
        run's `budget.epochs`) and no proxy stage, and the "auto" measurements resolved (the
        timed inference-energy loop and the int8 quantization only when an objective or a rule
        needs them)."""
        cfg = self
        if epochs is not None or self.budget.proxy_epochs:
            budget = self.budget.model_copy(update={"epochs": epochs or self.budget.epochs,
                                                    "proxy_epochs": None})
            cfg = cfg.model_copy(update={"budget": budget})
        measure = cfg.measure.model_copy(update={
            "inference_energy": self.measures_inference_energy(), "int8": self.measures_int8()})
        return cfg.model_copy(update={"measure": measure})

    def _names_any(self, names: tuple[str, ...]) -> bool:
        """Whether an objective or a rule (its condition or actions) names one of `names`."""
        if any(o.metric in names for o in self.resolved_objectives()):
            return True
        return any(n in f"{r.when} {r.then}" for r in self.rules for n in names)

    def resolved_objectives(self) -> list[Objective]:
        """The objectives the run optimises (`objective_sources` says where each comes from)."""
        return [o for o, _source in self.objective_sources()]

    def objective_sources(self) -> list[tuple[Objective, str]]:
        """(objective, source) pairs; source is "user" or "preset NAME".

        The user's objectives are exactly the objectives: the preset supplies them only when
        the config gives none, or when `preset_extends` is true (then a given metric replaces
        the preset's, and the preset's others stay)."""
        source = f"preset {self.preset}"
        if self.objectives and not self.preset_extends:
            given = self.objective_origins
            if len(given) != len(self.objectives):
                given = ["user"] * len(self.objectives)
            return list(zip(self.objectives, given, strict=True))
        merged = {o.metric: (o, source)
                  for o in preset_objectives(self.preset, self.dataset.name)}
        for o in self.objectives:
            merged[o.metric] = (o, "user")
        return list(merged.values())


# Presets after LeMo-NADe's three settings: accuracy first; a balance of accuracy and cost;
# efficiency first (edge). Thresholds scale with how hard the dataset is.
_ACC_TARGET = {
    "digits": 0.97, "mnist5k": 0.95, "cifar10": 0.85, "cifar100": 0.55,
    "imagenet16-120": 0.35, "synthetic": 0.5,
}
_PARAMS_TARGET = {
    "digits": 5_000, "mnist5k": 50_000, "cifar10": 500_000, "cifar100": 1_000_000,
    "imagenet16-120": 1_000_000, "synthetic": 100_000,
}


def preset_objectives(preset: str, dataset: str) -> list[Objective]:
    acc = _ACC_TARGET.get(dataset, 0.8)
    params = _PARAMS_TARGET.get(dataset, 500_000)
    if preset == "accuracy-first":
        return [
            Objective(metric="val_accuracy", threshold=acc, priority=5),
            Objective(metric="params", threshold=params * 4, priority=1),
            Objective(metric="latency_ms", threshold=20.0, priority=1),
        ]
    if preset == "efficiency-first":
        return [
            Objective(metric="val_accuracy", threshold=max(acc - 0.05, 0.1), priority=2),
            Objective(metric="params", threshold=params / 2, priority=3),
            Objective(metric="latency_ms", threshold=1.0, priority=3),
            Objective(metric="train_energy_kwh", threshold=1e-4, priority=1),
        ]
    return [
        Objective(metric="val_accuracy", threshold=acc, priority=3),
        Objective(metric="params", threshold=params, priority=2),
        Objective(metric="latency_ms", threshold=1.0 if dataset == "digits" else 3.0, priority=2),
        Objective(metric="train_seconds", threshold=60.0, priority=1),
    ]


def _format_error(err: ValidationError, source: str) -> str:
    parts = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(top level)"
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling; see `lemonade search --help`)"
        parts.append(f"{loc}: {msg}")
    return f"invalid config ({source}): " + "; ".join(parts)


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = v
    return out


def build_config(data: dict[str, Any] | None = None, overrides: dict[str, Any] | None = None,
                 source: str = "config") -> Config:
    """Validate a config dict with dotted-path overrides applied (`{"budget.epochs": 3}`)."""
    data = dict(data or {})
    nested: dict[str, Any] = {}
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        cur = nested
        *parents, leaf = key.split(".")
        for p in parents:
            cur = cur.setdefault(p, {})
        cur[leaf] = value
    merged = _deep_merge(data, nested)
    try:
        cfg = Config.model_validate(merged)
    except ValidationError as e:
        raise ConfigError(_format_error(e, source)) from None
    if cfg.rules:
        try:
            validate_rules(cfg.rules)
        except ValueError as e:
            raise ConfigError(f"invalid config ({source}): rules: {e}") from None
    return cfg


def load_config(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> Config:
    data: dict[str, Any] = {}
    source = "defaults"
    if path is not None:
        p = Path(path)
        source = str(p)
        try:
            text = p.read_text()
        except OSError as e:
            raise ConfigError(f"config file {p}: cannot read ({e.strerror or e})") from None
        try:
            loaded = yaml.safe_load(text)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise ConfigError(f"config file {p}: not valid YAML{where}") from None
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise ConfigError(f"config file {p}: top level must be a mapping of keys, "
                              f"got {type(loaded).__name__}")
        data = loaded
    return build_config(data, overrides, source)


def dump_config(cfg: Config) -> str:
    """The resolved config as YAML: objectives expanded from the preset, each one's source in
    `objective_origins` (a list parallel to `objectives`, read by the report)."""
    doc = cfg.model_dump(mode="json")
    pairs = cfg.objective_sources()
    doc["objectives"] = [o.model_dump(mode="json") for o, _ in pairs]
    # the expanded list is now the exact list: loading it back resolves to the same objectives
    doc["preset_extends"] = False
    doc["objective_origins"] = [src for _, src in pairs]
    return yaml.safe_dump(doc, sort_keys=False)
