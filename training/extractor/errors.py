"""Where the hybrid loses F1 on the dotin folds: false negatives and false positives by kind, per fold.

    python -m training.extractor.errors --dotin ../shared/data/dotin-resume-ner --artifacts artifacts \\
        --fold-taggers build/cv-ner [--out build/eval/errors]

Each train resume is extracted by the served hybrid (``hybrid.json``) with the tagger that never saw its fold
(``cv.fold_taggers``), then every gold skill string and every predicted string is scored the shared metric's
way (token sets, relaxed containment, one set per resume). Each miss gets ONE kind, the first that applies:

False negatives (a gold skill string no prediction matches):

- ``boundary``: a prediction shares a token with it (the right words, cut or merged differently);
- ``same id, other surface``: a returned skill's other mention has this surface (the API returns one surface per
  skill id: "ML" and "machine learning" are one skill, two gold strings);
- ``gazetteer hit dropped``: a gazetteer mention overlaps the gold span but the hybrid's trust rule dropped it;
- ``in taxonomy, not matched``: the gold surface is a catalog alias, yet neither extractor found it there;
- ``not in taxonomy``: tagger and taxonomy both miss it (split by dotin label and length).

False positives (a predicted string matching no gold skill string):

- ``boundary``: shares a token with a gold skill string;
- ``inside <label>``: lies in a gold span of another dotin class (Designation, Degree, Companies worked at, ...):
  a label convention, not a wrong skill;
- ``labelled elsewhere``: the same token set is a gold skill in another train resume (annotator inconsistency);
- ``never labelled``: never a gold skill string in the train resumes.

``gain`` = the fold F1 if that kind were fixed and nothing else (misses removed from the denominators / counted
right): an upper bound of what a lever on that kind can give, not a forecast.
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from training.extractor.cv import CachedGazetteer, CachedNer, fold_of, fold_taggers, load_parts
from training.extractor.data import SKILL_LABELS, read_dotin
from training.extractor.metric import metric_module
from training.models.train_extractor_v1 import DEFAULT_EVAL, is_dev

FN_KINDS = (
    "boundary",
    "same id, other surface",
    "gazetteer hit dropped",
    "in taxonomy, not matched",
    "not in taxonomy",
)


def _f1(tp_p: int, n_p: int, tp_g: int, n_g: int) -> float:
    p = tp_p / n_p if n_p else 0.0
    r = tp_g / n_g if n_g else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def analyse_resume(
    row: dict[str, Any], gazetteer: Any, ner: Any, catalog: Any, gold_skill_sets: set[frozenset[str]], m: Any
) -> dict[str, Any]:
    """Counts and classified misses of one resume (see the module docstring)."""
    from careerready.pipelines.hybrid_extraction import HybridParams, extract_hybrid
    from careerready.sections import detect_sections
    from careerready.text import normalize_alias

    text = str(row["text"])
    params = HybridParams.from_dict(ner.hybrid_params)
    resp = extract_hybrid(text, gazetteer, ner, catalog, None, params=params)
    skills = [s for s in resp.skills if not s.negated and s.type != "certification"]
    preds: dict[frozenset[str], Any] = {}
    for s in skills:
        preds.setdefault(m.toks(s.text), s)
    preds.pop(frozenset(), None)
    gold_spans = [s for s in row["spans"] if s["label"] in SKILL_LABELS]
    gold: dict[frozenset[str], dict[str, Any]] = {}
    for s in gold_spans:
        gold.setdefault(m.toks(s["text"]), s)
    gold.pop(frozenset(), None)
    other_spans = [s for s in row["spans"] if s["label"] not in SKILL_LABELS]
    gaz = gazetteer.find_mentions(text, detect_sections(text), annotate=False)
    other_surfaces = {m.toks(x.text) for s in skills for x in s.mentions[1:]}

    fn: list[dict[str, Any]] = []
    tp_g = 0
    for g, span in gold.items():
        if any(m.match(g, p) for p in preds):
            tp_g += 1
            continue
        if any(g & p for p in preds):
            kind = "boundary"
        elif any(m.match(g, o) for o in other_surfaces):
            kind = "same id, other surface"
        elif any(x.start < span["end"] and x.end > span["start"] for x in gaz):
            kind = "gazetteer hit dropped"
        elif normalize_alias(str(span["text"])) in catalog.alias_index:
            kind = "in taxonomy, not matched"
        else:
            kind = "not in taxonomy"
        words = len(str(span["text"]).split())
        fn.append({"text": span["text"], "label": span["label"], "kind": kind, "words": words})
    fp: list[dict[str, Any]] = []
    tp_p = 0
    by_source: Counter[tuple[str, bool]] = Counter()
    for p, s in preds.items():
        origin = "emerging" if s.skill_id is None else s.source
        hit = any(m.match(g, p) for g in gold)
        by_source[(origin, hit)] += 1
        if hit:
            tp_p += 1
            continue
        inside = next((o["label"] for o in other_spans if o["start"] <= s.start and s.end <= o["end"]), None)
        if any(g & p for g in gold):
            kind = "boundary"
        elif inside is not None:
            kind = f"inside {inside}"
        elif p in gold_skill_sets:
            kind = "labelled elsewhere"
        else:
            kind = "never labelled"
        group = s.category or "-"
        fp.append({"text": s.text, "kind": kind, "source": origin, "category": group})
    sources = {f"{o} {'tp' if h else 'fp'}": c for (o, h), c in by_source.items()}
    return {"n_p": len(preds), "tp_p": tp_p, "n_g": len(gold), "tp_g": tp_g, "fn": fn, "fp": fp, "sources": sources}


def analyse(
    rows: Sequence[dict[str, Any]], gazetteer: Any, ner: Any, catalog: Any, k: int = 5, eval_script: Path = DEFAULT_EVAL
) -> dict[str, Any]:
    """Per fold: P/R/F1, misses by kind and the F1 each kind would give if fixed alone."""
    m = metric_module(eval_script)
    gold_sets: Counter[frozenset[str]] = Counter()
    per_resume_sets = {}
    for r in rows:
        sets = {m.toks(s["text"]) for s in r["spans"] if s["label"] in SKILL_LABELS} - {frozenset()}
        per_resume_sets[str(r["id"])] = sets
        gold_sets.update(sets)
    folds: list[dict[str, Any]] = []
    for f in range(k):
        tp_p = n_p = tp_g = n_g = 0
        fn: list[dict[str, Any]] = []
        fp: list[dict[str, Any]] = []
        sources: Counter[str] = Counter()
        for r in rows:
            if fold_of(str(r["id"]), k) != f:
                continue
            own = per_resume_sets[str(r["id"])]
            elsewhere = {s for s, c in gold_sets.items() if c > (1 if s in own else 0)}
            res = analyse_resume(r, gazetteer, ner, catalog, elsewhere, m)
            tp_p, n_p, tp_g, n_g = tp_p + res["tp_p"], n_p + res["n_p"], tp_g + res["tp_g"], n_g + res["n_g"]
            fn += res["fn"]
            fp += res["fp"]
            sources.update(res["sources"])
        fn_kinds = Counter(x["kind"] for x in fn)
        fp_kinds = Counter(x["kind"] for x in fp)
        gain = {f"FN {kind}": _f1(tp_p, n_p, tp_g + c, n_g) for kind, c in fn_kinds.items()}
        gain |= {f"FP {kind}": _f1(tp_p, n_p - c, tp_g, n_g) for kind, c in fp_kinds.items()}
        folds.append(
            {
                "f1": _f1(tp_p, n_p, tp_g, n_g),
                "precision": tp_p / n_p if n_p else 0.0,
                "recall": tp_g / n_g if n_g else 0.0,
                "n_gold": n_g,
                "n_pred": n_p,
                "fn_kinds": dict(fn_kinds),
                "fp_kinds": dict(fp_kinds),
                "gain": gain,
                "sources": dict(sources),
                "fn": fn,
                "fp": fp,
            }
        )
    return {"folds": folds}


def _ms(xs: Sequence[float]) -> str:
    return f"{statistics.fmean(xs):.3f} ± {statistics.stdev(xs):.3f}" if len(xs) > 1 else f"{xs[0]:.3f}"


def report(res: dict[str, Any], top: int = 25) -> str:
    """Markdown: per-kind counts (per fold, total), F1 if fixed, the commonest strings of each side."""
    folds = res["folds"]
    f1s = [x["f1"] for x in folds]
    lines = [
        f"Fold F1 {_ms(f1s)} (P {_ms([x['precision'] for x in folds])}, R {_ms([x['recall'] for x in folds])}); "
        f"gold strings {sum(x['n_gold'] for x in folds)}, predicted {sum(x['n_pred'] for x in folds)}.",
        "",
        "| side | kind | misses per fold | total | share of side | fold F1 if fixed alone (mean) | gain |",
        "|---|---|---|---|---|---|---|",
    ]
    for side, key in (("FN", "fn_kinds"), ("FP", "fp_kinds")):
        kinds = Counter[str]()
        for x in folds:
            kinds.update(x[key])
        total = sum(kinds.values())
        for kind, c in kinds.most_common():
            per = " / ".join(str(x[key].get(kind, 0)) for x in folds)
            fixed = [x["gain"].get(f"{side} {kind}", x["f1"]) for x in folds]
            gain = statistics.fmean(fixed) - statistics.fmean(f1s)
            lines.append(
                f"| {side} | {kind} | {per} | {c} | {c / total:.0%} | {statistics.fmean(fixed):.3f} | +{gain:.3f} |"
            )
    fn = [x for f in folds for x in f["fn"]]
    fp = [x for f in folds for x in f["fp"]]
    lines += ["", "False negatives by dotin label and kind:", "", "| label | " + " | ".join(FN_KINDS) + " | total |"]
    lines.append("|---" * (len(FN_KINDS) + 2) + "|")
    for label in sorted(SKILL_LABELS):
        by_kind = Counter(x["kind"] for x in fn if x["label"] == label)
        cells = " | ".join(str(by_kind.get(kd, 0)) for kd in FN_KINDS)
        lines.append(f"| {label} | {cells} | {sum(by_kind.values())} |")
    nt = [x for x in fn if x["kind"] == "not in taxonomy"]
    lw = Counter(min(x["words"], 4) for x in nt)
    lines += [
        "",
        "Not-in-taxonomy misses by words: " + ", ".join(f"{w}{'+' if w == 4 else ''}: {lw[w]}" for w in sorted(lw)),
    ]
    src = Counter((x["source"], x["kind"]) for x in fp)
    lines += ["", "False positives by source and kind:", "", "| source | kind | count |", "|---|---|---|"]
    lines += [f"| {s} | {kd} | {c} |" for (s, kd), c in src.most_common()]
    srcs: Counter[str] = Counter()
    for x in folds:
        srcs.update(x["sources"])
    lines += [
        "",
        "Precision by source (predicted strings): "
        + ", ".join(
            f"{o} {srcs[o + ' tp'] / max(1, srcs[o + ' tp'] + srcs[o + ' fp']):.2f} of {srcs[o + ' tp'] + srcs[o + ' fp']}"
            for o in ("model", "gazetteer", "emerging")
        ),
    ]
    cat = Counter(x["category"] for x in fp)
    lines += [
        "",
        "False positives by catalog category (top 12): " + ", ".join(f"{c} {n}" for c, n in cat.most_common(12)),
    ]
    for side, items in (("false negatives", fn), ("false positives", fp)):
        for kind in sorted({x["kind"] for x in items}):
            words = Counter(str(x["text"]).lower() for x in items if x["kind"] == kind)
            lines.append(f"\nTop {side}, {kind}: " + ", ".join(f"{w} ({c})" for w, c in words.most_common(top)))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    ap = argparse.ArgumentParser(prog="python -m training.extractor.errors", description=__doc__.split("\n\n")[0])
    ap.add_argument("--dotin", type=Path, required=True)
    ap.add_argument("--artifacts", type=Path, default=Path("artifacts"))
    ap.add_argument("--catalog", type=Path, default=None, help="default: <artifacts>/catalog/v1")
    ap.add_argument("--fold-taggers", type=Path, default=None, help="per-fold taggers (default: the served one)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--eval-script", type=Path, default=DEFAULT_EVAL)
    ap.add_argument("--out", type=Path, default=Path("build/eval/errors"))
    args = ap.parse_args(argv)
    from careerready.core.observability import logger

    logger.setLevel("WARNING")
    gazetteer, ner, catalog = load_parts(args.artifacts, args.catalog)
    rows = [r for r in read_dotin(args.dotin) if not is_dev(str(r["id"]))]
    if args.fold_taggers is not None:
        ner = fold_taggers(args.fold_taggers, rows, ner, args.folds)
    res = analyse(rows, CachedGazetteer(gazetteer), CachedNer(ner), catalog, args.folds, args.eval_script)
    text = report(res)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "errors.md").write_text(text + "\n", encoding="utf-8")
    (args.out / "errors.json").write_text(json.dumps(res, indent=1), encoding="utf-8")
    print(text)  # noqa: T201 - a CLI report
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
