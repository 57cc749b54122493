"""Invoke one function from ``template.yaml`` locally, without Docker (like ``sam local invoke``).

Usage (from the repository root)::

    python -m infra.local.invoke Analyze events/analyze.json
    python -m infra.local.invoke Extract events/extract.json --env CAREERREADY_LOG_LEVEL=DEBUG
    python -m infra.local.invoke Ingest events/ingest.json --parameter-overrides Stage=prod

The handler runs in a fresh Python process (``python -I``) whose ``sys.path`` is the function's
directory plus ``layers/`` and whose environment is the template's (Globals + function, intrinsics
resolved, local overrides on top). The response JSON goes to stdout; the function's own output
and a ``REPORT`` line go to stderr. Exit status: 0 success, 1 function error, 2 usage error.

The helpers :func:`load_handler`, :class:`LambdaContext` and :func:`error_payload` are shared
with :mod:`infra.local.lambda_server`; this module imports only the standard library at the top
so the child process can run it as a plain script.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from infra.local.template_env import FunctionSpec

__all__ = [
    "INIT_ALLOWANCE_S",
    "InvokeResult",
    "LambdaContext",
    "child_environment",
    "error_payload",
    "invoke",
    "load_handler",
    "main",
]

INIT_ALLOWANCE_S = 30.0
"""Extra seconds granted for imports + model loading (Lambda: 10 s init; this machine is slower)."""

_REPO_ROOT = Path(__file__).resolve().parents[2]
# variables the template owns: never leak the caller's values into the function
_TEMPLATE_OWNED_PREFIXES = ("CAREERREADY_", "POWERTOOLS_", "LOG_LEVEL", "PYTHONPATH", "PYTHONHOME")


class LambdaContext:
    """The subset of ``awslambdaric``'s context object that handlers and Powertools use."""

    def __init__(
        self,
        function_name: str,
        memory_limit_in_mb: int,
        timeout_s: float,
        aws_request_id: str | None = None,
        region: str = "us-east-1",
        account: str = "123456789012",
    ) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{region}:{account}:function:{function_name}"
        self.memory_limit_in_mb = int(memory_limit_in_mb)
        self.aws_request_id = aws_request_id or str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = f"local/[$LATEST]{self.aws_request_id.replace('-', '')}"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + float(timeout_s)

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function's timeout (never negative)."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def error_payload(exc: BaseException, request_id: str, error_type: str | None = None) -> dict[str, Any]:
    """The JSON body Lambda returns for an unhandled exception."""
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_exception(exc)[1:],
    }


class HandlerLoadError(Exception):
    """The handler module failed to import or lacks the handler attribute."""

    def __init__(self, message: str, error_type: str) -> None:
        super().__init__(message)
        self.error_type = error_type


def load_handler(handler: str, python_path: Sequence[str]) -> Callable[[Any, Any], Any]:
    """Import ``module.attribute`` with ``python_path`` first on ``sys.path`` (what Lambda does).

    Raises:
        HandlerLoadError: ``Runtime.ImportModuleError`` / ``Runtime.HandlerNotFound`` like Lambda.
    """
    module_name, _, attribute = handler.rpartition(".")
    for entry in reversed(list(python_path)):
        if entry not in sys.path:
            sys.path.insert(0, entry)
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        raise HandlerLoadError(f"Unable to import module '{module_name}': {exc}", "Runtime.ImportModuleError") from exc
    func = getattr(module, attribute, None)
    if not callable(func):
        raise HandlerLoadError(f"Handler '{attribute}' missing on module '{module_name}'", "Runtime.HandlerNotFound")
    return func  # type: ignore[no-any-return]


