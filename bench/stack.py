"""Local infrastructure for the harness: a moto S3/SQS server in its own process, artifacts published to it.

The moto server runs as a subprocess (``python -m infra.local.moto_server``) so its request handling
never shares a GIL with the code being measured. Everything listens on 127.0.0.1 only and is stopped
by :meth:`MotoStack.stop` (the harness calls it in a ``finally``).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import PYTHON, REPO_ROOT

__all__ = ["ARTIFACT_BUCKET", "MotoStack", "free_port", "wait_http"]

ARTIFACT_BUCKET = "careerready-bench-models"
AWS_DUMMY = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout_s: float = 30.0, proc: subprocess.Popen[Any] | None = None) -> None:
    """Poll ``url`` until it answers any HTTP status (bounded by ``timeout_s``)."""
    import urllib.error
    import urllib.request

    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server process exited with {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback URL built here
                return
        except urllib.error.HTTPError:
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout_s:g} s")


def stop_process(proc: subprocess.Popen[Any] | None, timeout_s: float = 5.0) -> None:
    """SIGTERM a child we started, then SIGKILL it if it does not exit."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout_s)


class MotoStack:
    """A moto server subprocess on 127.0.0.1 with the registry's artifacts published to a bucket."""

    def __init__(self, bucket: str = ARTIFACT_BUCKET) -> None:
        self.bucket = bucket
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._tmp = tempfile.TemporaryDirectory(prefix="careerready-bench-moto-")
        self._proc: subprocess.Popen[bytes] | None = None
        self.publish_info: dict[str, Any] = {}

    def start(self, timeout_s: float = 30.0) -> MotoStack:
        """Start the server and create the artifact bucket."""
        state = Path(self._tmp.name) / "moto.json"
        env = {**os.environ, **AWS_DUMMY}
        self._proc = subprocess.Popen(  # noqa: S603 - fixed argv
            [
                PYTHON,
                "-m",
                "infra.local.moto_server",
                "--port",
                str(self.port),
                "--state-file",
                str(state),
                "--bucket",
                self.bucket,
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        end = time.monotonic() + timeout_s
        while not state.is_file():
            if self._proc.poll() is not None:
                raise RuntimeError(f"moto server exited with {self._proc.returncode}")
            if time.monotonic() > end:
                raise TimeoutError("moto server did not start")
            time.sleep(0.1)
        return self

    def client(self, service: str = "s3") -> Any:
        """A boto3 client for the local server."""
        import boto3

        return boto3.client(  # type: ignore[call-overload]
            service,
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def publish(self, artifacts_dir: Path | None = None) -> dict[str, Any]:
        """Publish the versions registry.json names (sha256-manifested, manifest last)."""
        from training.artifacts import publish
        from training.publish import select_versions

        artifacts_dir = artifacts_dir or REPO_ROOT / "artifacts"
        versions = select_versions(artifacts_dir, registry_only=True)
        client = self.client()
        t0 = time.perf_counter()
        results = [publish(d, m, v, client, self.bucket, "models") for m, v, d in versions]
        self.publish_info = {
            "versions": [f"{r.model}/{r.version}" for r in results],
            "bytes": sum(r.bytes for r in results),
            "publish_ms": round((time.perf_counter() - t0) * 1000, 1),
        }
        return self.publish_info

    def env(self, cache_dir: Path) -> dict[str, str]:
        """Environment that makes careerready read artifacts from this server into ``cache_dir``."""
        return {
            **AWS_DUMMY,
            "CAREERREADY_ARTIFACT_SOURCE": "s3",
            "CAREERREADY_ARTIFACT_BUCKET": self.bucket,
            "CAREERREADY_ARTIFACT_PREFIX": "models",
            "AWS_ENDPOINT_URL_S3": self.url,
            "CAREERREADY_S3_ENDPOINT_URL": self.url,
            "CAREERREADY_CACHE_DIR": str(cache_dir),
            "CAREERREADY_LOG_LEVEL": "WARNING",
            "LOG_LEVEL": "WARNING",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
        }

    def stop(self) -> None:
        """Stop the server (idempotent) and remove its temp dir."""
        stop_process(self._proc)
        self._proc = None
        self._tmp.cleanup()

    def __enter__(self) -> MotoStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def dump(obj: Any) -> str:
    """Compact JSON (one line) for child-process protocols."""
    return json.dumps(obj, separators=(",", ":"), default=str)
