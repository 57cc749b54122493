"""Learning-resource recommendation for a role's skill gaps (CF + content blend, with reasons)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

from careerready.models.recommender import LEVELS, Recommender, level_fit
from careerready.schemas.analysis import GapItem, RecommendedResource
from careerready.services.catalog import SOFTWARE_AUDIENCE, Catalog, Role

__all__ = [
    "COMPUTING_CATEGORIES",
    "COMPUTING_SHARE",
    "COMPUTING_SOC",
    "EXAMPLE_MAX_IMPORTANCE",
    "FOCUS_GAPS",
    "IN_DEMAND",
    "PREREQUISITE_SHARE",
    "computing_role",
    "content_only_recommender",
    "gap_weights",
    "recommend",
    "resources_note",
    "software_example",
]

#: A missing prerequisite of a gap counts this share of the gap's weight.
PREREQUISITE_SHARE = 0.5
#: Resources are recommended for the gaps a person learns first: the best-ranked FOCUS_GAPS gaps and their missing
#: prerequisites, and only those. An O*NET occupation lists 35-50 requirements; without the focus a registered nurse
#: was sent a data-science certificate because it teaches Python, a prerequisite of Apache Spark, her gap #41 (a
#: technology O*NET lists as an example, not a need). When none of the focus gaps has a curated resource there are
#: none, and :func:`resources_note` says so (a catalog without resources for the person's field: a bare checkout).
FOCUS_GAPS = 10
#: O*NET-SOC code prefixes of the computing occupations: SOC major group 15 (Computer and Mathematical) and 11-3021
#: (Computer and Information Systems Managers).
COMPUTING_SOC = ("15-", "11-3021")
#: Taxonomy categories of computing skills: an ad-hoc role (a job posting) with at least COMPUTING_SHARE of its
#: importance in them is a computing role.
COMPUTING_CATEGORIES = frozenset(
    "analytics-bi backend blockchain cloud data-engineering databases devops ml-ai mobile networking observability "
    "os-systems programming-languages security software-engineering testing-qa web-frontend".split()
)
COMPUTING_SHARE = 0.5


def gap_weights(gaps: Sequence[GapItem]) -> dict[str, float]:
    """Weight per skill to learn: 1/sqrt(rank) for gaps, a share of that for their missing prerequisites."""
    w: dict[str, float] = {}
    for g in gaps:
        gw = 1.0 / math.sqrt(max(g.rank, 1))
        w[g.skill_id] = max(w.get(g.skill_id, 0.0), gw)
        for p in g.prerequisites_missing:
            w[p] = max(w.get(p, 0.0), PREREQUISITE_SHARE * gw)
    return w


def computing_role(role: Role, catalog: Catalog) -> bool:
    """A role in computing, for whom resources written for software people (``Resource.audience == "software"``)
    are recommended: every curated role (all 55 are software, data, IT or tech-product roles), the occupations of
    :data:`COMPUTING_SOC`, and an ad-hoc role (a job posting) with at least :data:`COMPUTING_SHARE` of its
    importance in :data:`COMPUTING_CATEGORIES` skills."""
    if role.kind == "curated":
        return True
    if role.kind == "occupation":
        return role.soc_code.startswith(COMPUTING_SOC)
    total = sum(s.importance for s in role.skills)
    tech = sum(
        s.importance
        for s in role.skills
        if (sk := catalog.skills.get(s.skill_id)) is not None and sk.category in COMPUTING_CATEGORIES
    )
    return total > 0 and tech / total >= COMPUTING_SHARE


#: Market demand at which O*NET flags a technology In Demand for an occupation (``training.importers.onet_roles``:
#: 0.8 x In Demand + 0.2 x Hot Technology; tests/unit/test_onet_roles.py holds the two equal).
IN_DEMAND = 0.8
#: Highest importance of an O*NET technology example (0.4; a tool named in ``tools_used.txt``: 0.5). An In Demand
#: product (0.6) and an ESCO essential skill (0.6: Market Research for Market Research Analysts) are requirements.
EXAMPLE_MAX_IMPORTANCE = 0.5


def software_example(skill_id: str, role: Role, catalog: Catalog) -> bool:
    """A computing skill that an occupation outside computing lists only as a technology its people use (an O*NET
    technology example, not In Demand for it: no element ``level``, ``demand`` below :data:`IN_DEMAND`, importance
    at most :data:`EXAMPLE_MAX_IMPORTANCE`): Oracle Database for Laborers and Freight Movers. It stays a gap (the roadmap lists it), but it brings no learning
    resource: a PL/SQL reference or a Flask tutorial is not what a warehouse worker needs to learn (decision 43)."""
    if role.kind != "occupation" or computing_role(role, catalog):
        return False
    sk = catalog.skills.get(skill_id)
    if sk is None or sk.category not in COMPUTING_CATEGORIES:
        return False
    req = next((s for s in role.skills if s.skill_id == skill_id), None)
    return (
        req is not None
        and req.level is None
        and (req.demand or 0.0) < IN_DEMAND
        and req.importance <= EXAMPLE_MAX_IMPORTANCE
    )


def content_only_recommender(catalog: Catalog) -> Recommender:
    """A recommender with no CF factors (alpha 0) over the catalog's resources."""
    ids = tuple(sorted(catalog.resources))
    return Recommender(
        resource_ids=ids,
        components=np.zeros((0, len(ids))),
        popularity=np.zeros(len(ids)),
        resource_skills=tuple(catalog.resources[r].skills for r in ids),
        resource_levels=tuple(catalog.resources[r].level for r in ids),
        alpha=0.0,
        held_weight=0.0,
    )


