"""k-fold cross-validation of the hybrid's linking rules over the dotin train resumes, tech vs non-tech.

    python -m training.extractor.cv --dotin ../shared/data/dotin-resume-ner --artifacts artifacts \\
        [--folds 5] [--catalog build/catalog] [--out build/eval/cv] [--check]

Selection is honest in the sense of issue #12: each fold's configuration is the grid point with the best shared
F1 on the OTHER folds (micro over their resumes), scored once on the held-out fold; the table reports mean ± sd
of the per-fold F1 of that procedure, of the served ``hybrid.json`` and of every fixed grid point, over all
resumes and over the tech and non-tech resumes of each fold. The final choice (``select``) is the grid point with
the best mean fold F1; ``train_ner.finalize`` writes it to ``hybrid.json``.

Folds: ``sha256("dotin-fold:" + id) % k`` over the train split (``not is_dev``). The fixed dev split
(``is_dev``, 61 resumes, never trained on) is the final check: ``--check`` scores the chosen and the served
configuration on it once, after the choice; nothing is chosen on it.

Field of a resume: its first ``Designation`` span resolved with the catalog's title resolver (exact or
normalised methods only, no fuzzy match); ``tech`` when the role's SOC code is in major group 15 (computer and
mathematical occupations), ``non-tech`` when it resolves elsewhere, ``unknown`` otherwise (counted in "all").

Caveat printed with every table: the served tagger was fine-tuned on all train resumes, so its probabilities on
the folds are more confident than on unseen text; fold figures are optimistic for tagger-dependent choices and
the dev check is the unbiased one. Re-training the tagger per fold is not done here (~150-330 s per run).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from training.extractor.data import read_dotin
from training.extractor.metric import score
from training.models.train_extractor_v1 import DEFAULT_EVAL, is_dev

FOLD_SALT = "dotin-fold:"
GROUPS = ("all", "tech", "non-tech")


def fold_of(resume_id: str, k: int) -> int:
    """The fold (0..k-1) of a dotin resume id."""
    return int(hashlib.sha256(f"{FOLD_SALT}{resume_id}".encode()).hexdigest(), 16) % k


def resume_fields(rows: Sequence[dict[str, Any]], catalog: Any) -> dict[str, str]:
    """``tech`` / ``non-tech`` / ``unknown`` per resume id (first Designation, exact title resolution, SOC 15)."""
    from careerready.core.errors import CareerReadyError
    from careerready.services.roles import RoleResolver

    from training.eval.labels import EXACT_METHODS, label_span

    resolver = RoleResolver.for_catalog(catalog)
    out: dict[str, str] = {}
    for r in rows:
        rid = str(r["id"])
        out[rid] = "unknown"
        span = label_span(r["spans"])
        if span is None:
            continue
        try:
            res = resolver.resolve(" ".join(str(span["text"]).split()))
        except CareerReadyError:
            continue
        if res.method in EXACT_METHODS:
            out[rid] = "tech" if catalog.roles[res.role_id].soc_code.startswith("15-") else "non-tech"
    return out


def _key(cfg: dict[str, Any]) -> str:
    return json.dumps(cfg, sort_keys=True)


def hybrid_strings(response: Any, *, certifications: bool = False) -> list[str]:
    """One surface per non-negated extracted skill (what the API returns), as the dotin skill metric scores them.

    Certifications (type ``certification``: PMP, CPR, RN licence) are left out unless ``certifications``: dotin's
    annotators label them ``Degree`` (25 of the 47 certifications the hybrid returns on train sit in a gold
    ``Degree`` span, 3 in a skill span), a class the shared skill metric does not score, so counting them would
    score a correct certification as a false positive. They are returned to users whatever the metric says
    (``CERT_KEEP_PROB``); ``--every-output`` reports the figure with them counted.
    """
    return [s.text for s in response.skills if not s.negated and (certifications or s.type != "certification")]


class CachedNer:
    """Memoises ``predict`` per text (tuning runs the hybrid many times over the same resumes)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.hybrid_params = getattr(inner, "hybrid_params", {})
        self._memo: dict[str, Any] = {}

    def predict(self, text: str) -> Any:
        if text not in self._memo:
            self._memo[text] = self.inner.predict(text)
        return self._memo[text]

    def predict_spans(self, text: str) -> list[tuple[int, int, float]]:
        return list(self.predict(text).spans)


