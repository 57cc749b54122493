"""Two sets of matching / readiness / gap-ranker artifacts on the SAME held-out synthetic data, features as served.

Usage (from the repo root)::

    python -m training.eval.compare_models --before /path/to/old/artifacts --after artifacts \\
        [--catalog build/catalog --datasets build/datasets]

Held-out pairs are the trainers' test split (``training.models.common.is_test``, seed 20261126); features come
from the resume text through the hybrid extraction (learned tagger + gazetteer, as the extract stage serves,
with the trainers' cache) and ``careerready.features``. Each artifact is evaluated through its numpy serving
wrapper with its own feature names, so a model trained on another feature view is judged on what serving feeds
it now. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from careerready.features import GAP_FEATURES, MATCH_FEATURES, READINESS_LABELS, gap_features
from careerready.models import gap_ranker, matcher, readiness
from careerready.services.catalog import Catalog

from training.models.common import SEED, ResumeSkills, is_test, load_space, pair_features, read_jsonl
from training.models.train_gaps import mean_ndcg
from training.models.train_matching import evaluate as evaluate_matching
from training.models.train_readiness import evaluate as evaluate_readiness

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    p = argparse.ArgumentParser(prog="python -m training.eval.compare_models", description=__doc__.split("\n\n")[0])
    p.add_argument("--before", type=Path, required=True, help="artifacts root of the old models")
    p.add_argument("--after", type=Path, default=Path("artifacts"), help="artifacts root of the new models")
    p.add_argument("--catalog", type=Path, default=Path("build/catalog"))
    p.add_argument("--datasets", type=Path, default=Path("build/datasets"))
    p.add_argument("--artifacts", type=Path, default=Path("artifacts"), help="embeddings, extractor, ner")
    p.add_argument("--cache", type=Path, default=Path("build/cache/extracted"))
    args = p.parse_args(argv)

    catalog = Catalog.load(args.catalog)
    space = load_space(catalog, args.artifacts / "embeddings" / "v1")
    skills = ResumeSkills(
        catalog,
        args.artifacts / "extractor" / "v1",
        args.artifacts / "ner" / "v1",
        args.cache,
        catalog_dir=args.catalog,
    )
    resumes = {r["id"]: r for r in read_jsonl(args.datasets / "resumes" / "v1" / "resumes.jsonl")}
    roots = {"before": args.before, "after": args.after}
    lines = [f"Held-out synthetic data ({args.datasets}), features from {skills.source}.", ""]
    lines += ["| model | metric | before | after |", "|---|---|---|---|"]

    rows = [r for r in read_jsonl(args.datasets / "matching" / "v1" / "pairs.jsonl") if is_test(r["resume_id"], SEED)]
    pf = pair_features([(r["resume_id"], r["role_id"]) for r in rows], resumes, catalog, space, skills)
    y = np.array([float(r["target"]) for r in rows])
    res = {
        k: evaluate_matching(rows, y, matcher.load(v / "matching" / "v1").predict_many(pf.matrix(MATCH_FEATURES)))
        for k, v in roots.items()
    }
    for metric in ("mae", "spearman", "target_pair_accuracy", "ranking_accuracy"):
        lines.append(f"| matching ({len(rows)} pairs) | {metric} | {res['before'][metric]} | {res['after'][metric]} |")

    rows = [r for r in read_jsonl(args.datasets / "readiness" / "v1" / "pairs.jsonl") if is_test(r["resume_id"], SEED)]
    pf = pair_features([(r["resume_id"], r["role_id"]) for r in rows], resumes, catalog, space, skills)
    yl = np.array([list(READINESS_LABELS).index(r["label"]) for r in rows])
    rres = {}
    for k, v in roots.items():
        model = readiness.load(v / "readiness" / "v1")
        order = [model.labels.index(lab) for lab in READINESS_LABELS]
        rres[k] = evaluate_readiness(yl, model.predict_proba_many(pf.matrix(model.feature_names))[:, order])
    for metric in ("accuracy", "macro_f1", "log_loss", "brier", "ece"):
        lines.append(
            f"| readiness ({len(rows)} pairs) | {metric} | {rres['before'][metric]} | {rres['after'][metric]} |"
        )

    labels: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for r in read_jsonl(args.datasets / "gaps" / "v1" / "gaps.jsonl"):
        if r["role_id"] in catalog.roles and is_test(r["resume_id"], SEED):
            labels[(r["resume_id"], r["role_id"])][r["skill_id"]] = int(r["relevance"])
    keys = sorted(labels)
    pf = pair_features(keys, resumes, catalog, space, skills)
    qx, qrel, qnames = [], [], []
    for key in keys:
        kept = [
            (sid, f)
            for sid, f in gap_features(pf.features[key], catalog.roles[key[1]], pf.held[key[0]], space)
            if sid in labels[key]
        ]
        if len(kept) >= 2:
            qx.append(np.array([[f[n] for n in GAP_FEATURES] for _, f in kept], dtype=np.float32))
            qrel.append(np.array([labels[key][sid] for sid, _ in kept], dtype=np.int32))
            qnames.append([sid for sid, _ in kept])
    for k_at in (5, 10):
        vals = []
        for v in roots.values():
            ranker = gap_ranker.load(v / "gap_ranker" / "v1")
            vals.append(mean_ndcg(qrel, [ranker.score_matrix(x) for x in qx], qnames, k_at))
        lines.append(f"| gap ranker ({len(qx)} queries) | NDCG@{k_at} | {vals[0]} | {vals[1]} |")
    skills.flush()
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
