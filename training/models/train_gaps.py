"""Train the gap ranker: XGBoost rank:ndcg over GAP_FEATURES, grouped by (resume, role).

    python -m training.models.train_gaps --catalog build/catalog --datasets build/datasets --out artifacts/gap_ranker/v1

Gap rows come from the resume text through the extractor (the serving view); a row is used when the
skill is missing in that view AND has a coach relevance label in ``gaps/v1/gaps.jsonl``. Held-out
split by resume id. Baselines: importance-only ordering, and importance with critical skills first.
Metric: NDCG@5 and NDCG@10 (gain 2^rel - 1) over held-out queries with at least one relevant gap.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import xgboost as xgb
from careerready.features import GAP_FEATURES, gap_features
from careerready.models import gap_ranker as gap_ranker_mod
from careerready.pipelines.gaps import importance_scores
from careerready.services.catalog import Catalog

from training.artifacts import write_manifest
from training.models.common import (
    Progress,
    ResumeSkills,
    base_parser,
    dataset_refs,
    is_test,
    load_space,
    pair_features,
    read_jsonl,
    save_fitted,
)
from training.reports import Report, bar_png, grouped_bar_png

PARAMS = {
    "n_estimators": 300,
    "max_depth": 4,
    "learning_rate": 0.05,
    "subsample": 0.9,
    "colsample_bytree": 0.9,
    "min_child_weight": 2.0,
    "reg_lambda": 1.0,
}


def ndcg_at(rels_in_order: list[int], k: int) -> float:
    """NDCG@k with gain 2^rel - 1 (0 if the query has no relevant item)."""

    def dcg(rs: list[int]) -> float:
        return sum((2**r - 1) / np.log2(i + 2) for i, r in enumerate(rs[:k]))

    ideal = dcg(sorted(rels_in_order, reverse=True))
    return float(dcg(rels_in_order) / ideal) if ideal else 0.0


def mean_ndcg(rels: list[np.ndarray], scores: list[np.ndarray], names: list[list[str]], k: int) -> float:
    """Mean NDCG@k over groups with at least one relevant item (ties broken by skill id)."""
    vals = []
    for rel, sc, nm in zip(rels, scores, names, strict=True):
        if rel.max() <= 0:
            continue
        order = sorted(range(len(rel)), key=lambda i: (-round(float(sc[i]), 9), nm[i]))
        vals.append(ndcg_at([int(rel[i]) for i in order], k))
    return round(float(np.mean(vals)), 4) if vals else float("nan")


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    args = base_parser(__doc__ or "", "artifacts/gap_ranker/v1").parse_args(argv)
    log = Progress("gaps")
    catalog = Catalog.load(args.catalog)
    space = load_space(catalog, args.embeddings)
    skills = ResumeSkills(catalog, args.extractor, args.ner, args.cache, catalog_dir=args.catalog)
    log(f"vectors: {space.has_vectors}; held skills from {skills.source}")
    resumes = {r["id"]: r for r in read_jsonl(args.datasets / "resumes" / "v1" / "resumes.jsonl")}
    labels: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for r in read_jsonl(args.datasets / "gaps" / "v1" / "gaps.jsonl"):
        if r["role_id"] in catalog.roles:
            labels[(r["resume_id"], r["role_id"])][r["skill_id"]] = int(r["relevance"])
    keys = sorted(labels)
    pf = pair_features(keys, resumes, catalog, space, skills, log)
    qx: list[np.ndarray] = []
    qrel: list[np.ndarray] = []
    qnames: list[list[str]] = []
    qtest: list[bool] = []
    unlabeled = 0
    for key in keys:
        rows = gap_features(pf.features[key], catalog.roles[key[1]], pf.held[key[0]], space)
        lab = labels[key]
        kept = [(sid, f) for sid, f in rows if sid in lab]
        unlabeled += len(rows) - len(kept)
        if len(kept) < 2:
            continue
        qx.append(np.array([[f[n] for n in GAP_FEATURES] for _, f in kept], dtype=np.float32))
        qrel.append(np.array([lab[sid] for sid, _ in kept], dtype=np.int32))
        qnames.append([sid for sid, _ in kept])
        qtest.append(is_test(key[0], args.seed))
    n_tr, n_te = sum(not t for t in qtest), sum(qtest)
    log(
        f"{len(qx)} queries with >= 2 labelled gaps ({n_tr} train / {n_te} test, split by resume id); "
        f"{unlabeled} gap rows missing in the extractor view but not in the latent profile were skipped"
    )

    tr = [i for i, t in enumerate(qtest) if not t]
    te = [i for i, t in enumerate(qtest) if t]
    x_tr = np.concatenate([qx[i] for i in tr])
    y_tr = np.concatenate([qrel[i] for i in tr])
    qid_tr = np.concatenate([np.full(len(qx[i]), j) for j, i in enumerate(tr)])
    ranker = xgb.XGBRanker(
        objective="rank:ndcg",
        random_state=args.seed,
        n_jobs=1,
        tree_method="hist",
        lambdarank_pair_method="topk",
        lambdarank_num_pair_per_sample=8,
        **PARAMS,
    )
    ranker.fit(x_tr, y_tr, qid=qid_tr)
    booster = ranker.get_booster()
    booster.feature_names = list(GAP_FEATURES)

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    gap_ranker_mod.save(out, booster, GAP_FEATURES)
    loaded = gap_ranker_mod.load(out)  # evaluate through the numpy-only serving wrapper
    x_all = np.concatenate(qx)
    ref = booster.predict(xgb.DMatrix(x_all, feature_names=list(GAP_FEATURES), nthread=1))
    diff = float(np.max(np.abs(loaded.score_matrix(x_all) - ref)))
    log(f"serving export (numpy trees) vs xgboost: max abs diff {diff:.3g} over {len(x_all)} gap rows")
    if diff > 1e-6:
        raise SystemExit(f"numpy tree evaluation differs from xgboost by {diff}")
    save_fitted(
        out,
        ranker,
        lambda est, rows: est.get_booster().predict(xgb.DMatrix(rows, feature_names=list(GAP_FEATURES), nthread=1)),
        loaded.score_matrix,
        x_all,
    )

    te_rel = [qrel[i] for i in te]
    te_names = [qnames[i] for i in te]
    model_scores = [loaded.score([dict(zip(GAP_FEATURES, map(float, row), strict=True)) for row in qx[i]]) for i in te]
    i_imp = GAP_FEATURES.index("importance")
    imp_only = [qx[i][:, i_imp].astype(np.float64) for i in te]
    imp_crit = [importance_scores([dict(zip(GAP_FEATURES, map(float, row), strict=True)) for row in qx[i]]) for i in te]
    results = {}
    for name, sc in [
        ("xgboost rank:ndcg (model)", model_scores),
        ("baseline: importance only", imp_only),
        ("baseline: importance, critical first", imp_crit),
    ]:
        results[name] = {f"ndcg@{k}": mean_ndcg(te_rel, sc, te_names, k) for k in (5, 10)}
        log(f"{name}: {results[name]}")

    importance = booster.get_score(importance_type="gain")
    rep = Report(out, "Gap ranker")
    rep.text(
        f"XGBoost `XGBRanker(objective='rank:ndcg')` ({PARAMS}, seed {args.seed}, 1 thread) over `GAP_FEATURES`, one group per "
        "(resume, role); graded relevance 0..3 from `gaps/v1/gaps.jsonl`. Gap rows are computed from the resume text via "
        f"**{skills.source}**; {unlabeled} rows the serving view calls missing but the label set does not were skipped.",
        f"Held-out split by resume id: {n_tr} train / {n_te} test queries. NDCG uses gain 2^rel - 1 over queries with a relevant gap.",
    )
    rep.heading("Held-out results")
    rep.comparison(results, ["ndcg@5", "ndcg@10"])
    grouped_bar_png(results, ["ndcg@5", "ndcg@10"], rep.dir / "comparison.png", "Held-out NDCG: model vs baselines")
    rep.figure("comparison.png", "Held-out NDCG@5 / @10")
    names = list(GAP_FEATURES)
    gains = [float(importance.get(n, 0.0)) for n in names]
    rep.heading("Feature importance (gain)")
    rep.table(["feature", "gain"], [[n, round(g, 3)] for n, g in zip(names, gains, strict=True)])
    bar_png(names, gains, rep.dir / "feature_gain.png", "Feature importance (gain)")
    rep.figure("feature_gain.png", "Feature importance (gain)")
    rep.write()
    m = results["xgboost rank:ndcg (model)"]
    b = results["baseline: importance only"]
    c = results["baseline: importance, critical first"]
    metrics = {
        "test_queries": n_te,
        "train_queries": n_tr,
        "features_from": skills.source,
        "skill_vectors": space.has_vectors,
        "model_ndcg5": m["ndcg@5"],
        "model_ndcg10": m["ndcg@10"],
        "baseline_importance_ndcg5": b["ndcg@5"],
        "baseline_importance_ndcg10": b["ndcg@10"],
        "baseline_importance_critical_ndcg5": c["ndcg@5"],
        "baseline_importance_critical_ndcg10": c["ndcg@10"],
    }
    write_manifest(
        out,
        "gap_ranker",
        args.version or out.name,
        metrics=metrics,
        datasets=dataset_refs(args.datasets, ["resumes", "gaps"]),
    )
    log(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
