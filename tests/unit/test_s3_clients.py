"""Serving S3 clients: plain botocore clients, one per store, shared by ingest (no network needed)."""

from __future__ import annotations

import pytest
from careerready.core.config import Settings
from careerready.services import startup
from careerready.services.s3 import make_s3_client


def test_serving_clients_are_botocore_only_and_training_keeps_transfers() -> None:
    serving = make_s3_client("http://127.0.0.1:9", "us-east-1", transfers=False)
    assert not hasattr(serving, "upload_file") and hasattr(serving, "get_object")
    assert serving.meta.config.s3 == {"addressing_style": "path"}
    assert serving.meta.endpoint_url == "http://127.0.0.1:9"
    assert hasattr(make_s3_client("http://127.0.0.1:9", "us-east-1"), "upload_file")  # publish uses upload_file


def test_ingest_reuses_the_artifact_store_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    settings = Settings.model_validate(
        {"artifact_source": "s3", "artifact_bucket": "models", "s3_endpoint_url": "http://127.0.0.1:9"}
    )
    client = startup.s3_client(settings)
    assert client is startup._store_for(settings).source.client  # type: ignore[union-attr]
    assert startup.s3_client(settings) is client
    local = Settings.model_validate({"artifact_source": "local"})
    assert startup.s3_client(local) is not client
