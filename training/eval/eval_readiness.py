"""Readiness on real resumes: is a person readier for the job they already do than for an unrelated one?

Usage (from the repo root)::

    python -m training.eval.eval_readiness --dotin ../shared/data/dotin-resume-ner \\
        [--artifacts artifacts] [--out build/eval/readiness] [--seed 20261126] [--limit N]

Population: dotin resumes (train split) whose FIRST ``Designation`` resolves confidently to a catalog role
(the label rule of :mod:`training.eval.labels`, the same as ``make eval-matching``); it grows with the
catalog. Each person is analysed, through the serving stages in process (extract -> match -> readiness,
as ``analyze`` runs them, with the extractor's years estimate), for

* their **own** role (the resolved designation), and
* one **unrelated** role: a seeded pick (sha256 of ``seed:resume id``) among the catalog roles of another
  family (any other role when the catalog has one family), fixed for a given seed and catalog.

The text is analysed as sent (nothing masked): readiness reads skills and years, not the title.
Readiness score = P(industry_ready) + 0.5 x P(almost_ready).

Report: share of pairs where the own role scores readier (strictly); own-role label mix, match score and
number of missing critical skills, by stated years (< 2, 2-5, > 5, none stated); the same for the unrelated
role; every table for the selection half (design choices) and the report half (honest figure), split as in
``eval_matching.is_selection``. Goals (issue 16): own readier in >= 95 % of pairs; people with > 5 years
labelled needs_upskilling for their own role in <= 10 %.
Also reported: stated-experience agreement with dotin's ``Years of Experience`` spans
(:mod:`training.eval.experience_gold`) using the extract stage's estimate.

Writes ``report.md`` (also printed), ``metrics.json`` and ``pairs.jsonl`` (ids, roles, labels, numbers; no
resume text) into ``--out``. Same inputs -> same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from careerready.features import READINESS_FEATURES, text_fits
from careerready.schemas.analysis import MAX_MATCH_TEXT_CHARS
from careerready.services.catalog import Catalog
from careerready.services.roles import RoleResolver, best_fitting

from training.eval.eval_matching import is_selection, load_dotin
from training.eval.experience_gold import ExperienceCase, experience_cases
from training.eval.experience_gold import summarise as summarise_experience
from training.eval.labels import decide_label, designation_spans

__all__ = [
    "GOAL_OWN_READIER",
    "GOAL_SENIOR_NEEDS_UPSKILLING",
    "Pair",
    "Subject",
    "evaluate",
    "main",
    "readiness_score",
    "render_report",
    "subjects",
    "summarise",
    "unrelated_role",
    "years_bucket",
]

DEFAULT_SEED = 20261126
GOAL_OWN_READIER = 0.95
GOAL_SENIOR_NEEDS_UPSKILLING = 0.10
BUCKETS = ("< 2", "2-5", "> 5", "none stated")
LABELS = ("needs_upskilling", "almost_ready", "industry_ready")


def readiness_score(probabilities: Mapping[str, float]) -> float:
    """P(industry_ready) + 0.5 x P(almost_ready)."""
    return float(probabilities.get("industry_ready", 0.0)) + 0.5 * float(probabilities.get("almost_ready", 0.0))


def years_bucket(years: float | None) -> str:
    """``< 2``, ``2-5`` (2 <= y <= 5), ``> 5`` or ``none stated``."""
    if years is None:
        return "none stated"
    if years < 2:
        return "< 2"
    return "2-5" if years <= 5 else "> 5"


def unrelated_role(resume_id: str, own_role: str, catalog: Catalog, seed: int = DEFAULT_SEED) -> str:
    """A fixed, seeded role of another family than ``own_role`` (any other role if there is no other family)."""
    own_family = catalog.roles[own_role].family
    pool = sorted(r.id for r in catalog.roles.values() if r.family != own_family)
    if not pool:
        pool = sorted(r for r in catalog.roles if r != own_role)
    if not pool:
        raise ValueError("the catalog needs at least two roles")
    digest = hashlib.sha256(f"{seed}:{resume_id}".encode()).digest()
    return pool[int.from_bytes(digest[:8], "big") % len(pool)]


@dataclass(frozen=True)
class Subject:
    """A real person with a confidently resolved own role."""

    resume_id: str
    text: str
    own_role: str
    other_role: str
    designation: str


def subjects(records: Sequence[Mapping[str, Any]], catalog: Catalog, seed: int = DEFAULT_SEED) -> list[Subject]:
    """The evaluated people: first designation resolves (label rule of ``training.eval.labels``).

    A designation that several catalog roles share ("Teacher", "Lecturer", "Sales Associate") becomes the one
    the resume reads most like, as ``analyze`` chooses for a person who types that title
    (:func:`~careerready.services.roles.best_fitting` over the same ``text_fit`` the match stage computes).
    """
    resolver = RoleResolver(catalog.roles)
    out: list[Subject] = []
    for rec in records:
        rid, text = str(rec["id"]), str(rec["text"])
        d = decide_label(rid, designation_spans(rec.get("spans", [])), resolver)
        if d.role_id is None or len(catalog.roles) < 2:
            continue
        own = d.role_id
        if len(d.shared_by) > 1:
            fit = text_fits(text[:MAX_MATCH_TEXT_CHARS], [catalog.roles[r] for r in d.shared_by], catalog)
            own = best_fitting(d.shared_by, fit)
        out.append(Subject(rid, text, own, unrelated_role(rid, own, catalog, seed), d.designation))
    return out


@dataclass(frozen=True)
class Side:
    """One analysed (person, role)."""

    role_id: str
    label: str
    score: float
    probabilities: dict[str, float]
    match_score: float
    missing_critical: int
    n_critical: int
    reasons: list[str]


@dataclass(frozen=True)
class Pair:
    """A person analysed for their own role and for the unrelated one."""

    resume_id: str
    years: float | None
    own: Side
    other: Side

    @property
    def own_readier(self) -> bool:
        """The own role scores strictly readier."""
        return self.own.score > self.other.score

    @property
    def bucket(self) -> str:
        """Stated-years bucket."""
        return years_bucket(self.years)


Analyse = Callable[[str, Sequence[str]], tuple[float | None, list[Side]]]


def serving_analyser(artifacts: Path) -> tuple[Analyse, Catalog, dict[str, str]]:
    """extract -> match -> readiness through the in-process stage client, as ``analyze`` runs them.

    Returns:
        ``(analyse(text, role_ids) -> (stated years, one Side per role in order), catalog, model versions)``.
    """
    from careerready.schemas.analysis import ReadinessResponse
    from careerready.schemas.extraction import ExtractResponse
    from careerready.services.analysis import rank_roles
    from careerready.services.transport import InProcessTransport

    client = InProcessTransport.from_artifacts(artifacts)
    models_for = client.models

    catalog: Catalog = models_for("match").catalog
    versions: dict[str, str] = {}

    def pop(body: dict[str, Any]) -> dict[str, Any]:
        versions.update({str(k): str(v) for k, v in (body.pop("model_versions", None) or {}).items()})
        body.pop("stage_ms", None)
        return body

    def analyse(text: str, role_ids: Sequence[str]) -> tuple[float | None, list[Side]]:
        extracted = ExtractResponse.model_validate(pop(client.call("extract", {"text": text})))
        years = extracted.years_experience
        if not role_ids:
            return years, []
        matches = {
            m.role_id: m
            for m in rank_roles(
                extracted.skills, client, list(role_ids), years, versions, text=text, rank_by_text=False
            )
        }
        sides: list[Side] = []
        for rid in role_ids:
            m = matches[rid]
            feats = {k: float(m.features[k]) for k in READINESS_FEATURES if k in m.features}
            payload: dict[str, Any] = {"features": feats}
            facts = _facts(m)
            if facts is not None:
                payload["facts"] = facts
            ready = ReadinessResponse.model_validate(pop(client.call("readiness", payload)))
            reasons = [r.text for r in getattr(ready, "reasons", [])]
            sides.append(
                Side(
                    role_id=rid,
                    label=ready.label,
                    score=round(readiness_score(ready.probabilities), 6),
                    probabilities=dict(ready.probabilities),
                    match_score=round(float(m.score), 6),
                    missing_critical=int(round(m.features.get("missing_critical", 0.0))),
                    n_critical=sum(s.critical for s in m.skills),
                    reasons=reasons,
                )
            )
        return years, sides

    return analyse, catalog, versions


def _facts(match: Any) -> dict[str, Any] | None:
    """The readiness facts of a match when this checkout's readiness stage takes them (else None)."""
    try:
        from careerready.pipelines.readiness import facts_from_match
    except ImportError:  # an older serving package: no reasons
        return None
    facts: dict[str, Any] = facts_from_match(match).model_dump(mode="json")
    return facts


