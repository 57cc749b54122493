"""Feature definitions shared by training AND serving (one definition, one code path).

Given the skills a person holds (with evidence section, years and negation from the extractor)
and a target role, this module decides per required skill whether it is held exactly (or through
an alias), partially (a related held skill, by embedding cosine plus catalog relations) or missing,
and aggregates that into the feature vectors the models use:

- :data:`MATCH_FEATURES`     -> matching model (role-fit score)
- :data:`READINESS_FEATURES` -> readiness classifier (needs_upskilling | almost_ready | industry_ready)
- :data:`GAP_FEATURES`       -> gap ranker, one row per missing required skill

and, for ranking roles by resume TEXT, :class:`RoleTextIndex` (TF-IDF cosine between a resume and
each role's profile document, IDF over the role documents only).

Serving-safe: numpy + stdlib only.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np

from careerready.services.catalog import Catalog, Role
from careerready.text import normalize_alias

_T = TypeVar("_T")

__all__ = [
    "EVIDENCE_WEIGHTS",
    "GAP_FEATURES",
    "MATCH_FEATURES",
    "PROFILE_WEIGHT",
    "PARTIAL_THRESHOLD",
    "READINESS_FEATURES",
    "READINESS_LABELS",
    "HeldSkill",
    "RoleFeatures",
    "RoleTextIndex",
    "SkillSpace",
    "SkillStatus",
    "built_once",
    "compute_role_features",
    "evidence_kind",
    "gap_features",
    "held_skills_from_extracted",
    "held_skills_from_ids",
    "partial_credit",
    "role_document",
    "role_text_index",
    "skill_space_for",
    "to_vector",
]

EvidenceKind = Literal["work", "project", "listed", "course", "other"]
Status = Literal["exact", "alias", "partial", "missing"]

#: How much a mention counts, by the resume section it comes from (work > listed > course).
EVIDENCE_WEIGHTS: dict[str, float] = {"work": 1.0, "project": 0.85, "listed": 0.65, "other": 0.55, "course": 0.45}

#: Relatedness (cosine + catalog relation bonus) at or above which a held skill gives partial credit.
PARTIAL_THRESHOLD = 0.62
PARTIAL_MIN_CREDIT = 0.25
PARTIAL_MAX_CREDIT = 0.7
#: Bonus to relatedness when two skills share a catalog category / are prerequisite-linked.
SAME_CATEGORY_BONUS = 0.06
PREREQUISITE_BONUS = 0.1
#: Relatedness assumed when a skill has no vector (catalog relations still apply).
NO_VECTOR_SIMILARITY = 0.5
YEARS_CAP = 15.0

READINESS_LABELS: tuple[str, ...] = ("needs_upskilling", "almost_ready", "industry_ready")

MATCH_FEATURES: tuple[str, ...] = (
    "coverage_exact",  # importance-weighted share of role skills held (exact or alias)
    "coverage_partial",  # same, partial matches count their credit
    "coverage_unweighted",  # plain share of role skills held (exact or alias)
    "critical_coverage",  # share of critical skills held (1 if the role has none)
    "missing_critical",  # number of critical skills not held (partial counts as not held)
    "evidence_coverage",  # importance-weighted credit x evidence weight (work > listed > course)
    "technical_coverage",  # importance-weighted coverage over technical skills only
    "critical_evidence",  # mean over critical skills of credit x evidence weight (1 if none critical)
    "years_ratio",  # years of experience / role min_years, capped at 2
    "embedding_cosine",  # cosine(resume skill centroid, role vector)
    "extra_relevant",  # held skills outside the role but related to it, / number of role skills, capped at 1
    "partial_share",  # share of role skills matched only partially
)

READINESS_FEATURES: tuple[str, ...] = (
    "coverage_exact",
    "coverage_partial",
    "critical_coverage",
    "missing_critical",
    "evidence_coverage",
    "technical_coverage",
    "critical_evidence",
    "embedding_cosine",
    "years_ratio",
    "years_experience",  # capped at YEARS_CAP
    "years_gap",  # max(min_years - years, 0)
)

GAP_FEATURES: tuple[str, ...] = (
    "importance",  # role weight of the skill
    "critical",  # 1 if critical for the role
    "demand",  # market demand in [0, 1]
    "prereq_held_fraction",  # share of the skill's direct prerequisites already held (1 if none)
    "prereq_missing",  # number of its prerequisites (direct + indirect) not held
    "dependents",  # number of OTHER role skills that need this one (in their prerequisite closure)
    "learning_hours_log",  # log1p(catalog learning hours)
    "partial_similarity",  # best relatedness to a held skill (0 if below threshold)
    "importance_rank",  # rank of the skill by importance within the role, 0 = most important, / n-1
    "is_technical",  # 1 unless soft skill / human language
)


# ---------------------------------------------------------------------------------------------
# held skills
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class HeldSkill:
    """A skill the person holds, aggregated over all its (non-negated) mentions."""

    skill_id: str
    evidence: str = "listed"
    weight: float = EVIDENCE_WEIGHTS["listed"]
    years: float | None = None
    alias: bool = False  # every mention used an alias rather than the canonical name
    mentions: int = 1


def evidence_kind(section: str | None) -> str:
    """Map a resume section name to an evidence kind (work, project, listed, course, other)."""
    s = (section or "").lower()
    if any(k in s for k in ("experience", "employment", "work", "career", "professional")):
        return "work"
    if "project" in s:
        return "project"
    if any(k in s for k in ("skill", "summary", "profile", "technolog", "competenc", "tool", "expertise")):
        return "listed"
    if any(k in s for k in ("education", "course", "certif", "training", "academic", "award")):
        return "course"
    return "other"


def held_skills_from_extracted(skills: Iterable[Any], catalog: Catalog | None = None) -> dict[str, HeldSkill]:
    """Aggregate extractor output into held skills (one per skill id).

    Args:
        skills: Objects (or dicts) with ``skill_id``, ``section``, ``years``, ``negated`` and ``text``
            attributes, e.g. :class:`careerready.schemas.extraction.ExtractedSkill`.
        catalog: Used to tell canonical-name mentions from alias mentions (optional).

    Returns:
        ``skill_id -> HeldSkill``; negated mentions and unresolved skills are dropped; the strongest
        evidence, the largest stated years and the mention count are kept. Sorted by skill id.
    """
    agg: dict[str, dict[str, Any]] = {}
    for s in _mentions(skills):
        get = s.get
        sid = get("skill_id")
        if not sid or get("negated"):
            continue
        kind = evidence_kind(get("section"))
        weight = EVIDENCE_WEIGHTS[kind]
        years = get("years")
        text = get("text") or ""
        is_alias = False
        if catalog is not None and sid in catalog.skills:
            is_alias = normalize_alias(text) != normalize_alias(catalog.skills[sid].name) if text else False
        cur = agg.get(sid)
        if cur is None:
            agg[sid] = {"kind": kind, "weight": weight, "years": years, "alias": is_alias, "n": 1}
            continue
        if weight > cur["weight"]:
            cur["kind"], cur["weight"] = kind, weight
        if years is not None and (cur["years"] is None or years > cur["years"]):
            cur["years"] = years
        cur["alias"] = cur["alias"] and is_alias
        cur["n"] += 1
    return {
        sid: HeldSkill(
            sid, a["kind"], a["weight"], None if a["years"] is None else float(a["years"]), a["alias"], a["n"]
        )
        for sid, a in sorted(agg.items())
    }


def _mentions(skills: Iterable[Any]) -> list[dict[str, Any]]:
    """Flatten skills into mention dicts; an ExtractedSkill with ``mentions`` yields one dict per mention."""
    out: list[dict[str, Any]] = []
    for s in skills:
        d = dict(s) if isinstance(s, Mapping) else {k: getattr(s, k, None) for k in _FIELDS}
        mentions = d.get("mentions") or []
        if not mentions:
            out.append(d)
            continue
        for m in mentions:
            md = dict(m) if isinstance(m, Mapping) else {k: getattr(m, k, None) for k in _FIELDS}
            md["skill_id"] = d.get("skill_id")
            out.append(md)
    return out


_FIELDS = ("skill_id", "section", "years", "negated", "text", "mentions")


def held_skills_from_ids(skill_ids: Iterable[str], evidence: str = "listed") -> dict[str, HeldSkill]:
    """Held skills known only by id (e.g. a profile form); all get the same evidence kind."""
    weight = EVIDENCE_WEIGHTS.get(evidence, EVIDENCE_WEIGHTS["other"])
    return {sid: HeldSkill(sid, evidence, weight) for sid in sorted(set(skill_ids))}


# ---------------------------------------------------------------------------------------------
# skill space: vectors + catalog relations
# ---------------------------------------------------------------------------------------------
class SkillSpace:
    """Skill relatedness from embedding cosine plus catalog relations (category, prerequisites).

    Args:
        catalog: The compiled catalog.
        skill_ids: Ids for the rows of ``skill_vectors`` (L2-normalised float32); optional.
        skill_vectors: ``(n, d)`` matrix.
        role_ids: Ids for the rows of ``role_vectors``; optional.
        role_vectors: ``(m, d)`` matrix.
    """

    def __init__(
        self,
        catalog: Catalog,
        skill_ids: Sequence[str] | None = None,
        skill_vectors: np.ndarray | None = None,
        role_ids: Sequence[str] | None = None,
        role_vectors: np.ndarray | None = None,
    ) -> None:
        self.catalog = catalog
        self._skill_row: dict[str, int] = {s: i for i, s in enumerate(skill_ids or ())}
        self._vectors = _normalise(skill_vectors) if skill_vectors is not None else None
        self._role_row: dict[str, int] = {r: i for i, r in enumerate(role_ids or ())}
        self._role_vectors = _normalise(role_vectors) if role_vectors is not None else None
        self._closure: dict[str, frozenset[str]] = {}

    @classmethod
    def from_dir(cls, catalog: Catalog, directory: Path | str | None) -> SkillSpace:
        """Load ``skill_vectors.npy``/``skill_ids.json`` (and role vectors if present) from an embeddings dir."""
        if directory is None:
            return cls(catalog)
        root = Path(directory)
        kwargs: dict[str, Any] = {}
        if (root / "skill_vectors.npy").is_file() and (root / "skill_ids.json").is_file():
            kwargs["skill_vectors"] = np.load(root / "skill_vectors.npy")
            kwargs["skill_ids"] = json.loads((root / "skill_ids.json").read_text(encoding="utf-8"))
        if (root / "role_vectors.npy").is_file() and (root / "role_ids.json").is_file():
            kwargs["role_vectors"] = np.load(root / "role_vectors.npy")
            kwargs["role_ids"] = json.loads((root / "role_ids.json").read_text(encoding="utf-8"))
        return cls(catalog, **kwargs)

    @classmethod
    def from_embeddings(cls, catalog: Catalog, embeddings: Any) -> SkillSpace:
        """Build from a loaded embeddings wrapper (duck-typed) or return an existing SkillSpace.

        Accepts an object with ``skill_ids``/``skill_vectors`` (and optionally ``role_ids``/
        ``role_vectors``) attributes, an embeddings directory path, or None (catalog relations only).
        """
        if isinstance(embeddings, SkillSpace):
            return embeddings
        if embeddings is None or isinstance(embeddings, str | Path):
            return cls.from_dir(catalog, embeddings)
        cached = getattr(embeddings, "_careerready_skill_space", None)
        if isinstance(cached, SkillSpace) and cached.catalog is catalog:
            return cached
        space = cls(
            catalog,
            skill_ids=_opt_list(getattr(embeddings, "skill_ids", None)),
            skill_vectors=getattr(embeddings, "skill_vectors", None),
            role_ids=_opt_list(getattr(embeddings, "role_ids", None)),
            role_vectors=getattr(embeddings, "role_vectors", None),
        )
        try:
            embeddings._careerready_skill_space = space
        except (AttributeError, TypeError):  # slots / frozen wrappers: just don't cache
            pass
        return space

    @property
    def has_vectors(self) -> bool:
        """True if skill vectors are loaded."""
        return self._vectors is not None

    def vector(self, skill_id: str) -> np.ndarray | None:
        """The unit vector of a skill (None if unknown)."""
        if self._vectors is None or skill_id not in self._skill_row:
            return None
        vec: np.ndarray = self._vectors[self._skill_row[skill_id]]
        return vec

    def closure(self, skill_id: str) -> frozenset[str]:
        """Direct and indirect prerequisites of a skill (memoised; empty for unknown ids)."""
        if skill_id not in self._closure:
            if skill_id in self.catalog.skills:
                self._closure[skill_id] = frozenset(self.catalog.prerequisite_closure(skill_id))
            else:
                self._closure[skill_id] = frozenset()
        return self._closure[skill_id]

    def relatedness(self, target: str, others: Sequence[str]) -> np.ndarray:
        """Relatedness in [0, 0.99] of ``target`` to each of ``others`` (cosine + catalog bonuses)."""
        n = len(others)
        if n == 0:
            return np.zeros(0, dtype=np.float64)
        base = np.full(n, NO_VECTOR_SIMILARITY, dtype=np.float64)
        tv = self.vector(target)
        if tv is not None and self._vectors is not None:
            rows = [self._skill_row.get(o, -1) for o in others]
            idx = np.array([r for r in rows if r >= 0], dtype=np.int64)
            if idx.size:
                sims = self._vectors[idx] @ tv
                mask = np.array([r >= 0 for r in rows])
                base[mask] = sims.astype(np.float64)
        t_skill = self.catalog.skills.get(target)
        t_closure = self.closure(target)
        for i, o in enumerate(others):
            if o == target:
                base[i] = 1.0
                continue
            o_skill = self.catalog.skills.get(o)
            if t_skill is not None and o_skill is not None and t_skill.category == o_skill.category:
                base[i] += SAME_CATEGORY_BONUS
            if o in t_closure or target in self.closure(o):
                base[i] += PREREQUISITE_BONUS
        out = np.clip(base, 0.0, 0.99)
        for i, o in enumerate(others):
            if o == target:
                out[i] = 1.0
        return out

    def best_related(self, target: str, held_ids: Sequence[str]) -> tuple[str | None, float]:
        """The held skill most related to ``target`` and its relatedness (ties: first by id)."""
        candidates = sorted(h for h in held_ids if h != target)
        if not candidates:
            return None, 0.0
        rel = self.relatedness(target, candidates)
        i = int(np.argmax(rel))
        return candidates[i], float(rel[i])

    def role_vector(self, role: Role) -> np.ndarray | None:
        """The role's vector: from role_vectors if present, else importance-weighted skill centroid."""
        if self._role_vectors is not None and role.id in self._role_row:
            rvec: np.ndarray = self._role_vectors[self._role_row[role.id]]
            return rvec
        vecs, weights = [], []
        for rs in role.skills:
            v = self.vector(rs.skill_id)
            if v is not None:
                vecs.append(v)
                weights.append(rs.importance)
        if not vecs:
            return None
        c = np.average(np.stack(vecs), axis=0, weights=np.asarray(weights))
        nrm = float(np.linalg.norm(c))
        return c / nrm if nrm > 0 else None

    def centroid(self, held: Mapping[str, HeldSkill]) -> np.ndarray | None:
        """Evidence-weighted unit centroid of the held skills' vectors (None without vectors)."""
        vecs, weights = [], []
        for sid in sorted(held):
            v = self.vector(sid)
            if v is not None:
                vecs.append(v)
                weights.append(held[sid].weight)
        if not vecs:
            return None
        c = np.average(np.stack(vecs), axis=0, weights=np.asarray(weights))
        nrm = float(np.linalg.norm(c))
        return c / nrm if nrm > 0 else None


