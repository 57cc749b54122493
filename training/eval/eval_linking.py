"""Linked share of extracted skills on the dotin dev resumes, tech vs non-tech, for one or more artifact sets.

    python -m training.eval.eval_linking --dotin ../shared/data/dotin-resume-ner --artifacts artifacts \\
        [--artifacts /path/to/older/artifacts] [--catalog build/catalog]

Each dev resume (the fixed split of ``training.models.train_extractor_v1.is_dev``) goes through the served extract
stage of each artifact set; the linked share is the share of extracted skills with a canonical ``skill_id`` (the rest
are emerging, ``skill_id: null``). A resume is ``tech`` when its first Designation resolves (through ``--catalog``'s
title resolver, exact or normalised only) to SOC major group 15, ``non-tech`` when it resolves elsewhere, and
``unknown`` otherwise. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    p = argparse.ArgumentParser(prog="python -m training.eval.eval_linking", description=__doc__.split("\n\n")[0])
    p.add_argument("--dotin", type=Path, required=True)
    p.add_argument("--artifacts", type=Path, action="append", required=True)
    p.add_argument("--catalog", type=Path, default=Path("build/catalog"))
    args = p.parse_args(argv)
    from careerready.core.config import Settings
    from careerready.core.observability import logger
    from careerready.schemas.extraction import ExtractRequest
    from careerready.services import stages
    from careerready.services.catalog import Catalog
    from careerready.services.startup import load_models

    from training.extractor.cv import resume_fields
    from training.models.train_extractor_v1 import is_dev

    logger.setLevel("WARNING")
    rows = [json.loads(x) for x in (args.dotin / "train.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    dev = [r for r in rows if is_dev(str(r["id"]))]
    catalog = Catalog.load(args.catalog)
    field = resume_fields(dev, catalog)  # the CV harness's rule: first Designation, exact title, SOC 15
    lines = ["| artifacts | group | resumes | skills extracted | linked | linked share |", "|---|---|---|---|---|---|"]
    for art in args.artifacts:
        models: Any = load_models("extract", settings=Settings.model_validate({"artifacts_dir": art}))
        counts: dict[str, Counter[str]] = {}
        for r in dev:
            resp = stages.extract(ExtractRequest(text=r["text"]), models)
            for group in (field[str(r["id"])], "all"):
                c = counts.setdefault(group, Counter())
                c["resumes"] += 1
                c["skills"] += len(resp.skills)
                c["linked"] += sum(1 for s in resp.skills if s.skill_id)
        for group in ("all", "tech", "non-tech", "unknown"):
            c = counts.get(group, Counter())
            share = c["linked"] / c["skills"] if c["skills"] else 0.0
            lines.append(f"| {art} | {group} | {c['resumes']} | {c['skills']} | {c['linked']} | {share:.1%} |")
    print("\n".join(lines))  # noqa: T201 - a CLI report
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
