"""bench/cost.py: dollars per 1,000 items from measured durations and MemorySize (published Lambda prices)."""

from __future__ import annotations

import pytest

from bench.cost import FULL_VCPU_MB, PRICES, cost_rows, per_1000


def test_per_1000_is_gb_seconds_plus_requests() -> None:
    # 1 GB for exactly 0.1 s, one request each: 1000 x (0.1 GB-s x price + 1 request x price)
    x86 = PRICES["x86_64"]
    assert per_1000(1024, 0.1, 1.0) == pytest.approx(1000 * (0.1 * x86["gb_s"] + x86["request"]))
    # billed per ms, rounded up: 0.1001 s bills as 0.101 s
    assert per_1000(1024, 0.1001, 0.0) == pytest.approx(1000 * 0.101 * x86["gb_s"])
    assert per_1000(1024, 0.1, 0.0, "arm64") < per_1000(1024, 0.1, 0.0, "x86_64")


def test_cost_rows_scale_cpu_bound_durations_below_one_vcpu() -> None:
    results = {
        "latency": {"inprocess": {"analyze": {"medium": {"median": 50.0}}}},
        "event_path": {"steady_resumes_per_s_per_core": 5.0},
    }
    full = cost_rows(results, {"analyze": FULL_VCPU_MB, "ingest": FULL_VCPU_MB}, ingest_batch=5)
    half = cost_rows(results, {"analyze": FULL_VCPU_MB // 2, "ingest": FULL_VCPU_MB // 2}, ingest_batch=5)
    assert [r["function"] for r in full] == ["analyze", "ingest"]
    assert full[0]["seconds"] == pytest.approx(0.05) and full[1]["seconds"] == pytest.approx(0.2)
    assert full[1]["requests_per_item"] == pytest.approx(0.2)  # one invocation per SQS batch of 5
    # half the memory: about twice the duration, about the same GB-seconds
    assert half[0]["seconds"] == pytest.approx(0.1, rel=0.01)
    assert half[1]["x86_64"] == pytest.approx(full[1]["x86_64"], rel=0.01)
    assert cost_rows({}, {"analyze": 1024}, 5) == []
