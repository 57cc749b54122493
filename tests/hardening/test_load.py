"""No loss under load: 1,000 resumes through S3 -> SQS -> ingest; 20 concurrent API clients on loopback."""

from __future__ import annotations

from typing import Any

import pytest

from tests.hardening._support import fixture_app, real_app, real_artifacts_ready
from tests.hardening.load_main import UvicornThread, api_load, ingest_drill


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


def test_20_clients_30s_on_loopback_zero_errors() -> None:
    app = real_app() if real_artifacts_ready() else fixture_app()
    with UvicornThread(app) as url:
        report = api_load(url, clients=20, duration_s=30.0)
    print(f"loopback load: {report}")  # noqa: T201 - the p99 is the point of this test (pytest -s shows it)
    assert report.requests > 100, report
    assert report.errors == 0, report.status_counts
    assert report.p99_ms < 30_000, report  # under API Gateway's 30 s integration timeout
