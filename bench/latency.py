"""Warm latency of /analyze and of each stage: in-process, over HTTP (uvicorn) and over Lambda Invoke.

Every figure is client-side wall time of one request after warm-up requests, over a bounded number
of requests (``n`` or the section's deadline, whichever comes first; the report gives the count).
Stage payloads are the ones a real analysis of the benchmark resumes sends (recorded once through a
wrapping client), so stages see realistic inputs on every transport.
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.common import PYTHON, REPO_ROOT, STAGES, Deadline, summarize
from bench.resumes import SIZES, BenchResume
from bench.stack import MotoStack, free_port, stop_process, wait_http

__all__ = ["RecordingClient", "http_latency", "inprocess_latency", "lambda_latency", "timed_loop"]

WARMUP = 3
MIN_SAMPLES = 5


def timed_loop(fn: Callable[[int], Any], n: int, deadline: Deadline, warmup: int = WARMUP) -> list[float]:
    """Call ``fn(i)`` ``warmup`` times untimed, then up to ``n`` times timed (ms).

    Stops at the deadline, but never before ``min(n, MIN_SAMPLES)`` timed calls.
    """
    for i in range(warmup):
        fn(i)
    out: list[float] = []
    i = 0
    while i < n and (i < MIN_SAMPLES or not deadline.expired()):
        t = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - t) * 1000)
        i += 1
    return out


class RecordingClient:
    """Wraps a stage client and keeps a copy of every (stage, payload) it forwards."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = getattr(inner, "name", "recording")
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def call(self, stage: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Record, then forward."""
        self.calls.append((stage, copy.deepcopy(payload)))
        result: dict[str, Any] = self.inner.call(stage, payload)
        return result

    def models(self, stage: str) -> Any:
        """Forward to the inner in-process transport."""
        return self.inner.models(stage)


def _roles(r: BenchResume) -> list[str] | None:
    return [r.role_id] if r.role_id else None


def record_stage_payloads(client: Any, catalog: Any, resumes: Sequence[BenchResume]) -> dict[str, list[dict[str, Any]]]:
    """The payload each stage receives during one analysis of each resume."""
    from careerready.services.analysis import analyze

    rec = RecordingClient(client)
    for r in resumes:
        analyze(r.text, _roles(r), rec, catalog=catalog)
    out: dict[str, list[dict[str, Any]]] = {s: [] for s in STAGES}
    for stage, payload in rec.calls:
        out.setdefault(stage, []).append(payload)
    return out


def _by_size(resumes: Sequence[BenchResume]) -> dict[str, list[BenchResume]]:
    return {size: [r for r in resumes if r.size == size] for size in SIZES}


def analyze_latency(
    client: Any, catalog: Any, resumes: Sequence[BenchResume], n: int, deadline: Deadline, sizes: Sequence[str]
) -> dict[str, Any]:
    """analyze() through ``client`` per size class: summary + raw samples."""
    from careerready.services.analysis import analyze

    out: dict[str, Any] = {}
    groups = _by_size(resumes)
    for size in sizes:
        group = groups.get(size) or []
        if not group:
            continue

        def one(i: int, g: list[BenchResume] = group) -> Any:
            return analyze(g[i % len(g)].text, _roles(g[i % len(g)]), client, catalog=catalog)

        ms = timed_loop(one, n, deadline)
        out[size] = {
            **summarize(ms),
            "words_mean": round(sum(r.words for r in group) / len(group), 1),
            "samples_ms": [round(x, 3) for x in ms],
        }
    return out


def stage_latency(client: Any, payloads: dict[str, list[dict[str, Any]]], n: int, deadline: Deadline) -> dict[str, Any]:
    """Each stage through ``client``, cycling over the recorded payloads."""
    out: dict[str, Any] = {}
    for stage in STAGES:
        plist = payloads.get(stage) or []
        if not plist:
            continue

        def one(i: int, p: list[dict[str, Any]] = plist, s: str = stage) -> Any:
            return client.call(s, p[i % len(p)])

        ms = timed_loop(one, n, deadline)
        out[stage] = {**summarize(ms), "samples_ms": [round(x, 3) for x in ms]}
    return out


def inprocess_latency(resumes: Sequence[BenchResume], n: int, budget_s: float, sizes: Sequence[str]) -> dict[str, Any]:
    """In this process (models loaded from the configured S3 first; load time excluded).

    Also times analyze without a role (every catalog role ranked, what the event path does) on the
    medium resumes.
    """
    from careerready.services.startup import get_models
    from careerready.services.transport import InProcessTransport

    client = InProcessTransport()
    t0 = time.perf_counter()
    for stage in STAGES:
        client.models(stage)
    load_ms = (time.perf_counter() - t0) * 1000
    catalog = get_models("match").catalog
    medium = _by_size(resumes).get("medium") or list(resumes)
    payloads = record_stage_payloads(client, catalog, medium)
    deadline = Deadline(budget_s)
    from careerready.services.analysis import analyze

    no_role = timed_loop(
        lambda i: analyze(medium[i % len(medium)].text, None, client, catalog=catalog), max(5, n // 4), deadline
    )
    return {
        "models_load_ms": round(load_ms, 1),
        "analyze": analyze_latency(client, catalog, resumes, n, deadline, sizes),
        "analyze_no_role_medium": {**summarize(no_role), "roles_ranked": len(catalog.roles)},
        "stages_medium": stage_latency(client, payloads, n, deadline),
        "_payloads": payloads,
        "_catalog": catalog,
    }


def http_latency(
    stack: MotoStack, cache_dir: Path, resumes: Sequence[BenchResume], n: int, budget_s: float, sizes: Sequence[str]
) -> dict[str, Any]:
    """POST /v1/analyze to uvicorn serving ``create_app`` on 127.0.0.1 (in-process stages inside it)."""
    import httpx

    port = free_port()
    env = {**os.environ, **stack.env(cache_dir), "CAREERREADY_TRANSPORT": "inprocess"}
    proc = subprocess.Popen(  # noqa: S603 - fixed argv, loopback only
        [
            PYTHON,
            "-m",
            "uvicorn",
            "--factory",
            "careerready.api.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--workers",
            "1",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        t0 = time.perf_counter()
        wait_http(f"{base}/v1/health", timeout_s=120, proc=proc)
        with httpx.Client(base_url=base, timeout=120) as http:
            health = http.get("/v1/health")
            first_ready_ms = (time.perf_counter() - t0) * 1000
            groups = _by_size(resumes)

            def post(r: BenchResume) -> None:
                body: dict[str, Any] = {"text": r.text}
                if r.role_id:
                    body["role"] = r.role_id
                resp = http.post("/v1/analyze", json=body)
                if resp.status_code != 200:
                    raise RuntimeError(f"/v1/analyze answered {resp.status_code}: {resp.text[:300]}")

            t1 = time.perf_counter()
            post(resumes[0])  # the first analysis loads every stage's models (create_app does not warm up)
            out: dict[str, Any] = {
                "health_status": health.status_code,
                "server_ready_ms": round(first_ready_ms, 1),
                "first_analyze_ms": round((time.perf_counter() - t1) * 1000, 1),
            }
            deadline = Deadline(budget_s)
            analyze_out: dict[str, Any] = {}
            for size in sizes:
                group = groups.get(size) or []
                if group:

                    def one(i: int, g: list[BenchResume] = group) -> None:
                        post(g[i % len(g)])

                    ms = timed_loop(one, n, deadline)
                    analyze_out[size] = {
                        **summarize(ms),
                        "words_mean": round(sum(r.words for r in group) / len(group), 1),
                        "samples_ms": [round(x, 3) for x in ms],
                    }
            out["analyze"] = analyze_out
            return out
    finally:
        stop_process(proc)
        if proc.stderr is not None:
            proc.stderr.close()


def lambda_latency(
    stack: MotoStack,
    cache_dir: Path,
    resumes: Sequence[BenchResume],
    payloads: dict[str, list[dict[str, Any]]],
    catalog: Any,
    n: int,
    budget_s: float,
    sizes: Sequence[str],
) -> dict[str, Any]:
    """analyze() with the Lambda transport against ``infra.local.lambda_server`` (one worker per stage)."""
    from careerready.services.transport import LambdaTransport

    from infra.local.lambda_server import LambdaServer

    server = LambdaServer.from_template(
        functions=["Extract", "Match", "Readiness", "Recommend"],
        port=free_port(),
        env_overrides=stack.env(cache_dir),
    )
    quiet = contextlib.redirect_stderr(io.StringIO())  # the server logs one line per invoke to stderr
    try:
        quiet.__enter__()
        server.start()
        t0 = time.perf_counter()
        init = server.preload()
        preload_ms = (time.perf_counter() - t0) * 1000
        transport = LambdaTransport(
            {s: f"careerready-{s}" for s in STAGES}, endpoint_url=server.url, region="us-east-1", timeout_s=60
        )
        deadline = Deadline(budget_s)
        return {
            "preload_ms": round(preload_ms, 1),
            "worker_init_ms": init,
            "analyze": analyze_latency(transport, catalog, resumes, n, deadline, sizes),
            "stages_medium": stage_latency(transport, payloads, n, deadline),
        }
    finally:
        server.stop()
        quiet.__exit__(None, None, None)
