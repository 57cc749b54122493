"""LambdaTransport against the Docker-free Lambda Invoke server (infra.local.lambda_server).

1. The wire contract with stub functions (no models): results, domain errors, crashes, timeouts.
2. With trained artifacts: the same end-to-end analysis through LambdaTransport and
   InProcessTransport gives equal results (timings and request ids excluded); latencies printed.
"""

from __future__ import annotations

import json
import statistics
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from careerready.core.errors import RoleNotFoundError, StageError, StageTimeoutError
from careerready.services.startup import OPTIONAL
from careerready.services.transport import InProcessTransport, LambdaTransport

from infra.local.lambda_server import LambdaServer

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
STAGE_FUNCTIONS = {"extract": "Extract", "match": "Match", "readiness": "Readiness", "recommend": "Recommend"}

STUB_APP = """
import os, time

def lambda_handler(event, context):
    stage = event["stage"]
    if stage == "extract":
        return {"error": {"code": "role_not_found", "message": "no role 'astronaut'", "http_status": 404,
                          "nearest": ["Data Scientist"]}}
    if stage == "match":
        raise RuntimeError("model exploded")
    if stage == "readiness":
        time.sleep(5)
    return {"echo": event["payload"], "pid": os.getpid(), "fn": context.function_name,
            "left_ms": context.get_remaining_time_in_millis()}
"""


@pytest.fixture(autouse=True)
def dummy_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """The local server ignores SigV4, but botocore refuses to sign without credentials."""
    for key, value in {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)


@pytest.fixture(scope="module")
def stub_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LambdaServer]:
    root = tmp_path_factory.mktemp("stubstack")
    (root / "functions" / "stub").mkdir(parents=True)
    (root / "functions" / "stub" / "app.py").write_text(textwrap.dedent(STUB_APP))
    (root / "functions" / "stub" / "Dockerfile").write_text('FROM scratch\nCMD ["app.lambda_handler"]\n')
    resources = "\n".join(
        f"""  {name}:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      Timeout: {1 if name == "Readiness" else 10}
    Metadata: {{Dockerfile: functions/stub/Dockerfile, DockerContext: .}}"""
        for name in STAGE_FUNCTIONS.values()
    )
    (root / "template.yaml").write_text(f"Transform: AWS::Serverless-2016-10-31\nResources:\n{resources}\n")
    with LambdaServer.from_template(root / "template.yaml", port=0) as server:
        yield server


def _lambda_transport(url: str) -> LambdaTransport:
    # names as the deployed stack would pass them (<stack>-<name>): the server maps them to logical ids
    names = {stage: f"careerready-local-{stage}" for stage in STAGE_FUNCTIONS}
    return LambdaTransport(names, endpoint_url=url, timeout_s=20)


def test_wire_contract_with_stub_functions(stub_server: LambdaServer) -> None:
    transport = _lambda_transport(stub_server.url)
    out = transport.call("recommend", {"role_id": "data-scientist"})
    assert out["echo"] == {"role_id": "data-scientist"} and out["fn"] == "Recommend"
    assert 0 < out["left_ms"] <= 10_000
    again = transport.call("recommend", {"role_id": "x"})
    assert again["pid"] == out["pid"]  # warm: the same worker process serves the next call

    with pytest.raises(RoleNotFoundError) as domain:
        transport.call("extract", {"text": "x"})
    assert domain.value.http_status == 404 and domain.value.details["nearest"] == ["Data Scientist"]

    with pytest.raises(StageError) as crashed:
        transport.call("match", {"skills": [], "role_ids": ["a"]})
    assert not isinstance(crashed.value, StageTimeoutError)
    assert "RuntimeError" in crashed.value.message and "model exploded" in crashed.value.message

    t0 = time.perf_counter()
    with pytest.raises(StageTimeoutError):
        transport.call("readiness", {"features": {}})
    assert time.perf_counter() - t0 < 4  # the 1 s function timeout, not the 5 s sleep

    # after a timeout the worker was replaced (cold start); other functions are unaffected
    listing = {f["FunctionName"]: f for f in _get_json(stub_server.url + "/2015-03-31/functions")["Functions"]}
    assert listing["Readiness"]["Warm"] is False and listing["Recommend"]["ColdStarts"] == 1


