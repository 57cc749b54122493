"""Fixtures of the hardening suite (apps over fixture models; real artifacts only where named)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.hardening._support import fixture_app


@pytest.fixture(scope="module")
def hostile_client() -> Any:
    """TestClient over the fixture-model app with the production default limits (4.5 MB, 100k chars)."""
    from fastapi.testclient import TestClient

    return TestClient(fixture_app(), raise_server_exceptions=False)
