"""Stated total experience on real resumes: our estimate vs the dotin ``Years of Experience`` gold spans.

dotin annotators marked what a person states about their experience: total statements ("5+ years of
experience", "Total Experience: 12 years 6 months") and the date ranges of their jobs ("2007 - Present").
The gold total of a resume is read from those spans alone:

* if any span is a *statement* (a number or number word followed by year(s)/yr(s)/month(s), or
  "less than 1 year"), the gold total is the largest statement;
* else the spans are date ranges, and the gold total is their merged union (read by the same date-range
  parser as serving, over the gold spans only, with "present" = the latest year written in the resume).

A resume *agrees* when our estimate (``pipelines/experience.estimate_years`` on the full text, with the
section split serving uses) is within ``max(0.5, 10 %)`` years of the gold total. Known gold noise: some
spans are per-skill ("AC (Less than 1 year)") or an education range; they are kept as annotated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from careerready.pipelines.experience import estimate_years
from careerready.sections import detect_sections
from careerready.text import NUMBER_WORDS

__all__ = ["ExperienceCase", "agreement", "experience_cases", "gold_total", "sections_only", "summarise"]

YOE = "Years of Experience"
_NUM = r"(\d{1,2}(?:\.\d{1,2})?|" + "|".join(NUMBER_WORDS) + ")"
_YEARS = re.compile(_NUM + r"\s*\+?\s*(?:years?|yrs?)", re.IGNORECASE)
_MONTHS = re.compile(_NUM + r"\s*\+?\s*(?:months?|mos)\b", re.IGNORECASE)
_LESS_THAN_ONE = re.compile(r"less\s+than\s+(?:1|one)\s+year", re.IGNORECASE)
_ANY_YEAR = re.compile(r"(?<!\d)(?:19[5-9]\d|20\d\d)(?!\d)")


def _num(tok: str) -> float:
    t = tok.lower()
    return float(NUMBER_WORDS[t]) if t in NUMBER_WORDS else float(t)


def _statement_years(span: str) -> float | None:
    if _LESS_THAN_ONE.search(span):
        return 0.5
    y = _YEARS.search(span)
    m = _MONTHS.search(span)
    if y is None and m is None:
        return None
    years = _num(y.group(1)) if y else 0.0
    if m is not None:
        months = _num(m.group(1))
        years += months / 12.0 if (y is None or months < 12) else 0.0
    return years


def gold_total(text: str, spans: Sequence[Mapping[str, Any]]) -> tuple[float | None, str]:
    """``(gold total years, "statement" | "ranges")`` from a resume's YoE spans (None when nothing parses)."""
    yoe = [str(s["text"]) for s in spans if s.get("label") == YOE]
    statements = [v for v in (_statement_years(t) for t in yoe) if v is not None and v > 0]
    if statements:
        return round(max(statements), 4), "statement"
    years_seen = [int(m.group(0)) for m in _ANY_YEAR.finditer(text)]
    ref = max(years_seen) if years_seen else None
    joined = "\n".join(" ".join(t.split()) for t in yoe)
    total, _ = estimate_years(joined, None, ref)
    return total, "ranges"


def agreement(ours: float | None, gold: float) -> bool:
    """Within ``max(0.5, 10 % of gold)`` years."""
    return ours is not None and abs(ours - gold) <= max(0.5, 0.1 * gold)


@dataclass(frozen=True)
class ExperienceCase:
    """One resume with a YoE gold span."""

    resume_id: str
    kind: str
    gold: float | None
    ours: float | None

    @property
    def agrees(self) -> bool:
        """Our estimate is within tolerance of the gold total."""
        return self.gold is not None and agreement(self.ours, self.gold)


def sections_only(text: str) -> float | None:
    """Our estimate from the text and its sections alone (no skill spans; the extract stage adds them)."""
    return estimate_years(text, detect_sections(text))[0]


def experience_cases(
    records: Sequence[Mapping[str, Any]], estimate: Callable[[str], float | None] = sections_only
) -> list[ExperienceCase]:
    """Every dotin record with at least one ``Years of Experience`` span, gold vs ``estimate(text)``."""
    out: list[ExperienceCase] = []
    for rec in records:
        spans = rec.get("spans", [])
        if not any(s.get("label") == YOE for s in spans):
            continue
        text = str(rec["text"])
        gold, kind = gold_total(text, spans)
        ours = estimate(text)
        out.append(ExperienceCase(str(rec["id"]), kind, gold, ours))
    return out


def summarise(cases: Sequence[ExperienceCase]) -> dict[str, Any]:
    """Agreement overall and by gold kind, plus how often we state nothing at all.

    ``n`` counts the resumes whose gold total is computable (a range-only resume whose single range is
    "<latest year> - present" has none under the "present = latest year written" convention); ``agree`` and
    ``none`` are shares of ``n``.
    """

    def block(cs: Sequence[ExperienceCase]) -> dict[str, Any]:
        scored = [c for c in cs if c.gold is not None]
        n = len(scored)
        return {
            "n_with_span": len(cs),
            "n": n,
            "agree": round(sum(c.agrees for c in scored) / n, 4) if n else 0.0,
            "none": round(sum(c.ours is None for c in scored) / n, 4) if n else 0.0,
        }

    return {
        "all": block(cases),
        "statement": block([c for c in cases if c.kind == "statement"]),
        "ranges": block([c for c in cases if c.kind == "ranges"]),
    }
