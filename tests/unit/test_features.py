"""Feature definitions: hand-built toy catalog with exact, alias, partial and missing skills."""

from __future__ import annotations

import math

import numpy as np
import pytest
from careerready.features import (
    EVIDENCE_WEIGHTS,
    GAP_FEATURES,
    MATCH_FEATURES,
    PARTIAL_MAX_CREDIT,
    PARTIAL_MIN_CREDIT,
    PARTIAL_THRESHOLD,
    READINESS_FEATURES,
    SAME_CATEGORY_BONUS,
    SkillSpace,
    compute_role_features,
    evidence_kind,
    gap_features,
    held_skills_from_extracted,
    partial_credit,
    to_vector,
)
from careerready.services.catalog import Catalog, Role, RoleSkill, Skill


def _skill(
    sid: str,
    cat: str,
    prereqs: tuple[str, ...] = (),
    typ: str = "tool",
    hours: float = 40,
    demand: float = 0.5,
    aliases: tuple[str, ...] = (),
) -> Skill:
    return Skill(sid, sid.title(), aliases, typ, cat, prereqs, hours, demand)


@pytest.fixture()
def toy() -> tuple[Catalog, SkillSpace, Role]:
    skills = {
        "python": _skill("python", "lang", typ="language", aliases=("py",), demand=0.9),
        "pandas": _skill("pandas", "data", ("python",), hours=20),
        "numpy": _skill("numpy", "data", ("python",)),
        "linux": _skill("linux", "ops"),
        "docker": _skill("docker", "ops", ("linux",)),
        "kubernetes": _skill("kubernetes", "ops", ("docker", "linux"), hours=60, demand=0.8),
        "communication": _skill("communication", "soft", typ="soft"),
    }
    role = Role(
        "ds",
        "Data Person",
        (),
        "data",
        "",
        2.0,
        (
            RoleSkill("python", 1.0, True),
            RoleSkill("pandas", 0.8, False),
            RoleSkill("kubernetes", 0.6, True),
            RoleSkill("communication", 0.4, False),
            RoleSkill("docker", 0.5, False),
        ),
    )
    catalog = Catalog(skills=skills, roles={"ds": role})
    ids = list(skills)
    dim = len(ids)
    vecs = np.eye(dim, dtype=np.float32)
    # numpy ~ pandas: cosine 0.8
    vecs[ids.index("numpy")] = 0.8 * vecs[ids.index("pandas")] + 0.6 * np.eye(dim, dtype=np.float32)[ids.index("numpy")]
    space = SkillSpace(catalog, ids, vecs)
    return catalog, space, role


def test_evidence_kind_by_section() -> None:
    assert evidence_kind("experience") == "work"
    assert evidence_kind("Work History") == "work"
    assert evidence_kind("skills") == "listed"
    assert evidence_kind("education") == "course"
    assert evidence_kind("projects") == "project"
    assert evidence_kind(None) == "other"
    assert EVIDENCE_WEIGHTS["work"] > EVIDENCE_WEIGHTS["listed"] > EVIDENCE_WEIGHTS["course"]


def test_held_skills_drop_negated_keep_strongest_evidence(toy: tuple[Catalog, SkillSpace, Role]) -> None:
    catalog, _, _ = toy
    held = held_skills_from_extracted(
        [
            {"skill_id": "python", "section": "skills", "text": "py", "years": 2},
            {"skill_id": "python", "section": "experience", "text": "py", "years": 4},
            {"skill_id": "docker", "section": "experience", "text": "Docker", "negated": True},
            {"skill_id": None, "section": "skills", "text": "foo"},
        ],
        catalog,
    )
    assert list(held) == ["python"]
    assert held["python"].evidence == "work" and held["python"].years == 4.0
    assert held["python"].alias is True and held["python"].mentions == 2


def test_partial_credit_bounds() -> None:
    assert partial_credit(PARTIAL_THRESHOLD - 0.01) == 0.0
    assert partial_credit(PARTIAL_THRESHOLD) == pytest.approx(PARTIAL_MIN_CREDIT)
    assert partial_credit(1.0) == pytest.approx(PARTIAL_MAX_CREDIT)


