"""Least privilege and safe defaults, read from template.yaml and samconfig.toml.

Every checker is also run on a deliberately broken copy of the template, so each check can fail.
"""

from __future__ import annotations

import copy
import re
import tomllib
from typing import Any

import pytest

from infra.local.template_env import load_template
from tests.hardening._support import REPO

# actions with no resource-level permissions: the only ones allowed on Resource "*" (documented in deployment.md)
STAR_RESOURCE_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
# per role: the only S3 object scopes (after the bucket) a wildcard may cover
ALLOWED_S3_SCOPES = {
    "StageFunctionRole": {"${ArtifactBucketName}/${ArtifactPrefix}/*"},
    "AnalyzeFunctionRole": {"${ArtifactBucketName}/${ArtifactPrefix}/*", "${ResumeBucket}/incoming/*"},
    "IngestFunctionRole": {
        "${ArtifactBucketName}/${ArtifactPrefix}/*",
        "${ResumeBucket}/incoming/*",
        "${ResumeBucket}/results/*",
    },
}
FUNCTION_ROLES = {
    "Extract": "StageFunctionRole",
    "Match": "StageFunctionRole",
    "Readiness": "StageFunctionRole",
    "Recommend": "StageFunctionRole",
    "Analyze": "AnalyzeFunctionRole",
    "Ingest": "IngestFunctionRole",
}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template(REPO / "template.yaml")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _resource_text(res: Any) -> str:
    """A readable string for a Resource entry (``Fn::Sub`` text, ``GetAtt`` as ``X.Arn``, else repr)."""
    if isinstance(res, str):
        return res
    if isinstance(res, dict) and "Fn::Sub" in res:
        sub = res["Fn::Sub"]
        return sub if isinstance(sub, str) else str(sub[0])
    if isinstance(res, dict) and "Fn::GetAtt" in res:
        att = res["Fn::GetAtt"]
        return ".".join(att) if isinstance(att, list) else str(att)
    if isinstance(res, dict) and isinstance(res.get("Ref"), str) and res["Ref"].endswith(".Alias"):
        return str(res["Ref"])  # SAM's AutoPublishAlias reference: the function's "live" alias ARN
    return repr(res)


def iam_violations(template: dict[str, Any]) -> list[str]:
    """Wildcard actions and out-of-scope wildcard resources in every IAM role's Allow statements."""
    problems: list[str] = []
    for name, res in template["Resources"].items():
        props = res.get("Properties") or {}
        policies = props.get("Policies") if res["Type"] in ("AWS::IAM::Role", "AWS::Serverless::Function") else None
        if res["Type"] == "AWS::Serverless::Function" and policies:
            problems.append(f"{name}: inline SAM policies (use the explicit role)")
            continue
        if res["Type"] == "AWS::IAM::Role" and props.get("ManagedPolicyArns"):
            problems.append(f"{name}: managed policies are not reviewed here")
        for policy in policies or []:
            for st in _as_list(policy["PolicyDocument"]["Statement"]):
                if st.get("Effect") == "Deny":
                    continue  # a Deny only removes access
                actions = [str(a) for a in _as_list(st.get("Action", []))]
                if "NotAction" in st or "NotResource" in st:
                    problems.append(f"{name}/{st.get('Sid')}: NotAction/NotResource")
                for action in actions:
                    if "*" in action:
                        problems.append(f"{name}/{st.get('Sid')}: wildcard action {action}")
                for r in _as_list(st.get("Resource", [])):
                    text = _resource_text(r)
                    if text == "*":
                        if not set(actions) <= STAR_RESOURCE_ACTIONS:
                            problems.append(f"{name}/{st.get('Sid')}: Resource '*' for {actions}")
                        continue
                    if "*" in text:
                        m = re.search(r"arn:\$\{AWS::Partition\}:s3:::(.+)$", text)
                        scope = m.group(1) if m else text
                        if scope not in ALLOWED_S3_SCOPES.get(name, set()):
                            problems.append(
                                f"{name}/{st.get('Sid')}: wildcard resource {text} outside the role's scope"
                            )
    return problems


def test_no_wildcard_actions_or_out_of_scope_resources(template: dict[str, Any]) -> None:
    assert iam_violations(template) == []


