"""The compiled skill/role/resource catalog (``build/catalog/`` or the ``catalog`` artifact).

Serving-safe: stdlib only (plus the shared text helpers). Loading ~2,000 skills takes a few ms.

Two kinds of role (docs/occupations.md): the authored, curated roles of ``roles.json`` (``kind == "curated"``:
prerequisites, resources, finer titles such as DevOps or SAP, each linked to its SOC code) and, when the build had
O*NET, every O*NET occupation with data from ``occupations.json`` (``kind == "occupation"``, id ``onet-<code>``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import Any

from careerready.core.errors import ArtifactNotFoundError, NotFoundError
from careerready.text import NORMALIZER_VERSION, normalize_alias

__all__ = [
    "AUDIENCES",
    "Catalog",
    "GENERAL_SKILL_SHARE",
    "Resource",
    "Role",
    "RoleSkill",
    "Skill",
    "SKILL_TYPES",
    "SOFTWARE_AUDIENCE",
    "soc_minor_group",
]

#: A skill that at least this share of the catalog's occupations lists is *general* (Microsoft Excel 92%, Active
#: Listening 88%, Critical Thinking 85%, Problem Solving 68%): the shares jump from 0.51 to 0.47 here, and the
#: skills above are the ones O*NET rates for nearly every job (docs/gaps.md, "General skills").
GENERAL_SKILL_SHARE = 0.5

SKILL_TYPES = ("hard", "soft", "tool", "certification", "language")
SKILLS_FILE = "skills.jsonl"
ROLES_FILE = "roles.json"
OCCUPATIONS_FILE = "occupations.json"
RESOURCES_FILE = "resources.jsonl"
MANIFEST_FILE = "catalog_manifest.json"


@dataclass(frozen=True, slots=True)
class Skill:
    """One canonical skill."""

    id: str
    name: str
    aliases: tuple[str, ...]
    type: str
    category: str
    prerequisites: tuple[str, ...]
    learning_hours: float
    demand: float
    ambiguous: bool = False
    sources: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Skill:
        """Build from one ``skills.jsonl`` record."""
        return cls(
            id=d["id"],
            name=d["name"],
            aliases=tuple(d.get("aliases", ())),
            type=d["type"],
            category=d["category"],
            prerequisites=tuple(d.get("prerequisites", ())),
            learning_hours=float(d["learning_hours"]),
            demand=float(d["demand"]),
            ambiguous=bool(d.get("ambiguous", False)),
            sources=tuple(d.get("sources", ())),
        )

    @property
    def is_technical(self) -> bool:
        """True for everything except soft skills and human languages."""
        return self.type != "soft" and not (self.type == "language" and self.category == "human-languages")


@dataclass(frozen=True, slots=True)
class RoleSkill:
    """A skill a role asks for, with its weight.

    ``level`` (O*NET's level scale, 0..1) and ``demand`` (market demand from O*NET Hot Technology / In Demand, 0..1)
    are set for O*NET occupations where O*NET gives them; None otherwise.
    """

    skill_id: str
    importance: float
    critical: bool = False
    level: float | None = None
    demand: float | None = None

    @classmethod
    def from_dict(cls, s: dict[str, Any]) -> RoleSkill:
        """Build from one role ``skills`` entry.

        A catalog load builds ~33,000 of these: the slots are set through their descriptors on a bare instance,
        which is what the frozen dataclass's ``__init__`` does through ``object.__setattr__`` (the same object,
        ``==`` to ``RoleSkill(...)``, in ~60 % of the time; ``tests/unit/test_catalog.py``).
        """
        level, demand = s.get("level"), s.get("demand")
        obj = _new(cls)
        _set_skill_id(obj, s["skill_id"])
        _set_importance(obj, float(s["importance"]))
        _set_critical(obj, bool(s.get("critical", False)))
        _set_level(obj, None if level is None else float(level))
        _set_demand(obj, None if demand is None else float(demand))
        return obj


_ROLE_SKILL_FIELDS = ("skill_id", "importance", "critical", "level", "demand")
if tuple(f.name for f in fields(RoleSkill)) != _ROLE_SKILL_FIELDS:  # from_dict sets exactly these
    raise TypeError("RoleSkill.from_dict sets the fields in _ROLE_SKILL_FIELDS: update both")
_new = object.__new__
_set_skill_id, _set_importance, _set_critical, _set_level, _set_demand = (
    RoleSkill.__dict__[name].__set__ for name in _ROLE_SKILL_FIELDS
)


@dataclass(frozen=True, slots=True)
class Role:
    """A target job role."""

    id: str
    title: str
    alt_titles: tuple[str, ...]
    family: str
    description: str
    min_years: float
    skills: tuple[RoleSkill, ...]
    #: O*NET description and task lines added at catalog build time (empty without O*NET).
    profile: tuple[str, ...] = ()
    #: "curated" (authored in data/roles) or "occupation" (an O*NET occupation).
    kind: str = "curated"
    #: O*NET-SOC code ("29-1141.00"): an occupation's own, a curated role's first authored ``onet`` code; "" if none.
    soc_code: str = ""
    #: O*NET job zone 1..5 (preparation needed) for occupations; None for curated roles.
    job_zone: int | None = None
    #: Task statements (O*NET, Core first).
    tasks: tuple[str, ...] = ()
    #: Related role ids (O*NET related occupations that are in the catalog).
    related: tuple[str, ...] = ()
    #: ESCO labels linked through the crosswalk (resolved after the O*NET titles).
    esco_titles: tuple[str, ...] = ()
    #: For an occupation: the curated roles that name its SOC code.
    curated_roles: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Role:
        """Build from one ``roles.json`` / ``occupations.json`` record."""
        onet = d.get("onet") or ()
        zone = d.get("job_zone")
        return cls(
            id=d["id"],
            title=d["title"],
            alt_titles=tuple(d.get("alt_titles", ())),
            family=d.get("family", ""),
            description=d.get("description", ""),
            min_years=float(d.get("min_years", 0)),
            skills=tuple(map(RoleSkill.from_dict, d.get("skills", ()))),
            profile=tuple(map(str, d.get("profile", ()))),
            kind=str(d.get("kind", "curated")),
            soc_code=str(d.get("soc_code") or (onet[0] if onet else "")),
            job_zone=None if zone is None else int(zone),
            tasks=tuple(d.get("tasks", ())),
            related=tuple(d.get("related", ())),
            esco_titles=tuple(d.get("esco_titles", ())),
            curated_roles=tuple(d.get("curated_roles", ())),
        )

    @property
    def soc_minor_group(self) -> str:
        """SOC 2018 minor group of the role ("29-1000" for "29-1141.00"; "" without a SOC code)."""
        return soc_minor_group(self.soc_code)

    @property
    def skill_ids(self) -> tuple[str, ...]:
        """Ids of the skills this role lists, in catalog order."""
        return tuple(s.skill_id for s in self.skills)


@dataclass(frozen=True, slots=True)
class Resource:
    """A learning resource that teaches one or more skills."""

    id: str
    title: str
    provider: str
    url: str
    skills: tuple[str, ...]
    level: str
    hours: float
    free: bool
    #: "" = written for anyone; "software" = written for people who build software or run IT (a book about software
    #: teams, an IT-support career certificate): recommended for computing roles only
    #: (``careerready.pipelines.recommendation.computing_role``; docs/roles-and-resources.md, "Resources for every
    #: field").
    audience: str = ""

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Resource:
        """Build from one ``resources.jsonl`` record."""
        return cls(
            id=d["id"],
            title=d["title"],
            provider=d.get("provider", ""),
            url=d.get("url", ""),
            skills=tuple(d.get("skills", ())),
            level=d.get("level", "beginner"),
            hours=float(d.get("hours", 0)),
            free=bool(d.get("free", False)),
            audience=str(d.get("audience", "")),
        )


#: ``Resource.audience`` of a resource written for people who build software or run IT.
SOFTWARE_AUDIENCE = "software"
#: Who a resource may be written for besides everyone (""): see ``Resource.audience``.
AUDIENCES = frozenset({SOFTWARE_AUDIENCE})

#: SOC 2018 minor groups whose code is not ``XX-X000`` (the third digit counts too).
_MINOR_EXCEPTIONS = ("15-12", "31-11", "51-51")


def soc_minor_group(code: str) -> str:
    """The SOC 2018 minor group of an O*NET-SOC code or SOC group code: ``29-1141.00`` -> ``29-1000``,
    ``15-1252.00`` -> ``15-1200`` (Computer Occupations), ``25-2050`` -> ``25-2000``; "" for an empty code."""
    if len(code) < 5 or code[2] != "-":
        return ""
    if code[:5] in _MINOR_EXCEPTIONS:
        return code[:5] + "00"
    return code[:4] + "000"


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    # one decode call for the whole file is ~2x faster than one per line
    records: list[dict[str, Any]] = json.loads("[" + ",".join(lines) + "]")
    return records


@dataclass
class Catalog:
    """Skills, roles and resources with an alias index and prerequisite graph helpers."""

    skills: dict[str, Skill]
    roles: dict[str, Role] = field(default_factory=dict)
    resources: dict[str, Resource] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)
    alias_index: dict[str, str] = field(default_factory=dict)
    #: The folder it was loaded from (None when built in memory); holds optional precomputed indexes.
    directory: Path | None = None

    def __post_init__(self) -> None:
        if not self.alias_index:
            self.alias_index = build_alias_index(self.skills.values())

    @classmethod
    def load(cls, directory: Path | str) -> Catalog:
        """Load a compiled catalog directory.

        Args:
            directory: Folder holding ``skills.jsonl`` (required), ``roles.json`` and
                ``resources.jsonl`` (optional) and ``catalog_manifest.json``.

        Raises:
            ArtifactNotFoundError: ``skills.jsonl`` is missing.
        """
        root = Path(directory)
        skills_path = root / SKILLS_FILE
        if not skills_path.is_file():
            raise ArtifactNotFoundError(f"catalog has no {SKILLS_FILE}", path=str(root))
        records = _read_jsonl(skills_path)
        skills = {d["id"]: Skill.from_dict(d) for d in records}
        # the build stores each skill's normalised keys ("alias_keys"); reuse them when the
        # normaliser version matches, which saves most of the load time
        roles: dict[str, Role] = {}
        roles_path = root / ROLES_FILE
        if roles_path.is_file():
            roles = {d["id"]: Role.from_dict(d) for d in json.loads(roles_path.read_text(encoding="utf-8"))}
        occupations_path = root / OCCUPATIONS_FILE
        if occupations_path.is_file():
            for d in json.loads(occupations_path.read_text(encoding="utf-8")):
                roles.setdefault(d["id"], Role.from_dict(d))
        resources = {d["id"]: Resource.from_dict(d) for d in _read_jsonl(root / RESOURCES_FILE)}
        manifest_path = root / MANIFEST_FILE
        manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
        index: dict[str, str] = {}
        if manifest.get("normalizer_version") == NORMALIZER_VERSION and all("alias_keys" in d for d in records):
            for d in sorted(records, key=lambda r: r["id"]):
                for key in d["alias_keys"]:
                    index.setdefault(key, d["id"])
        return cls(
            skills=skills, roles=roles, resources=resources, manifest=manifest, alias_index=index, directory=root
        )

    @property
    def version(self) -> str:
        """Data version from the manifest ("" if unknown)."""
        return str(self.manifest.get("data_version", ""))

    # ---- lookups -------------------------------------------------------------------------
    def resolve_skill(self, text: str) -> str | None:
        """Map an id, a display name or any alias to a skill id (None if unknown)."""
        if text in self.skills:
            return text
        return self.alias_index.get(normalize_alias(text))

    def get_skill(self, text: str) -> Skill:
        """Like :meth:`resolve_skill` but returns the Skill and raises NotFoundError if unknown."""
        skill_id = self.resolve_skill(text)
        if skill_id is None:
            raise NotFoundError(f"unknown skill: {text!r}", skill=text)
        return self.skills[skill_id]

    @property
    def curated_roles(self) -> dict[str, Role]:
        """The authored roles only (``kind == "curated"``)."""
        return {k: r for k, r in self.roles.items() if r.kind == "curated"}

    @cached_property
    def _role_index(self) -> dict[str, str]:
        # curated roles first: where both apply, the authored role wins every title it claims
        index: dict[str, str] = {}
        ordered = sorted(self.roles.values(), key=lambda r: (r.kind != "curated", r.id))
        for role in ordered:
            for title in (role.id, role.title, *role.alt_titles):
                index.setdefault(normalize_alias(title), role.id)
        for role in ordered:
            for title in role.esco_titles:
                index.setdefault(normalize_alias(title), role.id)
        return index

    def resolve_role(self, text: str) -> str | None:
        """Map a role id, title or alternative title to a role id (None if unknown)."""
        if text in self.roles:
            return text
        return self._role_index.get(normalize_alias(text))

    def resources_for(self, skill_id: str) -> list[Resource]:
        """Resources that teach ``skill_id``, sorted by id."""
        return [r for _, r in sorted(self.resources.items()) if skill_id in r.skills]

    # ---- prerequisite graph ----------------------------------------------------------------
    @cached_property
    def _depth(self) -> dict[str, int]:
        """Longest prerequisite chain below each skill (0 = no prerequisites)."""
        depth: dict[str, int] = {}
        for root in sorted(self.skills):
            if root in depth:
                continue
            # iterative post-order DFS; the build guarantees a DAG, the guard stops bad input looping
            stack: list[tuple[str, bool]] = [(root, False)]
            on_path: set[str] = set()
            while stack:
                node, done = stack.pop()
                if done:
                    on_path.discard(node)
                    prereqs = [p for p in self.skills[node].prerequisites if p in self.skills]
                    depth[node] = 1 + max((depth.get(p, 0) for p in prereqs), default=-1)
                    continue
                if node in depth or node in on_path:
                    continue
                on_path.add(node)
                stack.append((node, True))
                for p in self.skills[node].prerequisites:
                    if p in self.skills and p not in depth and p not in on_path:
                        stack.append((p, False))
        return depth

    def prerequisite_closure(self, skill_id: str) -> list[str]:
        """All direct and indirect prerequisites of a skill, prerequisites first.

        The skill itself is not included. Order: by prerequisite depth, then id (deterministic).

        Raises:
            NotFoundError: unknown skill id.
        """
        if skill_id not in self.skills:
            raise NotFoundError(f"unknown skill id: {skill_id!r}", skill=skill_id)
        seen: set[str] = set()
        todo = list(self.skills[skill_id].prerequisites)
        while todo:
            sid = todo.pop()
            if sid in seen or sid not in self.skills or sid == skill_id:
                continue
            seen.add(sid)
            todo.extend(self.skills[sid].prerequisites)
        return self.topological_order(seen)

    @cached_property
    def occupation_share(self) -> dict[str, float]:
        """``skill_id -> share of the catalog's occupations that list it`` (empty without occupations)."""
        occupations = [r for r in self.roles.values() if r.kind == "occupation"]
        counts: dict[str, int] = {}
        for role in occupations:
            for sid in {rs.skill_id for rs in role.skills}:
                counts[sid] = counts.get(sid, 0) + 1
        return {sid: n / len(occupations) for sid, n in counts.items()}

    @cached_property
    def general_skills(self) -> frozenset[str]:
        """Skills at least :data:`GENERAL_SKILL_SHARE` of the occupations list (none for a catalog without them)."""
        return frozenset(sid for sid, share in self.occupation_share.items() if share >= GENERAL_SKILL_SHARE)

    def topological_order(self, skill_ids: Iterable[str]) -> list[str]:
        """Order skills so every prerequisite (direct or indirect) comes before its dependants.

        Unknown ids are dropped; duplicates are removed. Ties are broken by id, so the result is
        deterministic.
        """
        depth = self._depth
        unique = {s for s in skill_ids if s in self.skills}
        return sorted(unique, key=lambda s: (depth[s], s))


def build_alias_index(skills: Iterable[Skill]) -> dict[str, str]:
    """Normalised name/alias -> skill id. On a clash the first skill by id wins (the build forbids clashes)."""
    index: dict[str, str] = {}
    for skill in sorted(skills, key=lambda s: s.id):
        for text in (skill.name, *skill.aliases):
            key = normalize_alias(text)
            if key:
                index.setdefault(key, skill.id)
    return index
