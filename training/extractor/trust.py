"""Trusted skills: gazetteer hits kept in prose where the tagger is unsure, chosen on dotin AND SkillSpan folds.

    python -m training.extractor.trust --dotin ../shared/data/dotin-resume-ner --skillspan ../shared/data/skillspan \\
        --artifacts artifacts --fold-taggers build/cv-ner [--out build/eval/trust] [--write]

The hybrid drops a gazetteer hit the tagger did not tag unless the tagger's skill probability over it clears a
threshold (0.5 in prose): the tagger learned from dotin resumes, whose labels sit mostly in skills sections, so
"Manage the pipeline and forecasts in Salesforce" gives nothing. Here every such hit ("candidate") is labelled
right or wrong with the shared metric's rule (its token set equals or contains / is contained in a gold string of
its document) on two labelled corpora: the dotin train resumes (each fold tagged by the tagger that never saw it,
``cv.fold_taggers``) and the SkillSpan TRAIN postings (the served tagger never saw SkillSpan). A catalog skill is
*trusted* when its candidates were mostly right: the estimate ``(right + a * prior) / (n + a)``, ``prior`` the
candidate precision of its catalog category (Laplace-smoothed), is at least ``q``; skills never seen as a candidate
are not trusted. A trusted skill's hit is kept when the tagger's probability over it is at least ``p_min``
(``HybridParams.trusted_keep_prob``).

Selection (``a``, ``q``, ``p_min``): 5 folds of each corpus (dotin: ``cv.fold_of``; SkillSpan docs:
``sha256("skillspan-fold:" + id) % 5``). For fold ``f`` the trusted list is learned from the candidates of the other
folds of BOTH corpora and the hybrid is scored on fold ``f`` of each: dotin F1 as ``cv`` scores it (one surface per
skill, certifications left out), SkillSpan relaxed F1 as ``skillspan_eval`` scores it (every non-negated mention).
Objective: the mean of the two corpora's mean fold F1, among configurations whose dotin mean fold F1 is at most
``sd / 5`` below the configuration without trust (``sd`` = its dotin fold sd). The final list is learned from every
candidate of both corpora with the chosen ``a`` and ``q``; ``--write`` adds it to
``data/extraction/hybrid_selection.json`` (``make train`` copies those params into ``hybrid.json``).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from careerready.pipelines.hybrid_extraction import HybridParams

from training.extractor.metric import metric_module, score
from training.models.train_extractor_v1 import DEFAULT_EVAL

SKILLSPAN_SALT = "skillspan-fold:"
CORPORA = ("dotin", "skillspan")
#: (prior weight a, estimated precision q, tagger probability p_min) searched; ``None`` = no trust (baseline).
GRID: tuple[tuple[float, float, float] | None, ...] = (None,) + tuple(
    (a, q, p) for a in (2.0,) for q in (0.5, 0.6, 0.7) for p in (0.0, 0.1, 0.15, 0.2, 0.3)
)
TRUST_KEYS = ("trusted_keep_prob", "trusted_skills")


@dataclass(frozen=True)
class Candidate:
    """A gazetteer hit the tagger did not tag (before any trust rule), right or wrong against the gold."""

    corpus: str
    doc: str
    fold: int
    skill_id: str
    category: str
    prob: float
    correct: bool


@dataclass(frozen=True)
class _Recorder(HybridParams):
    """Served params that note every gazetteer hit reaching the keep decision (the candidates)."""

    seen: list[tuple[Any, float]] = dataclasses.field(default_factory=list, compare=False)

    def keeps(self, mention: Any, group: str, field_share: float, prob: float, quiet: bool = False) -> bool:
        self.seen.append((mention, prob))
        return super().keeps(mention, group, field_share, prob, quiet)


def skillspan_fold(doc_id: str, k: int = 5) -> int:
    """The fold (0..k-1) of a SkillSpan doc id."""
    return int(hashlib.sha256(f"{SKILLSPAN_SALT}{doc_id}".encode()).hexdigest(), 16) % k


@dataclass
class Corpus:
    """Labelled docs of one corpus as the shared metric reads them (``id``, ``text``, ``spans``) and their folds."""

    name: str
    rows: list[dict[str, Any]]
    folds: dict[str, int]


def candidates(
    corpus: Corpus, gazetteer: Any, ner: Any, catalog: Any, params: HybridParams, eval_script: Path = DEFAULT_EVAL
) -> list[Candidate]:
    """Every gazetteer hit of ``corpus`` the tagger did not tag, labelled with the shared metric's match rule."""
    from careerready.pipelines.hybrid_extraction import hybrid_mentions

    from training.extractor.data import SKILL_LABELS

    m = metric_module(eval_script)
    out: list[Candidate] = []
    for r in corpus.rows:
        rec = _Recorder(**{f.name: getattr(params, f.name) for f in dataclasses.fields(HybridParams)})
        hybrid_mentions(r["text"], gazetteer, ner, catalog, None, rec)
        gold = {m.toks(s["text"]) for s in r["spans"] if s["label"] in SKILL_LABELS} - {frozenset()}
        for mention, prob in rec.seen:
            skill = catalog.skills.get(mention.skill_id)
            toks = m.toks(mention.text)
            out.append(
                Candidate(
                    corpus=corpus.name,
                    doc=str(r["id"]),
                    fold=corpus.folds[str(r["id"])],
                    skill_id=mention.skill_id,
                    category=str(getattr(skill, "category", "")),
                    prob=round(prob, 4),
                    correct=any(m.match(toks, g) for g in gold),
                )
            )
    return out


