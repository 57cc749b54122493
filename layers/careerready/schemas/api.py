"""HTTP-only shapes of the /v1 API: the analyze request/response, role listings, health, errors.

Stage requests are reused from :mod:`careerready.schemas.extraction` / :mod:`careerready.schemas.analysis`;
every response here carries ``request_id`` and ``model_versions``.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from careerready.core.config import LIMITS
from careerready.schemas.analysis import (
    MatchResponse,
    PostingProfile,
    ReadinessResponse,
    RecommendedResource,
    RecommendResponse,
    Roadmap,
    RoleMatch,
)
from careerready.schemas.extraction import ExperienceEvidence, ExtractedSkill, ExtractResponse, SectionInfo

__all__ = [
    "MAX_ROLES_PER_ANALYSIS",
    "AnalysisResponse",
    "AnalyzeRequest",
    "ApiMeta",
    "ErrorBody",
    "ErrorResponse",
    "ExtractApiResponse",
    "HealthResponse",
    "MatchApiResponse",
    "PostingAnalysis",
    "RankedRole",
    "ReadinessApiResponse",
    "RecommendApiResponse",
    "RoleAnalysis",
    "RoleCandidateInfo",
    "RoleDetail",
    "RoleResolutionInfo",
    "RoleResponse",
    "RoleSkillInfo",
    "RoleSummary",
    "RolesResponse",
    "SourceInfo",
]

MAX_ROLES_PER_ANALYSIS = LIMITS.max_roles_per_analysis


class ApiMeta(BaseModel):
    """Fields every API response carries."""

    request_id: str = Field(description="Echo of the X-Request-ID header (generated when absent).")
    model_versions: dict[str, str] = Field(
        default_factory=dict, description="Model -> version that served the request."
    )


class ErrorBody(BaseModel):
    """A machine-readable error; extra keys (``field``, ``nearest``, ``limit``...) depend on ``code``."""

    model_config = ConfigDict(extra="allow")

    code: str = Field(description="Stable error code, e.g. role_not_found, no_extractable_text, payload_too_large.")
    message: str = Field(description="Human-readable explanation.")
    field: str | None = Field(default=None, description="The request field at fault, when there is one.")
    request_id: str | None = None


class ErrorResponse(BaseModel):
    """Body of every 4xx/5xx answer."""

    detail: ErrorBody


# ---- analyze ------------------------------------------------------------------------------------


class AnalyzeRequest(BaseModel):
    """Analyse one resume against a role, several roles, or (no role) every role."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(default=None, description="Resume text. Exactly one of text / s3_key.")
    s3_key: str | None = Field(
        default=None, min_length=1, max_length=1024, description="Key of an uploaded resume in the resume bucket."
    )
    role: str | None = Field(default=None, description="Target role id or free-text job title.")
    roles: list[str] | None = Field(
        default=None, max_length=MAX_ROLES_PER_ANALYSIS, description="Several target roles to compare (ids or titles)."
    )
    years_experience: float | None = Field(
        default=None, ge=0, le=60, description="Years of experience (default: inferred from the resume)."
    )
    hours_per_week: float = Field(default=10.0, gt=0, le=80, description="Study hours per week for the roadmap.")
    top_k_resources: int = Field(default=5, ge=1, le=20, description="Learning resources per role.")
    include_text: bool = Field(default=False, description="Echo the analysed text (e.g. what was read from a PDF).")
    as_of: date | None = Field(
        default=None,
        description="The date the resume is read as of: a job dated '2021 - Present' ends there (default: today, "
        "UTC). Give the as_of of an earlier answer to reproduce it.",
    )
    posting: str | None = Field(
        default=None,
        max_length=LIMITS.max_posting_chars,
        description="A pasted job posting to analyse against (alone or beside role / roles): its skills are extracted, "
        "split into required vs nice-to-have, and the whole analysis runs against it as an ad-hoc role.",
    )

    @field_validator("posting")
    @classmethod
    def _posting_not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("the job posting is empty")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> AnalyzeRequest:
        if (self.text is None) == (self.s3_key is None):
            raise ValueError("give exactly one of 'text' or 's3_key'")
        return self

    def role_refs(self) -> list[str]:
        """``role`` then ``roles``, blanks dropped (an empty list means: rank every role)."""
        refs = ([self.role] if self.role else []) + list(self.roles or [])
        return [r for r in refs if r.strip()]


class RoleCandidateInfo(BaseModel):
    """A role and how close a reference came to it."""

    role_id: str
    title: str
    score: float


