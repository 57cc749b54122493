"""The page and the API docs are served by the app itself and reference nothing outside it.

No browser needed (TestClient over the fixture-model app): every page, every asset a page links, their
security headers, no inline script or style, the roles type-ahead search, and the packaging of the files.
The browser suite (test_page.py) then checks that a real browser makes no outside request either.
"""

from __future__ import annotations

import re
import tomllib
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from careerready.api.routes.web import PAGE_CSP, REDOC_CSP, STATIC_DIR

from tests.hardening._support import fixture_app

REPO = Path(__file__).resolve().parents[2]
PAGES = ["/", "/v1/docs", "/v1/redoc"]
# XML namespace names are identifiers, never fetched
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xhtml", "http://www.w3.org/1999/xlink"}
# absolute http(s) URLs, and protocol-relative ones (//host.tld/...) where an attribute, url( or string starts
URL = re.compile(r"""https?://[^\s"'<>()`\\]+|(?<=["'(=\s])//[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+[^\s"'<>()`\\]*""")
VENDOR = ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js")


@pytest.fixture(scope="module")
def client() -> Any:
    from fastapi.testclient import TestClient

    return TestClient(fixture_app(), raise_server_exceptions=False)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []  # (tag, url)
        self.inline: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("src", "href"):
            if a.get(key):
                self.links.append((tag, str(a[key])))
        if tag == "script" and not a.get("src"):
            self.inline.append("inline <script>")
        if tag == "style":
            self.inline.append("<style> element")
        self.inline.extend(f"{name}= attribute on <{tag}>" for name in a if name == "style" or name.startswith("on"))


def external_urls(text: str) -> list[str]:
    """URLs in ``text`` that point off this machine (namespace names and loopback excluded)."""
    found = []
    for match in URL.finditer(text):
        url = match.group(0).rstrip(".,;")
        if url in NAMESPACES or (urlsplit(url if "://" in url else "http:" + url).hostname or "") in (
            "127.0.0.1",
            "localhost",
        ):
            continue
        found.append(url)
    return found


def _assets(client: Any, page: str) -> list[str]:
    parser = _Links()
    parser.feed(client.get(page).text)
    return [urljoin("http://testserver" + page, url).removeprefix("http://testserver") for _, url in parser.links]


def test_external_url_detector_catches_what_it_should() -> None:
    """The check below would fail on a CDN link, a protocol-relative URL or a remote font."""
    assert external_urls('<script src="https://cdn.jsdelivr.net/npm/x.js">') == ["https://cdn.jsdelivr.net/npm/x.js"]
    assert external_urls("<link href='//cdn.example.com/a.css'>") == ["//cdn.example.com/a.css"]
    assert external_urls("@font-face{src:url(https://fonts.gstatic.com/f.woff2)}") == [
        "https://fonts.gstatic.com/f.woff2"
    ]
    assert external_urls('fetch("http://127.0.0.1:8000/v1/roles"); ns="http://www.w3.org/2000/svg"') == []


