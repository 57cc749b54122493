"""Train the resource recommender: learned linear scorer (content + popularity) + TruncatedSVD collaborative filtering.

    python -m training.models.train_recommender --catalog build/catalog --datasets build/datasets --out artifacts/recommender/v1

Users are split by user id into SVD-train (70 %), validation (10 %) and test (20 %). The SVD is fit
on the train users' ``split=train`` interactions. A logistic regression on ``LINEAR_FEATURES`` (gap need,
level fit, log popularity, side skills, free) is fitted on the train users (positive = rated >= 4 in their
``split=train`` items; every other resource negative). The CF weight (cold-start, and separately for warm
users), the fold-in weight of held skills and the SVD rank are chosen on the validation users: cold-start
NDCG@10 on all their positives, warm NDCG@10 on their hidden items with their visible ones folded in.
Reported on held-out data:
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
from careerready.models.recommender import LINEAR_FEATURES, Recommender
from careerready.pipelines.gaps import rank_gaps
from careerready.pipelines.recommendation import gap_weights
from careerready.services.catalog import Catalog
from sklearn.decomposition import TruncatedSVD
from sklearn.linear_model import LogisticRegression

from training.artifacts import write_manifest
from training.models.common import Progress, base_parser, dataset_refs, is_test, read_jsonl
from training.reports import Report, grouped_bar_png

K = 10
RANKS = (16, 32, 64)
CF_WEIGHTS = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0)
HELD_WEIGHTS = (0.0, 0.3)
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
    se = float(a[:, 1].std(ddof=1) / np.sqrt(len(a))) if len(a) > 1 else 0.0
    return {
        "recall@10": round(float(a[:, 0].mean()), 4),
        "ndcg@10": round(float(a[:, 1].mean()), 4),
        "ndcg@10_se": round(se, 4),
    }


def one_se_choice(grid: list[tuple[Any, ...]], metrics_at: int = -1) -> tuple[Any, ...]:
    """The simplest grid entry whose validation NDCG@10 is within one standard error of the best.

    ``grid`` rows end with the metrics dict and start with a key ordering candidates from the
    simplest (largest key) to the most complex, ties broken as given. The validation split is small
    (a few hundred users), so differences inside one standard error are noise; picking the simplest
    such candidate keeps the CF weight from chasing it.
    """
    best = max(grid, key=lambda g: g[metrics_at]["ndcg@10"])[metrics_at]
    floor = best["ndcg@10"] - best.get("ndcg@10_se", 0.0)
    return max((g for g in grid if g[metrics_at]["ndcg@10"] >= floor), key=lambda g: g[0])


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
    counts = (x > 0).sum(axis=0).astype(np.float64)
    popularity = np.log1p(counts) / np.log1p(counts.max()) if counts.max() > 0 else counts
    res_skills = tuple(catalog.resources[r].skills for r in resource_ids)
    res_levels = tuple(catalog.resources[r].level for r in resource_ids)
    res_free = tuple(bool(catalog.resources[r].free) for r in resource_ids)
    gw_cache: dict[str, dict[str, float]] = {}

    def gw(uid: str) -> dict[str, float]:
        if uid not in gw_cache:
            gw_cache[uid] = user_gap_weights(users[uid], catalog, space)
        return gw_cache[uid]

    def make(
        comps: np.ndarray, alpha: float, held_w: float, weights: tuple[float, ...], a_warm: float = 0.0
    ) -> Recommender:
        return Recommender(
            resource_ids, comps, popularity, res_skills, res_levels, alpha, held_w, 0.0, weights, a_warm, res_free
        )

    # learned linear scorer on the train users (features need no CF, so no rank dependency)
    probe = make(np.zeros((0, n_items)), 0.0, 0.0, ())
    feats, labels = [], []
    for u in train_users:
        feats.append(probe.linear_features(gw(u), users[u].get("years_experience"), users[u]["skills"]))
        yv = np.zeros(n_items)
        for r in by_user[u]:
            if r["split"] == "train" and int(r["rating"]) >= POSITIVE:
                yv[col[r["resource_id"]]] = 1.0
        labels.append(yv)
    lr = LogisticRegression(C=1.0, max_iter=5000).fit(np.vstack(feats), np.concatenate(labels))
    weights = tuple(round(float(w), 6) for w in lr.coef_[0])
    log(f"learned linear weights: {dict(zip(LINEAR_FEATURES, weights, strict=True))}")

    comps_by_rank = {}
    for rank in RANKS:
        if rank < n_items and rank < len(train_users):
            comps_by_rank[rank] = TruncatedSVD(n_components=rank, random_state=args.seed).fit(x).components_

    def ranked_items(s: np.ndarray, exclude: set[int] = frozenset()) -> list[int]:  # type: ignore[assignment]
        return [i for i in sorted(range(n_items), key=lambda i: (-s[i], resource_ids[i])) if i not in exclude]

    def cold_eval(uids: list[str], scorer: Any) -> dict[str, float]:
        out = []
        for u in uids:
            rel = {col[r["resource_id"]] for r in by_user[u] if int(r["rating"]) >= POSITIVE}
            if not rel:
                continue
            out.append(metrics_at_k(ranked_items(scorer(u)), rel))
        return _mean(out)

    def visible(u: str) -> dict[str, float]:
        return {r["resource_id"]: float(r["rating"]) / 5.0 for r in by_user[u] if r["split"] == "train"}

    def warm_eval(uids: list[str], scorer: Any) -> dict[str, float]:
        out = []
        for u in uids:
            rel = {col[r["resource_id"]] for r in by_user[u] if r["split"] == "test"}
            if not rel:
                continue
            seen = {col[r] for r in visible(u)}
            out.append(metrics_at_k(ranked_items(scorer(u), seen), rel))
        return _mean(out)

    def blend_scorer(rec: Recommender, warm: bool = False) -> Any:
        def f(u: str) -> np.ndarray:
            return rec.score(gw(u), users[u].get("years_experience"), users[u]["skills"], visible(u) if warm else None)[
                0
            ]

        return f

    val_users = [u for u in sorted(by_user) if parts[u] == "val"]
    grid = []
    for rank, comps in comps_by_rank.items():
        for hw in HELD_WEIGHTS:
            for a in CF_WEIGHTS:
                res = cold_eval(val_users, blend_scorer(make(comps, a, hw, weights)))
                grid.append(((-a, -hw, -rank), rank, a, hw, res))
    _, rank, alpha, held_w, best_val = one_se_choice(grid)
    log(f"validation (cold-start) best: rank={rank} cf_weight={alpha} held_weight={held_w} -> {best_val}")
    warm_grid = []
    for a in CF_WEIGHTS:
        res = warm_eval(val_users, blend_scorer(make(comps_by_rank[rank], alpha, held_w, weights, a), warm=True))
        warm_grid.append(((-a,), a, res))
    _, alpha_warm, best_warm_val = one_se_choice(warm_grid)
    log(f"validation (warm) best: cf_weight_warm={alpha_warm} -> {best_warm_val}")
    rec = make(comps_by_rank[rank], alpha, held_w, weights, alpha_warm)

    test_users = [u for u in sorted(by_user) if parts[u] == "test"]
    results_cold = {
        "learned linear + CF (model)": cold_eval(test_users, blend_scorer(rec)),
        "learned linear, no CF": cold_eval(test_users, blend_scorer(make(rec.components, 0.0, held_w, weights))),
        "CF fold-in only": cold_eval(test_users, lambda u: rec.cf_scores(rec.fold_in(gw(u), users[u]["skills"]))),
        "content only": cold_eval(test_users, lambda u: rec.content_scores(gw(u), users[u].get("years_experience"))),
        "baseline: popularity": cold_eval(test_users, lambda u: popularity),
    }
    # warm: train users' hidden test items, fold in their visible ones (+ their skills), seen items excluded
    results_warm = {
        "learned linear + CF (model)": warm_eval(train_users, blend_scorer(rec, warm=True)),
        "learned linear, no CF": warm_eval(train_users, blend_scorer(make(rec.components, 0.0, held_w, weights), True)),
        "CF only (SVD)": warm_eval(train_users, lambda u: rec.cf_scores(x[train_users.index(u)])),
        "baseline: popularity": warm_eval(train_users, lambda u: popularity),
    }
    for name, r in results_cold.items():
        log(f"cold-start {name}: {r}")
    for name, r in results_warm.items():
        log(f"warm {name}: {r}")

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    rec_mod.save(out, rec, extra={"rank": rank, "seed": args.seed})
    loaded = rec_mod.load(out)
    if not (
        np.array_equal(loaded.components, rec.components)
        and np.array_equal(loaded.popularity, rec.popularity)
        and loaded.weights == rec.weights
        and (loaded.alpha, loaded.alpha_warm, loaded.held_weight) == (rec.alpha, rec.alpha_warm, rec.held_weight)
    ):
        raise SystemExit("exported recommender differs from the trained one")
    log(f"serving export ({rec_mod.MODEL_FILE} + {rec_mod.ARRAYS_FILE}) round-trips exactly")

    rep = Report(out, "Resource recommender")
    wdesc = ", ".join(f"{n} {w:+.3f}" for n, w in zip(LINEAR_FEATURES, weights, strict=True))
    rep.text(
        "Score = learned linear term + CF weight x CF. The linear term is a logistic regression fitted on the "
        f"{len(train_users)} train users (positive = rated >= 4 among their visible items, every other resource "
        f"negative) over {', '.join(LINEAR_FEATURES)}: weights {wdesc}. need = sum of the gap weights a resource "
        "teaches / sqrt(#skills it teaches) (gaps ranked by importance; 1/sqrt(rank), missing prerequisites at half); "
        "level_fit 1/0.75/0.5 (beginner < 1 y <= intermediate < 4 y <= advanced); log_popularity = log(1 + train "
        "count) / log(1 + max count); side_skills = skills taught that are neither held nor gaps; free flag.",
        f"CF: TruncatedSVD (rank {rank}, seed {args.seed}) over the user x resource matrix (rating / 5) of the "
        "train users' visible interactions; a user is folded in through the resources teaching their gap skills "
        f"plus held-skill resources at weight {held_w} (+ their own interactions when warm). CF weight {alpha} "
        f"(cold-start) / {alpha_warm} (warm).",
        f"Rank, CF weights and held-skill weight were chosen on {len(val_users)} validation users (cold-start "
        f"NDCG@10, then warm NDCG@10 on their hidden items), never on the {len(test_users)} test users.",
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
        ["rank", "cf_weight", "held_weight", "recall@10", "ndcg@10"],
        [[g[1], g[2], g[3], g[4]["recall@10"], g[4]["ndcg@10"]] for g in top],
    )
    rep.heading("Validation grid (warm NDCG@10, CF weight)")
    rep.table(
        ["cf_weight_warm", "recall@10", "ndcg@10"], [[g[1], g[2]["recall@10"], g[2]["ndcg@10"]] for g in warm_grid]
    )
    rep.write()
    c, w = results_cold, results_warm
    metrics = {
        "rank": rank,
        "alpha": alpha,
        "alpha_warm": alpha_warm,
        "held_weight": held_w,
        "linear_weights": dict(zip(LINEAR_FEATURES, weights, strict=True)),
        "test_users": len(test_users),
        "cold_model_recall10": c["learned linear + CF (model)"]["recall@10"],
        "cold_model_ndcg10": c["learned linear + CF (model)"]["ndcg@10"],
        "cold_cf_only_ndcg10": c["CF fold-in only"]["ndcg@10"],
        "cold_linear_no_cf_recall10": c["learned linear, no CF"]["recall@10"],
        "cold_linear_no_cf_ndcg10": c["learned linear, no CF"]["ndcg@10"],
        "warm_linear_no_cf_recall10": w["learned linear, no CF"]["recall@10"],
        "warm_linear_no_cf_ndcg10": w["learned linear, no CF"]["ndcg@10"],
        "cold_content_only_ndcg10": c["content only"]["ndcg@10"],
        "cold_baseline_popularity_recall10": c["baseline: popularity"]["recall@10"],
        "cold_baseline_popularity_ndcg10": c["baseline: popularity"]["ndcg@10"],
        "warm_model_recall10": w["learned linear + CF (model)"]["recall@10"],
        "warm_model_ndcg10": w["learned linear + CF (model)"]["ndcg@10"],
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
