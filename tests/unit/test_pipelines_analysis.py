"""Analysis pipelines on the small catalog fixture: matching -> gaps -> readiness -> recommendation -> roadmap."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from careerready.core.errors import InvalidInputError
from careerready.features import (
    MATCH_FEATURES,
    READINESS_FEATURES,
    READINESS_LABELS,
    SkillSpace,
    compute_role_features,
    held_skills_from_ids,
)
from careerready.models.matcher import Matcher
from careerready.models.readiness import ReadinessModel
from careerready.models.recommender import Recommender
from careerready.pipelines import matching, readiness, recommendation, roadmap
from careerready.pipelines.gaps import rank_gaps
from careerready.schemas.analysis import GapItem, ReadinessResponse, RoleMatch
from careerready.schemas.extraction import ExtractedSkill
from careerready.services.catalog import Catalog, Role, RoleSkill
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "catalog_small"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(FIXTURE)


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    coef = np.zeros(len(MATCH_FEATURES))
    coef[MATCH_FEATURES.index("coverage_partial")] = 0.8
    coef[MATCH_FEATURES.index("critical_coverage")] = 0.2
    return Matcher(MATCH_FEATURES, coef, 0.0)


@pytest.fixture(scope="module")
def readiness_model() -> ReadinessModel:
    rng = np.random.default_rng(3)
    x = rng.random((240, len(READINESS_FEATURES)))
    i = READINESS_FEATURES.index("coverage_exact")
    j = READINESS_FEATURES.index("critical_coverage")
    score = x[:, i] + x[:, j]
    y = np.digitize(score, [0.8, 1.3])
    est = CalibratedClassifierCV(
        make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)), method="sigmoid", cv=3
    ).fit(x, y)
    plain = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(x, y)
    sc, lr = plain.named_steps["standardscaler"], plain.named_steps["logisticregression"]
    return ReadinessModel(READINESS_FEATURES, READINESS_LABELS, est, sc.mean_, sc.scale_, lr.coef_)


def _skill(
    catalog: Catalog, sid: str, section: str = "experience", text: str | None = None, negated: bool = False
) -> ExtractedSkill:
    s = catalog.skills[sid]
    t = text or s.name
    return ExtractedSkill(
        text=t,
        start=0,
        end=len(t),
        skill_id=sid,
        name=s.name,
        type=s.type,
        category=s.category,
        confidence=0.9,
        section=section,
        sentence=t,
        negated=negated,
    )


def _resume(catalog: Catalog) -> list[ExtractedSkill]:
    return [
        _skill(catalog, "python", text="py"),
        _skill(catalog, "sql"),
        _skill(catalog, "numpy", "skills"),
        _skill(catalog, "git", "skills"),
        _skill(catalog, "statistics", "education"),
        _skill(catalog, "docker", negated=True),
    ]


def test_match_role_statuses_score_and_explanation(catalog: Catalog, matcher: Matcher) -> None:
    role = catalog.roles["data_scientist"]
    m = matching.match_role(_resume(catalog), role, catalog, None, matcher, years_experience=3)
    assert isinstance(m, RoleMatch)
    st_ = {s.skill_id: s for s in m.skills}
    assert st_["python"].status == "alias" and st_["sql"].status == "exact"
    assert st_["statistics"].evidence == "course"
    assert st_["machine_learning"].status == "missing" and st_["machine_learning"].critical
    assert m.score == pytest.approx(
        0.8 * m.features["coverage_partial"] + 0.2 * m.features["critical_coverage"], abs=1e-6
    )
    assert m.features["missing_critical"] == 1.0
    assert m.explanation.carried_by[0] == "python"
    assert m.explanation.cost_by[0] == "machine_learning"  # the only missing critical skill
    assert m.explanation.contributions[0].feature == "coverage_partial"
    gap_ids = [g.skill_id for g in m.gaps]
    assert "python" not in gap_ids and "machine_learning" in gap_ids
    assert [g.rank for g in m.gaps] == list(range(1, len(m.gaps) + 1))
    # negated docker is not held: devops match has it missing
    dev = matching.match_role(_resume(catalog), catalog.roles["devops_engineer"], catalog, None, matcher, 3)
    assert {s.skill_id: s.status for s in dev.skills}["docker"] == "missing"


def test_match_is_deterministic_and_roles_sorted(catalog: Catalog, matcher: Matcher) -> None:
    roles = list(catalog.roles.values())
    a = matching.match_roles(_resume(catalog), roles, catalog, None, matcher, 3)
    b = matching.match_roles(list(reversed(_resume(catalog))), roles, catalog, None, matcher, 3)
    assert [m.model_dump() for m in a] == [m.model_dump() for m in b]
    assert a[0].role_id == "data_scientist"
    assert [m.score for m in a] == sorted((m.score for m in a), reverse=True)


def test_rank_gaps_reasons(catalog: Catalog) -> None:
    role = catalog.roles["devops_engineer"]
    held = held_skills_from_ids(["linux", "git"])
    space = SkillSpace(catalog)
    rf = compute_role_features(held, role, space, 2.0)
    gaps = rank_gaps(rf, role, held, space, None)
    by_id = {g.skill_id: g for g in gaps}
    # importance fallback: critical skills first
    assert all(g.critical for g in gaps[:3])
    assert "critical for the role" in by_id["docker"].reasons
    assert any(r.startswith("unlocks") for r in by_id["docker"].reasons)  # kubernetes and cka need docker
    assert by_id["kubernetes"].prerequisites_missing == ["docker"]
    assert any("prerequisite" in r for r in by_id["kubernetes"].reasons)


def test_general_skills_come_after_the_roles_own(catalog: Catalog) -> None:
    """A skill most occupations list (Microsoft Excel, Critical Thinking) is ranked after the role's own skills,
    unless it is critical for the role; each group keeps the ranker's order."""
    from dataclasses import replace

    from careerready.services.catalog import GENERAL_SKILL_SHARE, Role, RoleSkill

    role = catalog.roles["devops_engineer"]
    required = [rs.skill_id for rs in role.skills]
    critical = next(rs.skill_id for rs in role.skills if rs.critical)
    plain = [rs.skill_id for rs in role.skills if not rs.critical]
    everywhere = [critical, plain[0]]  # listed by every occupation below
    occupations = {
        f"onet-{i}": Role(f"onet-{i}", f"Occupation {i}", (), "onet-15", "", 2.0,
                          tuple(RoleSkill(s, 0.5) for s in everywhere + ([plain[1]] if i == 0 else [])),
                          kind="occupation", soc_code=f"15-{i:04d}.00")
        for i in range(4)
    }  # fmt: skip
    wide = replace(catalog, roles={**catalog.roles, **occupations})
    assert wide.occupation_share[plain[0]] == 1.0 >= GENERAL_SKILL_SHARE > wide.occupation_share[plain[1]] == 0.25
    assert wide.general_skills == frozenset(everywhere)
    assert catalog.general_skills == frozenset()  # no occupations: nothing is general, order as before

    held = held_skills_from_ids(["linux"])
    before = rank_gaps(compute_role_features(held, role, SkillSpace(catalog), 2.0), role, held, SkillSpace(catalog))
    space = SkillSpace(wide)
    gaps = rank_gaps(compute_role_features(held, role, space, 2.0), role, held, space)
    assert [g.rank for g in gaps] == list(range(1, len(gaps) + 1)) and len(gaps) == len(before)
    assert gaps[-1].skill_id == plain[0] and gaps[-1].general and "show it on your resume" in gaps[-1].reasons[-1]
    assert not any(g.general for g in gaps[:-1])  # the critical one stays with the role's own skills
    assert [g.skill_id for g in gaps[:-1]] == [g.skill_id for g in before if g.skill_id != plain[0]]
    assert set(required) >= {g.skill_id for g in gaps}


