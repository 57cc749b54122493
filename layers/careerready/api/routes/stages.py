"""POST /v1/extract, /v1/match, /v1/readiness, /v1/recommend: each stage on its own."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from careerready.api.deps import ApiContext, Context
from careerready.api.routes._common import errors, meta
from careerready.schemas.analysis import MatchRequest, ReadinessRequest, RecommendRequest
from careerready.schemas.api import (
    ExtractApiResponse,
    MatchApiResponse,
    ReadinessApiResponse,
    RecommendApiResponse,
)
from careerready.schemas.extraction import ExtractRequest

router = APIRouter(prefix="/v1", tags=["stages"])


def _run(ctx: ApiContext, request: Request, stage: str, payload: Any) -> dict[str, Any]:
    body = ctx.client.call(stage, payload.model_dump(mode="json"))
    versions = body.pop("model_versions", None) or {}
    body.pop("stage_ms", None)
    return {**body, **meta(request, versions)}


@router.post(
    "/extract",
    response_model=ExtractApiResponse,
    summary="Extract skills",
    description="Skills (linked to the catalog, with offsets, section, years and negation), sections and "
    "word count of a resume text.",
    responses=errors(413, 422, 502, 503, 504),
)
def extract(body: ExtractRequest, request: Request, ctx: Context) -> ExtractApiResponse:
    return ExtractApiResponse.model_validate(_run(ctx, request, "extract", body))


@router.post(
    "/match",
    response_model=MatchApiResponse,
    summary="Match skills to roles",
    description="Score extracted skills against one or more roles (ids or titles): per-skill status, fit "
    "score, ranked gaps and an explanation. Best match first.",
    responses=errors(404, 422, 502, 503, 504),
)
def match(body: MatchRequest, request: Request, ctx: Context) -> MatchApiResponse:
    return MatchApiResponse.model_validate(_run(ctx, request, "match", body))


@router.post(
    "/readiness",
    response_model=ReadinessApiResponse,
    summary="Predict readiness",
    description="needs_upskilling | almost_ready | industry_ready from a role match's readiness features, "
    "with calibrated probabilities and the features that drove the prediction.",
    responses=errors(422, 502, 503, 504),
)
def readiness(body: ReadinessRequest, request: Request, ctx: Context) -> ReadinessApiResponse:
    return ReadinessApiResponse.model_validate(_run(ctx, request, "readiness", body))


@router.post(
    "/recommend",
    response_model=RecommendApiResponse,
    summary="Recommend resources and a roadmap",
    description="Learning resources for a role's gaps and the ordered learning roadmap (prerequisites "
    "first, hours and weeks to industry-ready).",
    responses=errors(404, 422, 502, 503, 504),
)
def recommend(body: RecommendRequest, request: Request, ctx: Context) -> RecommendApiResponse:
    return RecommendApiResponse.model_validate(_run(ctx, request, "recommend", body))
