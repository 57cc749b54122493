"""Analysis schemas: role match, skill gaps, readiness, recommendations and the learning roadmap."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from careerready.core.config import LIMITS
from careerready.schemas.extraction import ExtractedSkill

__all__ = [
    "MAX_MATCH_TEXT_CHARS",
    "Driver",
    "FeatureContribution",
    "GapItem",
    "InlineRole",
    "InlineRoleSkill",
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
    "UNLINKED_PREFIX",
]

#: Longest resume text the match stage accepts (callers truncate; the ranking needs no more).
MAX_MATCH_TEXT_CHARS = LIMITS.max_match_text_chars

#: Skill id prefix of a role skill that has no catalog id (kept with its text: ``unlinked:epic ehr``).
UNLINKED_PREFIX = "unlinked:"

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
    general: bool = Field(
        default=False,
        description="A skill most occupations list (Microsoft Excel, Critical Thinking, Customer Service...), not "
        "critical here: ranked after the role's own skills, and more often a thing to show on the resume than to learn.",
    )


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


class InlineRoleSkill(_In):
    """A skill an inline role asks for: a catalog id, or ``unlinked:<normalised text>`` for one the catalog lacks."""

    skill_id: str = Field(
        min_length=1,
        max_length=LIMITS.max_inline_name_chars + len(UNLINKED_PREFIX),
        description="Catalog skill id, or 'unlinked:' + the normalised text of a skill the catalog does not have.",
    )
    name: str = Field(min_length=1, max_length=LIMITS.max_inline_name_chars, description="Display name.")
    importance: float = Field(gt=0.0, le=1.0, description="Weight of the skill in the role.")
    critical: bool = Field(False, description="A must-have.")


class InlineRole(_In):
    """An ad-hoc role sent with the request (e.g. built from a job posting) instead of a catalog role id."""

    id: str = Field(
        pattern=r"^[a-z0-9][a-z0-9_.:-]{0,79}$",
        description="Role id for the answer (must not be a catalog role id), e.g. 'posting-3f2a9c1b0d4e'.",
    )
    title: str = Field(min_length=1, max_length=LIMITS.max_inline_name_chars)
    description: str = Field("", max_length=2000)
    min_years: float = Field(0.0, ge=0, le=60, description="Years of experience the role asks for.")
    skills: list[InlineRoleSkill] = Field(min_length=1, max_length=LIMITS.max_inline_role_skills)

    @model_validator(mode="after")
    def _unique_skills(self) -> InlineRole:
        seen: set[str] = set()
        for s in self.skills:
            if s.skill_id in seen:
                raise ValueError(f"skill {s.skill_id!r} is listed twice")
            seen.add(s.skill_id)
        return self


class MatchRequest(_In):
    """Match extracted skills against one or more roles (catalog ids/titles and/or one inline role)."""

    skills: list[ExtractedSkill]
    role: InlineRole | None = Field(default=None, description="An ad-hoc role matched beside (or instead of) role_ids.")
    role_ids: list[str] = Field(
        default_factory=list, validate_default=True, description="Catalog role ids or titles (or none with role)."
    )
    years_experience: float | None = Field(default=None, ge=0, le=60)
    text: str | None = Field(
        default=None,
        max_length=MAX_MATCH_TEXT_CHARS,
        description="The resume text (optional). With it, roles are ranked by how close the text is to each role's "
        "profile (rank_score); without it (skills only), by the skill-fit score. It also gives the readiness feature "
        "text_fit (how closely the text reads like each role, a percentile among all catalog roles; 0.5 without text).",
    )
    rank_by_text: bool = Field(
        default=True,
        description="Order the roles by the text (rank_score). false: the text only gives text_fit, the roles are "
        "ordered by skill fit and rank_score is null (one role has no order to find).",
    )

    @field_validator("role_ids")
    @classmethod
    def _some_role(cls, value: list[str], info: ValidationInfo) -> list[str]:
        # role is declared first, so it is in info.data when it validated
        if not value and info.data.get("role") is None:
            raise ValueError("give role_ids or role")
        return value


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

    kind: Literal["critical_skills", "experience", "coverage", "evidence", "text_fit"]
    text: str
    numbers: dict[str, float] = Field(default_factory=dict, description="The figures the text states.")
    weight: float = Field(description="How much this fact moved the answer (|sum of its driver contributions|).")
    supports: bool = Field(
        default=True,
        description="True: the fact pushed toward the answer; false: it weighed the other way (listed only when "
        "fewer than two facts pushed toward the answer).",
    )


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
    role: InlineRole | None = Field(default=None, description="The inline role when role_id names one (its id).")
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

    @model_validator(mode="after")
    def _role_id_matches(self) -> RecommendRequest:
        if self.role is not None and self.role.id != self.role_id:
            raise ValueError("role.id must equal role_id")
        return self


class RecommendResponse(_Out):
    """Recommended resources and the learning roadmap."""

    resources: list[RecommendedResource]
    resources_note: str | None = Field(
        default=None,
        description="Why there is no resource although the role has gaps (no curated resource teaches its first "
        "gaps); None otherwise.",
    )
    roadmap: Roadmap


# ---- job postings -------------------------------------------------------------------------------

PostingLevel = Literal["required", "preferred", "mentioned", "context"]


class PostingSkill(_Out):
    """A skill found in a job posting, how strongly it is asked for, and what the ad-hoc role made of it."""

    text: str = Field(description="Surface form of the first mention at its level.")
    start: int = Field(ge=0, description="Offset of that mention in the posting.")
    skill_id: str | None = Field(description="Catalog skill id (None: the catalog has no such skill).")
    role_skill_id: str = Field(description="Id in the ad-hoc role: the catalog id, or 'unlinked:<text>'.")
    name: str
    linked: bool = Field(description="Linked to a canonical taxonomy skill.")
    level: PostingLevel = Field(
        description="required (requirements / must-have section or wording), preferred (nice to have, 'a plus', "
        "'familiarity with'), mentioned (duties, description), context (about us, benefits: not asked of you)."
    )
    reason: str = Field(description="What set the level: the section header or the wording cue.")
    importance: float = Field(ge=0.0, le=1.0, description="Weight in the ad-hoc role (0 when not used).")
    critical: bool
    used: bool = Field(description="Part of the ad-hoc role (context-only and negated mentions are not).")
    mention_count: int = Field(ge=1)


class PostingSectionInfo(_Out):
    """A section of the posting and the level it gives the skills in it."""

    header: str | None
    level: PostingLevel
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class PostingProfile(_Out):
    """What was read from a job posting: title, expected years, sections and the skills, by level."""

    role_id: str = Field(description="Id of the ad-hoc role built from the posting.")
    title: str
    chars: int = Field(ge=0)
    min_years: float | None = Field(description="Years of experience the posting asks for (None: not stated).")
    years_text: str | None = Field(default=None, description="The statement the years come from.")
    sections: list[PostingSectionInfo]
    skills: list[PostingSkill] = Field(description="Every skill found, strongest level first, then text order.")
    required_count: int = Field(ge=0)
    preferred_count: int = Field(ge=0)
    unlinked_count: int = Field(ge=0, description="Used skills the taxonomy has no id for (kept with their text).")
