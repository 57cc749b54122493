"""``python -m bench.ab --base DIR [--functions a,b] [--reps N]``: cold starts of two trees, interleaved.

For judging a change on a shared machine: the same cold-start child (``bench.child cold``, empty cache, models
from one moto S3) runs alternately from ``--base`` (e.g. ``git archive <commit> | tar -x -C DIR``, with
``artifacts`` linked in) and from this tree, so both see the same load. Prints the median of each and their ratio.
The base tree's own ``bench/child.py`` measures it; only the total (spawn to first answer) is compared.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.coldstart import _IngestEvents, function_env
from bench.common import PYTHON, REPO_ROOT
from bench.stack import MotoStack

__all__ = ["main"]


def _cold(tree: Path, fn: str, env: dict[str, str], event: Path) -> tuple[float, dict[str, Any]]:
    # the image-only stubs first (bench.imageenv), then the tree's own code
    env = {**env, "PYTHONPATH": ":".join(filter(None, (env.get("PYTHONPATH"), f"{tree}/layers", str(tree))))}
    if tree != REPO_ROOT and not (tree / "template.yaml").read_text().count("CAREERREADY_DEFER_LARGE_FILES"):
        env.pop("CAREERREADY_DEFER_LARGE_FILES", None)  # the base tree's template decides its own settings
    spawn = time.time()
    proc = subprocess.run(  # noqa: S603 - fixed interpreter and module
        [PYTHON, "-m", "bench.child", "cold", "--function", fn, "--event", str(event), "--warm-invokes", "1"]
        + ["--spawn-wall", repr(spawn)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("BENCH_RESULT "):
            run: dict[str, Any] = json.loads(line[len("BENCH_RESULT ") :])
            return float(run["interpreter_start_ms"] or 0.0) + float(run["child_total_ms"]), run
    raise RuntimeError(f"{tree}: bench.child cold {fn} failed: {proc.stderr[-1500:]}")


def main(argv: list[str] | None = None) -> int:
    """Interleaved A/B of cold starts; prints one line per function."""
    ap = argparse.ArgumentParser(prog="python -m bench.ab", description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", type=Path, required=True, help="the other tree (its artifacts/ = this tree's)")
    ap.add_argument("--functions", default="analyze,ingest,extract,match,readiness,recommend")
    ap.add_argument("--reps", type=int, default=4)
    ap.add_argument("--full-venv", action="store_true", help="let the children import the whole venv, not the image's")
    args = ap.parse_args(argv)
    from bench.resumes import make_resumes

    resumes, _ = make_resumes(2)
    medium = next(r.text for r in resumes if r.size == "medium")
    with tempfile.TemporaryDirectory(prefix="careerready-ab-") as tmp, MotoStack() as stack:
        stack.publish()
        events = _IngestEvents(stack, medium, Path(tmp))
        for fn in args.functions.split(","):
            times: dict[str, list[float]] = {"base": [], "this": []}
            for rep in range(args.reps):
                order = [("base", args.base.resolve()), ("this", REPO_ROOT)]
                for name, tree in order if rep % 2 == 0 else order[::-1]:
                    cache = Path(tempfile.mkdtemp(prefix="careerready-ab-cache-", dir="/tmp"))
                    try:
                        event = events.next() if fn == "ingest" else REPO_ROOT / "events" / f"{fn}.json"
                        ms, run = _cold(
                            tree, fn, function_env(fn, stack.env(cache), image_only=not args.full_venv), event
                        )
                    finally:
                        shutil.rmtree(cache, ignore_errors=True)
                    if not run.get("ok"):
                        raise RuntimeError(f"{name} {fn}: {run.get('detail')}")
                    times[name].append(ms)
            b, t = statistics.median(times["base"]), statistics.median(times["this"])
            print(  # noqa: T201 - CLI output
                f"{fn}: base {b:.0f} ms, this {t:.0f} ms, ratio {t / b:.2f} "
                f"(base {[round(x) for x in times['base']]}, this {[round(x) for x in times['this']]}, "
                f"load {os.getloadavg()[0]:.2f})",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
