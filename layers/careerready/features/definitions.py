"""The feature names and constants every model and trainer shares: MATCH / READINESS / GAP features, evidence
weights, partial-credit thresholds, the readiness labels; ``to_vector`` orders a feature dict."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np

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
#: ``text_fit`` when the resume text is not known (a skills-only request): neither close nor far.
TEXT_FIT_UNKNOWN = 0.5

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
    "text_fit",  # how closely the resume TEXT reads like the role: its TF-IDF percentile among all catalog roles
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


def to_vector(features: Mapping[str, float], names: Sequence[str]) -> np.ndarray:
    """Order a feature dict as a float64 vector; a missing name raises KeyError naming it."""
    try:
        return np.array([float(features[n]) for n in names], dtype=np.float64)
    except KeyError as exc:
        raise KeyError(f"missing feature {exc.args[0]!r}") from exc
