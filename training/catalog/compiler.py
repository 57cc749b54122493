"""Load, validate and compile the authored catalog YAML.

Every problem found is collected and reported together in one :class:`CatalogBuildError`, so an
author fixes a whole batch at once: unresolved references, duplicate ids, aliases claimed by two
skills, prerequisite cycles, out-of-range numbers, wrong types.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from careerready.services.catalog import AUDIENCES
from careerready.text import COMMON_WORDS, SLUG_RE, is_common_word, normalize_alias, slugify

SKILL_TYPES = frozenset({"hard", "soft", "tool", "certification", "language"})
LEVELS = frozenset({"beginner", "intermediate", "advanced"})
SKILL_KEYS = frozenset(
    {"name", "id", "aliases", "type", "category", "prerequisites", "hours", "demand", "ambiguous", "description"}
)
MAX_HOURS = 5000.0
HUMAN_LANGUAGE_CATEGORY = "human-languages"
#: An O*NET-SOC occupation code as authored in a role's ``onet`` list (``15-1252.00``).
ONET_CODE_RE = re.compile(r"^\d{2}-\d{4}\.\d{2}$")


class CatalogBuildError(Exception):
    """The authored data is inconsistent; ``problems`` lists every issue found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        head = f"catalog build failed with {len(problems)} problem(s):"
        super().__init__("\n".join([head, *(f"  - {p}" for p in problems)]))


@dataclass
class SkillRecord:
    """A validated authored skill (before enrichment)."""

    id: str
    name: str
    aliases: list[str]
    type: str
    category: str
    prerequisites: list[str]
    learning_hours: float
    demand: float
    ambiguous: bool
    origin: str
    sources: list[str] = field(default_factory=lambda: ["authored"])

    def to_json(self) -> dict[str, Any]:
        """The ``skills.jsonl`` record."""
        return {
            "id": self.id,
            "name": self.name,
            "aliases": self.aliases,
            "type": self.type,
            "category": self.category,
            "prerequisites": self.prerequisites,
            "learning_hours": self.learning_hours,
            "demand": self.demand,
            "ambiguous": self.ambiguous,
            "sources": sorted(set(self.sources)),
            "alias_keys": sorted({k for k in (normalize_alias(t) for t in (self.name, *self.aliases)) if k}),
        }


@dataclass
class CompiledCatalog:
    """The three output tables plus warnings and enrichment statistics."""

    skills: list[SkillRecord]
    roles: list[dict[str, Any]]
    resources: list[dict[str, Any]]
    warnings: list[str]
    enrichment_stats: dict[str, Any]
    inputs: dict[str, str]
    #: O*NET occupations as servable roles (``occupations.json``); empty without the O*NET folder.
    occupations: list[dict[str, Any]] = field(default_factory=list)


# ----------------------------------------------------------------------------------------------
def _read_yaml(path: Path, problems: list[str]) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        problems.append(f"{path}: invalid YAML: {exc}")
        return None


