"""Title resolution on real resumes: every dotin Designation span, and a hand-labelled sample with SOC codes.

    python -m training.eval.eval_titles --dotin ../shared/data/dotin-resume-ner --catalog build/catalog \\
        [--embeddings artifacts/embeddings/v1] [--labels data/labels/dotin_designations.csv] [--out build/eval/titles]

Three figures, each for the full catalog (curated roles + O*NET occupations) and for the curated roles alone
(the catalog before occupations were served):

* **spans resolved**: share of all train-split Designation spans (and of resumes' first designation) that resolve
  to a role at the serving thresholds (exact, normalised, fuzzy >= ``DEFAULT_THRESHOLD``, embedding >= 0.6 when vectors are given),
  and under the evaluation's label rule (exact, or fuzzy/embedding >= 0.7 with a 0.1 lead, ``training.eval.labels``).
* **right occupation** on ``data/labels/dotin_designations.csv`` (hand-labelled, authored for this project: the first
  designation of 222 resumes -> an O*NET-SOC code, or only a SOC group when the title is ambiguous, or nothing when
  the span is not an occupation): the resolved role's SOC code equals the label (rows with a code).
* **right SOC minor group** (SOC 2018, ``29-1000``): rows with a code or a group. A curated role counts with its SOC
  code (its first authored ``onet`` code). An unresolved title counts as wrong.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from careerready.core.errors import InvalidInputError, RoleNotFoundError
from careerready.services.catalog import Catalog, soc_minor_group
from careerready.services.roles import RoleResolver, RoleVectors

from training.eval.labels import EXACT_METHODS, decide_label, designation_spans

DEFAULT_LABELS = Path(__file__).resolve().parents[2] / "data" / "labels" / "dotin_designations.csv"


@dataclass(frozen=True)
class LabelRow:
    """One hand-labelled designation."""

    resume_id: str
    designation: str
    soc: str  # "" when only a group (or nothing) is given
    group: str  # a SOC group code for ambiguous titles; "" otherwise

    @property
    def minor(self) -> str:
        """The label's SOC minor group ("" when the span is not an occupation)."""
        return soc_minor_group(self.soc or self.group)


def read_labels(path: Path) -> list[LabelRow]:
    """Read the labels CSV (resume_id, designation, soc, group)."""
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            LabelRow(r["resume_id"], r["designation"], r["soc"].strip(), r["group"].strip()) for r in csv.DictReader(fh)
        ]


def field_of(code: str) -> str:
    """Coarse field of a SOC code for the per-field tables: ``tech`` (major group 15) or ``non-tech``."""
    return "tech" if code.startswith("15-") else "non-tech"


def _resolve(resolver: RoleResolver, title: str) -> tuple[str | None, str, float]:
    try:
        res = resolver.resolve(title)
    except (RoleNotFoundError, InvalidInputError):
        return None, "", 0.0
    return res.role_id, res.method, res.confidence


def evaluate_titles(
    rows: Sequence[Mapping[str, Any]], labels: Sequence[LabelRow], catalog: Catalog, resolver: RoleResolver
) -> dict[str, Any]:
    """All the figures of the module docstring for one resolver."""
    spans = [" ".join(str(s["text"]).split()) for r in rows for s in designation_spans(r["spans"])]
    spans = [s for s in spans if s]
    methods: Counter[str] = Counter()
    for title in spans:
        _, method, _ = _resolve(resolver, title)
        methods[method or "unresolved"] += 1
    resolved = sum(v for k, v in methods.items() if k != "unresolved")
    exact = sum(v for k, v in methods.items() if k in EXACT_METHODS)
    decisions = [decide_label(str(r["id"]), r["spans"], resolver) for r in rows]
    with_designation = [d for d in decisions if d.reason != "no_designation"]
    first_resolved = sum(1 for d in with_designation if _resolve(resolver, d.designation)[0] is not None)
    label_ok = sum(1 for d in with_designation if d.reason == "ok")

    per_field: dict[str, Counter[str]] = {}
    mistakes: list[dict[str, str]] = []
    for lab in labels:
        if not lab.minor:
            continue
        rid, method, conf = _resolve(resolver, lab.designation)
        pred_soc = catalog.roles[rid].soc_code if rid is not None else ""
        c = per_field.setdefault(field_of(lab.soc or lab.group), Counter())
        c["minor_n"] += 1
        c["minor_ok"] += soc_minor_group(pred_soc) == lab.minor
        c["resolved"] += rid is not None
        if lab.soc:
            c["occ_n"] += 1
            c["occ_ok"] += pred_soc == lab.soc
            if pred_soc != lab.soc:
                mistakes.append(
                    {
                        "designation": lab.designation,
                        "label": lab.soc,
                        "predicted": pred_soc,
                        "role": rid or "",
                        "method": method,
                    }
                )
    total: Counter[str] = Counter()
    for c in per_field.values():
        total.update(c)
    per_field["all"] = total

    def share(c: Counter[str], ok: str, n: str) -> dict[str, Any]:
        return {"n": c[n], "ok": c[ok], "share": round(c[ok] / c[n], 4) if c[n] else 0.0}

    return {
        "roles": len(resolver.roles),
        "spans": {"n": len(spans), "resolved": resolved, "exact": exact, "by_method": dict(sorted(methods.items()))},
        "first_designation": {
            "resumes": len(rows),
            "with_designation": len(with_designation),
            "resolved": first_resolved,
            "label_rule_ok": label_ok,
        },
        "labelled": {
            f: {
                "occupation": share(c, "occ_ok", "occ_n"),
                "minor_group": share(c, "minor_ok", "minor_n"),
                "resolved": c["resolved"],
            }
            for f, c in sorted(per_field.items())
        },
        "mistakes": mistakes[:40],
    }


