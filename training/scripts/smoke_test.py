"""Smoke test: load every registered artifact back from S3 (fresh cache, sha256-verified) and run
the stages end to end on three sample resumes.

    python -m training.scripts.smoke_test [--artifacts artifacts] [--endpoint URL] [--bucket B]

Without ``--endpoint`` (and no standalone moto state file) an in-process moto server is started
and ``--artifacts`` is published to it first. Stages whose models are not published yet are
reported as skipped; adding a stage is one line in ``STEPS``. Exit code 1 if a fetch or a stage
that could run fails, or if no stage ran.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from careerready.core import paths
from careerready.core.config import load_settings
from careerready.core.errors import CareerReadyError
from careerready.services.artifacts import ArtifactStore, S3Source
from careerready.services.registry import load_registry
from careerready.services.s3 import make_s3_client
from careerready.services.startup import load_models

SAMPLE_RESUMES: dict[str, str] = {
    "backend": (
        "Alex Kim\nBackend Engineer\n\nSUMMARY\nBackend engineer with 6 years of Python and 3+ yrs AWS.\n\n"
        "EXPERIENCE\nSenior Engineer, Acme (2019-2024)\n- Built REST APIs with Django and FastAPI on PostgreSQL.\n"
        "- Containerised services with Docker; CI/CD with GitHub Actions. No Kubernetes experience.\n\n"
        "SKILLS\nPython, SQL, Docker, Git, Linux, Redis\n\nEDUCATION\nB.Sc. Computer Science\n"
    ),
    "data": (
        "Priya Shah\nData Scientist\n\nProfile\nData scientist, 4 years experience in machine learning.\n\n"
        "Work Experience\n* Trained models with scikit-learn and PyTorch; analysis in R and pandas.\n"
        "* Dashboards in Tableau, pipelines on Apache Spark.\n\nTechnical Skills: Python (5 years), SQL, "
        "Jupyter, NumPy, statistics, communication\n\nCertifications\nAWS Certified Cloud Practitioner\n"
    ),
    "junior": (
        "Sam Lee\nrecent graduate\n\nEducation\nBSc Software Engineering, 2024\n\nProjects\n"
        "Todo app in JavaScript with React and Node.js; HTML and CSS. Not familiar with Terraform.\n\n"
        "Skills\nJava, C++, Git, teamwork\n"
    ),
}


def _role_ids(ctx: dict[str, Any], models: Any) -> list[str]:
    roles = sorted(getattr(models.catalog, "roles", {}) or {})
    preferred = [r for r in ("backend-engineer", "data-scientist", "frontend-engineer") if r in roles]
    return (preferred or roles)[:3]


# stage -> payload builder from the previous stages' outputs (ctx[stage] = that stage's JSON output)
STEPS: list[tuple[str, Callable[[dict[str, Any], Any], dict[str, Any]]]] = [
    ("extract", lambda ctx, m: {"text": ctx["resume"]}),
    ("match", lambda ctx, m: {"skills": ctx["extract"]["skills"], "role_ids": _role_ids(ctx, m)}),
    ("readiness", lambda ctx, m: {"features": ctx["match"]["matches"][0]["features"]}),
    (
        "recommend",
        lambda ctx, m: {
            "role_id": ctx["match"]["matches"][0]["role_id"],
            "held_skill_ids": [s["skill_id"] for s in ctx["extract"]["skills"] if s["skill_id"] and not s["negated"]],
            "gaps": ctx["match"]["matches"][0]["gaps"],
        },
    ),
]


def _summary(stage: str, out: dict[str, Any]) -> str:
    if stage == "extract":
        return f"{len(out['skills'])} skills: " + ", ".join(s["skill_id"] for s in out["skills"][:10])
    if stage == "match":
        return "; ".join(f"{m['role_id']}={m['score']:.2f}" for m in out["matches"])
    if stage == "readiness":
        return f"{out['label']}"
    if stage == "recommend":
        return f"{len(out['resources'])} resources"
    return ", ".join(sorted(out))[:80]


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    ap = argparse.ArgumentParser(
        prog="python -m training.scripts.smoke_test",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--artifacts", type=Path, default=paths.ARTIFACTS_DIR)
    ap.add_argument("--endpoint", default=None)
    ap.add_argument("--bucket", default=os.environ.get("CAREERREADY_ARTIFACT_BUCKET") or "careerready-models")
    ap.add_argument("--prefix", default="models")
    ap.add_argument("--state-file", type=Path, default=paths.STATE_DIR / "moto.json")
    args = ap.parse_args(argv)

    from training.local_s3 import ensure_bucket, read_state, start_moto
    from training.publish import publish_all, select_versions

    for key, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
        os.environ.setdefault(key, value)
    server = None
    endpoint = args.endpoint or (read_state(args.state_file) or {}).get("url")
    if not endpoint:
        server, endpoint = start_moto(0)
    failures = 0
    try:
        client = make_s3_client(endpoint)
        if server is not None:
            ensure_bucket(client, args.bucket)
            results = publish_all(select_versions(args.artifacts, False), client, args.bucket, args.prefix)
            print(f"published {len(results)} version(s) to in-process moto {endpoint}")
        registry = load_registry()
        with tempfile.TemporaryDirectory(prefix="careerready-smoke-") as cache:
            store = ArtifactStore(S3Source(args.bucket, args.prefix, client), cache_dir=Path(cache))
            available: set[str] = set()
            for model, version in registry.all_models().items():
                try:
                    info = store.fetch_with_info(model, version)
                except CareerReadyError as exc:
                    print(f"  MISSING  {model}/{version}: {exc.message}")
                    continue
                available.add(model)
                print(
                    f"  OK       {model}/{version}: {len(info.manifest['files'])} files verified "
                    f"(download {info.download_ms:.0f} ms, verify {info.verify_ms:.0f} ms)"
                )
            settings = load_settings(
                artifact_source="s3", artifact_bucket=args.bucket, artifact_prefix=args.prefix, cache_dir=Path(cache)
            )
            from careerready.services import stages

            ran = 0
            loaded: dict[str, Any] = {}
            for name, resume in SAMPLE_RESUMES.items():
                ctx: dict[str, Any] = {"resume": resume}
                for stage, build in STEPS:
                    needed = set(registry.models_for(stage))
                    if not needed <= available or (stage != "extract" and not ctx.get("extract")):
                        print(f"  [{name}] {stage:9} skipped (missing: {sorted(needed - available)})")
                        break
                    try:
                        if stage not in loaded:
                            loaded[stage] = load_models(stage, settings=settings, store=store, registry=registry)
                        models = loaded[stage]
                        t0 = time.perf_counter()
                        ctx[stage] = stages.handle(stage, build(ctx, models), models)
                        ms = (time.perf_counter() - t0) * 1000
                    except Exception as exc:  # noqa: BLE001 - report every failure and keep going
                        failures += 1
                        print(f"  [{name}] {stage:9} FAILED: {type(exc).__name__}: {exc}")
                        break
                    ran += 1
                    print(f"  [{name}] {stage:9} {ms:7.1f} ms  {_summary(stage, ctx[stage])}")
    finally:
        if server is not None:
            server.stop()
    if ran == 0:
        print("error: no stage could run (publish artifacts first)", file=sys.stderr)
        return 1
    print(f"smoke test: {ran} stage run(s), {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
