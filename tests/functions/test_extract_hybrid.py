"""The extract stage serves the hybrid extractor when its models carry a ``ner`` model, and the batch CLI loads
every model once.

The learned tagger here is the tiny hand-built artifact of ``tiny_ner`` (fixed BIO logits per word piece), so
the expected spans are known exactly; the catalog and gazetteer are the small fixtures.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import careerready.cli as cli
import pytest

pytest.importorskip("onnx")

from careerready.core.config import load_settings  # noqa: E402
from careerready.models import ner as ner_mod  # noqa: E402
from careerready.schemas.extraction import ExtractRequest  # noqa: E402
from careerready.services import stages  # noqa: E402
from careerready.services.catalog import Catalog  # noqa: E402
from careerready.services.registry import load_registry  # noqa: E402
from careerready.services.startup import load_models  # noqa: E402
from careerready.services.transport import InProcessTransport  # noqa: E402
from serving_models import FIXTURE_CATALOG, RESUME, fixture_models_for  # noqa: E402

from tests.tiny_ner import build_tiny_ner  # noqa: E402
from training.artifacts import write_manifest  # noqa: E402
from training.models.gazetteer import compile_gazetteer  # noqa: E402

TEXT = (
    "Summary\nI use Python (4 years) and café modelling.\n\n"
    "Skills\nDocker, SQL, Kubernetes\n\nExperience\nmachine learning in Python; no Terraform.\n"
)


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_ner(tmp_path_factory.mktemp("ner"), window=16, stride=10, threshold=0.5)


def test_extract_stage_uses_the_tagger_when_present(tiny_dir: Path) -> None:
    gazetteer_only = fixture_models_for("extract")
    hybrid = replace(gazetteer_only, ner=ner_mod.load(tiny_dir))
    old = stages.extract(ExtractRequest(text=TEXT), gazetteer_only)
    new = stages.extract(ExtractRequest(text=TEXT), hybrid)

    assert {s.source for s in old.skills} == {"gazetteer"}
    by_text = {s.text: s for s in new.skills}
    # learned spans linked through the alias index ...
    assert by_text["Python"].skill_id == "python" and by_text["Python"].source == "model"
    assert by_text["Python"].years == 4
    assert by_text["Kubernetes"].source == "model"
    # ... emerging skills the catalog does not know, kept with a null id (v1 cannot return them)
    assert by_text["café"].skill_id is None and by_text["modelling"].skill_id is None
    assert all(s.skill_id is not None for s in old.skills)
    # a gazetteer hit the tagger missed survives in a skills section
    assert by_text["SQL"].source == "gazetteer" and by_text["SQL"].section == "skills"
    for resp in (old, new):
        for s in resp.skills:
            assert TEXT[s.start : s.end] == s.text
            assert all(TEXT[m.start : m.end] == m.text for m in s.mentions)


def _artifact_tree(root: Path, tiny_dir: Path) -> Path:
    """A local artifacts/ tree with the fixture catalog, a gazetteer compiled from it and the tiny tagger."""
    cat = root / "catalog" / "v1"
    shutil.copytree(FIXTURE_CATALOG, cat)
    write_manifest(cat, "catalog", "v1", metrics={})
    ext = root / "extractor" / "v1"
    ext.mkdir(parents=True)
    gazetteer = compile_gazetteer(Catalog.load(FIXTURE_CATALOG).skills.values())
    (ext / "gazetteer.json").write_text(json.dumps(gazetteer), encoding="utf-8")
    write_manifest(ext, "extractor", "v1", metrics={})
    ner = root / "ner" / "v1"
    shutil.copytree(tiny_dir, ner)
    write_manifest(ner, "ner", "v1", metrics={})
    return root


def test_registry_serves_the_tagger_in_extract_analyze_and_ingest() -> None:
    registry = load_registry()
    for stage in ("extract", "analyze", "ingest"):
        assert "ner" in registry.models_for(stage)
    assert "ner" not in registry.models_for("match")


def test_cli_extract_50_resumes_loads_each_model_once(
    tmp_path: Path, tiny_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    artifacts = _artifact_tree(tmp_path / "artifacts", tiny_dir)
    settings = load_settings(artifact_source="local", artifacts_dir=artifacts, cache_dir=tmp_path / "cache")
    ner_loads: list[Path] = []
    real_load = ner_mod.load

    def counting_load(path: Path, **kw: Any) -> ner_mod.NerModel:
        ner_loads.append(Path(path))
        return real_load(path, **kw)

    monkeypatch.setattr(ner_mod, "load", counting_load)  # the startup loader table resolves it at load time
    stage_loads: list[str] = []

    def models_for(stage: str) -> Any:
        stage_loads.append(stage)
        return load_models(stage, settings=settings)

    monkeypatch.setattr(cli, "_client", lambda: InProcessTransport(models_for))
    texts = [RESUME, TEXT, "Python, Docker and machine learning.", "I use Kubernetes and C."]
    rows = [{"id": k, "text": texts[k % len(texts)] + f"\nLine {k}."} for k in range(50)]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"

    assert cli.main(["extract", "--input", str(src), "--output", str(out)]) == 0
    assert stage_loads == ["extract"] and len(ner_loads) == 1
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [g["id"] for g in got] == list(range(50))
    for row, g in zip(rows, got, strict=True):
        assert g["skills"], row["id"]
        for s in g["skills"]:
            assert row["text"][s["start"] : s["end"]] == s["text"]
    emerging = {s["text"] for s in got[1]["skills"] if s["skill_id"] is None}
    assert {"café", "modelling"} <= emerging  # only the hybrid path returns unlinked skills
    assert "extract: 50 ok, 0 failed" in capsys.readouterr().err
