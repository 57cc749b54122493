"""Compile the catalog: ``python -m training.catalog.build --data data --out build/catalog``.

With ``--external DIR`` (e.g. ``../shared/data``) the importers run first and their aliases and
demand scores are merged (``--enrichment FILE`` merges a previously written enrichment.json
instead). Output is deterministic: the same inputs give byte-identical files.

Occupations: with the O*NET folder every O*NET occupation that has data (skills, knowledge, technology, job zone)
becomes a servable role in ``occupations.json`` (``onet-<code>``: title, SOC code, description, alternate titles, job
zone, tasks, related occupations, requirements; ``training/importers/onet_roles.py``), enriched from ESCO through the
ESCO -> O*NET crosswalk where the link is confident (``training/importers/esco_occupations.py``). The authored roles
stay curated in ``roles.json`` and name their SOC codes; where both apply the authored role wins every title it
claims (docs/occupations.md). Without the O*NET folder the catalog is the authored roles alone.

Role profiles: each role's authored ``onet`` codes are looked up in an O*NET release folder
(``--onet DIR``, or ``DIR/onet-29.2`` under ``--external``) and the occupation descriptions and task
statements are stored as the role's ``profile`` lines in ``roles.json`` (never in the repository). Without
that folder the build still works: roles carry their authored text only and the manifest says so.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from careerready.features.text_index import TEXT_INDEX_FILE, RoleTextIndex, documents_sha256
from careerready.services.catalog import Catalog
from careerready.services.roles import TITLE_INDEX_FILE, RoleResolver
from careerready.text import NORMALIZER_VERSION, normalize_alias

from training.catalog.compiler import CatalogBuildError, CompiledCatalog, compile_catalog, dumps

CATALOG_FORMAT = 1
OCCUPATION_ROLES_FILE = "occupations.json"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_version(data_dir: Path) -> str:
    """Data version from ``data_dir/VERSION`` ("0.0.0" if absent)."""
    path = data_dir / "VERSION"
    return path.read_text(encoding="utf-8").strip() if path.is_file() else "0.0.0"


def attach_profiles(compiled: CompiledCatalog, onet_dir: Path | None) -> dict[str, Any]:
    """Add O*NET ``profile`` lines to every role that names ``onet`` codes (in place).

    Args:
        compiled: The compiled catalog; its roles gain a ``profile`` list when O*NET is available.
        onet_dir: O*NET release folder (``occupation_data.txt``, ``task_statements.txt``), or None.

    Returns:
        The manifest's ``profiles`` section: whether profiles were built, from what, and how many lines.

    Raises:
        CatalogBuildError: a role names a code that the O*NET release does not have.
    """
    from training.importers.onet_profiles import OCCUPATIONS_FILE, TASKS_FILE, build_profiles, load_profile_tables

    mapped = sum(1 for r in compiled.roles if r.get("onet"))
    if onet_dir is None or not (onet_dir / OCCUPATIONS_FILE).is_file() or not (onet_dir / TASKS_FILE).is_file():
        where = "not given" if onet_dir is None else f"{onet_dir} has no {OCCUPATIONS_FILE}/{TASKS_FILE}"
        return {
            "used": False,
            "reason": f"O*NET folder {where}: roles carry authored text only",
            "roles_mapped": mapped,
        }
    tables = load_profile_tables(onet_dir)
    profiles, problems = build_profiles({r["id"]: r.get("onet", []) for r in compiled.roles}, tables)
    if problems:
        raise CatalogBuildError(problems)
    for role in compiled.roles:
        if role["id"] in profiles:
            role["profile"] = profiles[role["id"]]
    return {
        "used": True,
        "source": onet_dir.name,
        "inputs": {name: _sha256(onet_dir / name) for name in (OCCUPATIONS_FILE, TASKS_FILE)},
        "roles_mapped": mapped,
        "roles_with_profile": len(profiles),
        "occupations": len({c for r in compiled.roles for c in r.get("onet", [])}),
        "lines": sum(len(v) for v in profiles.values()),
    }


def attach_occupations(
    compiled: CompiledCatalog, onet_dir: Path | None, external: Path | None = None
) -> dict[str, Any]:
    """Build every O*NET occupation with data as a role into ``compiled.occupations`` (in place).

    Args:
        compiled: The compiled catalog (its skills give the alias index; its roles the curated SOC links).
        onet_dir: O*NET release folder, or None (no occupations).
        external: Folder holding ``esco-onet-crosswalk/`` and ``esco-1.2.0/`` for the ESCO enrichment (optional).

    Returns:
        The manifest's ``occupations`` section.
    """
    from training.catalog.compiler import build_index
    from training.importers.esco_occupations import (
        CROSSWALK_RELPATH,
        ESCO_OCCUPATIONS_RELPATH,
        ESSENTIAL_IMPORTANCE,
        link_esco,
    )
    from training.importers.onet_roles import build_roles, load_tables

    if onet_dir is None or not (onet_dir / "occupation_data.txt").is_file():
        return {"used": False, "reason": "no O*NET folder: the catalog serves the authored roles only"}
    index, _ = build_index(compiled.skills)
    tables = load_tables(onet_dir)
    built, stats = build_roles(tables, index, skill_ids={s.id for s in compiled.skills})
    curated: dict[str, list[str]] = {}
    for role in compiled.roles:
        for code in role.get("onet", []):
            curated.setdefault(code, []).append(role["id"])
    esco_meta: dict[str, Any] = {"used": False}
    links = None
    if (
        external is not None
        and (external / CROSSWALK_RELPATH).is_file()
        and (external / ESCO_OCCUPATIONS_RELPATH).is_file()
    ):
        titles = {code: title for code, (title, _) in tables.occupations.items()}
        links = link_esco(external / CROSSWALK_RELPATH, external / ESCO_OCCUPATIONS_RELPATH, titles, index)
        esco_meta = {
            "used": True,
            "inputs": {str(p): _sha256(external / p) for p in (CROSSWALK_RELPATH, ESCO_OCCUPATIONS_RELPATH)},
            **links.stats,
        }
    kept: list[dict[str, Any]] = []
    esco_roles = esco_titles = esco_skills = 0
    for rec in built:
        code = rec["source"]["onet_soc_code"]
        if links is not None and code in links.titles:
            seen = {normalize_alias(t) for t in (rec["title"], *rec["alt_titles"])}
            extra = []
            for label in links.titles[code]:
                key = normalize_alias(label)
                if key and key not in seen:
                    seen.add(key)
                    extra.append(" ".join(label.split()))
            have = {s["skill_id"] for s in rec["skills"]}
            added = [
                {"skill_id": sid, "importance": ESSENTIAL_IMPORTANCE, "critical": False}
                for sid in links.skills.get(code, [])
                if sid not in have
            ]
            if extra or added:
                esco_roles += 1
            esco_titles += len(extra)
            esco_skills += len(added)
            if extra:
                rec["esco_titles"] = extra
            if added:
                rec["skills"] = sorted([*rec["skills"], *added], key=lambda s: (-s["importance"], s["skill_id"]))
        if not rec["skills"]:
            continue  # O*NET has no data for it ("..., All Other"): nothing to match against
        rec["soc_code"] = code
        rec["job_zone"] = rec["source"]["job_zone"]
        rec["kind"] = "occupation"
        if code in curated:
            rec["curated_roles"] = sorted(curated[code])
        del rec["source"]
        kept.append(rec)
    kept_ids = {r["id"] for r in kept}
    for rec in kept:
        if "related" in rec:
            rec["related"] = [r for r in rec["related"] if r in kept_ids]
    compiled.occupations = kept
    return {
        "used": True,
        "source": onet_dir.name,
        "inputs": {
            name: _sha256(onet_dir / name)
            for name in sorted(p.name for p in onet_dir.glob("*.txt"))
            if name
            in {
                "occupation_data.txt",
                "alternate_titles.txt",
                "job_zones.txt",
                "technology_skills.txt",
                "skills.txt",
                "knowledge.txt",
                "tools_used.txt",
                "task_statements.txt",
                "related_occupations.txt",
            }
        },
        "occupations_in_release": stats["occupations_built"],
        "occupations_served": len(kept),
        "occupations_without_data": stats["occupations_built"] - len(kept),
        "curated_links": {code: sorted(ids) for code, ids in sorted(curated.items())},
        "mean_skills_per_occupation": round(sum(len(r["skills"]) for r in kept) / max(len(kept), 1), 2),
        "alt_titles": sum(len(r["alt_titles"]) for r in kept),
        "resolved_rows": stats["resolved_rows"],
        "unresolved_rows": stats["unresolved_rows"],
        "esco": esco_meta | {"roles_enriched": esco_roles, "titles_added": esco_titles, "skills_added": esco_skills},
        "attribution": "O*NET 29.2 Database by USDOL/ETA, CC BY 4.0",
    }


def write_catalog(
    compiled: CompiledCatalog,
    out_dir: Path,
    data_version: str,
    enrichment_meta: dict[str, Any] | None = None,
    profiles_meta: dict[str, Any] | None = None,
    occupations_meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write skills.jsonl, roles.json, resources.jsonl, occupations.json (with O*NET) and catalog_manifest.json.

    Returns:
        The manifest that was written.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "skills.jsonl": "".join(dumps(s.to_json()) + "\n" for s in compiled.skills),
        "roles.json": json.dumps(compiled.roles, sort_keys=True, ensure_ascii=False, indent=1) + "\n",
        "resources.jsonl": "".join(dumps(r) + "\n" for r in compiled.resources),
    }
    rows = {
        "skills.jsonl": len(compiled.skills),
        "roles.json": len(compiled.roles),
        "resources.jsonl": len(compiled.resources),
    }
    stale = out_dir / OCCUPATION_ROLES_FILE
    if compiled.occupations:
        # compact: ~900 occupations with ~60 titles each; indentation would add a third to the size
        files[OCCUPATION_ROLES_FILE] = dumps(compiled.occupations) + "\n"
        rows[OCCUPATION_ROLES_FILE] = len(compiled.occupations)
    elif stale.is_file():
        stale.unlink()
    file_meta: dict[str, Any] = {}
    for name, text in files.items():
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        file_meta[name] = {"sha256": _sha256(path), "size": path.stat().st_size, "rows": rows[name]}
    # the title resolver's indexes over every role title (~70,000 with O*NET), precomputed: seconds to build,
    # tens of ms to load (careerready.services.roles.RoleResolver.for_catalog)
    index_path = out_dir / TITLE_INDEX_FILE
    catalog = Catalog.load(out_dir)
    RoleResolver(catalog.roles).save_index(index_path)
    file_meta[TITLE_INDEX_FILE] = {"sha256": _sha256(index_path), "size": index_path.stat().st_size, "rows": None}
    # the role-text (TF-IDF) index that ranks roles by resume text, precomputed the same way: ~0.25 s to build at a
    # cold start, ~0.03 s to load (careerready.features.text_index.role_text_index)
    text_index_path = out_dir / TEXT_INDEX_FILE
    RoleTextIndex.from_catalog(catalog).save(text_index_path, documents_sha256(catalog))
    file_meta[TEXT_INDEX_FILE] = {
        "sha256": _sha256(text_index_path),
        "size": text_index_path.stat().st_size,
        "rows": len(catalog.roles),
    }
    catalog_sha = hashlib.sha256(dumps({k: v["sha256"] for k, v in file_meta.items()}).encode()).hexdigest()
    by_type: dict[str, int] = {}
    for s in compiled.skills:
        by_type[s.type] = by_type.get(s.type, 0) + 1
    manifest = {
        "catalog_format": CATALOG_FORMAT,
        "normalizer_version": NORMALIZER_VERSION,
        "data_version": data_version,
        "catalog_sha256": catalog_sha,
        "files": file_meta,
        "counts": {
            "skills": len(compiled.skills),
            "skills_by_type": dict(sorted(by_type.items())),
            "aliases": sum(len(s.aliases) for s in compiled.skills),
            "roles": len(compiled.roles),
            "occupations": len(compiled.occupations),
            "resources": len(compiled.resources),
        },
        "inputs": compiled.inputs,
        "enrichment": {"used": bool(enrichment_meta), **(enrichment_meta or {}), "merge": compiled.enrichment_stats},
        "profiles": profiles_meta or {"used": False},
        "occupations": occupations_meta or {"used": False},
        "warnings": len(compiled.warnings),
    }
    (out_dir / "catalog_manifest.json").write_text(
        json.dumps(manifest, sort_keys=True, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return manifest


def build(
    data_dir: Path,
    out_dir: Path,
    external: Path | None = None,
    enrichment_file: Path | None = None,
    lenient: bool = False,
    onet_dir: Path | None = None,
) -> dict[str, Any]:
    """Compile ``data_dir`` into ``out_dir`` (optionally enriched, with O*NET role profiles) and return the manifest.

    ``onet_dir`` defaults to ``external/onet-29.2`` when ``external`` is given.

    Raises:
        CatalogBuildError: the authored data is inconsistent.
    """
    enrichment: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None
    if enrichment_file is not None:
        enrichment = json.loads(enrichment_file.read_text(encoding="utf-8"))
        meta = {"file": enrichment_file.name, "sha256": _sha256(enrichment_file)}
    elif external is not None:
        from training.importers.enrich import compute_enrichment

        enrichment, meta = compute_enrichment(data_dir, external)
    compiled = compile_catalog(data_dir, enrichment, lenient=lenient)
    if onet_dir is None and external is not None:
        from training.importers.onet_profiles import RELDIR

        onet_dir = external / RELDIR
    profiles_meta = attach_profiles(compiled, onet_dir)
    occupations_meta = attach_occupations(compiled, onet_dir, external)
    manifest = write_catalog(compiled, out_dir, read_version(data_dir), meta, profiles_meta, occupations_meta)
    return manifest | {"_warnings": compiled.warnings}


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    ap = argparse.ArgumentParser(prog="python -m training.catalog.build", description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("data"), help="authored data folder (default: data)")
    ap.add_argument("--out", type=Path, default=Path("build/catalog"), help="output folder")
    ap.add_argument("--external", type=Path, default=None, help="external data folder (runs the importers)")
    ap.add_argument("--enrichment", type=Path, default=None, help="merge an existing enrichment.json instead")
    ap.add_argument(
        "--onet", type=Path, default=None, help="O*NET release folder for role profiles (default: EXTERNAL/onet-29.2)"
    )
    ap.add_argument(
        "--lenient",
        action="store_true",
        help="drop unresolved role/resource skill references with a warning instead of failing",
    )
    args = ap.parse_args(argv)
    if args.external is not None and not args.external.is_dir():
        print(f"error: --external {args.external} is not a directory", file=sys.stderr)
        return 2
    try:
        manifest = build(args.data, args.out, args.external, args.enrichment, args.lenient, args.onet)
    except CatalogBuildError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    for w in manifest.pop("_warnings"):
        print(f"warning: {w}", file=sys.stderr)
    c = manifest["counts"]
    print(
        f"catalog v{manifest['data_version']} -> {args.out}: {c['skills']} skills ({c['aliases']} aliases), "
        f"{c['roles']} roles, {c['resources']} resources; by type {c['skills_by_type']}"
    )
    prof = manifest["profiles"]
    if prof["used"]:
        print(
            f"profiles: {prof['roles_with_profile']} of {c['roles']} roles from {prof['occupations']} O*NET "
            f"occupations ({prof['lines']} lines, {prof['source']})"
        )
    else:
        print(f"profiles: none ({prof['reason']})")
    occ = manifest["occupations"]
    if occ["used"]:
        print(
            f"occupations: {occ['occupations_served']} of {occ['occupations_in_release']} O*NET occupations served "
            f"({occ['occupations_without_data']} without data), {occ['alt_titles']} alternate titles; "
            f"ESCO: {occ['esco'].get('roles_enriched', 0)} enriched, {occ['esco'].get('titles_added', 0)} titles, "
            f"{occ['esco'].get('skills_added', 0)} skills"
        )
    else:
        print(f"occupations: none ({occ['reason']})")
    if manifest["enrichment"]["used"]:
        print(f"enrichment: {json.dumps(manifest['enrichment'].get('merge', {}), sort_keys=True)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
