"""Per (held skills, role) features: each required skill exact / alias / partial / missing, the MATCH and
READINESS feature vectors, and one GAP feature row per missing skill."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from careerready.features.definitions import (
    MATCH_FEATURES,
    PARTIAL_THRESHOLD,
    READINESS_FEATURES,
    TEXT_FIT_UNKNOWN,
    YEARS_CAP,
)
from careerready.features.held import HeldSkill
from careerready.features.space import SkillSpace, partial_credit
from careerready.services.catalog import Catalog, Role


# ---------------------------------------------------------------------------------------------
# per (held skills, role) features
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SkillStatus:
    """How one required skill of a role is covered."""

    skill_id: str
    importance: float
    critical: bool
    status: str  # exact | alias | partial | missing
    credit: float  # 1 for exact/alias, partial_credit(similarity) for partial, 0 for missing
    similarity: float  # relatedness of the best held skill (1 for exact)
    via: str | None  # the held skill giving partial credit
    evidence: str | None  # evidence kind of the held skill (exact/alias/partial)
    evidence_weight: float
    years: float | None


@dataclass
class RoleFeatures:
    """All features for one (held skills, role) pair."""

    role_id: str
    statuses: list[SkillStatus]
    values: dict[str, float]
    years_experience: float
    min_years: float
    extra_relevant_ids: list[str] = field(default_factory=list)

    @property
    def match(self) -> dict[str, float]:
        """The :data:`MATCH_FEATURES` as a dict."""
        return {k: self.values[k] for k in MATCH_FEATURES}

    @property
    def readiness(self) -> dict[str, float]:
        """The :data:`READINESS_FEATURES` as a dict."""
        return {k: self.values[k] for k in READINESS_FEATURES}

    @property
    def missing(self) -> list[SkillStatus]:
        """Required skills not held exactly (partial and missing), in role order."""
        return [s for s in self.statuses if s.status in ("partial", "missing")]


def compute_role_features(
    held: Mapping[str, HeldSkill],
    role: Role,
    space: SkillSpace,
    years_experience: float | None = None,
    text_fit: float | None = None,
) -> RoleFeatures:
    """Compute per-skill statuses and the aggregate match/readiness features for one role.

    Args:
        held: ``skill_id -> HeldSkill`` (see :func:`held_skills_from_extracted`).
        role: The target role.
        space: Skill relatedness (vectors + catalog).
        years_experience: Years of relevant experience; if None, the largest per-skill years
            stated in the resume is used (0 if none).
        text_fit: :func:`~careerready.features.text_index.text_fits` of the resume text for this role; None
            (no text): :data:`TEXT_FIT_UNKNOWN`.

    Returns:
        RoleFeatures with statuses in role order and every feature in MATCH/READINESS_FEATURES.
    """
    held_ids = sorted(held)
    if years_experience is None:
        years_experience = max((h.years for h in held.values() if h.years is not None), default=0.0)
    years = float(min(max(years_experience, 0.0), YEARS_CAP))
    role_ids = set(role.skill_ids)
    statuses: list[SkillStatus] = []
    for rs in role.skills:
        h = held.get(rs.skill_id)
        if h is not None:
            status = "alias" if h.alias else "exact"
            statuses.append(
                SkillStatus(
                    rs.skill_id, rs.importance, rs.critical, status, 1.0, 1.0, None, h.evidence, h.weight, h.years
                )
            )
            continue
        via, sim = space.best_related(rs.skill_id, held_ids)
        credit = partial_credit(sim)
        if via is not None and credit > 0:
            hv = held[via]
            statuses.append(
                SkillStatus(
                    rs.skill_id,
                    rs.importance,
                    rs.critical,
                    "partial",
                    credit,
                    round(sim, 6),
                    via,
                    hv.evidence,
                    hv.weight,
                    hv.years,
                )
            )
        else:
            statuses.append(
                SkillStatus(
                    rs.skill_id, rs.importance, rs.critical, "missing", 0.0, round(sim, 6), None, None, 0.0, None
                )
            )

    imp = np.array([s.importance for s in statuses], dtype=np.float64)
    total = float(imp.sum()) or 1.0
    exact = np.array([s.status in ("exact", "alias") for s in statuses], dtype=np.float64)
    credits = np.array([s.credit for s in statuses], dtype=np.float64)
    ev = np.array([s.credit * s.evidence_weight for s in statuses], dtype=np.float64)
    crit = np.array([s.critical for s in statuses], dtype=bool)
    tech = np.array([_is_technical(space.catalog, s.skill_id) for s in statuses], dtype=bool)
    n = max(len(statuses), 1)

    extra_ids = []
    for sid in held_ids:
        if sid in role_ids:
            continue
        rel = space.relatedness(sid, list(role.skill_ids))
        if rel.size and float(rel.max()) >= PARTIAL_THRESHOLD:
            extra_ids.append(sid)

    cos = 0.0
    rv, cv = space.role_vector(role), space.centroid(held)
    if rv is not None and cv is not None:
        cos = float(np.dot(rv, cv))

    min_years = float(role.min_years)
    values = {
        "coverage_exact": float((imp * exact).sum() / total),
        "coverage_partial": float((imp * credits).sum() / total),
        "coverage_unweighted": float(exact.sum() / n),
        "critical_coverage": float(exact[crit].mean()) if crit.any() else 1.0,
        "missing_critical": float((crit & (exact == 0)).sum()),
        "evidence_coverage": float((imp * ev).sum() / total),
        "technical_coverage": float((imp * exact)[tech].sum() / (imp[tech].sum() or 1.0)) if tech.any() else 1.0,
        "critical_evidence": float(ev[crit].mean()) if crit.any() else 1.0,
        "years_ratio": float(min(years / max(min_years, 0.5), 2.0)),
        "embedding_cosine": cos,
        "extra_relevant": float(min(len(extra_ids) / n, 1.0)),
        "partial_share": float(sum(s.status == "partial" for s in statuses) / n),
        "years_experience": years,
        "years_gap": float(max(min_years - years, 0.0)),
        "text_fit": float(TEXT_FIT_UNKNOWN if text_fit is None else text_fit),
    }
    values = {k: round(v, 6) for k, v in values.items()}
    return RoleFeatures(role.id, statuses, values, years, min_years, extra_ids)


def _is_technical(catalog: Catalog, skill_id: str) -> bool:
    s = catalog.skills.get(skill_id)
    return True if s is None else s.is_technical


def gap_features(
    rf: RoleFeatures,
    role: Role,
    held: Mapping[str, HeldSkill],
    space: SkillSpace,
) -> list[tuple[str, dict[str, float]]]:
    """One :data:`GAP_FEATURES` row per required skill not held exactly (partial or missing).

    Returns:
        ``[(skill_id, features)]`` in role order.
    """
    catalog = space.catalog
    order = sorted(role.skills, key=lambda r: (-r.importance, r.skill_id))
    rank = {r.skill_id: i for i, r in enumerate(order)}
    denom = max(len(order) - 1, 1)
    role_ids = list(role.skill_ids)
    # an O*NET occupation's own market signal for a skill (Hot Technology / In Demand) raises the catalog-wide demand
    role_demand = {r.skill_id: r.demand for r in role.skills if r.demand is not None}
    rows: list[tuple[str, dict[str, float]]] = []
    for st in rf.missing:
        sk = catalog.skills.get(st.skill_id)
        direct = [p for p in (sk.prerequisites if sk else ()) if p in catalog.skills]
        closure = space.closure(st.skill_id)
        dependents = sum(1 for o in role_ids if o != st.skill_id and st.skill_id in space.closure(o))
        hours = sk.learning_hours if sk else 40.0
        row = {
            "importance": st.importance,
            "critical": 1.0 if st.critical else 0.0,
            "demand": max(sk.demand if sk else 0.5, role_demand.get(st.skill_id, 0.0)),
            "prereq_held_fraction": (sum(p in held for p in direct) / len(direct)) if direct else 1.0,
            "prereq_missing": float(sum(p not in held for p in closure)),
            "dependents": float(dependents),
            "learning_hours_log": math.log1p(max(hours, 0.0)),
            "partial_similarity": st.similarity if st.status == "partial" else 0.0,
            "importance_rank": rank.get(st.skill_id, 0) / denom,
            "is_technical": 1.0 if (sk is None or sk.is_technical) else 0.0,
        }
        rows.append((st.skill_id, {k: round(float(v), 6) for k, v in row.items()}))
    return rows
