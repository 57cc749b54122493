"""Embed every taxonomy skill and role with the serving embedder and store the vectors in the artifact.

    python -m training.embeddings.build_embeddings --catalog build/catalog --model artifacts/embeddings/v1

Writes ``skill_vectors.npy`` + ``skill_ids.json`` and ``role_vectors.npy`` + ``role_ids.json`` (row-aligned,
float32, unit norm) next to ``model.onnx``, using ``OnnxEmbedder`` so stored vectors equal serving vectors.

Skill vector strategy (``--strategy auto`` picks the best by leave-one-out alias accuracy):
- ``name``: the embedding of the display name;
- ``mean``: normalised mean of the name and every alias embedding;
- ``half``: normalised ``0.5 * name + 0.5 * mean(aliases)``.
Alias accuracy: each alias (not equal to its name after normalisation) is embedded and counted correct when its
nearest skill vector is its own skill, where its own skill's vector is rebuilt WITHOUT that alias (otherwise
averaging would see the answer).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from careerready.models.embedder import OnnxEmbedder
from careerready.models.vector_index import (
    ROLE_IDS_FILE,
    ROLE_VECTORS_FILE,
    SKILL_IDS_FILE,
    SKILL_VECTORS_FILE,
)
from careerready.services.catalog import Catalog, Role, Skill
from careerready.text import normalize_alias

from training.embeddings.artifact import sha256_file, update_metrics, write_manifest_if_available

STRATEGIES = ("name", "mean", "half")
ROLE_TOP_SKILLS = 10


def _unit(v: np.ndarray) -> np.ndarray:
    return np.asarray(v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12), dtype=np.float32)


def skill_aliases(skill: Skill) -> list[str]:
    """Aliases that differ from the name (and from each other) after normalisation, in catalog order."""
    seen = {normalize_alias(skill.name)}
    out: list[str] = []
    for alias in skill.aliases:
        key = normalize_alias(alias)
        if key and key not in seen:
            seen.add(key)
            out.append(alias)
    return out


def combine(name_vec: np.ndarray, alias_vecs: np.ndarray, strategy: str) -> np.ndarray:
    """One skill vector from its name vector and alias vectors ``(k, dim)`` (k may be 0)."""
    if strategy == "name" or len(alias_vecs) == 0:
        return name_vec
    if strategy == "mean":
        return _unit(np.vstack([name_vec[None, :], alias_vecs]).mean(axis=0))
    if strategy == "half":
        return _unit(0.5 * name_vec + 0.5 * alias_vecs.mean(axis=0))
    raise ValueError(f"unknown strategy {strategy!r}")


def alias_accuracy(
    name_vecs: np.ndarray, alias_vecs: Sequence[np.ndarray], strategy: str, *, leave_one_out: bool = True
) -> tuple[float, int]:
    """Top-1 alias -> skill accuracy of a strategy; returns (accuracy, number of aliases)."""
    matrix = np.stack([combine(n, a, strategy) for n, a in zip(name_vecs, alias_vecs, strict=True)])
    owners = np.array([s for s, aliases in enumerate(alias_vecs) for _ in range(len(aliases))], dtype=np.int64)
    if owners.size == 0:
        return 0.0, 0
    queries = np.vstack([a for a in alias_vecs if len(a)])
    scores = queries @ matrix.T
    if leave_one_out:
        row = 0
        for s, aliases in enumerate(alias_vecs):
            for j in range(len(aliases)):
                own = combine(name_vecs[s], np.delete(aliases, j, axis=0), strategy)
                scores[row, s] = float(own @ aliases[j])
                row += 1
    best = scores.argmax(axis=1)  # first maximum on ties
    return float((best == owners).mean()), int(owners.size)


def role_text(role: Role, skill_names: dict[str, str], top: int = ROLE_TOP_SKILLS) -> str:
    """``"<title>. <description> Key skills: a, b, c."`` with the role's most important skills first."""
    ranked = sorted(role.skills, key=lambda rs: (-rs.importance, not rs.critical, rs.skill_id))
    names = [skill_names.get(rs.skill_id, rs.skill_id) for rs in ranked[:top]]
    parts = [f"{role.title}."]
    if role.description:
        parts.append(role.description.strip())
    if names:
        parts.append("Key skills: " + ", ".join(names) + ".")
    return " ".join(parts)


