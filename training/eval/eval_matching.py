"""Role-matching evaluation on real resumes: the project's ranking vs a TF-IDF baseline.

Usage (from the repo root)::

    python -m training.eval.eval_matching --dotin ../shared/data/dotin-resume-ner \\
        [--artifacts artifacts] [--out build/eval/matching] [--limit N]

Labels come from dotin ``Designation`` spans (rule in :mod:`training.eval.labels`); every designation
is blanked from the text before ranking. Each kept resume is ranked over every catalog role by

* ``project``: the serving path (``extract`` stage, then
  :func:`careerready.services.analysis.rank_roles` with the text and the extracted years, through the
  in-process stage client, as ``analyze`` does), and
* ``tfidf``: cosine between TF-IDF vectors of the resume and of each role's title + alt titles +
  description + skill names (``TfidfVectorizer`` fitted on the role documents and the resumes).

With the O*NET occupations in the catalog (docs/occupations.md) a role id is a strict target (a curated role and
its occupation are different ids), so the report also scores each ranking at two coarser levels, per field (gold
SOC major group 15 = ``tech``, any other = ``non-tech``): **occupation** (a ranked role's SOC code equals the gold
role's: ``software-engineer`` and ``onet-15-1252-00`` are both 15-1252.00) and **SOC minor group** (SOC 2018,
``15-1200``). The project ranking returns its best ``RANK_DEPTH`` roles (the serving shortlist), so its MRR is MRR@10.

Every table is also given per half of a fixed split of the labelled resumes (:func:`is_selection`): the
project's ranking weights were chosen on the selection half, so the report half is the honest figure.

Writes ``report.md`` (also printed), ``metrics.json`` and ``predictions.jsonl`` (ids, labels and
ranked role ids only, no resume text) into ``--out``. Same inputs -> same bytes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from careerready.services.catalog import Catalog, Role
from careerready.services.roles import RoleResolver

from training.eval.labels import (
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_MIN_MARGIN,
    LabelDecision,
    decide_label,
    designation_spans,
    mask_text,
)

__all__ = [
    "Example",
    "EvalResult",
    "build_examples",
    "evaluate",
    "is_selection",
    "load_dotin",
    "main",
    "project_ranker",
    "render_report",
    "role_document",
    "tfidf_rank",
    "topk_accuracy",
]

TOP_KS = (1, 3)
#: Roles the project ranking returns per resume (the match stage's shortlist; the rest are ranked but not matched).
RANK_DEPTH = 10
#: Design choices of the project ranking (e.g. EMBEDDING_WEIGHT) were made on this half only; the other is "report".
SPLIT_SALT = "sel"


def is_selection(resume_id: str) -> bool:
    """Fixed half split of the labelled resumes: sha256("sel:<id>") first byte < 128 -> selection half."""
    import hashlib

    return hashlib.sha256(f"{SPLIT_SALT}:{resume_id}".encode()).digest()[0] < 128


@dataclass(frozen=True)
class Example:
    """One labelled resume, designation-free."""

    resume_id: str
    text: str
    gold: str
    designation: str
    method: str


@dataclass
class EvalResult:
    """Everything the report is made of."""

    examples: list[Example]
    decisions: list[LabelDecision]
    rankings: dict[str, list[list[str]]]
    families: dict[str, str]
    params: dict[str, Any] = field(default_factory=dict)
    #: role id -> O*NET-SOC code ("" when unknown): scores the rankings at occupation / SOC minor-group level
    soc: dict[str, str] = field(default_factory=dict)

    def levels(self) -> dict[str, Any]:
        """Top-k at occupation and SOC minor-group level, overall / per field / per half, for every system."""
        from careerready.services.catalog import soc_minor_group

        out: dict[str, Any] = {}
        golds = [self.soc.get(e.gold, "") for e in self.examples]
        fields = ["tech" if g.startswith("15-") else "non-tech" for g in golds]
        sel = [is_selection(e.resume_id) for e in self.examples]
        for name, ranked in self.rankings.items():
            sys_out: dict[str, Any] = {}
            for level, key in (("occupation", lambda c: c), ("minor_group", soc_minor_group)):
                gold = [key(g) for g in golds]
                pred = [[key(self.soc.get(r, "")) for r in rk] for rk in ranked]
                groups: dict[str, list[int]] = {"all": list(range(len(gold)))}
                for i, (f, s) in enumerate(zip(fields, sel, strict=True)):
                    groups.setdefault(f, []).append(i)
                    groups.setdefault("selection" if s else "report", []).append(i)
                sys_out[level] = {
                    g: {
                        "n": len(idx),
                        **{f"top{k}": topk_accuracy([gold[i] for i in idx], [pred[i] for i in idx], k) for k in TOP_KS},
                    }
                    for g, idx in sorted(groups.items())
                }
            out[name] = sys_out
        return out

    def metrics(self) -> dict[str, Any]:
        """Accuracies, exclusions, confusions and per-family accuracy as a JSON-ready dict."""
        gold = [e.gold for e in self.examples]
        excluded = Counter(d.reason for d in self.decisions if d.role_id is None)
        out: dict[str, Any] = {
            "n_resumes": len(self.decisions),
            "n_evaluated": len(self.examples),
            "n_excluded": sum(excluded.values()),
            "excluded_by_reason": dict(sorted(excluded.items())),
            "label_methods": dict(sorted(Counter(e.method for e in self.examples).items())),
            "n_gold_roles": len(set(gold)),
            "majority": _majority(gold),
            "systems": {},
            "levels": self.levels() if self.soc else {},
        }
        sel = [is_selection(e.resume_id) for e in self.examples]
        for name, ranked in self.rankings.items():
            halves = {}
            for half, flag in (("selection", True), ("report", False)):
                g = [x for x, f in zip(gold, sel, strict=True) if f == flag]
                r = [x for x, f in zip(ranked, sel, strict=True) if f == flag]
                halves[half] = {"n": len(g), **{f"top{k}": topk_accuracy(g, r, k) for k in TOP_KS}, "mrr": _mrr(g, r)}
            out["systems"][name] = {
                **{f"top{k}": topk_accuracy(gold, ranked, k) for k in TOP_KS},
                "mrr": _mrr(gold, ranked),
                "halves": halves,
                "confusions": _confusions(gold, ranked),
                "per_family": _per_family(gold, ranked, self.families),
            }
        return out


def load_dotin(path: Path) -> list[dict[str, Any]]:
    """Read dotin ``train.jsonl`` (``path`` may be the folder or the file)."""
    file = path / "train.jsonl" if path.is_dir() else path
    with file.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def build_examples(
    records: Sequence[Mapping[str, Any]],
    resolver: RoleResolver,
    *,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    min_margin: float = DEFAULT_MIN_MARGIN,
    mask_repeats: bool = True,
) -> tuple[list[Example], list[LabelDecision]]:
    """Label each record and blank its designations; returns (kept examples, every decision)."""
    examples: list[Example] = []
    decisions: list[LabelDecision] = []
    for rec in records:
        rid = str(rec["id"])
        spans = designation_spans(rec.get("spans", []))
        d = decide_label(rid, spans, resolver, min_confidence=min_confidence, min_margin=min_margin)
        decisions.append(d)
        if d.role_id is not None:
            text = mask_text(str(rec["text"]), spans, repeats=mask_repeats)
            examples.append(Example(rid, text, d.role_id, d.designation, d.method))
    return examples, decisions


def role_document(role: Role, catalog: Catalog) -> str:
    """The baseline's text for a role: title, alt titles, description and skill names."""
    names = [catalog.skills[s.skill_id].name if s.skill_id in catalog.skills else s.skill_id for s in role.skills]
    return "\n".join([role.title, *role.alt_titles, role.description, *names])