def _opt_list(x: Any) -> list[str] | None:
    return None if x is None else [str(v) for v in x]


def _normalise(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float32)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: np.ndarray = m / norms
    return out


def partial_credit(similarity: float) -> float:
    """Credit in [PARTIAL_MIN_CREDIT, PARTIAL_MAX_CREDIT] for a related skill (0 below the threshold)."""
    if similarity < PARTIAL_THRESHOLD:
        return 0.0
    frac = (similarity - PARTIAL_THRESHOLD) / (1.0 - PARTIAL_THRESHOLD)
    return round(PARTIAL_MIN_CREDIT + (PARTIAL_MAX_CREDIT - PARTIAL_MIN_CREDIT) * min(frac, 1.0), 6)


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
) -> RoleFeatures:
    """Compute per-skill statuses and the aggregate match/readiness features for one role.

    Args:
        held: ``skill_id -> HeldSkill`` (see :func:`held_skills_from_extracted`).
        role: The target role.
        space: Skill relatedness (vectors + catalog).
        years_experience: Years of relevant experience; if None, the largest per-skill years
            stated in the resume is used (0 if none).

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


def to_vector(features: Mapping[str, float], names: Sequence[str]) -> np.ndarray:
    """Order a feature dict as a float64 vector; a missing name raises KeyError naming it."""
    try:
        return np.array([float(features[n]) for n in names], dtype=np.float64)
    except KeyError as exc:
        raise KeyError(f"missing feature {exc.args[0]!r}") from exc


# ---------------------------------------------------------------------------------------------
# resume text -> role profile similarity (role ranking)
# ---------------------------------------------------------------------------------------------
#: Function words dropped before counting terms (a short fixed list: the IDF does the rest).
_STOP_WORDS: frozenset[str] = frozenset(
    "a an the and or of to in for on with by at from as is are be this that it its your our their you we i my "
    "me was were will has have had not no but into over under about more most other such than then so can may".split()
)
# words of letters/digits that may contain + # . inside or + # at the end (c++, c#, node.js, asp.net)
_TERM_RE = re.compile(r"[a-z0-9][a-z0-9+#.]*[a-z0-9+#]|[a-z0-9]")


def _terms(text: str) -> list[str]:
    """Lower-cased words minus stop words, plus the bigrams of consecutive kept words."""
    words = [w for w in _TERM_RE.findall(text.lower()) if w not in _STOP_WORDS]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def role_document(role: Role, catalog: Catalog) -> str:
    """A role's profile text: title, alternative titles, description and the names of its skills."""
    names = [catalog.skills[s.skill_id].name if s.skill_id in catalog.skills else s.skill_id for s in role.skills]
    return "\n".join([role.title, *role.alt_titles, role.description, *names])


