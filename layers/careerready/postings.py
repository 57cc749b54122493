"""Job-posting text parser: sections, the requirement level of any span, the expected years and the title.

A pure text parser (no catalog, no models), like :mod:`careerready.sections` for resumes:

* **Sections** by their header line: "Requirements" / "Must have" / "Qualifications" -> ``required``;
  "Nice to have" / "Preferred" / "Bonus" -> ``preferred``; "Responsibilities" / "What you'll do" ->
  ``mentioned``; "About us" / "Benefits" / "What we offer" -> ``context`` (not asked of the candidate).
  Text before the first header is ``mentioned``.
* **Wording** inside a clause (a line cut at ``;`` and sentence ends) overrides the section: the cue nearest to
  the span decides ("Python required, Scala preferred"; "Familiarity with dbt"; "Docker is a plus").
* **Expected years**: the largest lower bound of "N+ years", "N-M years", "minimum of N years" stated in a
  required or mentioned clause (a preferred "7+ years is a plus" is not a requirement).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from careerready.text import NUMBER_WORDS

__all__ = [
    "LEVELS",
    "Level",
    "ParsedPosting",
    "PostingSection",
    "YearsStatement",
    "level_rank",
    "optional_spans",
    "parse_posting",
]

Level = Literal["required", "preferred", "mentioned", "context"]
#: Strongest first: a skill mentioned at several levels takes the strongest.
LEVELS: tuple[Level, ...] = ("required", "mentioned", "preferred", "context")

_HEADERS: tuple[tuple[Level, tuple[str, ...]], ...] = (
    (
        "preferred",
        (
            "nice to have",
            "nice to haves",
            "nice-to-have",
            "nice-to-haves",
            "preferred",
            "preferred qualifications",
            "preferred skills",
            "preferred experience",
            "bonus",
            "bonus points",
            "bonus skills",
            "desired",
            "desired skills",
            "desired qualifications",
            "desirable",
            "pluses",
            "good to have",
            "extra credit",
            "it would be great if you have",
            "additional qualifications",
        ),
    ),
    (
        "required",
        (
            "requirements",
            "required",
            "required skills",
            "required qualifications",
            "required experience",
            "must have",
            "must haves",
            "must-have",
            "must-haves",
            "qualifications",
            "minimum qualifications",
            "basic qualifications",
            "essential",
            "essential skills",
            "essential requirements",
            "what you need",
            "what you'll need",
            "what you will need",
            "what we're looking for",
            "what we are looking for",
            "who you are",
            "you have",
            "about you",
            "skills",
            "skills and experience",
            "experience",
            "education",
            "licenses",
            "certifications",
            "licensure",
        ),
    ),
    (
        "mentioned",
        (
            "responsibilities",
            "key responsibilities",
            "duties",
            "duties and responsibilities",
            "what you'll do",
            "what you will do",
            "the role",
            "about the role",
            "role",
            "position summary",
            "job summary",
            "summary",
            "job description",
            "description",
            "overview",
            "day to day",
            "your day",
            "in this role",
        ),
    ),
    (
        "context",
        (
            "about us",
            "about the company",
            "about the team",
            "who we are",
            "company",
            "benefits",
            "what we offer",
            "we offer",
            "perks",
            "perks and benefits",
            "compensation",
            "salary",
            "equal opportunity",
            "equal opportunity employer",
            "how to apply",
            "why join us",
            "why us",
        ),
    ),
)
_HEADER_LEVEL: dict[str, Level] = {h: level for level, heads in _HEADERS for h in heads}
_HEADER_MAX_WORDS = 7
_BULLET_RE = re.compile(r"^\s*(?:[-*•▪◦·]|\d+[.)])\s+")
_HEADER_CLEAN_RE = re.compile(r"[^a-z' -]+")

# cues inside a clause; longest first so "is a plus" beats "plus" and "nice to have" beats "have"
_PREFERRED_CUES = (
    r"nice[- ]to[- ]have",
    r"(?:is|are|would\s+be|will\s+be)?\s*an?\s+(?:big\s+|huge\s+|strong\s+)?(?:plus|bonus|advantage)",
    r"preferred",
    r"preferably",
    r"desired",
    r"desirable",
    r"ideally",
    r"bonus",
    r"familiarity\s+with",
    r"exposure\s+to",
    r"advantageous",
    r"optional",
    r"not\s+required",
)
_REQUIRED_CUES = (
    r"required",
    r"requires?",
    r"must(?:\s+have)?",
    r"mandatory",
    r"essential",
    r"minimum\s+of",
    r"at\s+least",
    r"need\s+to\s+have",
)
#: cues that qualify what follows them ("3+ years of experience, ideally in retail": the years are not preferred,
#: the retail is), so they count only for a span after them
_FORWARD_CUES = frozenset({"ideally", "preferably", "familiarity with", "exposure to"})
_CUE_RE = re.compile(
    r"\b(?:(?P<preferred>" + "|".join(_PREFERRED_CUES) + r")|(?P<required>" + "|".join(_REQUIRED_CUES) + r"))\b",
    re.IGNORECASE,
)
_CLAUSE_SPLIT_RE = re.compile(r";|\.(?=\s)|\n")

_NUM = r"(?:\d{1,2}(?:\.\d)?|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
_YEARS_RE = re.compile(
    rf"\b(?:(?:a\s+)?minimum\s+(?:of\s+)?|at\s+least\s+|over\s+|more\s+than\s+)?(?P<low>{_NUM})"
    rf"\s*(?:\+|plus)?\s*(?:(?:-|–|—|to)\s*(?P<high>{_NUM})\s*\+?\s*)?(?:years?|yrs?)\b"
    r"(?P<tail>[^.;\n]{0,80})",
    re.IGNORECASE,
)
_YEARS_CONTEXT_RE = re.compile(r"experience|background|working|practice|track record", re.IGNORECASE)
_TITLE_RE = re.compile(r"^\s*(?:job\s+title|position|title|role)\s*[:\-–]\s*(?P<title>.+?)\s*$", re.IGNORECASE)
_TITLE_MAX_CHARS = 120
MAX_POSTING_YEARS = 40.0


@dataclass(frozen=True, slots=True)
class PostingSection:
    """A posting section: its header (None for the text before the first header) and its level."""

    header: str | None
    level: Level
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class YearsStatement:
    """An experience statement ("5+ years of experience ...") and the level of its clause."""

    text: str
    start: int
    end: int
    years: float
    level: Level


@dataclass(frozen=True, slots=True)
class ParsedPosting:
    """A parsed posting: title, sections, experience statements and the expected years."""

    text: str
    title: str | None
    sections: tuple[PostingSection, ...]
    years_statements: tuple[YearsStatement, ...]

    @property
    def min_years(self) -> float | None:
        """Years of experience the posting asks for: the largest lower bound stated in a required clause, else in
        a mentioned one (None when the posting states none)."""
        for level in ("required", "mentioned"):
            found = [s.years for s in self.years_statements if s.level == level]
            if found:
                return max(found)
        return None

    def section_at(self, pos: int) -> PostingSection:
        """The section holding offset ``pos``."""
        for sec in self.sections:
            if sec.start <= pos < sec.end:
                return sec
        return self.sections[-1]

    def level_at(self, start: int, end: int) -> tuple[Level, str]:
        """The requirement level of the span ``text[start:end]`` and why (wording beats section).

        Returns:
            ``(level, reason)``, e.g. ``("preferred", "wording 'is a plus'")`` or
            ``("required", "section 'Requirements'")``.
        """
        sec = self.section_at(start)
        if sec.level != "context":
            cue = _nearest_cue(self.text, start, end)
            if cue is not None:
                level, word = cue
                return level, f"wording '{word}'"
        where = f"section '{sec.header}'" if sec.header else "posting text before any section header"
        return sec.level, where


def level_rank(level: str) -> int:
    """Position in :data:`LEVELS` (0 = strongest); unknown levels sort last."""
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


def _clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    left = max((m.end() for m in _CLAUSE_SPLIT_RE.finditer(text, 0, start)), default=0)
    nxt = _CLAUSE_SPLIT_RE.search(text, end)
    return left, (nxt.start() if nxt else len(text))


def _nearest_cue(text: str, start: int, end: int) -> tuple[Level, str] | None:
    """The wording cue of the span's clause closest to the span (ties: the one after it)."""
    lo, hi = _clause_bounds(text, start, end)
    best: tuple[int, Level, str] | None = None
    for m in _CUE_RE.finditer(text, lo, hi):
        if m.start() < end and m.end() > start:
            continue  # the cue is inside the skill's own span
        word = " ".join(m.group(0).lower().split())
        if m.start() >= end and word in _FORWARD_CUES:
            continue  # "SQL, ideally PostgreSQL": the cue is about what follows it, not about SQL
        dist = m.start() - end if m.start() >= end else start - m.end()
        level: Level = "preferred" if m.group("preferred") else "required"
        if best is None or dist < best[0]:
            best = (dist, level, " ".join(m.group(0).split()))
    return None if best is None else (best[1], best[2])


