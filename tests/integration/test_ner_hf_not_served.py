"""The tagger's Hugging Face folder (``ner/v<N>/hf/``) is published with the artifact, and serving never fetches it.

The tiny test tagger stands in for the real one (no torch, no training); its ``hf/`` folder holds stand-in files,
listed in the manifest like the real checkpoint. Publishing uploads them beside the served files; the extract
stage's cold start downloads every other file of the version and none under ``hf/``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from careerready.core.config import load_settings
from careerready.services.artifacts import ArtifactStore, left_out, verify_dir
from careerready.services.startup import NEVER_SERVED, NOT_SERVED, load_models

from tests.tiny_ner import extract_stage_artifacts
from training.artifacts import publish, write_manifest
from training.extractor.export import HF_DIR

pytest.importorskip("onnx")

pytestmark = pytest.mark.integration

HF_FILES = {"config.json": b'{"architectures": ["BertForTokenClassification"]}', "model.safetensors": b"\0" * 300_000}


class _Recording:
    """A boto3 S3 client that records the keys it downloads."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.downloaded: list[str] = []

    def download_file(self, bucket: str, key: str, filename: str) -> None:
        self.downloaded.append(key)
        self._client.download_file(bucket, key, filename)

    def get_object(self, **kwargs: Any) -> Any:  # the fetch streams each file with one GET (manifests too)
        if not kwargs["Key"].endswith("/manifest.json"):
            self.downloaded.append(kwargs["Key"])
        return self._client.get_object(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def _artifacts_with_hf(root: Path) -> dict[str, Path]:
    folders = extract_stage_artifacts(root, ner=True)
    hf = folders["ner"] / HF_DIR
    hf.mkdir()
    for name, data in HF_FILES.items():
        (hf / name).write_bytes(data)
    write_manifest(folders["ner"], "ner", "v1", metrics={"note": "tiny test tagger + stand-in hf/ folder"})
    return folders


def test_left_out_names_files_and_folders() -> None:
    assert left_out("hf/model.safetensors", ("hf/",)) and left_out("estimator.joblib", ("estimator.joblib",))
    assert not left_out("hf.json", ("hf/",)) and not left_out("model.onnx", ("hf/",))
    assert not left_out("hf/config.json", ("hf",))  # a folder is named with its trailing slash
    assert NOT_SERVED["ner"] == (f"{HF_DIR}/",)


def test_published_with_the_version_and_never_downloaded_at_a_cold_start(
    s3_client: Any, s3_bucket: str, tmp_path: Path
) -> None:
    # Given the extract stage's artifacts, the tagger's with an hf/ folder listed in its manifest, published to S3
    folders = _artifacts_with_hf(tmp_path / "art")
    manifest = json.loads((folders["ner"] / "manifest.json").read_text())
    assert {f"{HF_DIR}/{name}" for name in HF_FILES} <= set(manifest["files"])
    for model, folder in folders.items():
        publish(folder, model, "v1", s3_client, s3_bucket)
    keys = {o["Key"] for o in s3_client.list_objects_v2(Bucket=s3_bucket, Prefix="models/ner/v1/")["Contents"]}
    assert {f"models/ner/v1/{HF_DIR}/{name}" for name in HF_FILES} <= keys

    # When the extract stage cold-starts from S3
    recording = _Recording(s3_client)
    cache = tmp_path / "cache"
    settings = load_settings(artifact_source="s3", artifact_bucket=s3_bucket, cache_dir=cache)
    models = load_models("extract", settings=settings, store=ArtifactStore.from_settings(settings, recording))

    # Then it serves the tagger, downloaded every other file of each version, and nothing under hf/
    assert models.ner is not None and models.versions["ner"] == "v1"
    expected = {
        f"models/{model}/v1/{rel}"
        for model, folder in folders.items()
        for rel in json.loads((folder / "manifest.json").read_text())["files"]
        if not rel.startswith(f"{HF_DIR}/") and not left_out(rel, NEVER_SERVED)
    }
    assert set(recording.downloaded) == expected
    assert not any(f"/{HF_DIR}/" in key for key in recording.downloaded)
    assert not (cache / "ner" / "v1" / HF_DIR).exists()

    # And a warm start reuses that cache (the missing hf/ files do not make it look corrupt)
    again = _Recording(s3_client)
    warm = load_models("extract", settings=settings, store=ArtifactStore.from_settings(settings, again))
    assert again.downloaded == [] and warm.load_timings["ner"]["cached"] == 1.0

    # And the publish side still verifies the whole version, hf/ included
    full = ArtifactStore.from_settings(settings, s3_client)
    full.cache_dir = tmp_path / "full"
    verify_dir(full.fetch("ner", "v1"), manifest)
    assert (tmp_path / "full" / "ner" / "v1" / HF_DIR / "model.safetensors").stat().st_size == 300_000


def test_a_local_artifact_loads_without_reading_hf(tmp_path: Path) -> None:
    # Given a local tagger artifact whose hf/ checkpoint no longer matches its manifest
    folders = _artifacts_with_hf(tmp_path)
    (folders["ner"] / HF_DIR / "model.safetensors").write_bytes(b"changed after the manifest")
    # When the extract stage loads from the local tree, Then hf/ is neither read nor verified
    models = load_models("extract", settings=load_settings(artifact_source="local", artifacts_dir=tmp_path))
    assert models.ner is not None
    # while a served file that differs still fails the start-up
    (folders["ner"] / "labels.json").write_text("{}")
    from careerready.core.errors import ArtifactIntegrityError

    with pytest.raises(ArtifactIntegrityError, match="labels.json"):
        load_models("extract", settings=load_settings(artifact_source="local", artifacts_dir=tmp_path))
