"""Compile the catalog: ``python -m training.catalog.build --data data --out build/catalog``.

With ``--external DIR`` (e.g. ``../shared/data``) the importers run first and their aliases and
demand scores are merged (``--enrichment FILE`` merges a previously written enrichment.json
instead). Output is deterministic: the same inputs give byte-identical files.

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

from careerready.text import NORMALIZER_VERSION

from training.catalog.compiler import CatalogBuildError, CompiledCatalog, compile_catalog, dumps

CATALOG_FORMAT = 1


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


def write_catalog(
    compiled: CompiledCatalog,
    out_dir: Path,
    data_version: str,
    enrichment_meta: dict[str, Any] | None = None,
    profiles_meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write skills.jsonl, roles.json, resources.jsonl and catalog_manifest.json.

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
    file_meta: dict[str, Any] = {}
    for name, text in files.items():
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        file_meta[name] = {"sha256": _sha256(path), "size": path.stat().st_size, "rows": rows[name]}
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
            "resources": len(compiled.resources),
        },
        "inputs": compiled.inputs,
        "enrichment": {"used": bool(enrichment_meta), **(enrichment_meta or {}), "merge": compiled.enrichment_stats},
        "profiles": profiles_meta or {"used": False},
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
    manifest = write_catalog(compiled, out_dir, read_version(data_dir), meta, profiles_meta)
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
    if manifest["enrichment"]["used"]:
        print(f"enrichment: {json.dumps(manifest['enrichment'].get('merge', {}), sort_keys=True)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