def test_role_features_toy_case(toy: tuple[Catalog, SkillSpace, Role]) -> None:
    catalog, space, role = toy
    held = held_skills_from_extracted(
        [
            {"skill_id": "python", "section": "experience", "text": "py"},  # alias, work
            {"skill_id": "numpy", "section": "skills", "text": "Numpy"},  # -> partial for pandas
            {"skill_id": "docker", "section": "education", "text": "Docker"},  # exact, course
        ],
        catalog,
    )
    rf = compute_role_features(held, role, space, years_experience=1.0)
    st = {s.skill_id: s for s in rf.statuses}
    assert st["python"].status == "alias" and st["python"].credit == 1.0
    assert st["docker"].status == "exact" and st["docker"].evidence == "course"
    assert st["pandas"].status == "partial" and st["pandas"].via == "numpy"
    expected_sim = 0.8 + SAME_CATEGORY_BONUS
    assert st["pandas"].similarity == pytest.approx(expected_sim, abs=1e-5)
    assert st["pandas"].credit == pytest.approx(partial_credit(expected_sim), abs=1e-5)
    # kubernetes: docker is a prerequisite (cosine 0 + bonuses) -> still below threshold
    assert st["kubernetes"].status == "missing" and st["communication"].status == "missing"

    v = rf.values
    total = 1.0 + 0.8 + 0.6 + 0.4 + 0.5
    assert v["coverage_exact"] == pytest.approx((1.0 + 0.5) / total, abs=1e-6)
    assert v["coverage_partial"] == pytest.approx((1.0 + 0.5 + 0.8 * st["pandas"].credit) / total, abs=1e-5)
    assert v["coverage_unweighted"] == pytest.approx(2 / 5)
    assert v["critical_coverage"] == 0.5 and v["missing_critical"] == 1.0
    assert v["years_ratio"] == 0.5 and v["years_gap"] == 1.0
    assert v["evidence_coverage"] == pytest.approx(
        (
            1.0 * EVIDENCE_WEIGHTS["work"]
            + 0.5 * EVIDENCE_WEIGHTS["course"]
            + 0.8 * st["pandas"].credit * EVIDENCE_WEIGHTS["listed"]
        )
        / total,
        abs=1e-5,
    )
    assert v["partial_share"] == pytest.approx(1 / 5)
    assert set(MATCH_FEATURES) <= set(v) and set(READINESS_FEATURES) <= set(v)
    assert 0 < v["embedding_cosine"] <= 1


def test_gap_features_toy_case(toy: tuple[Catalog, SkillSpace, Role]) -> None:
    catalog, space, role = toy
    held = held_skills_from_extracted([{"skill_id": "python", "section": "skills", "text": "Python"}], catalog)
    rf = compute_role_features(held, role, space, 3.0)
    rows = dict(gap_features(rf, role, held, space))
    assert set(rows) == {"pandas", "kubernetes", "communication", "docker"}
    k, d = rows["kubernetes"], rows["docker"]
    assert k["critical"] == 1.0 and k["demand"] == 0.8
    assert k["prereq_held_fraction"] == 0.0 and k["prereq_missing"] == 2.0  # docker, linux
    assert d["dependents"] == 1.0  # kubernetes needs docker
    assert k["dependents"] == 0.0
    assert rows["pandas"]["prereq_held_fraction"] == 1.0 and rows["pandas"]["prereq_missing"] == 0.0
    assert rows["pandas"]["learning_hours_log"] == pytest.approx(math.log1p(20))
    assert rows["communication"]["is_technical"] == 0.0
    assert rows["pandas"]["importance_rank"] == pytest.approx(1 / 4)  # python 1.0 first, pandas 0.8 second
    assert all(set(r) == set(GAP_FEATURES) for r in rows.values())


def test_features_are_deterministic(toy: tuple[Catalog, SkillSpace, Role]) -> None:
    catalog, space, role = toy
    mentions = [{"skill_id": s, "section": "experience", "text": s} for s in ("numpy", "python", "linux")]
    a = compute_role_features(held_skills_from_extracted(mentions, catalog), role, space, 2.0)
    b = compute_role_features(held_skills_from_extracted(list(reversed(mentions)), catalog), role, space, 2.0)
    assert a.values == b.values and a.statuses == b.statuses


def test_no_vectors_falls_back_to_catalog_relations(toy: tuple[Catalog, SkillSpace, Role]) -> None:
    catalog, _, role = toy
    space = SkillSpace(catalog)
    held = held_skills_from_extracted([{"skill_id": "numpy", "section": "skills", "text": "numpy"}], catalog)
    rf = compute_role_features(held, role, space, 0.0)
    st = {s.skill_id: s for s in rf.statuses}
    # 0.5 (no vector) + same category 0.06 < threshold: no partial credit without vectors
    assert st["pandas"].status == "missing"
    assert rf.values["embedding_cosine"] == 0.0


def test_to_vector_names_missing_feature() -> None:
    with pytest.raises(KeyError, match="years_ratio"):
        to_vector({"coverage_exact": 1.0}, ("coverage_exact", "years_ratio"))