def _as_str_list(value: Any, where: str, problems: list[str]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(f"{where}: expected a list, got {type(value).__name__}")
        return []
    out: list[str] = []
    for v in value:
        if isinstance(v, bool) or v is None:
            problems.append(f"{where}: {v!r} is not a string (quote it in YAML)")
        elif isinstance(v, int | float):
            out.append(str(v))
        elif isinstance(v, str):
            out.append(v.strip())
        else:
            problems.append(f"{where}: {v!r} is not a string")
    return out


def _number(value: Any, where: str, lo: float, hi: float, problems: list[str]) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(float(value)):
        problems.append(f"{where}: {value!r} is not a number")
        return lo
    if not lo <= float(value) <= hi:
        problems.append(f"{where}: {value!r} is out of range [{lo}, {hi}]")
    return float(value)


def _file_digest(paths: Iterable[Path], root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def load_skills(data_dir: Path) -> tuple[list[SkillRecord], dict[str, str], list[str]]:
    """Read and validate ``data_dir/taxonomy/*.yaml``.

    Returns:
        (skills sorted by id, alias index normalised-key -> id, warnings).

    Raises:
        CatalogBuildError: listing every problem (duplicates, alias conflicts, unresolved or
            cyclic prerequisites, bad numbers).
    """
    problems: list[str] = []
    warnings: list[str] = []
    tax_dir = data_dir / "taxonomy"
    files = sorted(tax_dir.glob("*.yaml")) + sorted(tax_dir.glob("*.yml"))
    if not files:
        raise CatalogBuildError([f"no taxonomy files found in {tax_dir}"])
    raw: list[tuple[dict[str, Any], str]] = []
    for path in files:
        doc = _read_yaml(path, problems)
        if doc is None:
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("skills", []), list):
            problems.append(f"{path}: expected a mapping with a 'skills' list")
            continue
        defaults = doc.get("defaults") or {}
        for i, item in enumerate(doc.get("skills") or []):
            if not isinstance(item, dict):
                problems.append(f"{path.name}: skill #{i + 1} is not a mapping: {item!r}")
                continue
            merged = {**defaults, **item}
            merged.setdefault("category", path.stem)
            raw.append((merged, f"{path.name}: skill #{i + 1} {str(item.get('name', '?'))!r}"))

    skills: dict[str, SkillRecord] = {}
    raw_prereqs: dict[str, list[str]] = {}
    for item, where in raw:
        unknown = set(item) - SKILL_KEYS
        if unknown:
            problems.append(f"{where}: unknown key(s) {sorted(unknown)}")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}: missing name")
            continue
        name = name.strip()
        sid = str(item.get("id") or slugify(name))
        if not SLUG_RE.match(sid):
            problems.append(f"{where}: id {sid!r} is not slug-shaped (lower-case letters, digits, '-')")
        if sid in skills:
            problems.append(f"{where}: duplicate skill id {sid!r} (also in {skills[sid].origin})")
            continue
        stype = item.get("type")
        if stype not in SKILL_TYPES:
            problems.append(f"{where}: type {stype!r} not in {sorted(SKILL_TYPES)}")
        category = str(item.get("category") or "")
        if not SLUG_RE.match(category):
            problems.append(f"{where}: category {category!r} is not slug-shaped")
        ambiguous = item.get("ambiguous", False)
        if not isinstance(ambiguous, bool):
            problems.append(f"{where}: ambiguous must be true/false")
            ambiguous = False
        if not ambiguous and stype != "soft" and normalize_alias(name) in COMMON_WORDS:
            problems.append(f"{where}: name {name!r} is a common word; set ambiguous: true")
        aliases: list[str] = []
        seen = {normalize_alias(name)}
        for alias in _as_str_list(item.get("aliases"), f"{where} aliases", problems):
            key = normalize_alias(alias)
            if key in seen:
                continue
            if is_common_word(alias):
                problems.append(f"{where}: alias {alias!r} is a common/too-short word and would fire on prose")
                continue
            seen.add(key)
            aliases.append(alias)
        hours = _number(item.get("hours"), f"{where} hours", 1, MAX_HOURS, problems)
        demand = _number(item.get("demand"), f"{where} demand", 0.0, 1.0, problems)
        skills[sid] = SkillRecord(
            id=sid,
            name=name,
            aliases=aliases,
            type=str(stype),
            category=category,
            prerequisites=[],
            learning_hours=hours,
            demand=round(demand, 4),
            ambiguous=ambiguous,
            origin=where,
        )
        raw_prereqs[sid] = _as_str_list(item.get("prerequisites"), f"{where} prerequisites", problems)

    index, conflicts = build_index(skills.values())
    problems.extend(conflicts)

    for sid, refs in raw_prereqs.items():
        resolved: list[str] = []
        for ref in refs:
            target = ref if ref in skills else index.get(normalize_alias(ref))
            if target is None:
                problems.append(f"{skills[sid].origin}: unresolved prerequisite {ref!r}")
            elif target == sid:
                problems.append(f"{skills[sid].origin}: lists itself as a prerequisite")
            elif target not in resolved:
                resolved.append(target)
        skills[sid].prerequisites = resolved
    problems.extend(find_cycles({sid: s.prerequisites for sid, s in skills.items()}))
    if problems:
        raise CatalogBuildError(problems)
    return [skills[k] for k in sorted(skills)], index, warnings


