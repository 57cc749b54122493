"""Extraction pipeline: validated resume text -> :class:`ExtractResponse` (skills, sections, word count,
total years of experience with its evidence)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date
from typing import Any

from careerready.core.errors import InvalidInputError, NoExtractableTextError, PayloadTooLargeError
from careerready.core.observability import logger, text_fingerprint
from careerready.models.extractor import GazetteerExtractor
from careerready.pipelines.experience import estimate_years
from careerready.schemas.extraction import ExtractedSkill, ExtractResponse, SectionInfo

__all__ = ["build_response", "extract_skills", "validate_text"]


def validate_text(text: Any, max_chars: int | None = None) -> str:
    """Check resume text before extraction.

    Args:
        text: The candidate text.
        max_chars: Upper bound on characters (default: ``Settings.max_text_chars``).

    Returns:
        The same string, unmodified (spans index it exactly).

    Raises:
        InvalidInputError: not a string.
        NoExtractableTextError: empty or whitespace-only.
        PayloadTooLargeError: longer than ``max_chars``.
    """
    if not isinstance(text, str):
        raise InvalidInputError(f"text must be a string, got {type(text).__name__}", field="text")
    if max_chars is None:
        from careerready.core.config import get_settings

        max_chars = get_settings().max_text_chars
    if len(text) > max_chars:
        raise PayloadTooLargeError(
            f"text has {len(text)} characters; the limit is {max_chars}", field="text", limit=max_chars
        )
    if not text.strip() or not any(ch.isalnum() for ch in text):
        raise NoExtractableTextError("the text is empty or has no letters or digits", field="text")
    return text


def extract_skills(
    text: str,
    extractor: GazetteerExtractor,
    catalog: Any | None = None,
    embeddings: Any | None = None,
    *,
    max_chars: int | None = None,
    as_of: date | None = None,
) -> ExtractResponse:
    """Extract skills and sections from resume text.

    Args:
        text: Resume text (returned spans index it exactly).
        extractor: The loaded extractor artifact.
        catalog: Optional :class:`~careerready.services.catalog.Catalog`; when given, names, types and
            categories come from it (it is the source of truth) and skills it no longer knows are dropped.
        embeddings: Reserved for embedding-based linking of unmatched phrases; v1 does not use it.
        max_chars: Overrides ``Settings.max_text_chars``.
        as_of: The date "present" in a work date range stands for (see :func:`build_response`).

    Raises:
        InvalidInputError, NoExtractableTextError, PayloadTooLargeError: see :func:`validate_text`.
    """
    del embeddings  # v1 links by gazetteer only
    text = validate_text(text, max_chars)
    t0 = time.perf_counter()
    skills, sections = extractor.analyze(text)
    if catalog is not None:
        skills = [_with_catalog(s, catalog) for s in skills if s.skill_id is None or s.skill_id in catalog.skills]
    response = build_response(text, skills, sections, as_of=as_of)
    logger.debug(
        "skills extracted",
        skills=len(skills),
        sections=len(sections),
        ms=round((time.perf_counter() - t0) * 1000, 2),
        text=text_fingerprint(text),
    )
    return response


def build_response(
    text: str, skills: list[ExtractedSkill], sections: Sequence[Any], *, as_of: date | None = None
) -> ExtractResponse:
    """The :class:`ExtractResponse` of extracted skills: sections, word count and total years of experience.

    Args:
        text: The validated resume text the skills index.
        skills: Extracted skills (text order).
        sections: ``careerready.sections.Section`` objects (or anything with name/start/end/header).
        as_of: The date "present" in a work date range stands for (None: the latest year written in the text, as
            :func:`careerready.pipelines.experience.estimate_years` reads it).
    """
    section_infos = [SectionInfo(name=s.name, start=s.start, end=s.end, header=s.header) for s in sections]
    spans = [(m.start, m.end) for s in skills for m in s.mentions] + [(s.start, s.end) for s in skills]
    years, evidence = estimate_years(text, section_infos, skill_spans=spans, as_of=as_of)
    return ExtractResponse(
        skills=skills,
        sections=section_infos,
        word_count=len(text.split()),
        years_experience=years,
        experience_evidence=evidence,
        as_of=as_of,
    )


def _with_catalog(skill: ExtractedSkill, catalog: Any) -> ExtractedSkill:
    info = catalog.skills.get(skill.skill_id)
    if info is None:
        return skill
    return skill.model_copy(update={"name": info.name, "type": info.type, "category": info.category})