def trusted_skills(cands: Sequence[Candidate], a: float, q: float) -> list[str]:
    """Skill ids whose candidates' precision, shrunk toward their category's by weight ``a``, is at least ``q``."""
    by_skill: dict[str, list[int]] = {}
    by_cat: dict[str, list[int]] = {}
    category: dict[str, str] = {}
    for c in cands:
        for table, key in ((by_skill, c.skill_id), (by_cat, c.category)):
            counts = table.setdefault(key, [0, 0])
            counts[0] += 1
            counts[1] += int(c.correct)
        category[c.skill_id] = c.category
    out = []
    for sid, (n, right) in by_skill.items():
        cn, cr = by_cat[category[sid]]
        prior = (cr + 1) / (cn + 2)
        if (right + a * prior) / (n + a) >= q:
            out.append(sid)
    return sorted(out)


def _strings(corpus: str, response: Any) -> list[str]:
    from training.extractor.cv import hybrid_strings

    if corpus == "dotin":
        return hybrid_strings(response)  # one surface per skill, certifications left out (cv's dotin scoring)
    return [m.text for s in response.skills for m in s.mentions if not m.negated]  # skillspan_eval's relaxed row


def fold_scores(
    corpora: Sequence[Corpus],
    cands: Sequence[Candidate],
    cfg: tuple[float, float, float] | None,
    gazetteer: Any,
    ner: Any,
    catalog: Any,
    params: HybridParams,
    k: int = 5,
    eval_script: Path = DEFAULT_EVAL,
) -> dict[str, Any]:
    """Per corpus, the shared F1 of each fold with the trusted list learned on the other folds of every corpus."""
    from careerready.pipelines.hybrid_extraction import extract_hybrid

    per_fold = []
    for f in range(k):
        if cfg is None:
            per_fold.append(params)
            continue
        a, q, p_min = cfg
        trusted = trusted_skills([c for c in cands if c.fold != f], a, q)
        per_fold.append(dataclasses.replace(params, trusted_skills=frozenset(trusted), trusted_keep_prob=p_min))
    out: dict[str, Any] = {}
    for corpus in corpora:
        preds = {
            str(r["id"]): _strings(
                corpus.name,
                extract_hybrid(r["text"], gazetteer, ner, catalog, params=per_fold[corpus.folds[str(r["id"])]]),
            )
            for r in corpus.rows
        }
        out[corpus.name] = [
            float(score([r for r in corpus.rows if corpus.folds[str(r["id"])] == f], preds, eval_script)["f1"])
            for f in range(k)
        ]
        out[corpus.name + "_preds"] = preds
    return out


def select(results: dict[str, dict[str, Any]]) -> str:
    """The configuration with the best combined objective whose dotin fold F1 is within sd/5 of the baseline's."""
    base = results["none"]["dotin"]
    floor = statistics.fmean(base) - statistics.stdev(base) / 5
    ok = [key for key, res in results.items() if statistics.fmean(res["dotin"]) >= floor - 1e-12]
    return max(ok, key=lambda key: (combined(results[key]), key == "none"))


def combined(res: dict[str, Any]) -> float:
    """The objective: mean over the two corpora of the mean fold F1."""
    return statistics.fmean(statistics.fmean(res[c]) for c in CORPORA)


def _name(cfg: tuple[float, float, float] | None) -> str:
    return "none" if cfg is None else f"a={cfg[0]:g} q={cfg[1]:g} p_min={cfg[2]:g}"


