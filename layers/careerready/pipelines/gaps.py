"""Gap ranking: which missing required skills to learn first, with reasons."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from careerready.features import HeldSkill, RoleFeatures, SkillSpace, gap_features
from careerready.models.gap_ranker import GapRanker
from careerready.schemas.analysis import GapItem
from careerready.services.catalog import Catalog, Role

__all__ = ["IMPORTANCE_BAND", "gap_reasons", "general_reason", "importance_band", "importance_scores", "rank_gaps"]


def importance_scores(rows: list[dict[str, float]]) -> np.ndarray:
    """Fallback (and baseline) ordering: importance, critical skills first."""
    return np.array([r["importance"] + (1.0 if r["critical"] else 0.0) for r in rows], dtype=np.float64)


def gap_reasons(
    features: Mapping[str, float], catalog: Catalog, prereq_missing: list[str], via: str | None
) -> list[str]:
    """Human-readable reasons derived from a gap's feature values."""
    reasons: list[str] = []
    if features["critical"]:
        reasons.append("critical for the role")
    elif features["importance"] >= 0.75:
        reasons.append(f"high importance for the role ({features['importance']:.2f})")
    if features["dependents"] >= 1:
        n = int(features["dependents"])
        reasons.append(f"unlocks {n} other required skill{'s' if n != 1 else ''}")
    if prereq_missing:
        names = ", ".join(catalog.skills[p].name if p in catalog.skills else p for p in prereq_missing[:3])
        reasons.append(
            f"needs {len(prereq_missing)} prerequisite{'s' if len(prereq_missing) != 1 else ''} first ({names})"
        )
    elif features["prereq_held_fraction"] >= 1.0 and features["prereq_missing"] == 0 and via is None:
        reasons.append("prerequisites already held")
    if via is not None and features["partial_similarity"] > 0:
        name = catalog.skills[via].name if via in catalog.skills else via
        reasons.append(f"builds on {name}, which you already know")
    if features["demand"] >= 0.7:
        reasons.append("high market demand")
    hours = math.expm1(features["learning_hours_log"])
    if hours <= 20:
        reasons.append(f"quick to learn (~{hours:.0f} h)")
    return reasons


#: Width of the importance bands that order the gaps of a role the ranker never trained on (below).
IMPORTANCE_BAND = 0.1


def importance_band(importance: float, critical: bool) -> int:
    """The band of a gap of an O*NET occupation or a job posting: critical first, then importance in steps of
    :data:`IMPORTANCE_BAND` (0.73 and 0.71 share a band, 0.5 is below them)."""
    return (1000 if critical else 0) + math.floor(importance / IMPORTANCE_BAND + 1e-9)


def general_reason(share: float) -> str:
    """The reason a general skill (:attr:`Catalog.general_skills`) comes after the role's own."""
    return f"listed by {share:.0%} of occupations: if you have it, show it on your resume"


def rank_gaps(
    rf: RoleFeatures,
    role: Role,
    held: Mapping[str, HeldSkill],
    space: SkillSpace,
    ranker: GapRanker | None = None,
    top_k: int | None = None,
) -> list[GapItem]:
    """Rank the role's required skills that are not held (missing or partial).

    Args:
        rf: Features of (held, role) from :func:`careerready.features.compute_role_features`.
        role: The role.
        held: Held skills.
        space: Skill space (catalog + vectors).
        ranker: Trained gap ranker; None falls back to importance (critical first).
        top_k: Keep only the best k.

    Returns:
        GapItems, rank 1 first: the role's own skills in the ranker's order (ties by importance, then skill id),
        then the general ones (:attr:`Catalog.general_skills`, not critical here) in the same order. For a role the
        ranker never trained on (an O*NET occupation, whose importance is O*NET's surveyed rating, or a job posting,
        whose importance is its requirement level: ``role.kind != "curated"``) the ranker orders only within an
        :func:`importance_band`: a truck driver's "Transportation" (0.76) before "Microsoft Windows" (0.5), however
        quick Windows is to learn (docs/roles-and-resources.md, "Gap order for occupations and postings").
    """
    catalog = space.catalog
    rows = gap_features(rf, role, held, space)
    if not rows:
        return []
    feats = [f for _, f in rows]
    scores = ranker.score(feats) if ranker is not None else importance_scores(feats)
    status = {s.skill_id: s for s in rf.statuses}
    banded = role.kind != "curated"

    def band(i: int) -> int:
        return importance_band(feats[i]["importance"], bool(feats[i]["critical"])) if banded else 0

    order = sorted(
        range(len(rows)), key=lambda i: (-band(i), -round(float(scores[i]), 9), -feats[i]["importance"], rows[i][0])
    )
    # the role's own skills first, general ones (most occupations list them) after, each in the ranker's order
    general = {rows[i][0] for i in order if rows[i][0] in catalog.general_skills and not feats[i]["critical"]}
    order = sorted(order, key=lambda i: rows[i][0] in general)
    items: list[GapItem] = []
    for rank, i in enumerate(order, 1):
        sid, f = rows[i]
        st = status[sid]
        sk = catalog.skills.get(sid)
        prereq_missing = [p for p in space.closure(sid) if p not in held]
        prereq_missing = catalog.topological_order(prereq_missing)
        via = st.via if st.status == "partial" else None
        items.append(
            GapItem(
                skill_id=sid,
                name=sk.name if sk else sid,
                rank=rank,
                score=round(float(scores[i]), 6),
                importance=st.importance,
                critical=st.critical,
                demand=f["demand"],
                learning_hours=sk.learning_hours if sk else round(math.expm1(f["learning_hours_log"]), 1),
                status="partial" if st.status == "partial" else "missing",
                partial_via=via,
                prerequisites_missing=prereq_missing,
                reasons=gap_reasons(f, catalog, prereq_missing, via)
                + ([general_reason(catalog.occupation_share[sid])] if sid in general else []),
                features=f,
                general=sid in general,
            )
        )
    return items[:top_k] if top_k is not None else items
