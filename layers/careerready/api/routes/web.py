"""The web page at ``/`` (static files from ``careerready/api/static``) and offline API docs.

* ``/`` serves ``static/index.html``; ``/assets/*`` its script, style sheet and icon. The folder is
  self-contained (relative links only), so it can also be published as plain static files.
* ``/v1/docs`` (Swagger UI) and ``/v1/redoc`` (ReDoc) load their bundles from ``/v1/docs-assets/``,
  taken from the pinned ``fastapi-offline`` package: no CDN, so the docs work offline and behind proxies.
* Every page and asset carries a Content-Security-Policy with no inline script and no inline style,
  except ``/v1/redoc``: ReDoc (styled-components) injects ``<style>`` elements at run time, so that one
  page allows ``style-src 'unsafe-inline'`` (never scripts) and ``blob:`` workers (its search).
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.staticfiles import StaticFiles

from careerready.core.errors import ArtifactError, NotFoundError

__all__ = [
    "DOCS_ASSETS_PACKAGE",
    "PAGE_CSP",
    "REDOC_CSP",
    "STATIC_DIR",
    "docs_assets_dir",
    "install_web",
    "security_headers",
]

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
DOCS_ASSETS_PACKAGE = "fastapi_offline"
"""PyPI ``fastapi-offline`` (pinned in functions/analyze/requirements.txt): Swagger UI + ReDoc bundles."""

_COMMON_CSP = (
    "default-src 'none'; script-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
PAGE_CSP = _COMMON_CSP + "; style-src 'self'"
REDOC_CSP = _COMMON_CSP + "; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:"

# vendor files served from the docs package (name -> media type); our own init scripts live in static/docs/
_VENDOR_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "redoc.standalone.js": "text/javascript",
}
# ReDoc's sidebar footer shows Redocly's logo from their CDN (unconditionally, in 2.x). Served with the URL
# replaced by an empty data: URL the image fails to load and ReDoc drops it (its onError); the credit link stays.
_VENDOR_PATCHES = {"redoc.standalone.js": ((b"https://cdn.redoc.ly/redoc/logo-mini.svg", b"data:,"),)}
_OWN_DOCS_ASSETS = {"swagger-init.js": "text/javascript", "redoc-init.js": "text/javascript", "docs.css": "text/css"}


def security_headers(csp: str = PAGE_CSP) -> dict[str, str]:
    """Headers every page and asset carries."""
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cache-Control": "no-cache",
    }


def docs_assets_dir() -> Path | None:
    """Folder of the Swagger UI / ReDoc bundles, or None when ``fastapi-offline`` is not installed."""
    spec = importlib.util.find_spec(DOCS_ASSETS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "static"
    return folder if folder.is_dir() else None


@cache
def _vendor_bytes(folder: Path, name: str) -> bytes:
    data = (folder / name).read_bytes()
    for old, new in _VENDOR_PATCHES.get(name, ()):
        data = data.replace(old, new)
    return data


class _Assets(StaticFiles):
    """StaticFiles whose answers carry the page's security headers."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers.update(security_headers())
        return response


def _docs_page(template: str, title: str, csp: str) -> HTMLResponse:
    html = (STATIC_DIR / "docs" / template).read_text(encoding="utf-8").replace("{{title}}", title)
    return HTMLResponse(html, headers=security_headers(csp))


def _router(title: str) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/")
    def page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html", headers=security_headers())

    @router.get("/v1/docs")
    def swagger_ui() -> HTMLResponse:
        return _docs_page("swagger.html", f"{title} - Swagger UI", PAGE_CSP)

    @router.get("/v1/redoc")
    def redoc() -> HTMLResponse:
        return _docs_page("redoc.html", f"{title} - ReDoc", REDOC_CSP)

    @router.get("/v1/docs-assets/{name}")
    def docs_asset(name: str) -> Response:
        headers = security_headers()
        if name in _OWN_DOCS_ASSETS:
            return FileResponse(STATIC_DIR / "docs" / name, media_type=_OWN_DOCS_ASSETS[name], headers=headers)
        if name not in _VENDOR_ASSETS:
            raise NotFoundError(f"no docs asset {name!r}", field="path.name")
        folder = docs_assets_dir()
        if folder is None:
            raise ArtifactError(
                f"the API docs need the {DOCS_ASSETS_PACKAGE.replace('_', '-')} package, which is not installed"
            )
        headers["Cache-Control"] = "public, max-age=86400"  # pinned package: changes only with a new image
        return Response(_vendor_bytes(folder, name), media_type=_VENDOR_ASSETS[name], headers=headers)

    return router


def install_web(app: FastAPI) -> None:
    """Add the page (``/``, ``/assets``) and the offline docs (``/v1/docs``, ``/v1/redoc``) to ``app``.

    Create the app with ``docs_url=None, redoc_url=None`` so FastAPI's CDN-based pages are not registered.
    """
    app.include_router(_router(app.title))
    app.mount("/assets", _Assets(directory=STATIC_DIR / "assets"), name="assets")
