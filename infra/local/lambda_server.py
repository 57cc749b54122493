"""A loopback server speaking the Lambda Invoke API, without Docker (like ``sam local start-lambda``).

Usage (from the repository root)::

    python -m infra.local.lambda_server --port 3001 [--functions Extract Match Readiness Recommend] [--preload]

then point boto3 at it (``endpoint_url="http://127.0.0.1:3001"``, or
``CAREERREADY_LAMBDA_ENDPOINT_URL`` for :class:`careerready.services.transport.LambdaTransport`).

* ``POST /2015-03-31/functions/{name}/invocations`` runs the function's handler and answers its
  JSON. A handler exception answers 200 with ``X-Amz-Function-Error: Unhandled`` and an
  ``{errorMessage, errorType, requestId, stackTrace}`` body, as AWS does; a timeout kills the
  worker (``Task timed out after N seconds``) and the next call cold-starts a new one.
* ``{name}`` may be the logical id (``Extract``), any case of it, an ARN, or a deployed-style
  name ending in ``-<logical id lowercased>`` (``careerready-extract``).
* Each function runs in its own persistent worker process (multiprocessing ``spawn``; started on
  first use or with ``--preload``), with the template's environment and ``sys.path`` =
  ``functions/<name>`` + ``layers/``: models load once per worker, as in a warm Lambda container.
  One invocation at a time per worker; callers queue up to the function's timeout.
* Bounded: 6 MB request payloads, ``--max-concurrency`` requests in flight (else 429), loopback
  only unless ``--host`` says otherwise. SIGINT/SIGTERM stop the workers and the server cleanly.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from infra.local.invoke import (
    INIT_ALLOWANCE_S,
    HandlerLoadError,
    LambdaContext,
    child_environment,
    error_payload,
    load_handler,
)
from infra.local.template_env import TEMPLATE_PATH, FunctionSpec, function_specs, load_template

__all__ = ["MAX_PAYLOAD_BYTES", "InvokeOutcome", "LambdaServer", "main"]

MAX_PAYLOAD_BYTES = 6 * 1024 * 1024
"""Synchronous invoke payload limit (request and response), as in AWS."""
_INVOKE_PATH = "/2015-03-31/functions/"


@dataclass
class InvokeOutcome:
    """What one invocation produced, before it becomes an HTTP response."""

    status: int
    body: bytes
    function_error: str | None = None
    error_type: str | None = None
    """Service-level error (``x-amzn-ErrorType``), e.g. ``ResourceNotFoundException``."""


def _service_error(status: int, error_type: str, message: str) -> InvokeOutcome:
    body = json.dumps({"Type": "User", "message": message}).encode("utf-8")
    return InvokeOutcome(status=status, body=body, error_type=error_type)


def _worker_main(spec: dict[str, Any], env: dict[str, str], conn: Connection) -> None:
    """Worker process: become the function's environment, import the handler once, serve invokes."""
    os.environ.clear()
    os.environ.update(env)
    os.chdir(spec["code_dir"])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when workers stop
    t0 = time.perf_counter()
    handler = None
    init_error: HandlerLoadError | None = None
    try:
        handler = load_handler(spec["handler"], spec["python_path"])
    except HandlerLoadError as exc:
        init_error = exc
    conn.send(("ready", round((time.perf_counter() - t0) * 1000, 3)))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        request_id, event_bytes = msg
        if init_error is not None or handler is None:
            err = init_error or HandlerLoadError("handler not loaded", "Runtime.Unknown")
            conn.send(("error", json.dumps(error_payload(err, request_id, err.error_type))))
            continue
        context = LambdaContext(spec["function_name"], spec["memory_mb"], spec["timeout_s"], request_id)
        try:
            event = json.loads(event_bytes) if event_bytes else {}
            result = handler(event, context)
        except Exception as exc:
            conn.send(("error", json.dumps(error_payload(exc, request_id))))
            continue
        try:
            conn.send(("ok", json.dumps(result)))
        except (TypeError, ValueError) as exc:
            conn.send(("error", json.dumps(error_payload(exc, request_id, "Runtime.MarshalError"))))


