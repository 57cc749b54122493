"""O*NET roles importer on a tiny synthetic O*NET-shaped fixture (tests/fixtures/onet_small)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from careerready.core.errors import InvalidInputError
from careerready.pipelines import recommendation
from careerready.services.catalog import Catalog, Role

from training.importers import onet_roles
from training.importers.onet_roles import (
    DEMAND_IN_DEMAND,
    TECH_BASE,
    TECH_IN_DEMAND,
    build_roles,
    load_tables,
    resolve_name,
    resolve_product,
    role_id_for,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ONET = FIXTURES / "onet_small"
CATALOG = FIXTURES / "catalog_small"


@pytest.fixture(scope="module")
def built() -> tuple[list[dict], dict]:
    catalog = Catalog.load(CATALOG)
    return build_roles(load_tables(ONET), catalog.alias_index)


def _role(roles: list[dict], code: str) -> dict:
    return next(r for r in roles if r["id"] == role_id_for(code))


def test_role_ids_titles_and_family(built: tuple[list[dict], dict]) -> None:
    roles, _ = built
    assert [r["id"] for r in roles] == ["onet-15-1252-00", "onet-15-2051-00", "onet-99-0000-00"]
    dev = _role(roles, "15-1252.00")
    assert dev["title"] == "Software Developers"
    assert dev["family"] == "onet-15"
    assert dev["description"].startswith("Research, design")


def test_technology_importance_in_demand_hot_and_vendor_prefix(built: tuple[list[dict], dict]) -> None:
    roles, _ = built
    skills = {s["skill_id"]: s for s in _role(roles, "15-1252.00")["skills"]}
    # products are examples, never critical; In Demand (this occupation's postings) raises importance a little and
    # sets most of the market demand; Hot Technology (all postings) only a fifth of the demand
    assert skills["python"] == {"skill_id": "python", "importance": 0.6, "critical": False, "demand": 1.0}
    assert skills["git"] == {"skill_id": "git", "importance": 0.4, "critical": False, "demand": 0.2}  # GitHub (hot)
    assert skills["java"] == {"skill_id": "java", "importance": 0.4, "critical": False}  # "Oracle Java" -> java
    assert skills["azure"] == {"skill_id": "azure", "importance": 0.4, "critical": False, "demand": 0.2}
    data = {s["skill_id"]: s for s in _role(roles, "15-2051.00")["skills"]}
    assert data["python"] == {"skill_id": "python", "importance": 0.6, "critical": False, "demand": 0.8}
    # serving reads "In Demand" off the demand this importer writes
    assert recommendation.IN_DEMAND == DEMAND_IN_DEMAND and data["python"]["demand"] == recommendation.IN_DEMAND
    assert TECH_BASE + TECH_IN_DEMAND > recommendation.EXAMPLE_MAX_IMPORTANCE >= TECH_BASE
    # in demand for this occupation outranks hot everywhere: Tableau (both) before nothing, Azure (hot) below Python
    assert data["tableau"]["demand"] == 1.0 and skills["azure"]["importance"] < skills["python"]["importance"]


def test_skills_and_knowledge_im_normalised_and_filtered(built: tuple[list[dict], dict]) -> None:
    roles, stats = built
    dev = {s["skill_id"]: s for s in _role(roles, "15-1252.00")["skills"]}
    # (4.5-1)/4; level = LV 6.0 / 7
    # elements are never critical (CRITICAL_IM = None): O*NET rates importance, not necessity
    assert dev["teamwork"] == {"skill_id": "teamwork", "importance": 0.875, "critical": False, "level": 0.8571}
    assert "time_management" not in dev  # IM 2.6 -> 0.4 < 0.5
    # the "Communication" row is Recommend Suppress = Y and skipped; "Speaking" (IM 4.0) reaches communication
    # through ELEMENT_SKILLS ("verbal-communication" is an alias of it in the small catalog)
    assert dev["communication"] == {"skill_id": "communication", "importance": 0.75, "critical": False}
    data = {s["skill_id"]: s for s in _role(roles, "15-2051.00")["skills"]}
    assert data["statistics"] == {"skill_id": "statistics", "importance": 0.8, "critical": False}
    assert set(dev) == {"python", "git", "java", "azure", "teamwork", "communication"}
    assert set(data) == {"python", "tableau", "statistics"}
    assert stats["unresolved_rows"] == {"knowledge": 1, "technology": 1}  # Mathematics: no such skill here
    assert stats["below_min_importance_rows"] == {"skills": 1}
    assert stats["occupations_built"] == 3 and stats["roles_with_skills"] == 2
    assert stats["mean_skills_per_role"] == pytest.approx(9 / 3, abs=0.01)
    # sorted by importance desc, then id
    imps = [(-s["importance"], s["skill_id"]) for s in _role(roles, "15-1252.00")["skills"]]
    assert imps == sorted(imps)


def test_job_zone_years_and_alt_titles(built: tuple[list[dict], dict]) -> None:
    roles, stats = built
    dev = _role(roles, "15-1252.00")
    assert dev["min_years"] == 4.0 and _role(roles, "15-2051.00")["min_years"] == 5.0
    assert _role(roles, "99-0000.00")["min_years"] == 0.0 and _role(roles, "99-0000.00")["skills"] == []
    # the title itself and case/space duplicates are dropped; short titles kept
    assert dev["alt_titles"] == ["Software Engineer", "Application Developer", "App Developer"]
    assert stats["alt_titles_total"] == 4


def test_output_loads_as_catalog_roles(built: tuple[list[dict], dict]) -> None:
    roles, _ = built
    parsed = [Role.from_dict(r) for r in roles]
    assert parsed[0].min_years == 4.0
    top = {s.skill_id: s for s in parsed[0].skills}
    assert top["python"].importance == 0.6 and top["python"].demand == 1.0 and top["java"].demand is None


def test_selected_occupations_and_unknown_code() -> None:
    tables = load_tables(ONET)
    index = Catalog.load(CATALOG).alias_index
    roles, stats = build_roles(tables, index, ["15-2051.00"])
    assert [r["id"] for r in roles] == ["onet-15-2051-00"] and stats["occupations_built"] == 1
    with pytest.raises(InvalidInputError):
        build_roles(tables, index, ["00-0000.00"])


def test_resolve_name_vendor_only_when_asked() -> None:
    index = {"java": "java"}
    assert resolve_name("Oracle Java", index, vendors=True) == "java"
    assert resolve_name("Oracle Java", index) is None


def test_product_overrides_beat_the_acronym_and_vendor_rules() -> None:
    # the trailing-acronym and vendor rules would make these the JS tool Nx, the PMP certification and Hadoop-less YARN
    index = {"nx": "nx", "cad": "cad", "pmp": "pmp", "yarn": "yarn", "hadoop": "hadoop", "sql": "sql"}
    assert resolve_name("Siemens NX", index, vendors=True) == "nx"  # the trailing-acronym rule
    assert resolve_name("Pathogen Modeling Program PMP", index, vendors=True) == "pmp"
    assert resolve_product("Siemens NX", index) == "cad"
    assert resolve_product("Pathogen Modeling Program PMP", index) is None
    assert resolve_product("Apache Hadoop YARN", index) == "hadoop"
    assert resolve_product("Windent SQL", index) is None
    # an override target the catalog lacks resolves to nothing rather than to an invented id
    assert resolve_product("Siemens NX", {"nx": "nx"}) is None
    # products without an override keep the generic rules
    assert resolve_product("Structured query language SQL", index) == "sql"


def test_cli_writes_roles_and_stats_and_refuses_repo_data(tmp_path: Path) -> None:
    out = tmp_path / "onet" / "roles.json"
    argv = ["--onet", str(ONET), "--catalog", str(CATALOG), "--out", str(out), "--occupations", "15-1252.00"]
    assert onet_roles.main(argv) == 0
    first = out.read_bytes()
    assert [r["id"] for r in json.loads(first)] == ["onet-15-1252-00"]
    assert json.loads((out.parent / "stats.json").read_text())["occupations_built"] == 1
    assert onet_roles.main(argv) == 0 and out.read_bytes() == first  # deterministic
    repo_data = Path(onet_roles.__file__).resolve().parents[2] / "data" / "onet_roles.json"
    assert onet_roles.main(["--onet", str(ONET), "--catalog", str(CATALOG), "--out", str(repo_data)]) == 2
    assert not repo_data.exists()
