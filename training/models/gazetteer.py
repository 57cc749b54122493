"""Compile the catalog's skills into the gazetteer the v1 extractor serves (``gazetteer.json``; training side).

:class:`careerready.models.extractor.GazetteerExtractor` only reads the compiled file; deciding which
aliases need context, are case-sensitive or are shared between skills happens here, once per catalog.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from careerready.models.extractor import GAZETTEER_FORMAT, GazetteerExtractor, tokenize
from careerready.text import COMMON_WORDS, normalize_alias

__all__ = ["compile_gazetteer", "gazetteer_extractor"]

# ordinary words that are also skill aliases, beyond text.COMMON_WORDS ("Less than 1 year", "safe")
_EXTRA_COMMON = frozenset({"less", "safe", "sketch", "make", "maven", "jest", "mocha", "prettier", "apex", "ides"})


def _alias_tokens(key: str) -> tuple[tuple[str, ...], tuple[bool, ...]]:
    toks = tokenize(key)
    words = tuple(t for t, _, _ in toks)
    glue = tuple(k > 0 and toks[k][1] == toks[k - 1][2] for k in range(len(toks)))
    return words, glue


def compile_gazetteer(skills: Iterable[Any], *, extra_meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """Compile catalog skills into the ``gazetteer.json`` structure.

    Each normalised alias becomes one entry ``{key, tokens, glue, skill_id, case_sensitive,
    needs_context, forms, shared}``. An alias claimed by several skills goes to the skill whose
    name it is (else the first id) and is flagged ``shared`` (lower confidence); the clash is listed
    under ``conflicts``.

    Args:
        skills: :class:`~careerready.services.catalog.Skill` objects (or dicts with the same keys).
        extra_meta: Extra top-level keys (catalog version/hash).
    """
    records: list[dict[str, Any]] = []
    for s in skills:
        d = s if isinstance(s, dict) else {f: getattr(s, f) for f in ("id", "name", "aliases", "type", "category")}
        if not isinstance(s, dict):
            d["ambiguous"] = bool(getattr(s, "ambiguous", False))
        records.append(d)
    records.sort(key=lambda d: d["id"])
    claims: dict[str, list[tuple[str, str, bool]]] = {}
    for d in records:
        for form in (d["name"], *d.get("aliases", ())):
            key = normalize_alias(str(form))
            if not key:
                continue
            claims.setdefault(key, []).append((d["id"], str(form), bool(d.get("ambiguous", False))))
    by_id = {d["id"]: d for d in records}
    entries: list[dict[str, Any]] = []
    conflicts: dict[str, list[str]] = {}
    for key in sorted(claims):
        owners = sorted({c[0] for c in claims[key]})
        if len(owners) > 1:
            conflicts[key] = owners
            named = [o for o in owners if normalize_alias(by_id[o]["name"]) == key]
            owner = named[0] if named else owners[0]
        else:
            owner = owners[0]
        forms: set[str] = set()
        skill_ambiguous = False
        for sid, form, amb in claims[key]:
            if sid != owner:
                continue
            skill_ambiguous = skill_ambiguous or amb
            forms.add(form)
            if form.islower():
                forms.add(form[:1].upper() + form[1:])
        tokens, glue = _alias_tokens(key)
        if not tokens:
            continue
        bare = key.replace(".", "").replace(" ", "")
        common = key in COMMON_WORDS or key in _EXTRA_COMMON
        needs_context = len(bare) <= 1 or common or (skill_ambiguous and len(tokens) == 1)
        case_sensitive = needs_context or len(bare) <= 2
        entries.append(
            {
                "key": key,
                "tokens": list(tokens),
                "glue": [int(g) for g in glue],
                "skill_id": owner,
                "case_sensitive": case_sensitive,
                "needs_context": needs_context,
                "forms": sorted(forms),
                "shared": len(owners) > 1,
            }
        )
    return {
        "format": GAZETTEER_FORMAT,
        **(extra_meta or {}),
        "skills": {d["id"]: {"name": d["name"], "type": d.get("type"), "category": d.get("category")} for d in records},
        "entries": entries,
        "conflicts": conflicts,
        "stats": {
            "skills": len(records),
            "entries": len(entries),
            "needs_context": sum(e["needs_context"] for e in entries),
            "case_sensitive": sum(e["case_sensitive"] for e in entries),
            "conflicts": len(conflicts),
        },
    }


def gazetteer_extractor(catalog: Any) -> GazetteerExtractor:
    """A :class:`GazetteerExtractor` compiled straight from a :class:`~careerready.services.catalog.Catalog` (tests, dev)."""
    return GazetteerExtractor.from_gazetteer(compile_gazetteer(catalog.skills.values()))
