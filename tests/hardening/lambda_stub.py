"""A tiny Lambda Invoke-API server on 127.0.0.1 whose stage functions can be told to fail or hang."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.hardening._support import serving_models

# behaviour per function name: "ok" | "crash" | "hang:<seconds>" | "task_timeout"
Behaviour = dict[str, str]


@contextmanager
def lambda_stub(behaviour: Behaviour) -> Iterator[tuple[str, Counter[str]]]:
    """Serve ``POST /2015-03-31/functions/<name>/invocations``; yields (endpoint URL, invocation counts)."""
    from careerready.services import stages

    calls: Counter[str] = Counter()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def do_POST(self) -> None:  # noqa: N802 - http.server naming
            name = self.path.split("/functions/", 1)[1].split("/", 1)[0]
            length = int(self.headers.get("content-length") or 0)
            event = json.loads(self.rfile.read(length) or b"{}")
            calls[name] += 1
            mode = behaviour.get(name, "ok")
            headers = {"Content-Type": "application/json"}
            if mode.startswith("hang:"):
                time.sleep(float(mode.split(":", 1)[1]))
                body: Any = {"late": True}
            elif mode == "crash":
                headers["X-Amz-Function-Error"] = "Unhandled"
                body = {"errorMessage": "division by zero", "errorType": "ZeroDivisionError", "stackTrace": []}
            elif mode == "task_timeout":
                headers["X-Amz-Function-Error"] = "Unhandled"
                body = {"errorMessage": "Task timed out after 3.00 seconds", "errorType": "Sandbox.Timedout"}
            else:
                stage = event["stage"]
                try:
                    body = stages.handle(stage, event["payload"], serving_models.fixture_models_for(stage))
                except Exception as exc:  # domain errors go back in the envelope
                    from careerready.core.errors import error_envelope

                    body = error_envelope(exc)  # type: ignore[arg-type]
            data = json.dumps(body).encode()
            try:
                self.send_response(200)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (read timeout)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", calls
    finally:
        server.shutdown()
        server.server_close()
