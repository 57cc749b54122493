"""S3 incoming/ -> SQS -> ingest handler -> results/, against a moto server on loopback.

The bucket notification, the queue (with its DLQ) and every S3 call are real moto behaviour; the
analysis is an injected deterministic analyzer here (the plumbing is under test), and the real
in-process analysis when trained artifacts exist (``test_real_analysis_roundtrip``).
"""

from __future__ import annotations

import json
import random
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from careerready.services.ingest import (
    AnalysisJob,
    IngestService,
    error_key,
    parse_notification,
    process_sqs_event,
    result_key,
)
from careerready.services.startup import OPTIONAL

from infra.local.events import notify_queue, sqs_event
from tests.documents import docx_bytes, text_pdf

pytestmark = pytest.mark.integration

SKILLS = ["Python", "SQL", "Docker", "Kubernetes", "AWS", "pandas", "React", "TypeScript", "Git", "Terraform"]
ROLES = ["data-scientist", "backend-engineer", None]


def _resume_text(rng: random.Random, i: int) -> str:
    skills = rng.sample(SKILLS, 4)
    return (
        f"Candidate {i}\nSummary\nEngineer with {rng.randint(1, 12)} years of experience.\n"
        f"Skills\n{', '.join(skills)}\nExperience\nBuilt services with {skills[0]} and {skills[1]}.\n"
    )


def _pdf_bytes(text: str) -> bytes:
    return text_pdf(text.splitlines())


def _docx_bytes(text: str) -> bytes:
    return docx_bytes(text.splitlines())


def word_count_analyzer(job: AnalysisJob) -> dict[str, Any]:
    """Deterministic stand-in for the analysis: what it saw, so the test can check the parse path."""
    return {
        "request_id": job.request_id,
        "word_count": len(job.text.split()),
        "skills": sorted(s for s in SKILLS if s in job.text),
        "role": job.role,
        "as_of": job.as_of.isoformat() if job.as_of else None,
        "text": job.text,  # always returned: the service must drop it unless include-text is set
    }


@pytest.fixture
def aws(moto_server: str) -> Iterator[dict[str, Any]]:
    """Bucket (versioned) + queue with DLQ + bucket notification for incoming/, like template.yaml."""
    import boto3

    s3 = boto3.client("s3", region_name="us-east-1")
    sqs = boto3.client("sqs", region_name="us-east-1")
    name = f"resumes-{uuid.uuid4().hex[:10]}"
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue_url = sqs.create_queue(
        QueueName=f"{name}-q",
        Attributes={
            # 0 s: a failed record is visible again at once, so the redrive is quick to observe
            "VisibilityTimeout": "0",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"}),
        },
    )["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    notify_queue(s3, name, queue_arn)
    _drain_raw(sqs, queue_url)  # the s3:TestEvent moto may send on configuration
    yield {"s3": s3, "sqs": sqs, "bucket": name, "queue_url": queue_url, "queue_arn": queue_arn, "dlq_url": dlq_url}


def _drain_raw(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    while True:
        msgs = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not msgs:
            return out
        for m in msgs:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
        out.extend(msgs)


def _drain_through_handler(
    aws: dict[str, Any], service: IngestService, batch_size: int = 10
) -> tuple[list[dict[str, Any]], list[str]]:
    """Poll like the event source mapping: invoke per batch, delete what did not fail."""
    sqs, url = aws["sqs"], aws["queue_url"]
    events: list[dict[str, Any]] = []
    failed: list[str] = []
    while True:
        msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=batch_size).get("Messages", [])
        if not msgs:
            return events, failed
        event = sqs_event(msgs, aws["queue_arn"])
        events.append(event)
        response = process_sqs_event(event, service)
        bad = {f["itemIdentifier"] for f in response["batchItemFailures"]}
        failed.extend(bad)
        for m in msgs:
            if m["MessageId"] not in bad:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def _listing(s3: Any, bucket: str, prefix: str) -> dict[str, tuple[str, int]]:
    """``{key: (etag, number of versions)}`` under a prefix."""
    out: dict[str, tuple[str, int]] = {}
    paginator = s3.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        for v in page.get("Versions", []):
            etag, count = out.get(v["Key"], ("", 0))
            out[v["Key"]] = (v["ETag"] if v["IsLatest"] else etag, count + 1)
    return out


def _upload_corpus(aws: dict[str, Any], n: int = 100, n_corrupt: int = 5) -> dict[str, dict[str, Any]]:
    rng = random.Random(20261126)
    s3, bucket = aws["s3"], aws["bucket"]
    corrupt = set(rng.sample(range(n), n_corrupt))
    uploaded: dict[str, dict[str, Any]] = {}
    for i in range(n):
        text = _resume_text(rng, i)
        kind = ("txt", "pdf", "docx")[i % 3]
        # spaces and '+' exercise the URL-encoding of keys in notifications
        key = f"incoming/batch 1/cand+{i:03d}.{kind}"
        meta: dict[str, str] = {}
        role = ROLES[i % len(ROLES)]
        if role:
            meta["role"] = role
        if i == 7:
            meta["include-text"] = "true"
        if i in corrupt:
            kind = "pdf" if i % 2 else "docx"
            key = f"incoming/batch 1/broken {i:03d}.{kind}"
            body = rng.randbytes(2048)
        elif kind == "pdf":
            body = _pdf_bytes(text)
        elif kind == "docx":
            body = _docx_bytes(text)
        else:
            body = text.encode("utf-8")
        s3.put_object(Bucket=bucket, Key=key, Body=body, Metadata=meta)
        uploaded[key] = {"text": text, "corrupt": i in corrupt, "role": role, "include_text": i == 7}
    s3.put_object(Bucket=bucket, Key="elsewhere/not-a-resume.txt", Body=b"ignored by the prefix filter")
    return uploaded


def test_parse_notification_decodes_keys_and_skips_test_events() -> None:
    body = {
        "Records": [
            {
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "bucket": {"name": "b"},
                    "object": {"key": "incoming/bob+smith%282%29.pdf", "eTag": "abc", "size": 10, "versionId": "v1"},
                },
            }
        ]
    }
    (ref,) = parse_notification(json.dumps(body))
    assert (ref.key, ref.etag, ref.version_id, ref.size) == ("incoming/bob smith(2).pdf", "abc", "v1", 10)
    assert parse_notification({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "b"}) == []
    assert result_key(ref.key) == "results/bob smith(2).pdf.json"
    assert error_key(ref.key) == "results/errors/bob smith(2).pdf.json"


