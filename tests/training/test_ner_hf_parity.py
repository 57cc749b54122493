"""The tagger's published Hugging Face checkpoint (``artifacts/ner/v1/hf``) and the ONNX files derived from it agree.

``training.extractor.hf_parity`` runs transformers on the published folder, re-derives the ONNX files from it with
training's own export, and sends the same serving windows through each (see its docstring). Needs torch +
transformers (training extras) and a trained tagger; ~15 s.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from careerready.services.artifacts import left_out, verify_dir  # noqa: E402
from careerready.services.startup import NOT_SERVED  # noqa: E402

from training.extractor.export import HF_DIR  # noqa: E402
from training.extractor.hf_parity import (  # noqa: E402
    FP32_MAX_ABS,
    INT8_MIN_ARGMAX_AGREEMENT,
    INT8_MIN_LABEL_AGREEMENT,
    REDERIVED_MAX_ABS,
    parity_report,
)

pytestmark = pytest.mark.training

REAL = Path(__file__).resolve().parents[2] / "artifacts" / "ner" / "v1"


@pytest.fixture(scope="module")
def published() -> Path:
    if not (REAL / "manifest.json").is_file():
        pytest.skip(
            "artifacts/ner/v1 has no tagger: it is trained only with ../shared/data/dotin-resume-ner (make train)"
        )
    manifest = json.loads((REAL / "manifest.json").read_text(encoding="utf-8"))
    if not any(rel.startswith(HF_DIR + "/") for rel in manifest["files"]):
        pytest.fail(
            "artifacts/ner/v1 was trained before it published its hf/ checkpoint: `make train` adds it from "
            "build/ner-hf/v1 when that exported the served model, else `make train-ner` retrains both"
        )
    verify_dir(REAL, manifest)  # the published folder is what the manifest lists (sha256 of every file)
    return REAL


@pytest.fixture(scope="module")
def report(published: Path) -> dict[str, Any]:
    return parity_report(published, threads=2)


def test_the_folder_is_listed_and_never_served(published: Path) -> None:
    manifest = json.loads((published / "manifest.json").read_text(encoding="utf-8"))
    hf = [rel for rel in manifest["files"] if rel.startswith(HF_DIR + "/")]
    assert {f"{HF_DIR}/config.json", f"{HF_DIR}/model.safetensors"} <= set(hf)
    assert all(left_out(rel, NOT_SERVED["ner"]) for rel in hf)
    assert not any(left_out(rel, NOT_SERVED["ner"]) for rel in manifest["files"] if rel not in hf)


def test_checkpoint_labels_and_tokenizer_are_the_served_ones(report: dict[str, Any]) -> None:
    assert report["labels_match_config"]
    assert report["hf_tokenizer_matches_served"]  # AutoTokenizer on hf/ gives the word pieces serving computes
    assert report["served_tokenizer_rederived_identical"]  # the served tokenizer.json is the export of hf/


def test_fp32_onnx_from_the_checkpoint_matches_transformers(report: dict[str, Any]) -> None:
    assert report["tokens"] > 2_000 and report["texts"] >= 10  # several windows per long text
    assert report["fp32_max_abs_diff"] < FP32_MAX_ABS
    assert report["fp32_argmax_agreement"] == 1.0


def test_served_int8_agrees_with_transformers(report: dict[str, Any]) -> None:
    assert report["skill_tokens_reference"] >= 50  # agreement is not only on "O" tokens
    assert report["served_label_agreement"] >= INT8_MIN_LABEL_AGREEMENT
    assert report["served_argmax_agreement"] >= INT8_MIN_ARGMAX_AGREEMENT


def test_served_file_is_derived_from_the_published_checkpoint(report: dict[str, Any]) -> None:
    """The int8 that training's export makes from hf/ computes what the served file computes (a checkpoint from
    another run would differ by whole logits)."""
    assert report["served_vs_rederived_max_abs_diff"] < REDERIVED_MAX_ABS
    assert report["passed"]
