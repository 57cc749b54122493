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

Serving-safe: numpy + stdlib only. The package re-exports every public name; the parts live in
``definitions`` (names and constants), ``held`` (held skills), ``space`` (skill relatedness), ``role``
(per-role and gap features), ``text_index`` (role ranking by text) and ``cache`` (``built_once``).
"""

from __future__ import annotations

from careerready.features.cache import built_once
from careerready.features.definitions import (
    EVIDENCE_WEIGHTS,
    GAP_FEATURES,
    MATCH_FEATURES,
    NO_VECTOR_SIMILARITY,
    PARTIAL_MAX_CREDIT,
    PARTIAL_MIN_CREDIT,
    PARTIAL_THRESHOLD,
    PREREQUISITE_BONUS,
    READINESS_FEATURES,
    READINESS_LABELS,
    SAME_CATEGORY_BONUS,
    TEXT_FIT_UNKNOWN,
    YEARS_CAP,
    EvidenceKind,
    Status,
    to_vector,
)
from careerready.features.held import HeldSkill, evidence_kind, held_skills_from_extracted, held_skills_from_ids
from careerready.features.role import RoleFeatures, SkillStatus, compute_role_features, gap_features
from careerready.features.space import SkillSpace, partial_credit, skill_space_for
from careerready.features.text_index import PROFILE_WEIGHT, RoleTextIndex, role_document, role_text_index, text_fits

# the module-level names features.py had, public or not in its __all__, stay importable from the package
__all__ = [
    "NO_VECTOR_SIMILARITY",
    "PARTIAL_MAX_CREDIT",
    "PARTIAL_MIN_CREDIT",
    "PREREQUISITE_BONUS",
    "SAME_CATEGORY_BONUS",
    "TEXT_FIT_UNKNOWN",
    "YEARS_CAP",
    "EvidenceKind",
    "Status",
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
    "text_fits",
    "to_vector",
]
