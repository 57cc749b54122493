"""``make serve``: the API on 127.0.0.1:<port>, its models loaded from a local moto S3.

    python -m infra.local.serve [--port 8000] [--artifacts artifacts]

Starts moto on loopback, publishes ``artifacts/`` to it (sha256-verified on load, like Lambda),
serves until Ctrl-C, then stops everything it started.
"""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path

from careerready.core.paths import ARTIFACTS_DIR

from infra.local.stack import LocalStack


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m infra.local.serve", description=__doc__)
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--artifacts", type=Path, default=ARTIFACTS_DIR)
    args = ap.parse_args(argv)
    stack = LocalStack(args.artifacts)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        stack.start()
        base = stack.start_api(args.port)
        print(f"API at {base}/v1 (docs: {base}/v1/docs; S3: {stack.url}); Ctrl-C to stop", flush=True)
        stop.wait()
    finally:
        stack.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
