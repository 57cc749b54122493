"""Train the resource recommender: TruncatedSVD collaborative filtering + content blend.

    python -m training.models.train_recommender --catalog build/catalog --datasets build/datasets --out artifacts/recommender/v1

Users are split by user id into SVD-train (70 %), validation (10 %) and test (20 %). The SVD is fit
on the train users' ``split=train`` interactions. Blend weight, fold-in weight of held skills and
the SVD rank are chosen on the validation users (treated as cold-start). Reported on held-out data:
- warm: train users' hidden ``split=test`` items, folding in their visible ones;
- cold-start: test users known only by skills, role and years (relevant = their items rated >= 4).
Baseline: popularity. Metrics: recall@10, NDCG@10.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from careerready.features import SkillSpace, compute_role_features, held_skills_from_ids
from careerready.models import recommender as rec_mod
from careerready.models.recommender import Recommender
from careerready.pipelines.gaps import rank_gaps
from careerready.pipelines.recommendation import gap_weights
from careerready.services.artifacts import write_manifest
from careerready.services.catalog import Catalog
from sklearn.decomposition import TruncatedSVD

from training.models.common import Progress, base_parser, dataset_refs, is_test, read_jsonl
from training.reports import Report, grouped_bar_png

K = 10
RANKS = (8, 16, 32)
ALPHAS = (0.0, 0.15, 0.3, 0.45, 0.6, 0.8, 1.0)
HELD_WEIGHTS = (0.0, 0.3)
BETAS = (0.0, 0.15, 0.3)
POSITIVE = 4


def metrics_at_k(ranked: list[int], relevant: set[int], k: int = K) -> tuple[float, float]:
    """(recall@k, NDCG@k) with binary relevance."""
    top = ranked[:k]
    hits = [1.0 if i in relevant else 0.0 for i in top]
    recall = sum(hits) / len(relevant)
    dcg = sum(h / np.log2(j + 2) for j, h in enumerate(hits))
    idcg = sum(1.0 / np.log2(j + 2) for j in range(min(len(relevant), k)))
    return recall, float(dcg / idcg)


def _mean(pairs: list[tuple[float, float]]) -> dict[str, float]:
    if not pairs:
        return {"recall@10": float("nan"), "ndcg@10": float("nan")}
    a = np.array(pairs)
    return {"recall@10": round(float(a[:, 0].mean()), 4), "ndcg@10": round(float(a[:, 1].mean()), 4)}


def user_gap_weights(user: dict[str, Any], catalog: Catalog, space: SkillSpace) -> dict[str, float]:
    """Gap weights of a user known only by skills and target role (same path as serving: rank_gaps -> gap_weights)."""
    role = catalog.roles.get(user["role_id"])
    if role is None:
        return {}
    held = held_skills_from_ids(s for s in user["skills"] if s in catalog.skills)
    rf = compute_role_features(held, role, space, float(user.get("years_experience") or 0.0))
    return gap_weights(rank_gaps(rf, role, held, space, None))


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    args = base_parser(__doc__ or "", "artifacts/recommender/v1").parse_args(argv)
    log = Progress("recommender")
    catalog = Catalog.load(args.catalog)
    space = SkillSpace(catalog)  # gap ranking by importance only: no dependency on other artifacts
    d = args.datasets / "interactions" / "v1"
    users = {u["user_id"]: u for u in read_jsonl(d / "users.jsonl")}
    with (d / "interactions.csv").open(encoding="utf-8") as fh:
        inter = [r for r in csv.DictReader(fh) if r["resource_id"] in catalog.resources]
    resource_ids = tuple(sorted(catalog.resources))
    col = {r: i for i, r in enumerate(resource_ids)}
    n_items = len(resource_ids)

    def part(uid: str) -> str:
        if is_test(uid, args.seed, 0.2):
            return "test"
        return "val" if is_test(uid, args.seed + 7, 0.125) else "train"

    by_user: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in inter:
        by_user[r["user_id"]].append(r)
    parts = {u: part(u) for u in sorted(by_user)}
    train_users = [u for u in sorted(by_user) if parts[u] == "train"]
    log(
        f"{len(users)} users, {len(inter)} interactions, {n_items} resources; users train/val/test = "
        f"{len(train_users)}/{sum(p == 'val' for p in parts.values())}/{sum(p == 'test' for p in parts.values())}"
    )

    x = np.zeros((len(train_users), n_items))
    for i, u in enumerate(train_users):
        for r in by_user[u]:
            if r["split"] == "train":
                x[i, col[r["resource_id"]]] = float(r["rating"]) / 5.0
    popularity = (x > 0).sum(axis=0).astype(np.float64)
    popularity = popularity / popularity.max() if popularity.max() > 0 else popularity
    res_skills = tuple(catalog.resources[r].skills for r in resource_ids)
    res_levels = tuple(catalog.resources[r].level for r in resource_ids)

    def make(rank: int, alpha: float, held_w: float, comps: np.ndarray, beta: float = 0.0) -> Recommender:
        return Recommender(resource_ids, comps, popularity, res_skills, res_levels, alpha, held_w, beta)

    comps_by_rank = {}
    for rank in RANKS:
        if rank < n_items and rank < len(train_users):
            comps_by_rank[rank] = TruncatedSVD(n_components=rank, random_state=args.seed).fit(x).components_
    gw_cache: dict[str, dict[str, float]] = {}

    def gw(uid: str) -> dict[str, float]:
        if uid not in gw_cache:
            gw_cache[uid] = user_gap_weights(users[uid], catalog, space)
        return gw_cache[uid]

    def cold_eval(uids: list[str], scorer: Any) -> dict[str, float]:
        out = []
        for u in uids:
            rel = {col[r["resource_id"]] for r in by_user[u] if int(r["rating"]) >= POSITIVE}
            if not rel:
                continue
            s = scorer(u)
            ranked = sorted(range(n_items), key=lambda i: (-s[i], resource_ids[i]))
            out.append(metrics_at_k(ranked, rel))
        return _mean(out)

    def blend_scorer(rec: Recommender) -> Any:
        return lambda u: rec.score(gw(u), users[u].get("years_experience"), users[u]["skills"])[0]

    val_users = [u for u in sorted(by_user) if parts[u] == "val"]
    grid = []
    for rank, comps in comps_by_rank.items():
        for hw in HELD_WEIGHTS:
            for a in ALPHAS:
                for be in BETAS:
                    if a + be > 1.0:
                        continue
                    res = cold_eval(val_users, blend_scorer(make(rank, a, hw, comps, be)))
                    grid.append(((res["ndcg@10"], -a, -be, -rank, -hw), rank, a, hw, be, res))
    _, rank, alpha, held_w, beta, best_val = max(grid, key=lambda g: g[0])
    log(f"validation (cold-start) best: rank={rank} alpha={alpha} beta={beta} held_weight={held_w} -> {best_val}")
    rec = make(rank, alpha, held_w, comps_by_rank[rank], beta)

    test_users = [u for u in sorted(by_user) if parts[u] == "test"]
    results_cold = {
        "blend CF + content (model)": cold_eval(test_users, blend_scorer(rec)),
        "CF fold-in only": cold_eval(test_users, blend_scorer(make(rank, 1.0, held_w, rec.components))),
        "content + popularity (no CF)": cold_eval(
            test_users, blend_scorer(make(rank, 0.0, held_w, rec.components, beta))
        ),
        "content only": cold_eval(test_users, lambda u: rec.content_scores(gw(u), users[u].get("years_experience"))),
        "baseline: popularity": cold_eval(test_users, lambda u: popularity),
    }
    # warm: train users' hidden test items, fold in their visible ones (+ their skills), seen items excluded
    warm_model, warm_pop, warm_cf = [], [], []
    for i, u in enumerate(train_users):
        rel = {col[r["resource_id"]] for r in by_user[u] if r["split"] == "test"}
        if not rel:
            continue
        seen = {j for j in range(n_items) if x[i, j] > 0}
        inter_u = {resource_ids[j]: x[i, j] for j in seen}
        for store, scores in (
            (warm_model, rec.score(gw(u), users[u].get("years_experience"), users[u]["skills"], inter_u)[0]),
            (warm_cf, rec.cf_scores(x[i])),
            (warm_pop, popularity),
        ):
            ranked = [j for j in sorted(range(n_items), key=lambda j: (-scores[j], resource_ids[j])) if j not in seen]
            store.append(metrics_at_k(ranked, rel))
    results_warm = {
        "blend CF + content (model)": _mean(warm_model),
        "CF only (SVD)": _mean(warm_cf),
        "baseline: popularity": _mean(warm_pop),
    }
    for name, r in results_cold.items():
        log(f"cold-start {name}: {r}")
    for name, r in results_warm.items():
        log(f"warm {name}: {r}")

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    rec_mod.save(out, rec, extra={"rank": rank, "seed": args.seed})
    loaded = rec_mod.load(out)
    assert np.allclose(loaded.components, rec.components) and loaded.beta == rec.beta and loaded.alpha == rec.alpha

    rep = Report(out, "Resource recommender")
    rep.text(
        f"TruncatedSVD (rank {rank}, seed {args.seed}) over the user x resource matrix (rating / 5) of the SVD-train users' "
        "visible interactions. A new user is folded in through a pseudo-interaction vector built from the resources teaching "
        f"their gap skills (gaps ranked by importance; weight 1/sqrt(rank), missing prerequisites at half) plus held-skill "
        f"resources at weight {held_w}; the score is `{alpha} x CF + {beta} x popularity + {1 - alpha - beta:.2f} x content`, content = share of gap "
        "weight a resource teaches x level fit (beginner < 1 y <= intermediate < 4 y <= advanced).",
        f"Rank, blend weights and held-skill weight were chosen on {len(val_users)} validation users (cold-start NDCG@10), "
        f"never on the {len(test_users)} test users.",
    )
    rep.heading("Cold-start users (known only by skills, role, years) — held-out users")
    rep.comparison(results_cold, ["recall@10", "ndcg@10"])
    grouped_bar_png(results_cold, ["recall@10", "ndcg@10"], rep.dir / "cold_start.png", "Cold-start held-out users")
    rep.figure("cold_start.png", "Cold-start: blend vs CF-only vs content-only vs popularity")
    rep.heading("Warm users — hidden items of SVD-train users (seen items excluded)")
    rep.comparison(results_warm, ["recall@10", "ndcg@10"])
    grouped_bar_png(results_warm, ["recall@10", "ndcg@10"], rep.dir / "warm.png", "Warm users, hidden items")
    rep.figure("warm.png", "Warm users: blend vs SVD vs popularity")
    rep.heading("Validation grid (cold-start NDCG@10)")
    top = sorted(grid, key=lambda g: g[0], reverse=True)[:15]
    rep.text(f"Top 15 of {len(grid)} settings:")
    rep.table(
        ["rank", "alpha", "beta", "held_weight", "recall@10", "ndcg@10"],
        [[g[1], g[2], g[4], g[3], g[5]["recall@10"], g[5]["ndcg@10"]] for g in top],
    )
    rep.write()
    c, w = results_cold, results_warm
    metrics = {
        "rank": rank,
        "alpha": alpha,
        "beta": beta,
        "held_weight": held_w,
        "test_users": len(test_users),
        "cold_model_recall10": c["blend CF + content (model)"]["recall@10"],
        "cold_model_ndcg10": c["blend CF + content (model)"]["ndcg@10"],
        "cold_cf_only_ndcg10": c["CF fold-in only"]["ndcg@10"],
        "cold_content_popularity_ndcg10": c["content + popularity (no CF)"]["ndcg@10"],
        "cold_content_only_ndcg10": c["content only"]["ndcg@10"],
        "cold_baseline_popularity_recall10": c["baseline: popularity"]["recall@10"],
        "cold_baseline_popularity_ndcg10": c["baseline: popularity"]["ndcg@10"],
        "warm_model_recall10": w["blend CF + content (model)"]["recall@10"],
        "warm_model_ndcg10": w["blend CF + content (model)"]["ndcg@10"],
        "warm_svd_recall10": w["CF only (SVD)"]["recall@10"],
        "warm_svd_ndcg10": w["CF only (SVD)"]["ndcg@10"],
        "warm_baseline_popularity_recall10": w["baseline: popularity"]["recall@10"],
        "warm_baseline_popularity_ndcg10": w["baseline: popularity"]["ndcg@10"],
    }
    write_manifest(
        out,
        "recommender",
        args.version or out.name,
        metrics=metrics,
        datasets=dataset_refs(args.datasets, ["interactions"]),
    )
    log(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