def build_index(skills: Iterable[SkillRecord]) -> tuple[dict[str, str], list[str]]:
    """Normalised name/alias -> id, and a list of conflicts (a key claimed by two skills)."""
    index: dict[str, str] = {}
    origin: dict[str, str] = {}
    conflicts: list[str] = []
    for skill in sorted(skills, key=lambda s: s.id):
        for text in (skill.name, *skill.aliases):
            key = normalize_alias(text)
            if not key:
                conflicts.append(f"{skill.origin}: {text!r} normalises to an empty key")
                continue
            other = index.get(key)
            if other is not None and other != skill.id:
                conflicts.append(
                    f"alias conflict: {key!r} is claimed by {other!r} ({origin[key]}) and {skill.id!r} ({skill.origin})"
                )
                continue
            index[key] = skill.id
            origin[key] = skill.origin
    return index, conflicts


def find_cycles(graph: Mapping[str, list[str]]) -> list[str]:
    """Return one message per prerequisite cycle found (empty list for a DAG)."""
    white, grey, black = 0, 1, 2
    color = dict.fromkeys(graph, white)
    cycles: list[str] = []
    reported: set[frozenset[str]] = set()
    for root in sorted(graph):
        if color[root] != white:
            continue
        path: list[str] = []
        stack: list[tuple[str, int]] = [(root, 0)]
        while stack:
            node, i = stack.pop()
            if i == 0:
                color[node] = grey
                path.append(node)
            children = [c for c in graph.get(node, []) if c in graph]
            if i < len(children):
                stack.append((node, i + 1))
                child = children[i]
                if color[child] == grey:
                    cyc = path[path.index(child) :] + [child]
                    key = frozenset(cyc)
                    if key not in reported:
                        reported.add(key)
                        cycles.append("prerequisite cycle: " + " -> ".join(cyc))
                elif color[child] == white:
                    stack.append((child, 0))
            else:
                color[node] = black
                path.pop()
    return cycles


# ----------------------------------------------------------------------------------------------
def _resolve(ref: Any, skills: Mapping[str, SkillRecord], index: Mapping[str, str]) -> str | None:
    if not isinstance(ref, str):
        return None
    return ref if ref in skills else index.get(normalize_alias(ref))