class _Worker:
    """One persistent process for one function; invocations are serialised like one Lambda sandbox."""

    def __init__(self, spec: FunctionSpec, env_base: dict[str, str] | None = None) -> None:
        self.spec = spec
        self._env = child_environment(spec, env_base)
        self._ctx = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None
        self.init_ms: float | None = None
        self.cold_starts = 0
        self.invocations = 0

    def _payload_spec(self) -> dict[str, Any]:
        return {
            "function_name": self.spec.logical_id,
            "handler": self.spec.handler,
            "python_path": self.spec.python_path(),
            "code_dir": str(self.spec.code_dir),
            "memory_mb": self.spec.memory_mb,
            "timeout_s": self.spec.timeout_s,
        }

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def _start(self, init_timeout_s: float) -> None:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(
            target=_worker_main,
            args=(self._payload_spec(), self._env, child),
            name=f"lambda-{self.spec.logical_id}",
            daemon=True,
        )
        process.start()
        child.close()
        self._process, self._conn = process, parent
        self.cold_starts += 1
        if not parent.poll(init_timeout_s):
            self._kill()
            raise TimeoutError(f"{self.spec.logical_id}: init did not finish within {init_timeout_s:g} s")
        try:
            _, self.init_ms = parent.recv()
        except (EOFError, OSError) as exc:
            self._kill()
            raise RuntimeError(f"{self.spec.logical_id}: worker exited during init") from exc

    def ensure_started(self, init_timeout_s: float = INIT_ALLOWANCE_S) -> float | None:
        """Start the worker if needed (cold start) and return its init time in ms."""
        with self._lock:
            if not self.alive:
                self._start(init_timeout_s)
            return self.init_ms

    def invoke(self, event_bytes: bytes, request_id: str) -> InvokeOutcome:
        """Run one invocation; never raises for function-side failures."""
        wait_s = self.spec.timeout_s + INIT_ALLOWANCE_S
        if not self._lock.acquire(timeout=wait_s):
            return _service_error(429, "TooManyRequestsException", "Rate Exceeded.")
        try:
            if not self.alive:
                try:
                    self._start(INIT_ALLOWANCE_S)
                except (TimeoutError, RuntimeError) as exc:
                    return self._function_error(request_id, str(exc), "Runtime.InitError")
            assert self._conn is not None
            self.invocations += 1
            try:
                self._conn.send((request_id, event_bytes))
                if not self._conn.poll(self.spec.timeout_s):
                    self._kill()
                    return self._function_error(
                        request_id,
                        f"{request_id} Task timed out after {self.spec.timeout_s:.2f} seconds",
                        "Sandbox.Timedout",
                    )
                kind, body = self._conn.recv()
            except (EOFError, OSError, BrokenPipeError):
                code = self._process.exitcode if self._process else None
                self._kill()
                return self._function_error(
                    request_id,
                    f"RequestId: {request_id} Error: Runtime exited with error: exit status {code}",
                    "Runtime.ExitError",
                )
            data = body.encode("utf-8")
            if kind == "ok":
                if len(data) > MAX_PAYLOAD_BYTES:
                    return self._function_error(
                        request_id,
                        f"Response payload size ({len(data)} bytes) exceeded maximum allowed payload size "
                        f"({MAX_PAYLOAD_BYTES} bytes).",
                        "Function.ResponseSizeTooLarge",
                    )
                return InvokeOutcome(status=200, body=data)
            return InvokeOutcome(status=200, body=data, function_error="Unhandled")
        finally:
            self._lock.release()

    @staticmethod
    def _function_error(request_id: str, message: str, error_type: str) -> InvokeOutcome:
        body = {"errorMessage": message, "errorType": error_type, "requestId": request_id}
        return InvokeOutcome(status=200, body=json.dumps(body).encode("utf-8"), function_error="Unhandled")

    def _kill(self) -> None:
        process, conn = self._process, self._conn
        self._process, self._conn = None, None
        if conn is not None:
            conn.close()
        if process is not None:
            process.terminate()
            process.join(2)
            if process.is_alive():
                process.kill()
                process.join(2)

    def stop(self, timeout_s: float = 3.0) -> None:
        """Ask the worker to exit; terminate it if it does not within ``timeout_s``."""
        got_lock = self._lock.acquire(timeout=timeout_s)
        try:
            if self._conn is not None and self.alive:
                try:
                    self._conn.send(None)
                except (OSError, BrokenPipeError):
                    pass
                assert self._process is not None
                self._process.join(timeout_s)
            self._kill()
        finally:
            if got_lock:
                self._lock.release()


