"""Shared helpers of the harness: paths, summary statistics, machine description, budgets."""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from careerready.services.startup import OPTIONAL

__all__ = [
    "BUDGETS",
    "BUILD_DIR",
    "PYTHON",
    "REPO_ROOT",
    "STAGES",
    "FUNCTIONS",
    "Deadline",
    "artifacts_status",
    "machine_info",
    "percentile",
    "run_child",
    "summarize",
]

REPO_ROOT = Path(__file__).resolve().parents[1]
BUILD_DIR = REPO_ROOT / "build" / "bench"
PYTHON = sys.executable
STAGES: tuple[str, ...] = ("extract", "match", "readiness", "recommend")
FUNCTIONS: tuple[str, ...] = ("extract", "match", "readiness", "recommend", "analyze", "ingest")

BUDGETS: dict[str, dict[str, Any]] = {
    "analyze_inprocess_500w_p50_ms": {"limit": 100.0, "op": "<="},
    "analyze_inprocess_500w_p99_ms": {"limit": 250.0, "op": "<="},
    # issue 15: analyze <= 1.0 s, ingest <= 1.5 s, each stage <= 1.0 s
    "cold_start_empty_cache_ms": {"limit": 1000.0, "op": "<=", "per": "function", "limits": {"ingest": 1500.0}},
    "analyze_lambda_vs_inprocess_p50_ratio": {"limit": 1.6, "op": "<="},
    "image_installed_mb": {"limit": 250.0, "op": "<=", "per": "function"},
    "ingest_resumes_per_s_per_core": {"limit": 10.0, "op": ">="},
}
"""The budgets the report checks (the brief's numbers)."""


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile ``q`` in [0, 100] of a non-empty sequence."""
    if not values:
        raise ValueError("percentile of an empty sequence")
    xs = sorted(values)
    if len(xs) == 1:
        return float(xs[0])
    pos = (len(xs) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return float(xs[lo] + (xs[hi] - xs[lo]) * (pos - lo))


def summarize(values: Sequence[float], digits: int = 2) -> dict[str, float]:
    """``{n, median, p95, p99, mean, min, max}`` of a sample (empty -> ``{n: 0}``)."""
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "median": round(percentile(values, 50), digits),
        "p95": round(percentile(values, 95), digits),
        "p99": round(percentile(values, 99), digits),
        "mean": round(sum(values) / len(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git_commit() -> dict[str, Any]:
    def git(*args: str) -> str:
        out = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10, check=False)
        return out.stdout.strip()

    try:
        return {"commit": git("rev-parse", "HEAD") or "unknown", "dirty": bool(git("status", "--porcelain"))}
    except (OSError, subprocess.SubprocessError):
        return {"commit": "unknown", "dirty": None}


def machine_info() -> dict[str, Any]:
    """Cores, CPU model, memory, Python, git commit, load average at start."""
    mem_total = None
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                mem_total = round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "mem_total_mb": mem_total,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        **_git_commit(),
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def artifacts_status(artifacts_dir: Path | None = None) -> dict[str, Any]:
    """Which registry models have a local ``artifacts/<model>/<version>/manifest.json``."""
    artifacts_dir = artifacts_dir or REPO_ROOT / "artifacts"
    registry = json.loads((REPO_ROOT / "layers" / "careerready" / "registry.json").read_text(encoding="utf-8"))
    wanted = sorted({(m, v) for models in registry.values() for m, v in models.items()})
    missing = [f"{m}/{v}" for m, v in wanted if not (artifacts_dir / m / v / "manifest.json").is_file()]
    # a stage serves without an optional model (the extract stage without ner: the gazetteer alone)
    required = [ref for ref in missing if ref.split("/")[0] not in OPTIONAL]
    return {"ready": not required, "missing": missing, "wanted": [f"{m}/{v}" for m, v in wanted]}


class Deadline:
    """A wall-clock budget for bounded loops: ``while n < max_n and not deadline.expired(): ...``."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def expired(self) -> bool:
        """True once the budget is spent."""
        return time.monotonic() >= self._end

    def remaining(self) -> float:
        """Seconds left (never negative)."""
        return max(0.0, self._end - time.monotonic())


def run_child(argv: list[str], env: dict[str, str], timeout_s: float = 180.0) -> dict[str, Any]:
    """Run ``python -m bench.child <argv>`` and return its ``BENCH_RESULT`` JSON.

    Raises:
        RuntimeError: the child failed or printed no result (its stderr tail is in the message).
    """
    spawn = time.time()
    proc = subprocess.run(  # noqa: S603 - fixed interpreter and module
        [PYTHON, "-m", "bench.child", *argv, *(["--spawn-wall", repr(spawn)] if argv[0] == "cold" else [])],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    wall_ms = (time.time() - spawn) * 1000
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("BENCH_RESULT "):
            result: dict[str, Any] = json.loads(line[len("BENCH_RESULT ") :])
            result["parent_wall_ms"] = round(wall_ms, 1)
            return result
    tail = (proc.stderr or proc.stdout)[-1500:]
    raise RuntimeError(f"bench.child {argv[0]} exited {proc.returncode} without a result: {tail}")