#: Weight of a role's O*NET ``profile`` lines in its :class:`RoleTextIndex` row, relative to the authored
#: document. 0 = profiles unused: every variant measured on the selection half of the dotin evaluation
#: (docs/role-matching.md, "O*NET role profiles") lowered or did not reliably raise top-1.
PROFILE_WEIGHT = 0.0


class RoleTextIndex:
    """TF-IDF cosine between a text and every role's profile document (numpy + stdlib only).

    The vocabulary and the IDF come from the role documents alone (never from resumes): term
    weight = (1 + ln tf) x (ln((1 + n_roles) / (1 + df)) + 1), rows L2-normalised. A resume term that
    no role document contains adds nothing. Built once per catalog (:func:`role_text_index`).

    With ``profiles`` and ``profile_weight > 0`` a role's row is the authored document's weights plus
    ``profile_weight`` x the profile's (same tf and IDF form; IDF over document + profile), then
    L2-normalised. With ``profile_weight == 0`` profiles are ignored entirely (not even in the IDF).

    Args:
        documents: ``{role_id: authored text}`` (:func:`role_document`).
        profiles: ``{role_id: extra profile text}`` (O*NET description and tasks); optional.
        profile_weight: Weight of the profile terms, >= 0.
    """

    def __init__(
        self, documents: Mapping[str, str], profiles: Mapping[str, str] | None = None, profile_weight: float = 0.0
    ) -> None:
        if profile_weight < 0:
            raise ValueError(f"profile_weight must be >= 0, got {profile_weight}")
        self.role_ids: tuple[str, ...] = tuple(sorted(documents))
        counts = [Counter(_terms(documents[r])) for r in self.role_ids]
        use_profiles = bool(profiles) and profile_weight > 0
        extra = [
            Counter(_terms(profiles.get(r, ""))) if profiles and use_profiles else Counter() for r in self.role_ids
        ]
        df: Counter[str] = Counter(t for c, e in zip(counts, extra, strict=True) for t in set(c) | set(e))
        n = len(self.role_ids)
        self.idf: dict[str, float] = {t: math.log((1 + n) / (1 + d)) + 1.0 for t, d in sorted(df.items())}
        rows: list[dict[str, float]] = []
        for c, e in zip(counts, extra, strict=True):
            w = {t: (1.0 + math.log(k)) * self.idf[t] for t, k in c.items()}
            for t, k in e.items():
                w[t] = w.get(t, 0.0) + profile_weight * (1.0 + math.log(k)) * self.idf[t]
            norm = math.sqrt(sum(v * v for v in w.values())) or 1.0
            rows.append({t: v / norm for t, v in w.items()})
        self._role_weights = dict(zip(self.role_ids, rows, strict=True))
        # postings: term -> (role rows, weights), for one pass over the text's terms
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for i, row in enumerate(rows):
            for t, v in row.items():
                ids, ws = postings.setdefault(t, ([], []))
                ids.append(i)
                ws.append(v)
        self._postings = {
            t: (np.asarray(ids, dtype=np.int64), np.asarray(ws, dtype=np.float64)) for t, (ids, ws) in postings.items()
        }

    @classmethod
    def from_catalog(cls, catalog: Catalog, profile_weight: float = PROFILE_WEIGHT) -> RoleTextIndex:
        """Index every catalog role's :func:`role_document`, plus its O*NET profile at ``profile_weight``."""
        profiles = {r.id: "\n".join(r.profile) for r in catalog.roles.values() if r.profile}
        return cls({r.id: role_document(r, catalog) for r in catalog.roles.values()}, profiles, profile_weight)

    def text_vector(self, text: str) -> dict[str, float]:
        """The text's unit TF-IDF vector over the role vocabulary (empty if it shares no term)."""
        counts = Counter(t for t in _terms(text) if t in self.idf)
        w = {t: (1.0 + math.log(k)) * self.idf[t] for t, k in sorted(counts.items())}
        norm = math.sqrt(sum(v * v for v in w.values()))
        return {t: v / norm for t, v in w.items()} if norm > 0 else {}

    def similarities(self, text: str) -> dict[str, float]:
        """``role_id -> cosine`` in [0, 1] for every indexed role, rounded to 6 decimals."""
        sims = np.zeros(len(self.role_ids), dtype=np.float64)
        for t, v in self.text_vector(text).items():
            ids, ws = self._postings[t]
            sims[ids] += v * ws
        return {r: round(float(s), 6) for r, s in zip(self.role_ids, sims, strict=True)}

    def shared_terms(self, text: str, role_id: str, k: int = 5) -> list[str]:
        """The ``k`` terms that add most to the text's similarity with ``role_id`` (ties by term)."""
        row = self._role_weights.get(role_id, {})
        contrib = [(v * row[t], t) for t, v in self.text_vector(text).items() if t in row]
        return [t for _, t in sorted(contrib, key=lambda c: (-c[0], c[1]))[:k]]


