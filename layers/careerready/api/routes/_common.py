"""Bits every router uses: error responses for OpenAPI, request metadata, registry versions."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import Request

from careerready.api.errors import request_id_of
from careerready.schemas.api import ErrorResponse

__all__ = ["ERRORS", "configured_versions", "errors", "meta"]

_DESCRIPTIONS = {
    404: "Unknown role (``detail.nearest`` lists the closest titles) or resume object.",
    413: "Request body, document or text too large.",
    415: "Unsupported document or content type.",
    422: "Invalid input (``detail.field`` names it), e.g. a document with no extractable text.",
    502: "A stage failed (``detail.stage`` names it).",
    503: "A model artifact is missing or failed verification.",
    504: "A stage timed out.",
}
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": text} for code, text in _DESCRIPTIONS.items()
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` entries for these status codes."""
    return {c: ERRORS[c] for c in codes}


@cache
def _registry_versions(path: str, overrides: tuple[tuple[str, str], ...]) -> dict[str, str]:
    from careerready.services.registry import load_registry

    return load_registry(path, dict(overrides)).all_models()


def configured_versions(settings: Any) -> dict[str, str]:
    """Model -> version this deployment serves (registry + overrides)."""
    try:
        return dict(
            _registry_versions(str(settings.registry_path), tuple(sorted(settings.version_overrides().items())))
        )
    except Exception:  # noqa: BLE001 - health must answer even with a broken registry file
        return {}


def meta(request: Request, versions: dict[str, str]) -> dict[str, Any]:
    """``request_id`` + ``model_versions`` for a response body."""
    return {"request_id": request_id_of(request), "model_versions": dict(sorted(versions.items()))}
