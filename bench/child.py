"""Measurements that must run in a fresh process: ``python -m bench.child <mode> ...`` (internal).

Modes:
    cold   one function's cold start: imports -> models fetched (S3 -> cache) and loaded -> first event,
           then warm invocations and peak RSS.
    embed  one embedding engine (``onnx`` or ``st``): cold start to first vectors, warm batch latency, RSS.
    ingest the S3 -> SQS -> ingest-handler path over N uploaded resumes.

The result is printed as one line ``BENCH_RESULT {json}`` on stdout (handlers log to stdout too).
Only this module's own imports happen before the clock starts.
"""

from __future__ import annotations

import time

T0 = time.perf_counter()
T0_WALL = time.time()

import argparse  # noqa: E402 - the clock starts before anything else
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULT_PREFIX = "BENCH_RESULT "


def _ms(t: float) -> float:
    return round(t * 1000, 3)


def _merge(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Disjoint, sorted union of [t0, t1] intervals."""
    out: list[tuple[float, float]] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        elif b > a:
            out.append((a, b))
    return out


def _measure(intervals: list[tuple[float, float]]) -> float:
    return sum(b - a for a, b in _merge(intervals))


def _overlap(xs: list[tuple[float, float]], ys: list[tuple[float, float]]) -> float:
    """Length of (union of xs) intersected with (union of ys)."""
    total = 0.0
    for a, b in _merge(xs):
        for c, d in _merge(ys):
            total += max(0.0, min(b, d) - max(a, c))
    return total


def _union_ms(fetches: list[dict[str, Any]]) -> float:
    """Wall time (ms) covered by at least one of the fetches' [t0, t1] intervals."""
    return _ms(_measure([(f["t0"], f["t1"]) for f in fetches]))


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _emit(result: dict[str, Any]) -> None:
    sys.stdout.flush()
    sys.stdout.write(RESULT_PREFIX + json.dumps(result, default=str) + "\n")
    sys.stdout.flush()


def _response_ok(resp: Any) -> tuple[bool, str]:
    """Whether a handler answer is a success (HTTP 2xx, no error envelope, no batch failures)."""
    if not isinstance(resp, dict):
        return False, f"non-dict response {type(resp).__name__}"
    if "statusCode" in resp:
        code = int(resp["statusCode"])
        return 200 <= code < 300, f"statusCode {code}: {str(resp.get('body'))[:200]}"
    if isinstance(resp.get("error"), dict):
        return False, f"error {resp['error'].get('code')}: {resp['error'].get('message')}"
    if resp.get("batchItemFailures"):
        return False, f"batchItemFailures {resp['batchItemFailures']}"
    return True, "ok"


def cold(args: argparse.Namespace) -> dict[str, Any]:
    """Cold start of ``functions/<name>/app.py`` with the environment the parent prepared."""
    fn_dir = REPO_ROOT / "functions" / args.function
    for entry in (str(REPO_ROOT / "layers"), str(fn_dir)):
        sys.path.insert(0, entry)
    event = json.loads(Path(args.event).read_text(encoding="utf-8"))
    t_import0 = time.perf_counter()

    import careerready.services.startup as startup
    from careerready.services.artifacts import ArtifactStore

    fetches: list[dict[str, Any]] = []
    loads: list[dict[str, Any]] = []
    depth = {"load": 0}
    orig_fetch = ArtifactStore.fetch_with_info
    orig_load = startup.load_models

    main_thread = threading.get_ident()

    def fetch_with_info(self: Any, model: str, version: str, **kw: Any) -> Any:
        t = time.perf_counter()
        info = orig_fetch(self, model, version, **kw)
        t_end = time.perf_counter()
        fetches.append(
            {
                "model": model,
                "t0": t,
                "t1": t_end,
                "wall_ms": _ms(t_end - t),
                "download_ms": float(info.download_ms),
                "verify_ms": float(info.verify_ms),
                "cached": bool(info.cached),
                "inside_load": depth["load"] > 0,
                "main_thread": threading.get_ident() == main_thread,
            }
        )
        return info

    def load_models(stage: str | None = None, **kw: Any) -> Any:
        depth["load"] += 1
        t = time.perf_counter()
        try:
            models = orig_load(stage, **kw)
        finally:
            depth["load"] -= 1
        t_end = time.perf_counter()
        loads.append({"stage": stage, "t0": t, "t1": t_end, "wall_ms": _ms(t_end - t), "timings": models.load_timings})
        return models

    ArtifactStore.fetch_with_info = fetch_with_info  # type: ignore[method-assign]
    startup.load_models = load_models

    import importlib

    module = importlib.import_module("app")
    handler = module.lambda_handler
    t_ready = time.perf_counter()

    from infra.local.invoke import LambdaContext

    t_inv = time.perf_counter()
    resp = handler(event, LambdaContext(f"bench-{args.function}", 2048, 60))
    t_first = time.perf_counter()
    ok, detail = _response_ok(resp)
    warm: list[float] = []
    for _ in range(args.warm_invokes):
        t = time.perf_counter()
        handler(event, LambdaContext(f"bench-{args.function}", 2048, 60))
        warm.append(_ms(time.perf_counter() - t))

    # Phases on the main thread's timeline, so they add up: time inside load_models while a fetch ran is
    # "fetch" (waiting for downloads), the rest of load_models is "load"; a fetch the main thread ran itself
    # outside load_models is "fetch" too. Fetches started by startup.prefetch() run in background threads
    # while the main thread imports: that time is "import", and how much fetching it hid is fetch_hidden_ms.
    load_iv = [(x["t0"], x["t1"]) for x in loads]
    fetch_iv = [(f["t0"], f["t1"]) for f in fetches]
    sync_iv = [(f["t0"], f["t1"]) for f in fetches if f["main_thread"] and not f["inside_load"]]
    fetch_inside = _ms(_overlap(fetch_iv, load_iv))
    fetch_outside = _ms(_measure(sync_iv))
    fetch_total = fetch_outside + fetch_inside
    fetch_hidden = max(0.0, _union_ms(fetches) - fetch_total)
    for f in fetches:
        f.pop("t0"), f.pop("t1")
    for x in loads:
        x.pop("t0"), x.pop("t1")
    load_total = _ms(_measure(load_iv))
    app_import_ms = _ms(t_ready - t_import0)
    return {
        "function": args.function,
        "ok": ok,
        "detail": detail,
        "interpreter_start_ms": round((T0_WALL - args.spawn_wall) * 1000, 3) if args.spawn_wall else None,
        "import_ms": round(app_import_ms - load_total - fetch_outside, 3),
        "download_ms": round(sum(f["download_ms"] for f in fetches), 3),
        "verify_ms": round(sum(f["verify_ms"] for f in fetches), 3),
        "fetch_ms": round(fetch_total, 3),
        "fetch_hidden_ms": round(fetch_hidden, 3),
        "load_ms": round(load_total - fetch_inside, 3),
        "init_ms": round(app_import_ms + _ms(t_import0 - T0), 3),
        "first_invoke_ms": _ms(t_first - t_inv),
        "child_total_ms": _ms(t_first - T0),
        "warm_invoke_ms": warm,
        "peak_rss_mb": _rss_mb(),
        "models_fetched": sorted({f["model"] for f in fetches}),
        "cache_hits": sum(1 for f in fetches if f["cached"]),
        "fetches": len(fetches),
        "load_timings": [x["timings"] for x in loads],
    }


def embed(args: argparse.Namespace) -> dict[str, Any]:
    """One embedding engine: cold start to the first vectors, then warm batches."""
    texts = json.loads(Path(args.texts).read_text(encoding="utf-8"))
    skills: list[str] = texts["skills"]
    resumes: list[str] = texts["resumes"]
    t_imp = time.perf_counter()
    if args.engine == "st":
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(args.threads)
        t_load = time.perf_counter()
        model = SentenceTransformer(args.model_dir, device="cpu")

        def run(batch: list[str]) -> Any:
            return model.encode(batch, batch_size=len(batch), normalize_embeddings=True)

        def reset() -> None:
            return None

    else:
        from careerready.models.embedder import OnnxEmbedder

        t_load = time.perf_counter()
        emb = OnnxEmbedder.from_dir(args.model_dir, intra_op_threads=args.threads)

        def run(batch: list[str]) -> Any:
            return emb.embed(batch, batch_size=len(batch))

        def reset() -> None:
            emb.clear_cache()

    t_first0 = time.perf_counter()
    run(skills[:32])
    t_first = time.perf_counter()
    skill_ms: list[float] = []
    resume_ms: list[float] = []
    for i in range(args.reps):
        reset()
        start = (i * 32) % max(1, len(skills) - 32)
        t = time.perf_counter()
        run(skills[start : start + 32])
        skill_ms.append(_ms(time.perf_counter() - t))
    for i in range(args.reps):
        reset()
        start = (i * 4) % max(1, len(resumes) - 4)
        t = time.perf_counter()
        run(resumes[start : start + 4])
        resume_ms.append(_ms(time.perf_counter() - t))
    return {
        "engine": args.engine,
        "threads": args.threads,
        "import_ms": _ms(t_load - t_imp),
        "load_ms": _ms(t_first0 - t_load),
        "first_batch_ms": _ms(t_first - t_first0),
        "cold_to_first_vectors_ms": _ms(t_first - T0),
        "skill_batch32_ms": skill_ms,
        "resume_batch4_ms": resume_ms,
        "peak_rss_mb": _rss_mb(),
    }


def ingest(args: argparse.Namespace) -> dict[str, Any]:
    """Upload N resumes to ``incoming/``, receive the S3 notifications from SQS, run the handler per batch."""
    sys.path.insert(0, str(REPO_ROOT / "functions" / "ingest"))
    sys.path.insert(0, str(REPO_ROOT / "layers"))
    texts: list[str] = json.loads(Path(args.texts).read_text(encoding="utf-8"))
    t_imp = time.perf_counter()
    import importlib

    import boto3

    handler = importlib.import_module("app").lambda_handler
    from infra.local.events import sqs_event
    from infra.local.invoke import LambdaContext

    init_ms = _ms(time.perf_counter() - t_imp)
    s3 = boto3.client("s3", endpoint_url=args.endpoint, region_name="us-east-1")
    sqs = boto3.client("sqs", endpoint_url=args.endpoint, region_name="us-east-1")
    t_e2e = time.perf_counter()
    for i, text in enumerate(texts):
        s3.put_object(
            Bucket=args.bucket, Key=f"incoming/bench-{i:04d}.txt", Body=text.encode("utf-8"), ContentType="text/plain"
        )
    upload_ms = _ms(time.perf_counter() - t_e2e)
    handled = 0
    batches = 0
    failures = 0
    handler_wall = 0.0
    handler_cpu = 0.0
    batch_ms: list[float] = []
    batch_cpu: list[float] = []
    batch_sizes: list[int] = []
    deadline = time.monotonic() + args.timeout
    while handled < len(texts) and time.monotonic() < deadline:
        got = sqs.receive_message(QueueUrl=args.queue_url, MaxNumberOfMessages=min(10, args.batch), WaitTimeSeconds=1)
        messages = got.get("Messages", [])
        if not messages:
            continue
        records = sqs_event(
            [m for m in messages if "s3:TestEvent" not in m["Body"]],
            "arn:aws:sqs:us-east-1:123456789012:bench-ingest",
        )["Records"]
        for m in messages:
            sqs.delete_message(QueueUrl=args.queue_url, ReceiptHandle=m["ReceiptHandle"])
        if not records:
            continue
        c0, t0 = _cpu_s(), time.perf_counter()
        resp = handler({"Records": records}, LambdaContext("bench-ingest", 2048, 120))
        dt = time.perf_counter() - t0
        handler_wall += dt
        handler_cpu += _cpu_s() - c0
        batch_cpu.append(round(_cpu_s() - c0, 4))
        batch_sizes.append(len(records))
        batch_ms.append(_ms(dt))
        failures += len(resp.get("batchItemFailures", []))
        handled += len(records)
        batches += 1
    e2e = time.perf_counter() - t_e2e
    results = s3.list_objects_v2(Bucket=args.bucket, Prefix="results/").get("KeyCount", 0)
    return {
        "resumes": len(texts),
        "handled": handled,
        "batches": batches,
        "batch_failures": failures,
        "results_written": results,
        "init_ms": init_ms,
        "upload_ms": upload_ms,
        "handler_wall_s": round(handler_wall, 3),
        "handler_cpu_s": round(handler_cpu, 3),
        "end_to_end_s": round(e2e, 3),
        "batch_ms": batch_ms,
        "batch_cpu_s": batch_cpu,
        "batch_sizes": batch_sizes,
        "peak_rss_mb": _rss_mb(),
    }


def main(argv: list[str] | None = None) -> int:
    """Parse the mode and print its result line."""
    ap = argparse.ArgumentParser(prog="python -m bench.child")
    sub = ap.add_subparsers(dest="mode", required=True)
    c = sub.add_parser("cold")
    c.add_argument("--function", required=True)
    c.add_argument("--event", required=True)
    c.add_argument("--warm-invokes", type=int, default=3)
    c.add_argument("--spawn-wall", type=float, default=0.0)
    e = sub.add_parser("embed")
    e.add_argument("--engine", choices=("onnx", "st"), required=True)
    e.add_argument("--model-dir", required=True)
    e.add_argument("--texts", required=True)
    e.add_argument("--threads", type=int, default=1)
    e.add_argument("--reps", type=int, default=10)
    g = sub.add_parser("ingest")
    g.add_argument("--texts", required=True)
    g.add_argument("--bucket", required=True)
    g.add_argument("--queue-url", required=True)
    g.add_argument("--endpoint", required=True)
    g.add_argument("--batch", type=int, default=10)
    g.add_argument("--timeout", type=float, default=120.0)
    args = ap.parse_args(argv)
    result = {"cold": cold, "embed": embed, "ingest": ingest}[args.mode](args)
    _emit(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
