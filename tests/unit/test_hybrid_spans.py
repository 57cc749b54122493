"""Property: every skill and mention the hybrid extractor returns indexes the input exactly
(``text[start:end] == surface``), on generated text with the tiny tagger and on real resumes with the real one.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("onnx")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

REPO = Path(__file__).resolve().parents[2]

from careerready.models import extractor as gaz_mod  # noqa: E402
from careerready.models import ner as ner_mod  # noqa: E402
from careerready.models.extractor import GazetteerExtractor  # noqa: E402
from careerready.pipelines.hybrid_extraction import extract_hybrid  # noqa: E402
from careerready.schemas.extraction import ExtractResponse  # noqa: E402
from careerready.services.catalog import Catalog  # noqa: E402

from tests.tiny_ner import VOCAB, build_tiny_ner  # noqa: E402
from training.models.gazetteer import gazetteer_extractor  # noqa: E402

ARTIFACTS = REPO / "artifacts"
DOTIN = REPO.parent / "shared" / "data" / "dotin-resume-ner" / "train.jsonl"
FIXTURE_CATALOG = REPO / "tests" / "fixtures" / "catalog_small"
WORDS = [w for w in VOCAB if not w.startswith("[")] + ["Python", "SQL", "Kubernetes", "ASP.NET", "C++", "Ünï", "🚀"]
SEPARATORS = [" ", "  ", "\n", ", ", ". ", "\t", " — ", "\u00a0", "•", "(", ")", "\r\n", ":"]


def assert_exact(text: str, resp: ExtractResponse) -> None:
    for s in resp.skills:
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip() and s.text
        for m in s.mentions:
            assert text[m.start : m.end] == m.text
    for sec in resp.sections:
        assert 0 <= sec.start <= sec.end <= len(text)


@cache
def _tiny() -> tuple[GazetteerExtractor, ner_mod.NerModel, Catalog]:
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="tiny-ner-"))
    catalog = Catalog.load(FIXTURE_CATALOG)
    return gazetteer_extractor(catalog), ner_mod.load(build_tiny_ner(root)), catalog


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), min_size=1, max_size=80))
def test_hybrid_spans_are_exact_on_generated_text(parts: list[tuple[str, str]]) -> None:
    gaz, ner, catalog = _tiny()
    text = "".join(w + sep for w, sep in parts)
    if not any(ch.isalnum() for ch in text):
        return
    assert_exact(text, extract_hybrid(text, gaz, ner, catalog))


@cache
def _real() -> tuple[Any, Any, Any, list[str]] | None:
    needed = [ARTIFACTS / "ner" / "v1" / "manifest.json", ARTIFACTS / "extractor" / "v1" / "manifest.json"]
    if not DOTIN.is_file() or not all(p.is_file() for p in needed):
        return None
    with DOTIN.open(encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh if line.strip()]
    return (
        gaz_mod.load(ARTIFACTS / "extractor" / "v1"),
        ner_mod.load(ARTIFACTS / "ner" / "v1"),
        Catalog.load(ARTIFACTS / "catalog" / "v1"),
        texts,
    )


@pytest.mark.skipif(_real() is None, reason="needs artifacts/ner/v1, artifacts/extractor/v1 and the dotin resumes")
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(min_value=0, max_value=10_000),
    st.floats(min_value=0.0, max_value=1.0),
    st.integers(min_value=200, max_value=4000),
    st.sampled_from(["", "🚀 ", "Ünïcode — ", "\u00a0", "C++/C#, .NET; "]),
)
def test_hybrid_spans_are_exact_on_real_resumes(doc: int, where: float, length: int, noise: str) -> None:
    real = _real()
    assert real is not None
    gaz, ner, catalog, texts = real
    text = texts[doc % len(texts)]
    a = int(where * max(0, len(text) - length))
    piece = noise + text[a : a + length]
    if not any(ch.isalnum() for ch in piece):
        return
    resp = extract_hybrid(piece, gaz, ner, catalog)
    assert_exact(piece, resp)