def test_hundred_resumes_exactly_once(aws: dict[str, Any]) -> None:
    s3, bucket = aws["s3"], aws["bucket"]
    uploaded = _upload_corpus(aws)
    service = IngestService(s3, word_count_analyzer)

    events, failed = _drain_through_handler(aws, service, batch_size=10)
    assert failed == []
    assert sum(len(e["Records"]) for e in events) == 100  # one notification per object, none for elsewhere/

    results = _listing(s3, bucket, "results/")
    errors = {k for k in results if k.startswith("results/errors/")}
    successes = set(results) - errors
    assert len(successes) == 95 and len(errors) == 5
    assert successes == {result_key(k) for k, v in uploaded.items() if not v["corrupt"]}
    assert errors == {error_key(k) for k, v in uploaded.items() if v["corrupt"]}

    for key, info in uploaded.items():
        if info["corrupt"]:
            record = json.loads(s3.get_object(Bucket=bucket, Key=error_key(key))["Body"].read())
            assert record["key"] == key and record["code"] == "invalid_input" and record["reason"]
            continue
        doc = json.loads(s3.get_object(Bucket=bucket, Key=result_key(key))["Body"].read())
        analysis = doc["analysis"]
        # the parse path delivered the same words the resume was written with (txt, pdf and docx alike)
        assert analysis["word_count"] == len(info["text"].split()), key
        assert analysis["skills"] == sorted(s for s in SKILLS if s in info["text"])
        assert doc["role"] == info["role"] == analysis["role"]
        assert doc["source"]["key"] == key and doc["source"]["etag"]
        assert ("text" in analysis) is info["include_text"]
        # "present" in the resume's work dates is the day it was uploaded, not the day it was scored
        assert analysis["as_of"] == s3.head_object(Bucket=bucket, Key=key)["LastModified"].date().isoformat()

    # redeliver every message (at-least-once delivery): nothing is rewritten
    before = _listing(s3, bucket, "results/")
    for event in events:
        assert process_sqs_event(event, service) == {"batchItemFailures": []}
    assert _listing(s3, bucket, "results/") == before
    duplicates = [o for e in events for r in e["Records"] for o in service.handle_message(r["body"])]
    assert len(duplicates) == 100 and {o.status for o in duplicates} == {"duplicate"}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_s3_is_retried_then_dead_lettered(aws: dict[str, Any]) -> None:
    import boto3
    from botocore.config import Config

    s3, bucket, sqs = aws["s3"], aws["bucket"], aws["sqs"]
    s3.put_object(Bucket=bucket, Key="incoming/a.txt", Body=b"Python developer with SQL and Docker experience")
    s3.put_object(Bucket=bucket, Key="incoming/b.txt", Body=b"Data analyst: SQL, pandas, Git")
    dead_s3 = boto3.client(
        "s3",
        region_name="us-east-1",
        endpoint_url=f"http://127.0.0.1:{_closed_port()}",
        config=Config(connect_timeout=0.5, retries={"max_attempts": 1}),
    )
    broken = IngestService(dead_s3, word_count_analyzer)
    healthy = IngestService(s3, word_count_analyzer)

    # every record fails -> Powertools raises so the whole batch returns to the queue
    msgs = sqs.receive_message(QueueUrl=aws["queue_url"], MaxNumberOfMessages=10)["Messages"]
    assert len(msgs) == 2
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    with pytest.raises(BatchProcessingError):
        process_sqs_event(sqs_event(msgs, aws["queue_arn"]), broken)
    assert _listing(s3, bucket, "results/") == {}

    # a mixed batch: the failed record alone is reported for retry
    msgs = sqs.receive_message(QueueUrl=aws["queue_url"], MaxNumberOfMessages=10)["Messages"]
    event = sqs_event(msgs, aws["queue_arn"])
    good = json.dumps(json.loads(msgs[0]["Body"]))
    event["Records"].append({**event["Records"][0], "messageId": "extra", "body": good})

    class HalfBroken(IngestService):
        def process_object(self, ref: Any) -> Any:
            return (healthy if ref.key.endswith("a.txt") else broken).process_object(ref)

    response = process_sqs_event(event, HalfBroken(s3, word_count_analyzer))
    b_ids = {r["messageId"] for r in event["Records"] if "b.txt" in r["body"]}
    assert {f["itemIdentifier"] for f in response["batchItemFailures"]} == b_ids
    assert set(_listing(s3, bucket, "results/")) == {"results/a.txt.json"}
    for m in msgs:  # what the event source mapping does with the records that did not fail
        if m["MessageId"] not in b_ids:
            sqs.delete_message(QueueUrl=aws["queue_url"], ReceiptHandle=m["ReceiptHandle"])

    # b keeps failing: after maxReceiveCount (3) receives it moves to the DLQ
    for _ in range(5):
        msgs = sqs.receive_message(QueueUrl=aws["queue_url"], MaxNumberOfMessages=10).get("Messages", [])
        msgs = [m for m in msgs if "b.txt" in m["Body"]]
        if msgs:
            with pytest.raises(BatchProcessingError):
                process_sqs_event(sqs_event(msgs, aws["queue_arn"]), HalfBroken(s3, word_count_analyzer))
    dead = sqs.receive_message(QueueUrl=aws["dlq_url"], MaxNumberOfMessages=10).get("Messages", [])
    assert [parse_notification(m["Body"])[0].key for m in dead] == ["incoming/b.txt"]


