"""Faults: unreachable S3 at cold start, tampered artifacts, failing/hanging stages, redelivery, poison messages.

Each test asserts the protection's observable effect, so removing the protection makes it fail
(docs/hardening.md lists how each was checked).
"""

from __future__ import annotations

import json
import socket
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from careerready.core.errors import ArtifactError, ArtifactIntegrityError, StageError
from careerready.services.artifacts import ArtifactStore, S3Source
from careerready.services.ingest import IngestService, error_key, process_sqs_event, result_key

from tests.hardening._support import (
    ARTIFACTS,
    fixture_analyzer,
    s3_event,
    serving_models,
    sqs_event,
)
from tests.hardening.lambda_stub import lambda_stub
from training.artifacts import publish

needs_artifacts = pytest.mark.skipif(
    not all((ARTIFACTS / m / "v1" / "manifest.json").is_file() for m in ("catalog", "extractor")),
    reason="artifacts/{catalog,extractor}/v1 not trained (run `make train`)",
)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again on exit: connections are refused


def _publish_extract_models(s3_client: Any, bucket: str, tmp_path: Path) -> None:
    """Publish the extract stage's artifacts; the tiny test tagger stands in for ner/v1 when it was not trained
    (a checkout without the dotin dataset), so the stage still loads a tagger."""
    from careerready.services.registry import load_registry

    from tests.tiny_ner import tagger_artifact

    for model, version in load_registry().models_for("extract").items():
        local = ARTIFACTS / model / version
        if model == "ner":
            local = tagger_artifact(local, tmp_path / "tiny-ner" / version)
        publish(local, model, version, s3_client, bucket)


