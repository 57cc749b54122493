"""A local S3 (moto) server on loopback, for publishing and serving models without AWS.

Standalone (used by ``make serve``)::

    python -m infra.local.moto_server --port 5001 [--state-file build/state/moto.json] [--bucket B]

writes ``{"url", "port", "pid", "bucket"}`` to the state file, and removes it on exit (Ctrl-C or
SIGTERM). Other tools read the URL with :func:`read_state`. In-process, :func:`start_moto` returns
a running server and its URL.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import socket
import threading
from pathlib import Path
from typing import Any

from careerready.core import paths

__all__ = ["DEFAULT_STATE_FILE", "read_state", "start_moto", "main"]

DEFAULT_STATE_FILE = paths.STATE_DIR / "moto.json"
DEFAULT_BUCKET = "careerready-models"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_moto(port: int = 0) -> tuple[Any, str]:
    """Start a ThreadedMotoServer on 127.0.0.1 (``port=0`` picks a free port).

    Returns:
        ``(server, url)``; call ``server.stop()`` when done.
    """
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    port = port or _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server, f"http://127.0.0.1:{port}"


def read_state(state_file: Path = DEFAULT_STATE_FILE) -> dict[str, Any] | None:
    """The running standalone server's state (None when no server is recorded)."""
    if not state_file.is_file():
        return None
    data: dict[str, Any] = json.loads(state_file.read_text(encoding="utf-8"))
    return data


def ensure_bucket(url: str, bucket: str) -> None:
    """Create ``bucket`` on the server if it does not exist (dummy credentials, us-east-1)."""
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
    )
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        client.create_bucket(Bucket=bucket)


def main(argv: list[str] | None = None) -> int:
    """Run a moto server until interrupted, recording its URL in a state file."""
    ap = argparse.ArgumentParser(prog="python -m infra.local.moto_server", description=__doc__)
    ap.add_argument("--port", type=int, default=5001)
    ap.add_argument("--state-file", type=Path, default=DEFAULT_STATE_FILE)
    ap.add_argument("--bucket", default=DEFAULT_BUCKET, help="bucket to create at start ('' for none)")
    args = ap.parse_args(argv)

    server, url = start_moto(args.port)
    stop = threading.Event()
    try:
        if args.bucket:
            ensure_bucket(url, args.bucket)
        args.state_file.parent.mkdir(parents=True, exist_ok=True)
        state = {"url": url, "port": args.port, "pid": os.getpid(), "bucket": args.bucket or None}
        args.state_file.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
        print(f"moto S3 server at {url} (state: {args.state_file}); Ctrl-C to stop", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        stop.wait()
    finally:
        args.state_file.unlink(missing_ok=True)
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
