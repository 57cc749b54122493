"""The learned tagger is optional: without a published ``ner`` artifact the extract stage serves the gazetteer
alone and says so (versions, health); a broken or pinned-but-missing tagger still fails the start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from careerready.core.config import load_settings
from careerready.core.errors import ArtifactIntegrityError, ArtifactNotFoundError
from careerready.schemas.extraction import ExtractRequest
from careerready.services.stages import extract, extractor_choice
from careerready.services.startup import OPTIONAL, load_models

from tests.tiny_ner import extract_stage_artifacts

pytest.importorskip("onnx")


def _extract_artifacts(root: Path, *, ner: bool) -> Path:
    extract_stage_artifacts(root, ner=ner)
    return root


def _load(root: Path, **overrides: Any) -> Any:
    settings = load_settings(artifact_source="local", artifacts_dir=root, **overrides)
    return load_models("extract", settings=settings)


def test_without_a_published_tagger_the_gazetteer_serves_and_says_why(tmp_path: Path) -> None:
    # Given a catalog and a gazetteer but no ner artifact (a checkout trained without the dotin dataset)
    models = _load(_extract_artifacts(tmp_path, ner=False))
    # Then the stage loads, names the absent tagger in place of its version, and extracts with the gazetteer
    assert models.ner is None and models.absent == {"ner": OPTIONAL["ner"]}
    assert models.versions["catalog"] == "v1" and models.versions["extractor"] == "v1"
    assert models.versions["ner"].startswith("absent (learned tagger not published")
    assert "ner" not in models.load_timings
    choice = extractor_choice(models)
    assert choice.startswith("gazetteer extractor/v1 alone (learned tagger not published") and "dotin" in choice
    out = extract(ExtractRequest(text="Skills: Python and SQL"), models)
    assert [s.skill_id for s in out.skills] == ["python"]


def test_with_the_tagger_the_stage_is_hybrid(tmp_path: Path) -> None:
    models = _load(_extract_artifacts(tmp_path, ner=True))
    assert models.ner is not None and models.absent == {}
    assert models.versions == {"catalog": "v1", "extractor": "v1", "ner": "v1"}
    assert extractor_choice(models) == "hybrid: learned tagger ner/v1 + gazetteer extractor/v1"


def test_a_pinned_tagger_that_is_absent_fails_the_start_up(tmp_path: Path) -> None:
    root = _extract_artifacts(tmp_path, ner=False)
    with pytest.raises(ArtifactNotFoundError, match=r"ner/v1 not found"):
        _load(root, model_sha256_ner="0" * 64)


def test_a_broken_tagger_is_not_mistaken_for_an_absent_one(tmp_path: Path) -> None:
    root = _extract_artifacts(tmp_path, ner=True)
    (root / "ner" / "v1" / "labels.json").write_text("{}")  # changed after the manifest was written
    with pytest.raises(ArtifactIntegrityError, match="labels.json"):
        _load(root)
    (root / "ner" / "v1" / "labels.json").unlink()  # listed in the manifest, missing on disk
    with pytest.raises((ArtifactNotFoundError, ArtifactIntegrityError), match="labels.json"):
        _load(root)