def evaluate(subjects_: Sequence[Subject], analyse: Analyse) -> list[Pair]:
    """Analyse every subject for (own, other)."""
    pairs: list[Pair] = []
    for s in subjects_:
        years, (own, other) = analyse(s.text, [s.own_role, s.other_role])
        pairs.append(Pair(s.resume_id, years, own, other))
    return pairs


def _share(xs: Sequence[bool]) -> float:
    return round(sum(xs) / len(xs), 4) if xs else 0.0


def _mean(xs: Sequence[float]) -> float:
    return round(sum(xs) / len(xs), 4) if xs else 0.0


def _side_table(pairs: Sequence[Pair], side: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for b in (*BUCKETS, "all"):
        ps = [p for p in pairs if b == "all" or p.bucket == b]
        sides = [getattr(p, side) for p in ps]
        out[b] = {
            "n": len(ps),
            "labels": {lab: _share([s.label == lab for s in sides]) for lab in LABELS},
            "readiness_score": _mean([s.score for s in sides]),
            "match_score": _mean([s.match_score for s in sides]),
            "missing_critical": _mean([float(s.missing_critical) for s in sides]),
        }
    return out


def summarise(pairs: Sequence[Pair]) -> dict[str, Any]:
    """Own-readier share, per-bucket tables for both sides and the two goals."""
    senior = [p for p in pairs if p.bucket == "> 5"]
    own_readier = _share([p.own_readier for p in pairs])
    senior_nu = _share([p.own.label == "needs_upskilling" for p in senior])
    return {
        "n_pairs": len(pairs),
        "own_readier": own_readier,
        "ties": _share([p.own.score == p.other.score for p in pairs]),
        "own": _side_table(pairs, "own"),
        "other": _side_table(pairs, "other"),
        "senior_own_needs_upskilling": senior_nu,
        "goals": {
            "own_readier_ge_95": own_readier >= GOAL_OWN_READIER,
            "senior_needs_upskilling_le_10": bool(senior) and senior_nu <= GOAL_SENIOR_NEEDS_UPSKILLING,
        },
    }


def metrics(pairs: Sequence[Pair], experience: Sequence[ExperienceCase] | None = None) -> dict[str, Any]:
    """Everything the report shows: all pairs and each half, plus stated-experience agreement."""
    out: dict[str, Any] = {"all": summarise(pairs)}
    for half, flag in (("selection", True), ("report", False)):
        out[half] = summarise([p for p in pairs if is_selection(p.resume_id) == flag])
    if experience is not None:
        out["experience"] = {
            "all": summarise_experience(experience),
            "selection": summarise_experience([c for c in experience if is_selection(c.resume_id)]),
            "report": summarise_experience([c for c in experience if not is_selection(c.resume_id)]),
        }
    return out


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def render_report(m: Mapping[str, Any], versions: Mapping[str, str] | None = None) -> str:
    """Markdown: headline per half, then per-bucket tables for own and unrelated roles."""
    lines = [
        "# Readiness on real resumes (dotin): own role vs a seeded unrelated role",
        "",
        "Score = P(industry_ready) + 0.5 x P(almost_ready). Goals: own role readier in >= 95% of pairs; "
        "> 5 stated years labelled needs_upskilling for the own role in <= 10%.",
        "",
        "| half | pairs | own readier | ties | > 5 y: n | > 5 y: own needs_upskilling | goals met |",
        "|---|---|---|---|---|---|---|",
    ]
    for half in ("selection", "report", "all"):
        s = m[half]
        senior_n = s["own"]["> 5"]["n"]
        goals = " / ".join("yes" if v else "no" for v in s["goals"].values())
        lines.append(
            f"| {half} | {s['n_pairs']} | {_pct(s['own_readier'])} | {_pct(s['ties'])} | {senior_n} | "
            f"{_pct(s['senior_own_needs_upskilling'])} | {goals} |"
        )
    for half in ("selection", "report"):
        for side, title in (("own", "own role"), ("other", "unrelated role")):
            lines += [
                "",
                f"## {half} half: {title}, by stated years",
                "",
                "| years | n | needs_upskilling | almost_ready | industry_ready | readiness score | match score "
                "| missing critical |",
                "|---|---|---|---|---|---|---|---|",
            ]
            for b, row in m[half][side].items():
                labs = row["labels"]
                lines.append(
                    f"| {b} | {row['n']} | {_pct(labs['needs_upskilling'])} | {_pct(labs['almost_ready'])} | "
                    f"{_pct(labs['industry_ready'])} | {row['readiness_score']:.3f} | {row['match_score']:.3f} | "
                    f"{row['missing_critical']:.2f} |"
                )
    if "experience" in m:
        lines += [
            "",
            "## Stated experience vs dotin Years of Experience spans (extract stage estimate)",
            "",
            "| half | gold kind | resumes with a span | gold computable | agree (within max(0.5, 10%) y) | we state none |",
            "|---|---|---|---|---|---|",
        ]
        for half in ("selection", "report", "all"):
            for kind, row in m["experience"][half].items():
                lines.append(
                    f"| {half} | {kind} | {row['n_with_span']} | {row['n']} | {_pct(row['agree'])} | "
                    f"{_pct(row['none'])} |"
                )
    if versions:
        lines += ["", "Models: " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items())) + "."]
    return "\n".join(lines) + "\n"


