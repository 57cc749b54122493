"""A stage function fetches only the catalog files it reads (``startup.STAGE_NOT_READ``), with the same results.

The extract function reads the catalog's skills alone: its cold start leaves out the roles, occupations, resources
and the title / text indexes (~22 MB of the full catalog). The recommend function never ranks roles by text: it
leaves out ``text_index.npz``. A process serving several stages (analyze, ingest) loads the whole catalog once and
every stage takes that copy.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from careerready.core.config import load_settings
from careerready.schemas.extraction import ExtractRequest
from careerready.services import startup
from careerready.services.artifacts import ArtifactStore, S3Source
from careerready.services.catalog import Catalog
from careerready.services.stages import extract

from tests.functions.serving_models import ARTIFACTS, FIXTURE_CATALOG, RESUME
from tests.integration.test_ner_hf_not_served import _Recording
from training.artifacts import publish, write_manifest
from training.models.gazetteer import compile_gazetteer

pytestmark = pytest.mark.integration

SKIPPED = startup.STAGE_NOT_READ["extract"]["catalog"]


def _publish_extract_stage(root: Path, client: Any, bucket: str) -> None:
    cat = root / "catalog" / "v1"
    shutil.copytree(FIXTURE_CATALOG, cat)
    write_manifest(cat, "catalog", "v1", metrics={})
    ext = root / "extractor" / "v1"
    ext.mkdir(parents=True)
    skills = [json.loads(line) for line in (cat / "skills.jsonl").read_text().splitlines() if line.strip()]
    (ext / "gazetteer.json").write_text(json.dumps(compile_gazetteer(skills)))
    write_manifest(ext, "extractor", "v1", metrics={})
    for model in ("catalog", "extractor"):
        publish(root / model / "v1", model, "v1", client, bucket)


def test_the_extract_stage_fetches_only_the_skills(s3_client: Any, s3_bucket: str, tmp_path: Path) -> None:
    # Given the extract stage's artifacts (a catalog with roles and resources) published to S3
    _publish_extract_stage(tmp_path / "art", s3_client, s3_bucket)
    settings = load_settings(artifact_source="s3", artifact_bucket=s3_bucket, cache_dir=tmp_path / "cache")

    # When the extract stage cold-starts alone
    recording = _Recording(s3_client)
    alone = startup.load_models("extract", settings=settings, store=ArtifactStore.from_settings(settings, recording))

    # Then the catalog's roles and resources are neither downloaded nor loaded; its skills and aliases are all there
    catalog_keys = {k.rsplit("/", 1)[1] for k in recording.downloaded if k.startswith("models/catalog/")}
    assert catalog_keys == {"skills.jsonl"}
    assert {"roles.json", "resources.jsonl"} <= set(SKIPPED)
    full = Catalog.load(tmp_path / "art" / "catalog" / "v1")
    assert alone.catalog is not None and not alone.catalog.roles and not alone.catalog.resources and full.roles
    assert alone.catalog.skills == full.skills and alone.catalog.alias_index == full.alias_index

    # And it extracts exactly what the whole catalog extracts
    whole = startup.load_models(
        "extract", settings=load_settings(artifact_source="local", artifacts_dir=tmp_path / "art")
    )
    assert whole.catalog is not None and whole.catalog.roles
    req = ExtractRequest(text=RESUME)
    assert extract(req, alone).model_dump() == extract(req, whole).model_dump()


def test_a_multi_stage_process_shares_the_whole_catalog(s3_client: Any, s3_bucket: str, tmp_path: Path) -> None:
    # Given a process that already loaded the whole catalog (the analyze and ingest functions load it first)
    _publish_extract_stage(tmp_path / "art", s3_client, s3_bucket)
    settings = load_settings(artifact_source="s3", artifact_bucket=s3_bucket, cache_dir=tmp_path / "cache")
    store = ArtifactStore.from_settings(settings, s3_client)
    full = Catalog.load(tmp_path / "art" / "catalog" / "v1")
    shared: dict[tuple[str, ...], Any] = {startup._share_key(store, "catalog", "v1", settings): full}

    # When the extract stage loads its models in that process
    models = startup.load_models("extract", settings=settings, store=store, shared=shared)

    # Then it takes that catalog (roles and all) instead of fetching its subset
    assert models.catalog is full and models.load_timings["catalog"].get("shared") == 1.0
    assert not (tmp_path / "cache" / "catalog").exists()


def test_the_subset_extracts_like_the_served_catalog(tmp_path: Path) -> None:
    # Given the served catalog and a copy of it without the files the extract stage leaves out
    served = ARTIFACTS / "catalog" / "v1"
    if not (served / "manifest.json").is_file() or not (ARTIFACTS / "extractor" / "v1" / "manifest.json").is_file():
        pytest.skip("no trained catalog / extractor artifacts (make train)")
    subset = tmp_path / "catalog"
    subset.mkdir()
    for path in served.iterdir():
        if path.name not in SKIPPED:
            shutil.copy(path, subset / path.name)
    whole = startup.load_models("extract", settings=load_settings(artifact_source="local", artifacts_dir=ARTIFACTS))
    assert whole.catalog is not None and len(whole.catalog.roles) > 50
    alone = replace(whole, catalog=Catalog.load(subset))

    # When both extract the bench resumes, Then every answer is the same
    from bench.resumes import make_resumes

    resumes, _ = make_resumes(2)
    assert len(resumes) >= 2
    for text in [*(r.text for r in resumes), RESUME]:
        req = ExtractRequest(text=text)
        assert extract(req, alone).model_dump() == extract(req, whole).model_dump()


def test_a_stage_keeps_the_whole_prefetched_catalog_for_the_next(
    s3_client: Any, s3_bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a multi-stage process that prefetched the whole catalog at import (as analyze and ingest do)
    monkeypatch.setattr(startup, "_PREFETCHED", {})
    _publish_extract_stage(tmp_path / "art", s3_client, s3_bucket)
    settings = load_settings(artifact_source="s3", artifact_bucket=s3_bucket, cache_dir=tmp_path / "cache")
    store = ArtifactStore.from_settings(settings, s3_client)
    startup.prefetch("extract", "match", settings=settings)
    shared: dict[tuple[str, ...], Any] = {}

    # When the extract stage takes it over first
    models = startup.load_models("extract", settings=settings, store=store, shared=shared)

    # Then it serves the whole catalog, and keeps it under the whole catalog's key for the stages that read the roles
    assert models.catalog is not None and models.catalog.roles
    assert shared[startup._share_key(store, "catalog", "v1", settings)] is models.catalog


def test_functions_sharing_a_cache_complete_each_others_subsets(
    s3_client: Any, s3_bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the extract stage's subset of the catalog in a cache that another function shares (one /tmp, as in the
    # local Lambda emulation)
    _publish_extract_stage(tmp_path / "art", s3_client, s3_bucket)
    settings = load_settings(artifact_source="s3", artifact_bucket=s3_bucket, cache_dir=tmp_path / "cache")
    store = ArtifactStore.from_settings(settings, s3_client)
    store.fetch_with_info("catalog", "v1", defer=SKIPPED)
    assert not (tmp_path / "cache" / "catalog" / "v1" / "roles.json").exists()

    # When a function that reads the whole catalog starts from that cache
    recording = _Recording(s3_client)
    whole = ArtifactStore.from_settings(settings, recording).fetch_with_info("catalog", "v1")

    # Then it downloads only the files the subset left out, and serves the whole catalog
    assert {k.rsplit("/", 1)[1] for k in recording.downloaded} == {"roles.json", "resources.jsonl"}
    assert Catalog.load(whole.path).roles == Catalog.load(tmp_path / "art" / "catalog" / "v1").roles

    # And when the subset's process wins the race to the cache while the whole one is downloading, the whole one
    # adds its own files to the winner's copy instead of failing
    cache2 = tmp_path / "cache2"
    settings2 = load_settings(artifact_source="s3", artifact_bucket=s3_bucket, cache_dir=cache2)
    subset = ArtifactStore.from_settings(settings2, s3_client)
    racer = ArtifactStore.from_settings(settings2, s3_client)
    real_download = S3Source.download
    raced_once: list[bool] = []

    def download_after_the_other(self: Any, model: str, version: str, rel: str, dest: Path) -> tuple[int, str]:
        if not raced_once:
            raced_once.append(True)
            subset.fetch_with_info("catalog", "v1", defer=SKIPPED)  # the other process finishes first
        return real_download(self, model, version, rel, dest)

    monkeypatch.setattr(S3Source, "download", download_after_the_other)
    raced = racer.fetch_with_info("catalog", "v1")
    assert raced_once and not raced.cached  # it did download, and lost the race
    assert Catalog.load(raced.path).roles == Catalog.load(tmp_path / "art" / "catalog" / "v1").roles
