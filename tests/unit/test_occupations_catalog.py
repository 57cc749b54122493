"""Every O*NET occupation as a servable role (training/catalog/build.py attach_occupations, importers)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from careerready.services.catalog import Catalog, soc_minor_group

from training.catalog.build import build
from training.importers.esco_occupations import link_esco

ROOT = Path(__file__).resolve().parents[2]
ONET = ROOT / "tests" / "fixtures" / "onet_small"


def test_occupations_are_served_beside_curated_roles(tmp_path: Path) -> None:
    manifest = build(ROOT / "data", tmp_path / "cat", onet_dir=ONET)
    occ = manifest["occupations"]
    # 99-0000.00 has no data (no skills, no job zone): not served, but counted
    assert occ["used"] and occ["occupations_in_release"] == 3 and occ["occupations_served"] == 2
    assert occ["occupations_without_data"] == 1
    assert manifest["files"]["occupations.json"]["rows"] == 2
    cat = Catalog.load(tmp_path / "cat")
    curated = cat.curated_roles
    assert len(curated) == manifest["counts"]["roles"] and all(r.kind == "curated" for r in curated.values())
    dev = cat.roles["onet-15-1252-00"]
    assert dev.kind == "occupation" and dev.soc_code == "15-1252.00" and dev.job_zone == 4 and dev.min_years == 4.0
    assert dev.soc_minor_group == "15-1200"  # SOC 2018 "Computer Occupations"
    assert [soc_minor_group(c) for c in ("29-1141.00", "25-2050", "31-1131.00", "11-2022.00", "")] == [
        "29-1000",
        "25-2000",
        "31-1100",
        "11-2000",
        "",
    ]
    # curated roles that name the occupation's code are linked from it, and keep their own SOC code
    assert "software-engineer" in dev.curated_roles and cat.roles["software-engineer"].soc_code == "15-1252.00"
    # the curated role wins a title both claim ("Software Engineer" is an O*NET alternate title of 15-1252.00)
    assert "Software Engineer" in dev.alt_titles and cat.resolve_role("Software Engineer") == "software-engineer"
    assert cat.resolve_role("Software Developers") == "onet-15-1252-00"
    assert "onet-99-0000-00" not in cat.roles


def test_without_onet_the_catalog_is_the_authored_roles(tmp_path: Path) -> None:
    out = tmp_path / "cat"
    build(ROOT / "data", out, onet_dir=ONET)
    assert (out / "occupations.json").is_file()
    manifest = build(ROOT / "data", out)  # rebuilt into the same folder without O*NET: no stale occupations
    assert not (out / "occupations.json").exists() and not manifest["occupations"]["used"]
    cat = Catalog.load(out)
    assert set(cat.roles) == set(cat.curated_roles) and len(cat.roles) == manifest["counts"]["roles"]


def test_non_tech_skills_link_with_a_type(tmp_path: Path) -> None:
    build(ROOT / "data", tmp_path / "cat")
    cat = Catalog.load(tmp_path / "cat")
    expected = {
        "triage": "hard",
        "IV therapy": "hard",
        "wound care": "hard",
        "Epic EHR": "tool",
        "BLS": "certification",
        "bookkeeping": "hard",
        "litigation": "hard",
        "AutoCAD": "tool",
        "forklift": "hard",
        "lesson planning": "hard",
        "ServSafe": "certification",
    }
    for text, kind in expected.items():
        sid = cat.resolve_skill(text)
        assert sid is not None, text
        assert cat.skills[sid].type == kind, (text, sid)


def test_esco_links_need_confidence_and_a_2019_code(tmp_path: Path) -> None:
    crosswalk = tmp_path / "cw.csv"
    rows = [
        # confident, code exists in 29.2
        {"onet_code": "29-1141.00", "onet_occupation": "registered nurses", "confidence": "2.0", "concept_uri": "u1"},
        # confident, 2010 code gone, title maps
        {"onet_code": "15-1132.00", "onet_occupation": "Software Developers", "confidence": "1.0", "concept_uri": "u2"},
        # weak match: never used
        {"onet_code": "29-1141.00", "onet_occupation": "registered nurses", "confidence": "0.5", "concept_uri": "u3"},
        # confident but no 2019 code by code or title
        {"onet_code": "11-9999.99", "onet_occupation": "gone", "confidence": "2.0", "concept_uri": "u1"},
    ]
    with crosswalk.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["onet_code", "onet_occupation", "confidence", "concept_uri"])
        w.writeheader()
        w.writerows(rows)
    esco = tmp_path / "occ.jsonl"
    esco.write_text(
        "\n".join(
            json.dumps(d)
            for d in [
                {"uri": "u1", "name": "specialist nurse", "alt_names": ["ward nurse"], "essential_skills": ["triage"]},
                {"uri": "u2", "name": "software developer", "alt_names": [], "essential_skills": ["unknown thing"]},
                {"uri": "u3", "name": "weak", "alt_names": [], "essential_skills": ["wound care"]},
            ]
        ),
        encoding="utf-8",
    )
    titles = {"29-1141.00": "Registered Nurses", "15-1252.00": "Software Developers"}
    links = link_esco(crosswalk, esco, titles, {"triage": "triage", "wound care": "wound-care"})
    assert links.titles == {"15-1252.00": ["software developer"], "29-1141.00": ["specialist nurse", "ward nurse"]}
    assert links.skills == {"15-1252.00": [], "29-1141.00": ["triage"]}
    assert links.stats["below_confidence"] == 1 and links.stats["no_2019_code"] == 1
    assert links.stats["mapped_by_title"] == 1 and links.stats["linked"] == 2
