"""No-loss and load drills, runnable outside pytest: ``python -m tests.hardening.load_main``.

* ingest drill: N resumes (a share corrupt) dropped into (moto) S3 with notifications to SQS (redrive
  to a DLQ), drained through the ingest handler logic -> exactly N outcomes (results + error records).
* API load: C concurrent clients for D seconds against the API served by uvicorn on 127.0.0.1 ->
  error count and latency percentiles.
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

from tests.hardening._support import (
    RESUME,
    fixture_analyzer,
    fixture_app,
    real_app,
    real_artifacts_ready,
    sqs_event,
)

SKILL_LINES = [
    "Python, Django, PostgreSQL, Docker",
    "Java, Spring Boot, Kafka, Kubernetes",
    "SQL, Tableau, Excel, statistics",
    "React, TypeScript, CSS, Git",
    "AWS, Terraform, Linux, CI/CD",
]


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---- ingest drill -----------------------------------------------------------------------------------
@dataclass
class IngestDrillReport:
    """Counts of one ingest drill."""

    uploaded: int = 0
    corrupt: int = 0
    results: int = 0
    error_records: int = 0
    dead_lettered: int = 0
    left_in_queue: int = 0
    rounds: int = 0
    error_codes: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def outcomes(self) -> int:
        """Objects with exactly one output (result or error record)."""
        return self.results + self.error_records


def drain_queue(sqs: Any, queue_url: str, service: Any, max_rounds: int = 10_000) -> int:
    """Emulate the Lambda SQS poller (batch 10): receive, run ``process_sqs_event``, delete successes."""
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
    from careerready.services.ingest import process_sqs_event

    empty = 0
    for round_no in range(max_rounds):
        msgs = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0, AttributeNames=["All"]
        ).get("Messages", [])
        if not msgs:
            empty += 1
            if empty >= 2:  # two empty polls in a row: drained
                return round_no
            continue
        empty = 0
        event = sqs_event([m["Body"] for m in msgs], [m["MessageId"] for m in msgs])
        try:
            failed = {f["itemIdentifier"] for f in process_sqs_event(event, service)["batchItemFailures"]}
        except BatchProcessingError:
            failed = {m["MessageId"] for m in msgs}
        done = [m for m in msgs if m["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            entries = [
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done[start : start + 10])
            ]
            if entries:
                sqs.delete_message_batch(QueueUrl=queue_url, Entries=entries)
    raise RuntimeError("queue did not drain")


def _count(s3: Any, bucket: str, prefix: str, exclude: str | None = None) -> int:
    n = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        n += sum(1 for o in page.get("Contents", []) if not (exclude and o["Key"].startswith(exclude)))
    return n


def ingest_drill(
    s3: Any, sqs: Any, bucket: str, n: int = 1000, corrupt_ratio: float = 0.02, seed: int = 20261126
) -> IngestDrillReport:
    """Upload ``n`` resumes (``corrupt_ratio`` of them corrupt) to ``bucket`` (notifications -> SQS) and drain."""
    from careerready.services.ingest import IngestService

    from infra.local.events import notify_queue
    from tests.hardening.test_faults import make_queue_with_dlq

    rng = random.Random(seed)
    t0 = time.perf_counter()
    queue_url, dlq_url = make_queue_with_dlq(sqs, f"drill-{bucket}")
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    notify_queue(s3, bucket, queue_arn)
    corrupt = set(rng.sample(range(n), round(n * corrupt_ratio)))

    def upload(i: int) -> None:
        if i in corrupt:
            key, body, ctype = f"incoming/batch/{i:05d}.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog", "application/pdf"
        else:
            text = RESUME.replace("Jane Doe", f"Candidate {i}") + "\nSkills\n" + rng.choice(SKILL_LINES) + "\n"
            key, body, ctype = f"incoming/batch/{i:05d} resume.txt", text.encode(), "text/plain"
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=ctype)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(upload, range(n)))
    report = IngestDrillReport(uploaded=n, corrupt=len(corrupt))
    report.rounds = drain_queue(sqs, queue_url, IngestService(s3, fixture_analyzer))
    report.results = _count(s3, bucket, "results/", exclude="results/errors/")
    report.error_records = _count(s3, bucket, "results/errors/")
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="results/errors/"):
        for o in page.get("Contents", []):
            code = json.loads(s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read())["code"]
            report.error_codes[code] = report.error_codes.get(code, 0) + 1
    attrs = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    q = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=attrs)["Attributes"]
    d = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=attrs)["Attributes"]
    report.left_in_queue = sum(int(q[a]) for a in attrs)
    report.dead_lettered = sum(int(d[a]) for a in attrs)
    report.seconds = time.perf_counter() - t0
    return report


# ---- API load ----------------------------------------------------------------------------------------
@dataclass
class LoadReport:
    """What C clients saw during D seconds."""

    clients: int
    duration_s: float
    requests: int = 0
    errors: int = 0
    status_counts: dict[str, int] = field(default_factory=dict)
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    rps: float = 0.0


class UvicornThread:
    """uvicorn serving ``app`` on 127.0.0.1 in a background thread (context manager)."""

    def __init__(self, app: Any, port: int | None = None) -> None:
        import uvicorn

        self.port = port or free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


#: Analyze's Lambda timeout (template.yaml), under API Gateway's 30 s integration timeout: a slower answer is lost
P99_BUDGET_MS = 29_000.0
#: the client waits longer than the budget, so a request over budget is measured, not cut off at the budget
CLIENT_TIMEOUT_S = 60.0


def _answer_key(path: str, resp: Any) -> str:
    """The status, or ``bad_body`` for a 200 whose body is not a real answer (no skills / no analysis)."""
    if resp.status_code != 200:
        return str(resp.status_code)
    body = resp.json()
    if path == "/v1/analyze" and not (body.get("skills") and body.get("analyses")):
        return "bad_body"
    if path == "/v1/extract" and not body.get("skills"):
        return "bad_body"
    if path == "/v1/roles" and not body.get("roles"):
        return "bad_body"
    return "200"


def load_failures(report: LoadReport, p99_budget_ms: float = P99_BUDGET_MS) -> list[str]:
    """Why a load run failed (empty when it passed): no requests, any non-200 or bad answer, p99 over budget."""
    out = []
    if report.requests == 0:
        out.append("no request completed")
    if report.errors:
        out.append(f"{report.errors} errors: {report.status_counts}")
    if report.p99_ms > p99_budget_ms:
        out.append(f"p99 {report.p99_ms} ms > budget {p99_budget_ms} ms")
    return out


def api_load(
    base_url: str,
    clients: int = 20,
    duration_s: float = 30.0,
    seed: int = 20261126,
    timeout_s: float = CLIENT_TIMEOUT_S,
) -> LoadReport:
    """Run ``clients`` threads issuing a mix of analyze/extract/roles requests until ``duration_s`` elapses.

    Every answer is checked (status and a non-empty body); a 200 without skills/analyses counts as an error.
    """
    import httpx

    latencies: list[float] = []
    statuses: dict[str, int] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + duration_s

    def worker(idx: int) -> None:
        rng = random.Random(seed + idx)
        local: list[float] = []
        local_status: dict[str, int] = {}
        with httpx.Client(base_url=base_url, timeout=timeout_s) as http:
            while time.monotonic() < stop_at:  # bounded loop: ends at the deadline
                pick = rng.random()
                text = RESUME + "\nSkills\n" + rng.choice(SKILL_LINES)
                t0 = time.perf_counter()
                try:
                    if pick < 0.6:
                        path = "/v1/analyze"
                        resp = http.post(path, json={"text": text, "role": "backend_engineer"})
                    elif pick < 0.9:
                        path = "/v1/extract"
                        resp = http.post(path, json={"text": text})
                    else:
                        path = "/v1/roles"
                        resp = http.get(path)
                    key = _answer_key(path, resp)
                except httpx.HTTPError as exc:
                    key = type(exc).__name__
                local.append((time.perf_counter() - t0) * 1000)
                local_status[key] = local_status.get(key, 0) + 1
        with lock:
            latencies.extend(local)
            for k, v in local_status.items():
                statuses[k] = statuses.get(k, 0) + v

    t_start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration_s + 60)
    elapsed = time.perf_counter() - t_start
    report = LoadReport(clients=clients, duration_s=duration_s, requests=len(latencies), status_counts=statuses)
    report.errors = sum(v for k, v in statuses.items() if k != "200")
    if latencies:
        q = statistics.quantiles(latencies, n=100, method="inclusive")
        report.p50_ms, report.p95_ms, report.p99_ms = round(q[49], 1), round(q[94], 1), round(q[98], 1)
        report.max_ms = round(max(latencies), 1)
        report.rps = round(len(latencies) / elapsed, 1)
    return report


def main(argv: list[str] | None = None) -> int:
    """CLI: run the API load and/or the ingest drill; print JSON; exit 1 on any error or lost resume."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of API load (0 = skip)")
    parser.add_argument("--ingest", type=int, default=1000, help="resumes for the ingest drill (0 = skip)")
    parser.add_argument("--models", choices=("auto", "fixture", "real"), default="auto")
    args = parser.parse_args(argv)
    from careerready.core.observability import logger

    logger.setLevel("ERROR")
    out: dict[str, Any] = {}
    ok = True
    if args.duration > 0:
        use_real = args.models == "real" or (args.models == "auto" and real_artifacts_ready())
        app = real_app() if use_real else fixture_app()
        with UvicornThread(app) as url:
            load = api_load(url, args.clients, args.duration)
        failures = load_failures(load)
        out["api_load"] = {**asdict(load), "models": "real" if use_real else "fixture", "failures": failures}
        ok &= not failures
    if args.ingest > 0:
        import os
        import uuid

        import boto3
        from moto.server import ThreadedMotoServer

        port = free_port()
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        try:
            url = f"http://127.0.0.1:{port}"
            for k, v in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
                os.environ.setdefault(k, v)
            s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1")
            sqs = boto3.client("sqs", endpoint_url=url, region_name="us-east-1")
            bucket = f"drill-{uuid.uuid4().hex[:8]}"
            s3.create_bucket(Bucket=bucket)
            drill = ingest_drill(s3, sqs, bucket, args.ingest)
        finally:
            server.stop()
        out["ingest_drill"] = {**asdict(drill), "outcomes": drill.outcomes}
        ok &= drill.outcomes == drill.uploaded and drill.error_records == drill.corrupt and drill.left_in_queue == 0
    print(json.dumps(out, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
