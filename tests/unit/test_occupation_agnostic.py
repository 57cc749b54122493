"""The trained models are occupation-agnostic: features and predictions depend on a role's requirements, never on
which role it is (id, title, family, kind, SOC code), so the classical models trained on the 55 curated roles serve
every O*NET occupation without retraining (docs/occupations.md).

Uses the trained artifacts when present (``artifacts/``, as ``make train`` writes them); skipped otherwise.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from careerready.features import (
    MATCH_FEATURES,
    READINESS_FEATURES,
    HeldSkill,
    SkillSpace,
    compute_role_features,
    gap_features,
    to_vector,
)
from careerready.models import gap_ranker, matcher, readiness
from careerready.services.catalog import Catalog, Role, RoleSkill

from training.catalog.build import build

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
NEEDED = [ARTIFACTS / m / "v1" / "manifest.json" for m in ("matching", "readiness", "gap_ranker")]
pytestmark = pytest.mark.skipif(not all(p.is_file() for p in NEEDED), reason="trained artifacts not built")

NURSE_SKILLS = [
    ("patient-care", 0.85, True),
    ("medication-administration", 0.8, True),
    ("triage", 0.7, False),
    ("iv-therapy", 0.7, False),
    ("wound-care", 0.6, False),
    ("electronic-health-records", 0.5, False),
    ("first-aid-cpr", 0.6, False),
    ("patient-education", 0.55, False),
]


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    out = tmp_path_factory.mktemp("cat")
    build(ROOT / "data", out)
    return Catalog.load(out)


@pytest.fixture(scope="module")
def space(catalog: Catalog) -> SkillSpace:
    """Skill vectors of the embeddings artifact, and one role vector shared by the nurse and its disguise.

    The one feature that reads a role's own vector (``embedding_cosine``) sees the embedded role TEXT (title,
    description, top skills: ``build_embeddings.role_text``), built the same way for every curated role and every
    occupation; giving both roles the same vector shows it is the only way a role's content reaches the models.
    """
    emb = ARTIFACTS / "embeddings" / "v1"
    base = SkillSpace.from_dir(catalog, emb if (emb / "skill_vectors.npy").is_file() else None)
    if not base.has_vectors:
        return base
    skill_ids = sorted(base._skill_row, key=base._skill_row.__getitem__)
    vecs = base._vectors
    assert vecs is not None
    role_vec = base.role_vector(_nurse())
    assert role_vec is not None
    return SkillSpace(
        catalog, skill_ids, vecs, ["onet-29-1141-00", "backend-developer-x"], np.stack([role_vec, role_vec])
    )


def _nurse() -> Role:
    return Role(
        "onet-29-1141-00",
        "Registered Nurses",
        ("Staff Nurse",),
        "onet-29",
        "Assess patient health problems and needs.",
        4.0,
        tuple(RoleSkill(s, i, c) for s, i, c in NURSE_SKILLS),
        kind="occupation",
        soc_code="29-1141.00",
        job_zone=4,
    )


def _person(n_held: int, years: float) -> dict[str, HeldSkill]:
    return {sid: HeldSkill(sid, "work", 1.0, years) for sid, _, _ in NURSE_SKILLS[:n_held]}


def test_features_and_predictions_ignore_role_identity(catalog: Catalog, space: SkillSpace) -> None:
    nurse = _nurse()
    # the same requirements under a tech role's identity
    disguised = replace(
        nurse, id="backend-developer-x", title="Backend Developer", family="software", kind="curated",
        soc_code="15-1252.00", job_zone=None, alt_titles=("API Engineer",), description="Builds services.",
    )  # fmt: skip
    m, r, g = matcher.load(ARTIFACTS / "matching" / "v1"), readiness.load(ARTIFACTS / "readiness" / "v1"), None
    g = gap_ranker.load(ARTIFACTS / "gap_ranker" / "v1")
    for n_held, years in ((7, 6.0), (2, 1.0), (0, 0.0)):
        held = _person(n_held, years)
        a = compute_role_features(held, nurse, space, years)
        b = compute_role_features(held, disguised, space, years)
        np.testing.assert_array_equal(to_vector(a.match, MATCH_FEATURES), to_vector(b.match, MATCH_FEATURES))
        np.testing.assert_array_equal(
            to_vector(a.readiness, READINESS_FEATURES), to_vector(b.readiness, READINESS_FEATURES)
        )
        assert m.predict(a.match) == m.predict(b.match)
        assert r.predict_proba(a.readiness) == r.predict_proba(b.readiness)
        ga, gb = gap_features(a, nurse, held, space), gap_features(b, disguised, held, space)
        assert [s for s, _ in ga] == [s for s, _ in gb]
        if ga:
            np.testing.assert_array_equal(g.score([f for _, f in ga]), g.score([f for _, f in gb]))


def test_models_order_non_tech_people_sensibly(catalog: Catalog, space: SkillSpace) -> None:
    nurse = _nurse()
    m, r = matcher.load(ARTIFACTS / "matching" / "v1"), readiness.load(ARTIFACTS / "readiness" / "v1")
    strong = compute_role_features(_person(8, 6.0), nurse, space, 6.0)
    weak = compute_role_features(_person(2, 1.0), nurse, space, 1.0)
    none = compute_role_features({}, nurse, space, 0.0)
    assert m.predict(strong.match) > m.predict(weak.match) > m.predict(none.match)
    p_strong, p_weak = r.predict_proba(strong.readiness), r.predict_proba(weak.readiness)
    assert p_strong["industry_ready"] > p_weak["industry_ready"]
    assert p_weak["needs_upskilling"] > p_strong["needs_upskilling"]
    # readiness reads the job zone's expected experience through min_years: 1 year of 4 asked is a years gap
    assert weak.values["years_gap"] > 0 and strong.values["years_gap"] == 0


def test_gap_demand_takes_the_occupations_own_market_signal(catalog: Catalog, space: SkillSpace) -> None:
    nurse = _nurse()
    hot = replace(nurse, skills=(*nurse.skills[:-1], RoleSkill("patient-education", 0.55, False, None, 1.0)))
    rf = compute_role_features({}, hot, space, 0.0)
    demand = {sid: row["demand"] for sid, row in gap_features(rf, hot, {}, space)}
    assert demand["patient-education"] == 1.0  # Hot Technology + In Demand for this occupation
    assert demand["triage"] == catalog.skills["triage"].demand  # no O*NET signal: the catalog's demand
