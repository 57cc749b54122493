"""Shared helpers of the hardening suite: apps over fixture or real models, hostile-file builders."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
_FUNCTIONS_TESTS = REPO / "tests" / "functions"
if str(_FUNCTIONS_TESTS) not in sys.path:  # serving_models lives there (no package __init__)
    sys.path.insert(0, str(_FUNCTIONS_TESTS))

import serving_models  # noqa: E402

RESUME = serving_models.RESUME
ARTIFACTS = serving_models.ARTIFACTS


def real_artifacts_ready() -> bool:
    """True when ``artifacts/.complete`` exists and every model has a v1 manifest."""
    return (ARTIFACTS / ".complete").is_file() and not serving_models.missing_real_artifacts()


def fixture_app(**settings_overrides: Any) -> Any:
    """The /v1 app with in-process fixture models (no artifacts needed)."""
    from careerready.api.app import create_app
    from careerready.core.config import load_settings
    from careerready.services.transport import InProcessTransport

    settings = load_settings(artifact_source="local", **settings_overrides)
    return create_app(InProcessTransport(serving_models.fixture_models_for), settings=settings)


def real_app(**settings_overrides: Any) -> Any:
    """The /v1 app with the trained artifacts (call only when :func:`real_artifacts_ready`)."""
    from careerready.api.app import create_app, warm_up
    from careerready.core.config import load_settings
    from careerready.services.transport import InProcessTransport

    settings = load_settings(artifact_source="local", artifacts_dir=ARTIFACTS, **settings_overrides)
    app = create_app(InProcessTransport(serving_models.real_models_for), settings=settings)
    warm_up(app)
    return app


def fixture_analyzer(job: Any) -> dict[str, Any]:
    """An ingest ``Analyzer`` over the fixture models (same code path as ``default_analyzer``)."""
    from careerready.schemas.api import SourceInfo
    from careerready.services.analysis import analyze
    from careerready.services.transport import InProcessTransport

    response = analyze(
        job.text,
        [job.role] if job.role else None,
        InProcessTransport(serving_models.fixture_models_for),
        catalog=serving_models.fixture_models().catalog,
        request_id=job.request_id,
        include_text=job.include_text,
        source=SourceInfo(kind="s3", s3_key=job.key, content_type=job.content_type, chars=len(job.text)),
    )
    return response.model_dump(mode="json")


def s3_event(bucket: str, key: str, etag: str | None = None, version_id: str | None = None, size: int = 1) -> str:
    """An S3 ``ObjectCreated:Put`` notification body (key URL-encoded as S3 sends it)."""
    import json
    from urllib.parse import quote_plus

    obj: dict[str, Any] = {"key": quote_plus(key), "size": size}
    if etag:
        obj["eTag"] = etag
    if version_id:
        obj["versionId"] = version_id
    record = {
        "eventSource": "aws:s3",
        "eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": bucket}, "object": obj},
    }
    return json.dumps({"Records": [record]})


def sqs_event(bodies: list[str], ids: list[str] | None = None) -> dict[str, Any]:
    """A Lambda SQS event carrying ``bodies`` (message ids ``m0, m1, ...`` unless given)."""
    ids = ids or [f"m{i}" for i in range(len(bodies))]
    return {
        "Records": [
            {
                "messageId": mid,
                "receiptHandle": f"rh-{mid}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:ingest",
                "awsRegion": "us-east-1",
            }
            for mid, body in zip(ids, bodies, strict=True)
        ]
    }
