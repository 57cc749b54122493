"""Stage Lambda handlers (direct invoke + HTTP API v2 events) and the Lambda transport over a loopback Invoke API."""

from __future__ import annotations

import base64
import importlib.util
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import careerready.services.startup as startup
import pytest
from careerready.core.errors import RoleNotFoundError, StageError, StageTimeoutError
from careerready.services.analysis import analyze
from careerready.services.transport import InProcessTransport, LambdaTransport
from serving_models import RESUME, fixture_models_for

REPO = Path(__file__).resolve().parents[2]
STAGES = ("extract", "match", "readiness", "recommend")


class _Context:
    function_name = "careerready-test"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:careerready-test"
    aws_request_id = "ctx-req-1"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def _load_app(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_fn_{name}_app", REPO / "functions" / name / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def apps() -> Iterator[dict[str, ModuleType]]:
    """Each function's real app.py, imported with fixture models in place of get_models."""
    mp = pytest.MonkeyPatch()
    mp.setattr(startup, "get_models", fixture_models_for)
    try:
        yield {name: _load_app(name) for name in STAGES}
    finally:
        mp.undo()


def invoke(apps: dict[str, ModuleType], stage: str, event: Any) -> Any:
    return apps[stage].lambda_handler(event, _Context())


def test_models_are_loaded_at_import(apps: dict[str, ModuleType]) -> None:
    for stage in STAGES:
        assert apps[stage].lambda_handler.stage == stage
        assert apps[stage].lambda_handler.models.stage == stage


def test_direct_invoke_envelope_and_bare_payload(apps: dict[str, ModuleType]) -> None:
    out = invoke(apps, "extract", {"stage": "extract", "payload": {"text": RESUME}})
    assert {"python", "django"} <= {s["skill_id"] for s in out["skills"]}
    assert out["model_versions"] == {"catalog": "fixture", "extractor": "fixture"}
    assert out["stage_ms"] > 0
    bare = invoke(apps, "extract", {"text": RESUME})
    assert [s["skill_id"] for s in bare["skills"]] == [s["skill_id"] for s in out["skills"]]


def test_domain_errors_come_back_as_error_envelopes(apps: dict[str, ModuleType]) -> None:
    skills = invoke(apps, "extract", {"text": RESUME})["skills"]
    out = invoke(apps, "match", {"stage": "match", "payload": {"skills": skills, "role_ids": ["astronaut engineer"]}})
    err = out["error"]
    assert (err["code"], err["http_status"], err["field"]) == ("role_not_found", 404, "role")
    assert len(err["nearest"]) == 3

    out = invoke(apps, "readiness", {"stage": "readiness", "payload": {"features": {"coverage_exact": "x"}}})
    assert out["error"]["code"] == "invalid_input" and out["error"]["field"] == "features.coverage_exact"

    out = invoke(apps, "readiness", {"stage": "match", "payload": {}})
    assert out["error"]["code"] == "invalid_input" and out["error"]["field"] == "stage"

    out = invoke(apps, "extract", {"payload": {"text": ""}})
    assert out["error"]["code"] == "no_extractable_text" and out["error"]["http_status"] == 422


def _http_event(body: Any, *, b64: bool = False, headers: dict[str, str] | None = None) -> dict[str, Any]:
    raw = json.dumps(body) if not isinstance(body, str) else body
    return {
        "version": "2.0",
        "routeKey": "POST /extract",
        "rawPath": "/extract",
        "rawQueryString": "",
        "headers": {"content-type": "application/json", **(headers or {})},
        "requestContext": {"http": {"method": "POST", "path": "/extract"}, "requestId": "gw-1"},
        "body": base64.b64encode(raw.encode()).decode() if b64 else raw,
        "isBase64Encoded": b64,
    }


def test_http_api_v2_events(apps: dict[str, ModuleType]) -> None:
    out = invoke(apps, "extract", _http_event({"text": RESUME}, b64=True))
    assert out["statusCode"] == 200 and out["headers"]["x-request-id"] == "gw-1"
    assert "python" in {s["skill_id"] for s in json.loads(out["body"])["skills"]}

    out = invoke(apps, "extract", _http_event({"text": RESUME}, headers={"X-Request-ID": "mine"}))
    assert out["statusCode"] == 200 and out["headers"]["x-request-id"] == "mine"

    out = invoke(apps, "extract", _http_event("{oops"))
    assert out["statusCode"] == 422 and json.loads(out["body"])["detail"]["field"] == "body"

    out = invoke(apps, "extract", _http_event({"text": 5}))
    detail = json.loads(out["body"])["detail"]
    assert out["statusCode"] == 422 and detail["field"] == "text"

    out = invoke(apps, "recommend", _http_event({"role_id": "astronaut"}))
    assert out["statusCode"] == 404 and json.loads(out["body"])["detail"]["code"] == "role_not_found"


# ---- Lambda transport over a loopback Invoke API ---------------------------------------------------


class _InvokeServer:
    """Minimal Lambda Invoke API: POST /2015-03-31/functions/<name>/invocations -> handler(event)."""

    def __init__(self, handlers: dict[str, Callable[[Any, Any], Any]]) -> None:
        self.handlers = handlers
        self.calls: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                name = self.path.split("/functions/")[1].split("/")[0]
                event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.calls.append(name)
                headers = {"Content-Type": "application/json"}
                try:
                    body = outer.handlers[name](event, _Context())
                except Exception as exc:  # noqa: BLE001 - what Lambda does with an unhandled error
                    body = {"errorMessage": str(exc), "errorType": type(exc).__name__}
                    headers["X-Amz-Function-Error"] = "Unhandled"
                data = json.dumps(body).encode()
                self.send_response(200)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except BrokenPipeError:  # the client gave up (timeout test)
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> _InvokeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def _transport(url: str, timeout_s: float = 10.0) -> LambdaTransport:
    names = {s: f"careerready-{s}" for s in STAGES}
    return LambdaTransport(names, endpoint_url=url, timeout_s=timeout_s, max_attempts=1)


def _comparable(result: Any) -> dict[str, Any]:
    d = result.model_dump(mode="json")
    for key in ("request_id", "timings_ms", "transport"):
        d.pop(key)
    return d


def test_lambda_transport_gives_the_same_analysis_as_in_process(apps: dict[str, ModuleType], aws_env: None) -> None:
    handlers = {f"careerready-{s}": apps[s].lambda_handler for s in STAGES}
    catalog = fixture_models_for("match").catalog
    with _InvokeServer(handlers) as server:
        remote = analyze(RESUME, ["Backend Engineer", "devops"], _transport(server.url), catalog=catalog)
        assert server.calls[:2] == ["careerready-extract", "careerready-match"]
        assert sorted(server.calls[2:]) == sorted(["careerready-readiness", "careerready-recommend"] * 2)
    local = analyze(RESUME, ["Backend Engineer", "devops"], InProcessTransport(fixture_models_for), catalog=catalog)
    assert remote.transport == "lambda" and local.transport == "inprocess"
    assert _comparable(remote) == _comparable(local)


def test_lambda_transport_maps_errors(apps: dict[str, ModuleType], aws_env: None) -> None:
    def crash(event: Any, context: Any) -> Any:
        raise RuntimeError("boom")

    def slow(event: Any, context: Any) -> Any:
        time.sleep(1.5)
        return {}

    handlers = {
        "careerready-extract": crash,
        "careerready-match": apps["match"].lambda_handler,
        "careerready-readiness": slow,
        "careerready-recommend": apps["recommend"].lambda_handler,
    }
    with _InvokeServer(handlers) as server:
        transport = _transport(server.url, timeout_s=0.5)
        with pytest.raises(StageError) as info:
            transport.call("extract", {"text": RESUME})
        assert info.value.http_status == 502 and info.value.details["stage"] == "extract"
        assert "RuntimeError: boom" in info.value.message
        with pytest.raises(StageTimeoutError) as tinfo:
            transport.call("readiness", {"features": {}})
        assert tinfo.value.http_status == 504 and tinfo.value.details["stage"] == "readiness"
        with pytest.raises(RoleNotFoundError) as rinfo:
            transport.call("recommend", {"role_id": "astronaut engineer"})
        assert rinfo.value.http_status == 404 and len(rinfo.value.details["nearest"]) == 3
    with pytest.raises(StageError) as dead:
        _transport("http://127.0.0.1:9", timeout_s=0.5).call("extract", {"text": "x"})
    assert dead.value.details["stage"] == "extract"


def test_analyze_function_app_wires_mangum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(startup, "get_models", fixture_models_for)
    module = _load_app("analyze")
    assert module.asgi_handler.lifespan == "off"
    event = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/v1/health",
        "rawQueryString": "",
        "headers": {"host": "x"},
        "requestContext": {
            "http": {"method": "GET", "path": "/v1/health", "protocol": "HTTP/1.1", "sourceIp": "1.1.1.1"},
            "requestId": "gw-9",
            "stage": "$default",
        },
        "isBase64Encoded": False,
    }
    context = _Context()
    context.aws_request_id = "analyze-ctx-1"  # distinct from the stage tests' id: they share the logger
    out = module.lambda_handler(event, context)
    assert out["statusCode"] == 200 and json.loads(out["body"])["roles"] == 4
    # the Lambda context is on every log line of the invocation, as in the other five functions
    from careerready.core.observability import logger

    assert logger.get_current_keys()["function_request_id"] == "analyze-ctx-1"