# ---- cold start --------------------------------------------------------------------------------------
@needs_artifacts
def test_cold_start_with_s3_unreachable_fails_clearly_then_recovers(
    s3_client: Any, s3_bucket: str, moto_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from careerready.core.config import get_settings
    from careerready.services.startup import get_models

    dead = f"http://127.0.0.1:{_closed_port()}"
    env = {
        "CAREERREADY_ARTIFACT_SOURCE": "s3",
        "CAREERREADY_ARTIFACT_BUCKET": s3_bucket,
        "CAREERREADY_S3_ENDPOINT_URL": dead,
        "CAREERREADY_CACHE_DIR": str(tmp_path / "cache"),
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    get_models.cache_clear()
    try:
        # Given S3 unreachable / When the stage cold-starts / Then a clear error naming artifact + endpoint
        t0 = time.perf_counter()
        with pytest.raises(ArtifactError) as info:
            get_models("extract")
        seconds = time.perf_counter() - t0
        message = info.value.message
        assert "cold start of stage 'extract'" in message and "catalog/v1" in message
        assert dead.removeprefix("http://") in message, message
        assert seconds < 15, f"cold-start failure took {seconds:.1f} s"
        # no half-loaded state: nothing cached in-process, nothing left in the download cache
        assert get_models.cache_info().currsize == 0
        assert not (tmp_path / "cache" / "catalog" / "v1").exists()

        # When S3 is fixed (artifacts published, endpoint right) / Then the retry loads the models
        _publish_extract_models(s3_client, s3_bucket, tmp_path)
        monkeypatch.setenv("CAREERREADY_S3_ENDPOINT_URL", moto_server)
        get_settings.cache_clear()
        models = get_models("extract")
        assert models.extractor is not None and models.catalog is not None
        assert models.versions == {"catalog": "v1", "extractor": "v1", "ner": "v1"} and models.ner is not None
        assert models.load_timings["catalog"]["cached"] == 0.0  # downloaded, verified, loaded
    finally:
        get_settings.cache_clear()
        get_models.cache_clear()


@needs_artifacts
def test_tampered_artifact_is_refused_and_not_cached(s3_client: Any, s3_bucket: str, tmp_path: Path) -> None:
    publish(ARTIFACTS / "catalog" / "v1", "catalog", "v1", s3_client, s3_bucket)
    key = "models/catalog/v1/roles.json"
    original = s3_client.get_object(Bucket=s3_bucket, Key=key)["Body"].read()
    s3_client.put_object(Bucket=s3_bucket, Key=key, Body=original.replace(b"engineer", b"enginEEr", 1))
    store = ArtifactStore(S3Source(s3_bucket, "models", s3_client), cache_dir=tmp_path)
    with pytest.raises(ArtifactIntegrityError, match=r"sha256 mismatch for roles\.json"):
        store.fetch("catalog", "v1")
    assert not (tmp_path / "catalog" / "v1").exists(), "a failed download must not leave a cache entry"
    # restoring the bytes makes the same store work (the refusal was about the bytes, not sticky state)
    s3_client.put_object(Bucket=s3_bucket, Key=key, Body=original)
    assert (store.fetch("catalog", "v1") / "roles.json").read_bytes() == original


# ---- stage faults inside /v1/analyze (LambdaTransport against a loopback Invoke API) ---------------------
FUNCTIONS = {"extract": "Extract", "match": "Match", "readiness": "Readiness", "recommend": "Recommend"}


def _remote_client(endpoint: str, monkeypatch: pytest.MonkeyPatch, timeout_s: float = 1.0) -> Any:
    from careerready.api.app import create_app
    from careerready.api.deps import CatalogBundle
    from careerready.core.config import load_settings
    from careerready.services.transport import LambdaTransport
    from fastapi.testclient import TestClient

    for k, v in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(k, v)
    transport = LambdaTransport(FUNCTIONS, endpoint_url=endpoint, timeout_s=timeout_s, connect_timeout_s=1.0)
    catalog = serving_models.fixture_models().catalog
    app = create_app(
        transport,
        settings=load_settings(artifact_source="local"),
        catalog_provider=lambda: CatalogBundle(catalog, {"catalog": "fixture"}),
    )
    return TestClient(app, raise_server_exceptions=False)


def _analyze(client: Any) -> tuple[Any, float]:
    t0 = time.perf_counter()
    resp = client.post("/v1/analyze", json={"text": serving_models.RESUME, "role": "backend_engineer"})
    return resp, time.perf_counter() - t0


def test_remote_stages_healthy_baseline(monkeypatch: pytest.MonkeyPatch) -> None:
    with lambda_stub({}) as (endpoint, calls):
        resp, _ = _analyze(_remote_client(endpoint, monkeypatch))
    assert resp.status_code == 200, resp.text
    assert resp.json()["transport"] == "lambda"
    assert calls == Counter({"Extract": 1, "Match": 1, "Readiness": 1, "Recommend": 1})


def test_health_behind_remote_stages_points_at_the_extract_function(monkeypatch: pytest.MonkeyPatch) -> None:
    from careerready.api.routes.health import REMOTE_EXTRACTOR

    with lambda_stub({}) as (endpoint, calls):
        resp = _remote_client(endpoint, monkeypatch).get("/v1/health")
    assert resp.status_code == 200, resp.text
    assert resp.json()["extractor"] == REMOTE_EXTRACTOR and sum(calls.values()) == 0  # health invokes no stage


def test_hanging_stage_gives_504_naming_it_with_bounded_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    with lambda_stub({"Extract": "hang:6"}) as (endpoint, calls):
        resp, seconds = _analyze(_remote_client(endpoint, monkeypatch, timeout_s=1.0))
        n_extract = calls["Extract"]
    assert resp.status_code == 504, resp.text
    detail = resp.json()["detail"]
    assert detail["code"] == "stage_timeout" and detail["stage"] == "extract"
    assert "extract" in detail["message"]
    assert 1 <= n_extract <= 2, f"{n_extract} invocations: retries must be bounded (max_attempts=2)"
    assert seconds < 5.0, f"analyze hung for {seconds:.1f} s (stage read timeout 1 s, stub sleeps 6 s)"


def test_crashing_stage_gives_502_naming_it_without_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    with lambda_stub({"Match": "crash"}) as (endpoint, calls):
        resp, _ = _analyze(_remote_client(endpoint, monkeypatch))
    assert resp.status_code == 502, resp.text
    detail = resp.json()["detail"]
    assert detail["code"] == "stage_failed" and detail["stage"] == "match"
    assert "ZeroDivisionError" in detail["message"]
    assert calls["Match"] == 1, "a function that ran and failed is not retried"
    assert calls["Readiness"] == 0 and calls["Recommend"] == 0, "later stages are not called after a failure"


def test_function_timeout_gives_504_naming_the_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    with lambda_stub({"Readiness": "task_timeout"}) as (endpoint, calls):
        resp, _ = _analyze(_remote_client(endpoint, monkeypatch))
    assert resp.status_code == 504, resp.text
    assert resp.json()["detail"]["stage"] == "readiness"
    assert calls["Readiness"] == 1


def test_unreachable_stage_endpoint_gives_502(monkeypatch: pytest.MonkeyPatch) -> None:
    client = _remote_client(f"http://127.0.0.1:{_closed_port()}", monkeypatch)
    resp, seconds = _analyze(client)
    assert resp.status_code in (502, 504), resp.text
    assert resp.json()["detail"]["stage"] == "extract"
    assert seconds < 10.0


# ---- ingest: redelivery and duplicates -----------------------------------------------------------------
class CountingAnalyzer:
    def __init__(self, fail_keys: set[str] | None = None) -> None:
        self.calls: Counter[str] = Counter()
        self.fail_keys = fail_keys or set()

    def __call__(self, job: Any) -> dict[str, Any]:
        self.calls[job.key] += 1
        if job.key in self.fail_keys:
            raise StageError("stage match failed: RuntimeError", stage="match")
        return fixture_analyzer(job)


def test_sqs_redelivery_and_duplicate_s3_events_are_idempotent(s3_client: Any, s3_bucket: str) -> None:
    s3_client.put_bucket_versioning(Bucket=s3_bucket, VersioningConfiguration={"Status": "Enabled"})
    key = "incoming/jane doe.txt"
    put = s3_client.put_object(Bucket=s3_bucket, Key=key, Body=serving_models.RESUME.encode(), ContentType="text/plain")
    body = s3_event(s3_bucket, key, put["ETag"].strip('"'), put["VersionId"], len(serving_models.RESUME))
    analyzer = CountingAnalyzer()
    service = IngestService(s3_client, analyzer)
    # the same notification twice in one batch (S3 may emit duplicates), then the whole batch redelivered
    first = process_sqs_event(sqs_event([body, body]), service)
    second = process_sqs_event(sqs_event([body]), service)
    assert first == {"batchItemFailures": []} and second == {"batchItemFailures": []}
    assert analyzer.calls[key] == 1, "the analysis ran once for one object version"
    versions = s3_client.list_object_versions(Bucket=s3_bucket, Prefix=result_key(key))["Versions"]
    assert len(versions) == 1, "the result was written once"
    # a NEW version of the same key is a new resume: analysed again
    put2 = s3_client.put_object(Bucket=s3_bucket, Key=key, Body=(serving_models.RESUME + "\nKubernetes").encode())
    process_sqs_event(sqs_event([s3_event(s3_bucket, key, put2["ETag"].strip('"'), put2["VersionId"])]), service)
    assert analyzer.calls[key] == 2


# ---- ingest: poison message -> DLQ, batch-mates succeed ----------------------------------------------------
def _drain(sqs: Any, queue_url: str, service: IngestService, max_rounds: int = 30) -> int:
    """Emulate the Lambda SQS poller: receive, invoke, delete what succeeded. Returns the rounds used."""
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    for round_no in range(max_rounds):
        msgs = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0, AttributeNames=["All"]
        ).get("Messages", [])
        if not msgs:
            return round_no
        event = sqs_event([m["Body"] for m in msgs], [m["MessageId"] for m in msgs])
        try:
            failed = {f["itemIdentifier"] for f in process_sqs_event(event, service)["batchItemFailures"]}
        except BatchProcessingError:
            failed = {m["MessageId"] for m in msgs}  # every record failed: the whole batch is retried
        for m in msgs:
            if m["MessageId"] not in failed:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
    raise AssertionError("queue did not drain")


def make_queue_with_dlq(sqs: Any, name: str, max_receive: int = 3) -> tuple[str, str]:
    """An SQS queue with a redrive policy to a DLQ (``maxReceiveCount``); returns (queue url, dlq url)."""
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receive)})
    url = sqs.create_queue(QueueName=name, Attributes={"RedrivePolicy": policy})["QueueUrl"]
    return url, dlq_url