def test_readiness_predict(readiness_model: ReadinessModel) -> None:
    high = dict.fromkeys(READINESS_FEATURES, 1.0)
    r = readiness.predict(high, readiness_model)
    assert isinstance(r, ReadinessResponse)
    assert sum(r.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
    assert r.label == "industry_ready"
    assert r.drivers and r.drivers[0].direction == "up"
    low = readiness.predict(dict.fromkeys(READINESS_FEATURES, 0.0), readiness_model)
    assert low.label == "needs_upskilling"
    with pytest.raises(InvalidInputError):
        readiness.predict({"coverage_exact": 1.0}, readiness_model)


def _gaps(catalog: Catalog, role_id: str, held_ids: list[str]) -> list[GapItem]:
    role = catalog.roles[role_id]
    held = held_skills_from_ids(held_ids)
    space = SkillSpace(catalog)
    return rank_gaps(compute_role_features(held, role, space, 2.0), role, held, space, None)


def test_recommend_teaches_gap_skills(catalog: Catalog) -> None:
    gaps = _gaps(catalog, "devops_engineer", ["linux", "git"])
    ids = tuple(sorted(catalog.resources))
    rng = np.random.default_rng(0)
    rec = Recommender(
        ids,
        rng.random((3, len(ids))),
        np.linspace(1, 0, len(ids)),
        tuple(catalog.resources[r].skills for r in ids),
        tuple(catalog.resources[r].level for r in ids),
        alpha=0.3,
        held_weight=0.3,
        beta=0.1,
    )
    role = catalog.roles["devops_engineer"]
    out = recommendation.recommend(role, ["linux", "git"], gaps, 2.0, rec, catalog, top_k=5)
    assert 0 < len(out) <= 5
    wanted = set(recommendation.gap_weights(gaps))
    for r in out:
        assert r.teaches and set(r.teaches) <= wanted
        assert set(catalog.resources[r.resource_id].skills) & wanted
        assert 0.0 <= r.cf_share <= 1.0
    assert [r.score for r in out] == sorted((r.score for r in out), reverse=True)
    again = recommendation.recommend(role, ["git", "linux"], gaps, 2.0, rec, catalog, top_k=5)
    assert [r.model_dump() for r in again] == [r.model_dump() for r in out]
    # content-only fallback also teaches gaps
    c = recommendation.recommend(role, ["linux"], gaps, 2.0, None, catalog, top_k=3)
    assert c and all(r.cf_share == 0.0 for r in c)
    assert recommendation.recommend(role, [], [], 2.0, None, catalog) == []


def test_roadmap_inserts_prerequisites_and_times(catalog: Catalog, readiness_model: ReadinessModel) -> None:
    role = catalog.roles["devops_engineer"]
    gaps = _gaps(catalog, "devops_engineer", ["git"])
    rm = roadmap.build_roadmap(
        gaps, ["git"], catalog, hours_per_week=10, role=role, readiness_model=readiness_model, years_experience=4.0
    )
    order = [s.skill_id for s in rm.steps]
    assert order.index("linux") < order.index("docker") < order.index("kubernetes")
    assert rm.total_hours == pytest.approx(sum(s.hours for s in rm.steps), abs=0.05)
    assert rm.weeks_total == pytest.approx(rm.total_hours / 10, abs=0.01)
    if rm.weeks_to_ready is not None:
        flagged = [s for s in rm.steps if s.reaches_industry_ready]
        assert len(flagged) == 1 and rm.hours_to_ready == flagged[0].cumulative_hours
        assert set(rm.ready_skill_ids) <= {g.skill_id for g in gaps}
    rm20 = roadmap.build_roadmap(gaps, ["git"], catalog, hours_per_week=20)
    assert rm20.weeks_total == pytest.approx(rm.weeks_total / 2, abs=0.01)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_roadmap_respects_prerequisites(catalog: Catalog, data: st.DataObject) -> None:
    role_id = data.draw(st.sampled_from(sorted(catalog.roles)))
    role_skills = sorted(catalog.roles[role_id].skill_ids)
    held = data.draw(st.lists(st.sampled_from(sorted(catalog.skills)), max_size=8, unique=True))
    gaps = _gaps(catalog, role_id, held)
    rm = roadmap.build_roadmap(gaps, held, catalog)
    seen: set[str] = set()
    for step in rm.steps:
        missing_prereqs = {p for p in catalog.prerequisite_closure(step.skill_id) if p not in held}
        assert missing_prereqs <= seen, (step.skill_id, missing_prereqs - seen)
        assert step.skill_id not in seen
        seen.add(step.skill_id)
    assert {g.skill_id for g in gaps} <= seen
    assert all(s in role_skills or s not in held for s in seen)
    cum = [s.cumulative_hours for s in rm.steps]
    assert cum == sorted(cum)


def test_roadmap_when_already_ready_flags_no_step(catalog: Catalog, readiness_model: ReadinessModel) -> None:
    # everything but one non-critical skill held: the model says ready before the first step,
    # so hours_to_ready is 0 and no step may claim to be the one that reaches readiness
    role = catalog.roles["devops_engineer"]
    optional = sorted(rs.skill_id for rs in role.skills if not rs.critical)[0]
    held = sorted(rs.skill_id for rs in role.skills if rs.skill_id != optional)
    gaps = _gaps(catalog, "devops_engineer", held)
    assert [g.skill_id for g in gaps] == [optional]
    now = compute_role_features(held_skills_from_ids(held), role, SkillSpace(catalog), 10.0).readiness
    assert readiness_model.predict(now)[0] == "industry_ready"
    rm = roadmap.build_roadmap(gaps, held, catalog, role=role, readiness_model=readiness_model, years_experience=10.0)
    assert rm.steps and rm.hours_to_ready == 0.0 and rm.ready_label_after == "industry_ready"
    assert not any(s.reaches_industry_ready for s in rm.steps)


def test_roadmap_starts_from_the_features_readiness_scored(catalog: Catalog, readiness_model: ReadinessModel) -> None:
    # the same held skills, but the start features /readiness scored say "not ready" (or "ready"):
    # the roadmap follows them, not its own recomputation
    role = catalog.roles["devops_engineer"]
    optional = sorted(rs.skill_id for rs in role.skills if not rs.critical)[0]
    held = sorted(rs.skill_id for rs in role.skills if rs.skill_id != optional)
    gaps = _gaps(catalog, "devops_engineer", held)
    low = dict.fromkeys(READINESS_FEATURES, 0.0)
    assert readiness_model.predict(low)[0] != "industry_ready"
    rm = roadmap.build_roadmap(
        gaps, held, catalog, role=role, readiness_model=readiness_model, years_experience=10.0, start_features=low
    )
    assert rm.hours_to_ready != 0.0
    assert rm.ready_label_after in READINESS_LABELS
    high = compute_role_features(held_skills_from_ids(held), role, SkillSpace(catalog), 10.0).readiness
    high = {**high, "coverage_exact": 1.0, "critical_coverage": 1.0}
    assert readiness_model.predict(high)[0] == "industry_ready"
    few = held[:1]
    rm_few = roadmap.build_roadmap(
        _gaps(catalog, "devops_engineer", few),
        few,
        catalog,
        role=role,
        readiness_model=readiness_model,
        years_experience=10.0,
        start_features=high,
    )
    assert rm_few.hours_to_ready == 0.0 and rm_few.ready_label_after == "industry_ready"


def test_roadmap_for_a_role_needs_the_readiness_model(catalog: Catalog) -> None:
    role = catalog.roles["devops_engineer"]
    with pytest.raises(ValueError, match="readiness model"):
        roadmap.build_roadmap(_gaps(catalog, "devops_engineer", []), [], catalog, role=role)


def test_recommendations_teach_the_gaps_learned_first(catalog: Catalog) -> None:
    """A resource teaching only a late gap (or its prerequisite) is not recommended while early gaps have one."""
    gaps = _gaps(catalog, "devops_engineer", [])
    assert len(gaps) > 2
    first = gaps[:2]
    # keep two early gaps, and push every other gap past the focus window
    late = [g.model_copy(update={"rank": recommendation.FOCUS_GAPS + 1 + i}) for i, g in enumerate(gaps[2:])]
    role = catalog.roles["devops_engineer"]
    focus = set(recommendation.gap_weights(first))
    out = recommendation.recommend(role, [], [*first, *late], 2.0, None, catalog, top_k=20)
    late_only = [r for r in catalog.resources if not set(catalog.resources[r].skills) & focus]
    assert any(set(catalog.resources[r].skills) & focus for r in catalog.resources) and late_only
    assert out and all(set(r.teaches) & focus for r in out)
    assert recommendation.resources_note(gaps, out) is None
    # with no early gap (none in the first FOCUS_GAPS), no resource is sent, however many teach the late gaps,
    # and the note says why (never silently none)
    teachable = set(recommendation.gap_weights(late))
    assert any(set(catalog.resources[r].skills) & teachable for r in catalog.resources)
    only_late = recommendation.recommend(role, [], late, 2.0, None, catalog, top_k=5)
    assert only_late == []
    note = recommendation.resources_note(late, only_late)
    assert note is not None and late[0].name in note and "No curated learning resource" in note
    assert recommendation.resources_note([], []) is None


def test_resources_for_software_people_go_to_computing_roles_only(catalog: Catalog) -> None:
    """A resource written for software people (audience "software") is recommended for a computing role only: a
    curated role, an occupation of SOC 15 or 11-3021, a posting mostly of computing skills; never a chef's."""
    role = catalog.roles["devops_engineer"]
    first = _gaps(catalog, "devops_engineer", [])[:1]
    base = next(r for r in catalog.resources.values() if first[0].skill_id in r.skills)
    software = replace(base, id="res-test-software", skills=(first[0].skill_id,), audience="software")
    anyone = replace(base, id="res-test-anyone", skills=(first[0].skill_id,), audience="")
    cat = replace(catalog, resources={software.id: software, anyone.id: anyone})

    def sent(r: Role) -> set[str]:
        return {x.resource_id for x in recommendation.recommend(r, [], first, 2.0, None, cat, top_k=5)}

    both = {software.id, anyone.id}
    assert sent(role) == both
    assert sent(replace(role, kind="occupation", soc_code="15-1252.00")) == both
    assert sent(replace(role, kind="occupation", soc_code="11-3021.00")) == both
    assert sent(replace(role, kind="occupation", soc_code="35-1011.00")) == {anyone.id}
    assert sent(replace(role, kind="occupation", soc_code="")) == {anyone.id}
    # an ad-hoc role (a posting): by the share of its importance in computing skills
    tech = [s for s in catalog.skills.values() if s.category in recommendation.COMPUTING_CATEGORIES]
    other = [s for s in catalog.skills.values() if s.category not in recommendation.COMPUTING_CATEGORIES]
    assert tech and other

    def adhoc(n_tech: int, n_other: int) -> Role:
        skills = [RoleSkill(s.id, 0.5, False) for s in [*tech[:n_tech], *other[:n_other]]]
        return replace(role, kind="adhoc", soc_code="", skills=tuple(skills))

    assert recommendation.computing_role(adhoc(2, 1), cat)
    assert recommendation.computing_role(adhoc(1, 1), cat)
    assert not recommendation.computing_role(adhoc(1, 2), cat)
    assert not recommendation.computing_role(adhoc(0, 1), cat)


def test_a_computing_tool_an_occupation_only_uses_brings_no_resource(catalog: Catalog) -> None:
    """Laborers and Freight Movers list Oracle Database as a technology they use (an O*NET example, not In Demand for
    them): it stays a gap, but no PL/SQL reference or Flask tutorial is sent for it (decision 43). In Demand for the
    occupation, an O*NET element (with a level), or a computing occupation: resources as usual."""
    taught = {sid for r in catalog.resources.values() for sid in r.skills}
    tool = next(
        s for s in sorted(catalog.skills.values(), key=lambda s: s.id)
        if s.category in recommendation.COMPUTING_CATEGORIES and s.id in taught
    )  # fmt: skip
    base = catalog.roles["devops_engineer"]

    def occupation(req: RoleSkill, soc: str = "53-7062.00") -> Role:
        return replace(base, kind="occupation", soc_code=soc, skills=(req,))

    def sent(role: Role) -> list[str]:
        held = held_skills_from_ids([])
        space = SkillSpace(catalog)
        gaps = rank_gaps(compute_role_features(held, role, space, 2.0), role, held, space, None)
        assert [g.skill_id for g in gaps] == [tool.id]  # a gap either way: the roadmap lists it
        return [r.resource_id for r in recommendation.recommend(role, [], gaps, 2.0, None, catalog, top_k=5)]

    example = RoleSkill(tool.id, 0.4, False, None, 0.2)  # Hot Technology only: frequent in all postings
    assert recommendation.software_example(tool.id, occupation(example), catalog)
    assert sent(occupation(example)) == []
    assert sent(occupation(replace(example, importance=0.6, demand=1.0)))  # In Demand for this occupation
    assert sent(occupation(replace(example, level=0.5)))  # an O*NET element the occupation rates
    assert sent(occupation(RoleSkill(tool.id, 0.6, False)))  # an ESCO essential skill (no level, no demand)
    assert sent(occupation(example, soc="15-1252.00"))  # a computing occupation
    assert not recommendation.software_example(tool.id, replace(occupation(example), kind="adhoc"), catalog)


class _QuickFirst:
    """A ranker that, like the synthetic coach's, prefers what is quick to learn over what matters most."""

    def score(self, feats: list[dict[str, float]]) -> np.ndarray:
        return np.array([-f["learning_hours_log"] for f in feats])


def test_an_occupations_gaps_follow_its_importance_bands_the_ranker_orders_within(catalog: Catalog) -> None:
    """O*NET's surveyed importance orders an occupation's gaps; the (synthetic-trained) ranker only breaks ties."""
    import dataclasses

    from careerready.pipelines.gaps import importance_band

    curated = catalog.roles["devops_engineer"]
    held = held_skills_from_ids([])
    space = SkillSpace(catalog)
    rf = compute_role_features(held, curated, space, 2.0)
    as_ranked = rank_gaps(rf, curated, held, space, _QuickFirst())  # type: ignore[arg-type]
    occupation = dataclasses.replace(curated, kind="occupation")
    banded = rank_gaps(rf, occupation, held, space, _QuickFirst())  # type: ignore[arg-type]
    assert sorted(g.skill_id for g in banded) == sorted(g.skill_id for g in as_ranked)
    for gaps in (banded,):
        own = [g for g in gaps if not g.general]
        bands = [importance_band(g.importance, g.critical) for g in own]
        assert bands == sorted(bands, reverse=True)  # critical first, then importance bands, high to low
        for a, b in zip(own, own[1:], strict=False):  # within a band, the ranker's order (quick first)
            if importance_band(a.importance, a.critical) == importance_band(b.importance, b.critical):
                assert a.score >= b.score
    # the curated role keeps the ranker's order, which here is not the importance order
    own = [g for g in as_ranked if not g.general]
    assert [g.score for g in own] == sorted((g.score for g in own), reverse=True)
    assert [g.skill_id for g in as_ranked] != [g.skill_id for g in banded]