@pytest.mark.slow
def test_real_analysis_roundtrip(aws: dict[str, Any], fresh_settings: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from careerready.core.paths import ARTIFACTS_DIR, REGISTRY_PATH

    registry = json.loads(REGISTRY_PATH.read_text())
    needed = {(m, v) for models in registry.values() for m, v in models.items() if m not in OPTIONAL}
    missing = sorted(f"{m}/{v}" for m, v in needed if not (ARTIFACTS_DIR / m / v / "manifest.json").exists())
    if missing:
        pytest.skip(f"trained artifacts missing: {', '.join(missing)} (run `make train`)")
    from careerready.services.ingest import default_analyzer

    monkeypatch.setenv("CAREERREADY_ARTIFACT_SOURCE", "local")
    monkeypatch.setenv("CAREERREADY_TRANSPORT", "inprocess")
    s3, bucket = aws["s3"], aws["bucket"]
    text = _resume_text(random.Random(3), 3) + "Machine learning with scikit-learn and PyTorch; daily Python and SQL.\n"
    s3.put_object(Bucket=bucket, Key="incoming/real.docx", Body=_docx_bytes(text))
    service = IngestService(s3, default_analyzer())
    _, failed = _drain_through_handler(aws, service)
    assert failed == []
    doc = json.loads(s3.get_object(Bucket=bucket, Key="results/real.docx.json")["Body"].read())
    analysis = doc["analysis"]
    assert analysis["source"]["kind"] == "s3" and analysis["source"]["s3_key"] == "incoming/real.docx"
    assert analysis["analyses"] and analysis["best_role_id"] == analysis["analyses"][0]["match"]["role_id"]
    assert {s["skill_id"] for s in analysis["skills"] if s["skill_id"]} >= {"python", "sql"}
    assert analysis.get("text") is None
    uploaded = s3.head_object(Bucket=bucket, Key="incoming/real.docx")["LastModified"]
    assert analysis["as_of"] == uploaded.date().isoformat()


def test_several_roles_in_metadata_reach_the_analysis_in_order(aws: dict[str, Any]) -> None:
    s3, bucket = aws["s3"], aws["bucket"]
    seen: dict[str, tuple[str, ...]] = {}

    def roles_analyzer(job: AnalysisJob) -> dict[str, Any]:
        seen[job.key] = job.roles
        return {"role": job.role, "roles": list(job.roles)}

    text = _resume_text(random.Random(5), 5)
    s3.put_object(
        Bucket=bucket,
        Key="incoming/multi.txt",
        Body=text.encode(),
        Metadata={"role": "backend-engineer; Data Scientist ;", "roles": "devops-engineer"},
    )
    s3.put_object(Bucket=bucket, Key="incoming/one.txt", Body=text.encode(), Metadata={"role": "Data Scientist"})
    s3.put_object(Bucket=bucket, Key="incoming/none.txt", Body=text.encode())
    _, failed = _drain_through_handler(aws, IngestService(s3, roles_analyzer))
    assert failed == []
    assert seen == {
        "incoming/multi.txt": ("backend-engineer", "Data Scientist", "devops-engineer"),
        "incoming/one.txt": ("Data Scientist",),
        "incoming/none.txt": (),
    }
    doc = json.loads(s3.get_object(Bucket=bucket, Key="results/multi.txt.json")["Body"].read())
    assert doc["role"] == "backend-engineer" and doc["roles"] == list(seen["incoming/multi.txt"])


def test_real_analysis_several_roles_keep_their_order(
    aws: dict[str, Any], fresh_settings: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from careerready.core.paths import ARTIFACTS_DIR, REGISTRY_PATH

    registry = json.loads(REGISTRY_PATH.read_text())
    needed = {(m, v) for models in registry.values() for m, v in models.items()}
    missing = sorted(f"{m}/{v}" for m, v in needed if not (ARTIFACTS_DIR / m / v / "manifest.json").exists())
    if missing:
        pytest.skip(f"trained artifacts missing: {', '.join(missing)} (run `make train`)")
    from careerready.services.ingest import default_analyzer

    monkeypatch.setenv("CAREERREADY_ARTIFACT_SOURCE", "local")
    monkeypatch.setenv("CAREERREADY_TRANSPORT", "inprocess")
    s3, bucket = aws["s3"], aws["bucket"]
    text = _resume_text(random.Random(3), 3) + "Machine learning with scikit-learn and PyTorch; daily Python and SQL.\n"
    roles = ["Frontend Developer", "Data Scientist", "DevOps Engineer"]
    s3.put_object(Bucket=bucket, Key="incoming/three.txt", Body=text.encode(), Metadata={"role": ";".join(roles)})
    _, failed = _drain_through_handler(aws, IngestService(s3, default_analyzer()))
    assert failed == []
    analysis = json.loads(s3.get_object(Bucket=bucket, Key="results/three.txt.json")["Body"].read())["analysis"]
    assert [a["role"]["query"] for a in analysis["analyses"]] == roles
    scores = {a["match"]["role_id"]: a["match"]["score"] for a in analysis["analyses"]}
    assert analysis["best_role_id"] in scores
    for a in analysis["analyses"]:
        assert len(a["readiness"]["reasons"]) >= 2
