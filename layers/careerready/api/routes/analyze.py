"""POST /v1/analyze: the whole analysis from JSON text, an S3 key, or an uploaded PDF/DOCX/TXT."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from careerready.api.deps import ApiContext, Context
from careerready.api.errors import request_id_of
from careerready.api.routes._common import errors
from careerready.core.config import LIMITS
from careerready.core.errors import InvalidInputError, UnsupportedMediaTypeError
from careerready.schemas.api import MAX_ROLES_PER_ANALYSIS, AnalysisResponse, AnalyzeRequest, SourceInfo
from careerready.services.analysis import analyze
from careerready.services.documents import document_to_text
from careerready.services.stages import validation_error

router = APIRouter(prefix="/v1", tags=["analysis"])

_FORM_FIELDS = (
    "role",
    "roles",
    "years_experience",
    "hours_per_week",
    "top_k_resources",
    "include_text",
    "as_of",
    "text",
    "posting",
)
_MULTIPART_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {"type": "string", "format": "binary", "description": "Resume: .pdf, .docx or .txt."},
        "role": {"type": "string", "description": "Target role id or title."},
        "roles": {
            "type": "array",
            "items": {"type": "string"},
            "maxItems": MAX_ROLES_PER_ANALYSIS,
            "description": "Several roles to compare (repeat the field).",
        },
        "years_experience": {"type": "number", "minimum": 0, "maximum": 60},
        "hours_per_week": {"type": "number", "exclusiveMinimum": 0, "maximum": 80, "default": 10},
        "top_k_resources": {"type": "integer", "minimum": 1, "maximum": 20, "default": 5},
        "include_text": {"type": "boolean", "default": False},
        "as_of": {
            "type": "string",
            "format": "date",
            "description": "The date the resume is read as of ('present' in work dates); default today (UTC).",
        },
        "posting": {
            "type": "string",
            "maxLength": LIMITS.max_posting_chars,
            "description": "A pasted job posting to analyse against (alone or beside role / roles).",
        },
    },
}
_OPENAPI_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": AnalyzeRequest.model_json_schema()},
            "multipart/form-data": {"schema": _MULTIPART_SCHEMA},
        },
    }
}


def _validate(data: dict[str, Any]) -> AnalyzeRequest:
    if ("text" in data) == ("s3_key" in data) and "file" not in data:
        raise InvalidInputError("give exactly one of 'text', 's3_key' or a file upload", field="body.text")
    try:
        return AnalyzeRequest.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, prefix="body") from exc


async def _from_multipart(request: Request, ctx: ApiContext) -> tuple[AnalyzeRequest, str, SourceInfo]:
    form = await request.form(max_files=1, max_fields=len(_FORM_FIELDS) + MAX_ROLES_PER_ANALYSIS)
    try:
        upload: UploadFile | None = None
        fields: dict[str, Any] = {}
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                if key != "file":
                    raise InvalidInputError(f"upload the resume in the 'file' field, not {key!r}", field=f"body.{key}")
                upload = value
            elif key == "roles":
                if value.strip():
                    fields.setdefault("roles", []).append(value)
            elif key in fields:
                raise InvalidInputError(f"field {key!r} given more than once", field=f"body.{key}")
            elif value != "":
                fields[key] = value
        if upload is None and "text" not in fields:
            raise InvalidInputError("multipart requests need a 'file' (or a 'text' field)", field="body.file")
        if upload is not None and "text" in fields:
            raise InvalidInputError("send either a file or text, not both", field="body.text")
        if upload is None:
            req = _validate(fields)
            return req, str(req.text), SourceInfo(kind="text", chars=len(str(req.text)))
        options = _validate({**fields, "text": "-"})  # validate the options before parsing the document
        limits = ctx.document_limits
        data = await upload.read(limits.max_bytes + 1)
        text = await run_in_threadpool(document_to_text, data, upload.content_type, upload.filename, limits)
        req = options.model_copy(update={"text": text})
        source = SourceInfo(kind="upload", filename=upload.filename, content_type=upload.content_type, chars=len(text))
        return req, text, source
    finally:
        await form.close()


async def _from_json(request: Request, ctx: ApiContext) -> tuple[AnalyzeRequest, str, SourceInfo]:
    raw = await request.body()
    try:
        data = json.loads(raw) if raw else None
    except ValueError as exc:
        raise InvalidInputError(f"body: invalid JSON ({exc})", field="body") from exc
    if not isinstance(data, dict):
        raise InvalidInputError("body must be a JSON object", field="body")
    req = _validate(data)
    if req.s3_key is not None:
        blob, content_type = await run_in_threadpool(ctx.read_resume_object, req.s3_key)
        text = await run_in_threadpool(document_to_text, blob, content_type, req.s3_key, ctx.document_limits)
        return req, text, SourceInfo(kind="s3", s3_key=req.s3_key, content_type=content_type, chars=len(text))
    text = str(req.text)
    return req, text, SourceInfo(kind="text", chars=len(text))


@router.post(
    "/analyze",
    response_model=AnalysisResponse,
    summary="Analyse a resume",
    description=(
        "Extract skills, match one or several roles (ids or free-text titles; none = rank every role, analyse "
        "the best and list the closest), predict readiness, and recommend resources plus a learning roadmap "
        "per role. With ``posting`` (a pasted job posting), the posting is analysed as an ad-hoc role: its skills "
        "are extracted, split into required vs nice-to-have and weighted, and its closest catalog roles are listed."
        "\n\nSend JSON (``text`` or ``s3_key`` of an uploaded resume) or ``multipart/form-data`` with a "
        "``file`` (.pdf, .docx, .txt) and the same options as form fields (repeat ``roles`` to compare roles)."
    ),
    responses=errors(404, 413, 415, 422, 502, 503, 504),
    openapi_extra=_OPENAPI_BODY,
)
async def analyze_resume(request: Request, ctx: Context) -> AnalysisResponse:
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        req, text, source = await _from_multipart(request, ctx)
    elif content_type in ("application/json", "") or content_type.endswith("+json"):
        req, text, source = await _from_json(request, ctx)
    else:
        raise UnsupportedMediaTypeError(
            f"send application/json or multipart/form-data, not {content_type!r}", content_type=content_type
        )
    return await run_in_threadpool(
        analyze,
        text,
        req.role_refs(),
        ctx.client,
        catalog=ctx.catalog,
        resolver=ctx.resolver,
        years_experience=req.years_experience,
        hours_per_week=req.hours_per_week,
        top_k_resources=req.top_k_resources,
        request_id=request_id_of(request),
        include_text=req.include_text,
        source=source,
        posting=req.posting,
        as_of=req.as_of,
    )