def load_roles(
    data_dir: Path, skills: Mapping[str, SkillRecord], index: Mapping[str, str], problems: list[str], lenient: bool
) -> tuple[list[dict[str, Any]], list[str]]:
    """Read ``data_dir/roles/*.yaml`` and resolve every skill reference."""
    warnings: list[str] = []
    roles: dict[str, dict[str, Any]] = {}
    origins: dict[str, str] = {}
    for path in sorted((data_dir / "roles").glob("*.y*ml")):
        doc = _read_yaml(path, problems)
        if doc is None:
            continue
        items = doc.get("roles") if isinstance(doc, dict) else None
        if not isinstance(items, list):
            problems.append(f"{path}: expected a mapping with a 'roles' list")
            continue
        for i, item in enumerate(items):
            where = f"roles/{path.name}: role #{i + 1} {item.get('id', item.get('title', '?'))!r}"
            if not isinstance(item, dict) or not isinstance(item.get("title"), str):
                problems.append(f"{where}: missing title")
                continue
            rid = str(item.get("id") or slugify(item["title"]))
            if not SLUG_RE.match(rid):
                problems.append(f"{where}: id {rid!r} is not slug-shaped")
            if rid in roles:
                problems.append(f"{where}: duplicate role id {rid!r} (also in {origins[rid]})")
                continue
            min_years = _number(item.get("min_years", 0), f"{where} min_years", 0, 40, problems)
            role_skills: dict[str, dict[str, Any]] = {}
            for j, entry in enumerate(item.get("skills") or []):
                ewhere = f"{where} skill #{j + 1}"
                if isinstance(entry, str):
                    entry = {"skill": entry}
                if not isinstance(entry, dict):
                    problems.append(f"{ewhere}: not a mapping")
                    continue
                ref = entry.get("skill", entry.get("skill_id"))
                sid = _resolve(ref, skills, index)
                if sid is None:
                    msg = f"{ewhere}: unresolved skill reference {ref!r}"
                    (warnings if lenient else problems).append(msg)
                    continue
                importance = _number(entry.get("importance", 0.5), f"{ewhere} importance", 0.0, 1.0, problems)
                critical = entry.get("critical", False)
                if not isinstance(critical, bool):
                    problems.append(f"{ewhere}: critical must be true/false")
                    critical = False
                if sid in role_skills:
                    warnings.append(f"{ewhere}: {ref!r} repeats skill {sid!r}; kept the higher importance")
                    prev = role_skills[sid]
                    prev["importance"] = max(prev["importance"], importance)
                    prev["critical"] = prev["critical"] or critical
                    continue
                role_skills[sid] = {"skill_id": sid, "importance": round(importance, 4), "critical": critical}
            if not role_skills:
                problems.append(f"{where}: lists no resolvable skills")
            onet_codes = _as_str_list(item.get("onet"), f"{where} onet", problems)
            for code in onet_codes:
                if not ONET_CODE_RE.match(code):
                    problems.append(f"{where}: onet code {code!r} is not an O*NET-SOC code like '15-1252.00'")
            roles[rid] = {
                "id": rid,
                "title": item["title"].strip(),
                "alt_titles": _as_str_list(item.get("alt_titles"), f"{where} alt_titles", problems),
                "family": str(item.get("family") or path.stem),
                "description": " ".join(str(item.get("description") or "").split()),
                "min_years": min_years,
                "onet": list(dict.fromkeys(onet_codes)),
                "skills": sorted(role_skills.values(), key=lambda s: (-s["importance"], s["skill_id"])),
            }
            origins[rid] = where
    return [roles[k] for k in sorted(roles)], warnings


def load_resources(
    data_dir: Path, skills: Mapping[str, SkillRecord], index: Mapping[str, str], problems: list[str], lenient: bool
) -> tuple[list[dict[str, Any]], list[str]]:
    """Read ``data_dir/resources/*.yaml`` and resolve every skill reference."""
    warnings: list[str] = []
    resources: dict[str, dict[str, Any]] = {}
    origins: dict[str, str] = {}
    for path in sorted((data_dir / "resources").glob("*.y*ml")):
        doc = _read_yaml(path, problems)
        if doc is None:
            continue
        items = doc.get("resources") if isinstance(doc, dict) else None
        if not isinstance(items, list):
            problems.append(f"{path}: expected a mapping with a 'resources' list")
            continue
        for i, item in enumerate(items):
            where = f"resources/{path.name}: resource #{i + 1} {item.get('id', item.get('title', '?'))!r}"
            if not isinstance(item, dict) or not isinstance(item.get("title"), str):
                problems.append(f"{where}: missing title")
                continue
            rid = str(item.get("id") or slugify(item["title"]))
            if not SLUG_RE.match(rid):
                problems.append(f"{where}: id {rid!r} is not slug-shaped")
            if rid in resources:
                problems.append(f"{where}: duplicate resource id {rid!r} (also in {origins[rid]})")
                continue
            ids: list[str] = []
            for ref in _as_str_list(item.get("skills"), f"{where} skills", problems):
                sid = _resolve(ref, skills, index)
                if sid is None:
                    (warnings if lenient else problems).append(f"{where}: unresolved skill reference {ref!r}")
                elif sid not in ids:
                    ids.append(sid)
            if not ids:
                (warnings if lenient else problems).append(f"{where}: teaches no resolvable skill")
                if lenient:
                    continue
            level = item.get("level", "beginner")
            if level not in LEVELS:
                problems.append(f"{where}: level {level!r} not in {sorted(LEVELS)}")
            free = item.get("free", False)
            if not isinstance(free, bool):
                problems.append(f"{where}: free must be true/false")
            audience = item.get("audience", "")
            if audience and audience not in AUDIENCES:
                problems.append(f"{where}: audience {audience!r} not in {sorted(AUDIENCES)} (omit it for anyone)")
            resources[rid] = {
                "id": rid,
                "title": item["title"].strip(),
                "provider": str(item.get("provider") or ""),
                "url": str(item.get("url") or ""),
                "skills": ids,
                "level": level,
                "hours": _number(item.get("hours", 1), f"{where} hours", 0, MAX_HOURS, problems),
                "free": bool(free),
                **({"audience": audience} if audience else {}),
            }
            origins[rid] = where
    return [resources[k] for k in sorted(resources)], warnings


