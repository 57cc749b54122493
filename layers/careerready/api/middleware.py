"""Pure-ASGI middleware: request id (header in, header + state out) and a hard body-size limit.

The body limit is checked twice: the declared ``Content-Length`` (answered before reading) and the
bytes actually received (chunked uploads, lying headers). The body is read once, bounded, and
replayed to the app, so no route ever sees more than ``max_body_bytes``.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from careerready.core.errors import PayloadTooLargeError, error_body

__all__ = ["RequestContextMiddleware"]

_SAFE_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _gateway_request_id(scope: Scope) -> str | None:
    event = scope.get("aws.event")  # set by Mangum
    if isinstance(event, dict):
        rid = (event.get("requestContext") or {}).get("requestId")
        if isinstance(rid, str) and _SAFE_ID.match(rid):
            return rid
    return None


class RequestContextMiddleware:
    """Assigns the request id and enforces the body limit for every HTTP request."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, header: str = "X-Request-ID") -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.header = header
        self._header_key = header.lower().encode("latin-1")

    def _request_id(self, scope: Scope) -> str:
        given = _header(scope, self._header_key)
        if given and _SAFE_ID.match(given.strip()):
            return given.strip()
        return _gateway_request_id(scope) or uuid.uuid4().hex

    async def _too_large(self, send: Send, request_id: str, size: int | None) -> None:
        details: dict[str, Any] = {"limit": self.max_body_bytes} | ({"size": size} if size is not None else {})
        error = PayloadTooLargeError(
            f"request body exceeds {self.max_body_bytes} bytes"
            + ("; upload large resumes to S3 and send s3_key" if size else ""),
            **details,
        )
        body = json.dumps(error_body(error, request_id)).encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": error.http_status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (self._header_key, request_id.encode("latin-1")),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = self._request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id

        declared = _header(scope, b"content-length")
        if declared is not None:
            try:
                declared_size = int(declared)
            except ValueError:
                declared_size = -1
            if declared_size > self.max_body_bytes:
                await self._too_large(send, request_id, declared_size)
                return

        # read the body (bounded) before the app sees it
        chunks: list[bytes] = []
        total = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"") or b""
            total += len(chunk)
            if total > self.max_body_bytes:
                await self._too_large(send, request_id, None)
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != self._header_key]
                headers.append((self._header_key, request_id.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, replay, send_with_id)
