"""Privacy: no resume text, e-mail or phone number in any log line; S3 results hold no resume text unless asked.

All output is captured at DEBUG: every handler of every logger (the Powertools JSON logger included,
formatted with its extra fields), a root handler for third-party loggers, and fd-level stdout/stderr.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from careerready.services.ingest import IngestService, error_key, process_sqs_event, result_key

from tests.hardening._support import fixture_analyzer, fixture_app, real_app, real_artifacts_ready, s3_event, sqs_event

UNIQUE = "Zephyrine quokka marmalade orchestrates lighthouse ballots"
EMAIL = "jane.q.doe+cv@example-mail.org"
PHONE = "+1 (415) 555-0199"
SECRETS = (UNIQUE, EMAIL, PHONE, "Zephyrine", "quokka marmalade", "415) 555", "555-0199", "jane.q.doe")
RESUME = f"""Jane Q. Doe
{EMAIL} | {PHONE}

Summary
{UNIQUE}. Backend engineer with 6 years of experience.

Skills
Python, Django, PostgreSQL, Docker, Git, Linux

Experience
Senior Backend Engineer, Acme (2019-2025)
- Built REST APIs in Python and Django on PostgreSQL.
"""


@contextmanager
def capture_all_logs() -> Iterator[io.StringIO]:
    """Route every logging handler's stream (and a root catch-all at DEBUG) into one buffer."""
    buf = io.StringIO()
    swapped: list[tuple[logging.StreamHandler[Any], Any]] = []
    levels: list[tuple[logging.Logger, int]] = []
    loggers = [logging.getLogger()] + [
        lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)
    ]
    seen: set[int] = set()
    for lg in loggers:
        levels.append((lg, lg.level))
        for h in lg.handlers:
            if isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler) and id(h) not in seen:
                seen.add(id(h))
                swapped.append((h, h.stream))
                h.stream = buf
    catch_all = logging.StreamHandler(buf)
    catch_all.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(catch_all)
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
    try:
        yield buf
    finally:
        root.removeHandler(catch_all)
        for h, old in swapped:
            h.stream = old
        for lg, level in levels:
            lg.setLevel(level)


def _assert_clean(text: str, where: str) -> None:
    leaks = [s for s in SECRETS if s.lower() in text.lower()]
    assert not leaks, (
        f"{where} leaks {leaks}: "
        + next((line for line in text.splitlines() if any(s.lower() in line.lower() for s in leaks)), "")[:400]
    )


def _exercise_api(client: Any) -> list[int]:
    statuses = []
    statuses.append(client.post("/v1/analyze", json={"text": RESUME, "role": "backend_engineer"}).status_code)
    statuses.append(client.post("/v1/analyze", json={"text": RESUME}).status_code)
    statuses.append(client.post("/v1/analyze", files={"file": ("cv.txt", RESUME.encode(), "text/plain")}).status_code)
    statuses.append(client.post("/v1/extract", json={"text": RESUME}).status_code)
    # error paths: unknown role, invalid field next to the text, invalid UTF-8 upload, text over the limit
    statuses.append(client.post("/v1/analyze", json={"text": RESUME, "role": UNIQUE}).status_code)
    statuses.append(client.post("/v1/analyze", json={"text": RESUME, "years_experience": EMAIL}).status_code)
    statuses.append(client.post("/v1/analyze", json={"text": RESUME, "bogus": PHONE}).status_code)
    bad = RESUME.encode() + b"\xff"
    statuses.append(client.post("/v1/analyze", files={"file": ("cv.txt", bad, "text/plain")}).status_code)
    statuses.append(client.post("/v1/extract", json={"text": RESUME * 400}).status_code)
    statuses.append(
        client.post("/v1/analyze", content=RESUME.encode(), headers={"content-type": "application/json"}).status_code
    )
    return statuses


def _apps() -> list[Any]:
    out = [pytest.param("fixture", id="fixture")]
    if real_artifacts_ready():
        out.append(pytest.param("real", id="real"))
    return out


@pytest.mark.parametrize("which", _apps())
def test_api_logs_never_contain_resume_text_or_contacts(which: str, capfd: pytest.CaptureFixture[str]) -> None:
    from fastapi.testclient import TestClient

    app = real_app() if which == "real" else fixture_app()
    with capture_all_logs() as buf:
        client = TestClient(app, raise_server_exceptions=False)
        statuses = _exercise_api(client)
    out, err = capfd.readouterr()
    logged = buf.getvalue()
    assert statuses[:4] == [200, 200, 200, 200] and all(400 <= s < 500 for s in statuses[4:]), statuses
    assert logged.count("\n") >= 5, "the capture must see the app's log lines (else this test cannot fail)"
    _assert_clean(logged, "logging")
    _assert_clean(out + err, "stdout/stderr")


def test_capture_would_catch_a_leak() -> None:
    from careerready.core.observability import logger

    with capture_all_logs() as buf:
        logger.debug("oops", text=RESUME)
    with pytest.raises(AssertionError, match="leaks"):
        _assert_clean(buf.getvalue(), "logging")


def _ingest(s3_client: Any, bucket: str, key: str, body: bytes, metadata: dict[str, str]) -> tuple[str, dict[str, Any]]:
    put = s3_client.put_object(Bucket=bucket, Key=key, Body=body, ContentType="text/plain", Metadata=metadata)
    service = IngestService(s3_client, fixture_analyzer)
    with capture_all_logs() as buf:
        result = process_sqs_event(sqs_event([s3_event(bucket, key, put["ETag"].strip('"'))]), service)
    assert result == {"batchItemFailures": []}
    return buf.getvalue(), result


def test_ingest_logs_and_results_hold_no_resume_text(
    s3_client: Any, s3_bucket: str, capfd: pytest.CaptureFixture[str]
) -> None:
    logged, _ = _ingest(s3_client, s3_bucket, "incoming/jane.txt", RESUME.encode(), {"role": "backend_engineer"})
    logged_err, _ = _ingest(s3_client, s3_bucket, "incoming/bad.txt", RESUME.encode() + b"\xff", {})
    out, err = capfd.readouterr()
    assert "ingest result written" in logged and "ingest error record written" in logged_err
    _assert_clean(logged + logged_err, "ingest logging")
    _assert_clean(out + err, "ingest stdout/stderr")
    result = s3_client.get_object(Bucket=s3_bucket, Key=result_key("incoming/jane.txt"))["Body"].read().decode()
    assert json.loads(result)["analysis"]["skills"], "the result holds the analysis"
    _assert_clean(result, "results/ object")
    # no resume line at all (skill evidence sentences included) is stored without include-text
    quoted = [line.strip() for line in RESUME.splitlines() if len(line.strip()) >= 15 and line.strip() in result]
    assert quoted == [], quoted
    error = s3_client.get_object(Bucket=s3_bucket, Key=error_key("incoming/bad.txt"))["Body"].read().decode()
    _assert_clean(error, "results/errors/ object")


def test_ingest_result_holds_text_only_when_asked(s3_client: Any, s3_bucket: str) -> None:
    _ingest(s3_client, s3_bucket, "incoming/opt-in.txt", RESUME.encode(), {"include-text": "true"})
    doc = json.loads(s3_client.get_object(Bucket=s3_bucket, Key=result_key("incoming/opt-in.txt"))["Body"].read())
    assert UNIQUE in doc["analysis"]["text"] and EMAIL in doc["analysis"]["text"]
    assert any(s["sentence"] for s in doc["analysis"]["skills"]), "evidence sentences kept when text is asked for"
