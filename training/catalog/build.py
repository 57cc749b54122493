"""Compile the catalog: ``python -m training.catalog.build --data data --out build/catalog``.

With ``--external DIR`` (e.g. ``../shared/data``) the importers run first and their aliases and
demand scores are merged (``--enrichment FILE`` merges a previously written enrichment.json
instead). Output is deterministic: the same inputs give byte-identical files.
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


def write_catalog(
    compiled: CompiledCatalog, out_dir: Path, data_version: str, enrichment_meta: dict[str, Any] | None = None
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
) -> dict[str, Any]:
    """Compile ``data_dir`` into ``out_dir`` (optionally enriched) and return the manifest.

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
    return write_catalog(compiled, out_dir, read_version(data_dir), meta) | {"_warnings": compiled.warnings}


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    ap = argparse.ArgumentParser(prog="python -m training.catalog.build", description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("data"), help="authored data folder (default: data)")
    ap.add_argument("--out", type=Path, default=Path("build/catalog"), help="output folder")
    ap.add_argument("--external", type=Path, default=None, help="external data folder (runs the importers)")
    ap.add_argument("--enrichment", type=Path, default=None, help="merge an existing enrichment.json instead")
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
        manifest = build(args.data, args.out, args.external, args.enrichment, args.lenient)
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
    if manifest["enrichment"]["used"]:
        print(f"enrichment: {json.dumps(manifest['enrichment'].get('merge', {}), sort_keys=True)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
