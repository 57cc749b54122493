"""Catalog compiler, taxonomy quality gates and the serving-side Catalog loader."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from careerready.services.catalog import Catalog
from careerready.text import COMMON_WORDS, SLUG_RE, is_common_word, normalize_alias, slugify

from training.catalog.build import build
from training.catalog.compiler import CatalogBuildError, compile_catalog, find_cycles

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("catalog")
    manifest = build(DATA, out, lenient=True)
    return out, manifest


@pytest.fixture(scope="module")
def catalog(built: tuple[Path, dict]) -> Catalog:
    return Catalog.load(built[0])


# ---- text helpers ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Scikit-Learn", "scikit learn"),
        ("C++", "c++"),
        (".NET", ".net"),
        (" Node.js. ", "node.js"),
        ("CI/CD", "ci/cd"),
        ("Kubernetes\u2019", "kubernetes"),
        ("Español", "español"),
        ("/", ""),
    ],
)
def test_normalize_alias(raw: str, key: str) -> None:
    assert normalize_alias(raw) == key


@pytest.mark.parametrize(
    ("name", "slug"),
    [("C++", "c-plus-plus"), ("C#", "c-sharp"), (".NET", "dotnet"), ("Node.js", "node-js"), ("CI/CD", "ci-cd")],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug
    assert SLUG_RE.match(slug)


# ---- taxonomy quality gates -----------------------------------------------------------------
def test_catalog_size_and_types(catalog: Catalog) -> None:
    assert len(catalog.skills) >= 1000
    types = {s.type for s in catalog.skills.values()}
    assert types == {"hard", "soft", "tool", "certification", "language"}


def test_tech_skills_average_three_aliases(catalog: Catalog) -> None:
    tech = [s for s in catalog.skills.values() if s.is_technical]
    assert len(tech) >= 900
    assert sum(len(s.aliases) for s in tech) / len(tech) >= 3.0


def test_ids_unique_and_slug_shaped(built: tuple[Path, dict]) -> None:
    lines = (built[0] / "skills.jsonl").read_text(encoding="utf-8").splitlines()
    ids = [json.loads(line)["id"] for line in lines]
    assert len(ids) == len(set(ids))
    assert all(SLUG_RE.match(i) for i in ids)
    assert ids == sorted(ids)


def test_prerequisites_resolve_and_form_a_dag(catalog: Catalog) -> None:
    graph = {sid: list(s.prerequisites) for sid, s in catalog.skills.items()}
    assert all(p in catalog.skills for ps in graph.values() for p in ps)
    assert find_cycles(graph) == []
    order = catalog.topological_order(catalog.skills)
    pos = {sid: i for i, sid in enumerate(order)}
    assert all(pos[p] < pos[sid] for sid, ps in graph.items() for p in ps)


def test_numbers_in_range(catalog: Catalog) -> None:
    assert all(0.0 <= s.demand <= 1.0 for s in catalog.skills.values())
    assert all(s.learning_hours > 0 for s in catalog.skills.values())


def test_aliases_are_not_common_words_and_ambiguous_names_flagged(catalog: Catalog) -> None:
    assert not [a for s in catalog.skills.values() for a in s.aliases if is_common_word(a)]
    for sid in ("go", "r", "c", "swift", "rust", "spring-framework"):
        assert catalog.skills[sid].ambiguous, sid
    assert "go" not in {normalize_alias(a) for a in catalog.skills["go"].aliases}
    flagged_names = {normalize_alias(s.name) for s in catalog.skills.values() if not s.ambiguous and s.type != "soft"}
    assert not flagged_names & COMMON_WORDS


def test_resolve_skill(catalog: Catalog) -> None:
    assert catalog.resolve_skill("k8s") == "kubernetes"
    assert catalog.resolve_skill("Golang") == "go"
    assert catalog.resolve_skill("sklearn") == "scikit-learn"
    assert catalog.resolve_skill("C#") == "c-sharp"
    assert catalog.resolve_skill("ReactJS") == "react"
    assert catalog.resolve_skill("kubernetes") == "kubernetes"
    assert catalog.resolve_skill("basket weaving") is None


def test_prerequisite_closure(catalog: Catalog) -> None:
    closure = catalog.prerequisite_closure("kubernetes")
    assert {"docker", "linux"} <= set(closure)
    assert "kubernetes" not in closure
    assert closure.index("linux") < closure.index("docker")


def test_roles_and_resources_reference_known_skills(catalog: Catalog) -> None:
    for role in catalog.roles.values():
        assert role.skills and all(rs.skill_id in catalog.skills for rs in role.skills)
        assert all(0.0 <= rs.importance <= 1.0 for rs in role.skills)
    for res in catalog.resources.values():
        assert res.skills and all(s in catalog.skills for s in res.skills)


def test_manifest_and_determinism(built: tuple[Path, dict], tmp_path: Path) -> None:
    out, manifest = built
    assert manifest["data_version"] == (DATA / "VERSION").read_text().strip()
    again = build(DATA, tmp_path / "again", lenient=True)
    assert again["files"] == manifest["files"]
    assert again["catalog_sha256"] == manifest["catalog_sha256"]


def test_loader_index_equals_recomputed_index(built: tuple[Path, dict]) -> None:
    loaded = Catalog.load(built[0])
    recomputed = Catalog(skills=loaded.skills)
    assert loaded.alias_index == recomputed.alias_index
    assert len(loaded.alias_index) > 2 * len(loaded.skills)


# ---- broken inputs fail loudly --------------------------------------------------------------
def _write(tmp: Path, taxonomy: str, roles: str | None = None) -> Path:
    (tmp / "taxonomy").mkdir(parents=True)
    (tmp / "taxonomy" / "t.yaml").write_text(taxonomy, encoding="utf-8")
    if roles is not None:
        (tmp / "roles").mkdir()
        (tmp / "roles" / "r.yaml").write_text(roles, encoding="utf-8")
    return tmp


GOOD = """defaults: {type: tool, category: demo}
skills:
  - {name: Docker, aliases: [docker engine], hours: 10, demand: 0.8}
  - {name: Kubernetes, aliases: [k8s], prerequisites: [docker engine], hours: 40, demand: 0.9}
