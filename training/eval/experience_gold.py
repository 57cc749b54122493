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

import argparse
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from careerready.pipelines.experience import estimate_years
from careerready.sections import detect_sections
from careerready.text import NUMBER_WORDS

__all__ = [
    "ExperienceCase",
    "agreement",
    "experience_cases",
    "extract_stage",
    "gold_total",
    "main",
    "sections_only",
    "summarise",
]

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
    # each span as written: dotin lost the dashes of many ranges ("1984  1986"), and the two spaces left are the
    # separator the parser reads (collapsing them made such a range unreadable, so its resume had a wrong or no gold)
    joined = "\n".join(t.strip() for t in yoe)
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


def extract_stage(artifacts: Path) -> Callable[[str], float | None]:
    """The extract stage's ``years_experience`` (in process, from ``artifacts``), as ``analyze`` reads it."""
    from careerready.services.transport import InProcessTransport

    client = InProcessTransport.from_artifacts(artifacts)

    def years(text: str) -> float | None:
        value = client.call("extract", {"text": text}).get("years_experience")
        return None if value is None else float(value)

    return years


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: agreement per half, without the readiness pairs of ``eval_readiness`` (extraction's years only)."""
    from training.eval.eval_matching import is_selection, load_dotin

    p = argparse.ArgumentParser(prog="python -m training.eval.experience_gold", description=__doc__.split("\n\n")[0])
    p.add_argument("--dotin", type=Path, required=True, help="dotin-resume-ner folder (or its train.jsonl)")
    p.add_argument("--artifacts", type=Path, default=None, help="artifacts root: the extract stage's years")
    p.add_argument("--disagreements", action="store_true", help="also list the selection half's disagreements")
    args = p.parse_args(argv)
    if args.artifacts is not None:
        from careerready.core.observability import logger

        logger.setLevel("WARNING")
    estimate = sections_only if args.artifacts is None else extract_stage(args.artifacts)
    cases = experience_cases(load_dotin(args.dotin), estimate)
    halves = {
        "selection": [c for c in cases if is_selection(c.resume_id)],
        "report": [c for c in cases if not is_selection(c.resume_id)],
    }
    print(json.dumps({half: summarise(cs) for half, cs in halves.items()}, indent=2))
    if args.disagreements:
        for c in halves["selection"]:
            if c.gold is not None and not c.agrees:
                print(f"{c.resume_id}\t{c.kind}\tgold {c.gold}\tours {c.ours}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