# (kind, ids of the key objects) -> (the key objects, value); holding the objects keeps their ids unique
_BUILT: dict[tuple[str, tuple[int, ...]], tuple[tuple[Any, ...], Any]] = {}


def built_once(kind: str, build: Callable[[], _T], *objs: Any) -> _T:
    """``build()`` once per identity of ``objs`` (a catalog, an embeddings artifact, ...), then the same value.

    The per-catalog structures the stages reuse across requests (text index, skill space, role resolver,
    role vectors) are built through this one cache.
    """
    key = (kind, tuple(id(o) for o in objs))
    hit = _BUILT.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], objs, strict=True)):
        value: _T = hit[1]
        return value
    value = build()
    _BUILT[key] = (objs, value)
    return value


def role_text_index(catalog: Catalog) -> RoleTextIndex:
    """The :class:`RoleTextIndex` over ``catalog``'s roles, built once per catalog object."""
    return built_once("role_text_index", lambda: RoleTextIndex.from_catalog(catalog), catalog)


def skill_space_for(catalog: Catalog, embeddings: Any) -> SkillSpace:
    """The :class:`SkillSpace` over ``catalog`` + ``embeddings``, built once per pair.

    Building one normalises every skill and role vector (a few ms); the stages reuse it across requests.
    """
    return built_once("skill_space", lambda: SkillSpace.from_embeddings(catalog, embeddings), catalog, embeddings)
