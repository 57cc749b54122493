"""``python -m bench.run [--smoke] [--peers]``: the performance harness -> bench/results.json + bench/REPORT.md.

Full mode (``make bench``) measures cold starts of every function, warm latency in-process / HTTP /
Lambda Invoke, installed footprint, event-path throughput and the embedding/peer alternatives in
about 10 minutes on a 2-core machine, at most 15 on a slow one (the run and each section have a
wall-clock budget; what a budget cut short says so in ``n`` or under "not measured"). ``--smoke`` is a
< 60 s subset (one function, one repetition, 5 requests) for tests.
Every server started here listens on 127.0.0.1 and is stopped before exit.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.common import FUNCTIONS, REPO_ROOT, Deadline, artifacts_status, machine_info

__all__ = ["FULL", "SMOKE", "Config", "main", "run"]

# budget verdicts of an earlier full run, shown as "before" in the report (update by hand when a change lands)
BASELINE = REPO_ROOT / "bench" / "baseline.json"


@dataclass(frozen=True)
class Config:
    """What one run measures and how much."""

    mode: str
    functions: tuple[str, ...]
    cold_reps: int
    warm_invokes: int
    requests: int
    sizes: tuple[str, ...]
    resumes_per_size: int
    event_resumes: int
    lambda_transport: bool
    http: bool
    footprint: bool
    alternatives: bool
    embed_reps: int
    embed_batches: int
    budget_s: float
    section_s: float


FULL = Config(
    "full", FUNCTIONS, 4, 5, 200, ("short", "medium", "long"), 10, 100, True, True, True, True, 2, 20, 900.0, 90.0
)
SMOKE = Config("smoke", ("extract",), 1, 1, 5, ("medium",), 2, 5, False, True, False, False, 1, 2, 55.0, 15.0)


def _log(msg: str) -> None:
    print(msg, flush=True)  # noqa: T201 - CLI progress


def _section(results: dict[str, Any], name: str, deadline: Deadline, fn: Any, *args: Any, **kw: Any) -> Any:
    """Run one section; record its duration, or why it did not run / failed, and go on."""
    if deadline.expired():
        results.setdefault("not_measured", []).append(f"{name}: run budget spent before it started")
        return None
    _log(f"[bench] {name} ...")
    results.setdefault("loadavg_by_section", {})[name] = [round(x, 2) for x in os.getloadavg()]
    t0 = time.perf_counter()
    try:
        out = fn(*args, **kw)
    except Exception as exc:
        results.setdefault("not_measured", []).append(f"{name}: {type(exc).__name__}: {str(exc)[-300:]}")
        results.setdefault("errors", {})[name] = traceback.format_exc()[-2000:]
        _log(f"[bench] {name} FAILED: {type(exc).__name__}: {str(exc)[-300:]}")
        return None
    results.setdefault("section_s", {})[name] = round(time.perf_counter() - t0, 1)
    return out


def run(cfg: Config, out_dir: Path, peers: bool = False) -> dict[str, Any]:
    """Measure everything ``cfg`` asks for and return the results dict (also written to ``out_dir``)."""
    t_start = time.perf_counter()
    deadline = Deadline(cfg.budget_s)
    results: dict[str, Any] = {
        "schema_version": 1,
        "mode": cfg.mode,
        "command": "python -m bench.run" + (" --smoke" if cfg.mode == "smoke" else "") + (" --peers" if peers else ""),
        "config": asdict(cfg),
        "machine": machine_info(),
        "artifacts": artifacts_status(),
        "not_measured": [],
    }
    from bench.resumes import make_resumes

    resumes, source = make_resumes(cfg.resumes_per_size)
    resumes = [r for r in resumes if r.size in cfg.sizes] or resumes
    results["resumes"] = {
        "source": source,
        "count": len(resumes),
        "words_by_size": {s: sorted(r.words for r in resumes if r.size == s) for s in cfg.sizes},
    }
    if cfg.alternatives:
        from bench.alternatives import embedding_engines
        from bench.alternatives import peers as run_peers

        emb = _section(
            results,
            "alternatives.embeddings",
            deadline,
            embedding_engines,
            resumes,
            cfg.embed_reps,
            cfg.embed_batches,
            1,
            _log,
        )
        results["alternatives"] = {"embeddings": emb or {}}
    if cfg.footprint:
        # first: its pip installs (uncached on a fresh clone, ~20 s per distinct requirement set) must not be
        # squeezed out by the time-boxed latency sections
        from bench.footprint import function_footprints

        fps = _section(results, "footprint", deadline, function_footprints, list(FUNCTIONS), stop_at=deadline, log=_log)
        results["footprint"] = {"functions": fps or {}}
    else:
        results["not_measured"].append(f"footprint: not in {cfg.mode} mode")
    if not results["artifacts"]["ready"]:
        results["not_measured"].append(
            f"serving sections (cold start, latency, event path): artifacts missing {results['artifacts']['missing']} - run `make train`"
        )
        if cfg.alternatives:
            results["alternatives"]["peers"] = run_peers(resumes, peers, log=_log)
        return _finish(results, out_dir, t_start)

    from bench.stack import MotoStack

    scratch = Path(tempfile.mkdtemp(prefix="careerready-bench-"))
    stack = MotoStack()
    try:
        stack.start()
        results["s3"] = {"endpoint": stack.url, "bucket": stack.bucket, **stack.publish()}
        _log(f"[bench] published {results['s3']['versions']} to {stack.url}")
        # this process serves in-process with artifacts from the local S3 (settings read at first use)
        os.environ.update(stack.env(scratch / "cache-main"))
        from careerready.core.config import get_settings

        get_settings.cache_clear()

        from bench.coldstart import measure_cold_starts

        medium = [r for r in resumes if r.size == "medium"] or resumes
        cold = _section(
            results,
            "cold_start",
            deadline,
            measure_cold_starts,
            stack,
            list(cfg.functions),
            cfg.cold_reps,
            cfg.warm_invokes,
            medium[0].text,
            _log,
        )
        results["cold_start"] = cold or {}
        if cfg.lambda_transport and "analyze" in cfg.functions:
            from bench.coldstart import measure_analyze_lambda_cold

            results["cold_start_analyze_lambda"] = _section(
                results,
                "cold_start.analyze_lambda",
                deadline,
                measure_analyze_lambda_cold,
                stack,
                max(1, cfg.cold_reps - 2),
                cfg.warm_invokes,
                _log,
            ) or {"error": "failed"}

        # before the latency sections, which stretch to fill the time left
        from bench.eventpath import measure_event_path

        results["event_path"] = _section(
            results,
            "event_path",
            deadline,
            measure_event_path,
            stack,
            scratch / "cache-main",
            resumes,
            cfg.event_resumes,
        ) or {"error": "failed"}

        from bench import latency as lat

        latency: dict[str, Any] = {}
        results["latency"] = latency
        inproc = _section(
            results,
            "latency.inprocess",
            deadline,
            lat.inprocess_latency,
            resumes,
            cfg.requests,
            min(cfg.section_s * 1.5, deadline.remaining()),
            cfg.sizes,
        )
        payloads = inproc.pop("_payloads") if inproc else None
        catalog = inproc.pop("_catalog") if inproc else None
        latency["inprocess"] = inproc or {"error": "failed"}
        if cfg.http:
            latency["http"] = _section(
                results,
                "latency.http",
                deadline,
                lat.http_latency,
                stack,
                scratch / "cache-http",
                resumes,
                cfg.requests,
                min(cfg.section_s * 0.6, deadline.remaining()),
                cfg.sizes,
            ) or {"error": "failed"}
        else:
            latency["http"] = {"skipped": f"not in {cfg.mode} mode"}
        if cfg.lambda_transport and payloads is not None:
            latency["lambda"] = _section(
                results,
                "latency.lambda",
                deadline,
                lat.lambda_latency,
                stack,
                scratch / "cache-lambda",
                resumes,
                payloads,
                catalog,
                cfg.requests,
                min(cfg.section_s, deadline.remaining()),
                ("medium",) if cfg.mode == "full" else cfg.sizes,
            ) or {"error": "failed"}
        else:
            latency["lambda"] = {
                "skipped": f"not in {cfg.mode} mode" if not cfg.lambda_transport else "in-process section failed"
            }
            results["not_measured"].append(f"latency.lambda: {latency['lambda']['skipped']}")

    finally:
        stack.stop()
        shutil.rmtree(scratch, ignore_errors=True)

    if cfg.alternatives:
        if peers:
            results["alternatives"]["peers"] = (
                _section(results, "alternatives.peers", deadline, run_peers, resumes, True, log=_log) or {}
            )
        else:  # only lists what was not measured: no budget needed
            results["alternatives"]["peers"] = run_peers(resumes, False, log=_log)
    else:
        results["not_measured"].append(f"alternatives: not in {cfg.mode} mode")
    return _finish(results, out_dir, t_start)


def _finish(results: dict[str, Any], out_dir: Path, t_start: float) -> dict[str, Any]:
    from bench.report import evaluate_budgets, write_report

    results["duration_s"] = round(time.perf_counter() - t_start, 1)
    results.setdefault("machine", {})["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    if BASELINE.is_file() and results.get("mode") == "full":
        results["baseline"] = json.loads(BASELINE.read_text(encoding="utf-8"))
    results["budgets"] = evaluate_budgets(results)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
    report = write_report(results, out_dir)
    _log(f"[bench] wrote {out_dir / 'results.json'} and {report} in {results['duration_s']} s")
    return results


def main(argv: list[str] | None = None) -> int:
    """CLI entry point; exit 0 when the run completed (budget verdicts are in the report), 2 without artifacts."""
    ap = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--smoke", action="store_true", help="tiny run (< 60 s) for tests")
    ap.add_argument(
        "--peers", action="store_true", help="also create build/peers/<name>/venv and time extraction peers"
    )
    ap.add_argument("--out", type=Path, default=REPO_ROOT / "bench", help="where results.json / REPORT.md / PNGs go")
    args = ap.parse_args(argv)
    os.chdir(REPO_ROOT)
    # quiet structured logs of the serving code in this process (children get the same via MotoStack.env)
    for key in ("CAREERREADY_LOG_LEVEL", "POWERTOOLS_LOG_LEVEL", "LOG_LEVEL"):
        os.environ[key] = "WARNING"
    results = run(SMOKE if args.smoke else FULL, args.out, peers=args.peers)
    for row in results["budgets"]:
        _log(f"  {row['verdict']:>12}  {row['budget']}: {row['value']} ({row['op']} {row['limit']})")
    return 0 if results["artifacts"]["ready"] else 2


if __name__ == "__main__":
    sys.exit(main())
