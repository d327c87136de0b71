"""Where models run: CUDA when present, else the CPU with a bounded number of threads."""

from __future__ import annotations

import os


def pick_device(requested: str = "auto") -> str:
    if requested != "auto":
        return requested
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def cpu_threads(requested: int = 0) -> int:
    """0 means one per core the process may use."""
    return requested or len(os.sched_getaffinity(0))
