"""Cold start per function: fresh process -> imports -> artifacts from (moto) S3 into a cache dir -> first event.

Each repetition runs ``python -m bench.child cold`` with the function's template environment
(``infra.local.template_env``) pointed at the local S3 and a brand-new, empty cache directory under
``/tmp`` (what a new Lambda sandbox sees). Then the same again with the cache left by the last
repetition (a sandbox whose ``/tmp`` survived). Ingest gets a real object and an SQS event naming it
(one fresh object per run, so idempotency never short-cuts the first invoke).
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from bench.common import REPO_ROOT, run_child, summarize
from bench.imageenv import stub_dir
from bench.stack import MotoStack

__all__ = ["PHASES", "measure_analyze_lambda_cold", "measure_cold_starts"]

PHASES: tuple[str, ...] = ("interpreter_start_ms", "import_ms", "fetch_ms", "load_ms", "first_invoke_ms")
"""Phases that add up (with small glue) to ``cold_start_ms``; fetch = download + verify + manifest/cache checks."""
_METRICS = (
    "cold_start_ms",
    *PHASES,
    "download_ms",
    "verify_ms",
    "fetch_hidden_ms",
    "init_ms",
    "warm_invoke_median_ms",
    "peak_rss_mb",
)
LOGICAL_IDS = {
    "extract": "Extract",
    "match": "Match",
    "readiness": "Readiness",
    "recommend": "Recommend",
    "analyze": "Analyze",
    "ingest": "Ingest",
}
INGEST_BUCKET = "careerready-bench-coldstart-resumes"


def function_env(name: str, overrides: dict[str, str], image_only: bool = False) -> dict[str, str]:
    """The environment ``functions/<name>`` gets from template.yaml, with ``overrides`` on top.

    ``image_only``: the child can import only what the function's image installs (:mod:`bench.imageenv`).
    """
    from infra.local.invoke import child_environment
    from infra.local.template_env import function_specs

    specs = function_specs(env_overrides=overrides)
    env = child_environment(specs[LOGICAL_IDS[name]])
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # images ship compiled bytecode; let the first run cache it
    if image_only:
        env["PYTHONPATH"] = str(stub_dir(name))
    return env


class _IngestEvents:
    """Creates one uploaded resume + SQS event per cold-start run of the ingest function."""

    def __init__(self, stack: MotoStack, text: str, workdir: Path) -> None:
        self.s3 = stack.client("s3")
        self.text = text
        self.workdir = workdir
        self.n = 0
        existing = {b["Name"] for b in self.s3.list_buckets().get("Buckets", [])}
        if INGEST_BUCKET not in existing:
            self.s3.create_bucket(Bucket=INGEST_BUCKET)
        self.template = json.loads((REPO_ROOT / "events" / "ingest.json").read_text(encoding="utf-8"))

    def next(self) -> Path:
        self.n += 1
        key = f"incoming/coldstart-{self.n:03d}.txt"
        put = self.s3.put_object(
            Bucket=INGEST_BUCKET, Key=key, Body=self.text.encode("utf-8"), ContentType="text/plain"
        )
        record = copy.deepcopy(self.template["Records"][0])
        body = json.loads(record["body"])
        s3rec = body["Records"][0]
        s3rec["s3"]["bucket"].update({"name": INGEST_BUCKET, "arn": f"arn:aws:s3:::{INGEST_BUCKET}"})
        s3rec["s3"]["object"] = {"key": key, "size": len(self.text.encode("utf-8")), "eTag": put["ETag"].strip('"')}
        body["Records"] = [s3rec]
        record["body"] = json.dumps(body)
        record["messageId"] = f"bench-coldstart-{self.n}"
        path = self.workdir / f"ingest-event-{self.n}.json"
        path.write_text(json.dumps({"Records": [record]}), encoding="utf-8")
        return path


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in _METRICS:
        vals = [r[key] for r in runs if isinstance(r.get(key), (int, float))]
        if vals:
            out[key] = summarize(vals)
    return out


def _derive(run: dict[str, Any]) -> dict[str, Any]:
    run["cold_start_ms"] = round((run.get("interpreter_start_ms") or 0.0) + run["child_total_ms"], 3)
    warm = sorted(run.get("warm_invoke_ms") or [])
    if warm:
        run["warm_invoke_median_ms"] = warm[len(warm) // 2]
    return run


def measure_cold_starts(
    stack: MotoStack,
    functions: list[str],
    reps: int,
    warm_invokes: int = 3,
    ingest_text: str | None = None,
    log: Any = print,
) -> dict[str, Any]:
    """Cold (empty cache) and warm-cache starts of each function; raw runs plus median/p95 summaries."""
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="careerready-bench-cold-") as tmp:
        workdir = Path(tmp)
        ingest_events = _IngestEvents(stack, ingest_text or "", workdir) if "ingest" in functions else None
        for name in functions:
            entry: dict[str, Any] = {"empty_cache": {"runs": []}, "warm_cache": {"runs": []}, "errors": []}
            results[name] = entry
            last_cache: Path | None = None
            for mode in ("empty_cache", "warm_cache"):
                for rep in range(reps):
                    if mode == "empty_cache" or last_cache is None:
                        cache = Path(tempfile.mkdtemp(prefix=f"careerready-cache-{name}-", dir="/tmp"))
                        if last_cache is not None and mode == "empty_cache":
                            shutil.rmtree(last_cache, ignore_errors=True)
                        last_cache = cache
                    event = (
                        ingest_events.next()
                        if name == "ingest" and ingest_events
                        else REPO_ROOT / "events" / f"{name}.json"
                    )
                    env = function_env(name, stack.env(last_cache), image_only=True)
                    try:
                        run = run_child(
                            ["cold", "--function", name, "--event", str(event), "--warm-invokes", str(warm_invokes)],
                            env,
                        )
                    except Exception as exc:  # recorded, the harness goes on
                        entry["errors"].append(f"{mode} rep {rep}: {type(exc).__name__}: {str(exc)[-600:]}")
                        log(f"  cold start {name} {mode} rep {rep}: FAILED {type(exc).__name__}")
                        continue
                    run = _derive(run)
                    run.pop("load_timings", None)
                    entry[mode]["runs"].append(run)
                    log(
                        f"  cold start {name} {mode} rep {rep}: {run['cold_start_ms']:.0f} ms "
                        f"(import {run['import_ms']:.0f}, fetch {run['fetch_ms']:.0f}, load {run['load_ms']:.0f}, "
                        f"first {run['first_invoke_ms']:.0f}) ok={run['ok']}"
                    )
                entry[mode]["summary"] = _summary(entry[mode]["runs"])
            if last_cache is not None:
                shutil.rmtree(last_cache, ignore_errors=True)
    return results


def measure_analyze_lambda_cold(stack: MotoStack, reps: int, warm_invokes: int = 3, log: Any = print) -> dict[str, Any]:
    """Cold start of ``analyze`` with the Lambda transport (stages behind ``infra.local.lambda_server``).

    Two cases, each ``reps`` times with brand-new empty caches: ``stages_cold`` (the stage workers start
    on the first request too, so the first response includes their cold starts, called in series) and
    ``stages_warm`` (stage workers preloaded before the analyze process starts: a new analyze sandbox in
    front of warm stage functions).
    """
    from bench.stack import free_port
    from infra.local.lambda_server import LambdaServer

    results: dict[str, Any] = {}
    for case in ("stages_cold", "stages_warm"):
        entry: dict[str, Any] = {"runs": [], "errors": []}
        results[case] = entry
        for rep in range(reps):
            with tempfile.TemporaryDirectory(prefix="careerready-cache-lt-", dir="/tmp") as tmp:
                cache = Path(tmp) / "analyze"
                server = LambdaServer.from_template(
                    functions=["Extract", "Match", "Readiness", "Recommend"],
                    port=free_port(),
                    env_overrides=stack.env(Path(tmp) / "stages"),
                )
                quiet = contextlib.redirect_stderr(io.StringIO())  # one log line per invoke
                try:
                    quiet.__enter__()
                    server.start()
                    if case == "stages_warm":
                        server.preload()
                    env = function_env(
                        "analyze",
                        {
                            **stack.env(cache),
                            "CAREERREADY_TRANSPORT": "lambda",
                            "CAREERREADY_LAMBDA_ENDPOINT_URL": server.url,
                        },
                        image_only=True,
                    )
                    run = run_child(
                        [
                            "cold",
                            "--function",
                            "analyze",
                            "--event",
                            str(REPO_ROOT / "events" / "analyze.json"),
                            "--warm-invokes",
                            str(warm_invokes),
                        ],
                        env,
                    )
                except Exception as exc:  # recorded, the harness goes on
                    entry["errors"].append(f"rep {rep}: {type(exc).__name__}: {str(exc)[-600:]}")
                    continue
                finally:
                    server.stop()
                    quiet.__exit__(None, None, None)
            run = _derive(run)
            run.pop("load_timings", None)
            entry["runs"].append(run)
            log(
                f"  cold start analyze (lambda transport, {case}) rep {rep}: {run['cold_start_ms']:.0f} ms "
                f"(import {run['import_ms']:.0f}, fetch {run['fetch_ms']:.0f}, load {run['load_ms']:.0f}, "
                f"first {run['first_invoke_ms']:.0f}) ok={run['ok']}"
            )
        entry["summary"] = _summary(entry["runs"])
    return results
