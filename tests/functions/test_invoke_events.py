"""Every function of template.yaml invoked Docker-free with its events/<name>.json (infra.local.invoke).

The handler runs in a fresh process with the template's environment, exactly what
``make invoke FN=<Name> EVENT=events/<name>.json`` does. Needs trained artifacts under artifacts/
(skipped with the reason otherwise); the runner itself is checked without them.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from infra.local.invoke import invoke
from infra.local.template_env import get_function, load_template

REPO = Path(__file__).resolve().parents[2]
EVENTS = REPO / "events"


def _missing_artifacts() -> list[str]:
    from careerready.core.paths import ARTIFACTS_DIR, REGISTRY_PATH
    from careerready.services.startup import OPTIONAL

    registry = json.loads(REGISTRY_PATH.read_text())
    # optional models (the learned tagger) may be absent: the function serves without them, as deployed
    needed = {(m, v) for models in registry.values() for m, v in models.items() if m not in OPTIONAL}
    return sorted(f"{m}/{v}" for m, v in needed if not (ARTIFACTS_DIR / m / v / "manifest.json").exists())


needs_artifacts = pytest.mark.skipif(
    bool(_missing_artifacts()), reason=f"trained artifacts missing: {', '.join(_missing_artifacts())} (make train)"
)


def _event(name: str) -> Any:
    return json.loads((EVENTS / f"{name}.json").read_text())


# ---- the runner, without models ---------------------------------------------------------------------
def test_environment_comes_from_the_template() -> None:
    tpl = load_template(REPO / "template.yaml")
    spec = get_function("Analyze", tpl)
    env = spec.environment
    assert spec.handler == "app.lambda_handler" and spec.code_dir == REPO / "functions" / "analyze"
    assert spec.timeout_s == 29 and spec.memory_mb == 1769  # one full vCPU (docs/benchmarks.md)
    assert env["CAREERREADY_EXTRACT_FUNCTION_NAME"] == "Extract"  # !Ref -> logical id, what lambda_server serves
    assert env["CAREERREADY_MODEL_VERSION_GAP_RANKER"] == "v1"
    assert env["POWERTOOLS_SERVICE_NAME"] == "careerready-analyze"  # function value overrides Globals
    assert env["CAREERREADY_ARTIFACT_SOURCE"] == "local"  # local override of the template's "s3"
    prod = get_function("Readiness", tpl, parameter_overrides={"LogLevel": "DEBUG", "ReadinessVersion": "v7"})
    assert prod.environment["LOG_LEVEL"] == "DEBUG" and prod.environment["CAREERREADY_MODEL_VERSION_READINESS"] == "v7"
    as_deployed = get_function("Ingest", tpl, local_overrides=False)
    assert as_deployed.environment["CAREERREADY_ARTIFACT_SOURCE"] == "s3"
    assert as_deployed.environment["CAREERREADY_RESUME_BUCKET"] == "ResumeBucket"


def test_init_failure_is_reported_like_lambda(tmp_path: Path) -> None:
    # no artifacts at all: the module-level model load fails during init
    result = invoke(
        "Readiness",
        _event("readiness"),
        env_overrides={"CAREERREADY_ARTIFACTS_DIR": str(tmp_path)},
        timeout_s=60,
    )
    assert not result.ok
    assert result.error is not None and result.error["errorType"] == "Runtime.ImportModuleError"
    assert result.error["errorMessage"].startswith("Unable to import module 'app':")
    assert "readiness" in result.error["errorMessage"]


# ---- each function with its event ----------------------------------------------------------------
@needs_artifacts
def test_extract_event() -> None:
    result = invoke("Extract", _event("extract"))
    assert result.ok, result.error
    ids = {s["skill_id"] for s in result.payload["skills"]}
    assert {"python", "sql", "pandas", "scikit-learn", "tableau", "git", "docker"} <= ids
    text = _event("extract")["payload"]["text"]
    for skill in result.payload["skills"]:
        assert text[skill["start"] : skill["end"]] == skill["text"]
    print(result.report_line())


@needs_artifacts
def test_match_event() -> None:
    result = invoke("Match", _event("match"))
    assert result.ok, result.error
    matches = result.payload["matches"]
    assert {m["role_id"] for m in matches} == {"data-scientist", "data-analyst"}
    assert [m["score"] for m in matches] == sorted((m["score"] for m in matches), reverse=True)
    ds = next(m for m in matches if m["role_id"] == "data-scientist")
    assert "machine-learning" in {g["skill_id"] for g in ds["gaps"]}
    print(result.report_line())


@needs_artifacts
def test_readiness_event() -> None:
    result = invoke("Readiness", _event("readiness"))
    assert result.ok, result.error
    probs = result.payload["probabilities"]
    assert result.payload["label"] in {"needs_upskilling", "almost_ready", "industry_ready"}
    assert abs(sum(probs.values()) - 1.0) < 1e-5 and result.payload["label"] == max(probs, key=probs.get)


@needs_artifacts
def test_recommend_event() -> None:
    result = invoke("Recommend", _event("recommend"))
    assert result.ok, result.error
    assert 1 <= len(result.payload["resources"]) <= 5
    gap_ids = {g["skill_id"] for g in _event("recommend")["payload"]["gaps"]}
    assert any(set(r["teaches"]) & gap_ids for r in result.payload["resources"])


@needs_artifacts
def test_analyze_http_event() -> None:
    result = invoke("Analyze", _event("analyze"))
    assert result.ok, result.error
    assert result.payload["statusCode"] == 200, result.payload
    body = json.loads(result.payload["body"])
    assert body["analyses"][0]["match"]["role_id"] == "data-scientist"
    assert body["transport"] == "inprocess"
    print(result.report_line())


@needs_artifacts
def test_ingest_event(moto_server: str) -> None:
    import boto3
    import docx

    s3 = boto3.client("s3", region_name="us-east-1")
    event = _event("ingest")
    notification = json.loads(event["Records"][0]["body"])
    bucket = notification["Records"][0]["s3"]["bucket"]["name"]
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    document = docx.Document()
    for line in _event("extract")["payload"]["text"].splitlines():
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    put = s3.put_object(Bucket=bucket, Key="incoming/jane doe resume.docx", Body=buf.getvalue())
    obj = notification["Records"][0]["s3"]["object"]
    obj.update(eTag=put["ETag"].strip('"'), versionId=put["VersionId"], size=len(buf.getvalue()))
    event["Records"][0]["body"] = json.dumps(notification)

    result = invoke("Ingest", event, env_overrides={"AWS_ENDPOINT_URL": moto_server})
    assert result.ok, result.error
    assert result.payload == {"batchItemFailures": []}  # the s3:TestEvent record is skipped, not failed
    doc = json.loads(s3.get_object(Bucket=bucket, Key="results/jane doe resume.docx.json")["Body"].read())
    assert doc["analysis"]["best_role_id"] and doc["analysis"].get("text") is None