def _header_level(line: str) -> Level | None:
    """The level a header line announces (None if the line is not a known header)."""
    if _BULLET_RE.match(line):
        return None
    body = line.strip().rstrip(":").strip()
    if not body or len(body.split()) > _HEADER_MAX_WORDS:
        return None
    key = " ".join(_HEADER_CLEAN_RE.sub(" ", body.lower().replace("’", "'")).split())
    key = key.replace(" / ", " ").strip(" -")
    return _HEADER_LEVEL.get(key)


def _number(token: str) -> float:
    t = token.lower()
    return float(NUMBER_WORDS[t]) if t in NUMBER_WORDS else float(t)


def _title(lines: list[tuple[int, str]]) -> str | None:
    for _, line in lines:
        m = _TITLE_RE.match(line)
        if m:
            return m.group("title")[:_TITLE_MAX_CHARS]
    for _, line in lines:
        s = line.strip()
        if not s:
            continue
        if _header_level(s) is not None or len(s) > _TITLE_MAX_CHARS or s.endswith("."):
            return None
        return s
    return None


def parse_posting(text: str) -> ParsedPosting:
    """Parse a job posting (any field: tech, nursing, law, ...).

    Args:
        text: The posting as pasted (plain text; bullets and headers as written).

    Returns:
        The parsed posting; ``sections`` tile the text (the first one, before any header, is ``mentioned``).
    """
    lines: list[tuple[int, str]] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        lines.append((pos, raw.rstrip("\r\n")))
        pos += len(raw)
    starts: list[tuple[int, str | None, Level]] = [(0, None, "mentioned")]
    for offset, line in lines:
        level = _header_level(line)
        if level is not None:
            starts.append((offset, line.strip().rstrip(":").strip(), level))
    if len(starts) > 1 and starts[1][0] == 0:
        starts = starts[1:]
    sections = tuple(
        PostingSection(header, level, start, starts[i + 1][0] if i + 1 < len(starts) else len(text))
        for i, (start, header, level) in enumerate(starts)
    )
    parsed = ParsedPosting(text, _title(lines), sections, ())
    statements: list[YearsStatement] = []
    for m in _YEARS_RE.finditer(text):
        tail = m.group("tail") or ""
        lo, hi = _clause_bounds(text, m.start(), m.end())
        clause = text[lo:hi]
        if not _YEARS_CONTEXT_RE.search(tail) and not _YEARS_CONTEXT_RE.search(clause):
            continue  # "within 2 years", "a 3-year contract": not an experience requirement
        years = _number(m.group("low"))
        if not 0 < years <= MAX_POSTING_YEARS:
            continue
        level, _ = parsed.level_at(m.start(), m.start("tail"))
        statements.append(YearsStatement(m.group(0).strip(), m.start(), m.end(), years, level))
    return ParsedPosting(text, parsed.title, sections, tuple(statements))