def batch_lines(
    records: Sequence[Mapping[str, Any]], samples: Sequence[str], catalog: Catalog, n: int, seed: int = DEFAULT_SEED
) -> list[dict[str, Any]]:
    """``n`` lines for ``careerready analyze --input``: dotin resumes and sample resumes, cycling.

    Each line names 1-3 roles as the catalog titles (a dotin person's own role first when it resolves), so the
    batch exercises the given-order contract; every 50th line names an unknown role (an error record).
    """
    resolver = RoleResolver(catalog.roles)
    titles = sorted(r.title for r in catalog.roles.values())
    texts: list[tuple[str, str | None]] = []
    for rec in records:
        d = decide_label(str(rec["id"]), designation_spans(rec.get("spans", [])), resolver)
        texts.append((str(rec["text"]), catalog.roles[d.role_id].title if d.role_id else None))
    texts += [(t, None) for t in samples]
    out: list[dict[str, Any]] = []
    for i in range(n):
        text, own = texts[i % len(texts)]
        h = hashlib.sha256(f"{seed}:batch:{i}".encode()).digest()
        roles = [titles[(h[k] * 256 + h[k + 1]) % len(titles)] for k in (0, 2, 4)][: 1 + h[6] % 3]
        if own is not None:
            roles = [own, *[r for r in roles if r != own]][:3]
        if i % 50 == 49:
            roles = ["Chief Unicorn Wrangler"]
        out.append({"id": f"b{i:04d}", "text": text, "roles": list(dict.fromkeys(roles))})
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    p = argparse.ArgumentParser(prog="python -m training.eval.eval_readiness", description=__doc__.split("\n\n")[0])
    p.add_argument("--dotin", type=Path, required=True, help="dotin-resume-ner folder (or its train.jsonl)")
    p.add_argument("--artifacts", type=Path, default=Path("artifacts"), help="local artifacts root")
    p.add_argument("--out", type=Path, default=Path("build/eval/readiness"), help="output folder")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the unrelated-role pick")
    p.add_argument("--limit", type=int, default=None, help="first N resumes only (smoke runs)")
    p.add_argument("--write-batch", type=Path, default=None, help="only write a batch-analysis input JSONL here")
    p.add_argument("--batch-lines", type=int, default=1000, help="lines of --write-batch")
    p.add_argument("--samples", type=Path, default=Path("data/samples"), help="sample resumes (*.txt) for the batch")
    args = p.parse_args(argv)

    if args.write_batch is not None:
        catalog_dir = args.artifacts / "catalog" / "v1"
        cat = Catalog.load(catalog_dir if catalog_dir.is_dir() else Path("build/catalog"))
        samples = [f.read_text(encoding="utf-8") for f in sorted(args.samples.glob("*.txt"))]
        lines = batch_lines(load_dotin(args.dotin), samples, cat, args.batch_lines, args.seed)
        args.write_batch.parent.mkdir(parents=True, exist_ok=True)
        with args.write_batch.open("w", encoding="utf-8") as fh:
            for line in lines:
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        print(f"wrote {len(lines)} lines to {args.write_batch}", file=sys.stderr)
        return 0

    from careerready.core.observability import logger

    from training.eval.eval_matching import _with_manifests

    logger.setLevel("WARNING")  # keep stdout for the report
    t0 = time.perf_counter()
    records = load_dotin(args.dotin)[: args.limit]
    analyse, catalog, versions = serving_analyser(args.artifacts)
    subs = subjects(records, catalog, args.seed)
    pairs = evaluate(subs, analyse)
    years_by_text: dict[str, float | None] = {}

    def stated(text: str) -> float | None:
        if text not in years_by_text:
            years_by_text[text] = analyse(text, [])[0]
        return years_by_text[text]

    experience = experience_cases(records, stated)
    m = metrics(pairs, experience)
    m["params"] = {"seed": args.seed, "n_resumes": len(records), "n_subjects": len(subs)}
    versions = _with_manifests(args.artifacts, versions)
    report = render_report(m, versions)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.md").write_text(report, encoding="utf-8")
    m["model_versions"] = dict(sorted(versions.items()))
    (args.out / "metrics.json").write_text(json.dumps(m, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    with (args.out / "pairs.jsonl").open("w", encoding="utf-8") as fh:
        for pair in pairs:
            row = {
                "resume_id": pair.resume_id,
                "years": pair.years,
                "own": asdict(pair.own),
                "other": asdict(pair.other),
            }
            fh.write(json.dumps(row, sort_keys=True) + "\n")
    print(report)
    print(f"wrote {args.out} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
