"""How the analyze orchestrator reaches the stages: in-process, or Lambda Invoke.

One interface, :class:`StageClient` (``call(stage, payload) -> dict``), two implementations:

* :class:`InProcessTransport` (default): ``stages.handle(stage, payload, get_models(stage))``.
* :class:`LambdaTransport`: a synchronous ``Invoke`` of the stage's function through boto3
  (``endpoint_url`` may point at a loopback server speaking the Lambda Invoke API).

Wire format of a stage invocation (direct invoke, JSON)::

    request  {"stage": "match", "payload": {...MatchRequest...}}
    success  {...MatchResponse..., "model_versions": {...}, "stage_ms": 12.3}
    expected failure (a domain error, e.g. unknown role)
             {"error": {"code": "role_not_found", "message": "...", "http_status": 404, ...details}}

Expected failures come back as a normal (200) response so the caller re-raises the same domain
error with the same HTTP status; anything else (an unhandled exception, a function timeout, an
unreachable endpoint) becomes :class:`StageError` (502) or :class:`StageTimeoutError` (504) naming
the stage.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from careerready.core.config import Settings
from careerready.core.errors import (
    CareerReadyError,
    InvalidInputError,
    StageError,
    StageTimeoutError,
    error_from_envelope,
)
from careerready.core.observability import logger
from careerready.services import stages, startup
from careerready.services.startup import Models

__all__ = [
    "STAGE_NAMES",
    "InProcessTransport",
    "LambdaTransport",
    "StageClient",
    "make_client",
]

STAGE_NAMES: tuple[str, ...] = ("extract", "match", "readiness", "recommend")
_TIMEOUT_MARKERS = ("Task timed out", "Sandbox.Timedout", "timed out after")


@runtime_checkable
class StageClient(Protocol):
    """Calls one stage with a JSON-ready payload and returns its JSON-ready response."""

    name: str

    def call(self, stage: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Run ``stage`` on ``payload``.

        Raises:
            CareerReadyError: the stage's own domain error (same class and status), or
                StageError / StageTimeoutError when the stage could not answer.
        """
        ...


def _check_stage(stage: str) -> None:
    if stage not in STAGE_NAMES:
        raise InvalidInputError(f"unknown stage {stage!r}; known: {list(STAGE_NAMES)}", field="stage")