class FoldNer:
    """Routes each train resume to the tagger trained without its fold (honest fold figures for the tagger).

    ``taggers[k]`` was trained by ``train_ner --exclude-fold k``; texts of no fold (dev) go to ``fallback`` (the
    served tagger, which never saw dev either). ``hybrid_params`` are the served ones.
    """

    def __init__(self, taggers: Sequence[Any], fold_of_text: dict[str, int], fallback: Any) -> None:
        self.taggers = list(taggers)
        self.fold_of_text = fold_of_text
        self.fallback = fallback
        self.hybrid_params = getattr(fallback, "hybrid_params", {})

    def predict(self, text: str) -> Any:
        k = self.fold_of_text.get(text)
        return (self.taggers[k] if k is not None else self.fallback).predict(text)

    def predict_spans(self, text: str) -> list[tuple[int, int, float]]:
        return list(self.predict(text).spans)


def fold_taggers(root: Path, rows: Sequence[dict[str, Any]], served: Any, k: int = 5) -> FoldNer:
    """:class:`FoldNer` over ``root/f<k>`` (``train_ner --exclude-fold k --no-eval``), at the served threshold."""
    from careerready.models import ner as ner_mod

    taggers = [ner_mod.load(root / f"f{f}", threshold=served.threshold) for f in range(k)]
    by_text = {str(r["text"]): fold_of(str(r["id"]), k) for r in rows if not is_dev(str(r["id"]))}
    return FoldNer(taggers, by_text, served)


