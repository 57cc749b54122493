"""Serving wrapper of the learned skill tagger (careerready.models.ner) and the hybrid pipeline.

Most tests use a tiny hand-built ONNX token classifier: a lookup table from word-piece id to BIO logits over a
small WordPiece vocabulary, so the expected spans are known exactly. One test runs the real artifact when
``artifacts/ner/v1`` exists.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

onnx = pytest.importorskip("onnx")

from careerready.models import ner as ner_mod  # noqa: E402
from careerready.pipelines.hybrid_extraction import HybridParams, extract_hybrid  # noqa: E402
from careerready.schemas.extraction import ExtractResponse  # noqa: E402
from careerready.services.artifacts import left_out  # noqa: E402
from careerready.services.catalog import Catalog, Skill  # noqa: E402
from careerready.services.startup import NOT_SERVED  # noqa: E402

REAL = Path(__file__).resolve().parents[2] / "artifacts" / "ner" / "v1"

from tests.tiny_ner import build_tiny_ner  # noqa: E402
from training.models.gazetteer import gazetteer_extractor  # noqa: E402


def _tiny_artifact(root: Path, *, window: int = 16, stride: int = 10) -> Path:
    """model.onnx (Gather of a [vocab, 3] table) + tokenizer.json + labels.json in ``root`` (tests/tiny_ner.py)."""
    return build_tiny_ner(root, window=window, stride=stride)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> ner_mod.NerModel:
    return ner_mod.load(_tiny_artifact(tmp_path_factory.mktemp("ner")))


def test_spans_index_unicode_text_exactly(tiny: ner_mod.NerModel) -> None:
    text = "Ünïcode — I use Python, Docker and Kubernetes.\n\t🚀 café modelling (the machine\nlearning)"
    spans = tiny.predict_spans(text)
    got = [text[s:e] for s, e, _ in spans]
    assert got == ["Python", "Docker", "Kubernetes", "café", "modelling", "machine\nlearning"]
    for s, e, score in spans:
        assert 0 <= s < e <= len(text)
        assert 0.9 < score <= 1.0
    # word snapping: only '##ling' is tagged, the span still covers the whole word
    s, e, _ = spans[4]
    assert (s, e) == (text.index("modelling"), text.index("modelling") + len("modelling"))


def test_skill_punctuation_is_kept(tiny: ner_mod.NerModel) -> None:
    text = "I use ASP.NET, .NET and C++; C and C# too."
    got = [text[s:e] for s, e, _ in tiny.predict_spans(text)]
    assert got == ["ASP.NET", ".NET", "C++", "C", "C#"]


def test_threshold_controls_decoding(tiny: ner_mod.NerModel) -> None:
    text = "python and docker"
    offsets, probs = tiny.token_probs(text)
    assert [text[s:e] for s, e, _ in tiny.decode(text, offsets, probs).spans] == ["python", "docker"]
    assert tiny.decode(text, offsets, probs, threshold=0.999).spans == []


def test_windows_merge_across_boundaries(tiny: ner_mod.NerModel, tmp_path: Path) -> None:
    wide = ner_mod.load(_tiny_artifact(tmp_path / "wide", window=512, stride=256))
    for k in range(0, 40, 3):
        text = "and " * k + "machine learning i use kubernetes" + " and" * (37 - k) + " python"
        assert len(tiny.window_starts(len(tiny._tokenizer.encode(text, add_special_tokens=False).ids))) > 3
        spans = tiny.predict_spans(text)
        assert [text[s:e] for s, e, _ in spans] == ["machine learning", "kubernetes", "python"]
        assert spans == wide.predict_spans(text)  # one window or many: the same spans


def test_window_starts_cover_the_text(tiny: ner_mod.NerModel) -> None:
    assert tiny.window_starts(5) == [0]
    starts = tiny.window_starts(50)
    assert starts[0] == 0 and starts[-1] + tiny.window - 2 == 50
    assert all(b - a <= tiny.stride for a, b in zip(starts, starts[1:], strict=False))


def test_empty_and_tagless_text(tiny: ner_mod.NerModel) -> None:
    assert tiny.predict_spans("") == []
    assert tiny.predict_spans("   \n ") == []
    assert tiny.predict_spans("and the i use") == []


def test_bad_artifact_is_rejected(tmp_path: Path) -> None:
    root = _tiny_artifact(tmp_path / "bad")
    (root / ner_mod.LABELS_FILE).write_text(json.dumps({"labels": ["B-SKILL", "O"]}), encoding="utf-8")
    with pytest.raises(ner_mod.ArtifactIntegrityError):
        ner_mod.load(root)
    (root / ner_mod.LABELS_FILE).unlink()
    with pytest.raises(ner_mod.ArtifactNotFoundError):
        ner_mod.load(root)


def _catalog() -> Catalog:
    rows = [
        ("python", "Python", ("python3",), "language"),
        ("docker", "Docker", (), "tool"),
        ("kubernetes", "Kubernetes", ("k8s",), "tool"),
        ("sql", "SQL", (), "language"),
    ]
    skills = {
        sid: Skill(
            id=sid,
            name=name,
            aliases=aliases,
            type=typ,
            category="test",
            prerequisites=(),
            learning_hours=10,
            demand=0.5,
        )
        for sid, name, aliases, typ in rows
    }
    return Catalog(skills=skills)


def test_hybrid_returns_v1_schema(tiny: ner_mod.NerModel) -> None:
    catalog = _catalog()
    gaz = gazetteer_extractor(catalog)
    text = (
        "Summary\nI use Python (5 years) and café modelling, no Docker.\n\n"
        "Skills\nSQL, Kubernetes\n\nExperience\nmachine learning with python3 and SQL\n"
    )
    resp = extract_hybrid(text, gaz, tiny, catalog, params=HybridParams(gazetteer_keep_prob=0.5))
    assert isinstance(resp, ExtractResponse)
    assert ExtractResponse.model_validate(resp.model_dump(mode="json")) == resp
    by_text = {s.text: s for s in resp.skills}
    assert by_text["Python"].skill_id == "python" and by_text["Python"].source == "model"
    assert by_text["Python"].years == 5 and by_text["Python"].mention_count == 1
    assert by_text["Docker"].negated
    assert by_text["café"].skill_id is None and by_text["café"].name is None  # emerging skill
    assert by_text["SQL"].source == "gazetteer" and by_text["SQL"].mention_count == 1  # the untagged 2nd is dropped
    assert by_text["Kubernetes"].skill_id == "kubernetes"
    assert by_text["machine learning"].section == "experience"
    for s in resp.skills:
        assert text[s.start : s.end] == s.text
        assert all(text[m.start : m.end] == m.text for m in s.mentions)
        assert s.sentence and s.text in s.sentence
    assert [s.mentions[0].start for s in resp.skills] == sorted(s.mentions[0].start for s in resp.skills)
    assert resp.sections[0].start == 0 and resp.sections[-1].end == len(text)
    assert all(a.end == b.start for a, b in zip(resp.sections, resp.sections[1:], strict=False))
    assert resp.word_count == len(text.split())


def test_hybrid_drops_untagged_gazetteer_hits_outside_skill_sections(tiny: ner_mod.NerModel) -> None:
    catalog = _catalog()
    gaz = gazetteer_extractor(catalog)
    text = "Experience\nWrote SQL reports and the python tooling.\n"
    keep_all = extract_hybrid(text, gaz, tiny, catalog, params=HybridParams(gazetteer_keep_prob=0.0))
    strict = extract_hybrid(text, gaz, tiny, catalog, params=HybridParams(gazetteer_keep_prob=0.5))
    assert {s.skill_id for s in keep_all.skills} == {"sql", "python"}
    assert {s.skill_id for s in strict.skills} == {"python"}  # SQL: the tagger gives it P(skill) ~ 0


@pytest.mark.skipif(not (REAL / "manifest.json").is_file(), reason="artifacts/ner/v1 not built")
def test_real_artifact_spans_are_exact() -> None:
    model = ner_mod.load(REAL)
    text = (
        "JOHN DOE\nData Engineer\n\nSKILLS\nPython, Apache Spark, SQL, Kubernetes, Tableau\n"
        "• Built ETL pipelines in PySpark and Airflow; café-style ünïcode — 🚀\n" * 30
    )
    spans = model.predict_spans(text)
    surfaces = {text[s:e].lower() for s, e, _ in spans}
    assert {"python", "sql"} <= surfaces
    for s, e, score in spans:
        assert 0 <= s < e <= len(text) and 0.0 <= score <= 1.0
        assert not text[s].isspace() and not text[e - 1].isspace()
        assert not (s > 0 and text[s - 1].isalnum() and text[s].isalnum())  # whole words
        assert not (e < len(text) and text[e].isalnum() and text[e - 1].isalnum())


def test_disjoint_windows_split_the_text_evenly(tmp_path: Path) -> None:
    model = ner_mod.load(_tiny_artifact(tmp_path / "disjoint", window=16, stride=14))
    assert model.window_spans(5) == [(0, 5)]
    assert model.window_spans(15) == [(0, 8), (8, 7)]  # 2 x ~8, not 14 + 14
    for n in (1, 14, 15, 28, 29, 100):
        spans = model.window_spans(n)
        assert len(spans) == -(-n // 14) and all(1 <= k <= 14 for _, k in spans)
        assert [s for s, _ in spans] == [sum(k for _, k in spans[:i]) for i in range(len(spans))]
        assert sum(k for _, k in spans) == n  # every token computed exactly once
    text = "and " * 20 + "machine learning i use kubernetes" + " and" * 20 + " python"
    assert [text[s:e] for s, e, _ in model.predict_spans(text)] == ["machine learning", "kubernetes", "python"]


@pytest.mark.skipif(not (REAL / "manifest.json").is_file(), reason="artifacts/ner/v1 not built")
def test_real_artifact_serves_only_what_serving_needs() -> None:
    manifest = json.loads((REAL / "manifest.json").read_text(encoding="utf-8"))
    labels = json.loads((REAL / ner_mod.LABELS_FILE).read_text(encoding="utf-8"))
    served = labels.get("serve", ner_mod.MODEL_FILE)
    allowed = {served, "tokenizer.json", "labels.json", "hybrid.json", "LICENSE-all-MiniLM-L6-v2.txt"}
    files = set(manifest["files"])
    hf = {f for f in files if f.startswith("hf/")}  # the published HF checkpoint, which serving never fetches
    assert {served, "tokenizer.json", "labels.json", "hybrid.json"} <= files
    assert files - allowed - hf <= {"report/README.md"}  # no second ONNX file
    assert all(left_out(f, NOT_SERVED["ner"]) for f in hf)
    assert not any(left_out(f, NOT_SERVED["ner"]) for f in files - hf)
    assert ner_mod.load(REAL).model_file == served
