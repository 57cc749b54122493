"""Deterministic estimate of a resume's TOTAL years of professional experience.

Two kinds of evidence, in order of precedence:

1. **Explicit total statements** ("5 years of experience", "7+ yrs in IT", "over ten years of
   professional experience", "2 years 10 months of experience", "Total experience: 4.5 years"), including the
   forms of real (dotin / Indeed) resumes: header style "Experience - 24 months", "Years of Experience: 2 Years
   and 4 Months", misspelt "Exprience - Less than 1 year" (Indeed's bucket, read as 0.5), months alone
   ("21 months of experience"), "7 years as an art editor", and "6 years of functional experience" (up to three
   free words before "experience", only when the skill mentions are known and none lies in those words), and a
   tenure with "for" ("worked as a nurse for 8 years": in years, in a sentence that says the person worked), years
   in workplaces ("8 years in public high schools", "5 years in law firms") and "with N years <doing>"
   ("Paralegal with 5 years supporting civil litigation").
   The largest plausible figure (0 < years <= :data:`MAX_YEARS`) wins. Statements about one skill
   ("5 years of Python", "3+ years experience with Docker", "4 years' experience in <skill>") are
   not total experience and are ignored here (``features.compute_role_features`` keeps its
   per-skill fallback for them).
2. Otherwise **date ranges** in the experience section ("2019 – present", "Jan 2017 - Mar 2020",
   "02/2021 - Present", "2004-2007"); overlapping ranges are merged so parallel jobs are not counted
   twice, and the union is summed (capped at :data:`MAX_YEARS`). Education ranges never count: the
   education section is skipped, and when the resume has no recognised experience section, ranges
   whose surrounding text names a degree, or a school without a job title (a teacher's school is a job), are
   skipped too. A range that ends before it starts is not taken and the search goes on inside it.

"Present": "present / current / now / till date / to date" ends a range at ``as_of``, the date the resume is
read as of (to the month), when the caller gives one: serving passes the request's ``as_of`` (default: the day of
the request, UTC), so "Charge Nurse, 2021 - Present" read in December 2026 counts 5.9 years and the same text and
``as_of`` always give the same estimate. Without ``as_of`` (training, evaluation on resumes written years ago) it
resolves to the *reference year*: ``reference_year`` when given, else the LATEST year written anywhere in the
document, never the wall clock (the time a stored resume was written, as far as the text says).

No evidence -> ``None`` (the estimator never invents a figure).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from careerready.schemas.extraction import ExperienceEvidence
from careerready.text import NUMBER_WORDS, finditer_at

__all__ = ["MAX_YEARS", "estimate_years"]

#: Upper bound on a plausible total (statements above it are discarded; range unions are capped).
MAX_YEARS = 50.0
MIN_START_YEAR = 1950

_WORDS = NUMBER_WORDS
_NUM = r"(?:\d{1,2}(?:\.\d{1,2})?|" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")"
_YEARS_WORD = r"(?:years?|yrs?\.?)"
_MONTHS_WORD = r"(?:months?|mos?\.?)"
# "<N>[+] years [plus] [<M> months]" or "<M> months" (months alone: "21 months of experience")
_QUANT = (
    rf"(?:(?P<y>{_NUM})\s*(?P<plus>\+|plus)?\s*{_YEARS_WORD}(?:\s+plus\b)?"
    rf"(?:\s*(?:and\s+|,\s*)?(?P<m>\d{{1,2}}|{'|'.join(_WORDS)})\s*{_MONTHS_WORD})?"
    rf"|(?P<mo>\d{{1,3}}|{'|'.join(_WORDS)})\s*(?P<mplus>\+)?\s*{_MONTHS_WORD}(?!\w))"
)
# Indeed's bucket "Less than 1 year", sometimes followed by a stray unit ("Less than 1 year months")
_LESS_THAN_YEAR = r"(?P<lt>less\s+than\s+(?:1|one|a)\s+year)(?:\s+months?\b)?"
# "Experience", and its common misspellings in real resumes ("Exprience", "Experiance", "Expereince")
_EXPERIENCE_WORD = r"(?:experience|exp[a-z]{3,7}(?:ce|se))\b"
_QUAL = r"(?:(?:total|professional|industry|industrial|work|working|relevant|overall|hands[- ]on|progressive|combined|"
_QUAL += r"cumulative|corporate|practical|extensive|rich|solid|proven|diverse|it|software|career)\s+)*"
# Words that may open a statement of _STATEMENT_A/B/D/E (a qualifier or a spelled-out number): the first
# word-character run of each, for :func:`_quantity_starts`
_QUALIFIERS = ("over", "more than", "almost", "nearly", "about", "around", "approximately", "approx", "close to")
_OPENING_WORDS = tuple(sorted({q.split()[0] for q in _QUALIFIERS} | set(_WORDS)))
# quantity followed by "experience" (skill-specific when followed by with/using/in <skill>)
_STATEMENT_A = re.compile(
    rf"\b(?:(?:over|more\s+than|almost|nearly|about|around|approximately|approx\.?|close\s+to|~)\s*)?{_QUANT}"
    rf"(?:['’]s?)?\s+(?:of\s+)?{_QUAL}(?:experience|exp\b\.?)",
    re.IGNORECASE,
)
# quantity followed by "in <industry/field>", "in <workplaces>" ("8 years in public high schools", "6 years in
# acute-care hospitals", "in law firms") or "of work/professional work"
_STATEMENT_B = re.compile(
    rf"\b(?:(?:over|more\s+than|almost|nearly|about|around|approximately|close\s+to)\s*)?{_QUANT}"
    r"\s+(?:in\s+(?:the\s+)?(?:it\b|industry\b|(?:[\w-]+\s+){0,2}(?:industry|sector|field|work|domain|roles?|positions?"
    r"|schools|classrooms|hospitals|clinics|kitchens|restaurants|firms|agencies|practices)\b)"
    r"|of\s+(?:professional\s+|paid\s+|full[- ]time\s+)?(?:work|employment)\b)",
    re.IGNORECASE,
)
# "Total experience: 5 years", "experience of over 3 years", "Experience - 24 months", "Exprience - Less than 1 year",
# "Years of Experience: 2 Years and 4 Months"
_STATEMENT_C = re.compile(
    rf"\b(?:(?:total|overall|professional|work|relevant|it|years\s+of)\s+)?{_EXPERIENCE_WORD}\s*(?:of|:|-|–|—)\s*"
    rf"(?:(?:over|more\s+than|almost|nearly|about|around|approximately)\s*)?(?:{_QUANT}|{_LESS_THAN_YEAR})",
    re.IGNORECASE,
)
# "7 years as an art editor", "10+ years as a Teacher": a stated tenure in a job title
_STATEMENT_D = re.compile(
    rf"\b(?:(?:over|more\s+than|almost|nearly|about|around|approximately)\s*)?{_QUANT}"
    r"\s+(?:work(?:ed|ing)\s+)?as\s+(?:an?|the)\s+(?=[A-Za-z])",
    re.IGNORECASE,
)
# "6 years of functional experience", "5 years of securities law experience": up to three free words before
# "experience"; taken only when the skill mentions are known and none of them lies in those words
_STATEMENT_E = re.compile(
    rf"\b(?:(?:over|more\s+than|almost|nearly|about|around|approximately)\s*)?{_QUANT}"
    rf"\s+of\s+(?P<words>(?:[a-z][\w&/-]*\s+){{1,3}}){_EXPERIENCE_WORD}",
    re.IGNORECASE,
)
# "worked as a nurse for 8 years", "Working for 6 years with NGOs", "for more than 10 years": a tenure stated with
# "for"; taken only in years (a job's "for 7 months" is not a total) and when the sentence before it says that the
# person worked (_WORK_LEAD), which leaves "exceeded quotas for 3 years", "member of the club for seven years"
_STATEMENT_F = re.compile(
    r"\bfor\s+(?:the\s+(?:past|last)\s+)?(?:(?:over|more\s+than|almost|nearly|about|around|approximately|close\s+to)\s+)?"
    rf"(?P<y>{_NUM})\s*(?P<plus>\+|plus)?\s*{_YEARS_WORD}(?!\w)",
    re.IGNORECASE,
)
# "Paralegal with 5 years supporting civil litigation", "Nurse with 6 years caring for ...": "with N years" then a
# verb in -ing (what the person did for those years); "with 3 years of Java" / "in <skill>" are left to A/B/E
_STATEMENT_G = re.compile(
    r"\bwith\s+(?:(?:over|more\s+than|almost|nearly|about|around|approximately|close\s+to)\s+)?"
    rf"(?P<y>{_NUM})\s*(?P<plus>\+|plus)?\s*{_YEARS_WORD}(?=\s+(?!using\b|remaining\b)[a-z]+ing\b)",
    re.IGNORECASE,
)
_FOR_AT = re.compile(r"\bfor\b", re.IGNORECASE)
_WITH_AT = re.compile(r"\bwith\b", re.IGNORECASE)
_WORK_LEAD = re.compile(
    r"\b(?:work(?:ed|ing)?|serv(?:ed|ing)|employed|practi[cs](?:ed|ing|e)|taught|teaching|was|were|been"
    r"|as\s+(?:an?|the))\b",
    re.IGNORECASE,
)
#: How far back a sentence is searched for a work lead, and what ends it
_LEAD_CHARS = 250
_SENTENCE_END = re.compile(r"[.!?;•\n](?=\s)|[.!?;•\n]$")
# "Promoted after one year of employment", "within 2 years of experience": a point in a career, not its length
_NOT_TOTAL_BEFORE = re.compile(r"\b(?:after|within|upon|first)\s+$", re.IGNORECASE)
_SKILL_TAIL = re.compile(r"\s*(?:with|using|on|in|of|for|at)\s+", re.IGNORECASE)
_TOTAL_TAIL = re.compile(
    r"\s*(?:in|across|within)\s+(?:the\s+|a\s+|an\s+|various\s+|multiple\s+|diverse\s+|different\s+|it\b|industry\b)",
    re.IGNORECASE,
)

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_YEAR = r"(?:19[5-9]\d|20\d\d)"
_DATE = rf"(?:(?P<{{p}}mon>{_MONTH})[\s,]+|(?P<{{p}}num>0?[1-9]|1[0-2])\s*[/.]\s*)?(?P<{{p}}year>{_YEAR})"
_PRESENT = r"(?P<present>present|current(?:ly)?|now|today|ongoing|till\s+(?:date|now)|to\s+date|date)"
_SEP = r"(?:\s*(?:-|–|—|−|~|to|till|until|through|thru)\s*|\s{2,})"
_RANGE = re.compile(
    rf"(?<![\d/.]){_DATE.format(p='s')}{_SEP}(?:{_DATE.format(p='e')}|{_PRESENT})(?![\d])",
    re.IGNORECASE,
)
_ANY_YEAR = re.compile(rf"(?<!\d){_YEAR}(?!\d)")
# What marks a date range as study when no section says so. Degree words always do; an institution's name does
# unless a job title is also in the context: "English Teacher, Castle View School, 2004 - 2006", "Associate
# Professor, Wichita State University  2007  2015" are jobs (teachers, lecturers and counsellors work at schools)
_DEGREE_WORDS = re.compile(
    r"\b(?:bachelor\w*|master'?s?|degree|diploma|b\.?\s?sc|m\.?\s?sc|b\.?\s?tech|m\.?\s?tech|b\.?e\.|mba|ph\.?\s?d|gpa|"
    r"cgpa|graduat\w*|coursework|hsc|ssc|cbse|matriculation|intermediate|major(?:ing)?\s+in|minor\s+in|a\s+levels?|"
    r"undergraduate|postgraduate|certificate\s+in|honou?rs)\b|\b(?-i:B\.?A|B\.?S|M\.A\.|M\.S\.|BSc|MSc)(?!\w)",
    re.IGNORECASE,
)
_INSTITUTION_WORDS = re.compile(
    r"\b(?:universit\w*|college|school|academy|institute|education|high\s+school|secondary)\b", re.IGNORECASE
)
_EDUCATION_HEADER = re.compile(r"\b(?:Education|EDUCATION)\b")
_JOB_WORDS = re.compile(
    r"\b(?:teach\w*|professor|lecturer|instructor|tutor|principal|dean|counsel+or|coordinator|director|head|chair\w*|"
    r"librarian|nurse|assistant|aide|administrator|manager|officer|coach|advis[eo]r|specialist|supervisor|trainer|"
    r"faculty|staff|consultant|clerk|secretary|registrar|superintendent|therapist|psychologist|technician|"
    r"researcher|employ\w*|worked|intern)\b",
    re.IGNORECASE,
)
_WORK_SECTIONS = frozenset({"experience"})
_FALLBACK_SECTIONS = frozenset({"experience", "summary", "other"})


def estimate_years(
    text: str,
    sections: Sequence[Any] | None = None,
    reference_year: int | None = None,
    *,
    skill_spans: Iterable[tuple[int, int]] | None = None,
    as_of: date | None = None,
) -> tuple[float | None, list[ExperienceEvidence]]:
    """Estimate total years of professional experience from resume text.

    Args:
        text: The resume text (evidence spans index it exactly).
        sections: Sections tiling the text (objects or dicts with ``name``, ``start``, ``end``), e.g.
            :class:`~careerready.schemas.extraction.SectionInfo`. ``None`` treats the whole text as one
            unlabelled section (education ranges are then recognised by nearby school/degree words).
        reference_year: The year "present" stands for when ``as_of`` is None; default the latest year written in
            ``text``.
        skill_spans: ``(start, end)`` of skill mentions; a years statement directly followed by
            "in/with <skill mention>" is per-skill evidence, not total experience.
        as_of: The date the resume is read as of: "present" ends there (at the start of its month). Overrides
            ``reference_year``.

    Returns:
        ``(years, evidence)``: ``years`` rounded to 2 decimals, or ``None`` when the text states no
        total experience and has no usable work date ranges. ``evidence`` lists every total statement
        and work date range found, in text order, with ``used`` marking what the estimate rests on.
    """
    secs = _normalise_sections(text, sections)
    starts = sorted({s for s, _ in skill_spans or ()})
    statements = _statements(text, secs, starts, skill_spans is not None)
    if as_of is None and reference_year is None:
        years_seen = [int(m.group(0)) for m in _ANY_YEAR.finditer(text)]
        reference_year = max(years_seen) if years_seen else None
    # the month of as_of counts from its first day (the month in progress does not count yet)
    present = _point(as_of.year, as_of.month, start=True) if as_of is not None else reference_year
    ranges = _ranges(text, secs, present)

    plausible = [e for e in statements if 0 < e.years <= MAX_YEARS]
    if plausible:
        best = max(e.years for e in plausible)
        chosen = next(e for e in plausible if e.years == best)
        evidence = [e.model_copy(update={"used": e is chosen}) for e in statements] + ranges
        return round(best, 2), sorted(evidence, key=lambda e: (e.start, e.end))
    if not ranges:
        return None, sorted(statements, key=lambda e: (e.start, e.end))
    intervals = sorted((_interval(e) for e in ranges), key=lambda iv: iv)
    total, cur_s, cur_e = 0.0, intervals[0][0], intervals[0][1]
    for s, e in intervals[1:]:
        if s <= cur_e:
            cur_e = max(cur_e, e)
        else:
            total += cur_e - cur_s
            cur_s, cur_e = s, e
    total += cur_e - cur_s
    evidence = statements + [e.model_copy(update={"used": True}) for e in ranges]
    years = round(min(total, MAX_YEARS), 2)
    return (years if years > 0 else None), sorted(evidence, key=lambda e: (e.start, e.end))


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def _normalise_sections(text: str, sections: Sequence[Any] | None) -> list[tuple[str, int, int]]:
    if not sections:
        return [("", 0, len(text))]
    out: list[tuple[str, int, int]] = []
    for s in sections:
        d: dict[str, Any] = s if isinstance(s, dict) else {k: getattr(s, k) for k in ("name", "start", "end")}
        out.append((str(d["name"]), int(d["start"]), int(d["end"])))
    return out


def _section_at(secs: list[tuple[str, int, int]], pos: int) -> str:
    for name, start, end in secs:
        if start <= pos < end:
            return name
    return secs[-1][0] if secs else ""


def _number(tok: str) -> float:
    t = tok.lower()
    return float(_WORDS[t]) if t in _WORDS else float(t)


def _quantity(m: re.Match[str]) -> float:
    groups = m.groupdict()
    if groups.get("lt"):
        return 0.5  # "less than 1 year": the middle of the bucket
    if groups.get("y") is None:
        return _number(groups["mo"]) / 12.0
    years = _number(groups["y"])
    if groups.get("m"):
        months = _number(groups["m"])
        if months < 12:
            years += months / 12.0
    return years


def _followed_by_skill(end: int, text: str, skill_starts: list[int], of_experience: bool = False) -> bool:
    """True if the statement is directly followed by "with/using <...>" or "in/on/... <skill mention>"."""
    if _WITH_RE.match(text, end) is not None:
        return True
    tail = _SKILL_TAIL.match(text, end)
    if tail is None or of_experience:
        return False
    if _TOTAL_TAIL.match(text, end):
        return False
    nxt = tail.end()
    return any(nxt <= s <= nxt + 4 for s in skill_starts) if skill_starts else _WITH_RE.match(text, end) is not None


_WITH_RE = re.compile(r"\s*(?:with|using)\s+", re.IGNORECASE)


def _skill_follows(end: int, text: str, skill_starts: list[int]) -> bool:
    """A skill mention starts right after "with/using/in/on/... " at ``end`` ("for 5 years with Excel")."""
    tail = _SKILL_TAIL.match(text, end)
    return tail is not None and any(tail.end() <= s <= tail.end() + 4 for s in skill_starts)


def _work_lead_before(text: str, start: int) -> bool:
    """The sentence before ``start`` (at most :data:`_LEAD_CHARS` characters) says the person worked."""
    lo = max(0, start - _LEAD_CHARS)
    stops = [m.end() for m in _SENTENCE_END.finditer(text, lo, start)]
    return _WORK_LEAD.search(text, stops[-1] if stops else lo, start) is not None


# ---- where a match can start ---------------------------------------------------------------------
# Python's re tries a pattern at every position of the text; the statement and date-range patterns open with long
# alternations, so most of estimate_years' time went to positions where no match can start. The helpers below list
# a superset of the positions where one can start, and ``text.finditer_at`` tries the pattern only there (the same
# matches as ``pattern.finditer``; ``tests/unit/test_text_scan.py`` compares both on real and generated text).
_WORD_RUN = re.compile(r"\w+")
_YEAR_AT = re.compile(rf"(?={_YEAR})")
# the longest month a date range can open with ("september.") and what may separate it or a month number from
# the year ("Jan, 2019", "03 / 2019")
_MONTH_MAX = 10
_DATE_GLUE = frozenset(" ,/.")


def _quantity_starts(text: str) -> list[int]:
    """Every position where ``_STATEMENT_A/B/D/E`` can start (and some where they cannot).

    They start at a word boundary with a qualifier, a number or a spelled-out number, or at ``~``: a word that
    starts with a digit or with one of :data:`_OPENING_WORDS` (ASCII, any case), any word with a non-ASCII
    character (IGNORECASE folds a few of those onto ASCII letters: ``ſ`` is ``s``), and every ``~``.
    """
    out = []
    for m in _WORD_RUN.finditer(text):
        w = m.group()
        if w[0].isdecimal() or not w.isascii() or w.lower().startswith(_OPENING_WORDS):
            out.append(m.start())
    if "~" in text:
        out = sorted(set(out) | {k for k, ch in enumerate(text) if ch == "~"})
    return out


def _word_starts(text: str, word: str, pattern: re.Pattern[str]) -> list[int]:
    """Every position where ``word`` (lower case, any case in ``text``) starts without a letter or digit before it:
    where ``_STATEMENT_F`` ("for") and ``_STATEMENT_G`` ("with") can start.

    ``str.find`` over the lower-cased text (a C loop) when lower-casing keeps every position; else ``pattern``'s
    regex scan.
    """
    low = text.lower()
    if len(low) != len(text):
        return [m.start() for m in pattern.finditer(text)]
    out = []
    k = low.find(word)
    while k != -1:
        if k == 0 or not low[k - 1].isalnum():
            out.append(k)
        k = low.find(word, k + len(word))
    return out


def _for_starts(text: str) -> list[int]:
    """Every position where ``_STATEMENT_F`` can start: each "for" that does not follow a letter or digit."""
    return _word_starts(text, "for", _FOR_AT)


def _range_starts(text: str) -> list[int]:
    """Every position where ``_RANGE`` can start (and some where it cannot).

    A range opens with its first date, which ends in a year: a month name (at most :data:`_MONTH_MAX` characters)
    or a month number, then spaces, commas, a slash or a dot, then the year; or the year alone.
    """
    out: set[int] = set()
    for m in _YEAR_AT.finditer(text):
        y = k = m.start()
        while k > 0 and (text[k - 1] in _DATE_GLUE or text[k - 1].isspace()):
            k -= 1
        out.update(range(max(0, k - _MONTH_MAX), y + 1))
    return sorted(out)


def _statements(
    text: str, secs: list[tuple[str, int, int]], skill_starts: list[int], skill_spans_known: bool = True
) -> list[ExperienceEvidence]:
    found: dict[tuple[int, int], ExperienceEvidence] = {}
    starts = _quantity_starts(text)
    for pattern in (_STATEMENT_A, _STATEMENT_B, _STATEMENT_C, _STATEMENT_D, _STATEMENT_E, _STATEMENT_F, _STATEMENT_G):
        if pattern is _STATEMENT_C:
            matches = pattern.finditer(text)
        elif pattern is _STATEMENT_F:  # it opens with "for": tried only there
            matches = finditer_at(pattern, text, _for_starts(text))
        elif pattern is _STATEMENT_G:  # it opens with "with"
            matches = finditer_at(pattern, text, _word_starts(text, "with", _WITH_AT))
        else:
            matches = finditer_at(pattern, text, starts)
        for m in matches:
            if _section_at(secs, m.start()) == "education":
                continue
            if pattern is not _STATEMENT_C and _NOT_TOTAL_BEFORE.search(text, max(0, m.start() - 8), m.start()):
                continue
            if pattern is _STATEMENT_F and (
                not _work_lead_before(text, m.start()) or _skill_follows(m.end(), text, skill_starts)
            ):
                continue
            if pattern is _STATEMENT_E and (
                skill_spans_known is False or any(m.start("words") <= s < m.end("words") for s in skill_starts)
            ):
                continue
            # "N years of experience in <skill>" usually states the total ("5+ years of experience in social
            # media management"); "N years' experience in <skill>" / "... with <skill>" is about the skill
            of_experience = pattern is _STATEMENT_A and re.search(r"\bof\b", m.group(0), re.IGNORECASE) is not None
            if pattern in (_STATEMENT_A, _STATEMENT_B, _STATEMENT_E) and _followed_by_skill(
                m.end(), text, skill_starts, of_experience or pattern is _STATEMENT_E
            ):
                continue
            start, end = m.start(), m.end()
            if any(s <= start < e or start <= s < end for s, e in found):
                continue
            found[(start, end)] = ExperienceEvidence(
                kind="statement",
                text=text[start:end],
                start=start,
                end=end,
                section=_section_at(secs, start) or None,  # type: ignore[arg-type]
                years=round(_quantity(m), 4),
                plus=bool(m.groupdict().get("plus") or m.groupdict().get("mplus")),
                start_date=None,
                end_date=None,
                used=False,
            )
    return list(found.values())


def _month(m: re.Match[str], prefix: str) -> int | None:
    mon = m.group(prefix + "mon")
    if mon:
        return _MONTHS[mon.lower()[:3]]
    num = m.group(prefix + "num")
    return int(num) if num else None


def _ranges(text: str, secs: list[tuple[str, int, int]], present: float | None) -> list[ExperienceEvidence]:
    """Work date ranges; ``present`` = the point (a year fraction) "present" stands for (None: such ranges are
    skipped)."""
    names = {n for n, _, _ in secs}
    has_work = bool(names & _WORK_SECTIONS)
    allowed = _WORK_SECTIONS if has_work else _FALLBACK_SECTIONS | {""}
    out: list[ExperienceEvidence] = []
    for m in _range_matches(text):
        section = _section_at(secs, m.start())
        if section not in allowed:
            continue
        if not has_work and _near_education(text, m.start(), m.end()):
            continue
        sy, sm = int(m.group("syear")), _month(m, "s")
        start_val = _point(sy, sm, start=True)
        if m.group("present"):
            if present is None:
                continue
            end_val, end_label = float(present), "present"
        else:
            ey, em = int(m.group("eyear")), _month(m, "e")
            end_label = f"{ey:04d}" + (f"-{em:02d}" if em else "")
            end_val = _point(ey, em, start=False)
        if sy < MIN_START_YEAR or end_val < start_val or (end_val - start_val) > MAX_YEARS:
            continue
        out.append(
            ExperienceEvidence(
                kind="date_range",
                text=text[m.start() : m.end()],
                start=m.start(),
                end=m.end(),
                section=section or None,  # type: ignore[arg-type]
                years=round(end_val - start_val, 4),
                plus=False,
                start_date=f"{sy:04d}" + (f"-{sm:02d}" if sm else ""),
                end_date=end_label,
                used=False,
            )
        )
    return out


def _point(year: int, month: int | None, *, start: bool) -> float:
    """A date as a year fraction: a start month counts from its first day; an end month counts inclusively ("Jan
    2017 - Dec 2017" = 1 year), and a bare end year is its start."""
    if month is None:
        return float(year)
    return year + ((month - 1) / 12.0 if start else month / 12.0)


def _range_matches(text: str) -> Iterator[re.Match[str]]:
    """``_RANGE``'s matches, as ``finditer_at`` finds them, except that a range that ends before it starts is not
    taken and the search goes on after its first date: in "Since 2013  Apr 2012 - Nov 2013" (dotin's dashes are lost)
    the range is "Apr 2012 - Nov 2013", not "2013  Apr 2012"; a reversed "Nov 2023 – Feb 2023" gives nothing."""
    pos = 0
    for p in _range_starts(text):
        if p < pos:
            continue
        m = _RANGE.match(text, p)
        if m is None:
            continue
        if not m.group("present"):
            s = _point(int(m.group("syear")), _month(m, "s"), start=True)
            if _point(int(m.group("eyear")), _month(m, "e"), start=False) < s:
                pos = m.end("syear")  # its first date is taken whole: "Nov 2023 – Feb 2023" is not "2023 – Feb 2023"
                continue
        yield m
        pos = m.end()


def _interval(e: ExperienceEvidence) -> tuple[float, float]:
    assert e.start_date is not None
    y, _, mo = e.start_date.partition("-")
    s = _point(int(y), int(mo) if mo else None, start=True)
    return s, s + e.years


def _near_education(text: str, start: int, end: int) -> bool:
    """The range's context names a degree, or an institution without a job title.

    The context is the same line, within 60 characters before or 40 after the range; after the range it stops at a
    bare "Education" (the next section's header).
    """
    lo = max(text.rfind("\n", 0, start) + 1, start - 60)
    nl = text.find("\n", end)
    hi = min(nl if nl != -1 else len(text), end + 40)
    header = _EDUCATION_HEADER.search(text, end, hi)
    if header is not None:
        hi = header.start()
    context = (text[lo:start], text[end:hi])
    if any(_DEGREE_WORDS.search(c) for c in context):
        return True
    return any(_INSTITUTION_WORDS.search(c) for c in context) and not any(_JOB_WORDS.search(c) for c in context)
