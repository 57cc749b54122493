"""Catalog loading, seeded randomness and deterministic file writing for the synthetic generators."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CATALOG_FILES = ("skills.jsonl", "roles.json", "resources.jsonl")


@dataclass(frozen=True)
class Skill:
    """One catalog skill (fields of build/catalog/skills.jsonl that the generators use)."""

    id: str
    name: str
    aliases: tuple[str, ...]
    type: str
    category: str
    prerequisites: tuple[str, ...]
    learning_hours: float
    demand: float


@dataclass(frozen=True)
class RoleSkill:
    """A skill requirement of a role."""

    skill_id: str
    importance: float
    critical: bool


@dataclass(frozen=True)
class Role:
    """One catalog role."""

    id: str
    title: str
    alt_titles: tuple[str, ...]
    family: str
    min_years: float
    skills: tuple[RoleSkill, ...]

    @property
    def importance(self) -> dict[str, float]:
        """Skill id -> importance."""
        return {rs.skill_id: rs.importance for rs in self.skills}


@dataclass(frozen=True)
class Resource:
    """One learning resource."""

    id: str
    title: str
    provider: str
    skills: tuple[str, ...]
    level: str
    hours: float
    free: bool


@dataclass
class SynthCatalog:
    """The compiled catalog as the generators see it, in file order (never set order)."""

    skills: dict[str, Skill]
    roles: dict[str, Role]
    resources: dict[str, Resource]
    sha256: str
    by_category: dict[str, list[str]] = field(default_factory=dict)
    neighbours: dict[str, list[str]] = field(default_factory=dict)


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def catalog_sha256(catalog_dir: Path) -> str:
    """One sha256 over the three catalog files (name + per-file sha256, in a fixed order)."""
    h = hashlib.sha256()
    for name in CATALOG_FILES:
        h.update(f"{name}\0{sha256_file(catalog_dir / name)}\n".encode())
    return h.hexdigest()


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def role_similarity(a: Role, b: Role) -> float:
    """Importance-weighted Jaccard similarity of two roles' skill sets."""
    ia, ib = a.importance, b.importance
    keys = sorted(set(ia) | set(ib))
    num = sum(min(ia.get(k, 0.0), ib.get(k, 0.0)) for k in keys)
    den = sum(max(ia.get(k, 0.0), ib.get(k, 0.0)) for k in keys)
    return num / den if den else 0.0


def load_catalog(catalog_dir: Path) -> SynthCatalog:
    """Load build/catalog (or a fixture in the same format).

    Role skills and resource skills that are not in skills.jsonl are dropped, so a partly
    compiled catalog still generates.
    """
    catalog_dir = Path(catalog_dir)
    for name in CATALOG_FILES:
        if not (catalog_dir / name).is_file():
            raise FileNotFoundError(f"catalog file missing: {catalog_dir / name}")
    skills: dict[str, Skill] = {}
    for row in _read_jsonl(catalog_dir / "skills.jsonl"):
        skills[row["id"]] = Skill(
            id=row["id"],
            name=row["name"],
            aliases=tuple(a for a in row.get("aliases", []) if a and a.strip()),
            type=row.get("type", "hard"),
            category=row.get("category", "general"),
            prerequisites=tuple(p for p in row.get("prerequisites", []) if p != row["id"]),
            learning_hours=float(row.get("learning_hours") or row.get("hours") or 40),
            demand=float(row["demand"]) if row.get("demand") is not None else 0.5,
        )
    skills = {
        k: Skill(**{**s.__dict__, "prerequisites": tuple(p for p in s.prerequisites if p in skills)})
        for k, s in skills.items()
    }
    roles: dict[str, Role] = {}
    for row in json.loads((catalog_dir / "roles.json").read_text(encoding="utf-8")):
        seen: set[str] = set()
        rskills = []
        for rs in row.get("skills", []):
            sid = rs["skill_id"]
            if sid in skills and sid not in seen:
                seen.add(sid)
                rskills.append(RoleSkill(sid, float(rs.get("importance", 0.5)), bool(rs.get("critical", False))))
        if rskills:
            roles[row["id"]] = Role(
                id=row["id"],
                title=row.get("title", row["id"]),
                alt_titles=tuple(row.get("alt_titles", [])),
                family=row.get("family", ""),
                min_years=float(row.get("min_years") or 0),
                skills=tuple(rskills),
            )
    resources: dict[str, Resource] = {}
    for row in _read_jsonl(catalog_dir / "resources.jsonl"):
        rsk = tuple(s for s in row.get("skills", []) if s in skills)
        if rsk:
            resources[row["id"]] = Resource(
                id=row["id"],
                title=row.get("title", row["id"]),
                provider=row.get("provider", "unknown"),
                skills=rsk,
                level=row.get("level", "intermediate"),
                hours=float(row.get("hours") or 10),
                free=bool(row.get("free", False)),
            )
    if len(roles) < 2:
        raise ValueError(f"catalog {catalog_dir} needs at least 2 roles with known skills, has {len(roles)}")
    cat = SynthCatalog(skills=skills, roles=roles, resources=resources, sha256=catalog_sha256(catalog_dir))
    for s in skills.values():
        cat.by_category.setdefault(s.category, []).append(s.id)
    for r in roles.values():
        others = [o for o in roles.values() if o.id != r.id]
        others.sort(key=lambda o: (-role_similarity(r, o), o.id))
        cat.neighbours[r.id] = [o.id for o in others]
    return cat


def derive_seed(seed: int, *parts: object) -> int:
    """A stable 64-bit sub-seed (independent of PYTHONHASHSEED)."""
    text = ":".join([str(seed), *(str(p) for p in parts)])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def make_rng(seed: int, *parts: object) -> random.Random:
    """A `random.Random` seeded from `seed` and a stream name."""
    return random.Random(derive_seed(seed, *parts))


def quantile_thresholds(values: list[float], cum_props: Iterable[float]) -> list[float]:
    """Cut points at the given cumulative proportions of `values` (nearest rank)."""
    ordered = sorted(values)
    n = len(ordered)
    return [ordered[min(n - 1, max(0, int(round(p * n)) - 1))] for p in cum_props]


def dumps(obj: Any) -> str:
    """Canonical one-line JSON (stable bytes)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    """Write rows as JSON lines with \\n endings; return the row count."""
    n = 0
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(dumps(row))
            f.write("\n")
            n += 1
    return n


def write_manifest(
    out_dir: Path,
    name: str,
    seed: int,
    catalog_sha: str,
    params: dict[str, Any],
    files: dict[str, int],
    stats: dict[str, Any],
) -> dict[str, Any]:
    """Write manifest.json for a dataset dir (files: relpath -> rows) and return it."""
    from training.synth import DATASET_VERSION, GENERATOR_VERSION

    manifest = {
        "name": name,
        "version": DATASET_VERSION,
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "catalog_sha256": catalog_sha,
        "params": params,
        "files": {f: {"sha256": sha256_file(out_dir / f), "rows": rows} for f, rows in sorted(files.items())},
        "stats": stats,
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest
