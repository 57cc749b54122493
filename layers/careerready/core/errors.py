"""Domain exceptions and the one error body every answer uses.

Each exception carries its HTTP status (``http_status``) and a stable ``code``. :func:`error_body`
builds ``{"detail": {code, message, ...details, request_id}}`` for the API, the stage functions'
HTTP events and the body-size middleware; :func:`error_envelope` is the stage invoke wire format.
"""

from __future__ import annotations

from typing import Any


class CareerReadyError(Exception):
    """Base class. ``http_status`` is what the API answers; ``code`` is a stable machine-readable name."""

    http_status: int = 500
    code: str = "internal_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        """``{code, message, ...details}``."""
        return {"code": self.code, "message": self.message, **self.details}


class InvalidInputError(CareerReadyError):
    """The request is well-formed JSON but a field is wrong (names the field in ``details``)."""

    http_status = 422
    code = "invalid_input"


class NoExtractableTextError(InvalidInputError):
    """A document (scanned/empty PDF, empty DOCX, blank text) has no text to analyse."""

    code = "no_extractable_text"


class UnsupportedMediaTypeError(CareerReadyError):
    http_status = 415
    code = "unsupported_media_type"


class PayloadTooLargeError(CareerReadyError):
    http_status = 413
    code = "payload_too_large"


class NotFoundError(CareerReadyError):
    http_status = 404
    code = "not_found"


class RoleNotFoundError(NotFoundError):
    """Unknown role id or a title that resolves to nothing; ``details['nearest']`` lists candidates."""

    code = "role_not_found"


class ArtifactError(CareerReadyError):
    http_status = 503
    code = "artifact_error"


class ArtifactNotFoundError(ArtifactError):
    code = "artifact_not_found"


class ArtifactIntegrityError(ArtifactError):
    """A downloaded file's sha256 does not match its manifest (or a pinned manifest hash)."""

    code = "artifact_integrity"


class ArtifactImmutableError(ArtifactError):
    """Publishing different bytes under an existing version."""

    http_status = 409
    code = "artifact_immutable"


class StageError(CareerReadyError):
    """A stage (extract/match/readiness/recommend) failed or timed out; ``details['stage']`` names it."""

    http_status = 502
    code = "stage_failed"


class StageTimeoutError(StageError):
    http_status = 504
    code = "stage_timeout"


class ConfigError(CareerReadyError):
    code = "config_error"


class InternalError(CareerReadyError):
    """An unexpected failure, answered without internals (the cause is logged with the request id)."""

    code = "internal_error"

    def __init__(self, message: str = "internal error", **details: Any) -> None:
        super().__init__(message, **details)


# ---- the error body of every HTTP answer ------------------------------------------------------------


def error_body(error: CareerReadyError, request_id: str | None = None) -> dict[str, Any]:
    """The JSON body of an error answer: ``{"detail": {code, message, ...details, request_id}}``.

    The one builder: the API's exception handlers, the body-size middleware and the stage functions'
    API Gateway events all answer with it (``request_id`` is None when unknown).
    """
    return {"detail": {**error.to_dict(), "request_id": request_id or None}}


# ---- the wire format of a stage's expected failure (direct Lambda invoke) --------------------------


def _error_classes() -> dict[str, type[CareerReadyError]]:
    out: dict[str, type[CareerReadyError]] = {}
    todo: list[type[CareerReadyError]] = [CareerReadyError]
    while todo:
        cls = todo.pop()
        out.setdefault(cls.code, cls)
        todo.extend(cls.__subclasses__())
    return out


def error_envelope(exc: CareerReadyError) -> dict[str, Any]:
    """The JSON a stage function returns for an expected (domain) failure."""
    return {"error": {**exc.to_dict(), "http_status": exc.http_status}}


def error_from_envelope(stage: str, envelope: dict[str, Any]) -> CareerReadyError:
    """Rebuild the domain error a stage reported in an :func:`error_envelope` (``StageError`` for an unknown code)."""
    body = dict(envelope.get("error") or {})
    code = str(body.pop("code", "stage_failed"))
    message = str(body.pop("message", f"stage {stage} failed"))
    body.pop("http_status", None)
    cls = _error_classes().get(code, StageError)
    details = {k: v for k, v in body.items() if isinstance(k, str)}
    details.setdefault("stage", stage)
    return cls(message, **details)
