"""Peak memory of training.

On CUDA the allocator's high-water mark is exact and resettable: the evaluate pipeline resets it
before training and reads it right after. On the CPU no per-phase figure exists (RSS growth cannot
be attributed to the model), so we report the process's peak RSS; the worker process runs a single
candidate, so that is the peak of this candidate's whole evaluation (interpreter, torch and the
dataset included), and `method` says so.
"""

from __future__ import annotations

import resource
import sys

import torch

from lemonade.metrics import Measurement, measured


def reset_peak_memory(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)


def peak_memory(device: torch.device) -> Measurement:
    if device.type == "cuda":
        return measured(
            "peak_memory_bytes", torch.cuda.max_memory_allocated(device),
            device=str(device), tool="torch.cuda.max_memory_allocated",
            scope="tensors allocated by the caching allocator, reset before training",
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    rss_bytes = rss if sys.platform == "darwin" else rss * 1024
    return measured(
        "peak_memory_bytes", rss_bytes,
        device=str(device), tool="resource.getrusage(RUSAGE_SELF).ru_maxrss",
        scope="peak RSS of the whole process (interpreter, torch, dataset, model, training); "
              "meaningful per candidate because a worker process evaluates one candidate",
    )
