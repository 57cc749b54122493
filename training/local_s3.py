"""A local S3 (moto) on loopback, for publishing, smoke-testing and serving models without AWS.

:func:`start_moto` runs one in-process and returns its URL; :func:`read_state` reads the URL of a
standalone one (``python -m infra.local.moto_server`` records it in a state file); :func:`ensure_bucket`
creates a bucket. Used by ``training.publish``, ``training.scripts.smoke_test`` and the local stack
(``infra/local``); never by a Lambda image (moto is a dev dependency).
"""

from __future__ import annotations

import json
import logging
import socket
from pathlib import Path
from typing import Any

from careerready.core import paths

__all__ = ["DEFAULT_BUCKET", "DEFAULT_STATE_FILE", "ensure_bucket", "free_port", "read_state", "start_moto"]

DEFAULT_STATE_FILE = paths.STATE_DIR / "moto.json"
DEFAULT_BUCKET = "careerready-models"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
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
    port = port or free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server, f"http://127.0.0.1:{port}"


def read_state(state_file: Path = DEFAULT_STATE_FILE) -> dict[str, Any] | None:
    """The running standalone server's state (None when no server is recorded)."""
    if not state_file.is_file():
        return None
    data: dict[str, Any] = json.loads(state_file.read_text(encoding="utf-8"))
    return data


def ensure_bucket(client: Any, bucket: str) -> None:
    """Create ``bucket`` through the S3 ``client`` if it does not exist."""
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        client.create_bucket(Bucket=bucket)
