"""Throughput of the S3-event path: moto S3 ``incoming/`` -> SQS notification -> ingest handler -> ``results/``.

The parent creates a resume bucket and a queue on the local moto server and subscribes the queue to
``incoming/`` object-created events; a child process (clean CPU accounting) imports the ingest
handler (models from the warm cache), uploads the resumes, receives the notifications in batches of
up to 10 (the SQS maximum per receive) and hands each batch to the handler as an SQS event.
"Per core" = resumes per CPU-second of the handler process (user + system; moto's CPU not counted).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.coldstart import function_env
from bench.common import run_child, summarize
from bench.resumes import BenchResume
from bench.stack import MotoStack
from infra.local.events import notify_queue

__all__ = ["measure_event_path"]

BUCKET = "careerready-bench-event-resumes"
QUEUE = "careerready-bench-ingest"


def measure_event_path(
    stack: MotoStack, cache_dir: Path, resumes: Sequence[BenchResume], n: int, batch: int = 10
) -> dict[str, Any]:
    """Push ``n`` resumes (cycling over ``resumes``) through the event path; resumes/s and per core."""
    s3 = stack.client("s3")
    sqs = stack.client("sqs")
    s3.create_bucket(Bucket=BUCKET)
    queue_url = sqs.create_queue(QueueName=QUEUE, Attributes={"VisibilityTimeout": "300"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    notify_queue(s3, BUCKET, arn)
    texts = [resumes[i % len(resumes)].text for i in range(n)]
    mix: dict[str, int] = {}
    for i in range(n):
        size = resumes[i % len(resumes)].size
        mix[size] = mix.get(size, 0) + 1
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as fh:
        json.dump(texts, fh)
        texts_path = fh.name
    env = function_env("ingest", {**stack.env(cache_dir), "CAREERREADY_RESUME_BUCKET": BUCKET})
    try:
        res = run_child(
            [
                "ingest",
                "--texts",
                texts_path,
                "--bucket",
                BUCKET,
                "--queue-url",
                queue_url,
                "--endpoint",
                stack.url,
                "--batch",
                str(batch),
                "--timeout",
                "300",
            ],
            env,
            timeout_s=420,
        )
    finally:
        Path(texts_path).unlink(missing_ok=True)
    handled = res["handled"]
    res["size_mix"] = mix
    res["resumes_per_s_wall"] = round(handled / res["handler_wall_s"], 2) if res["handler_wall_s"] else None
    res["resumes_per_s_per_core"] = round(handled / res["handler_cpu_s"], 2) if res["handler_cpu_s"] else None
    res["resumes_per_s_end_to_end"] = round(handled / res["end_to_end_s"], 2) if res["end_to_end_s"] else None
    res["batch_summary"] = summarize(res.get("batch_ms") or [])
    sizes, cpu, wall = res.get("batch_sizes") or [], res.get("batch_cpu_s") or [], res.get("batch_ms") or []
    if len(sizes) > 1 and sum(cpu[1:]) > 0:
        # steady state: without the first batch (first-call costs inside the handler)
        res["steady_resumes_per_s_per_core"] = round(sum(sizes[1:]) / sum(cpu[1:]), 2)
        res["steady_resumes_per_s_wall"] = round(sum(sizes[1:]) / (sum(wall[1:]) / 1000), 2)
    return res
