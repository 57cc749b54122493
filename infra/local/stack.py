"""The local stack: a moto S3/SQS server on 127.0.0.1, the artifacts published to it, and the API.

Used by ``make serve`` (:mod:`infra.local.serve`) and ``make demo`` (:mod:`infra.local.demo`).
Everything binds to loopback and is stopped by :meth:`LocalStack.close`.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from training.local_s3 import ensure_bucket, start_moto

MODEL_BUCKET = "careerready-models"
RESUME_BUCKET = "careerready-resumes"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalStack:
    """moto on loopback + artifacts published + serving settings in the environment."""

    def __init__(self, artifacts: Path) -> None:
        self.artifacts = artifacts
        self.server: Any = None
        self.url = ""
        self.cache_dir = Path(tempfile.mkdtemp(prefix="careerready-cache-"))
        self.api_server: Any = None
        self.api_thread: threading.Thread | None = None

    def start(self) -> LocalStack:
        """Start moto, publish every artifact version, and point the serving settings at it."""
        for key, value in (
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_DEFAULT_REGION", "us-east-1"),
        ):
            os.environ.setdefault(key, value)
        self.server, self.url = start_moto(0)
        from careerready.services.s3 import make_s3_client

        from training.publish import publish_all, select_versions

        client = make_s3_client(self.url)
        ensure_bucket(client, MODEL_BUCKET)
        versions = select_versions(self.artifacts, registry_only=False)
        if not versions:
            raise SystemExit(f"no artifacts under {self.artifacts}: run `make train` first")
        for r in publish_all(versions, client, MODEL_BUCKET, "models"):
            print(f"  published {r.model}/{r.version}: {r.status} ({r.files} files) -> {r.uri}", flush=True)
        os.environ.update(
            {
                "AWS_ENDPOINT_URL_S3": self.url,
                "AWS_ENDPOINT_URL_SQS": self.url,
                "CAREERREADY_ARTIFACT_SOURCE": "s3",
                "CAREERREADY_ARTIFACT_BUCKET": MODEL_BUCKET,
                "CAREERREADY_CACHE_DIR": str(self.cache_dir),
                "CAREERREADY_RESUME_BUCKET": RESUME_BUCKET,
            }
        )
        return self

    def start_api(self, port: int) -> str:
        """Serve the FastAPI app with uvicorn on 127.0.0.1:port in a thread; returns the base URL."""
        import httpx
        import uvicorn
        from careerready.api.app import create_app, warm_up

        app = create_app()
        warm_up(app)  # models from moto S3 into the empty cache, verified, loaded
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
        self.api_server = uvicorn.Server(config)
        self.api_thread = threading.Thread(target=self.api_server.run, daemon=True)
        self.api_thread.start()
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/v1/health", timeout=2).status_code == 200:
                    return base
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"the API did not answer on {base}/v1/health within 30 s")

    def close(self) -> None:
        """Stop the API and moto; remove the download cache."""
        if self.api_server is not None:
            self.api_server.should_exit = True
            if self.api_thread is not None:
                self.api_thread.join(timeout=10)
        if self.server is not None:
            self.server.stop()
        shutil.rmtree(self.cache_dir, ignore_errors=True)