def load_corpora(dotin: Path, skillspan: Path, k: int = 5) -> list[Corpus]:
    """dotin train resumes and SkillSpan train postings with their folds."""
    from training.extractor.cv import fold_of
    from training.extractor.data import read_dotin, skillspan_docs
    from training.extractor.skillspan_eval import gold_rows
    from training.models.train_extractor_v1 import is_dev

    rows = [r for r in read_dotin(dotin) if not is_dev(str(r["id"]))]
    docs = gold_rows(skillspan_docs(skillspan / "json" / "train.json"))
    return [
        Corpus("dotin", rows, {str(r["id"]): fold_of(str(r["id"]), k) for r in rows}),
        Corpus("skillspan", docs, {str(d["id"]): skillspan_fold(str(d["id"]), k) for d in docs}),
    ]


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    ap = argparse.ArgumentParser(prog="python -m training.extractor.trust", description=__doc__.split("\n\n")[0])
    ap.add_argument("--dotin", type=Path, required=True)
    ap.add_argument("--skillspan", type=Path, required=True)
    ap.add_argument("--artifacts", type=Path, default=Path("artifacts"))
    ap.add_argument("--fold-taggers", type=Path, required=True, help="train_ner --exclude-fold k taggers f0..f4")
    ap.add_argument("--out", type=Path, default=Path("build/eval/trust"))
    ap.add_argument("--selection", type=Path, default=Path("data/extraction/hybrid_selection.json"))
    ap.add_argument("--write", action="store_true", help="add the chosen trusted list to --selection")
    args = ap.parse_args(argv)
    from careerready.core.observability import logger

    from training.extractor.cv import CachedGazetteer, CachedNer, fold_taggers, load_parts, resume_fields
    from training.extractor.data import read_dotin

    logger.setLevel("WARNING")
    gaz, served, catalog = load_parts(args.artifacts, None)
    base = {k: v for k, v in served.hybrid_params.items() if k not in TRUST_KEYS}
    params = HybridParams.from_dict(base)
    ner = CachedNer(fold_taggers(args.fold_taggers, read_dotin(args.dotin), served))  # SkillSpan: served tagger
    cgaz = CachedGazetteer(gaz)
    corpora = load_corpora(args.dotin, args.skillspan)
    cands = [c for corpus in corpora for c in candidates(corpus, cgaz, ner, catalog, params)]
    results = {_name(cfg): fold_scores(corpora, cands, cfg, cgaz, ner, catalog, params) for cfg in GRID}
    best = select(results)
    cfg = next(c for c in GRID if _name(c) == best)
    dotin = corpora[0]
    fields = resume_fields(dotin.rows, catalog)
    lines = [
        "Candidates (gazetteer hits the tagger did not tag): "
        + ", ".join(
            f"{c} {sum(x.corpus == c for x in cands)} ({sum(x.correct for x in cands if x.corpus == c)} right)"
            for c in CORPORA
        ),
        "",
        "| configuration | dotin folds F1 | dotin tech | dotin non-tech | SkillSpan train folds F1 (relaxed) | combined |",
        "|---|---|---|---|---|---|",
    ]
    for key, res in results.items():
        groups = []
        for g in ("tech", "non-tech"):
            fs = [
                float(
                    score(
                        [r for r in dotin.rows if dotin.folds[str(r["id"])] == f and fields.get(str(r["id"])) == g],
                        res["dotin_preds"],
                    )["f1"]
                )
                for f in range(5)
            ]
            groups.append(f"{statistics.fmean(fs):.3f} ± {statistics.stdev(fs):.3f}")
        d, s = res["dotin"], res["skillspan"]
        mark = "**" if key == best else ""
        lines.append(
            f"| {mark}{key}{mark} | {statistics.fmean(d):.4f} ± {statistics.stdev(d):.4f} | {groups[0]} | {groups[1]} "
            f"| {statistics.fmean(s):.4f} ± {statistics.stdev(s):.4f} | {combined(res):.4f} |"
        )
    chosen: dict[str, Any] = {"trusted_keep_prob": None, "trusted_skills": []}
    if cfg is not None:
        chosen = {"trusted_keep_prob": cfg[2], "trusted_skills": trusted_skills(cands, cfg[0], cfg[1])}
    lines += ["", f"Chosen: {best}; {len(chosen['trusted_skills'])} trusted skills (learned on every candidate)."]
    text = "\n".join(lines)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "trust.md").write_text(text + "\n", encoding="utf-8")
    record: dict[str, Any] = {
        key: {c: [round(x, 4) for x in res[c]] for c in CORPORA} for key, res in results.items()
    } | {"chosen": best, **chosen}
    (args.out / "trust.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    if args.write:
        sel = json.loads(args.selection.read_text(encoding="utf-8"))
        sel["params"] = {k: v for k, v in sel["params"].items() if k not in TRUST_KEYS}
        if cfg is not None:
            sel["params"] |= chosen
        sel["trust"] = {
            "chosen": best,
            "dotin_fold_f1": record[best]["dotin"],
            "skillspan_train_fold_f1": record[best]["skillspan"],
            "baseline_dotin_fold_f1": record["none"]["dotin"],
            "baseline_skillspan_train_fold_f1": record["none"]["skillspan"],
            "about": "trusted_skills / trusted_keep_prob: python -m training.extractor.trust (docs/extraction.md, "
            "'Round 4')",
        }
        args.selection.write_text(json.dumps(sel, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(text)  # noqa: T201 - a CLI report
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
