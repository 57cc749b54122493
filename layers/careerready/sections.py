"""Resume section detection from header lines, in many styles.

A header is a short line whose words (after stripping bullets, ``#``, ``=``, ``*``, numbering and a
trailing colon) form a known phrase: ``EXPERIENCE``, ``Work Experience:``, ``## Technical Skills``,
``Licenses & Certifications``, ``E D U C A T I O N``. ``Skills: Python, SQL`` (a known phrase + colon
+ content) also opens a section. Text before the first header is ``other``.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

__all__ = ["HEADERS", "Section", "detect_sections", "section_at", "section_starts"]

HEADERS: dict[str, str] = {}
_PHRASES: dict[str, tuple[str, ...]] = {
    "summary": (
        "summary",
        "professional summary",
        "career summary",
        "executive summary",
        "profile",
        "professional profile",
        "career profile",
        "personal profile",
        "profile summary",
        "objective",
        "career objective",
        "objectives",
        "about",
        "about me",
        "introduction",
        "overview",
        "career overview",
        "summary of qualifications",
    ),
    "skills": (
        "skills",
        "skill",
        "technical skills",
        "key skills",
        "core skills",
        "it skills",
        "skills summary",
        "skill set",
        "skillset",
        "skills and tools",
        "skills and technologies",
        "tools and technologies",
        "technologies",
        "technical proficiencies",
        "technical expertise",
        "technical summary",
        "technical competencies",
        "core competencies",
        "competencies",
        "areas of expertise",
        "expertise",
        "tech stack",
        "technology stack",
        "tools",
        "programming languages",
        "languages and tools",
        "soft skills",
        "hard skills",
        "professional skills",
        "computer skills",
        "software skills",
        "strengths",
    ),
    "experience": (
        "experience",
        "work experience",
        "professional experience",
        "relevant experience",
        "employment",
        "employment history",
        "work history",
        "career history",
        "professional history",
        "experience details",
        "internships",
        "internship",
        "internship experience",
        "positions held",
        "career",
        "industrial experience",
        "industry experience",
    ),
    "education": (
        "education",
        "educational background",
        "educational qualifications",
        "educational qualification",
        "education and training",
        "academic background",
        "academic qualifications",
        "academic qualification",
        "academics",
        "academic details",
        "qualifications",
        "qualification",
        "education details",
    ),
    "projects": (
        "projects",
        "project",
        "personal projects",
        "academic projects",
        "key projects",
        "selected projects",
        "side projects",
        "project experience",
        "project details",
        "projects undertaken",
        "open source",
        "open source contributions",
        "portfolio",
    ),
    "certifications": (
        "certifications",
        "certification",
        "certificates",
        "certificate",
        "licenses and certifications",
        "licences and certifications",
        "certifications and licenses",
        "licenses",
        "licences",
        "license",
        "licence",
        "licensure",
        "credentials",
        "licenses and certificates",
        "licensure and certifications",
        "certifications and licensure",
        "courses and certifications",
        "certifications and training",
        "training and certifications",
        "courses",
        "training",
        "trainings",
        "professional development",
        "accreditations",
    ),
    "other": (
        "additional information",
        "additional info",
        "awards",
        "honors",
        "honours",
        "awards and honors",
        "achievements",
        "accomplishments",
        "publications",
        "interests",
        "hobbies",
        "hobbies and interests",
        "languages",
        "references",
        "volunteering",
        "volunteer experience",
        "activities",
        "extracurricular activities",
        "personal details",
        "personal information",
        "contact",
        "contact information",
        "links",
        "declaration",
    ),
}
for _name, _phrases in _PHRASES.items():
    for _p in _phrases:
        HEADERS[_p] = _name

_MAX_HEADER_WORDS = max(len(p.split()) for p in HEADERS)
_LEAD_RE = re.compile(r"^[\s#*=\-_•·●▪■◆►>|~]+|^\(?[0-9ivx]{1,3}[.)]\s+", re.IGNORECASE)
_TRAIL_RE = re.compile(r"[\s:#*=\-_|~.]+$")
_SPACED_RE = re.compile(r"^(?:[A-Za-z] ){3,}[A-Za-z]$")  # "E D U C A T I O N"
_INLINE_RE = re.compile(r"^\s*[#*•·\-]*\s*([A-Za-z][A-Za-z &/]{1,40}?)\s*[:|–—]\s*\S")
_LINE_RE = re.compile(r"[^\n]*(?:\n|$)")


@dataclass(frozen=True, slots=True)
class Section:
    """A section span: ``text[start:end]`` (starts at its header line)."""

    name: str
    start: int
    end: int
    header: str | None
    header_end: int = -1
    """End of the header phrase (line end, or the colon of "Skills: ..."); -1 without a header."""


def _header_key(line: str) -> str:
    s = _LEAD_RE.sub("", line.strip())
    s = _TRAIL_RE.sub("", s).strip()
    if _SPACED_RE.match(s):
        s = s.replace(" ", "")
    s = s.lower().replace("&", " and ").replace("/", " and ")
    return " ".join(re.findall(r"[a-z]+", s))


def _classify_line(line: str) -> tuple[str, int] | None:
    """``(section name, length of the header phrase within the line)`` or None."""
    stripped = line.strip()
    if not stripped:
        return None
    if len(stripped) <= 60:
        key = _header_key(stripped)
        if key and len(key.split()) <= _MAX_HEADER_WORDS and key in HEADERS:
            return HEADERS[key], len(line.rstrip("\r\n"))
    m = _INLINE_RE.match(line)
    if m:
        key = _header_key(m.group(1))
        # only list-like sections open with "Header: content" (so "Experience: 5 years" does not)
        if key in HEADERS and HEADERS[key] in ("skills", "summary", "certifications"):
            return HEADERS[key], m.end(1)
    return None


def detect_sections(text: str) -> list[Section]:
    """Split a resume into sections that tile ``text`` (first one may be ``other`` with no header).

    Args:
        text: Resume text.

    Returns:
        Sections in order; ``sections[0].start == 0`` and ``sections[-1].end == len(text)`` for
        non-empty text.
    """
    if not text:
        return []
    starts: list[tuple[int, str, str, int]] = []
    for m in _LINE_RE.finditer(text):
        line = m.group(0)
        if not line:
            break
        found = _classify_line(line)
        if found is not None:
            header = line.strip()
            if len(header) > 60:
                header = header[:60]
            starts.append((m.start(), found[0], header, m.start() + found[1]))
        if m.end() >= len(text):
            break
    sections: list[Section] = []
    if not starts or starts[0][0] > 0:
        first_end = starts[0][0] if starts else len(text)
        sections.append(Section("other", 0, first_end, None))
    for i, (start, name, header, header_end) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        sections.append(Section(name, start, end, header, header_end))
    return sections


def section_starts(sections: list[Section]) -> list[int]:
    """Start offsets, for :func:`section_at` bisection."""
    return [s.start for s in sections]


def section_at(sections: list[Section], starts: list[int], offset: int) -> str:
    """Name of the section containing ``offset`` (``other`` if none)."""
    i = bisect.bisect_right(starts, offset) - 1
    return sections[i].name if i >= 0 else "other"