class InProcessTransport:
    """Runs the stages inside this process (one container serves the whole analysis)."""

    name = "inprocess"

    def __init__(self, models_for: Callable[[str], Models] | None = None) -> None:
        """Args:
        models_for: ``stage -> Models`` (default :func:`careerready.services.startup.get_models`).
        """
        self._models_for = models_for or startup.get_models

    @classmethod
    def from_artifacts(cls, artifacts_dir: Path | str) -> InProcessTransport:
        """Every stage in this process, with models read from a local artifacts folder (each stage's once).

        For evaluations, benchmarks and tools that point at an artifacts folder rather than the settings.
        """
        settings = Settings.model_validate({"artifacts_dir": artifacts_dir})
        return cls(functools.cache(lambda stage: startup.load_models(stage, settings=settings)))

    def models(self, stage: str) -> Models:
        """The models ``stage`` runs with (loaded once per process by the default loader)."""
        return self._models_for(stage)

    def call(self, stage: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Validate and run ``stage`` in-process (see :func:`careerready.services.stages.handle`)."""
        _check_stage(stage)
        models = self._models_for(stage)
        try:
            return stages.handle(stage, payload, models)
        except CareerReadyError:
            raise
        except Exception as exc:
            # same contract as a remote stage: a bug inside a stage is a failed stage (502), named
            logger.exception("stage crashed", stage=stage)
            raise StageError(f"stage {stage} failed: {type(exc).__name__}", stage=stage) from exc


class LambdaTransport:
    """Invokes each stage's Lambda function synchronously (``RequestResponse``)."""

    name = "lambda"

    def __init__(
        self,
        function_names: dict[str, str],
        *,
        lambda_client: Any | None = None,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        timeout_s: float = 25.0,
        connect_timeout_s: float = 2.0,
        max_attempts: int = 2,
    ) -> None:
        """Create the transport (the boto3 client is created here, once).

        Args:
            function_names: stage -> function name or ARN; every stage in :data:`STAGE_NAMES` is required.
            lambda_client: an existing boto3 Lambda client (tests); otherwise one is created.
            endpoint_url: Lambda endpoint (a local Invoke-API server); None = AWS.
            region: AWS region of the functions.
            timeout_s: time budget of one stage call across all attempts (keep under API Gateway's 30 s).
            connect_timeout_s: connect timeout.
            max_attempts: total attempts per invoke for connection errors/throttling (botocore
                "standard" retry mode); a function that ran and failed is not retried.
        """
        missing = [s for s in STAGE_NAMES if not function_names.get(s)]
        if missing:
            raise InvalidInputError(f"no function name for stage(s) {missing}", field="function_names")
        self.function_names = dict(function_names)
        self.timeout_s = timeout_s
        if lambda_client is None:
            import boto3
            from botocore.config import Config

            config = Config(
                # timeout_s bounds the whole call: read timeouts are retried, so split it across attempts
                # (Analyze must answer before its own 29 s timeout and API Gateway's 30 s)
                read_timeout=timeout_s / max_attempts,
                connect_timeout=connect_timeout_s,
                # total_max_attempts counts the first call; botocore's max_attempts would count retries only
                retries={"total_max_attempts": max_attempts, "mode": "standard"},
            )
            lambda_client = boto3.client("lambda", region_name=region, endpoint_url=endpoint_url, config=config)
        self._client = lambda_client

    @classmethod
    def from_settings(cls, settings: Any, lambda_client: Any | None = None) -> LambdaTransport:
        """Build from :class:`careerready.core.config.Settings` (function names, endpoint, timeout)."""
        return cls(
            {s: settings.function_name(s) for s in STAGE_NAMES},
            lambda_client=lambda_client,
            endpoint_url=settings.lambda_endpoint_url,
            region=settings.aws_region,
            timeout_s=settings.stage_timeout_s,
        )

    def call(self, stage: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Invoke the stage function and decode its answer.

        Raises:
            CareerReadyError: the domain error the stage reported (same code and status).
            StageTimeoutError: the invoke or the function timed out.
            StageError: the function raised, returned non-JSON, or could not be reached.
        """
        from botocore.exceptions import BotoCoreError, ClientError, ConnectTimeoutError, ReadTimeoutError

        _check_stage(stage)
        function = self.function_names[stage]
        event = json.dumps({"stage": stage, "payload": payload}).encode("utf-8")
        t0 = time.perf_counter()
        try:
            response = self._client.invoke(FunctionName=function, InvocationType="RequestResponse", Payload=event)
            raw = response["Payload"].read()
        except (ReadTimeoutError, ConnectTimeoutError) as exc:
            raise StageTimeoutError(
                f"stage {stage} ({function}) did not answer within {self.timeout_s:g} s",
                stage=stage,
                function=function,
            ) from exc
        except ClientError as exc:
            err = exc.response.get("Error", {})
            raise StageError(
                f"stage {stage} ({function}) invoke failed: {err.get('Code', 'ClientError')}: {err.get('Message', '')}",
                stage=stage,
                function=function,
            ) from exc
        except BotoCoreError as exc:
            raise StageError(
                f"stage {stage} ({function}) unreachable: {type(exc).__name__}", stage=stage, function=function
            ) from exc
        elapsed = (time.perf_counter() - t0) * 1000
        try:
            body = json.loads(raw) if raw else None
        except ValueError as exc:
            raise StageError(f"stage {stage} returned invalid JSON", stage=stage, function=function) from exc
        function_error = response.get("FunctionError")
        if function_error:
            message = str(body.get("errorMessage", "")) if isinstance(body, dict) else str(body)
            error_type = str(body.get("errorType", function_error)) if isinstance(body, dict) else function_error
            logger.error("stage function error", stage=stage, function=function, error_type=error_type)
            if any(m in message or m in error_type for m in _TIMEOUT_MARKERS):
                raise StageTimeoutError(f"stage {stage} timed out: {message}", stage=stage, function=function)
            raise StageError(
                f"stage {stage} failed: {error_type}: {message}", stage=stage, function=function, error_type=error_type
            )
        if not isinstance(body, dict):
            raise StageError(f"stage {stage} returned {type(body).__name__}, not an object", stage=stage)
        if "error" in body and isinstance(body["error"], dict):
            raise error_from_envelope(stage, body)
        logger.debug("stage invoked", stage=stage, function=function, elapsed_ms=round(elapsed, 2))
        return body


def make_client(settings: Any | None = None, lambda_client: Any | None = None) -> StageClient:
    """The transport the settings ask for (``CAREERREADY_TRANSPORT=inprocess|lambda``)."""
    if settings is None:
        from careerready.core.config import get_settings

        settings = get_settings()
    if settings.transport == "lambda":
        return LambdaTransport.from_settings(settings, lambda_client=lambda_client)
    return InProcessTransport()