def _get_json(url: str) -> Any:
    import urllib.request

    with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - loopback URL from the server
        return json.loads(resp.read())


def test_unknown_function_and_bad_payload(stub_server: LambdaServer) -> None:
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "lambda",
        endpoint_url=stub_server.url,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(retries={"max_attempts": 1}),
    )
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.invoke(FunctionName="Nope", Payload=b"{}")
    with pytest.raises(client.exceptions.InvalidRequestContentException):
        client.invoke(FunctionName="Recommend", Payload=b"{not json")
    arn = "arn:aws:lambda:us-east-1:123456789012:function:Recommend:$LATEST"
    ok = client.invoke(FunctionName=arn, Payload=json.dumps({"stage": "recommend", "payload": {"a": 1}}))
    assert ok["StatusCode"] == 200 and "FunctionError" not in ok
    assert ok["ExecutedVersion"] == "$LATEST"


# ---- end to end with the real models --------------------------------------------------------------
def _missing_artifacts() -> list[str]:
    from careerready.core.paths import ARTIFACTS_DIR, REGISTRY_PATH

    registry = json.loads(REGISTRY_PATH.read_text())
    needed = {(m, v) for models in registry.values() for m, v in models.items() if m not in OPTIONAL}
    return sorted(f"{m}/{v}" for m, v in needed if not (ARTIFACTS_DIR / m / v / "manifest.json").exists())


VOLATILE = {"request_id", "timings_ms", "transport", "stage_ms"}


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


@pytest.mark.slow
@pytest.mark.skipif(bool(_missing_artifacts()), reason=f"trained artifacts missing: {_missing_artifacts()}")
def test_lambda_and_inprocess_transports_agree() -> None:
    from careerready.services.analysis import analyze
    from careerready.services.startup import get_models

    text = json.loads((REPO / "events" / "extract.json").read_text())["payload"]["text"]
    catalog = get_models("match").catalog
    local = InProcessTransport()
    with LambdaServer.from_template(REPO / "template.yaml", functions=list(STAGE_FUNCTIONS.values()), port=0) as srv:
        init_ms = srv.preload()
        remote = _lambda_transport(srv.url)
        posting = (REPO / "data" / "samples" / "postings" / "data-engineer.txt").read_text()
        # the last run analyses a job posting: its ad-hoc role travels inline through match and recommend
        for refs, job in ((["data-scientist", "Data Analyst"], None), (None, None), (["Data Analyst"], posting)):
            a = analyze(text, refs, local, catalog=catalog, posting=job).model_dump(mode="json")
            b = analyze(text, refs, remote, catalog=catalog, posting=job).model_dump(mode="json")
            assert (a["transport"], b["transport"]) == ("inprocess", "lambda")
            assert _stable(a) == _stable(b)
            assert a["analyses"] and a["model_versions"] == b["model_versions"]
            if job is not None:
                assert {x["role"]["method"] for x in b["analyses"]} == {"posting", "title"}
                assert b["posting"]["closest_roles"] and b["posting"]["required_count"] > 0
        lat: dict[str, list[float]] = {"inprocess": [], "lambda": []}
        for _ in range(3):
            for name, transport in (("inprocess", local), ("lambda", remote)):
                t0 = time.perf_counter()
                analyze(text, ["data-scientist"], transport, catalog=catalog)
                lat[name].append((time.perf_counter() - t0) * 1000)
    print(f"\nworker init ms: {init_ms}")
    for name, values in lat.items():
        print(f"analyze via {name}: median {statistics.median(values):.1f} ms over {len(values)} warm runs")
