"""Shared pytest fixtures. Keep each fixture small and documented; add new ones in their own section."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"


# ---- settings ---------------------------------------------------------------------------------------
@pytest.fixture
def fresh_settings() -> Iterator[None]:
    """Clear the cached ``get_settings()`` before and after a test that changes CAREERREADY_* variables."""
    from careerready.core.config import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


# ---- catalog ------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def built_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real catalog compiled from ``data/`` (no external enrichment) into a temp dir, once per session."""
    from training.catalog.build import build

    out = tmp_path_factory.mktemp("catalog")
    build(REPO_ROOT / "data", out)
    return out


# ---- moto S3 server ------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """A moto server on 127.0.0.1 for the whole session; yields its URL.

    Sets AWS_ENDPOINT_URL (so every boto3 client created afterwards talks to it), dummy
    credentials and region us-east-1; restores the environment and stops the server at the end.
    """
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    env = {
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield url
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        server.stop()


@pytest.fixture
def s3_client(moto_server: str) -> Any:
    """A boto3 S3 client pointed at the session moto server."""
    from careerready.services.s3 import make_s3_client

    return make_s3_client(moto_server, "us-east-1")


@pytest.fixture
def s3_bucket(s3_client: Any) -> str:
    """A fresh, empty bucket per test (isolation without resetting the server)."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=name)
    return name