class CachedGazetteer:
    """Memoises ``find_mentions`` per text (copies are returned: the hybrid annotates mentions in place)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.skills = inner.skills
        self._memo: dict[tuple[str, bool], list[Any]] = {}

    def find_mentions(self, text: str, sections: Any = None, *, annotate: bool = True) -> list[Any]:
        key = (text, annotate)
        if key not in self._memo:
            self._memo[key] = self.inner.find_mentions(text, sections, annotate=annotate)
        return [dataclasses.replace(m) for m in self._memo[key]]

    def annotate(self, text: str, mentions: list[Any]) -> None:
        self.inner.annotate(text, mentions)


def predictions(
    rows: Sequence[dict[str, Any]],
    configs: Sequence[dict[str, Any]],
    gazetteer: Any,
    ner: Any,
    catalog: Any,
    link_threshold: float = 1.01,
    embeddings: Any | None = None,
    *,
    certifications: bool = False,
) -> dict[str, dict[str, list[str]]]:
    """``{config key: {resume id: strings}}`` of the hybrid (as served: no embeddings), tagger run once per text.

    A config without ``cert_keep_prob`` gets :data:`CERT_KEEP_PROB` (``None`` there: inherit, the old rule).
    ``certifications``: score them too (see :func:`hybrid_strings`).
    """
    from careerready.pipelines.hybrid_extraction import HybridParams, extract_hybrid

    cached = ner if isinstance(ner, CachedNer) else CachedNer(ner)
    gaz = gazetteer if isinstance(gazetteer, CachedGazetteer) else CachedGazetteer(gazetteer)
    base = {"link_threshold": link_threshold, "min_span_score": 0.0, "cert_keep_prob": CERT_KEEP_PROB}
    out: dict[str, dict[str, list[str]]] = {}
    for cfg in configs:
        params = HybridParams.from_dict({**base, **cfg})
        out[_key(cfg)] = {
            str(r["id"]): hybrid_strings(
                extract_hybrid(r["text"], gaz, cached, catalog, embeddings, params=params),
                certifications=certifications,
            )
            for r in rows
        }
    return out


def fold_f1(
    rows: Sequence[dict[str, Any]], preds: dict[str, list[str]], k: int, eval_script: Path = DEFAULT_EVAL
) -> list[float]:
    """Shared F1 of each of the ``k`` folds of ``rows``."""
    return [_f1([r for r in rows if fold_of(str(r["id"]), k) == f], preds, eval_script) for f in range(k)]


# Coordinate search of the training step, in this order; a step may set several params jointly (the field
# threshold only matters together with the share of field skills a text needs for it to apply). A step marked
# ``prefer`` lists its values most-trusting first and takes the first that is not measurably worse than the
# step's best (paired over the folds: mean difference >= -1 standard error): dotin's annotators rarely label
# field skills (of 111 health/teaching/legal/trades hits the tagger missed on train, 15 matched a gold span),
# so its F1 can veto a rule that costs, not reward one that helps a nurse.
_FIELD_VALUES = tuple((fk, share) for fk in (0.0, 0.2, 0.4) for share in (0.0, 0.25, 0.4, 0.55)) + ((None, 0.0),)
SEARCH: tuple[tuple[tuple[str, ...], tuple[tuple[float | None, ...], ...], bool], ...] = (
    (("gazetteer_keep_prob",), ((0.7,), (0.5,), (0.9,)), False),
    (("skills_section_keep_prob",), ((0.7,), (0.5,), (1.01,)), False),
    (("field_keep_prob", "field_doc_share"), _FIELD_VALUES, True),
    (("soft_keep_prob",), ((None,), (0.3,), (0.9,)), False),
)
#: Every certification the gazetteer finds is returned (issue 12 item 1: a nurse's "BLS", "RN license", a
#: paralegal's bar admission), whatever the tagger thinks: a product rule, not chosen by the folds, because the
#: dotin skill metric does not score certifications (see :func:`hybrid_strings`).
CERT_KEEP_PROB = 0.0


def not_worse(trial: Sequence[float], best: Sequence[float]) -> bool:
    """Paired over folds: the mean of ``trial - best`` is at least minus its standard error."""
    diffs = [a - b for a, b in zip(trial, best, strict=True)]
    mean = statistics.fmean(diffs)
    se = statistics.stdev(diffs) / len(diffs) ** 0.5 if len(diffs) > 1 else 0.0
    return mean >= -se - 1e-12


class Search:
    """Predictions per configuration over a fixed set of resumes, memoised (configs are revisited per fold)."""

    def __init__(
        self,
        rows: Sequence[dict[str, Any]],
        gazetteer: Any,
        ner: Any,
        catalog: Any,
        *,
        k: int = 5,
        link_threshold: float = 1.01,
        embeddings: Any | None = None,
        eval_script: Path = DEFAULT_EVAL,
    ) -> None:
        self.rows = list(rows)
        self.k = k
        self.folds = [[r for r in self.rows if fold_of(str(r["id"]), k) == f] for f in range(k)]
        self.gazetteer = CachedGazetteer(gazetteer)
        self.ner = ner if isinstance(ner, CachedNer) else CachedNer(ner)
        self.catalog, self.link_threshold, self.embeddings = catalog, link_threshold, embeddings
        self.eval_script = eval_script
        self.preds: dict[str, dict[str, list[str]]] = {}
        self.f1: dict[str, list[float]] = {}

    def fold_scores(self, cfg: dict[str, Any]) -> list[float]:
        """Shared F1 of ``cfg`` on each fold."""
        key = _key(cfg)
        if key not in self.f1:
            self.preds[key] = predictions(
                self.rows, [cfg], self.gazetteer, self.ner, self.catalog, self.link_threshold, self.embeddings
            )[key]
            self.f1[key] = [_f1(fold, self.preds[key], self.eval_script) for fold in self.folds]
        return self.f1[key]

    def coordinate(self, use_folds: Sequence[int]) -> dict[str, Any]:
        """The configuration :data:`SEARCH` reaches when each step maximises the mean F1 over ``use_folds``."""
        use = list(use_folds)
        cfg: dict[str, Any] = {}
        for names, values, prefer in SEARCH:
            cfg.update(dict(zip(names, values[-1] if prefer else values[0], strict=True)))

        def on(c: dict[str, Any]) -> list[float]:
            scores = self.fold_scores(c)
            return [scores[f] for f in use]

        for names, values, prefer in SEARCH:
            trials = [{**cfg, **dict(zip(names, v, strict=True))} for v in values]
            best = max(trials, key=lambda c: (statistics.fmean(on(c)), -trials.index(c)))
            if statistics.fmean(on(best)) < statistics.fmean(on(cfg)) + 1e-9:
                best = cfg  # ties keep the current (served-like) value
            if prefer:
                best = next(c for c in trials if c == best or not_worse(on(c), on(best)))
            cfg = best
        return cfg


def select_params(
    rows: Sequence[dict[str, Any]],
    gazetteer: Any,
    ner: Any,
    catalog: Any,
    *,
    k: int = 5,
    link_threshold: float = 1.01,
    embeddings: Any | None = None,
    eval_script: Path = DEFAULT_EVAL,
) -> dict[str, Any]:
    """Coordinate search over :data:`SEARCH`, each value chosen by mean fold F1 over ``rows`` (``k`` folds).

    Returns the chosen params (``None`` = inherit, dropped), their fold F1 and every trial's fold F1.
    """
    search = Search(
        rows,
        gazetteer,
        ner,
        catalog,
        k=k,
        link_threshold=link_threshold,
        embeddings=embeddings,
        eval_script=eval_script,
    )
    cfg = search.coordinate(range(k))
    m, sd = _mean_sd(search.fold_scores(cfg))
    chosen = {n: v for n, v in cfg.items() if v is not None} | {"cert_keep_prob": CERT_KEEP_PROB}
    return {
        "params": {"link_threshold": link_threshold, "min_span_score": 0.0, **chosen},
        "config": cfg,
        "fold_f1": [round(x, 4) for x in search.fold_scores(cfg)],
        "fold_f1_mean": round(m, 4),
        "fold_f1_sd": round(sd, 4),
        "trials": {key: [round(x, 4) for x in v] for key, v in search.f1.items()},
        "search": search,
    }


def _f1(rows: Sequence[dict[str, Any]], preds: dict[str, list[str]], eval_script: Path) -> float:
    return float(score(list(rows), preds, eval_script)["f1"]) if rows else float("nan")


def _mean_sd(xs: Sequence[float]) -> tuple[float, float]:
    xs = [x for x in xs if x == x]
    if not xs:
        return float("nan"), float("nan")
    return statistics.fmean(xs), statistics.stdev(xs) if len(xs) > 1 else 0.0


def cross_validate(
    rows: Sequence[dict[str, Any]],
    fields: dict[str, str],
    preds: dict[str, dict[str, list[str]]],
    k: int,
    served_key: str,
    eval_script: Path = DEFAULT_EVAL,
    nested: Sequence[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Per-fold F1 (all / tech / non-tech) of every config, of the served one and of the nested selection.

    ``nested``: the configuration chosen without each fold (one per fold; default: the best single config of
    ``preds`` on the other folds).
    """
    folds = [[r for r in rows if fold_of(str(r["id"]), k) == f] for f in range(k)]

    def sub(rs: Sequence[dict[str, Any]], group: str) -> list[dict[str, Any]]:
        return [r for r in rs if group == "all" or fields.get(str(r["id"])) == group]

    per_cfg: dict[str, dict[str, list[float]]] = {
        key: {g: [_f1(sub(folds[f], g), p, eval_script) for f in range(k)] for g in GROUPS} for key, p in preds.items()
    }
    by_group: dict[str, list[float]] = {g: [] for g in GROUPS}
    chosen: list[str] = []
    for f in range(k):
        if nested is not None:
            best = _key(nested[f])
        else:
            others = [r for j in range(k) if j != f for r in folds[j]]
            best = max(preds, key=lambda key: (_f1(others, preds[key], eval_script), key == served_key))
        chosen.append(best)
        for g in GROUPS:
            by_group[g].append(per_cfg[best][g][f])
    ranking = sorted(per_cfg, key=lambda key: -_mean_sd(per_cfg[key]["all"])[0])
    return {
        "k": k,
        "fold_sizes": {g: [len(sub(folds[f], g)) for f in range(k)] for g in GROUPS},
        "per_config": per_cfg,
        "nested": by_group,
        "nested_chosen": chosen,
        "served": served_key,
        "select": ranking[0],
        "ranking": ranking,
    }