def child_environment(spec: FunctionSpec, base: dict[str, str] | None = None) -> dict[str, str]:
    """Process environment for a local run of ``spec``: caller's env minus template-owned names, plus the spec's."""
    env = {
        k: v for k, v in (os.environ if base is None else base).items() if not k.startswith(_TEMPLATE_OWNED_PREFIXES)
    }
    env.setdefault("AWS_REGION", env.get("AWS_DEFAULT_REGION", "us-east-1"))
    env.setdefault("AWS_DEFAULT_REGION", env["AWS_REGION"])
    # without credentials boto3 would probe the EC2 metadata endpoint for seconds
    env.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    env.update(
        {
            "LAMBDA_TASK_ROOT": str(spec.code_dir),
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    # AWS_LAMBDA_FUNCTION_NAME stays unset: nothing in the package reads it (there is no X-Ray tracer to switch on)
    env.update(spec.environment)
    return env


@dataclass
class InvokeResult:
    """Outcome of one local invocation."""

    payload: Any
    """The handler's return value (None on error)."""
    error: dict[str, Any] | None = None
    """Lambda-style ``{errorMessage, errorType, requestId, stackTrace}`` when the function failed."""
    request_id: str = ""
    init_ms: float = 0.0
    duration_ms: float = 0.0
    max_memory_mb: float = 0.0
    logs: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None

    def report_line(self) -> str:
        """A ``REPORT`` line in the format CloudWatch shows for Lambda."""
        return (
            f"REPORT RequestId: {self.request_id}\tDuration: {self.duration_ms:.2f} ms\t"
            f"Init Duration: {self.init_ms:.2f} ms\tMax Memory Used: {self.max_memory_mb:.0f} MB"
        )


def invoke(
    logical_id: str,
    event: Any,
    *,
    template_path: Path | str | None = None,
    parameter_overrides: dict[str, str] | None = None,
    env_overrides: dict[str, str] | None = None,
    timeout_s: float | None = None,
    request_id: str | None = None,
    capture_logs: bool = True,
) -> InvokeResult:
    """Run a template function's handler once in a fresh process and return its result.

    Args:
        logical_id: Function logical id in the template (``Analyze``, ``Extract``, ...).
        event: The event (any JSON-serialisable value).
        template_path: Template to read (default: the repo's ``template.yaml``).
        parameter_overrides: Template parameter values (``{"Stage": "prod"}``).
        env_overrides: Environment variables applied last.
        timeout_s: Wall-clock limit; default = the function's Timeout + :data:`INIT_ALLOWANCE_S`.
        request_id: ``aws_request_id`` to use (default: a new uuid4).
        capture_logs: Collect the child's stdout/stderr into ``InvokeResult.logs`` (else inherit).
    """
    from infra.local.template_env import TEMPLATE_PATH, get_function, load_template

    path = Path(template_path) if template_path else TEMPLATE_PATH
    spec = get_function(
        logical_id,
        load_template(path),
        root=path.parent,
        parameter_overrides=parameter_overrides,
        env_overrides=env_overrides,
    )
    rid = request_id or str(uuid.uuid4())
    limit = float(timeout_s) if timeout_s is not None else spec.timeout_s + INIT_ALLOWANCE_S
    with tempfile.TemporaryDirectory(prefix="careerready-invoke-") as tmp:
        job = Path(tmp) / "job.json"
        out = Path(tmp) / "result.json"
        job.write_text(
            json.dumps(
                {
                    "function_name": spec.logical_id,
                    "handler": spec.handler,
                    "python_path": spec.python_path(),
                    "memory_mb": spec.memory_mb,
                    "timeout_s": spec.timeout_s,
                    "request_id": rid,
                    "event": event,
                }
            ),
            encoding="utf-8",
        )
        cmd = [sys.executable, "-I", str(Path(__file__).resolve()), "--child", str(job), str(out)]
        try:
            proc = subprocess.run(
                cmd,
                env=child_environment(spec),
                cwd=str(spec.code_dir),
                # the function's own output is log output: never mix it into the response on stdout
                stdout=subprocess.PIPE if capture_logs else sys.stderr,
                stderr=subprocess.STDOUT if capture_logs else None,
                text=True,
                timeout=limit,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raw = exc.stdout or ""
            logs = raw.decode(errors="replace") if isinstance(raw, bytes) else raw
            return InvokeResult(
                payload=None,
                error={
                    "errorMessage": f"{rid} Task timed out after {limit:.2f} seconds",
                    "errorType": "Sandbox.Timedout",
                    "requestId": rid,
                },
                request_id=rid,
                logs=logs,
            )
        logs = proc.stdout or ""
        if not out.exists():
            return InvokeResult(
                payload=None,
                error={
                    "errorMessage": f"RequestId: {rid} Error: Runtime exited with error: exit status {proc.returncode}",
                    "errorType": "Runtime.ExitError",
                    "requestId": rid,
                },
                request_id=rid,
                logs=logs,
            )
        data = json.loads(out.read_text(encoding="utf-8"))
    return InvokeResult(
        payload=data.get("payload"),
        error=data.get("error"),
        request_id=rid,
        init_ms=float(data.get("init_ms", 0.0)),
        duration_ms=float(data.get("duration_ms", 0.0)),
        max_memory_mb=float(data.get("max_memory_mb", 0.0)),
        logs=logs,
    )


def _child(job_path: str, out_path: str) -> int:
    """Child side: load the handler, call it once, write ``{payload|error, timings}`` to ``out_path``."""
    # running as a script put infra/local first on sys.path; Lambda has no such entry
    here = str(Path(__file__).resolve().parent)
    sys.path[:] = [p for p in sys.path if p != here]
    job = json.loads(Path(job_path).read_text(encoding="utf-8"))
    rid = job["request_id"]
    result: dict[str, Any] = {}
    t0 = time.perf_counter()
    try:
        handler = load_handler(job["handler"], job["python_path"])
    except HandlerLoadError as exc:
        result["error"] = error_payload(exc, rid, exc.error_type)
    result["init_ms"] = (time.perf_counter() - t0) * 1000
    if "error" not in result:
        context = LambdaContext(job["function_name"], job["memory_mb"], job["timeout_s"], rid)
        t1 = time.perf_counter()
        try:
            payload = handler(job["event"], context)
        except Exception as exc:
            result["error"] = error_payload(exc, rid)
        else:
            try:
                json.dumps(payload)
                result["payload"] = payload
            except (TypeError, ValueError) as exc:
                result["error"] = error_payload(exc, rid, "Runtime.MarshalError")
        result["duration_ms"] = (time.perf_counter() - t1) * 1000
    result["max_memory_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Path(out_path).write_text(json.dumps(result), encoding="utf-8")
    return 0


def _pairs(values: Sequence[str] | None, what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values or []:
        for part in item.split():
            if "=" not in part:
                raise SystemExit(f"{what}: expected KEY=VALUE, got {part!r}")
            key, value = part.split("=", 1)
            out[key] = value
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point (see the module docstring)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["--child"]:
        return _child(args_list[1], args_list[2])
    parser = argparse.ArgumentParser(
        prog="python -m infra.local.invoke", description="Invoke a template.yaml function locally without Docker."
    )
    parser.add_argument("function", help="logical id of the function in template.yaml (e.g. Analyze)")
    parser.add_argument("event", help="event JSON file ('-' for stdin)")
    parser.add_argument("--template", default=str(_REPO_ROOT / "template.yaml"))
    parser.add_argument("--parameter-overrides", nargs="*", help="Key=Value template parameters")
    parser.add_argument("--env", nargs="*", help="KEY=VALUE environment overrides (applied last)")
    parser.add_argument("--timeout", type=float, default=None, help="wall-clock seconds (default: Timeout + 30)")
    parser.add_argument("--request-id", default=None)
    args = parser.parse_args(args_list)
    try:
        raw = sys.stdin.read() if args.event == "-" else Path(args.event).read_text(encoding="utf-8")
        event = json.loads(raw)
    except (OSError, json.JSONDecodeError) as exc:
        print(f"cannot read event {args.event}: {exc}", file=sys.stderr)
        return 2
    from infra.local.template_env import TemplateError

    try:
        result = invoke(
            args.function,
            event,
            template_path=args.template,
            parameter_overrides=_pairs(args.parameter_overrides, "--parameter-overrides"),
            env_overrides=_pairs(args.env, "--env"),
            timeout_s=args.timeout,
            request_id=args.request_id,
            capture_logs=False,
        )
    except TemplateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(result.report_line(), file=sys.stderr)
    print(json.dumps(result.payload if result.ok else result.error, indent=2))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
