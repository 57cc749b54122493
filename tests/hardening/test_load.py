"""No loss under load: 1,000 resumes through S3 -> SQS -> ingest; 20 concurrent API clients on loopback."""

from __future__ import annotations

from typing import Any

import pytest

from tests.hardening._support import fixture_app, real_app, real_artifacts_ready
from tests.hardening.load_main import P99_BUDGET_MS, LoadReport, UvicornThread, api_load, ingest_drill, load_failures


@pytest.mark.load  # ~100 s on the shared 2-core machine (moto over HTTP): outside the default run
def test_1000_resumes_2pct_corrupt_give_exactly_1000_outcomes(s3_client: Any, s3_bucket: str) -> None:
    import boto3

    sqs = boto3.client("sqs", region_name="us-east-1")
    report = ingest_drill(s3_client, sqs, s3_bucket, n=1000, corrupt_ratio=0.02)
    assert report.outcomes == 1000, report
    assert (report.results, report.error_records) == (980, 20)
    assert report.error_codes == {"invalid_input": 20}  # the truncated PDFs, each with its error record
    assert report.left_in_queue == 0 and report.dead_lettered == 0


def test_ingest_drill_small_no_loss(s3_client: Any, s3_bucket: str) -> None:
    # the same drill at 100 resumes (4 corrupt) inside the default run
    import boto3

    sqs = boto3.client("sqs", region_name="us-east-1")
    report = ingest_drill(s3_client, sqs, s3_bucket, n=100, corrupt_ratio=0.04)
    assert report.outcomes == 100 and report.error_records == 4
    assert report.left_in_queue == 0 and report.dead_lettered == 0


@pytest.mark.load  # 30 s of load plus start-up: `pytest -m load` / `make load`, not the default run
def test_20_clients_30s_on_loopback_zero_errors() -> None:
    app = real_app() if real_artifacts_ready() else fixture_app()
    with UvicornThread(app) as url:
        report = api_load(url, clients=20, duration_s=30.0)
    print(f"loopback load: {report}")  # noqa: T201 - the p99 is the point of this test (pytest -s shows it)
    assert report.requests > 100, report
    # every answer checked (status + body); p99 under Analyze's 29 s timeout, measured with a 60 s client timeout
    assert load_failures(report) == [], report


def test_load_verdict_can_fail() -> None:
    good = LoadReport(clients=20, duration_s=30.0, requests=500, status_counts={"200": 500}, p99_ms=900.0)
    assert load_failures(good) == []
    slow = LoadReport(clients=20, duration_s=30.0, requests=500, status_counts={"200": 500}, p99_ms=P99_BUDGET_MS + 1)
    assert load_failures(slow) == [f"p99 {P99_BUDGET_MS + 1} ms > budget {P99_BUDGET_MS} ms"]
    bad = LoadReport(clients=20, duration_s=30.0, requests=500, errors=3, status_counts={"200": 497, "bad_body": 3})
    assert len(load_failures(bad)) == 1 and "bad_body" in load_failures(bad)[0]
    assert load_failures(LoadReport(clients=1, duration_s=1.0)) == ["no request completed"]