def build(
    catalog_dir: Path, model_dir: Path, *, strategy: str = "auto", threads: int = 2, batch_size: int = 32
) -> dict[str, Any]:
    """Compute and write the skill and role vectors; returns the metrics recorded under ``vectors``."""
    start = time.perf_counter()
    catalog = Catalog.load(catalog_dir)
    embedder = OnnxEmbedder.from_dir(model_dir, intra_op_threads=threads)
    skills = list(catalog.skills.values())
    aliases = [skill_aliases(s) for s in skills]
    flat = [s.name for s in skills] + [a for group in aliases for a in group]
    vectors = embedder.embed(flat, batch_size=batch_size)
    name_vecs = vectors[: len(skills)]
    alias_vecs: list[np.ndarray] = []
    offset = len(skills)
    for group in aliases:
        alias_vecs.append(vectors[offset : offset + len(group)])
        offset += len(group)

    evaluation: dict[str, Any] = {}
    for strat in STRATEGIES:
        loo, n_aliases = alias_accuracy(name_vecs, alias_vecs, strat)
        in_sample, _ = alias_accuracy(name_vecs, alias_vecs, strat, leave_one_out=False)
        evaluation[strat] = {"alias_top1_loo": round(loo, 4), "alias_top1_in_sample": round(in_sample, 4)}
    if strategy == "auto":
        # ties go to the earlier (simpler) strategy
        strategy = max(STRATEGIES, key=lambda s: (evaluation[s]["alias_top1_loo"], -STRATEGIES.index(s)))
    skill_matrix = np.stack([combine(n, a, strategy) for n, a in zip(name_vecs, alias_vecs, strict=True)])

    skill_names = {s.id: s.name for s in skills}
    roles = list(catalog.roles.values())
    role_texts = [role_text(r, skill_names) for r in roles]
    role_matrix = embedder.embed(role_texts, batch_size=8) if roles else np.zeros((0, embedder.dim), dtype=np.float32)

    np.save(model_dir / SKILL_VECTORS_FILE, skill_matrix.astype(np.float32), allow_pickle=False)
    (model_dir / SKILL_IDS_FILE).write_text(json.dumps([s.id for s in skills], indent=0) + "\n", encoding="utf-8")
    np.save(model_dir / ROLE_VECTORS_FILE, role_matrix.astype(np.float32), allow_pickle=False)
    (model_dir / ROLE_IDS_FILE).write_text(json.dumps([r.id for r in roles], indent=0) + "\n", encoding="utf-8")

    catalog_files = {
        name: sha256_file(catalog_dir / name)
        for name in ("skills.jsonl", "roles.json", "catalog_manifest.json")
        if (catalog_dir / name).is_file()
    }
    metrics = {
        "n_skills": len(skills),
        "n_roles": len(roles),
        "n_aliases_evaluated": sum(len(a) for a in aliases),
        "skill_strategy": strategy,
        "strategy_eval": evaluation,
        "role_text": f"title. description Key skills: top {ROLE_TOP_SKILLS} by importance",
        "catalog_version": catalog.version,
        "catalog_sha256": catalog_files,
        "seconds": round(time.perf_counter() - start, 2),
    }
    update_metrics(model_dir, "vectors", metrics)
    return metrics


def catalog_dataset(catalog_dir: Path) -> dict[str, Any]:
    """``{"catalog": {version, sha256}}`` for the manifest (sha256 of catalog_manifest.json, else skills.jsonl)."""
    ref = catalog_dir / "catalog_manifest.json"
    if not ref.is_file():
        ref = catalog_dir / "skills.jsonl"
    version = ""
    if (catalog_dir / "catalog_manifest.json").is_file():
        manifest = json.loads((catalog_dir / "catalog_manifest.json").read_text(encoding="utf-8"))
        version = str(manifest.get("data_version", manifest.get("version", "")))
    return {"catalog": {"version": version, "sha256": sha256_file(ref)}}


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--catalog", type=Path, default=Path("build/catalog"))
    parser.add_argument("--model", type=Path, default=Path("artifacts/embeddings/v1"))
    parser.add_argument("--strategy", choices=("auto", *STRATEGIES), default="auto")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    metrics = build(args.catalog, args.model, strategy=args.strategy, threads=args.threads)
    print(
        f"{metrics['n_skills']} skills, {metrics['n_roles']} roles, {metrics['n_aliases_evaluated']} aliases "
        f"in {metrics['seconds']} s; strategy {metrics['skill_strategy']}"
    )
    for strat, ev in metrics["strategy_eval"].items():
        print(
            f"  {strat:<5} alias top-1 leave-one-out {ev['alias_top1_loo']:.4f}  in-sample {ev['alias_top1_in_sample']:.4f}"
        )
    print(f"manifest: {write_manifest_if_available(args.model, datasets=catalog_dataset(args.catalog))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