def merge_enrichment(
    skills: list[SkillRecord], index: dict[str, str], enrichment: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """Apply importer output in place: extra aliases (never clashing), demand, sources.

    Returns:
        Statistics: skills and aliases added per source, demand updates.
    """
    by_id = {s.id: s for s in skills}
    stats: dict[str, Any] = {
        "skills_with_new_aliases": 0,
        "aliases_added": 0,
        "demand_updated": 0,
        "alias_clashes_skipped": 0,
        "unknown_skill_ids": 0,
    }
    for sid in sorted(enrichment):
        entry = enrichment[sid]
        skill = by_id.get(sid)
        if skill is None:
            stats["unknown_skill_ids"] += 1
            continue
        added = 0
        for alias in entry.get("aliases_added", []):
            key = normalize_alias(alias)
            if not key or is_common_word(alias):
                continue
            owner = index.get(key)
            if owner is not None:
                stats["alias_clashes_skipped"] += owner != sid
                continue
            index[key] = sid
            skill.aliases.append(alias)
            added += 1
        if added:
            stats["skills_with_new_aliases"] += 1
            stats["aliases_added"] += added
        demand = entry.get("demand")
        if isinstance(demand, int | float) and 0.0 <= demand <= 1.0 and round(demand, 4) != skill.demand:
            skill.demand = round(float(demand), 4)
            stats["demand_updated"] += 1
        skill.sources = sorted(set(skill.sources) | set(entry.get("sources", [])))
    return stats


def compile_catalog(
    data_dir: Path, enrichment: Mapping[str, Mapping[str, Any]] | None = None, lenient: bool = False
) -> CompiledCatalog:
    """Validate and compile all authored data under ``data_dir``.

    Args:
        data_dir: Folder with ``taxonomy/``, optional ``roles/`` and ``resources/``.
        enrichment: Optional importer output ``{skill_id: {aliases_added, demand, sources}}``.
        lenient: Downgrade unresolved role/resource skill references to warnings (dropped).

    Raises:
        CatalogBuildError: listing every problem found.
    """
    skills, index, warnings = load_skills(data_dir)
    by_id = {s.id: s for s in skills}
    stats: dict[str, Any] = {}
    if enrichment:
        stats = merge_enrichment(skills, index, enrichment)
    problems: list[str] = []
    roles, w1 = load_roles(data_dir, by_id, index, problems, lenient)
    resources, w2 = load_resources(data_dir, by_id, index, problems, lenient)
    if problems:
        raise CatalogBuildError(problems)
    inputs = sorted(data_dir.glob("taxonomy/*.y*ml")) + sorted(data_dir.glob("roles/*.y*ml"))
    inputs += sorted(data_dir.glob("resources/*.y*ml"))
    return CompiledCatalog(skills, roles, resources, warnings + w1 + w2, stats, _file_digest(inputs, data_dir))


def dumps(obj: Any) -> str:
    """Deterministic compact JSON (sorted keys, UTF-8)."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