def tfidf_rank(texts: Sequence[str], role_ids: Sequence[str], role_docs: Sequence[str]) -> list[list[str]]:
    """Rank ``role_ids`` for each text by TF-IDF cosine (ties broken by role id).

    The vectoriser (word unigrams + bigrams, sublinear tf, English stop words) is fitted on the role
    documents and the texts together; it is deterministic.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(
        lowercase=True,
        ngram_range=(1, 2),
        sublinear_tf=True,
        stop_words="english",
        token_pattern=r"(?u)\b[\w+#.]*\w[+#]*",
    )
    matrix = vec.fit_transform([*role_docs, *texts])
    roles_m, texts_m = matrix[: len(role_docs)], matrix[len(role_docs) :]
    sims = np.asarray((texts_m @ roles_m.T).todense())
    order_ids = np.argsort(np.asarray(role_ids))  # tie-break: alphabetical role id
    out: list[list[str]] = []
    for row in sims:
        # lexsort: last key is primary -> by -score, then by role id rank
        rank_of_id = np.empty(len(role_ids), dtype=int)
        rank_of_id[order_ids] = np.arange(len(role_ids))
        idx = np.lexsort((rank_of_id, -np.round(row, 10)))
        out.append([role_ids[i] for i in idx])
    return out


def project_ranker(artifacts: Path) -> tuple[Callable[[str], list[str]], Catalog, dict[str, str]]:
    """The serving ranking: extract stage, then ``rank_roles`` over every catalog role.

    Returns:
        ``(rank(text) -> role ids best first, catalog, model versions)``.
    """
    from careerready.schemas.extraction import ExtractResponse
    from careerready.services.analysis import rank_roles
    from careerready.services.transport import InProcessTransport

    client = InProcessTransport.from_artifacts(artifacts)
    models_for = client.models

    catalog: Catalog = models_for("match").catalog
    role_ids = sorted(catalog.roles)
    versions: dict[str, str] = {}

    def rank(text: str) -> list[str]:
        body = client.call("extract", {"text": text})
        versions.update({str(k): str(v) for k, v in (body.pop("model_versions", None) or {}).items()})
        body.pop("stage_ms", None)
        extracted = ExtractResponse.model_validate(body)
        # as analyze does: the extractor's years estimate, and the text for the ranking score
        matches = rank_roles(
            extracted.skills, client, role_ids, extracted.years_experience, versions, top_n=RANK_DEPTH, text=text
        )
        return [m.role_id for m in matches]

    return rank, catalog, versions


def topk_accuracy(gold: Sequence[str], ranked: Sequence[Sequence[str]], k: int) -> float:
    """Share of examples whose gold role is among the first ``k`` ranked roles."""
    if not gold:
        return 0.0
    return round(sum(g in r[:k] for g, r in zip(gold, ranked, strict=True)) / len(gold), 4)


def _majority(gold: Sequence[str]) -> dict[str, Any]:
    """Reference: always answer the most frequent gold role (ties by id); top-1 = its share."""
    if not gold:
        return {"role_id": None, "top1": 0.0}
    role, count = sorted(Counter(gold).items(), key=lambda kv: (-kv[1], kv[0]))[0]
    return {"role_id": role, "top1": round(count / len(gold), 4)}


def _mrr(gold: Sequence[str], ranked: Sequence[Sequence[str]]) -> float:
    if not gold:
        return 0.0
    total = sum(1.0 / (list(r).index(g) + 1) if g in r else 0.0 for g, r in zip(gold, ranked, strict=True))
    return round(total / len(gold), 4)


def _confusions(gold: Sequence[str], ranked: Sequence[Sequence[str]], n: int = 10) -> list[dict[str, Any]]:
    pairs = Counter((g, r[0]) for g, r in zip(gold, ranked, strict=True) if r and r[0] != g)
    top = sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return [{"gold": g, "predicted": p, "count": c} for (g, p), c in top]


def _per_family(gold: Sequence[str], ranked: Sequence[Sequence[str]], families: Mapping[str, str]) -> dict[str, Any]:
    by: dict[str, list[tuple[str, Sequence[str]]]] = {}
    for g, r in zip(gold, ranked, strict=True):
        by.setdefault(families.get(g, "?"), []).append((g, r))
    return {
        fam: {
            "n": len(items),
            "top1": topk_accuracy([g for g, _ in items], [r for _, r in items], 1),
            "top3": topk_accuracy([g for g, _ in items], [r for _, r in items], 3),
        }
        for fam, items in sorted(by.items())
    }


def evaluate(
    records: Sequence[Mapping[str, Any]],
    catalog: Catalog,
    project: Callable[[str], list[str]] | None,
    *,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    min_margin: float = DEFAULT_MIN_MARGIN,
    mask_repeats: bool = True,
) -> EvalResult:
    """Label, mask and rank ``records`` with the project (when given) and the TF-IDF baseline."""
    resolver = RoleResolver.for_catalog(catalog)  # no embedding fallback: labels must be confident
    examples, decisions = build_examples(
        records, resolver, min_confidence=min_confidence, min_margin=min_margin, mask_repeats=mask_repeats
    )
    role_ids = sorted(catalog.roles)
    docs = [role_document(catalog.roles[r], catalog) for r in role_ids]
    rankings: dict[str, list[list[str]]] = {}
    if project is not None:
        rankings["project"] = [project(e.text) for e in examples]
    rankings["tfidf"] = tfidf_rank([e.text for e in examples], role_ids, docs)
    families = {r.id: r.family for r in catalog.roles.values()}
    params = {"min_confidence": min_confidence, "min_margin": min_margin, "mask_repeats": mask_repeats}
    soc = {r.id: r.soc_code for r in catalog.roles.values()}
    return EvalResult(examples, decisions, rankings, families, params, soc)


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def render_report(result: EvalResult, versions: Mapping[str, str] | None = None) -> str:
    """Markdown report: accuracy table, exclusions, confusions, per-family accuracy."""
    m = result.metrics()
    systems = list(m["systems"])
    lines = [
        "# Role matching on real resumes (dotin Designation labels)",
        "",
        f"Resumes: {m['n_resumes']}; evaluated: {m['n_evaluated']} over {m['n_gold_roles']} gold roles; "
        f"excluded: {m['n_excluded']} (" + ", ".join(f"{k} {v}" for k, v in m["excluded_by_reason"].items()) + ").",
        "Label methods: " + ", ".join(f"{k} {v}" for k, v in m["label_methods"].items()) + ".",
        f"Label rule: first Designation span; fuzzy titles need confidence >= {result.params['min_confidence']} "
        f"and a lead >= {result.params['min_margin']}; designations blanked "
        f"({'spans and repeated occurrences' if result.params['mask_repeats'] else 'spans only'}).",
        "",
        "| system | n | top-1 | top-3 | MRR |",
        "|---|---|---|---|---|",
    ]
    for name in systems:
        s = m["systems"][name]
        lines.append(f"| {name} | {m['n_evaluated']} | {_pct(s['top1'])} | {_pct(s['top3'])} | {s['mrr']:.3f} |")
    lines += [
        "",
        "By half (fixed split on sha256 of the resume id; the project's design choices used the selection half only):",
        "",
        "| system | half | n | top-1 | top-3 | MRR |",
        "|---|---|---|---|---|---|",
    ]
    for name in systems:
        for half, h in m["systems"][name]["halves"].items():
            lines.append(f"| {name} | {half} | {h['n']} | {_pct(h['top1'])} | {_pct(h['top3'])} | {h['mrr']:.3f} |")
    if m["levels"]:
        lines += [
            "",
            "At occupation level (SOC code of the ranked role = the gold role's) and SOC minor-group level, by field",
            "(gold SOC major group 15 = tech) and half:",
            "",
            "| system | level | group | n | top-1 | top-3 |",
            "|---|---|---|---|---|---|",
        ]
        for name in systems:
            for level, groups in m["levels"][name].items():
                for g in ("all", "tech", "non-tech", "selection", "report"):
                    if g in groups:
                        h = groups[g]
                        lines.append(f"| {name} | {level} | {g} | {h['n']} | {_pct(h['top1'])} | {_pct(h['top3'])} |")
    maj = m["majority"]
    lines += [
        "",
        f"Reference: always answering the most frequent gold role ({maj['role_id']}) gives top-1 {_pct(maj['top1'])}.",
    ]
    for name in systems:
        lines += [
            "",
            f"## Largest mix-ups: {name} (gold -> predicted top-1)",
            "",
            "| gold | predicted | count |",
            "|---|---|---|",
        ]
        lines += [f"| {c['gold']} | {c['predicted']} | {c['count']} |" for c in m["systems"][name]["confusions"]]
    lines += ["", "## Per-family accuracy (family of the gold role)", ""]
    header = "| family | n | " + " | ".join(f"{s} top-1 | {s} top-3" for s in systems) + " |"
    lines += [header, "|" + "---|" * (2 + 2 * len(systems))]
    fams = sorted({f for s in systems for f in m["systems"][s]["per_family"]})
    for fam in fams:
        cells = []
        n = 0
        for s in systems:
            pf = m["systems"][s]["per_family"].get(fam, {"n": 0, "top1": 0.0, "top3": 0.0})
            n = pf["n"]
            cells += [_pct(pf["top1"]), _pct(pf["top3"])]
        lines.append(f"| {fam} | {n} | " + " | ".join(cells) + " |")
    if versions:
        lines += ["", "Models: " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items())) + "."]
    return "\n".join(lines) + "\n"


def _write(out: Path, result: EvalResult, report: str, versions: Mapping[str, str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.md").write_text(report, encoding="utf-8")
    metrics = {**result.metrics(), "params": result.params, "model_versions": dict(sorted(versions.items()))}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    with (out / "predictions.jsonl").open("w", encoding="utf-8") as fh:
        for i, e in enumerate(result.examples):
            row: dict[str, Any] = {"id": e.resume_id, "gold": e.gold, "designation": e.designation, "method": e.method}
            row.update({name: ranked[i][:5] for name, ranked in result.rankings.items()})
            fh.write(json.dumps(row, sort_keys=True) + "\n")


def _with_manifests(artifacts: Path, versions: Mapping[str, str]) -> dict[str, str]:
    """``{model: "v1 (manifest <sha256[:12]>)"}`` so a report names the exact artifacts it measured."""
    import hashlib

    out: dict[str, str] = {}
    for model, version in versions.items():
        manifest = artifacts / model / version / "manifest.json"
        sha = hashlib.sha256(manifest.read_bytes()).hexdigest()[:12] if manifest.is_file() else "?"
        out[model] = f"{version} (manifest {sha})"
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    p = argparse.ArgumentParser(prog="python -m training.eval.eval_matching", description=__doc__.split("\n\n")[0])
    p.add_argument("--dotin", type=Path, required=True, help="dotin-resume-ner folder (or its train.jsonl)")
    p.add_argument("--artifacts", type=Path, default=Path("artifacts"), help="local artifacts root")
    p.add_argument("--out", type=Path, default=Path("build/eval/matching"), help="output folder")
    p.add_argument("--min-confidence", type=float, default=DEFAULT_MIN_CONFIDENCE, help="fuzzy label confidence")
    p.add_argument("--min-margin", type=float, default=DEFAULT_MIN_MARGIN, help="fuzzy label lead over runner-up")
    p.add_argument("--mask", choices=("repeats", "spans"), default="repeats", help="blank spans only, or also repeats")
    p.add_argument("--limit", type=int, default=None, help="first N resumes only (smoke runs)")
    p.add_argument("--no-project", action="store_true", help="baseline only (no artifacts needed)")
    args = p.parse_args(argv)

    from careerready.core.observability import logger

    logger.setLevel("WARNING")  # keep stdout for the report
    records = load_dotin(args.dotin)[: args.limit]
    t0 = time.perf_counter()
    project: Callable[[str], list[str]] | None = None
    versions: dict[str, str] = {}
    if args.no_project:
        catalog_dir = args.artifacts / "catalog" / "v1"
        catalog = Catalog.load(catalog_dir if catalog_dir.is_dir() else Path("build/catalog"))
    else:
        project, catalog, versions = project_ranker(args.artifacts)
    result = evaluate(
        records,
        catalog,
        project,
        min_confidence=args.min_confidence,
        min_margin=args.min_margin,
        mask_repeats=args.mask == "repeats",
    )
    versions = _with_manifests(args.artifacts, versions)
    report = render_report(result, versions)
    _write(args.out, result, report, versions)
    print(report)
    print(f"wrote {args.out} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