"""


def test_good_fixture_compiles(tmp_path: Path) -> None:
    compiled = compile_catalog(_write(tmp_path, GOOD))
    assert [s.id for s in compiled.skills] == ["docker", "kubernetes"]
    assert compiled.skills[1].prerequisites == ["docker"]


@pytest.mark.parametrize(
    ("taxonomy", "needle"),
    [
        (GOOD.replace("[docker engine], hours: 40", "[Dockr], hours: 40"), "unresolved prerequisite 'Dockr'"),
        (GOOD.replace("aliases: [k8s]", "aliases: [k8s, docker engine]"), "alias conflict: 'docker engine'"),
        (
            GOOD.replace(
                "aliases: [docker engine], hours: 10", "aliases: [docker engine], prerequisites: [k8s], hours: 10"
            ),
            "prerequisite cycle",
        ),
        (GOOD.replace("demand: 0.9", "demand: 1.7"), "out of range"),
        (GOOD + "  - {name: Docker, aliases: [moby], hours: 3, demand: 0.1}\n", "duplicate skill id 'docker'"),
        (GOOD.replace("aliases: [k8s]", "aliases: [k8s, go]"), "alias 'go' is a common"),
        (GOOD + "  - {name: Swift, hours: 3, demand: 0.1}\n", "set ambiguous: true"),
    ],
)
def test_broken_taxonomy_fails_with_named_problem(tmp_path: Path, taxonomy: str, needle: str) -> None:
    with pytest.raises(CatalogBuildError) as info:
        compile_catalog(_write(tmp_path, taxonomy))
    assert needle in str(info.value)


def test_role_with_dangling_skill_fails_unless_lenient(tmp_path: Path) -> None:
    roles = """roles:
  - {id: devops-engineer, title: DevOps Engineer, skills: [{skill: k8s, importance: 0.9}, {skill: Quantum Knitting, importance: 0.2}]}
"""
    data = _write(tmp_path, GOOD, roles)
    with pytest.raises(CatalogBuildError, match="unresolved skill reference 'Quantum Knitting'"):
        compile_catalog(data)
    compiled = compile_catalog(data, lenient=True)
    assert compiled.roles[0]["skills"] == [{"skill_id": "kubernetes", "importance": 0.9, "critical": False}]
    assert any("Quantum Knitting" in w for w in compiled.warnings)


def test_resource_audience_is_kept_and_checked(tmp_path: Path) -> None:
    """``audience: software`` reaches the compiled resource; an unknown audience is a named problem."""
    data = _write(tmp_path, GOOD)
    (data / "resources").mkdir()
    res = (
        "resources:\n"
        "  - {id: res-a, title: A, url: 'https://a.example/', skills: [k8s], audience: software}\n"
        "  - {id: res-b, title: B, url: 'https://b.example/', skills: [Docker]}\n"
    )
    (data / "resources" / "r.yaml").write_text(res, encoding="utf-8")
    out = tmp_path / "out"
    build(data, out)
    cat = Catalog.load(out)
    assert cat.resources["res-a"].audience == "software" and cat.resources["res-b"].audience == ""
    (data / "resources" / "r.yaml").write_text(res.replace("audience: software", "audience: nurses"), encoding="utf-8")
    with pytest.raises(CatalogBuildError, match="audience 'nurses' not in"):
        compile_catalog(data)


def test_missing_roles_and_resources_compile(tmp_path: Path) -> None:
    data = _write(tmp_path, GOOD)
    out = tmp_path / "out"
    manifest = build(data, out)
    assert manifest["counts"] == {
        "skills": 2,
        "skills_by_type": {"tool": 2},
        "aliases": 2,
        "roles": 0,
        "occupations": 0,
        "resources": 0,
    }
    cat = Catalog.load(out)
    assert cat.roles == {} and cat.resources == {}
    shutil.rmtree(out)


@pytest.mark.parametrize(
    "row",
    [
        {"skill_id": "python", "importance": 0.9},
        {"skill_id": "sql", "importance": 1, "critical": True, "level": 0.5, "demand": 1},
        {"skill_id": "excel", "importance": 0.25, "critical": 0, "level": None, "demand": 0.75},
    ],
)
def test_role_skill_from_dict_is_the_dataclass_built_by_init(row: dict) -> None:
    """from_dict fills the slots itself (speed): the same object as __init__ builds, frozen and hashable."""
    from dataclasses import FrozenInstanceError

    from careerready.services.catalog import RoleSkill

    got = RoleSkill.from_dict(row)
    level, demand = row.get("level"), row.get("demand")
    want = RoleSkill(
        row["skill_id"],
        float(row["importance"]),
        bool(row.get("critical", False)),
        None if level is None else float(level),
        None if demand is None else float(demand),
    )
    assert got == want and hash(got) == hash(want) and repr(got) == repr(want)
    assert type(got.importance) is float and type(got.critical) is bool
    with pytest.raises(FrozenInstanceError):
        got.importance = 0.0  # type: ignore[misc]


def test_role_skills_of_the_built_catalog_are_complete(catalog: Catalog) -> None:
    from careerready.services.catalog import RoleSkill

    for role in catalog.roles.values():
        for rs in role.skills:
            assert RoleSkill(rs.skill_id, rs.importance, rs.critical, rs.level, rs.demand) == rs