def _row(name: str, by_group: dict[str, list[float]]) -> str:
    cells = []
    for g in GROUPS:
        m, s = _mean_sd(by_group[g])
        cells.append(f"{m:.3f} ± {s:.3f}")
    return f"| {name} | " + " | ".join(cells) + " |"


def _label(key: str) -> str:
    """A configuration key for a table: the trusted list as its length."""
    cfg = json.loads(key)
    if "trusted_skills" in cfg:
        cfg["trusted_skills"] = f"<{len(cfg['trusted_skills'])} ids>"
    return json.dumps(cfg, sort_keys=True)


def report(cv: dict[str, Any], check: dict[str, Any] | None = None) -> str:
    """Markdown tables of a :func:`cross_validate` result (and the dev check, when run)."""
    k = cv["k"]
    sizes = ", ".join(f"{g} {sum(v)}" for g, v in cv["fold_sizes"].items())
    lines = [
        f"{k}-fold CV over the dotin train resumes ({sizes}); shared metric; F1 mean ± sd over folds.",
        "Caveat: the served tagger was trained on these resumes, so fold F1 is optimistic; the dev check is not."
        if not cv.get("fold_taggers")
        else "Each fold tagged by a tagger trained without it (train_ner --exclude-fold): honest for the tagger too.",
        "",
        "| configuration | all | tech | non-tech |",
        "|---|---|---|---|",
        _row(
            "served hybrid.json"
            + (" (trusted list learned on these folds: optimistic)" if "trusted_skills" in cv["served"] else ""),
            cv["per_config"][cv["served"]],
        ),
        _row("nested selection (chosen on the other folds)", cv["nested"]),
        _row(f"selected `{cv['select']}`", cv["per_config"][cv["select"]]),
        *(_row(name, per) for name, per in cv.get("every_output", {}).items()),
    ]
    lines += ["", "Top 8 fixed configurations by mean fold F1 (all):", "", "| configuration | all | tech | non-tech |"]
    lines.append("|---|---|---|---|")
    lines += [_row(f"`{_label(key)}`", cv["per_config"][key]) for key in cv["ranking"][:8]]
    if check:
        lines += ["", "Final check, dotin dev split (never trained or chosen on):", ""]
        lines += ["| configuration | group | resumes | P | R | F1 |", "|---|---|---|---|---|---|"]
        for name, res in check.items():
            for g, m in res.items():
                lines.append(f"| {name} | {g} | {m['n']} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} |")
    return "\n".join(lines)