_ALT_GAP_RE = re.compile(r"^\s*(?:,|/|or|,\s*or|and/or)\s*$", re.IGNORECASE)
_LIST_GAP_RE = re.compile(r"^\s*(?:,|/|or|,\s*or|and/or|and|,\s*and|&)\s*$", re.IGNORECASE)


def optional_spans(text: str, spans: list[tuple[int, int]], keys: list[str] | None = None) -> dict[int, str]:
    """Spans that are one way of meeting a requirement rather than a requirement each.

    * Alternatives: "Snowflake, BigQuery or Redshift", "Scala/Java": a list of skills whose separators include
      "or" or "/" (any one will do).
    * Examples: skills in parentheses right after another skill, "AWS (S3, Glue, EMR)".

    Args:
        text: The posting.
        spans: ``(start, end)`` of skill mentions.
        keys: the skill each span is a mention of; adjacent mentions of one skill ("CI/CD" read as "CI", "CD")
            are one list member.

    Returns:
        ``{index into spans: reason}`` for the optional ones, e.g. ``"one of Snowflake, BigQuery or Redshift"``.
    """
    order = sorted(range(len(spans)), key=lambda i: spans[i])
    out: dict[int, str] = {}
    # parenthesised examples of the skill just before the parenthesis
    by_end = {spans[i][1]: i for i in order}
    for i in order:
        start = spans[i][0]
        open_at = text.rfind("(", 0, start)
        if open_at < 0 or ")" in text[open_at:start] or "\n" in text[open_at:start]:
            continue
        before = text[:open_at].rstrip()
        head = by_end.get(len(before))
        if head is not None and head != i:
            out[i] = f"an example of {text[spans[head][0] : spans[head][1]]}"
    # lists joined by "or" / "/"
    chain: list[int] = []
    has_or = False

    def close() -> None:
        if len(chain) > 1 and has_or:
            names = [text[spans[k][0] : spans[k][1]] for k in chain]
            reason = "one of " + ", ".join(names[:-1]) + " or " + names[-1]
            for k in chain:
                out.setdefault(k, reason)

    for i in order:
        if chain and keys is not None and keys[i] == keys[chain[-1]]:
            continue  # the same skill again ("CI/CD"): not a second alternative
        if chain:
            gap = text[spans[chain[-1]][1] : spans[i][0]]
            if _LIST_GAP_RE.match(gap) and "\n" not in gap:
                chain.append(i)
                has_or = has_or or bool(_ALT_GAP_RE.match(gap))
                continue
            close()
        chain, has_or = [i], False
    close()
    return out
