"""Publish -> fetch through a real (moto) S3 endpoint on loopback: integrity and immutability."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from careerready.core.errors import ArtifactImmutableError, ArtifactIntegrityError, ArtifactNotFoundError
from careerready.services.artifacts import ArtifactStore, S3Source, sha256_file

from training.artifacts import publish, write_manifest

pytestmark = pytest.mark.integration


@pytest.fixture
def local_version(tmp_path: Path) -> Path:
    d = tmp_path / "artifacts" / "extractor" / "v1"
    (d / "report").mkdir(parents=True)
    (d / "gazetteer.json").write_text('{"entries": []}')
    (d / "weights.bin").write_bytes(bytes(range(256)) * 40)
    (d / "report" / "README.md").write_text("# report\n")
    write_manifest(d, "extractor", "v1", metrics={"f1": 0.6})
    return d


def _store(s3_client: Any, bucket: str, cache: Path) -> ArtifactStore:
    return ArtifactStore(S3Source(bucket, "models", s3_client), cache_dir=cache)


def test_round_trip_downloads_and_verifies(local_version: Path, s3_client: Any, s3_bucket: str, tmp_path: Path) -> None:
    result = publish(local_version, "extractor", "v1", s3_client, s3_bucket, "models")
    assert result.status == "published" and result.files == 3
    keys = sorted(o["Key"] for o in s3_client.list_objects_v2(Bucket=s3_bucket)["Contents"])
    assert keys == [
        "models/extractor/v1/gazetteer.json",
        "models/extractor/v1/manifest.json",
        "models/extractor/v1/report/README.md",
        "models/extractor/v1/weights.bin",
    ]
    store = _store(s3_client, s3_bucket, tmp_path / "cache")
    info = store.fetch_with_info("extractor", "v1", manifest_sha256=sha256_file(local_version / "manifest.json"))
    assert info.path == tmp_path / "cache" / "extractor" / "v1" and not info.cached
    for rel in ("gazetteer.json", "weights.bin", "report/README.md", "manifest.json"):
        assert (info.path / rel).read_bytes() == (local_version / rel).read_bytes()
    assert [p.name for p in (tmp_path / "cache" / "extractor").iterdir()] == ["v1"]  # no temp dirs left
    again = store.fetch_with_info("extractor", "v1")
    assert again.cached and again.path == info.path
    assert store.list_versions("extractor") == ["v1"]


def test_tampered_object_in_s3_is_rejected(local_version: Path, s3_client: Any, s3_bucket: str, tmp_path: Path) -> None:
    publish(local_version, "extractor", "v1", s3_client, s3_bucket, "models")
    original = (local_version / "weights.bin").read_bytes()
    tampered = bytes([original[0] ^ 0xFF]) + original[1:]  # same size, one byte flipped
    s3_client.put_object(Bucket=s3_bucket, Key="models/extractor/v1/weights.bin", Body=tampered)
    cache = tmp_path / "cache"
    with pytest.raises(ArtifactIntegrityError, match="weights.bin") as info:
        _store(s3_client, s3_bucket, cache).fetch("extractor", "v1")
    assert info.value.details["file"] == "weights.bin"
    assert not (cache / "extractor" / "v1").exists()
    assert list((cache / "extractor").iterdir()) == []  # the bad download was deleted


def test_corrupted_cache_is_redownloaded(local_version: Path, s3_client: Any, s3_bucket: str, tmp_path: Path) -> None:
    publish(local_version, "extractor", "v1", s3_client, s3_bucket, "models")
    store = _store(s3_client, s3_bucket, tmp_path / "cache")
    path = store.fetch("extractor", "v1")
    (path / "gazetteer.json").write_text('{"entries": [1]}')
    info = store.fetch_with_info("extractor", "v1")
    assert not info.cached
    assert (info.path / "gazetteer.json").read_text() == '{"entries": []}'


def test_missing_version(s3_client: Any, s3_bucket: str, tmp_path: Path) -> None:
    with pytest.raises(ArtifactNotFoundError, match="extractor/v9 not found"):
        _store(s3_client, s3_bucket, tmp_path / "cache").fetch("extractor", "v9")


def test_republish_identical_is_noop(local_version: Path, s3_client: Any, s3_bucket: str) -> None:
    publish(local_version, "extractor", "v1", s3_client, s3_bucket, "models")
    before = s3_client.head_object(Bucket=s3_bucket, Key="models/extractor/v1/manifest.json")["ETag"]
    # a rebuilt manifest (new created_at) with identical file bytes is still "the same version"
    write_manifest(local_version, "extractor", "v1", metrics={"f1": 0.6}, extra={"note": "rebuilt"})
    again = publish(local_version, "extractor", "v1", s3_client, s3_bucket, "models")
    assert again.status == "already_published" and again.bytes == 0
    assert s3_client.head_object(Bucket=s3_bucket, Key="models/extractor/v1/manifest.json")["ETag"] == before


def test_republish_different_bytes_is_refused(local_version: Path, s3_client: Any, s3_bucket: str) -> None:
    publish(local_version, "extractor", "v1", s3_client, s3_bucket, "models")
    (local_version / "gazetteer.json").write_text('{"entries": ["changed"]}')
    write_manifest(local_version, "extractor", "v1", metrics={"f1": 0.7})
    with pytest.raises(ArtifactImmutableError, match=r"already published.*gazetteer.json.*extractor/v2") as info:
        publish(local_version, "extractor", "v1", s3_client, s3_bucket, "models")
    assert info.value.details["changed"] == ["gazetteer.json"]
    body = s3_client.get_object(Bucket=s3_bucket, Key="models/extractor/v1/gazetteer.json")["Body"].read()
    assert json.loads(body) == {"entries": []}  # S3 untouched


def test_publish_refuses_locally_inconsistent_dir(local_version: Path, s3_client: Any, s3_bucket: str) -> None:
    (local_version / "weights.bin").write_bytes(b"not what the manifest says")
    with pytest.raises(ArtifactIntegrityError, match="weights.bin"):
        publish(local_version, "extractor", "v1", s3_client, s3_bucket, "models")
    assert "Contents" not in s3_client.list_objects_v2(Bucket=s3_bucket)


def _publish_extract_stage(root: Path, client: Any, bucket: str) -> None:
    from tests.tiny_ner import extract_stage_artifacts

    # the extract stage serves the learned tagger too
    for model, folder in extract_stage_artifacts(root, ner=True).items():
        publish(folder, model, "v1", client, bucket)


def test_cold_start_from_s3(s3_client: Any, s3_bucket: str, tmp_path: Path) -> None:
    from careerready.core.config import load_settings
    from careerready.services.startup import load_models

    _publish_extract_stage(tmp_path / "art", s3_client, s3_bucket)
    settings = load_settings(artifact_source="s3", artifact_bucket=s3_bucket, cache_dir=tmp_path / "cache")
    models = load_models("extract", settings=settings, store=ArtifactStore.from_settings(settings, s3_client))
    assert models.load_timings["extractor"]["cached"] == 0.0 and models.load_timings["extractor"]["download_ms"] > 0
    assert [s.skill_id for s in models.extractor.extract("Python developer")] == ["python"]

    s3_client.put_object(Bucket=s3_bucket, Key="models/catalog/v1/skills.jsonl", Body=b"{}\n")
    settings2 = load_settings(artifact_source="s3", artifact_bucket=s3_bucket, cache_dir=tmp_path / "cache2")
    with pytest.raises(ArtifactIntegrityError, match=r"stage 'extract': catalog/v1: .*skills.jsonl"):
        load_models("extract", settings=settings2, store=ArtifactStore.from_settings(settings2, s3_client))


def test_get_models_does_not_cache_failures(
    s3_client: Any, s3_bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_settings: None
) -> None:
    from careerready.services.startup import get_models

    monkeypatch.setenv("CAREERREADY_ARTIFACT_SOURCE", "s3")
    monkeypatch.setenv("CAREERREADY_ARTIFACT_BUCKET", s3_bucket)
    monkeypatch.setenv("CAREERREADY_CACHE_DIR", str(tmp_path / "cache"))
    get_models.cache_clear()
    try:
        with pytest.raises(ArtifactNotFoundError):
            get_models("extract")
        _publish_extract_stage(tmp_path / "art", s3_client, s3_bucket)
        first = get_models("extract")
        assert first is get_models("extract")  # loaded once per process
        assert first.versions == {"catalog": "v1", "extractor": "v1", "ner": "v1"}
    finally:
        get_models.cache_clear()
