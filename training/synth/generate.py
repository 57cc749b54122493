"""Generate every synthetic dataset from a compiled catalog.

    python -m training.synth.generate --catalog build/catalog --out build/datasets --seed 20261126 [--n-resumes 3000]

Same seed + same catalog -> byte-identical files (checked by tests/unit/test_synth.py).
"""

from __future__ import annotations

import argparse
import csv
import math
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from training.synth import DATASET_VERSION, DEFAULT_SEED
from training.synth.common import SynthCatalog, load_catalog, make_rng, sha256_file, write_jsonl, write_manifest
from training.synth.interactions import generate_interactions
from training.synth.labels import gap_relevance, gap_utilities, match_target, readiness_labels, readiness_score
from training.synth.profiles import Profile, sample_profile
from training.synth.render import render_resume

DATASETS = ("resumes", "readiness", "gaps", "interactions", "matching")


@dataclass
class Person:
    """A generated resume with its latent profile (kept in memory for the label generators)."""

    resume_id: str
    profile: Profile
    record: dict[str, Any]


def _dataset_dir(out: Path, name: str) -> Path:
    d = out / name / DATASET_VERSION
    d.mkdir(parents=True, exist_ok=True)
    return d


def _share(counter: Counter[Any]) -> dict[str, float]:
    total = sum(counter.values()) or 1
    return {str(k): round(v / total, 4) for k, v in sorted(counter.items(), key=lambda kv: str(kv[0]))}


def generate_people(cat: SynthCatalog, seed: int, n: int) -> list[Person]:
    """Sample and render `n` resumes (each from its own seeded stream)."""
    role_ids = list(cat.roles)
    people = []
    for i in range(n):
        rng = make_rng(seed, "resume", i)
        prof = sample_profile(rng, cat, rng.choice(role_ids))
        # noise on its own stream: the profile (hence every label) does not depend on it
        doc = render_resume(rng, cat, prof, noise_rng=make_rng(seed, "noise", i))
        rid = f"r{i:05d}"
        record = {
            "id": rid,
            "text": doc["text"],
            "spans": doc["spans"],
            "role_id": prof.role_id,
            "years_experience": prof.years_experience,
            "seniority": prof.seniority,
            "profile": prof.to_json(),
            "sections": doc["sections"],
            "noise": doc["noise"],
        }
        people.append(Person(rid, prof, record))
    return people


def _other_roles(cat: SynthCatalog, seed: int, person: Person, k: int, purpose: str) -> list[str]:
    rng = make_rng(seed, purpose, person.resume_id)
    home = person.profile.role_id
    neigh = cat.neighbours[home]
    picks: list[str] = []
    while len(picks) < min(k, len(neigh)):
        cand = neigh[min(len(neigh) - 1, int(rng.expovariate(1.2)))] if rng.random() < 0.6 else rng.choice(neigh)
        if cand not in picks:
            picks.append(cand)
    return picks


