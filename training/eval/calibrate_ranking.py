"""Calibrate the confidence of the no-role ranking on real resumes (dotin), and check it on the other half.

    python -m training.eval.calibrate_ranking --dotin ../shared/data/dotin-resume-ner [--artifacts artifacts]

For each labelled, designation-blanked dotin resume (the same labels and masking as ``eval_matching``) the serving
ranking (:func:`careerready.pipelines.matching.text_similarities` over every catalog role) gives the best role's
``rank_score`` (and its lead over the second, reported only). The target is "the best role is in the gold role's SOC
minor group". A logistic regression on the best score (L2, C=10: 84 resumes) is fitted on the selection half and
evaluated on the report half (expected calibration error over 10 bins, Brier score, against always answering the
selection half's hit rate); the printed coefficients are what ``careerready.pipelines.matching.RANK_CONFIDENCE``
ships. The lead over the second role was tried as a second feature and did not help on the report half
(docs/occupations.md). Deterministic (no sampling).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from careerready.services.catalog import soc_minor_group
from careerready.services.roles import RoleResolver

from training.eval.eval_matching import build_examples, is_selection, load_dotin


def ece(prob: np.ndarray, hit: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: bin-size-weighted |mean confidence - accuracy| over equal-width bins."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.digitize(prob, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            total += m.mean() * abs(prob[m].mean() - hit[m].mean())
    return round(float(total), 4)


def features(scores: Sequence[float]) -> tuple[float, float]:
    """(best rank_score, lead over the second)."""
    top = sorted(scores, reverse=True)
    return top[0], top[0] - (top[1] if len(top) > 1 else 0.0)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    p = argparse.ArgumentParser(prog="python -m training.eval.calibrate_ranking", description=__doc__.split("\n\n")[0])
    p.add_argument("--dotin", type=Path, required=True)
    p.add_argument("--artifacts", type=Path, default=Path("artifacts"))
    p.add_argument("--out", type=Path, default=Path("build/eval/ranking_confidence.json"))
    args = p.parse_args(argv)
    from careerready.core.config import Settings
    from careerready.core.observability import logger
    from careerready.pipelines.matching import text_similarities
    from careerready.services.startup import load_models
    from sklearn.linear_model import LogisticRegression

    logger.setLevel("WARNING")
    models = load_models("match", settings=Settings.model_validate({"artifacts_dir": args.artifacts}))
    catalog = models.catalog
    examples, _ = build_examples(load_dotin(args.dotin), RoleResolver.for_catalog(catalog))
    rows: list[dict[str, Any]] = []
    for e in examples:
        sims = text_similarities(e.text, catalog, models.embeddings)
        assert sims is not None
        best = min(sims.rank, key=lambda r: (-sims.rank[r], r))
        top, lead = features(list(sims.rank.values()))
        hit = soc_minor_group(catalog.roles[best].soc_code) == soc_minor_group(catalog.roles[e.gold].soc_code)
        rows.append({"id": e.resume_id, "top": top, "lead": lead, "hit": hit, "sel": is_selection(e.resume_id)})
    x = np.array([[r["top"]] for r in rows])
    y = np.array([r["hit"] for r in rows], dtype=float)
    sel = np.array([r["sel"] for r in rows])
    model = LogisticRegression(C=10.0).fit(x[sel], y[sel])
    prob = model.predict_proba(x[~sel])[:, 1]
    out = {
        "n": {"selection": int(sel.sum()), "report": int((~sel).sum())},
        "coef": {"intercept": round(float(model.intercept_[0]), 4), "top": round(float(model.coef_[0][0]), 4)},
        "report": {
            "accuracy_top1_minor_group": round(float(y[~sel].mean()), 4),
            "ece": ece(prob, y[~sel]),
            "brier": round(float(np.mean((prob - y[~sel]) ** 2)), 4),
            "ece_constant_rate": ece(np.full(len(prob), y[sel].mean()), y[~sel]),
            "brier_constant_rate": round(float(np.mean((y[sel].mean() - y[~sel]) ** 2)), 4),
            "below_0.5": {
                "n": int((prob < 0.5).sum()),
                "hit_rate": round(float(y[~sel][prob < 0.5].mean()), 4) if (prob < 0.5).any() else None,
            },
            "at_or_above_0.5": {
                "n": int((prob >= 0.5).sum()),
                "hit_rate": round(float(y[~sel][prob >= 0.5].mean()), 4) if (prob >= 0.5).any() else None,
            },
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
