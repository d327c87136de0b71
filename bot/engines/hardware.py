"""Where models run: CUDA when present, else the CPU with a bounded number of threads."""

from __future__ import annotations

import importlib
import os
from types import ModuleType


def import_torch() -> ModuleType:
    """torch, with OpenMP threads that sleep when idle unless the user chose otherwise: spinning
    threads steal the cores the other workers need (1-4 tokens/s against 15-19 on a busy
    2-core machine). The policy is read once, when OpenMP starts, so it is set before import."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    return importlib.import_module("torch")


def pick_device(requested: str = "auto") -> str:
    if requested != "auto":
        return requested
    torch = import_torch()
    return "cuda" if torch.cuda.is_available() else "cpu"


def cpu_threads(requested: int = 0, callers: int = 1) -> int:
    """Threads for one model call when `callers` calls may run at once: never more than the
    cores the process may use shared among them (0 asks for that share)."""
    share = max(1, len(os.sched_getaffinity(0)) // max(1, callers))
    return min(requested, share) if requested else share
