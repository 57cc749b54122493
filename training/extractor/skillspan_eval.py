"""SkillSpan dev (job postings; skill + knowledge spans merged): strict and overlap span F1 and the shared relaxed
metric for the gazetteer v1, the learned tagger alone and the served hybrid.

    python -m training.extractor.skillspan_eval --skillspan ../shared/data/skillspan --artifacts artifacts

Docs: ``training.extractor.data.skillspan_docs`` (12 consecutive sentences of one posting, tokens joined by
spaces). Strict = a predicted (start, end) equal to a gold span; overlap = shares a character. For the hybrid and
the gazetteer every non-negated mention span counts (the API returns them under each skill). The relaxed row
scores one set of strings per doc with the shared metric's rule (``training.extractor.metric.score``). The
published anchor (ESCOXLM-R, ACL 2023: 62.6 strict span F1) is on the SkillSpan TEST set, sentence by sentence;
these figures are on DEV, so the comparison is indicative. Prints a markdown table.

``--peers career-fit pyresparser skill-extractor`` adds the open extractors of ``training.extractor.peers`` (each in
its own venv under ``build/peers``). Peers return strings, not offsets: their spans for the strict and overlap
columns are every case-insensitive, word-bounded occurrence of a returned string in the doc ("located").
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from training.extractor.data import skillspan_docs
from training.extractor.metric import score

Spans = list[tuple[int, int, str]]


def span_f1(gold: Sequence[Sequence[tuple[int, int]]], pred: Sequence[Sequence[tuple[int, int]]]) -> dict[str, Any]:
    """Strict and overlap precision / recall / F1 of character spans, micro over docs."""
    tp = n_p = n_g = ov_p = ov_g = 0
    for gs, ps in zip(gold, pred, strict=True):
        gset, pset = set(gs), set(ps)
        n_g += len(gset)
        n_p += len(pset)
        tp += len(gset & pset)
        ov_p += sum(1 for p in pset if any(p[0] < g[1] and g[0] < p[1] for g in gset))
        ov_g += sum(1 for g in gset if any(p[0] < g[1] and g[0] < p[1] for p in pset))

    def prf(a: int, b: int, c: int, d: int) -> dict[str, float]:
        p, r = (a / b if b else 0.0), (c / d if d else 0.0)
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}

    return {"strict": prf(tp, n_p, tp, n_g), "overlap": prf(ov_p, n_p, ov_g, n_g), "pred": n_p, "gold": n_g}


def gold_rows(docs: Sequence[Any]) -> list[dict[str, Any]]:
    """SkillSpan docs as rows the shared metric reads (``id``, ``text``, ``spans`` with a skill label)."""
    return [
        {"id": d.id, "text": d.text, "spans": [{"label": "Tech Tools", "text": d.text[a:b]} for a, b in d.spans]}
        for d in docs
    ]


def locate(text: str, surfaces: Sequence[str]) -> Spans:
    """Every case-insensitive, word-bounded occurrence of each surface in ``text`` (peers give no offsets)."""
    out: Spans = []
    for s in {x.strip() for x in surfaces if x and x.strip()}:
        pat = re.compile(r"(?<!\w)" + re.escape(s) + r"(?!\w)", re.IGNORECASE)
        out.extend((m.start(), m.end(), m.group(0)) for m in pat.finditer(text))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    ap = argparse.ArgumentParser(
        prog="python -m training.extractor.skillspan_eval", description=__doc__.split("\n\n")[0]
    )
    ap.add_argument("--skillspan", type=Path, required=True)
    ap.add_argument("--artifacts", type=Path, default=Path("artifacts"))
    ap.add_argument("--split", default="dev")
    ap.add_argument("--hybrid-json", type=Path, action="append", default=[], help="extra hybrid rows with these params")
    ap.add_argument("--peers", nargs="*", default=[], help="peer extractors to run too (training.extractor.peers)")
    args = ap.parse_args(argv)
    from careerready.core.observability import logger
    from careerready.pipelines.extraction import extract_skills
    from careerready.pipelines.hybrid_extraction import HybridParams, extract_hybrid

    from training.extractor.cv import load_parts

    logger.setLevel("ERROR")
    gaz, ner, catalog = load_parts(args.artifacts, None)
    docs = skillspan_docs(args.skillspan / "json" / f"{args.split}.json")

    def mentions(resp: Any) -> Spans:
        return [(m.start, m.end, m.text) for s in resp.skills for m in s.mentions if not m.negated]

    extractors: dict[str, Callable[[str], Spans]] = {
        "gazetteer v1": lambda t: mentions(extract_skills(t, gaz, catalog)),
        "learned only (tagger)": lambda t: [(s, e, t[s:e]) for s, e, _ in ner.predict_spans(t)],
        "hybrid (served)": lambda t: mentions(extract_hybrid(t, gaz, ner, catalog)),
        # how /v1/analyze extracts a pasted posting (the quiet-tagger rule reads every section)
        "hybrid (served, document=posting)": lambda t: mentions(
            extract_hybrid(t, gaz, ner, catalog, document="posting")
        ),
    }
    for path in args.hybrid_json:
        params = HybridParams.from_dict(json.loads(path.read_text(encoding="utf-8")))
        extractors[f"hybrid ({path.name})"] = lambda t, p=params: mentions(
            extract_hybrid(t, gaz, ner, catalog, params=p)
        )
    peer_ms: dict[str, float] = {}
    raw: dict[str, dict[str, list[str]]] = {}  # a peer's own strings, for the relaxed column
    for name in args.peers:
        from training.extractor.peers import run_peer

        res = run_peer(name, [{"id": d.id, "text": d.text} for d in docs])
        peer_ms[name] = statistics.median(res["ms"]) if res["ms"] else float("nan")
        raw[f"{name} (peer; spans located)"] = res["preds"]
        extractors[f"{name} (peer; spans located)"] = lambda t, p=res["preds"], by={d.text: d.id for d in docs}: locate(
            t, p.get(by[t], [])
        )
    golds = gold_rows(docs)
    lines = [
        f"SkillSpan {args.split}: {len(docs)} docs, {sum(len(d.spans) for d in docs)} gold spans (skill + knowledge).",
        "",
        "| extractor | strict P | strict R | strict F1 | overlap F1 | relaxed (shared metric) P / R / F1 |",
        "|---|---|---|---|---|---|",
    ]
    for name, fn in extractors.items():
        preds = [fn(d.text) for d in docs]
        sf = span_f1([list(d.spans) for d in docs], [[(a, b) for a, b, _ in p] for p in preds])
        strings = raw.get(name) or {d.id: [s for _, _, s in p] for d, p in zip(docs, preds, strict=True)}
        rel = score(golds, strings)
        st = sf["strict"]
        lines.append(
            f"| {name} | {st['precision']:.3f} | {st['recall']:.3f} | {st['f1']:.3f} | {sf['overlap']['f1']:.3f} "
            f"| {rel['precision']:.3f} / {rel['recall']:.3f} / {rel['f1']:.3f} |"
        )
    lines.append("| ESCOXLM-R (published, SkillSpan TEST, ~560M params) | - | - | 0.626 | - | - |")
    if peer_ms:
        lines.append("")
        lines.append("Peer median ms per doc: " + ", ".join(f"{n} {ms:.0f}" for n, ms in peer_ms.items()))
    print("\n".join(lines))  # noqa: T201 - a CLI report
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