@pytest.mark.parametrize(
    ("role", "action", "resource"),
    [
        (
            "StageFunctionRole",
            "s3:*",
            {"Fn::Sub": "arn:${AWS::Partition}:s3:::${ArtifactBucketName}/${ArtifactPrefix}/*"},
        ),
        ("StageFunctionRole", "s3:GetObject", "*"),
        ("StageFunctionRole", "s3:GetObject", {"Fn::Sub": "arn:${AWS::Partition}:s3:::${ArtifactBucketName}/*"}),
        ("AnalyzeFunctionRole", "s3:GetObject", {"Fn::Sub": "arn:${AWS::Partition}:s3:::${ResumeBucket}/results/*"}),
        ("IngestFunctionRole", "lambda:*", {"Fn::GetAtt": ["Extract", "Arn"]}),
    ],
    ids=["wildcard-action", "star-resource", "whole-bucket", "analyze-reads-results", "service-wildcard"],
)
def test_checker_catches_a_broadened_policy(template: dict[str, Any], role: str, action: str, resource: Any) -> None:
    broken = copy.deepcopy(template)
    statements = broken["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    statements.append({"Sid": "Broadened", "Effect": "Allow", "Action": [action], "Resource": resource})
    assert any("Broadened" in p for p in iam_violations(broken))


def test_each_function_uses_its_own_scoped_role(template: dict[str, Any]) -> None:
    for fn, role in FUNCTION_ROLES.items():
        props = template["Resources"][fn]["Properties"]
        assert props.get("Role") == {"Fn::GetAtt": [role, "Arn"]}, fn
        assert not props.get("Policies"), fn
    # only Analyze may invoke functions, and only the four stage functions (and their "live" aliases, which the
    # Lambda transport calls so SnapStart can serve them)
    analyze_stmts = template["Resources"]["AnalyzeFunctionRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    invoke = [s for s in analyze_stmts["Statement"] if "lambda:InvokeFunction" in _as_list(s["Action"])]
    stages = ["Extract", "Match", "Readiness", "Recommend"]
    assert [_resource_text(r) for r in invoke[0]["Resource"]] == [f"{s}.Arn" for s in stages] + [
        f"{s}.Alias" for s in stages
    ]


# ---- auth -----------------------------------------------------------------------------------------------
def _eval(node: Any, params: dict[str, str], conditions: dict[str, Any]) -> Any:
    """Evaluate the condition intrinsics the template uses (Equals/Or/And/Not/Condition/Ref/If)."""
    if isinstance(node, dict) and len(node) == 1:
        ((fn, arg),) = node.items()
        if fn == "Ref":
            return params.get(arg, "AWS::NoValue" if arg == "AWS::NoValue" else f"<{arg}>")
        if fn == "Fn::Equals":
            return _eval(arg[0], params, conditions) == _eval(arg[1], params, conditions)
        if fn == "Fn::Or":
            return any(_eval(a, params, conditions) for a in arg)
        if fn == "Fn::And":
            return all(_eval(a, params, conditions) for a in arg)
        if fn == "Fn::Not":
            return not _eval(arg[0], params, conditions)
        if fn == "Fn::Condition":
            return _eval(conditions[arg], params, conditions)
        if fn == "Fn::If":
            cond, yes, no = arg
            return _eval(yes if _eval(conditions[cond], params, conditions) else no, params, conditions)
    return node


def _route_auth(template: dict[str, Any], params: dict[str, str]) -> dict[str, str]:
    conditions = template["Conditions"]
    return {
        r["Properties"]["RouteKey"]: _eval(r["Properties"]["AuthorizationType"], params, conditions)
        for r in template["Resources"].values()
        if r["Type"] == "AWS::ApiGatewayV2::Route"
    }


def _samconfig_params(env: str) -> dict[str, str]:
    config = tomllib.loads((REPO / "samconfig.toml").read_text())
    overrides = config[env]["deploy"]["parameters"]["parameter_overrides"]
    return dict(item.split("=", 1) for item in overrides.split())


def _without_public(auth: dict[str, str]) -> dict[str, str]:
    """Drop the routes that are public by design (health, the web page and the docs), checking they are."""
    public = {k for k in auth if k == "GET /v1/health" or not k.startswith(("POST ", "GET /v1/roles"))}
    assert all(auth[k] == "NONE" for k in public), auth
    return {k: v for k, v in auth.items() if k not in public}


def test_prod_config_turns_auth_on_for_every_route_but_health(template: dict[str, Any]) -> None:
    params = {p: str(v.get("Default", "")) for p, v in template["Parameters"].items()}
    params.update(_samconfig_params("prod"))
    assert params["Stage"] == "prod"
    auth = _without_public(_route_auth(template, params))
    assert set(auth.values()) == {"JWT"}, auth
    assert len(auth) == 7
    # the template's default AuthMode is AUTO, i.e. prod is authenticated even without an override
    assert template["Parameters"]["AuthMode"]["Default"] == "AUTO"
    # prod JWT needs an issuer: a template Rule refuses an empty one
    rule = template["Rules"]["JwtNeedsIssuer"]
    assert _eval(rule["RuleCondition"], {**params, "JwtIssuer": ""}, template["Conditions"]) is True


@pytest.mark.parametrize(("mode", "expected"), [("IAM", "AWS_IAM"), ("JWT", "JWT"), ("NONE", "NONE")])
def test_auth_mode_is_configurable(template: dict[str, Any], mode: str, expected: str) -> None:
    auth = _without_public(_route_auth(template, {"Stage": "dev", "AuthMode": mode}))
    assert set(auth.values()) == {expected}


def test_dev_defaults_without_auth_and_prod_default_with(template: dict[str, Any]) -> None:
    assert set(_route_auth(template, {"Stage": "dev", "AuthMode": "AUTO"}).values()) == {"NONE"}
    prod = _route_auth(template, {"Stage": "prod", "AuthMode": "AUTO"})
    assert sorted(set(prod.values())) == ["JWT", "NONE"]


# ---- throttling, buckets, queues -----------------------------------------------------------------------------
def test_api_throttling_is_set(template: dict[str, Any]) -> None:
    stage = template["Resources"]["HttpApiStage"]["Properties"]["DefaultRouteSettings"]
    assert stage["ThrottlingBurstLimit"] == {"Ref": "ApiThrottlingBurstLimit"}
    assert stage["ThrottlingRateLimit"] == {"Ref": "ApiThrottlingRateLimit"}
    params = template["Parameters"]
    assert 0 < params["ApiThrottlingRateLimit"]["Default"] <= params["ApiThrottlingBurstLimit"]["Default"] <= 1000


def bucket_violations(template: dict[str, Any]) -> list[str]:
    """Buckets without SSE, full public access block, or a TLS-only (deny SecureTransport=false) policy."""
    resources = template["Resources"]
    problems: list[str] = []
    policies = {
        _resource_text(r["Properties"]["Bucket"])
        if isinstance(r["Properties"]["Bucket"], str)
        else r["Properties"]["Bucket"].get("Ref"): r["Properties"]["PolicyDocument"]
        for r in resources.values()
        if r["Type"] == "AWS::S3::BucketPolicy"
    }
    for name, res in resources.items():
        if res["Type"] != "AWS::S3::Bucket":
            continue
        props = res.get("Properties") or {}
        sse = (props.get("BucketEncryption") or {}).get("ServerSideEncryptionConfiguration") or []
        if not sse or sse[0]["ServerSideEncryptionByDefault"]["SSEAlgorithm"] not in ("AES256", "aws:kms"):
            problems.append(f"{name}: no default encryption")
        block = props.get("PublicAccessBlockConfiguration") or {}
        for flag in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"):
            if block.get(flag) is not True:
                problems.append(f"{name}: {flag} not true")
        doc = policies.get(name)
        tls = [
            s
            for s in _as_list((doc or {}).get("Statement", []))
            if s.get("Effect") == "Deny"
            and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") in ("false", False)
        ]
        covered = {_resource_text(r) for s in tls for r in _as_list(s["Resource"])}
        if not {f"{name}.Arn", f"${{{name}.Arn}}/*"} <= covered:
            problems.append(f"{name}: no TLS-only policy on bucket and objects")
    return problems


def test_buckets_encrypted_private_tls_only(template: dict[str, Any]) -> None:
    assert any(r["Type"] == "AWS::S3::Bucket" for r in template["Resources"].values())
    assert bucket_violations(template) == []


@pytest.mark.parametrize("breakage", ["encryption", "public", "tls"])
def test_bucket_checker_catches_breakage(template: dict[str, Any], breakage: str) -> None:
    broken = copy.deepcopy(template)
    props = broken["Resources"]["ResumeBucket"]["Properties"]
    if breakage == "encryption":
        del props["BucketEncryption"]
    elif breakage == "public":
        props["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"] = False
    else:
        broken["Resources"]["ResumeBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"] = []
    assert bucket_violations(broken)


def test_queues_encrypted_and_dead_lettered(template: dict[str, Any]) -> None:
    queues = {n: r["Properties"] for n, r in template["Resources"].items() if r["Type"] == "AWS::SQS::Queue"}
    assert queues and all(p.get("SqsManagedSseEnabled") is True or p.get("KmsMasterKeyId") for p in queues.values())
    redrive = queues["IngestQueue"]["RedrivePolicy"]
    assert redrive["maxReceiveCount"] == 3
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["IngestDeadLetterQueue", "Arn"]}
