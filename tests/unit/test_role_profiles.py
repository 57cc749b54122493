"""O*NET role profiles: authored ``onet`` codes, profile lines at catalog build, their use in RoleTextIndex."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from careerready.features import PROFILE_WEIGHT, RoleTextIndex, role_document
from careerready.services.catalog import Catalog, Role

from training.catalog.build import build
from training.catalog.compiler import CatalogBuildError, compile_catalog
from training.importers.onet_profiles import build_profiles, load_profile_tables

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
ONET_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "onet-29.2"

OCCUPATIONS = (
    "O*NET-SOC Code\tTitle\tDescription\n"
    "15-1244.00\tNetwork and Computer Systems Administrators\tInstall and maintain  networks.\n"
    "15-1252.00\tSoftware Developers\tDevelop software.\n"
)
TASKS = (
    "O*NET-SOC Code\tTask ID\tTask\tTask Type\tIncumbents Responding\tDate\tDomain Source\n"
    "15-1244.00\t30\tMaintain an inventory of parts.\tSupplemental\t10\t08/2023\tIncumbent\n"
    "15-1244.00\t20\tPerform data backups.\tCore\t10\t08/2023\tIncumbent\n"
    "15-1244.00\t10\tConfigure  email servers.\tCore\t10\t08/2023\tIncumbent\n"
    "15-1252.00\t40\tPerform data backups.\tCore\t10\t08/2023\tIncumbent\n"
    "15-1252.00\t50\tWrite and test code.\tCore\t10\t08/2023\tIncumbent\n"
)


@pytest.fixture
def onet_dir(tmp_path: Path) -> Path:
    """A two-occupation O*NET folder in the release's tab-separated format."""
    d = tmp_path / "onet"
    d.mkdir()
    (d / "occupation_data.txt").write_text(OCCUPATIONS, encoding="utf-8")
    (d / "task_statements.txt").write_text(TASKS, encoding="utf-8")
    return d


def test_profile_lines_are_description_then_core_then_supplemental_without_duplicates(onet_dir: Path) -> None:
    tables = load_profile_tables(onet_dir)
    profiles, problems = build_profiles({"sysadmin": ["15-1244.00", "15-1252.00"], "none": []}, tables)
    assert problems == []
    assert profiles == {
        "sysadmin": [
            "Install and maintain networks.",
            "Configure email servers.",  # Core, Task ID 10
            "Perform data backups.",  # Core, Task ID 20; the same task of 15-1252.00 is not repeated
            "Maintain an inventory of parts.",  # Supplemental last
            "Develop software.",
            "Write and test code.",
        ]
    }


def test_unknown_code_is_a_problem(onet_dir: Path) -> None:
    profiles, problems = build_profiles({"x": ["15-9999.00"]}, load_profile_tables(onet_dir))
    assert profiles == {}
    assert problems == ["role 'x': O*NET-SOC code '15-9999.00' is not in occupation_data.txt"]


def _copy_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    for sub in ("taxonomy", "roles"):
        shutil.copytree(DATA_DIR / sub, data / sub)
    return data


