"""What the measured durations cost on Lambda: GB-seconds and requests at the published prices (bench/REPORT.md).

Inputs are figures the harness measured in the same run (warm analyze p50 in-process, the event path's handler CPU
per resume, peak RSS of each function) and each function's MemorySize from template.yaml. Assumption, stated in
the report: one Lambda vCPU (1,769 MB) runs this single-threaded code about as fast as one core of the measuring
machine; below 1,769 MB Lambda gives proportionally less CPU, so CPU-bound durations grow as 1,769 / MemorySize and
the GB-seconds per request stay about the same (cost is flat, latency is not).
"""

from __future__ import annotations

from typing import Any

__all__ = ["FULL_VCPU_MB", "PRICES", "PRICE_SOURCE", "cost_rows", "per_1000"]

#: us-east-1 on-demand prices (first pricing tier), https://aws.amazon.com/lambda/pricing/
PRICES: dict[str, dict[str, float]] = {
    "x86_64": {"gb_s": 0.0000166667, "request": 0.20 / 1_000_000},
    "arm64": {"gb_s": 0.0000133334, "request": 0.20 / 1_000_000},
}
PRICE_SOURCE = "aws.amazon.com/lambda/pricing (us-east-1, on-demand, first tier)"
#: memory at which a function gets one full vCPU (AWS Lambda developer guide, "Memory and computing power")
FULL_VCPU_MB = 1769


def per_1000(memory_mb: int, seconds: float, requests_per_item: float, arch: str = "x86_64") -> float:
    """Dollars per 1,000 items: billed duration (1 ms granularity) x memory, plus the request charge."""
    price = PRICES[arch]
    billed_s = max(0.001, round(seconds * 1000 + 0.4999) / 1000)
    return 1000 * (memory_mb / 1024 * billed_s * price["gb_s"] + requests_per_item * price["request"])


def _scaled(seconds: float, memory_mb: int) -> float:
    """Duration at ``memory_mb`` of single-threaded CPU-bound work measured on one full core."""
    return seconds * max(1.0, FULL_VCPU_MB / memory_mb)


def cost_rows(results: dict[str, Any], memory_mb: dict[str, int], ingest_batch: int) -> list[dict[str, Any]]:
    """Rows ``{what, function, memory_mb, seconds, requests_per_item, x86_64, arm64}`` from a results dict."""
    rows: list[dict[str, Any]] = []
    inproc = ((results.get("latency") or {}).get("inprocess") or {}).get("analyze") or {}
    med = (inproc.get("medium") or {}).get("median")
    if isinstance(med, (int, float)) and "analyze" in memory_mb:
        s = _scaled(med / 1000, memory_mb["analyze"])
        rows.append(
            {
                "what": "1,000 analyses (500-word resume, one role, warm, stages in-process)",
                "function": "analyze",
                "memory_mb": memory_mb["analyze"],
                "seconds": s,
                "requests_per_item": 1.0,
            }
        )
    ev = results.get("event_path") or {}
    rate = ev.get("steady_resumes_per_s_per_core") or ev.get("resumes_per_s_per_core")
    if isinstance(rate, (int, float)) and rate > 0 and "ingest" in memory_mb:
        s = _scaled(1 / rate, memory_mb["ingest"])
        rows.append(
            {
                "what": f"1,000 event-path resumes (mixed sizes, every role ranked; SQS batches of {ingest_batch})",
                "function": "ingest",
                "memory_mb": memory_mb["ingest"],
                "seconds": s,
                "requests_per_item": 1 / max(1, ingest_batch),
            }
        )
    for row in rows:
        for arch in PRICES:
            row[arch] = per_1000(row["memory_mb"], row["seconds"], row["requests_per_item"], arch)
    return rows
