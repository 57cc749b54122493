"""GET /v1/health: liveness, package version, transport, the extractor in use and the model versions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

import careerready
from careerready.api.deps import ApiContext, Context
from careerready.api.routes._common import configured_versions, meta
from careerready.schemas.api import HealthResponse
from careerready.services.stages import extractor_choice

router = APIRouter(prefix="/v1", tags=["health"])

REMOTE_EXTRACTOR = "chosen by the extract function: see model_versions of POST /v1/extract"


def _extract_models(ctx: ApiContext) -> Any:
    """The extract stage's models when it runs in this process (None behind a remote transport)."""
    models_for = getattr(ctx.client, "models", None)
    return models_for("extract") if callable(models_for) else None


@router.get(
    "/health",
    response_model=HealthResponse,
    summary="Health",
    description=(
        "Answers 200 once the catalog is loaded; names the skill extractor in use (the learned tagger is optional: "
        "without it the gazetteer serves alone, and says why) and lists the model versions this deployment serves."
    ),
)
def health(request: Request, ctx: Context) -> HealthResponse:
    versions = configured_versions(ctx.settings)
    extract_models = _extract_models(ctx)
    if extract_models is not None:
        versions.update(getattr(extract_models, "versions", {}) or {})  # what is loaded, absent models named
    return HealthResponse(
        status="ok",
        version=careerready.__version__,
        transport=ctx.client.name,
        roles=len(ctx.catalog.roles),
        extractor=REMOTE_EXTRACTOR if extract_models is None else extractor_choice(extract_models),
        **meta(request, versions),
    )
