"""Settings: defaults, env parsing, and errors that name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest
from careerready.core.config import get_settings, load_settings
from careerready.core.errors import ConfigError


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "CAREERREADY_S3_ENDPOINT_URL"):
        monkeypatch.delenv(var, raising=False)
    s = load_settings()
    assert s.artifact_source == "local" and s.artifact_prefix == "models"
    assert s.cache_dir == Path("/tmp/careerready-artifacts")
    assert s.transport == "inprocess" and s.s3_endpoint_url is None
    assert s.version_overrides() == {}


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"CAREERREADY_ARTIFACT_SOURCE": "ftp"}, "CAREERREADY_ARTIFACT_SOURCE"),
        ({"CAREERREADY_TRANSPORT": "http"}, "CAREERREADY_TRANSPORT"),
        ({"CAREERREADY_MAX_TEXT_CHARS": "-5"}, "CAREERREADY_MAX_TEXT_CHARS"),
        ({"CAREERREADY_MAX_UPLOAD_BYTES": "lots"}, "CAREERREADY_MAX_UPLOAD_BYTES"),
        ({"CAREERREADY_LOG_LEVEL": "LOUD"}, "CAREERREADY_LOG_LEVEL"),
        ({"CAREERREADY_MODEL_VERSION_EXTRACTOR": "latest"}, "CAREERREADY_MODEL_VERSION_EXTRACTOR"),
        ({"CAREERREADY_MODEL_SHA256_CATALOG": "abc"}, "CAREERREADY_MODEL_SHA256_CATALOG"),
        ({"CAREERREADY_ARTIFACT_SOURCE": "s3"}, "CAREERREADY_ARTIFACT_BUCKET"),
    ],
)
def test_invalid_values_name_the_variable(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], named: str) -> None:
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert named in str(info.value)


def test_env_values_and_overrides(monkeypatch: pytest.MonkeyPatch, fresh_settings: None) -> None:
    monkeypatch.setenv("CAREERREADY_ARTIFACT_SOURCE", "s3")
    monkeypatch.setenv("CAREERREADY_ARTIFACT_BUCKET", "my-models")
    monkeypatch.setenv("CAREERREADY_MODEL_VERSION_MATCHING", "v3")
    monkeypatch.setenv("CAREERREADY_MAX_TEXT_CHARS", "5000")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5001")
    s = get_settings()
    assert s is get_settings()  # cached
    assert (s.artifact_source, s.artifact_bucket, s.max_text_chars) == ("s3", "my-models", 5000)
    assert s.version_overrides() == {"matching": "v3"}
    assert s.s3_endpoint_url == "http://127.0.0.1:5001"
    assert s.function_name("extract") == "careerready-extract"


def test_s3_specific_endpoint_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://generic:1")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://s3only:2")
    assert load_settings().s3_endpoint_url == "http://s3only:2"
    monkeypatch.setenv("CAREERREADY_S3_ENDPOINT_URL", "http://ours:3")
    assert load_settings().s3_endpoint_url == "http://ours:3"


def test_log_level_setting_sets_the_logger(monkeypatch: pytest.MonkeyPatch, fresh_settings: None) -> None:
    import logging

    from careerready.core.observability import logger

    before = logger.log_level
    try:
        monkeypatch.setenv("CAREERREADY_LOG_LEVEL", "debug")
        assert get_settings().log_level == "DEBUG"
        assert logger.log_level == logging.DEBUG
        monkeypatch.setenv("CAREERREADY_LOG_LEVEL", "WARNING")
        get_settings.cache_clear()
        get_settings()
        assert logger.log_level == logging.WARNING
    finally:
        logger.setLevel(before)


def test_resume_bucket_comes_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from careerready.api.deps import RESUME_BUCKET_ENV, ApiContext
    from careerready.services.transport import InProcessTransport

    monkeypatch.setenv(RESUME_BUCKET_ENV, "resumes-from-env")
    ctx = ApiContext(InProcessTransport(lambda stage: None), load_settings(), catalog_provider=lambda: None)  # type: ignore[arg-type,return-value]
    assert RESUME_BUCKET_ENV == "CAREERREADY_RESUME_BUCKET" and ctx.resume_bucket == "resumes-from-env"
    monkeypatch.delenv(RESUME_BUCKET_ENV)
    ctx = ApiContext(InProcessTransport(lambda stage: None), load_settings(), catalog_provider=lambda: None)  # type: ignore[arg-type,return-value]
    assert ctx.resume_bucket is None


def test_every_size_limit_reads_the_one_table(monkeypatch: pytest.MonkeyPatch) -> None:
    from careerready.core.config import LIMITS
    from careerready.schemas.analysis import MAX_MATCH_TEXT_CHARS
    from careerready.schemas.api import MAX_ROLES_PER_ANALYSIS
    from careerready.services.documents import DocumentLimits
    from careerready.services.ingest import MAX_OBJECT_BYTES
    from careerready.services.stages import MAX_ROLES_PER_MATCH

    for var in ("CAREERREADY_MAX_UPLOAD_BYTES", "CAREERREADY_MAX_TEXT_CHARS", "CAREERREADY_MAX_INGEST_OBJECT_BYTES"):
        monkeypatch.delenv(var, raising=False)
    s = load_settings()
    assert (s.max_upload_bytes, s.max_text_chars, s.max_ingest_object_bytes) == (
        LIMITS.max_upload_bytes,
        LIMITS.max_text_chars,
        LIMITS.max_ingest_object_bytes,
    )
    assert s.max_body_bytes == LIMITS.max_upload_bytes + LIMITS.multipart_overhead_bytes
    assert load_settings(max_upload_bytes=1000).max_body_bytes == 1000 + LIMITS.multipart_overhead_bytes
    d = DocumentLimits()
    assert (d.max_bytes, d.max_chars, d.max_pdf_pages, d.max_zip_members, d.max_zip_uncompressed, d.max_zip_ratio) == (
        LIMITS.max_upload_bytes,
        LIMITS.max_text_chars,
        LIMITS.max_pdf_pages,
        LIMITS.max_zip_members,
        LIMITS.max_zip_uncompressed,
        LIMITS.max_zip_ratio,
    )
    assert MAX_MATCH_TEXT_CHARS == LIMITS.max_match_text_chars
    assert MAX_ROLES_PER_ANALYSIS == LIMITS.max_roles_per_analysis
    assert MAX_ROLES_PER_MATCH == LIMITS.max_roles_per_match
    assert MAX_OBJECT_BYTES == LIMITS.max_ingest_object_bytes
