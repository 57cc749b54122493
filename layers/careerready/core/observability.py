"""The one place that creates the Powertools ``logger`` (structured JSON logs).

- Service name: ``POWERTOOLS_SERVICE_NAME`` (default ``careerready``); each function's image sets it.
- Log level: ``Settings.log_level`` (``CAREERREADY_LOG_LEVEL``), applied by ``get_settings()``; until then
  Powertools' own default (``POWERTOOLS_LOG_LEVEL``, else INFO).
- No metrics or tracer objects: nothing emits custom metrics, and Lambda's own X-Ray segments
  (``Tracing: Active`` in template.yaml) need no SDK in the image.
- Resume text and personal data are never logged: log :func:`text_fingerprint` instead.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from aws_lambda_powertools import Logger

__all__ = ["SERVICE_NAME", "logger", "text_fingerprint"]

SERVICE_NAME = os.environ.get("POWERTOOLS_SERVICE_NAME") or "careerready"


def text_fingerprint(text: str) -> dict[str, Any]:
    """A loggable stand-in for user text: its length and a short hash, never the content."""
    return {
        "chars": len(text),
        "sha256_12": hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12],
    }


logger: Logger = Logger(service=SERVICE_NAME)
