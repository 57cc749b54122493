"""Short schemathesis run over every /v1 operation (the 1,000-case run is ``make fuzz``)."""

from __future__ import annotations

from tests.hardening._support import fixture_app
from tests.hardening.fuzz_main import run_fuzz


def test_fuzz_100_cases_no_5xx_and_schema_conformant() -> None:
    # Given the API over fixture models / When ~100 generated valid and invalid requests hit it
    report = run_fuzz(fixture_app(max_upload_bytes=300_000), max_examples=100)
    # Then no 5xx, every answer matches its documented schema and content type
    assert report.cases >= 100
    assert report.server_errors == 0, report.as_dict()
    assert report.failures == [], report.failures[:3]
    assert set(report.per_operation) >= {"POST /v1/analyze", "POST /v1/extract", "GET /v1/roles/{role}"}
    # both accepted and rejected requests were generated (the run exercised validation and success paths)
    assert report.status_counts[200] > 0 and report.status_counts[422] > 0


def test_fuzz_checker_catches_a_500() -> None:
    # the harness itself can fail: a route that crashes is counted as a server error
    from fastapi import APIRouter

    app = fixture_app()
    router = APIRouter()

    @router.get("/v1/boom")
    def boom() -> dict[str, int]:
        raise RuntimeError("boom")

    app.include_router(router)
    app.openapi_schema = None
    report = run_fuzz(app, max_examples=20)
    assert report.server_errors > 0
