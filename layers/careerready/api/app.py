"""The FastAPI application (``create_app``) served by the analyze Lambda through Mangum.

Nothing is loaded in a lifespan hook (Mangum would run it on every invocation); the catalog is
loaded on first use and the stage models by the transport, both once per process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

import careerready
from careerready.api.deps import ApiContext, CatalogBundle, default_catalog_provider
from careerready.api.errors import REQUEST_ID_HEADER, install_error_handlers
from careerready.api.middleware import RequestContextMiddleware
from careerready.api.routes import analyze, health, roles, stages
from careerready.api.routes.web import install_web
from careerready.core.config import Settings, get_settings
from careerready.features.text_index import role_text_index
from careerready.services.registry import BASE_STAGES
from careerready.services.transport import InProcessTransport, StageClient, make_client

__all__ = ["create_app", "warm_up"]

DESCRIPTION = """
Career Readiness Analyzer: skills from a resume, fit to target roles, ranked skill gaps, a readiness
label and a learning roadmap.

* Every response carries `request_id` (the `X-Request-ID` header is honoured or generated, and echoed)
  and `model_versions`.
* Errors answer `{"detail": {"code", "message", ...}}`; `detail.field` names the offending input.
"""


def create_app(
    client: StageClient | None = None,
    *,
    settings: Settings | None = None,
    catalog_provider: Callable[[], CatalogBundle] | None = None,
    s3_client: Any | None = None,
    resume_bucket: str | None = None,
) -> FastAPI:
    """Build the API.

    Args:
        client: stage transport (default: per ``CAREERREADY_TRANSPORT``, in-process unless ``lambda``).
        settings: defaults to :func:`get_settings`.
        catalog_provider: returns the catalog bundle on first use (default: the match stage's models
            in-process, else the ``catalog`` artifact alone).
        s3_client: boto3 S3 client for ``s3_key`` inputs (created on first use when None).
        resume_bucket: bucket for ``s3_key`` inputs (default: ``Settings.resume_bucket``).

    Returns:
        The FastAPI app; API routes live under ``/v1``, the web page at ``/`` (see ``routes/web.py``).
    """
    settings = settings or get_settings()
    client = client or make_client(settings)
    ctx = ApiContext(
        client=client,
        settings=settings,
        catalog_provider=catalog_provider or default_catalog_provider(client, settings),
        s3_client=s3_client,
        resume_bucket=resume_bucket,
    )
    app = FastAPI(
        title="Career Readiness Analyzer",
        version=careerready.__version__,
        description=DESCRIPTION,
        openapi_url="/v1/openapi.json",
        docs_url=None,  # /v1/docs and /v1/redoc come from install_web: bundled assets, no CDN
        redoc_url=None,
    )
    app.state.ctx = ctx
    install_error_handlers(app)
    for module in (analyze, roles, stages, health):
        app.include_router(module.router)
    install_web(app)
    app.add_middleware(RequestContextMiddleware, max_body_bytes=ctx.max_body_bytes, header=REQUEST_ID_HEADER)
    return app


def warm_up(app: FastAPI) -> None:
    """Load the catalog and, with the in-process transport, every stage's models (call at import in Lambda).

    Loading during the init phase keeps the first request fast and surfaces a bad artifact at cold
    start rather than on a user's request.
    """
    ctx: ApiContext = app.state.ctx
    if isinstance(ctx.client, InProcessTransport):
        for stage in BASE_STAGES:
            ctx.client.models(stage)
            if stage == "extract":
                # every analysis with a resume text reads the catalog's text index (text_fit): build it now, while
                # the larger models of the other stages are still downloading, not in the first request
                catalog = ctx.client.models(stage).catalog
                if catalog is not None:
                    role_text_index(catalog)
    ctx.bundle()