def test_poison_message_reaches_dlq_while_batch_mates_succeed(s3_client: Any, s3_bucket: str) -> None:
    import boto3

    sqs = boto3.client("sqs", region_name="us-east-1")
    queue_url, dlq_url = make_queue_with_dlq(sqs, f"ingest-{s3_bucket}")
    keys = [f"incoming/r{i}.txt" for i in range(5)] + ["incoming/poison.txt"]
    for key in keys:
        put = s3_client.put_object(Bucket=s3_bucket, Key=key, Body=serving_models.RESUME.encode())
        sqs.send_message(QueueUrl=queue_url, MessageBody=s3_event(s3_bucket, key, put["ETag"].strip('"')))
    analyzer = CountingAnalyzer(fail_keys={"incoming/poison.txt"})
    _drain(sqs, queue_url, IngestService(s3_client, analyzer))

    dead = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10).get("Messages", [])
    assert [json.loads(m["Body"])["Records"][0]["s3"]["object"]["key"] for m in dead] == ["incoming%2Fpoison.txt"]
    assert analyzer.calls["incoming/poison.txt"] == 3, "retried exactly maxReceiveCount times, then dead-lettered"
    for key in keys[:5]:
        assert analyzer.calls[key] == 1
        s3_client.head_object(Bucket=s3_bucket, Key=result_key(key))
    with pytest.raises(Exception, match="404|Not Found"):
        s3_client.head_object(Bucket=s3_bucket, Key=error_key("incoming/poison.txt"))