class LambdaServer:
    """The Invoke-API server: ``with LambdaServer(specs, port=0) as srv: boto3 ... endpoint_url=srv.url``."""

    def __init__(
        self,
        specs: dict[str, FunctionSpec],
        *,
        host: str = "127.0.0.1",
        port: int = 3001,
        max_concurrency: int = 16,
        env_base: dict[str, str] | None = None,
    ) -> None:
        if not specs:
            raise ValueError("no functions to serve")
        self.workers = {name: _Worker(spec, env_base) for name, spec in specs.items()}
        self._slots = threading.BoundedSemaphore(max_concurrency)
        self._httpd = ThreadingHTTPServer((host, port), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None
        self._async_threads: list[threading.Thread] = []
        self._serving = threading.Event()
        self._stopped = False

    @classmethod
    def from_template(
        cls,
        template_path: Path | str = TEMPLATE_PATH,
        *,
        functions: Iterable[str] | None = None,
        parameter_overrides: dict[str, str] | None = None,
        env_overrides: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> LambdaServer:
        """Serve the functions of a template (all, or the logical ids in ``functions``)."""
        path = Path(template_path)
        specs = function_specs(
            load_template(path), root=path.parent, parameter_overrides=parameter_overrides, env_overrides=env_overrides
        )
        if functions is not None:
            wanted = list(functions)
            unknown = [f for f in wanted if f not in specs]
            if unknown:
                raise ValueError(f"unknown function(s) {unknown}; template has {sorted(specs)}")
            specs = {name: specs[name] for name in wanted}
        return cls(specs, **kwargs)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        host_text = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://{host_text}:{port}"

    def resolve_name(self, raw: str) -> str | None:
        """Map a FunctionName (logical id, ARN, ``<stack>-<name>``) to a served logical id."""
        name = unquote(raw)
        if ":function:" in name:
            name = name.split(":function:", 1)[1]
        name = name.split(":", 1)[0]  # drop a qualifier ($LATEST, alias)
        if name in self.workers:
            return name
        lowered = name.lower()
        for logical_id in self.workers:
            if lowered == logical_id.lower() or lowered.endswith("-" + logical_id.lower()):
                return logical_id
        return None

    def invoke(self, raw_name: str, body: bytes, invocation_type: str = "RequestResponse") -> InvokeOutcome:
        """Handle one Invoke call (also usable without HTTP)."""
        name = self.resolve_name(raw_name)
        if name is None:
            return _service_error(
                404,
                "ResourceNotFoundException",
                f"Function not found: arn:aws:lambda:us-east-1:123456789012:function:{unquote(raw_name)}",
            )
        if len(body) > MAX_PAYLOAD_BYTES:
            return _service_error(
                413,
                "RequestTooLargeException",
                f"Request must be smaller than {MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation",
            )
        if body:
            try:
                json.loads(body)
            except ValueError:
                return _service_error(400, "InvalidRequestContentException", "Could not parse request body into json")
        if invocation_type == "DryRun":
            return InvokeOutcome(status=204, body=b"")
        worker = self.workers[name]
        request_id = str(uuid.uuid4())
        if invocation_type == "Event":
            thread = threading.Thread(target=worker.invoke, args=(body, request_id), daemon=True)
            thread.start()
            self._async_threads = [t for t in self._async_threads if t.is_alive()] + [thread]
            return InvokeOutcome(status=202, body=b"")
        return worker.invoke(body, request_id)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # TCP_NODELAY: the headers and the body go out as two writes; with Nagle on, the body waits for the
            # client's delayed ACK of the headers (~40 ms per invoke on loopback, measured: docs/benchmarks.md)
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
                sys.stderr.write(f"[lambda_server] {self.address_string()} {format % args}\n")

            def _send(self, outcome: InvokeOutcome, request_id: str | None = None) -> None:
                self.send_response(outcome.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(outcome.body)))
                self.send_header("x-amzn-RequestId", request_id or str(uuid.uuid4()))
                if outcome.status < 300:
                    self.send_header("X-Amz-Executed-Version", "$LATEST")
                if outcome.function_error:
                    self.send_header("X-Amz-Function-Error", outcome.function_error)
                if outcome.error_type:
                    self.send_header("x-amzn-ErrorType", outcome.error_type)
                self.end_headers()
                if outcome.body:
                    self.wfile.write(outcome.body)

            def do_GET(self) -> None:  # noqa: N802 - stdlib naming
                path = urlsplit(self.path).path.rstrip("/")
                if path in ("/2015-03-31/functions", "/health"):
                    listing = [
                        {
                            "FunctionName": name,
                            "Timeout": w.spec.timeout_s,
                            "MemorySize": w.spec.memory_mb,
                            "Warm": w.alive,
                            "ColdStarts": w.cold_starts,
                            "Invocations": w.invocations,
                        }
                        for name, w in server.workers.items()
                    ]
                    self._send(InvokeOutcome(200, json.dumps({"Functions": listing}).encode("utf-8")))
                    return
                self._send(_service_error(404, "ResourceNotFoundException", f"no route for GET {path}"))

            def do_POST(self) -> None:  # noqa: N802 - stdlib naming
                path = urlsplit(self.path).path
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_PAYLOAD_BYTES:
                    self.close_connection = True
                    self._send(_service_error(413, "RequestTooLargeException", "Request payload too large"))
                    return
                body = self.rfile.read(length) if length else b""
                if not (path.startswith(_INVOKE_PATH) and path.endswith("/invocations")):
                    self._send(_service_error(404, "UnknownOperationException", f"no route for POST {path}"))
                    return
                if not server._slots.acquire(blocking=False):
                    self._send(_service_error(429, "TooManyRequestsException", "Rate Exceeded."))
                    return
                try:
                    raw_name = path[len(_INVOKE_PATH) : -len("/invocations")]
                    invocation_type = self.headers.get("X-Amz-Invocation-Type") or "RequestResponse"
                    outcome = server.invoke(raw_name, body, invocation_type)
                finally:
                    server._slots.release()
                self._send(outcome)

        return Handler

    def start(self) -> LambdaServer:
        """Serve in a background thread (returns immediately)."""
        self._thread = threading.Thread(target=self.serve_forever, name="lambda-server", daemon=True)
        self._thread.start()
        return self

    def preload(self, names: Iterable[str] | None = None) -> dict[str, float | None]:
        """Cold-start workers now (in parallel); returns ``{name: init_ms}``."""
        chosen = list(names) if names is not None else list(self.workers)
        results: dict[str, float | None] = {}
        errors: list[str] = []

        def _one(name: str) -> None:
            try:
                results[name] = self.workers[name].ensure_started()
            except (TimeoutError, RuntimeError) as exc:
                errors.append(str(exc))

        threads = [threading.Thread(target=_one, args=(n,)) for n in chosen]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise RuntimeError("; ".join(errors))
        return results

    def serve_forever(self) -> None:
        """Serve in the calling thread until :meth:`stop` (from a signal handler or another thread)."""
        self._serving.set()
        try:
            self._httpd.serve_forever()
        finally:
            self._serving.clear()

    def stop(self) -> None:
        """Stop accepting requests, stop every worker, close the socket (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        if self._serving.is_set():
            # shutdown() waits for serve_forever to return; it would block forever if it never ran
            self._httpd.shutdown()
        for worker in self.workers.values():
            worker.stop()
        for thread in self._async_threads:
            thread.join(1)
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> LambdaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _pairs(values: Sequence[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"expected KEY=VALUE, got {item!r}")
        out[key] = value
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(
        prog="python -m infra.local.lambda_server", description="Local Lambda Invoke API without Docker."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3001)
    parser.add_argument("--template", default=str(TEMPLATE_PATH))
    parser.add_argument("--functions", nargs="*", help="logical ids to serve (default: all)")
    parser.add_argument("--preload", action="store_true", help="cold-start every worker before serving")
    parser.add_argument("--max-concurrency", type=int, default=16)
    parser.add_argument("--parameter-overrides", nargs="*", help="Key=Value template parameters")
    parser.add_argument("--env", nargs="*", help="KEY=VALUE environment overrides for every function")
    args = parser.parse_args(argv)
    server = LambdaServer.from_template(
        args.template,
        functions=args.functions,
        parameter_overrides=_pairs(args.parameter_overrides),
        env_overrides=_pairs(args.env),
        host=args.host,
        port=args.port,
        max_concurrency=args.max_concurrency,
    )
    if args.preload:
        for name, init_ms in server.preload().items():
            print(f"{name}: init {init_ms} ms", file=sys.stderr)

    def _stop(signum: int, _frame: Any) -> None:
        # shutdown() must not run in the thread that is inside serve_forever
        threading.Thread(target=server._httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    print(f"Lambda Invoke API on {server.url} (functions: {', '.join(server.workers)})", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    finally:
        server.stop()
    print("stopped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
