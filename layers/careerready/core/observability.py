"""The one place that creates the Powertools ``logger``, ``metrics`` and ``tracer``.

- Service name: ``POWERTOOLS_SERVICE_NAME`` (default ``careerready``); each function's image sets it.
- Log level: ``Settings.log_level`` (``CAREERREADY_LOG_LEVEL``), applied by ``get_settings()``; until then
  Powertools' own default (``POWERTOOLS_LOG_LEVEL``, else INFO).
- The tracer is created on first use (:func:`get_tracer`; ``tracer`` still works as a module
  attribute) and disabled outside Lambda (no ``AWS_LAMBDA_FUNCTION_NAME``) so local runs and tests
  never try to reach an X-Ray daemon.
- Resume text and personal data are never logged: log :func:`text_fingerprint` instead.
"""

from __future__ import annotations

import hashlib
import os
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

__all__ = [
    "METRICS_NAMESPACE",
    "SERVICE_NAME",
    "get_tracer",
    "in_lambda",
    "logger",
    "metrics",
    "text_fingerprint",
]

SERVICE_NAME = os.environ.get("POWERTOOLS_SERVICE_NAME") or "careerready"
METRICS_NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "CareerReady"


def in_lambda() -> bool:
    """True when running inside an AWS Lambda execution environment."""
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))


def text_fingerprint(text: str) -> dict[str, Any]:
    """A loggable stand-in for user text: its length and a short hash, never the content."""
    return {
        "chars": len(text),
        "sha256_12": hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12],
    }


logger: Logger = Logger(service=SERVICE_NAME)
metrics: Metrics = Metrics(namespace=METRICS_NAMESPACE, service=SERVICE_NAME)
_TRACER: list[Tracer] = []


def get_tracer() -> Tracer:
    """The Powertools ``Tracer``, created on first use.

    Creating it imports ``aws_xray_sdk`` (~150 ms of cold start on this machine, measured with
    ``python -X importtime``), so processes that never trace do not pay for it. Lambda's own X-Ray
    segments (``Tracing: Active`` in template.yaml) need no SDK.
    """
    if not _TRACER:
        from aws_lambda_powertools import Tracer

        _TRACER.append(Tracer(service=SERVICE_NAME, disabled=not in_lambda()))
    return _TRACER[0]


def __getattr__(name: str) -> Any:
    # ``from careerready.core.observability import tracer`` keeps working, lazily
    if name == "tracer":
        return get_tracer()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