def render(results: Mapping[str, Mapping[str, Any]], command: str) -> str:
    """Markdown tables of :func:`evaluate_titles` results (one column per catalog)."""
    names = list(results)
    lines = [f"Command: `{command}`", "", "| figure | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]

    def row(label: str, fn: Any) -> None:
        lines.append(f"| {label} | " + " | ".join(fn(results[n]) for n in names) + " |")

    row("roles in the resolver", lambda r: f"{r['roles']:,}")
    row(
        "train Designation spans resolved (serving thresholds)",
        lambda r: (
            f"{r['spans']['resolved']} of {r['spans']['n']} ({r['spans']['resolved'] / max(r['spans']['n'], 1):.1%})"
        ),
    )
    row("... of them exact or normalised", lambda r: f"{r['spans']['exact']}")
    row(
        "resumes' first designation resolved",
        lambda r: f"{r['first_designation']['resolved']} of {r['first_designation']['with_designation']}",
    )
    row(
        "... under the eval label rule (was 80 of 310 resumes)",
        lambda r: f"{r['first_designation']['label_rule_ok']} of {r['first_designation']['resumes']}",
    )
    for f in ("all", "tech", "non-tech"):
        row(f"labelled sample, {f}: right occupation", lambda r, f=f: _fmt(r["labelled"].get(f, {}).get("occupation")))
        row(
            f"labelled sample, {f}: right SOC minor group",
            lambda r, f=f: _fmt(r["labelled"].get(f, {}).get("minor_group")),
        )
    return "\n".join(lines) + "\n"


def _fmt(d: Mapping[str, Any] | None) -> str:
    if not d or not d["n"]:
        return "-"
    return f"{d['ok']} of {d['n']} ({d['share']:.1%})"


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    p = argparse.ArgumentParser(prog="python -m training.eval.eval_titles", description=__doc__.split("\n\n")[0])
    p.add_argument("--dotin", type=Path, required=True, help="dotin-resume-ner folder (train.jsonl)")
    p.add_argument("--catalog", type=Path, default=Path("build/catalog"))
    p.add_argument(
        "--embeddings", type=Path, default=None, help="embeddings artifact dir: enables the embedding fallback"
    )
    p.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    p.add_argument("--out", type=Path, default=Path("build/eval/titles"))
    args = p.parse_args(argv)
    rows = [
        json.loads(line)
        for line in (args.dotin / "train.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    labels = read_labels(args.labels)
    catalog = Catalog.load(args.catalog)
    vectors: RoleVectors | None = None
    if args.embeddings is not None:
        from careerready.models.embedder import load as load_embeddings
        from careerready.services.roles import resolver_for

        embeddings = load_embeddings(args.embeddings)
        full = resolver_for(catalog, embeddings)
        vectors = full.vectors
    else:
        full = RoleResolver.for_catalog(catalog)
    curated = RoleResolver(catalog.curated_roles, vectors=vectors)
    results = {
        "curated roles only (before)": evaluate_titles(rows, labels, catalog, curated),
        "curated + O*NET occupations": evaluate_titles(rows, labels, catalog, full),
    }
    command = "python -m training.eval.eval_titles " + " ".join(
        argv if argv is not None else __import__("sys").argv[1:]
    )
    report = render(results, command.strip())
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    (args.out / "REPORT.md").write_text(report, encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
