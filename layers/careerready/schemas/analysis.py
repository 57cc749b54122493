"""Analysis schemas: role match, skill gaps, readiness, recommendations and the learning roadmap."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from careerready.core.config import LIMITS
from careerready.schemas.extraction import ExtractedSkill

__all__ = [
    "MAX_MATCH_TEXT_CHARS",
    "Driver",
    "FeatureContribution",
    "GapItem",
    "MatchExplanation",
    "MatchRequest",
    "MatchResponse",
    "ReadinessFacts",
    "ReadinessReason",
    "ReadinessRequest",
    "ReadinessResponse",
    "RecommendRequest",
    "RecommendResponse",
    "RecommendedResource",
    "RoadmapStep",
    "Roadmap",
    "RoleMatch",
    "SkillMatch",
]

#: Longest resume text the match stage accepts (callers truncate; the ranking needs no more).
MAX_MATCH_TEXT_CHARS = LIMITS.max_match_text_chars

ReadinessLabel = Literal["needs_upskilling", "almost_ready", "industry_ready"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SkillMatch(_Out):
    """How one required skill of a role is covered by the resume."""

    skill_id: str
    name: str
    importance: float = Field(description="Role weight of the skill in [0, 1].")
    critical: bool
    status: Literal["exact", "alias", "partial", "missing"]
    credit: float = Field(description="1 for exact/alias, partial credit in (0, 1) for related skills, 0 if missing.")
    similarity: float = Field(description="Relatedness of the best held skill (1 for exact).")
    via_skill_id: str | None = Field(default=None, description="Held skill giving partial credit.")
    evidence: str | None = Field(default=None, description="work | project | listed | course | other")
    years: float | None = None
    contribution: float = Field(
        description="Share of the role's total importance this skill contributes (importance x credit / total)."
    )


class GapItem(BaseModel):
    """A required skill the person lacks, ranked by how much learning it matters."""

    model_config = ConfigDict(extra="ignore")

    skill_id: str
    name: str
    rank: int = Field(ge=1)
    score: float = Field(description="Gap-ranker score (higher = learn first).")
    importance: float
    critical: bool
    demand: float
    learning_hours: float
    status: Literal["missing", "partial"] = "missing"
    partial_via: str | None = None
    prerequisites_missing: list[str] = Field(default_factory=list, description="Prerequisite skill ids not yet held.")
    reasons: list[str] = Field(default_factory=list)
    features: dict[str, float] = Field(default_factory=dict)


class FeatureContribution(_Out):
    """One feature's contribution to a linear score (weight x value)."""

    feature: str
    value: float
    weight: float
    contribution: float


class MatchExplanation(_Out):
    """Why a role scored as it did."""

    summary: str
    carried_by: list[str] = Field(default_factory=list, description="Skill ids that contributed most.")
    cost_by: list[str] = Field(default_factory=list, description="Missing skill ids that cost the most.")
    contributions: list[FeatureContribution] = Field(default_factory=list)


class RoleMatch(_Out):
    """Fit of a resume to one role."""

    role_id: str
    title: str
    score: float = Field(
        ge=0.0, le=1.0, description="Role-fit score from the held skills (how far the person is from the role)."
    )
    rank_score: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="Role-ranking score: TF-IDF cosine of the resume text with the role's profile. Roles are "
        "ordered by it (then by score) when the request carried the text; None without text (order by score).",
    )
    features: dict[str, float]
    skills: list[SkillMatch]
    gaps: list[GapItem] = Field(default_factory=list)
    explanation: MatchExplanation


class Driver(_Out):
    """A feature that pushed the readiness prediction up or down."""

    feature: str
    value: float
    contribution: float
    direction: Literal["up", "down"]


class RecommendedResource(_Out):
    """A learning resource with its score and why it was chosen."""

    resource_id: str
    title: str
    provider: str
    url: str
    level: str
    hours: float
    free: bool
    score: float
    teaches: list[str] = Field(description="Gap skill ids this resource teaches.")
    cf_score: float
    content_score: float
    cf_share: float = Field(
        description="Share of the score from learner behaviour: CF + popularity (rest: content match)."
    )
    reason: str


