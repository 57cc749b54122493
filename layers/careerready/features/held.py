"""The skills a person holds, aggregated from extracted mentions (evidence section, years, alias, count)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from careerready.features.definitions import EVIDENCE_WEIGHTS
from careerready.schemas.extraction import stated_years
from careerready.services.catalog import Catalog
from careerready.text import normalize_alias


# ---------------------------------------------------------------------------------------------
# held skills
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class HeldSkill:
    """A skill the person holds, aggregated over all its (non-negated) mentions."""

    skill_id: str
    evidence: str = "listed"
    weight: float = EVIDENCE_WEIGHTS["listed"]
    years: float | None = None
    alias: bool = False  # every mention used an alias rather than the canonical name
    mentions: int = 1


def evidence_kind(section: str | None) -> str:
    """Map a resume section name to an evidence kind (work, project, listed, course, other)."""
    s = (section or "").lower()
    if any(k in s for k in ("experience", "employment", "work", "career", "professional")):
        return "work"
    if "project" in s:
        return "project"
    if any(k in s for k in ("skill", "summary", "profile", "technolog", "competenc", "tool", "expertise")):
        return "listed"
    if any(k in s for k in ("education", "course", "certif", "training", "academic", "award")):
        return "course"
    return "other"


def held_skills_from_extracted(skills: Iterable[Any], catalog: Catalog | None = None) -> dict[str, HeldSkill]:
    """Aggregate extractor output into held skills (one per skill id).

    Args:
        skills: Objects (or dicts) with ``skill_id``, ``section``, ``years``, ``negated`` and ``text``
            attributes, e.g. :class:`careerready.schemas.extraction.ExtractedSkill`.
        catalog: Used to tell canonical-name mentions from alias mentions (optional).

    Returns:
        ``skill_id -> HeldSkill``; negated mentions and unresolved skills are dropped; the strongest
        evidence, the largest stated years and the mention count are kept. Sorted by skill id.
    """
    agg: dict[str, dict[str, Any]] = {}
    for s in _mentions(skills):
        get = s.get
        sid = get("skill_id")
        if not sid or get("negated"):
            continue
        kind = evidence_kind(get("section"))
        weight = EVIDENCE_WEIGHTS[kind]
        text = get("text") or ""
        is_alias = False
        if catalog is not None and sid in catalog.skills:
            is_alias = normalize_alias(text) != normalize_alias(catalog.skills[sid].name) if text else False
        cur = agg.get(sid)
        if cur is None:
            agg[sid] = {"kind": kind, "weight": weight, "mentions": [s], "alias": is_alias, "n": 1}
            continue
        if weight > cur["weight"]:
            cur["kind"], cur["weight"] = kind, weight
        cur["mentions"].append(s)
        cur["alias"] = cur["alias"] and is_alias
        cur["n"] += 1
    return {
        sid: HeldSkill(sid, a["kind"], a["weight"], stated_years(a["mentions"]), a["alias"], a["n"])
        for sid, a in sorted(agg.items())
    }


def _mentions(skills: Iterable[Any]) -> list[dict[str, Any]]:
    """Flatten skills into mention dicts; an ExtractedSkill with ``mentions`` yields one dict per mention."""
    out: list[dict[str, Any]] = []
    for s in skills:
        d = dict(s) if isinstance(s, Mapping) else {k: getattr(s, k, None) for k in _FIELDS}
        mentions = d.get("mentions") or []
        if not mentions:
            out.append(d)
            continue
        for m in mentions:
            md = dict(m) if isinstance(m, Mapping) else {k: getattr(m, k, None) for k in _FIELDS}
            md["skill_id"] = d.get("skill_id")
            out.append(md)
    return out


_FIELDS = ("skill_id", "section", "years", "negated", "text", "mentions")


def held_skills_from_ids(skill_ids: Iterable[str], evidence: str = "listed") -> dict[str, HeldSkill]:
    """Held skills known only by id (e.g. a profile form); all get the same evidence kind."""
    weight = EVIDENCE_WEIGHTS.get(evidence, EVIDENCE_WEIGHTS["other"])
    return {sid: HeldSkill(sid, evidence, weight) for sid in sorted(set(skill_ids))}
