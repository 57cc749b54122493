"""The ONE place that turns exceptions into HTTP answers (body: :func:`careerready.core.errors.error_body`).

* :class:`CareerReadyError` -> its ``http_status`` (never chosen by message text).
* request validation -> 422 naming the field (``detail.field`` = ``"body.role"`` style path).
* unknown route / wrong method -> 404 / 405 in the same shape.
* anything else -> 500 ``internal_error`` without internals (logged with the request id).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from careerready.core.errors import CareerReadyError, InternalError, InvalidInputError, error_body
from careerready.core.observability import logger

__all__ = ["REQUEST_ID_HEADER", "error_response", "install_error_handlers", "request_id_of"]

REQUEST_ID_HEADER = "X-Request-ID"
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}


def request_id_of(request: Request) -> str:
    """The request id set by the middleware ("" before it ran)."""
    return str(getattr(request.state, "request_id", "") or "")


class _RouteError(CareerReadyError):
    """Starlette's own 404/405/... (unknown route, wrong method) as a domain error of that status."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.http_status, self.code = status, code


def error_response(error: CareerReadyError, request_id: str = "") -> JSONResponse:
    """The error's status and :func:`~careerready.core.errors.error_body`, the request id also as a header."""
    headers = {REQUEST_ID_HEADER: request_id} if request_id else None
    return JSONResponse(status_code=error.http_status, content=error_body(error, request_id), headers=headers)


def _validation_field(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(p) for p in loc) or "body"


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CareerReadyError)
    rid = request_id_of(request)
    level = logger.warning if exc.http_status < 500 else logger.error
    level("request failed", code=exc.code, status=exc.http_status, request_id=rid, path=request.url.path)
    return error_response(exc, rid)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"field": _validation_field(e.get("loc", ())), "message": str(e.get("msg", "invalid")), "type": e.get("type")}
        for e in exc.errors()
    ]
    first = problems[0] if problems else {"field": "body", "message": "invalid request"}
    rid = request_id_of(request)
    logger.info("invalid request", field=first["field"], request_id=rid, path=request.url.path)
    error = InvalidInputError(f"{first['field']}: {first['message']}", field=first["field"], errors=problems)
    return error_response(error, rid)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return error_response(_RouteError(exc.status_code, code, message), request_id_of(request))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    rid = request_id_of(request)
    logger.exception("unhandled error", request_id=rid, path=request.url.path, error=type(exc).__name__)
    return error_response(InternalError(), rid)


def install_error_handlers(app: FastAPI) -> None:
    """Register every exception handler on ``app``."""
    app.add_exception_handler(CareerReadyError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
