"""Smoke test of the performance harness: ``python -m bench.run --smoke`` end to end (< 60 s).

Skipped when the trained artifacts are absent (``make train``). Checks that results.json has the
expected sections with positive, coherent numbers, and that REPORT.md renders them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.common import artifacts_status, percentile, summarize
from bench.report import evaluate_budgets

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_summarize_percentiles() -> None:
    values = [float(x) for x in range(1, 101)]
    s = summarize(values)
    assert s["n"] == 100
    assert s["median"] == pytest.approx(50.5)
    assert s["p95"] == pytest.approx(95.05)
    assert s["p99"] == pytest.approx(99.01)
    assert percentile([3.0], 99) == 3.0
    assert summarize([]) == {"n": 0}


def test_budget_verdicts() -> None:
    results = {
        "latency": {"inprocess": {"analyze": {"medium": {"median": 120.0, "p99": 200.0}}}},
        "cold_start": {"extract": {"empty_cache": {"summary": {"cold_start_ms": {"median": 900.0}}}}},
        "event_path": {"resumes_per_s_per_core": 12.5},
    }
    verdicts = {r["budget"]: r["verdict"] for r in evaluate_budgets(results)}
    assert verdicts["analyze_inprocess_500w_p50_ms"] == "FAIL"
    assert verdicts["analyze_inprocess_500w_p99_ms"] == "PASS"
    assert verdicts["cold_start_empty_cache_ms[extract] (median)"] == "PASS"
    assert verdicts["ingest_resumes_per_s_per_core"] == "PASS"


@pytest.mark.skipif(not artifacts_status()["ready"], reason="trained artifacts absent: run `make train`")
def test_bench_smoke_run(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--out", str(tmp_path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert results["mode"] == "smoke"
    assert results["duration_s"] < 90  # target < 60 s; headroom for a shared 2-core machine
    machine = results["machine"]
    assert machine["cores"] >= 1 and machine["cpu_model"] and machine["commit"]

    cold = results["cold_start"]["extract"]
    for mode in ("empty_cache", "warm_cache"):
        run = cold[mode]["runs"][0]
        assert run["ok"], run["detail"]
        for key in ("cold_start_ms", "import_ms", "load_ms", "first_invoke_ms", "peak_rss_mb"):
            assert run[key] > 0, (mode, key, run[key])
        # the phases fit inside the whole
        assert run["import_ms"] + run["fetch_ms"] + run["load_ms"] + run["first_invoke_ms"] <= run["cold_start_ms"]
    assert cold["empty_cache"]["runs"][0]["cache_hits"] == 0  # a truly empty cache: everything downloaded
    assert cold["empty_cache"]["runs"][0]["download_ms"] > 0
    assert cold["warm_cache"]["runs"][0]["download_ms"] == 0
    assert cold["warm_cache"]["runs"][0]["cache_hits"] == cold["warm_cache"]["runs"][0]["fetches"]

    inproc = results["latency"]["inprocess"]
    medium = inproc["analyze"]["medium"]
    assert medium["n"] == 5
    assert 0 < medium["median"] <= medium["p95"] <= medium["p99"]
    for stage in ("extract", "match", "readiness", "recommend"):
        assert inproc["stages_medium"][stage]["median"] > 0
    http = results["latency"]["http"]["analyze"]["medium"]
    assert http["n"] == 5 and http["median"] > 0

    event = results["event_path"]
    assert event["handled"] == 5 and event["results_written"] == 5 and event["batch_failures"] == 0
    assert event["resumes_per_s_per_core"] > 0

    budgets = {r["budget"] for r in results["budgets"]}
    assert "analyze_inprocess_500w_p50_ms" in budgets
    report = (tmp_path / "REPORT.md").read_text(encoding="utf-8")
    assert "## Cold start per function" in report and "## Warm latency" in report
    assert f"{medium['median']:,.1f}" in report
