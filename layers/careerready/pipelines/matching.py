"""Role matching: per-skill status, a learned role-fit score and its explanation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from careerready.features import (
    HeldSkill,
    RoleFeatures,
    SkillSpace,
    compute_role_features,
    held_skills_from_extracted,
)
from careerready.models.gap_ranker import GapRanker
from careerready.models.matcher import Matcher
from careerready.pipelines.gaps import rank_gaps
from careerready.schemas.analysis import FeatureContribution, MatchExplanation, RoleMatch, SkillMatch
from careerready.services.catalog import Catalog, Role

__all__ = ["as_held", "match_role", "match_roles"]


def as_held(skills: Iterable[Any] | Mapping[str, HeldSkill], catalog: Catalog) -> dict[str, HeldSkill]:
    """Accept held skills as a ``{id: HeldSkill}`` mapping or as extractor output."""
    if isinstance(skills, Mapping) and all(isinstance(v, HeldSkill) for v in skills.values()):
        return dict(skills)
    return held_skills_from_extracted(skills, catalog)


def _explain(rf: RoleFeatures, role: Role, catalog: Catalog, score: float, matcher: Matcher | None) -> MatchExplanation:
    total = sum(s.importance for s in rf.statuses) or 1.0
    held = sorted((s for s in rf.statuses if s.credit > 0), key=lambda s: (-s.importance * s.credit, s.skill_id))
    missing = sorted(
        (s for s in rf.statuses if s.status in ("missing", "partial")),
        key=lambda s: (-(s.critical), -s.importance * (1 - s.credit), s.skill_id),
    )
    carried, cost = [s.skill_id for s in held[:5]], [s.skill_id for s in missing[:5]]

    def names(ids: list[str]) -> str:
        return ", ".join(catalog.skills[i].name if i in catalog.skills else i for i in ids[:3])

    n_exact = sum(s.status in ("exact", "alias") for s in rf.statuses)
    n_partial = sum(s.status == "partial" for s in rf.statuses)
    parts = [f"{role.title}: score {score:.2f}; {n_exact}/{len(rf.statuses)} required skills held"]
    if n_partial:
        parts.append(f"{n_partial} partly covered by related skills")
    if carried:
        parts.append(f"carried by {names(carried)}")
    if cost:
        miss_crit = int(rf.values["missing_critical"])
        parts.append(f"held back by missing {names(cost)}" + (f" ({miss_crit} critical)" if miss_crit else ""))
    if rf.values["years_gap"] > 0:
        parts.append(f"{rf.years_experience:g} of {rf.min_years:g} years asked")
    contribs = []
    if matcher is not None:
        contribs = [
            FeatureContribution(feature=n, value=round(v, 6), weight=round(w, 6), contribution=round(c, 6))
            for n, v, w, c in matcher.contributions(rf.match)
        ]
    _ = total
    return MatchExplanation(summary="; ".join(parts) + ".", carried_by=carried, cost_by=cost, contributions=contribs)


def match_role(
    skills: Iterable[Any] | Mapping[str, HeldSkill],
    role: Role,
    catalog: Catalog,
    embeddings: Any,
    matcher: Matcher | None,
    years_experience: float | None = None,
    gap_ranker: GapRanker | None = None,
    top_gaps: int | None = None,
) -> RoleMatch:
    """Match held skills against one role.

    Args:
        skills: Extractor output (ExtractedSkill list) or a ``{id: HeldSkill}`` mapping.
        role: Target role.
        catalog: Compiled catalog.
        embeddings: Embeddings wrapper / dir / SkillSpace / None (catalog relations only).
        matcher: Trained matcher; None scores by importance-weighted coverage with partial credit.
        years_experience: Years of experience (None: largest years stated per skill).
        gap_ranker: If given, gaps are ranked with it; otherwise by importance.
        top_gaps: Keep only the best k gaps.

    Returns:
        RoleMatch with score in [0, 1], per-skill status, ranked gaps and explanation.
    """
    held = as_held(skills, catalog)
    space = SkillSpace.from_embeddings(catalog, embeddings)
    rf = compute_role_features(held, role, space, years_experience)
    score = matcher.predict(rf.match) if matcher is not None else rf.values["coverage_partial"]
    total = sum(s.importance for s in rf.statuses) or 1.0
    skill_matches = [
        SkillMatch(
            skill_id=s.skill_id,
            name=catalog.skills[s.skill_id].name if s.skill_id in catalog.skills else s.skill_id,
            importance=s.importance,
            critical=s.critical,
            status=s.status,  # type: ignore[arg-type]
            credit=s.credit,
            similarity=s.similarity,
            via_skill_id=s.via,
            evidence=s.evidence,
            years=s.years,
            contribution=round(s.importance * s.credit / total, 6),
        )
        for s in rf.statuses
    ]
    gaps = rank_gaps(rf, role, held, space, gap_ranker, top_k=top_gaps)
    return RoleMatch(
        role_id=role.id,
        title=role.title,
        score=round(score, 6),
        features=dict(rf.values),
        skills=skill_matches,
        gaps=gaps,
        explanation=_explain(rf, role, catalog, score, matcher),
    )


def match_roles(
    skills: Iterable[Any] | Mapping[str, HeldSkill],
    roles: Iterable[Role],
    catalog: Catalog,
    embeddings: Any,
    matcher: Matcher | None,
    years_experience: float | None = None,
    gap_ranker: GapRanker | None = None,
) -> list[RoleMatch]:
    """Match against several roles; best score first (ties by role id)."""
    held = as_held(skills, catalog)
    space = SkillSpace.from_embeddings(catalog, embeddings)
    out = [match_role(held, r, catalog, space, matcher, years_experience, gap_ranker) for r in roles]
    return sorted(out, key=lambda m: (-m.score, m.role_id))