def load_parts(artifacts: Path, catalog_dir: Path | None) -> tuple[Any, Any, Any]:
    """``(gazetteer, ner, catalog)`` as the extract stage loads them from an artifacts dir."""
    from careerready.models import extractor as gaz_mod
    from careerready.models import ner as ner_mod
    from careerready.services.catalog import Catalog

    cat_dir = catalog_dir if catalog_dir is not None else artifacts / "catalog" / "v1"
    return gaz_mod.load(artifacts / "extractor" / "v1"), ner_mod.load(artifacts / "ner" / "v1"), Catalog.load(cat_dir)


def run_cv(
    dotin: Path, gazetteer: Any, ner: Any, catalog: Any, k: int = 5, eval_script: Path = DEFAULT_EVAL
) -> dict[str, Any]:
    """CV over the train split: the served params, the nested selection and every configuration searched."""
    from careerready.pipelines.hybrid_extraction import QUIET_KEYS

    rows = [r for r in read_dotin(dotin) if not is_dev(str(r["id"]))]
    fields = resume_fields(rows, catalog)
    names = [n for group, _, _ in SEARCH for n in group]
    served = {n: ner.hybrid_params.get(n) for n in names}
    if served.get("field_doc_share") is None:
        served["field_doc_share"] = 0.0
    served["cert_keep_prob"] = ner.hybrid_params.get("cert_keep_prob")
    # the trusted list (training.extractor.trust) rides along so --check scores what is served; it was learned on
    # these folds' labels, so the served fold row is optimistic when it is present (its honest figure: trust.py)
    served |= {
        k: ner.hybrid_params[k] for k in ("trusted_keep_prob", "trusted_skills", *QUIET_KEYS) if k in ner.hybrid_params
    }
    sel = select_params(rows, gazetteer, ner, catalog, k=k, eval_script=eval_script)
    search: Search = sel["search"]
    search.fold_scores(served)
    nested_cfgs = [search.coordinate([j for j in range(k) if j != f]) for f in range(k)]
    # the same two configurations with certifications counted as skills (what dotin's skill labels call them)
    every_preds = {
        f"{name} (certifications counted)": predictions(
            rows, [cfg], search.gazetteer, search.ner, catalog, certifications=True
        )[_key(cfg)]
        for name, cfg in (("served hybrid.json", served), ("selected", sel["config"]))
    }
    every = cross_validate(rows, fields, every_preds, k, next(iter(every_preds)), eval_script)["per_config"]
    return cross_validate(rows, fields, search.preds, k, _key(served), eval_script, nested=nested_cfgs) | {
        "select": _key(sel["config"]),
        "every_output": every,
    }


