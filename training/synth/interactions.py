"""Learners and implicit feedback on learning resources from a latent preference model."""

from __future__ import annotations

import math
import random
from typing import Any

from training.synth.common import SynthCatalog, make_rng
from training.synth.profiles import sample_profile

LEVELS = {"beginner": 0, "intermediate": 1, "advanced": 2}
PREFERRED_LEVEL = {"junior": 0, "mid": 1, "senior": 2, "lead": 2}
N_FACTORS = 3
N_CLUSTERS = 4
RATING_CUTS = (0.10, 0.25, 0.50, 0.78)  # cumulative shares of ratings 1 | 2 | 3 | 4 | 5
HOLDOUT_K = 2


def _gumbel(rng: random.Random) -> float:
    return -math.log(-math.log(rng.random() or 1e-12) or 1e-12)


def generate_interactions(
    cat: SynthCatalog, seed: int, n_users: int
) -> tuple[list[dict[str, Any]], list[tuple[str, str, int, str]], dict[str, Any]]:
    """Users (rows for users.jsonl), interactions (user, resource, rating, split) and stats."""
    rng = make_rng(seed, "interactions", "world")
    resources = list(cat.resources.values())
    if not resources:
        raise ValueError("catalog has no resources with known skills")
    providers = sorted({r.provider for r in resources})
    prov_vec = {p: [rng.gauss(0, 1) for _ in range(N_FACTORS)] for p in providers}
    centres = [[rng.gauss(0, 1) for _ in range(N_FACTORS)] for _ in range(N_CLUSTERS)]
    perm = list(range(len(resources)))
    rng.shuffle(perm)
    log_pop = {resources[i].id: -0.8 * math.log(rank + 1) for rank, i in enumerate(perm)}
    role_ids = list(cat.roles)

    users: list[dict[str, Any]] = []
    events: list[tuple[str, str, float]] = []
    for u in range(n_users):
        urng = make_rng(seed, "interactions", "user", u)
        uid = f"u{u:05d}"
        role = cat.roles[urng.choice(role_ids)]
        prof = sample_profile(urng, cat, role.id)
        centre = centres[urng.randrange(N_CLUSTERS)]
        taste = [c + urng.gauss(0, 0.5) for c in centre]
        free_pref = urng.gauss(0, 0.8)
        imp = role.importance
        pref_level = PREFERRED_LEVEL[prof.seniority]
        utils = []
        for res in resources:
            lacking = [imp.get(s, 0.0) for s in res.skills if s not in prof.skills]
            need = sum(lacking) / math.sqrt(len(res.skills))
            side = 0.15 * sum(1 for s in res.skills if s not in prof.skills and s not in imp)
            level = 1.0 - abs(LEVELS.get(res.level, 1) - pref_level) / 2.0
            taste_fit = sum(a * b for a, b in zip(taste, prov_vec[res.provider], strict=True)) / math.sqrt(N_FACTORS)
            util = (
                2.0 * need + side + 0.7 * level + 0.5 * taste_fit + 0.35 * free_pref * res.free + 0.45 * log_pop[res.id]
            )
            utils.append(util)
        n_items = urng.randint(4, max(5, min(20, len(resources) // 3)))
        exposure = sorted(range(len(resources)), key=lambda i: -(utils[i] + 1.2 * _gumbel(urng)))[:n_items]
        for i in exposure:
            events.append((uid, resources[i].id, utils[i] + urng.gauss(0, 0.45)))
        users.append(
            {
                "user_id": uid,
                "role_id": role.id,
                "skills": sorted(prof.skills),
                "years_experience": prof.years_experience,
                "seniority": prof.seniority,
            }
        )

    ordered = sorted(v for _, _, v in events)
    cuts = [ordered[min(len(ordered) - 1, int(p * len(ordered)))] for p in RATING_CUTS]
    rated = [(uid, rid, 1 + sum(v >= c for c in cuts)) for uid, rid, v in events]

    rows: list[tuple[str, str, int, str]] = []
    by_user: dict[str, list[tuple[str, str, int]]] = {}
    for r in rated:
        by_user.setdefault(r[0], []).append(r)
    n_test_users = 0
    for uid in sorted(by_user):
        items = by_user[uid]
        srng = make_rng(seed, "interactions", "split", uid)
        pos = [i for i, (_, _, rating) in enumerate(items) if rating >= 4]
        test = set(srng.sample(pos, HOLDOUT_K)) if len(pos) > HOLDOUT_K else set()
        n_test_users += bool(test)
        rows += [(u_, r_, rt, "test" if i in test else "train") for i, (u_, r_, rt) in enumerate(items)]
    hist = {str(k): sum(1 for *_, rt, _s in rows if rt == k) for k in range(1, 6)}
    stats = {
        "recall10_train_popularity": _popularity_recall(rows, 10),
        "rating_counts": hist,
        "test_rows": sum(1 for r in rows if r[3] == "test"),
        "users_with_test": n_test_users,
        "mean_items_per_user": round(len(rows) / max(1, n_users), 3),
    }
    return users, rows, stats


def _popularity_recall(rows: list[tuple[str, str, int, str]], k: int) -> float:
    """Recall@k of ranking unseen resources by train-split positive count (the baseline to beat)."""
    pop: dict[str, int] = {}
    seen: dict[str, set[str]] = {}
    test: dict[str, set[str]] = {}
    for uid, rid, rating, split in rows:
        if split == "train":
            seen.setdefault(uid, set()).add(rid)
            pop[rid] = pop.get(rid, 0) + (rating >= 4)
        else:
            test.setdefault(uid, set()).add(rid)
    ranked = sorted(pop, key=lambda r: (-pop[r], r))
    recalls = []
    for uid, items in test.items():
        top = [r for r in ranked if r not in seen.get(uid, set())][:k]
        recalls.append(len(items & set(top)) / len(items))
    return round(sum(recalls) / len(recalls), 4) if recalls else 0.0
