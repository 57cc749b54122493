"""A job posting as an ad-hoc role: its extracted skills, split by requirement level, weighted and linked.

The posting's skills come from the extract stage (the same extractor as resumes); this module decides what the
role asks for. Each skill takes the strongest level of its mentions (:meth:`ParsedPosting.level_at`: section
header, overridden by wording in the clause) and the weight of that level (:data:`LEVEL_WEIGHTS`); required
skills are the role's critical ones. A skill the taxonomy has no id for stays in the role under
``unlinked:<normalised text>`` with its text, and a resume holds it when the resume mentions the same text
(:func:`held_for_role`). Skills seen only in context sections ("About us", "Benefits") or only negated are
listed with ``used=False`` and the reason, never dropped silently.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from careerready.core.config import LIMITS
from careerready.core.errors import InvalidInputError
from careerready.features import HeldSkill, held_skills_from_extracted
from careerready.postings import Level, ParsedPosting, level_rank, optional_spans, parse_posting
from careerready.schemas.analysis import (
    UNLINKED_PREFIX,
    InlineRole,
    InlineRoleSkill,
    PostingProfile,
    PostingSectionInfo,
    PostingSkill,
)
from careerready.schemas.extraction import ExtractedSkill
from careerready.services.catalog import Catalog
from careerready.text import normalize_alias

__all__ = [
    "DEFAULT_TITLE",
    "LEVEL_WEIGHTS",
    "OPTIONAL_WEIGHT",
    "PostingRole",
    "held_for_role",
    "posting_role",
    "unlinked_skill_id",
]

#: (importance, critical) per level. Required = must-have (critical, full weight); a duty or description mention
#: is asked for but not gating; a nice-to-have counts a little (it still shows as a gap, ranked low).
LEVEL_WEIGHTS: dict[str, tuple[float, bool]] = {
    "required": (1.0, True),
    "mentioned": (0.6, False),
    "preferred": (0.3, False),
}
#: A required skill that is one of several alternatives ("Snowflake, BigQuery or Redshift") or an example in
#: parentheses ("AWS (S3, Glue, EMR)"): asked for like a duty, never critical on its own.
OPTIONAL_WEIGHT = 0.6
DEFAULT_TITLE = "Job posting"


def unlinked_skill_id(text: str) -> str:
    """Role skill id of a skill the catalog lacks: ``unlinked:`` + its normalised text (same text, same id)."""
    return UNLINKED_PREFIX + normalize_alias(text)[: LIMITS.max_inline_name_chars]


@dataclass(frozen=True)
class PostingRole:
    """The ad-hoc role built from a posting, and the profile shown to the user."""

    role: InlineRole
    profile: PostingProfile
    parsed: ParsedPosting


def _posting_id(text: str) -> str:
    return "posting-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _mentions(skill: ExtractedSkill) -> list[tuple[str, int, int, bool]]:
    if skill.mentions:
        return [(m.text, m.start, m.end, m.negated) for m in skill.mentions]
    return [(skill.text, skill.start, skill.end, skill.negated)]


def posting_role(text: str, skills: Sequence[ExtractedSkill], field: str = "posting") -> PostingRole:
    """Build the ad-hoc role of a posting from its text and its extracted skills.

    Args:
        text: The posting text.
        skills: The extract stage's skills for ``text``.
        field: Request field named in errors.

    Raises:
        InvalidInputError: no skill the role can ask for (none found, or only in context sections / negated).
    """
    parsed = parse_posting(text)
    mentions: list[tuple[str, ExtractedSkill, str, int, int, bool]] = []
    for sk in skills:
        key = sk.skill_id if sk.skill_id is not None else unlinked_skill_id(sk.text)
        if key == UNLINKED_PREFIX:
            continue  # a span with no letters or digits is not a skill
        mentions.extend((key, sk, *m) for m in _mentions(sk))
    optional = optional_spans(text, [(m[3], m[4]) for m in mentions], [m[0] for m in mentions])
    # role skill id -> (level, optional, reason, text, start, skill_id, name, mentions)
    found: dict[str, dict[str, Any]] = {}
    for i, (key, sk, mtext, start, end, negated) in enumerate(mentions):
        level: Level
        if negated:
            level, reason = "context", "negated mention"
        else:
            level, reason = parsed.level_at(start, end)
        alt = optional.get(i) if level == "required" else None
        if alt is not None:
            reason = f"{reason}; {alt}"
        cur = found.get(key)
        strength = (level_rank(level), alt is not None)
        if cur is None:
            found[key] = {
                "level": level,
                "optional": alt is not None,
                "reason": reason,
                "text": mtext,
                "start": start,
                "skill_id": sk.skill_id,
                "name": (sk.name if sk.skill_id is not None and sk.name else sk.text).strip(),
                "n": 1,
            }
            continue
        cur["n"] += 1
        if strength < (level_rank(cur["level"]), cur["optional"]):
            cur.update(level=level, optional=alt is not None, reason=reason, text=mtext, start=start)
    ordered = sorted(found.items(), key=lambda kv: (level_rank(kv[1]["level"]), kv[1]["start"], kv[0]))
    usable = [k for k, v in ordered if v["level"] in LEVEL_WEIGHTS]
    kept = set(usable[: LIMITS.max_inline_role_skills])
    out: list[PostingSkill] = []
    role_skills: list[InlineRoleSkill] = []
    for key, v in ordered:
        used = key in kept
        importance, critical = LEVEL_WEIGHTS.get(v["level"], (0.0, False)) if used else (0.0, False)
        if used and v["optional"]:
            importance, critical = OPTIONAL_WEIGHT, False
        reason = v["reason"]
        if v["level"] in LEVEL_WEIGHTS and not used:
            reason += f"; over the {LIMITS.max_inline_role_skills}-skill limit of a role"
        name = v["name"][: LIMITS.max_inline_name_chars] or key
        out.append(
            PostingSkill(
                text=v["text"],
                start=v["start"],
                skill_id=v["skill_id"],
                role_skill_id=key,
                name=name,
                linked=v["skill_id"] is not None,
                level=v["level"],
                reason=reason,
                importance=importance,
                critical=critical,
                used=used,
                mention_count=v["n"],
            )
        )
        if used:
            role_skills.append(InlineRoleSkill(skill_id=key, name=name, importance=importance, critical=critical))
    if not role_skills:
        if out:
            why = ", ".join(sorted({s.reason for s in out}))
            raise InvalidInputError(
                f"no skill the posting asks for: {len(out)} found, none in its requirements or duties ({why})",
                field=field,
            )
        raise InvalidInputError("no skill found in the posting", field=field)
    title = (parsed.title or DEFAULT_TITLE)[: LIMITS.max_inline_name_chars]
    years = parsed.min_years
    years_text = next(
        (s.text for s in parsed.years_statements if s.years == years and s.level in ("required", "mentioned")), None
    )
    role = InlineRole(
        id=_posting_id(text),
        title=title,
        description=f"Ad-hoc role from a job posting ({len(text)} characters)",
        min_years=years or 0.0,
        skills=role_skills,
    )
    profile = PostingProfile(
        role_id=role.id,
        title=title,
        chars=len(text),
        min_years=years,
        years_text=years_text,
        sections=[
            PostingSectionInfo(header=s.header, level=s.level, start=s.start, end=s.end) for s in parsed.sections
        ],
        skills=out,
        required_count=sum(s.used and s.level == "required" for s in out),
        preferred_count=sum(s.used and s.level == "preferred" for s in out),
        unlinked_count=sum(s.used and not s.linked for s in out),
    )
    return PostingRole(role, profile, parsed)


def held_for_role(skills: Iterable[Any], catalog: Catalog, role_skill_ids: Iterable[str]) -> Mapping[str, HeldSkill]:
    """Held skills for matching an inline role: the catalog-linked ones, plus its ``unlinked:`` skills whose text
    the resume mentions (as an unlinked skill, or as the surface of a linked one).

    Args:
        skills: The resume's extracted skills (ExtractedSkill or dicts).
        catalog: The catalog (alias vs canonical mentions).
        role_skill_ids: The inline role's skill ids.
    """
    held = dict(held_skills_from_extracted(skills, catalog))
    wanted = {sid for sid in role_skill_ids if sid.startswith(UNLINKED_PREFIX)}
    if not wanted:
        return held
    renamed: list[dict[str, Any]] = []
    for s in skills:
        d = dict(s) if isinstance(s, Mapping) else s.model_dump()
        for m in d.get("mentions") or [d]:
            key = unlinked_skill_id(str(m.get("text") or ""))
            if key in wanted:
                renamed.append({**m, "skill_id": key, "mentions": []})
    held.update(held_skills_from_extracted(renamed))
    return dict(sorted(held.items()))