class RoadmapStep(_Out):
    """One skill to learn, in order."""

    order: int
    skill_id: str
    name: str
    kind: Literal["gap", "prerequisite"]
    gap_rank: int | None = None
    hours: float
    cumulative_hours: float
    week_end: float = Field(description="Week (at the roadmap's hours/week) by which this step is done.")
    resource_ids: list[str] = Field(default_factory=list)
    reaches_industry_ready: bool = False


class Roadmap(_Out):
    """Ordered learning plan (prerequisites first)."""

    steps: list[RoadmapStep]
    total_hours: float
    hours_per_week: float
    weeks_total: float
    ready_skill_ids: list[str] = Field(description="Gap skills to close to reach industry_ready.")
    hours_to_ready: float | None
    weeks_to_ready: float | None = Field(description="None if the plan does not reach industry_ready.")
    ready_label_after: ReadinessLabel | None = Field(
        default=None,
        description="The readiness model's label once the plan's ready point (or its last step) is reached; "
        "None when no role was given.",
    )


class MatchRequest(_In):
    """Match extracted skills against one or more roles."""

    skills: list[ExtractedSkill]
    role_ids: list[str] = Field(min_length=1)
    years_experience: float | None = Field(default=None, ge=0, le=60)
    text: str | None = Field(
        default=None,
        max_length=MAX_MATCH_TEXT_CHARS,
        description="The resume text (optional). With it, roles are ranked by how close the text is to each role's "
        "profile (rank_score); without it (skills only), by the skill-fit score.",
    )


class MatchResponse(_Out):
    """Role matches, best first."""

    matches: list[RoleMatch]


class ReadinessFacts(_In):
    """What the person's reasons are written from: the role's critical skills, its skills, years."""

    role_title: str | None = Field(default=None, max_length=300)
    n_critical: int = Field(ge=0, description="Critical skills the role requires.")
    missing_critical: list[str] = Field(
        default_factory=list,
        max_length=500,
        description="Names of critical skills not held exactly, most important first.",
    )
    n_required: int = Field(ge=0, description="Skills the role requires.")
    missing: list[str] = Field(
        default_factory=list,
        max_length=500,
        description="Names of required skills not held exactly, most important first.",
    )
    years_experience: float | None = Field(default=None, ge=0, le=60, description="Stated years (None: none found).")
    min_years: float = Field(ge=0, le=60, description="Years the role expects.")


class ReadinessRequest(_In):
    """Readiness from precomputed READINESS_FEATURES (+ the facts its reasons are written from)."""

    features: dict[str, float]
    facts: ReadinessFacts | None = Field(
        default=None, description="Names and counts for the reasons; without it reasons are written from the features."
    )


class ReadinessReason(_Out):
    """One fact that decided the readiness answer, in words, with the numbers it states."""

    kind: Literal["critical_skills", "experience", "coverage", "evidence"]
    text: str
    numbers: dict[str, float] = Field(default_factory=dict, description="The figures the text states.")
    weight: float = Field(description="How much this fact moved the answer (sum of |driver contributions|).")


class ReadinessResponse(_Out):
    """Readiness label with calibrated probabilities and drivers."""

    label: ReadinessLabel
    probabilities: dict[str, float]
    drivers: list[Driver]
    reasons: list[ReadinessReason] = Field(
        default_factory=list, description="The two or three facts that decided the label, in words, strongest first."
    )


class RecommendRequest(_In):
    """Recommend resources and a roadmap for a role's gaps."""

    role_id: str
    held_skill_ids: list[str] = Field(default_factory=list)
    gaps: list[GapItem] = Field(default_factory=list)
    years_experience: float | None = Field(default=None, ge=0, le=60)
    hours_per_week: float = Field(default=10.0, gt=0, le=80)
    top_k: int = Field(default=10, ge=1, le=50)
    readiness_features: dict[str, float] | None = Field(
        default=None,
        description="The READINESS_FEATURES /readiness scored for this person and role (the match's features); "
        "the roadmap starts from them, so its time to industry-ready agrees with /readiness.",
    )


class RecommendResponse(_Out):
    """Recommended resources and the learning roadmap."""

    resources: list[RecommendedResource]
    roadmap: Roadmap