@pytest.mark.parametrize("page", PAGES)
def test_pages_and_their_own_assets_reference_no_external_url(client: Any, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert external_urls(response.text) == []
    parser = _Links()
    parser.feed(response.text)
    assert parser.inline == [], parser.inline
    assets = _assets(client, page)
    assert assets, "a page with no script or style sheet is not this page"
    for asset in assets:
        if asset.startswith("/v1/") and not asset.startswith("/v1/docs-assets/"):
            continue  # sibling pages and openapi.json, checked on their own
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert served.headers.get("x-content-type-options") == "nosniff", asset
        if asset.rsplit("/", 1)[-1] in VENDOR:
            continue  # vendor bundles: see test_vendor_bundles_fetch_nothing_outside
        assert external_urls(served.text) == [], asset


def test_vendor_bundles_fetch_nothing_outside(client: Any) -> None:
    """Swagger UI / ReDoc name spec URLs as identifiers; what they would fetch is switched off or rewritten."""
    css = client.get("/v1/docs-assets/swagger-ui.css").text
    assert "@import" not in css
    assert all(u.startswith(("data:", '"data:')) for u in re.findall(r"url\(\s*([^)]*)\)", css))
    redoc = client.get("/v1/docs-assets/redoc.standalone.js")
    assert redoc.status_code == 200 and len(redoc.content) > 500_000
    assert "cdn.redoc.ly" not in redoc.text  # the sidebar logo, rewritten at serve time
    init = client.get("/v1/docs-assets/swagger-init.js").text
    assert "validatorUrl: null" in init  # else Swagger UI asks validator.swagger.io for a badge


def test_security_headers(client: Any) -> None:
    for path in ("/", "/assets/app.js", "/assets/app.css", "/v1/docs", "/v1/docs-assets/swagger-ui-bundle.js"):
        headers = client.get(path).headers
        assert headers["content-security-policy"] == PAGE_CSP, path
        assert headers["x-frame-options"] == "DENY"
    assert "'unsafe-inline'" not in PAGE_CSP and "unsafe-eval" not in PAGE_CSP
    assert (
        "default-src 'none'" in PAGE_CSP and "script-src 'self';" in PAGE_CSP and "frame-ancestors 'none'" in PAGE_CSP
    )
    # ReDoc alone may inject styles; scripts stay 'self' everywhere
    assert client.get("/v1/redoc").headers["content-security-policy"] == REDOC_CSP
    for csp in (PAGE_CSP, REDOC_CSP):
        script_src = re.search(r"script-src ([^;]*)", csp)
        assert script_src is not None and script_src.group(1) == "'self'"
    # the API's own answers still carry the request id (the middleware is untouched)
    response = client.get("/", headers={"X-Request-ID": "page-1"})
    assert response.headers["x-request-id"] == "page-1"


def test_unknown_assets_answer_404_in_the_api_shape(client: Any) -> None:
    for path in ("/assets/nope.js", "/v1/docs-assets/nope.js", "/v1/docs-assets/..%2Fweb.py", "/assets/../index.html"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["detail"]["code"] == "not_found"


def test_page_script_builds_the_dom_without_markup_or_inline_style() -> None:
    js = (STATIC_DIR / "assets" / "app.js").read_text()
    for banned in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        '"style"',
    ):
        assert banned not in js, banned
    assert "API_BASE" in js  # the page works from another origin when published as static files


def test_docs_are_not_fastapi_cdn_pages(client: Any) -> None:
    for page in ("/v1/docs", "/v1/redoc"):
        assert "cdn.jsdelivr.net" not in client.get(page).text
    spec = client.get("/v1/openapi.json").json()
    assert not any(p in spec["paths"] for p in ("/", "/v1/docs", "/v1/redoc", "/v1/docs-assets/{name}"))


def test_static_files_are_package_data() -> None:
    """Every file under careerready/api/static matches a package-data pattern (so the images ship it)."""
    from fnmatch import fnmatch

    patterns = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["careerready"]
    package_root = STATIC_DIR.parents[1]
    files = [p.relative_to(package_root).as_posix() for p in STATIC_DIR.rglob("*") if p.is_file()]
    assert len(files) >= 8
    missing = [f for f in files if not any(fnmatch(f, pat) and f.count("/") == pat.count("/") for pat in patterns)]
    assert missing == []


def test_roles_search_for_type_ahead(client: Any) -> None:
    every = client.get("/v1/roles").json()
    assert every["count"] == len(every["roles"]) > 3
    body = client.get("/v1/roles", params={"q": "eng"}).json()
    titles = [r["title"] for r in body["roles"]]
    assert titles and all(any(w.startswith("eng") for w in re.findall(r"\w+", t.lower())) for t in titles)
    target = every["roles"][0]
    exact = client.get("/v1/roles", params={"q": target["title"].upper(), "limit": 1}).json()
    assert [r["id"] for r in exact["roles"]] == [target["id"]]
    with_alt = next(r for r in every["roles"] if r["alt_titles"])
    alt = with_alt["alt_titles"][0]
    assert with_alt["id"] in [r["id"] for r in client.get("/v1/roles", params={"q": alt}).json()["roles"]]
    nothing = client.get("/v1/roles", params={"q": "zzqxv"}).json()
    assert (nothing["count"], nothing["roles"]) == (0, [])
    assert client.get("/v1/roles", params={"limit": 2}).json()["count"] == 2
    bad = client.get("/v1/roles", params={"limit": 0})
    assert bad.status_code == 422 and bad.json()["detail"]["field"] == "query.limit"


def test_page_and_docs_through_mangum_as_lambda_serves_them() -> None:
    """API Gateway (HTTP API v2) -> Mangum -> the same files and headers (text bodies, not base64)."""
    from mangum import Mangum

    handler = Mangum(fixture_app(), lifespan="off")

    class _Context:
        function_name = "careerready-analyze"
        memory_limit_in_mb = 1024
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:careerready-analyze"
        aws_request_id = "lambda-req-1"

        def get_remaining_time_in_millis(self) -> int:
            return 30_000

    for path, marker in (
        ("/", 'src="assets/app.js"'),
        ("/assets/app.css", "--accent"),
        ("/v1/docs", "swagger-init.js"),
        ("/v1/docs-assets/swagger-init.js", "SwaggerUIBundle"),
    ):
        event = {
            "version": "2.0",
            "routeKey": "$default",
            "rawPath": path,
            "rawQueryString": "",
            "headers": {"host": "api.example.com"},
            "requestContext": {
                "http": {"method": "GET", "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1"},
                "requestId": "gw-1",
                "routeKey": "$default",
                "stage": "$default",
            },
            "isBase64Encoded": False,
        }
        out = handler(event, _Context())
        assert out["statusCode"] == 200, path
        assert not out["isBase64Encoded"] and marker in out["body"], path
        assert out["headers"]["content-security-policy"] == PAGE_CSP


def test_page_folder_is_self_contained_for_static_hosting() -> None:
    """index.html links only files inside static/ (relative paths), plus the API's own docs pages."""
    parser = _Links()
    parser.feed((STATIC_DIR / "index.html").read_text())
    for _, url in parser.links:
        if url.startswith(("v1/docs", "v1/redoc", "#")):
            continue
        assert not url.startswith(("/", "http:", "https:", "//")), url
        assert (STATIC_DIR / url).is_file(), url
