"""Analyze latency with the full catalog vs another artifacts set, in-process (issue #14, docs/occupations.md).

    python -m bench.catalog_latency --resume data/samples/grace-registered-nurse.txt --role software-engineer \\
        --artifacts artifacts [--artifacts /path/to/other/artifacts] [--runs 22]

The resume is repeated or cut to 500 words. For each artifacts set: ``analyze`` with one role and with none
(ranking every catalog role), ``--runs`` times each; p50 over all but the first two runs (warm), and the minimum.
Several ``--artifacts`` are measured in turn, twice, alternating, so a shared machine's load hits them alike.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any


def _setup(artifacts: Path) -> tuple[Any, Any, Any]:
    from careerready.services.roles import resolver_for
    from careerready.services.transport import InProcessTransport

    client = InProcessTransport.from_artifacts(artifacts)
    models_for = client.models

    for stage in ("match", "extract", "readiness", "recommend"):
        models_for(stage)
    match = models_for("match")
    return client, match.catalog, resolver_for(match.catalog, match.embeddings)


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    ap = argparse.ArgumentParser(prog="python -m bench.catalog_latency", description=__doc__.split("\n\n")[0])
    ap.add_argument("--resume", type=Path, required=True)
    ap.add_argument("--role", required=True, help="a role id or title both artifact sets serve")
    ap.add_argument("--artifacts", type=Path, action="append", required=True)
    ap.add_argument("--runs", type=int, default=22)
    args = ap.parse_args(argv)
    from careerready.core.observability import logger
    from careerready.services.analysis import analyze

    logger.setLevel("WARNING")
    words = args.resume.read_text(encoding="utf-8").split()
    text = " ".join((words * (500 // max(len(words), 1) + 1))[:500])
    setups = {a: _setup(a) for a in args.artifacts}
    for _ in range(2):
        for art, (client, catalog, resolver) in setups.items():
            for label, refs in (("one role", [args.role]), ("no role", None)):
                times = []
                for _ in range(args.runs):
                    t0 = time.perf_counter()
                    analyze(text, refs, client, catalog=catalog, resolver=resolver)
                    times.append(time.perf_counter() - t0)
                warm = times[2:] or times
                print(  # noqa: T201 - a benchmark CLI reports on stdout
                    f"{art} ({len(catalog.roles)} roles) {label}: p50 {statistics.median(warm) * 1000:.1f} ms, "
                    f"min {min(times) * 1000:.1f} ms"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
