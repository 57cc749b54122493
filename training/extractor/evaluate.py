"""Evaluate skill extractors on the fixed dotin dev split (and the learned tagger on SkillSpan dev).

    python -m training.extractor.evaluate --dotin ../shared/data/dotin-resume-ner --artifacts artifacts \
        [--skillspan ../shared/data/skillspan] [--peers] [--out build/eval/ner]

Rows: (a) gazetteer v1, (b) learned only (NER spans), (c) hybrid (``pipelines.hybrid_extraction``), and with
``--peers`` the open extractors run in their own virtual environments (``training.extractor.peers``). The
metric is the shared one (``/work/shared/eval/extraction_eval.py``: relaxed set match of skill strings per
resume, micro over resumes); each row is scored by running that script. Also: per-type recall over the dotin
labels, top false positives / negatives, warm milliseconds per 500-word resume and model load time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from careerready.core import paths
from careerready.text import normalize_alias

from training.extractor.cv import CachedNer, hybrid_strings, select_params
from training.extractor.data import SKILL_LABELS, read_dotin, skillspan_docs
from training.extractor.metric import first_words, metric_module, score
from training.models.train_extractor_v1 import DEFAULT_EVAL, is_dev, run_shared_eval

Predictor = Callable[[str], list[str]]


def errors(
    gold: list[dict[str, Any]], preds: dict[str, list[str]], top: int = 15, eval_script: Path = DEFAULT_EVAL
) -> dict[str, Any]:
    """Most frequent false-positive and false-negative strings (lower-cased), and recall per dotin label."""
    m = metric_module(eval_script)
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    per_type: dict[str, list[int]] = {lab: [0, 0] for lab in sorted(SKILL_LABELS)}
    for g in gold:
        ps = {m.toks(x): x for x in preds.get(str(g["id"]), [])}
        ps.pop(frozenset(), None)
        gold_by_toks: dict[frozenset[str], tuple[str, str]] = {}
        for s in g["spans"]:
            if s["label"] in SKILL_LABELS and m.toks(s["text"]):
                gold_by_toks.setdefault(m.toks(s["text"]), (s["text"], s["label"]))
        for t, (surface, label) in gold_by_toks.items():
            hit = any(m.match(t, b) for b in ps)
            per_type[label][1] += 1
            per_type[label][0] += int(hit)
            if not hit:
                fn[surface.lower().strip()] += 1
        for t, surface in ps.items():
            if not any(m.match(t, b) for b in gold_by_toks):
                fp[surface.lower().strip()] += 1
    return {
        "recall_by_type": {k: {"recall": round(a / b, 4) if b else 0.0, "gold": b} for k, (a, b) in per_type.items()},
        "top_false_positives": fp.most_common(top),
        "top_false_negatives": fn.most_common(top),
    }


# ---- predictors -----------------------------------------------------------------------------------------------
def learned_strings(ner: Any, text: str) -> list[str]:
    """Distinct surfaces (by normalised alias) of the learned spans."""
    seen: dict[str, str] = {}
    for s, e, _ in ner.predict_spans(text):
        seen.setdefault(normalize_alias(text[s:e]), text[s:e])
    return list(seen.values())


def run(predict: Predictor, docs: Iterable[dict[str, Any]]) -> dict[str, list[str]]:
    """``{id: strings}`` for every doc."""
    return {str(d["id"]): predict(d["text"]) for d in docs}


def timing(predict: Callable[[str], Any], texts: list[str], repeats: int = 1) -> dict[str, float]:
    """Warm milliseconds per text (one warm-up call first): median, p90, mean."""
    if not texts:
        return {}
    predict(texts[0])
    ms = []
    for _ in range(repeats):
        for t in texts:
            t0 = time.perf_counter()
            predict(t)
            ms.append((time.perf_counter() - t0) * 1000)
    ms.sort()
    return {
        "median_ms": round(statistics.median(ms), 1),
        "p90_ms": round(ms[int(0.9 * (len(ms) - 1))], 1),
        "mean_ms": round(statistics.mean(ms), 1),
        "texts": len(texts),
    }


# ---- learned model on its own -----------------------------------------------------------------------------------
def learned_dev_metrics(ner_dir: Path, dotin_dir: Path, eval_script: Path = DEFAULT_EVAL) -> dict[str, Any]:
    """Shared metric of the learned spans alone on the dotin dev split, plus load and warm timings."""
    from careerready.models import ner as ner_mod

    t0 = time.perf_counter()
    ner = ner_mod.load(ner_dir, intra_op_threads=2)
    load_ms = (time.perf_counter() - t0) * 1000
    rows = [r for r in read_dotin(dotin_dir) if is_dev(str(r["id"]))]
    preds = run(lambda t: learned_strings(ner, t), rows)
    result = run_shared_eval(eval_script, rows, [{"id": k, "skills": v} for k, v in preds.items()])
    cut = [c for c in (first_words(r["text"]) for r in rows) if c]
    result["load_ms"] = round(load_ms, 1)
    result["warm_500_words"] = timing(ner.predict_spans, cut)
    return result


def skillspan_dev(ner: Any, skillspan_dir: Path) -> dict[str, Any]:
    """Span F1 of the learned tagger on SkillSpan dev (skill + knowledge merged): exact and overlap match."""
    docs = skillspan_docs(Path(skillspan_dir) / "json" / "dev.json")
    tp = n_pred = n_gold = ov_p = ov_g = 0
    for d in docs:
        pred = [(s, e) for s, e, _ in ner.predict_spans(d.text)]
        gold = list(d.spans)
        n_pred += len(pred)
        n_gold += len(gold)
        gs = set(gold)
        tp += sum(1 for p in pred if p in gs)
        ov_p += sum(1 for p in pred if any(p[0] < g[1] and g[0] < p[1] for g in gold))
        ov_g += sum(1 for g in gold if any(p[0] < g[1] and g[0] < p[1] for p in pred))

    def f(p: float, r: float) -> float:
        return round(2 * p * r / (p + r), 4) if p + r else 0.0

    p, r = (tp / n_pred if n_pred else 0.0), (tp / n_gold if n_gold else 0.0)
    op, orr = (ov_p / n_pred if n_pred else 0.0), (ov_g / n_gold if n_gold else 0.0)
    return {
        "docs": len(docs),
        "gold_spans": n_gold,
        "pred_spans": n_pred,
        "exact": {"precision": round(p, 4), "recall": round(r, 4), "f1": f(p, r)},
        "overlap": {"precision": round(op, 4), "recall": round(orr, 4), "f1": f(op, orr)},
    }


# ---- decoding threshold (dotin TRAIN split only) ------------------------------------------------------------------
THRESHOLD_GRID = (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85)


def tune_threshold(train_rows: list[dict[str, Any]], ner: Any, eval_script: Path = DEFAULT_EVAL) -> dict[str, Any]:
    """Skill-probability threshold of the tagger maximising the shared F1 of learned spans on the train split."""
    cache = {str(r["id"]): ner.token_probs(r["text"]) for r in train_rows}
    results: dict[str, Any] = {}
    best_t, best_f1 = 0.5, -1.0
    for t in THRESHOLD_GRID:
        preds: dict[str, list[str]] = {}
        for r in train_rows:
            offsets, probs = cache[str(r["id"])]
            seen: dict[str, str] = {}
            for s, e, _ in ner.decode(r["text"], offsets, probs, t).spans:
                seen.setdefault(normalize_alias(r["text"][s:e]), r["text"][s:e])
            preds[str(r["id"])] = list(seen.values())
        res = score(train_rows, preds, eval_script)
        results[str(t)] = res
        if res["f1"] > best_f1:
            best_t, best_f1 = t, res["f1"]
    return {"threshold": best_t, "train_f1_by_threshold": results}


# ---- hybrid tuning (dotin TRAIN split only) ----------------------------------------------------------------------
def tune_hybrid(
    train_rows: list[dict[str, Any]],
    gazetteer: Any,
    ner: Any,
    catalog: Any,
    embeddings: Any | None,
    eval_script: Path = DEFAULT_EVAL,
) -> dict[str, Any]:
    """Choose the hybrid thresholds on the dotin train split.

    ``link_threshold``: the lowest cosine at which at least 90 % of embedding links of learned spans the alias
    index does not know are consistent with the linked skill (its name or an alias token-matches the span under
    the shared metric's relaxed rule). The gazetteer-trust thresholds (general, skills section, non-tech field
    skills, soft skills, certifications): ``training.extractor.cv.select_params``, a coordinate search in which
    each value is chosen by the mean shared F1 over 5 folds of the train resumes.
    """

    m = metric_module(eval_script)
    cached = CachedNer(ner)
    link_threshold = 1.01
    link_stats: dict[str, Any] = {}
    if embeddings is not None and embeddings.skills is not None:
        surfaces: dict[str, str] = {}
        for r in train_rows:
            for s, e, _ in cached.predict_spans(r["text"]):
                key = normalize_alias(r["text"][s:e])
                if key and key not in catalog.alias_index:
                    surfaces.setdefault(key, r["text"][s:e])
        texts = list(surfaces.values())
        if texts:
            vecs = embeddings.embed(texts)
            sims = vecs @ embeddings.skill_vectors.T
            best = sims.argmax(axis=1)
            rows = []
            for k, t in enumerate(texts):
                sk = catalog.skills.get(embeddings.skill_ids[int(best[k])])
                names = [sk.name, *sk.aliases] if sk else []
                ok = any(m.match(m.toks(t), m.toks(n)) for n in names)
                rows.append((float(sims[k, best[k]]), ok))
            grid = [round(0.6 + 0.025 * i, 3) for i in range(17)]
            for t in grid:
                sel = [ok for sim, ok in rows if sim >= t]
                link_stats[str(t)] = {"links": len(sel), "consistent": round(sum(sel) / len(sel), 3) if sel else None}
                if sel and sum(sel) / len(sel) >= 0.9 and link_threshold > 1.0:
                    link_threshold = t
            link_stats["unknown_surfaces"] = len(texts)

    # every gazetteer-trust threshold (general, skills section, per skill group) by mean 5-fold F1 over train
    sel = select_params(
        train_rows,
        gazetteer,
        cached,
        catalog,
        k=5,
        link_threshold=link_threshold,
        embeddings=embeddings,
        eval_script=eval_script,
    )
    return {
        "params": sel["params"],
        "link_consistency": link_stats,
        "fold_f1": sel["fold_f1"],
        "fold_f1_mean": sel["fold_f1_mean"],
        "fold_f1_sd": sel["fold_f1_sd"],
        "fold_f1_by_trial": sel["trials"],
    }


# ---- CLI ---------------------------------------------------------------------------------------------------------
def _fmt_row(name: str, m: dict[str, Any], ms: str) -> str:
    return f"| {name} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {ms} |"


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    ap = argparse.ArgumentParser(prog="python -m training.extractor.evaluate", description=__doc__)
    ap.add_argument("--dotin", type=Path, default=paths.SHARED_DATA_DIR / "dotin-resume-ner")
    ap.add_argument("--artifacts", type=Path, default=paths.ARTIFACTS_DIR)
    ap.add_argument("--catalog", type=Path, default=paths.CATALOG_BUILD_DIR)
    ap.add_argument("--ner-version", default="v1")
    ap.add_argument("--ner-dir", type=Path, default=None, help="served ner artifact (default <artifacts>/ner/<v>)")
    ap.add_argument("--hf-dir", type=Path, default=None, help="training-side ner outputs (default build/ner-hf/<v>)")
    ap.add_argument("--no-speed", action="store_true", help="skip the warm timing (quality only)")
    ap.add_argument("--skillspan", type=Path, default=paths.SHARED_DATA_DIR / "skillspan")
    ap.add_argument("--eval-script", type=Path, default=DEFAULT_EVAL)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument(
        "--embedding-linking",
        action="store_true",
        help="hybrid with embedding linking (off by default, as served: the extract stage loads no embeddings)",
    )
    ap.add_argument("--peers", action="store_true", help="also run the open extractors (own venvs under build/peers)")
    ap.add_argument("--out", type=Path, default=paths.BUILD_DIR / "eval" / "ner")
    args = ap.parse_args(argv)

    from careerready.models import embedder as emb_mod
    from careerready.models import extractor as gaz_mod
    from careerready.models import ner as ner_mod
    from careerready.pipelines.hybrid_extraction import extract_hybrid
    from careerready.services.catalog import Catalog

    rows = read_dotin(args.dotin)
    dev = [r for r in rows if is_dev(str(r["id"]))]
    catalog = Catalog.load(args.catalog)
    gaz = gaz_mod.load(args.artifacts / "extractor" / "v1")
    t0 = time.perf_counter()
    ner_dir = args.ner_dir or args.artifacts / "ner" / args.ner_version
    ner = ner_mod.load(ner_dir, intra_op_threads=args.threads)
    ner_load_ms = (time.perf_counter() - t0) * 1000
    embeddings = (
        emb_mod.load(args.artifacts / "embeddings" / "v1", intra_op_threads=args.threads)
        if args.embedding_linking
        else None
    )

    def hybrid(t: str) -> list[str]:
        return hybrid_strings(extract_hybrid(t, gaz, ner, catalog, embeddings))

    def gazetteer(t: str) -> list[str]:
        return [s.text for s in gaz.extract(t) if not s.negated]

    def mentions(skills: Any) -> list[str]:
        return sorted({m.text for s in skills for m in s.mentions if not m.negated})

    predictors: dict[str, Predictor] = {
        "gazetteer v1": gazetteer,
        "gazetteer v1 (all mentions)": lambda t: mentions(gaz.extract(t)),
        "learned only": lambda t: learned_strings(ner, t),
        "hybrid": hybrid,
        "hybrid (all mentions)": lambda t: mentions(extract_hybrid(t, gaz, ner, catalog, embeddings).skills),
    }
    hf_dir = args.hf_dir or paths.BUILD_DIR / "ner-hf" / args.ner_version
    if (hf_dir / ner_mod.MODEL_FILE).is_file() and ner_mod.MODEL_FILE != ner.model_file:
        fp32 = ner_mod.load(hf_dir, intra_op_threads=args.threads, model_file=ner_mod.MODEL_FILE)
        predictors["learned only (fp32)"] = lambda t: learned_strings(fp32, t)
        predictors["hybrid (fp32)"] = lambda t: hybrid_strings(extract_hybrid(t, gaz, fp32, catalog, embeddings))
    cut = [c for c in (first_words(r["text"]) for r in dev) if c]
    table: dict[str, Any] = {}
    for name, fn in predictors.items():
        preds = run(fn, dev)
        metric = run_shared_eval(args.eval_script, dev, [{"id": k, "skills": v} for k, v in preds.items()])
        table[name] = {
            "metric": metric,
            "speed": {} if args.no_speed else timing(fn, cut, repeats=3),
            "errors": errors(dev, preds, eval_script=args.eval_script),
        }
        print(f"{name}: {metric} speed={table[name]['speed']}", flush=True)
    if args.peers:
        from training.extractor.peers import run_peers

        for name, res in run_peers(dev, cut).items():
            if "error" in res:
                table[name] = {"error": res["error"]}
                print(f"{name}: {res['error']}", flush=True)
                continue
            metric = run_shared_eval(args.eval_script, dev, [{"id": k, "skills": v} for k, v in res["preds"].items()])
            table[name] = {
                "metric": metric,
                "speed": res.get("speed", {}),
                "errors": errors(dev, res["preds"], eval_script=args.eval_script),
            }
            print(f"{name}: {metric}", flush=True)
    extra: dict[str, Any] = {
        "ner_load_ms": round(ner_load_ms, 1),
        "hybrid_params": ner.hybrid_params,
        "dev_resumes": len(dev),
    }
    if (args.skillspan / "json" / "dev.json").is_file():
        extra["skillspan_dev_learned"] = skillspan_dev(ner, args.skillspan)
    lines = [
        "| extractor (dotin dev, 61 resumes) | P | R | F1 | warm ms / 500 words (median, p90) |",
        "|---|---|---|---|---|",
    ]
    for name, t in table.items():
        if "error" in t:
            lines.append(f"| {name} | - | - | - | {t['error'][:60]} |")
            continue
        sp = t["speed"]
        lines.append(
            _fmt_row(name, t["metric"], f"{sp.get('median_ms', '-')} / {sp.get('p90_ms', '-')}" if sp else "-")
        )
    print("\n".join(lines))
    print(json.dumps(extra, indent=2))
    for name in ("gazetteer v1", "learned only", "hybrid"):
        e = table[name]["errors"]
        print(f"\n{name} recall by type: {json.dumps(e['recall_by_type'])}")
        print(f"{name} top FP: {e['top_false_positives']}")
        print(f"{name} top FN: {e['top_false_negatives']}")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "evaluation.json").write_text(json.dumps({"table": table, **extra}, indent=2) + "\n", encoding="utf-8")
    (args.out / "evaluation.md").write_text(
        "# Skill extraction, dotin dev split\n\nCommand: `python -m training.extractor.evaluate "
        + " ".join(argv if argv is not None else sys.argv[1:])
        + "`\n\n"
        + "\n".join(lines)
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {args.out}/evaluation.md and evaluation.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