def dev_check(
    dotin: Path, configs: dict[str, dict[str, Any]], gazetteer: Any, ner: Any, catalog: Any, eval_script: Path
) -> dict[str, Any]:
    """Shared P/R/F1 per field group on the dev split for each named configuration."""
    rows = [r for r in read_dotin(dotin) if is_dev(str(r["id"]))]
    fields = resume_fields(rows, catalog)
    preds = predictions(rows, list(configs.values()), gazetteer, ner, catalog)
    out: dict[str, Any] = {}
    for name, cfg in configs.items():
        p = preds[_key(cfg)]
        out[name] = {}
        for g in GROUPS:
            rs = [r for r in rows if g == "all" or fields.get(str(r["id"])) == g]
            out[name][g] = {**score(rs, p, eval_script), "n": len(rs)}
    return out


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    ap = argparse.ArgumentParser(prog="python -m training.extractor.cv", description=__doc__.split("\n\n")[0])
    ap.add_argument("--dotin", type=Path, required=True)
    ap.add_argument("--artifacts", type=Path, default=Path("artifacts"))
    ap.add_argument("--catalog", type=Path, default=None, help="default: <artifacts>/catalog/v1")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--eval-script", type=Path, default=DEFAULT_EVAL)
    ap.add_argument("--out", type=Path, default=Path("build/eval/cv"))
    ap.add_argument("--check", action="store_true", help="score the selected and served configs on the dev split")
    ap.add_argument(
        "--fold-taggers",
        type=Path,
        default=None,
        help="dir of per-fold taggers f0..f<k-1> (train_ner --exclude-fold k): each fold is tagged by the tagger "
        "that never saw it, instead of the served tagger trained on every train resume",
    )
    args = ap.parse_args(argv)
    from careerready.core.observability import logger

    logger.setLevel("WARNING")
    gazetteer, ner, catalog = load_parts(args.artifacts, args.catalog)
    served_ner = ner
    if args.fold_taggers is not None:
        ner = fold_taggers(args.fold_taggers, read_dotin(args.dotin), ner, args.folds)
    cv = run_cv(args.dotin, gazetteer, ner, catalog, args.folds, args.eval_script)
    cv["fold_taggers"] = str(args.fold_taggers) if args.fold_taggers is not None else None
    check = None
    if args.check:
        configs = {"served": json.loads(cv["served"]), "selected": json.loads(cv["select"])}
        check = dev_check(args.dotin, configs, gazetteer, served_ner, catalog, args.eval_script)
    text = report(cv, check)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "cv.md").write_text(text + "\n", encoding="utf-8")
    (args.out / "cv.json").write_text(json.dumps({"cv": cv, "check": check}, indent=1), encoding="utf-8")
    print(text)  # noqa: T201 - a CLI report
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
