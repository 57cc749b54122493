"""Manifests, local verification, registry resolution and start-up loading (no network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from careerready.core.config import load_settings
from careerready.core.errors import ArtifactError, ArtifactIntegrityError, ArtifactNotFoundError, ConfigError
from careerready.services import artifacts
from careerready.services.artifacts import ArtifactStore, LocalSource, list_local_versions, sha256_file
from careerready.services.registry import Registry, load_registry
from careerready.services.startup import load_models

import training.artifacts as training_artifacts
from tests.tiny_ner import PYTHON_SKILL, extract_stage_artifacts
from training.artifacts import latest_local_version, next_version, write_manifest


def _make_version(root: Path, model: str, version: str, files: dict[str, bytes]) -> Path:
    d = root / model / version
    for rel, data in files.items():
        (d / rel).parent.mkdir(parents=True, exist_ok=True)
        (d / rel).write_bytes(data)
    write_manifest(d, model, version, metrics={"f1": 0.5})
    return d


def test_sha256_file_known_value(tmp_path: Path) -> None:
    p = tmp_path / "x"
    p.write_bytes(b"abc")
    assert sha256_file(p) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_manifest_lists_every_file_but_itself_sorted_posix(tmp_path: Path) -> None:
    d = _make_version(tmp_path, "m", "v1", {"b.bin": b"12345", "a/z.txt": b"z", "report/README.md": b"# r"})
    manifest = json.loads((d / "manifest.json").read_text())
    assert list(manifest["files"]) == ["a/z.txt", "b.bin", "report/README.md"]
    assert manifest["files"]["b.bin"] == {"sha256": artifacts.sha256_bytes(b"12345"), "size": 5}
    assert manifest["model"] == "m" and manifest["version"] == "v1"
    assert manifest["created_at"].endswith("Z") and manifest["git_commit"]
    assert manifest["metrics"] == {"f1": 0.5} and manifest["datasets"] == {}


def test_manifest_is_deterministic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(training_artifacts, "git_commit", lambda: "abc")
    monkeypatch.setattr(training_artifacts, "_utc_now", lambda: "2026-01-02T03:04:05Z")
    d = _make_version(tmp_path, "m", "v1", {"b": b"2", "a": b"1"})
    first = (d / "manifest.json").read_bytes()
    write_manifest(d, "m", "v1", metrics={"f1": 0.5})  # rewriting must not hash the old manifest
    assert (d / "manifest.json").read_bytes() == first
    text = first.decode()
    assert text.index('"created_at"') < text.index('"files"') < text.index('"model"')  # sorted keys
    assert '  "model": "m"' in text and text.endswith("\n")
    assert json.loads(text)["created_at"] == "2026-01-02T03:04:05Z"


def test_local_fetch_verifies(tmp_path: Path) -> None:
    d = _make_version(tmp_path, "extractor", "v1", {"gazetteer.json": b"{}"})
    store = ArtifactStore(LocalSource(tmp_path))
    assert store.fetch("extractor", "v1") == d
    (d / "gazetteer.json").write_bytes(b"{ }")  # tampered, different size
    with pytest.raises(ArtifactIntegrityError, match="gazetteer.json"):
        store.fetch("extractor", "v1")
    (d / "gazetteer.json").write_bytes(b"[]")  # same size, different bytes
    with pytest.raises(ArtifactIntegrityError, match="sha256 mismatch for gazetteer.json"):
        store.fetch("extractor", "v1")


def test_local_fetch_missing_and_pin(tmp_path: Path) -> None:
    d = _make_version(tmp_path, "extractor", "v1", {"g": b"x"})
    store = ArtifactStore(LocalSource(tmp_path))
    with pytest.raises(ArtifactNotFoundError, match=r"extractor/v2 not found.*\['v1'\]"):
        store.fetch("extractor", "v2")
    good_pin = sha256_file(d / "manifest.json")
    assert store.fetch("extractor", "v1", manifest_sha256=good_pin) == d
    with pytest.raises(ArtifactIntegrityError, match="pinned"):
        store.fetch("extractor", "v1", manifest_sha256="0" * 64)


def test_manifest_path_traversal_rejected(tmp_path: Path) -> None:
    d = _make_version(tmp_path, "m", "v1", {"a": b"1"})
    manifest = json.loads((d / "manifest.json").read_text())
    manifest["files"]["../evil"] = {"sha256": "0" * 64, "size": 1}
    (d / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactIntegrityError, match="unsafe path"):
        ArtifactStore(LocalSource(tmp_path)).fetch("m", "v1")


def test_version_listing(tmp_path: Path) -> None:
    for v in ("v1", "v10", "v2"):
        _make_version(tmp_path, "m", v, {"a": v.encode()})
    (tmp_path / "m" / "v11").mkdir()  # no manifest: not a version
    assert list_local_versions("m", tmp_path) == ["v1", "v2", "v10"]
    assert latest_local_version("m", tmp_path) == "v10"
    assert next_version("m", tmp_path) == "v11"
    assert latest_local_version("nothing", tmp_path) is None
    assert ArtifactStore(LocalSource(tmp_path)).list_versions("m") == ["v1", "v2", "v10"]


def test_registry_union_and_overrides() -> None:
    reg = load_registry()
    analyze = reg.models_for("analyze")
    for stage in ("extract", "match", "readiness", "recommend"):
        assert reg.models_for(stage).items() <= analyze.items()
    assert reg.models_for("ingest") == analyze
    assert reg.models_for("extract") == {"catalog": "v1", "extractor": "v1", "ner": "v1"}
    over = load_registry(overrides={"extractor": "v7"})
    assert over.models_for("extract")["extractor"] == "v7" and over.models_for("ingest")["extractor"] == "v7"
    with pytest.raises(ConfigError, match="unknown stage"):
        reg.models_for("nope")


def test_registry_rejects_conflicting_union(tmp_path: Path) -> None:
    bad = {"extract": {"catalog": "v1"}, "match": {"catalog": "v2"}, "readiness": {}, "recommend": {}}
    path = tmp_path / "registry.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(ConfigError, match="catalog in two versions"):
        load_registry(path)


def _write_catalog_artifact(root: Path) -> None:
    d = root / "catalog" / "v1"
    d.mkdir(parents=True)
    (d / "skills.jsonl").write_text(json.dumps(PYTHON_SKILL) + "\n")
    write_manifest(d, "catalog", "v1", metrics={})


def test_load_models_extract_stage_with_timings(tmp_path: Path) -> None:
    extract_stage_artifacts(tmp_path, ner=False)
    settings = load_settings(artifact_source="local", artifacts_dir=tmp_path)
    registry = Registry(stages={"extract": {"catalog": "v1", "extractor": "v1"}})  # the gazetteer-only stage
    models = load_models("extract", settings=settings, registry=registry)
    assert models.versions == {"catalog": "v1", "extractor": "v1"}
    assert set(models.load_timings) == {"catalog", "extractor"}
    assert all(t["load_ms"] >= 0 and t["verify_ms"] >= 0 for t in models.load_timings.values())
    assert models.catalog.skills["python"].name == "Python"
    assert [s.skill_id for s in models.extractor.extract("I write Python.")] == ["python"]
    assert models.matcher is None


def test_load_models_failure_names_model_and_stage(tmp_path: Path) -> None:
    _write_catalog_artifact(tmp_path)  # extractor missing
    settings = load_settings(artifact_source="local", artifacts_dir=tmp_path)
    with pytest.raises(ArtifactNotFoundError, match=r"stage 'extract': extractor/v1"):
        load_models("extract", settings=settings)


def test_load_models_wraps_loader_errors(tmp_path: Path) -> None:
    _write_catalog_artifact(tmp_path)
    ext = tmp_path / "extractor" / "v1"
    ext.mkdir(parents=True)
    (ext / "gazetteer.json").write_text('{"format": "something-else"}')
    write_manifest(ext, "extractor", "v1", metrics={})
    settings = load_settings(artifact_source="local", artifacts_dir=tmp_path)
    registry = Registry(stages={"extract": {"catalog": "v1", "extractor": "v1"}})
    with pytest.raises(ArtifactError, match="unsupported gazetteer format"):
        load_models("extract", settings=settings, registry=registry)


def test_prefetch_then_load_fetches_and_loads_each_model_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the extract stage's artifacts and a prefetch started before the stage code is imported
    from careerready.services.startup import prefetch

    extract_stage_artifacts(tmp_path, ner=True)
    settings = load_settings(artifact_source="local", artifacts_dir=tmp_path)
    calls: list[str] = []
    original = ArtifactStore.fetch_with_info

    def counting(self: ArtifactStore, model: str, version: str, **kw: object) -> artifacts.FetchResult:
        calls.append(model)
        return original(self, model, version, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(ArtifactStore, "fetch_with_info", counting)
    # When the stage then loads its models
    started = prefetch("extract", settings=settings)
    models = load_models("extract", settings=settings)
    # Then every model was fetched once (by the prefetch) and serves as a plain load would
    assert started == 3 and sorted(calls) == ["catalog", "extractor", "ner"]
    assert models.versions == {"catalog": "v1", "extractor": "v1", "ner": "v1"}
    assert [s.skill_id for s in models.extractor.extract("I write Python.")] == ["python"]
    plain = load_models("extract", settings=settings)  # nothing prefetched any more: fetched again
    assert sorted(calls) == sorted(["catalog", "extractor", "ner"] * 2)
    assert [s.skill_id for s in plain.extractor.extract("I write Python.")] == ["python"]


def test_prefetch_failure_fails_the_load_with_the_usual_error(tmp_path: Path) -> None:
    from careerready.services.startup import prefetch

    _write_catalog_artifact(tmp_path)  # extractor missing
    settings = load_settings(artifact_source="local", artifacts_dir=tmp_path)
    prefetch("extract", settings=settings)
    with pytest.raises(ArtifactNotFoundError, match=r"stage 'extract': extractor/v1"):
        load_models("extract", settings=settings)
