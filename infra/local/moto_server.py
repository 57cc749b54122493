"""Run a standalone local S3 (moto) server on loopback until interrupted (used by ``make serve`` and the bench).

    python -m infra.local.moto_server --port 5001 [--state-file build/state/moto.json] [--bucket B]

writes ``{"url", "port", "pid", "bucket"}`` to the state file, and removes it on exit (Ctrl-C or
SIGTERM). Other tools read the URL with ``training.local_s3.read_state``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
from pathlib import Path

from careerready.services.s3 import make_s3_client

from training.local_s3 import DEFAULT_BUCKET, DEFAULT_STATE_FILE, ensure_bucket, start_moto

__all__ = ["main"]


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
            for key, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
                os.environ.setdefault(key, value)
            ensure_bucket(make_s3_client(url, "us-east-1"), args.bucket)
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
