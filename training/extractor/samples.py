"""What the served extract stage finds on the sample resumes, and their match score for their own role.

    python -m training.extractor.samples [--artifacts artifacts] [--hybrid-json PATH]

For each ``data/samples`` resume of a non-tech field (and two tech ones as a control), with its own role (the roles of the demo, infra/local/demo.py): skills
found, linked share, required skills of the role held, match score and coverage. ``--hybrid-json`` overrides the
artifact's ``hybrid.json`` (to print before/after from one artifact set). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SAMPLES = (
    ("grace-registered-nurse.txt", "Registered Nurse"),
    ("daniel-teacher.txt", "High School Math Teacher"),
    ("maria-paralegal.txt", "Litigation Paralegal"),
    ("luca-chef.txt", "Sous Chef"),
    ("nadia-accountant.txt", "Senior Accountant"),
    ("jamal-sales.txt", "Account Executive"),
    ("ray-truck-driver.txt", "Truck Driver"),
    ("keisha-hr-generalist.txt", "HR Generalist"),
    ("ana-dental-hygienist.txt", "Dental Hygienist"),
    ("chen-devops.txt", "DevOps Engineer"),
    ("priya-data-scientist.txt", "Data Scientist"),
)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    ap = argparse.ArgumentParser(prog="python -m training.extractor.samples", description=__doc__.split("\n\n")[0])
    ap.add_argument("--artifacts", type=Path, default=Path("artifacts"))
    ap.add_argument("--samples", type=Path, default=Path("data/samples"))
    ap.add_argument("--hybrid-json", type=Path, default=None)
    args = ap.parse_args(argv)
    from careerready.core.config import Settings
    from careerready.core.observability import logger
    from careerready.schemas.analysis import MatchRequest
    from careerready.schemas.extraction import ExtractRequest
    from careerready.services import stages
    from careerready.services.startup import load_models

    logger.setLevel("ERROR")
    settings = Settings.model_validate({"artifacts_dir": args.artifacts})
    models: Any = load_models("analyze", settings=settings)
    if args.hybrid_json is not None:
        models.ner.hybrid_params = {
            k: v if isinstance(v, list) else float(v)
            for k, v in json.loads(args.hybrid_json.read_text("utf-8")).items()
            if v is not None
        }
    catalog = models.catalog
    lines = [
        "| resume | role | skills found | linked | role skills held | match score | found (first 12) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, query in SAMPLES:
        text = (args.samples / name).read_text(encoding="utf-8")
        ext = stages.extract(ExtractRequest(text=text), models)
        match = stages.match(
            MatchRequest(skills=ext.skills, role_ids=[query], years_experience=ext.years_experience, text=text), models
        ).matches[0]
        role = catalog.roles[match.role_id]
        held = {s.skill_id for s in ext.skills if s.skill_id and not s.negated}
        req = {rs.skill_id for rs in role.skills}
        linked = sum(1 for s in ext.skills if s.skill_id)
        found = ", ".join(s.name or s.text for s in ext.skills[:12])
        lines.append(
            f"| {name} | {role.title} | {len(ext.skills)} | {linked} | {len(held & req)}/{len(req)} "
            f"| {match.score:.2f} | {found} |"
        )
    print("\n".join(lines))  # noqa: T201 - a CLI report
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