def write_resumes(
    out: Path, cat: SynthCatalog, seed: int, people: list[Person], params: dict[str, Any]
) -> dict[str, Any]:
    """resumes/v1/resumes.jsonl + manifest."""
    d = _dataset_dir(out, "resumes")
    rows = write_jsonl(d / "resumes.jsonl", (p.record for p in people))
    words = sorted(len(p.record["text"].split()) for p in people)
    spans = [s for p in people for s in p.record["spans"]]
    stats = {
        "words_min": words[0],
        "words_median": words[len(words) // 2],
        "words_max": words[-1],
        "spans": len(spans),
        "negated_spans": sum(s["negated"] for s in spans),
        "spans_with_years": sum(s["years"] is not None for s in spans),
        "label_share": _share(Counter(s["label"] for s in spans)),
        "role_share": _share(Counter(p.profile.role_id for p in people)),
        "seniority_share": _share(Counter(p.profile.seniority for p in people)),
        "noise": {
            "held_skills": sum(len(p.profile.skills) for p in people),
            "missed": sum(len(p.record["noise"]["missed"]) for p in people),
            "project_only": sum(len(p.record["noise"]["project_only"]) for p in people),
            "variant_mentions": sum(p.record["noise"]["variants"] for p in people),
        },
    }
    return write_manifest(d, "resumes", seed, cat.sha256, params, {"resumes.jsonl": rows}, stats)


def write_readiness(
    out: Path, cat: SynthCatalog, seed: int, people: list[Person], params: dict[str, Any]
) -> dict[str, Any]:
    """readiness/v1/pairs.jsonl + manifest."""
    pairs, scores = [], []
    people_by_id = {p.resume_id: p for p in people}
    for p in people:
        rng = make_rng(seed, "readiness", p.resume_id)
        others = _other_roles(cat, seed, p, rng.choice((1, 2)), "readiness-roles")
        for role_id in [p.profile.role_id, *others]:
            pairs.append((p.resume_id, role_id))
            scores.append(readiness_score(cat, p.profile, cat.roles[role_id], rng))
    labels = readiness_labels([(s, m) for s, m, _ in scores], make_rng(seed, "readiness", "flips"))
    clean_labels = readiness_labels([(c, m) for _, m, c in scores], None)
    coverage = [_plain_coverage(cat, people_by_id[r].profile.skills, ro) for r, ro in pairs]
    d = _dataset_dir(out, "readiness")
    rows = write_jsonl(
        d / "pairs.jsonl",
        ({"resume_id": r, "role_id": ro, "label": lab} for (r, ro), lab in zip(pairs, labels, strict=True)),
    )
    home = {p.resume_id: p.profile.role_id for p in people}
    stats = {
        "label_share": _share(Counter(labels)),
        "label_share_home_role": _share(
            Counter(lab for (r, ro), lab in zip(pairs, labels, strict=True) if home[r] == ro)
        ),
        "accuracy_noise_free_rule": round(
            sum(a == b for a, b in zip(labels, clean_labels, strict=True)) / len(labels), 4
        ),
        "accuracy_best_coverage_thresholds": _best_two_cuts(coverage, labels),
    }
    return write_manifest(d, "readiness", seed, cat.sha256, params, {"pairs.jsonl": rows}, stats)


def _plain_coverage(cat: SynthCatalog, held: Any, role_id: str) -> float:
    """Share of a role's skills held, unweighted: the 'one feature' a naive threshold would use."""
    skills = cat.roles[role_id].skills
    return sum(rs.skill_id in held for rs in skills) / len(skills)


def _best_two_cuts(x: list[float], labels: list[str]) -> float:
    """Best accuracy of any two thresholds on one feature (grid over its deciles) for the ordered labels."""
    order = {"needs_upskilling": 0, "almost_ready": 1, "industry_ready": 2}
    y = [order[v] for v in labels]
    xs = sorted(x)
    grid = sorted({xs[min(len(xs) - 1, int(q * len(xs) / 20))] for q in range(21)})
    best = 0.0
    for i, a in enumerate(grid):
        for b in grid[i:]:
            acc = sum((0 if v < a else 1 if v < b else 2) == t for v, t in zip(x, y, strict=True)) / len(y)
            best = max(best, acc)
    return round(best, 4)


def _pearson(a: list[float], b: list[float]) -> float:
    ma, mb = sum(a) / len(a), sum(b) / len(b)
    cov = sum((x - ma) * (y - mb) for x, y in zip(a, b, strict=True))
    va = sum((x - ma) ** 2 for x in a) ** 0.5
    vb = sum((y - mb) ** 2 for y in b) ** 0.5
    return round(cov / (va * vb), 4) if va and vb else 0.0


def _ndcg(rels_in_order: list[int], k: int = 5) -> float:
    def dcg(rs: list[int]) -> float:
        return float(sum((2**r - 1) / math.log2(i + 2) for i, r in enumerate(rs[:k])))

    ideal = dcg(sorted(rels_in_order, reverse=True))
    return dcg(rels_in_order) / ideal if ideal else 0.0


def write_gaps(out: Path, cat: SynthCatalog, seed: int, people: list[Person], params: dict[str, Any]) -> dict[str, Any]:
    """gaps/v1/gaps.jsonl (one row per missing role skill per query) + manifest."""
    keys: list[tuple[str, str, str]] = []
    utils: list[float] = []
    clean: dict[tuple[str, str, str], float] = {}
    for p in people:
        rng = make_rng(seed, "gaps", p.resume_id)
        for role_id in [p.profile.role_id, *_other_roles(cat, seed, p, 1, "gaps-roles")]:
            for sid, u, u_clean in gap_utilities(cat, p.profile, cat.roles[role_id], rng):
                keys.append((p.resume_id, role_id, sid))
                utils.append(u)
                clean[keys[-1]] = u_clean
    rels = gap_relevance(utils)
    d = _dataset_dir(out, "gaps")
    rows = write_jsonl(
        d / "gaps.jsonl",
        (
            {"query_id": f"{r}:{ro}", "resume_id": r, "role_id": ro, "skill_id": s, "relevance": rel}
            for (r, ro, s), rel in zip(keys, rels, strict=True)
        ),
    )
    # importance-only ordering (the baseline a ranker must beat) vs random, NDCG@5 over queries
    by_q: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for (r, ro, s), rel in zip(keys, rels, strict=True):
        by_q.setdefault((r, ro), []).append((s, rel))
    brng = make_rng(seed, "gaps", "baseline")
    imp_nd, rnd_nd, oracle_nd = [], [], []
    for (r, ro), items in by_q.items():
        if len(items) < 2 or not any(rel for _, rel in items):
            continue
        imp = cat.roles[ro].importance
        imp_nd.append(_ndcg([rel for _, rel in sorted(items, key=lambda x: (-imp[x[0]], x[0]))]))
        shuffled = list(items)
        brng.shuffle(shuffled)
        rnd_nd.append(_ndcg([rel for _, rel in shuffled]))
        oracle_nd.append(_ndcg([rel for _, rel in sorted(items, key=lambda x: (-clean[(r, ro, x[0])], x[0]))]))
    stats = {
        "queries": len(by_q),
        "relevance_share": _share(Counter(rels)),
        "ndcg5_importance_only": round(sum(imp_nd) / max(1, len(imp_nd)), 4),
        "ndcg5_random": round(sum(rnd_nd) / max(1, len(rnd_nd)), 4),
        "ndcg5_noise_free_rule": round(sum(oracle_nd) / max(1, len(oracle_nd)), 4),
    }
    return write_manifest(d, "gaps", seed, cat.sha256, params, {"gaps.jsonl": rows}, stats)


def write_matching(
    out: Path, cat: SynthCatalog, seed: int, people: list[Person], params: dict[str, Any]
) -> dict[str, Any]:
    """matching/v1/pairs.jsonl with home roles, neighbouring-role hard negatives and random roles."""
    out_rows: list[dict[str, Any]] = []
    for p in people:
        rng = make_rng(seed, "matching", p.resume_id)
        home = p.profile.role_id
        neigh = cat.neighbours[home]
        chosen = [(home, "home")] + [(r, "neighbour") for r in neigh[:2]]
        rest = neigh[2:]
        if rest:
            chosen.append((rng.choice(rest), "random"))
        for role_id, kind in chosen:
            out_rows.append(
                {
                    "resume_id": p.resume_id,
                    "role_id": role_id,
                    "kind": kind,
                    "target": match_target(cat, p.profile, cat.roles[role_id], rng),
                }
            )
    d = _dataset_dir(out, "matching")
    rows = write_jsonl(d / "pairs.jsonl", out_rows)
    kinds: dict[str, list[float]] = {}
    for r in out_rows:
        kinds.setdefault(r["kind"], []).append(r["target"])
    people_by_id = {p.resume_id: p for p in people}
    plain = [_plain_coverage(cat, people_by_id[r["resume_id"]].profile.skills, r["role_id"]) for r in out_rows]
    stats = {
        "pearson_target_vs_plain_coverage": _pearson(plain, [r["target"] for r in out_rows]),
        "mean_target_by_kind": {k: round(sum(v) / len(v), 4) for k, v in sorted(kinds.items())},
        "pairs_by_kind": {k: len(v) for k, v in sorted(kinds.items())},
    }
    return write_manifest(d, "matching", seed, cat.sha256, params, {"pairs.jsonl": rows}, stats)


def write_interactions(out: Path, cat: SynthCatalog, seed: int, n_users: int, params: dict[str, Any]) -> dict[str, Any]:
    """interactions/v1/users.jsonl + interactions.csv (user_id,resource_id,rating,split)."""
    users, rows, stats = generate_interactions(cat, seed, n_users)
    d = _dataset_dir(out, "interactions")
    n_users_rows = write_jsonl(d / "users.jsonl", users)
    with (d / "interactions.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["user_id", "resource_id", "rating", "split"])
        w.writerows(rows)
    return write_manifest(
        d, "interactions", seed, cat.sha256, params, {"users.jsonl": n_users_rows, "interactions.csv": len(rows)}, stats
    )


def generate_all(
    catalog_dir: Path,
    out: Path,
    seed: int = DEFAULT_SEED,
    n_resumes: int = 3000,
    n_users: int = 2000,
    only: tuple[str, ...] = DATASETS,
) -> dict[str, dict[str, Any]]:
    """Generate the selected datasets under `out`; return their manifests by name."""
    cat = load_catalog(catalog_dir)
    out = Path(out)
    manifests: dict[str, dict[str, Any]] = {}
    if any(n in only for n in ("resumes", "readiness", "gaps", "matching")):
        people = generate_people(cat, seed, n_resumes)
        base = {"n_resumes": n_resumes}
        manifests["resumes"] = write_resumes(out, cat, seed, people, base)
        resumes_sha = sha256_file(out / "resumes" / DATASET_VERSION / "resumes.jsonl")
        dep = {**base, "resumes": {"version": DATASET_VERSION, "sha256": resumes_sha}}
        if "readiness" in only:
            manifests["readiness"] = write_readiness(out, cat, seed, people, dep)
        if "gaps" in only:
            manifests["gaps"] = write_gaps(out, cat, seed, people, dep)
        if "matching" in only:
            manifests["matching"] = write_matching(out, cat, seed, people, dep)
    if "interactions" in only:
        manifests["interactions"] = write_interactions(out, cat, seed, n_users, {"n_users": n_users})
    return manifests


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--catalog", type=Path, default=Path("build/catalog"), help="compiled catalog dir")
    ap.add_argument("--out", type=Path, default=Path("build/datasets"), help="output root")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--n-resumes", type=int, default=3000)
    ap.add_argument("--n-users", type=int, default=2000)
    ap.add_argument("--only", default=",".join(DATASETS), help=f"comma list of {','.join(DATASETS)}")
    args = ap.parse_args(argv)
    only = tuple(x.strip() for x in args.only.split(",") if x.strip())
    unknown = set(only) - set(DATASETS)
    if unknown:
        ap.error(f"unknown dataset(s): {sorted(unknown)}")
    t0 = time.perf_counter()
    manifests = generate_all(args.catalog, args.out, args.seed, args.n_resumes, args.n_users, only)
    for name, m in manifests.items():
        files = ", ".join(f"{f}: {v['rows']} rows" for f, v in m["files"].items())
        print(f"{name}/{m['version']}: {files}")
        print(f"  stats: {m['stats']}")
    print(
        f"done in {time.perf_counter() - t0:.1f} s (seed {args.seed}, catalog {manifests[next(iter(manifests))]['catalog_sha256'][:12]})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
