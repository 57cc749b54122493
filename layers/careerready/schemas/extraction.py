"""Skill extraction I/O: ``ExtractRequest`` -> ``ExtractResponse{skills, sections, word_count}``.

Deduplication: one :class:`ExtractedSkill` per skill id. Its ``text/start/end/section/sentence`` are
those of the *primary* mention (the first mention that is not negated, else the first mention);
every mention is kept in ``mentions`` (span, section, years, negation) and counted in
``mention_count``. ``years`` is the largest figure stated for the skill; ``negated`` is true only
when every mention is negated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "SECTION_NAMES",
    "Document",
    "ExtractRequest",
    "ExtractResponse",
    "ExperienceEvidence",
    "ExtractedSkill",
    "SectionInfo",
    "SectionName",
    "SkillMention",
    "stated_years",
]


def stated_years(mentions: Iterable[Any]) -> float | None:
    """The years of experience stated for one skill over its mentions: the largest, negated mentions left out.

    The one rule for a skill's years: the gazetteer and the hybrid extractor group a skill's mentions with it, and
    the held-skill features group extracted skills with it. ``mentions`` are objects or mappings with ``years``
    and ``negated``.
    """

    def get(m: Any, key: str) -> Any:
        return m.get(key) if isinstance(m, Mapping) else getattr(m, key, None)

    years = [float(y) for m in mentions if (y := get(m, "years")) is not None and not get(m, "negated")]
    return max(years) if years else None


SectionName = Literal["summary", "skills", "experience", "education", "projects", "certifications", "other"]
SECTION_NAMES: tuple[str, ...] = (
    "summary",
    "skills",
    "experience",
    "education",
    "projects",
    "certifications",
    "other",
)
SkillSource = Literal["gazetteer", "model", "embedding"]


class SectionInfo(BaseModel):
    """A resume section found by its header (text before the first header is ``other``)."""

    model_config = ConfigDict(extra="forbid")

    name: SectionName = Field(description="Normalised section kind.")
    start: int = Field(ge=0, description="Offset of the section (its header line) in the input.")
    end: int = Field(ge=0, description="Offset just past the section's last character.")
    header: str | None = Field(None, description="The header text as written (None for the preamble).")


class SkillMention(BaseModel):
    """One occurrence of a skill in the text."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="Surface form, equal to input[start:end].")
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    section: SectionName
    years: float | None = Field(None, description="Years of experience stated next to this mention.")
    negated: bool = Field(False, description="The mention says the skill is absent ('no Docker experience').")


class ExtractedSkill(BaseModel):
    """A skill found in a resume (deduplicated per skill id; see the module docstring)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="Surface form of the primary mention, equal to input[start:end].")
    start: int = Field(ge=0, description="Start offset (characters) of the primary mention.")
    end: int = Field(ge=0, description="End offset (exclusive) of the primary mention.")
    skill_id: str | None = Field(None, description="Catalog skill id (None when unlinked).")
    name: str | None = Field(None, description="Canonical skill name.")
    type: str | None = Field(None, description="hard | soft | tool | certification | language.")
    category: str | None = Field(None, description="Catalog category.")
    confidence: float = Field(ge=0.0, le=1.0, description="How sure the extractor is that this is the skill.")
    section: SectionName = Field(description="Section of the primary mention.")
    sentence: str = Field(description="Evidence: the sentence or list line around the primary mention.")
    years: float | None = Field(None, ge=0, description="Largest years-of-experience figure stated for the skill.")
    negated: bool = Field(False, description="True when every mention is negated.")
    source: SkillSource = Field("gazetteer", description="Which extractor produced it.")
    mention_count: int = Field(1, ge=1, description="How many times the skill is mentioned.")
    mentions: list[SkillMention] = Field(default_factory=list, description="Every mention, in text order.")


class ExperienceEvidence(BaseModel):
    """One piece of evidence for the total-experience estimate (a statement or a work date range)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["statement", "date_range"] = Field(
        description="'statement': an explicit total ('5 years of experience'); 'date_range': a job's dates."
    )
    text: str = Field(description="The matched text, equal to input[start:end].")
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    section: SectionName | None = Field(None, description="Section the evidence is in (None: no sections known).")
    years: float = Field(ge=0, description="Years this piece states (statement) or spans (date range).")
    plus: bool = Field(False, description="The statement says 'N+ years'.")
    start_date: str | None = Field(None, description="Date range start, 'YYYY' or 'YYYY-MM'.")
    end_date: str | None = Field(None, description="Date range end, 'YYYY', 'YYYY-MM' or 'present'.")
    used: bool = Field(False, description="The estimate rests on this piece (the chosen statement, or a merged range).")


#: What an extracted text is: a resume (the default) or a job posting (decision 38).
Document = Literal["resume", "posting"]


class ExtractRequest(BaseModel):
    """Plain resume text to analyse."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="Resume text (UTF-8).")
    as_of: date | None = Field(
        default=None,
        description="The date the resume is read as of: a work date range ending in 'present' ends there (default: "
        "today, UTC). Give it to reproduce an earlier answer.",
    )
    document: Document = Field(
        default="resume",
        description="What the text is. 'posting' (a job posting): where the learned tagger is quiet on the text, the "
        "work-field skills the taxonomy finds count in every section of it, not only in a resume's work and skills "
        "sections (a posting's 'Requirements' or 'What you will do' are not resume headers).",
    )


class ExtractResponse(BaseModel):
    """Skills, sections and size of one resume."""

    skills: list[ExtractedSkill] = Field(default_factory=list, description="Sorted by first mention offset.")
    sections: list[SectionInfo] = Field(default_factory=list, description="In text order; they tile the input.")
    word_count: int = Field(0, ge=0, description="Whitespace-separated words in the input.")
    years_experience: float | None = Field(
        None,
        ge=0,
        description="Estimated total years of professional experience (None: the resume gives no evidence). "
        "See careerready.pipelines.experience.",
    )
    experience_evidence: list[ExperienceEvidence] = Field(
        default_factory=list, description="Statements and work date ranges behind years_experience, in text order."
    )
    as_of: date | None = Field(
        default=None,
        description="The date 'present' in a work date range was read as (None: the latest year the text names).",
    )