def recommend(
    role: Role,
    held_skill_ids: Iterable[str],
    gaps: Sequence[GapItem],
    years_experience: float | None,
    recommender: Recommender | None,
    catalog: Catalog,
    top_k: int = 10,
) -> list[RecommendedResource]:
    """Recommend resources that teach the gap skills (or their missing prerequisites).

    Args:
        role: Target role (names the reason text).
        held_skill_ids: Skills already held (fold-in signal; resources teaching only these are skipped).
        gaps: Ranked gaps (rank 1 = most important to learn).
        years_experience: Picks the fitting level (beginner < 1 y <= intermediate < 4 y <= advanced).
        recommender: Trained recommender; None = content match only.
        catalog: Catalog (resource titles, urls).
        top_k: Number of resources.

    Returns:
        Resources, best first; each teaches at least one of the first :data:`FOCUS_GAPS` gaps or one of their
        missing prerequisites (none when no resource does: :func:`resources_note` says why).
    """
    weights = gap_weights(gaps)
    if not weights:
        return []
    rec = recommender if recommender is not None else content_only_recommender(catalog)
    held = sorted(set(held_skill_ids))
    blend, cf, content = rec.score(weights, years_experience, held)
    focus = [g for g in gaps if g.rank <= FOCUS_GAPS and not software_example(g.skill_id, role, catalog)]
    candidates = _teaching(rec, gap_weights(focus), catalog, role)
    masked = np.where(candidates, blend, -np.inf)
    gap_rank = {g.skill_id: g.rank for g in gaps}
    out: list[RecommendedResource] = []
    for i in rec.top_k(masked, top_k):
        if not np.isfinite(masked[i]):
            break
        res = catalog.resources[rec.resource_ids[i]]
        teaches = [s for s in res.skills if s in weights]
        teaches.sort(key=lambda s: (gap_rank.get(s, 10_000), s))
        share = rec.cf_share(i, cf, content)
        out.append(
            RecommendedResource(
                resource_id=res.id,
                title=res.title,
                provider=res.provider,
                url=res.url,
                level=res.level,
                hours=res.hours,
                free=res.free,
                score=round(float(blend[i]), 6),
                teaches=teaches,
                cf_score=round(float(cf[i]), 6),
                content_score=round(float(content[i]), 6),
                cf_share=round(share, 6),
                reason=_reason(res.level, teaches, gap_rank, catalog, role, years_experience, share),
            )
        )
    return out


def resources_note(gaps: Sequence[GapItem], resources: Sequence[RecommendedResource]) -> str | None:
    """Why a role with gaps gets no learning resource (None when it gets some, or has no gap)."""
    if resources or not gaps:
        return None
    first = sorted(gaps, key=lambda g: g.rank)[:FOCUS_GAPS]
    names = ", ".join(g.name for g in first[:5]) + (", ..." if len(first) > 5 else "")
    return (
        f"No curated learning resource teaches the first {len(first)} gap{'s' if len(first) != 1 else ''} of this "
        f"role ({names}) or their prerequisites yet: the resource catalog covers software, data, office, health care, "
        "safety and the main knowledge areas, not every field's own skills. The roadmap still lists what to learn, in "
        "order."
    )


def _teaching(rec: Recommender, weights: dict[str, float], catalog: Catalog, role: Role) -> np.ndarray:
    """Mask of the catalog's resources that teach at least one skill of ``weights`` and are written for people
    in ``role``'s field: a resource for software people (``audience == "software"``: The Manager's Path, an IT
    support certificate) only for a computing role (:func:`computing_role`), not for a chef's People Management."""
    teaching = rec.teaches(weights) if weights else np.zeros(rec.n_items)
    computing = computing_role(role, catalog)
    out = np.zeros(rec.n_items, dtype=bool)
    for i, rid in enumerate(rec.resource_ids):
        res = catalog.resources.get(rid)
        out[i] = teaching[i] > 0 and res is not None and (computing or res.audience != SOFTWARE_AUDIENCE)
    return out


def _reason(
    level: str,
    teaches: list[str],
    gap_rank: dict[str, int],
    catalog: Catalog,
    role: Role,
    years: float | None,
    cf_share: float,
) -> str:
    parts = []
    named = []
    for s in teaches[:3]:
        name = catalog.skills[s].name if s in catalog.skills else s
        named.append(f"{name} (gap #{gap_rank[s]})" if s in gap_rank else f"{name} (prerequisite)")
    parts.append(f"teaches {', '.join(named)} for {role.title}")
    if level in LEVELS and level_fit(level, years) == 1.0:
        parts.append(f"{level} level fits {0 if years is None else years:g} years of experience")
    parts.append(f"{cf_share:.0%} from learners with similar skills, {1 - cf_share:.0%} from content match")
    return "; ".join(parts)
