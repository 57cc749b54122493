"""Fixtures of the browser suite: the API on loopback (models from a local moto S3) and headless Chromium.

The browser is Debian's ``chromium`` (``make test`` installs it with apt-get when it is missing and it runs
as root), driven by Playwright for Python through ``executable_path``: Playwright's own browser download
cannot work offline. Tests skip, saying why, only when no Chromium binary exists.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts"
SCREENSHOTS_ENV = "CAREERREADY_SCREENSHOTS"
# build/ (ignored by git) unless asked: `CAREERREADY_SCREENSHOTS=docs/screenshots` refreshes the committed ones
SCREENSHOTS = REPO / os.environ.get(SCREENSHOTS_ENV, "build/screenshots")
CHROMIUM_ENV = "CAREERREADY_CHROMIUM"
# flags that work in this sandbox; Playwright adds a fresh temporary --user-data-dir per launch
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def chromium_path() -> str | None:
    """The Chromium binary: ``$CAREERREADY_CHROMIUM``, else ``chromium`` on PATH (Debian's package)."""
    given = os.environ.get(CHROMIUM_ENV)
    if given:
        return given if Path(given).is_file() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def is_loopback(url: str) -> bool:
    """True for URLs the page may load: loopback http(s), and data:/blob: URLs made in the page."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.scheme in ("http", "https") and (parts.hostname or "") in LOOPBACK


def screenshot(page: Any, name: str, full_page: bool = False) -> None:
    """Save ``<SCREENSHOTS>/<name>.png`` (see CAREERREADY_SCREENSHOTS)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


@dataclass
class PageLog:
    """Every request a page made and every console error / uncaught exception it raised."""

    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> PageLog:
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        return self

    def external(self) -> list[str]:
        return [u for u in self.requests if not is_loopback(u)]


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        pytest.skip(
            "no Chromium binary (Debian package 'chromium'); `make test` installs it with apt-get when run as root "
            f"on a Debian-like system - set {CHROMIUM_ENV} to use another binary"
        )
    return path


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    """One headless Chromium per module (each test opens its own context: fresh cookies and storage).

    Module scope, not session: while Playwright's sync API is open, asyncio sees a running loop in the main
    thread, which breaks later tests that run their own loop (Mangum's ``run_until_complete``).
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture(scope="module")
def api_base(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``python -m infra.local.serve`` (moto S3 on loopback, artifacts published to it, uvicorn) in a subprocess.

    Depends on ``chromium`` so that, without a browser, the tests skip before a server is started for nothing.
    """
    if not (ARTIFACTS / ".complete").is_file():
        pytest.skip("no trained artifacts (artifacts/.complete): `make test` trains them first")
    from infra.local.stack import free_port

    port = free_port()
    log_path = tmp_path_factory.mktemp("api") / "serve.log"
    log = log_path.open("w")  # a file, not a pipe: a full pipe would block the server
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO / "layers"), str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "infra.local.serve", "--port", str(port), "--artifacts", str(ARTIFACTS)],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                out = log_path.read_text(errors="replace")
                raise RuntimeError(f"the API exited with {proc.returncode}:\n{out[-3000:]}")
            try:
                if httpx.get(f"{base}/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the API did not answer /v1/health within 180 s")
            time.sleep(0.3)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    """``new_page(width)`` -> (page, PageLog) in a fresh browser context; closed after the test."""
    contexts: list[Any] = []

    def make(width: int = 1280, height: int = 900) -> tuple[Any, PageLog]:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(60_000)
        return page, PageLog().attach(page)

    yield make
    for context in contexts:
        context.close()