def test_malformed_onet_code_fails_the_build(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    path = data / "roles" / "software.yaml"
    text = path.read_text(encoding="utf-8")
    assert 'onet: ["15-1252.00"]' in text
    path.write_text(text.replace('onet: ["15-1252.00"]', 'onet: ["15-1252"]', 1), encoding="utf-8")
    with pytest.raises(CatalogBuildError, match="onet code '15-1252' is not an O\\*NET-SOC code"):
        compile_catalog(data)


def test_every_authored_role_names_onet_codes() -> None:
    roles = compile_catalog(DATA_DIR).roles
    assert len(roles) == 55
    assert all(r["onet"] for r in roles), [r["id"] for r in roles if not r["onet"]]


def test_build_without_onet_still_works_and_says_so(tmp_path: Path) -> None:
    manifest = build(DATA_DIR, tmp_path / "cat")
    assert manifest["profiles"]["used"] is False
    assert "authored text only" in manifest["profiles"]["reason"]
    roles = json.loads((tmp_path / "cat" / "roles.json").read_text(encoding="utf-8"))
    assert all("profile" not in r for r in roles)
    assert all(Role.from_dict(r).profile == () for r in roles)


def test_build_with_an_onet_folder_that_lacks_a_code_fails(onet_dir: Path, tmp_path: Path) -> None:
    # the fixture has only two occupations; the authored roles name about 30
    with pytest.raises(CatalogBuildError, match="is not in occupation_data.txt"):
        build(DATA_DIR, tmp_path / "cat", onet_dir=onet_dir)


@pytest.mark.skipif(not ONET_DIR.is_dir(), reason="shared O*NET 29.2 data not present")
def test_build_with_real_onet_adds_profiles_and_is_deterministic(tmp_path: Path) -> None:
    m1 = build(DATA_DIR, tmp_path / "a", onet_dir=ONET_DIR)
    m2 = build(DATA_DIR, tmp_path / "b", onet_dir=ONET_DIR)
    assert m1["catalog_sha256"] == m2["catalog_sha256"]
    prof = m1["profiles"]
    assert prof["used"] is True and prof["roles_with_profile"] == 55
    # profiles never change skills: skills.jsonl is the same with and without O*NET
    build(DATA_DIR, tmp_path / "c")
    assert (tmp_path / "a" / "skills.jsonl").read_bytes() == (tmp_path / "c" / "skills.jsonl").read_bytes()
    catalog = Catalog.load(tmp_path / "a")
    sysadmin = catalog.roles["systems-administrator"].profile
    assert sysadmin[0].startswith("Install, configure, and maintain an organization's local area network")
    assert "Perform data backups and disaster recovery operations." in sysadmin


def test_index_ignores_profiles_at_weight_zero_and_uses_them_above() -> None:
    docs = {"sysadmin": "Systems Administrator\nLinux", "dev": "Software Developer\nJava"}
    profiles = {"sysadmin": "Perform data backups and disaster recovery.", "dev": "Write and test code."}
    text = "Performed nightly data backups and disaster recovery drills."
    plain = RoleTextIndex(docs).similarities(text)
    assert plain == {"dev": 0.0, "sysadmin": 0.0}  # no shared term with the authored documents
    assert RoleTextIndex(docs, profiles, 0.0).similarities(text) == plain
    weighted = RoleTextIndex(docs, profiles, 0.5).similarities(text)
    assert weighted["sysadmin"] > 0.3 and weighted["dev"] == 0.0
    assert {"backups", "data backups"} <= set(RoleTextIndex(docs, profiles, 0.5).shared_terms(text, "sysadmin", 5))
    with pytest.raises(ValueError, match="profile_weight"):
        RoleTextIndex(docs, profiles, -0.1)


def test_shipped_ranking_does_not_use_profiles(built_catalog: Path) -> None:
    # PROFILE_WEIGHT = 0 was the measured choice (docs/role-matching.md): the index equals the authored-only one
    assert PROFILE_WEIGHT == 0.0
    base = Catalog.load(built_catalog)
    task = ("Perform data backups and disaster recovery operations.",)
    roles = {rid: replace(r, profile=task if rid == "systems-administrator" else ()) for rid, r in base.roles.items()}
    catalog = Catalog(skills=base.skills, roles=roles, manifest=base.manifest)
    text = "Maintained Linux servers, performed data backups and disaster recovery, fixed network problems."
    authored = RoleTextIndex({r.id: role_document(r, catalog) for r in catalog.roles.values()}).similarities(text)
    assert RoleTextIndex.from_catalog(catalog).similarities(text) == authored
    boosted = RoleTextIndex.from_catalog(catalog, profile_weight=0.5).similarities(text)
    assert boosted["systems-administrator"] > authored["systems-administrator"]
