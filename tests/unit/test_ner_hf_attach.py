"""Publishing the tagger's HF checkpoint inside an existing ``ner`` artifact (trained before it was published).

``attach_hf`` adds ``build/ner-hf/v<N>/hf`` only when that training-side dir exported the very ONNX file the artifact
serves, and keeps the manifest's provenance. Stand-in files; no torch.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from careerready.core.errors import ArtifactIntegrityError
from careerready.services.artifacts import verify_dir

from training.artifacts import write_manifest
from training.extractor.export import attach_hf, package_hf
from training.models.common import _served_ner_manifest
from training.scripts.train_all import attach_ner_hf

ONNX = b"int8 onnx bytes"


def _dirs(root: Path, served: bytes = ONNX) -> tuple[Path, Path]:
    train = root / "build" / "ner-hf" / "v1"
    (train / "hf").mkdir(parents=True)
    (train / "hf" / "config.json").write_text('{"num_labels": 3}')
    (train / "hf" / "model.safetensors").write_bytes(b"\1" * 1000)
    (train / "model.int8.onnx").write_bytes(ONNX)
    write_manifest(train, "ner-hf", "v1", metrics={})
    art = root / "artifacts" / "ner" / "v1"
    art.mkdir(parents=True)
    (art / "model.int8.onnx").write_bytes(served)
    (art / "labels.json").write_text(json.dumps({"labels": ["O", "B-SKILL", "I-SKILL"], "serve": "model.int8.onnx"}))
    write_manifest(art, "ner", "v1", metrics={"dev_learned": {"f1": 0.7}}, datasets={"dotin": {"docs": 1}})
    return train, art


def test_attach_adds_the_folder_and_keeps_provenance(tmp_path: Path) -> None:
    train, art = _dirs(tmp_path)
    before = json.loads((art / "manifest.json").read_text())
    result = attach_hf(train, art)
    assert result == {"status": "attached", "served": "model.int8.onnx", "files": 2, "bytes": 1017}
    after = json.loads((art / "manifest.json").read_text())
    assert set(after["files"]) == set(before["files"]) | {"hf/config.json", "hf/model.safetensors"}
    for key in ("created_at", "git_commit", "metrics", "datasets", "model", "version"):
        assert after[key] == before[key], key
    assert after["hf_folder"]["files"] == 2 and after["hf_folder"]["source"].startswith("ner-hf/v1")
    verify_dir(art, after)
    assert (art / "hf" / "model.safetensors").read_bytes() == b"\1" * 1000
    assert attach_hf(train, art) == {"status": "present"}  # idempotent
    assert json.loads((art / "manifest.json").read_text()) == after


def test_attaching_keeps_the_extraction_cache_key(tmp_path: Path) -> None:
    """The classical trainers key their cached hybrid extractions on the ner manifest: the checkpoint changes
    nothing serving extracts, so attaching it keeps the key (the served part of the manifest is byte-identical)."""
    train, art = _dirs(tmp_path)
    before = (art / "manifest.json").read_bytes()
    assert _served_ner_manifest(art / "manifest.json") == before
    attach_hf(train, art)
    assert (art / "manifest.json").read_bytes() != before
    assert _served_ner_manifest(art / "manifest.json") == before


def test_attach_refuses_a_checkpoint_that_did_not_export_the_served_file(tmp_path: Path) -> None:
    train, art = _dirs(tmp_path, served=b"another run's onnx")
    before = (art / "manifest.json").read_bytes()
    with pytest.raises(ValueError, match="did not export the model.int8.onnx"):
        attach_hf(train, art)
    assert not (art / "hf").exists() and (art / "manifest.json").read_bytes() == before


def test_attach_refuses_a_tampered_training_side(tmp_path: Path) -> None:
    train, art = _dirs(tmp_path)
    (train / "hf" / "model.safetensors").write_bytes(b"\2" * 1000)
    with pytest.raises(ArtifactIntegrityError, match="model.safetensors"):
        attach_hf(train, art)
    assert not (art / "hf").exists()


def test_package_hf_needs_a_checkpoint(tmp_path: Path) -> None:
    (tmp_path / "train" / "hf").mkdir(parents=True)
    (tmp_path / "train" / "hf" / "config.json").write_text("{}")
    with pytest.raises(FileNotFoundError, match="model.safetensors is missing"):
        package_hf(tmp_path / "train", tmp_path / "out")


def test_train_all_step_never_fails_the_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    train, art = _dirs(tmp_path, served=b"another run's onnx")
    attach_ner_hf(train, art)  # mismatch: a note, no exception
    attach_ner_hf(tmp_path / "gone", art)  # no training side: a note
    out = capsys.readouterr().out
    assert "hf/ not added" in out and "make train-ner" in out
    train2, art2 = _dirs(tmp_path / "ok")
    attach_ner_hf(train2, art2)
    assert (art2 / "hf" / "config.json").is_file()