class RoleResolutionInfo(BaseModel):
    """How a role reference was resolved."""

    query: str = Field(description="The reference as given.")
    role_id: str
    title: str
    confidence: float = Field(description="1.0 for exact matches, else the fuzzy/embedding score.")
    method: Literal["id", "title", "alt_title", "normalized", "generic", "fuzzy", "embedding", "ranked", "posting"] = (
        Field(
            description="How the reference was resolved ('generic': a one-word title no role claims that heads several "
            "roles' titles, e.g. 'Manager', see roles_sharing_title; 'ranked': no role given, best match over all "
            "roles; 'posting': the ad-hoc role built from the request's job posting)."
        )
    )
    runner_up: RoleCandidateInfo | None = None
    roles_sharing_title: int | None = Field(
        default=None,
        description="How many catalog roles share this title, when more than one does: an alternate title several "
        "occupations list ('Lecturer': 28), or a one-word title that heads several roles' own titles ('Teacher': 47, "
        "'Director': 7). With a resume, the one it reads most like is analysed and runner_up is the next.",
    )


class RoleAnalysis(BaseModel):
    """Everything about one target role: fit, gaps, readiness, resources, roadmap."""

    role: RoleResolutionInfo
    match: RoleMatch
    readiness: ReadinessResponse
    resources: list[RecommendedResource]
    resources_note: str | None = Field(
        default=None,
        description="Why there is no resource although the role has gaps (no curated resource teaches its first "
        "gaps); None otherwise.",
    )
    roadmap: Roadmap


class RankedRole(BaseModel):
    """A role in a ranking: ordered by ``rank_score`` when the resume text was ranked, else by ``score``."""

    role_id: str
    title: str
    score: float = Field(ge=0.0, le=1.0, description="Skill fit (the matcher's score), as in RoleMatch.score.")
    rank_score: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="How close the resume text is to the role's profile (the ranking key); null without text.",
    )
    reasons: list[str] = Field(default_factory=list)


class SourceInfo(BaseModel):
    """Where the analysed text came from."""

    kind: Literal["text", "upload", "s3"]
    filename: str | None = None
    content_type: str | None = None
    s3_key: str | None = None
    chars: int


class PostingAnalysis(PostingProfile):
    """The job posting of an analysis: what was read from it and the catalog roles closest to it."""

    closest_roles: list[RankedRole] = Field(
        default_factory=list,
        description="Catalog roles ranked by the posting text (as a resume is ranked when no role is given).",
    )
    closest_confidence: float | None = Field(
        default=None, description="Calibrated confidence that the closest role is in the posting's SOC minor group."
    )


class AnalysisResponse(ApiMeta):
    """Full analysis of one resume."""

    transport: str = Field(description="How the stages ran: inprocess or lambda.")
    timings_ms: dict[str, float] = Field(description="Wall time per stage (summed over roles) and total.")
    source: SourceInfo
    word_count: int
    sections: list[SectionInfo]
    skills: list[ExtractedSkill]
    years_experience: float | None = Field(
        default=None,
        description="Years of experience the analysis used: the request's years_experience, else the estimate from the "
        "resume (None: the resume states none and dates no job).",
    )
    experience_evidence: list[ExperienceEvidence] = Field(
        default_factory=list, description="The statements and work date ranges the estimate was read from."
    )
    as_of: date | None = Field(default=None, description="The date 'present' in the resume's work dates was read as.")
    analyses: list[RoleAnalysis] = Field(description="One per analysed role, best match first.")
    best_role_id: str
    closest_roles: list[RankedRole] = Field(
        default_factory=list, description="When no role was given: the best-fitting roles over the whole catalog."
    )
    text: str | None = Field(default=None, description="The analysed text (only with include_text).")
    posting: PostingAnalysis | None = Field(default=None, description="The job posting, when one was given.")


# ---- stage endpoints ----------------------------------------------------------------------------


class ExtractApiResponse(ExtractResponse, ApiMeta):
    """Extraction result with request metadata."""


class MatchApiResponse(MatchResponse, ApiMeta):
    """Role matches with request metadata."""


class ReadinessApiResponse(ReadinessResponse, ApiMeta):
    """Readiness with request metadata."""


class RecommendApiResponse(RecommendResponse, ApiMeta):
    """Resources and roadmap with request metadata."""


# ---- roles and health ---------------------------------------------------------------------------


class RoleSummary(BaseModel):
    """A catalog role."""

    id: str
    title: str
    alt_titles: list[str]
    family: str
    description: str
    min_years: float
    skill_count: int


class RoleSkillInfo(BaseModel):
    """A skill a role asks for."""

    skill_id: str
    name: str
    type: str | None
    importance: float
    critical: bool


class RoleDetail(RoleSummary):
    """A catalog role with its required skills."""

    skills: list[RoleSkillInfo]


class RolesResponse(ApiMeta):
    """Every catalog role."""

    count: int
    roles: list[RoleSummary]


class RoleResponse(ApiMeta):
    """One role, with how the path reference was resolved."""

    role: RoleDetail
    resolution: RoleResolutionInfo


class HealthResponse(ApiMeta):
    """Liveness plus what this deployment serves."""

    status: Literal["ok"]
    version: str = Field(description="careerready package version.")
    transport: str
    roles: int = Field(description="Roles in the loaded catalog.")
    extractor: str = Field(
        description="The skill extractor the extract stage runs and why, e.g. 'hybrid: learned tagger ner/v1 + "
        "gazetteer extractor/v1', or the gazetteer alone when no learned tagger is published."
    )
