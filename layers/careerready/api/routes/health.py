"""GET /v1/health: liveness, package version, transport and configured model versions."""

from __future__ import annotations

from fastapi import APIRouter, Request

import careerready
from careerready.api.deps import Context
from careerready.api.routes._common import configured_versions, meta
from careerready.schemas.api import HealthResponse

router = APIRouter(prefix="/v1", tags=["health"])


@router.get(
    "/health",
    response_model=HealthResponse,
    summary="Health",
    description="Answers 200 once the catalog is loaded; lists the model versions this deployment serves.",
)
def health(request: Request, ctx: Context) -> HealthResponse:
    return HealthResponse(
        status="ok",
        version=careerready.__version__,
        transport=ctx.client.name,
        roles=len(ctx.catalog.roles),
        **meta(request, configured_versions(ctx.settings)),
    )
