"""The four serving stages as pure functions of (request, models), plus a JSON entry point.

Each stage takes and returns pydantic models, so the same payload can run in-process or through a
Lambda Invoke (see :mod:`careerready.services.transport`). :func:`handle` is the JSON boundary used
by both: validate the payload, run the stage, return ``model_dump(mode="json")`` plus two
bookkeeping keys, ``model_versions`` (the versions the stage served with) and ``stage_ms``.

* ``extract(ExtractRequest) -> ExtractResponse``
* ``match(MatchRequest) -> MatchResponse``: role ids may also be titles (resolved with
  :class:`careerready.services.roles.RoleResolver`); matches come back best first.
* ``readiness(ReadinessRequest) -> ReadinessResponse``
* ``recommend(RecommendRequest) -> RecommendResponse`` (resources + roadmap)
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

from pydantic import BaseModel, ValidationError

from careerready.core.config import LIMITS
from careerready.core.errors import (
    CareerReadyError,
    InternalError,
    InvalidInputError,
    error_body,
    error_envelope,
)
from careerready.core.observability import logger
from careerready.schemas.analysis import (
    UNLINKED_PREFIX,
    InlineRole,
    MatchRequest,
    MatchResponse,
    ReadinessRequest,
    ReadinessResponse,
    RecommendRequest,
    RecommendResponse,
)
from careerready.schemas.extraction import ExtractRequest, ExtractResponse
from careerready.services.catalog import Catalog, Role, RoleSkill
from careerready.services.roles import resolver_for
from careerready.services.startup import MatchModels, Models

__all__ = [
    "MAX_ROLES_PER_MATCH",
    "STAGES",
    "extract",
    "extractor_choice",
    "handle",
    "handle_event",
    "inline_role",
    "match",
    "readiness",
    "recommend",
    "resolver_for",
    "space_for",
    "validation_error",
]

MAX_ROLES_PER_MATCH = LIMITS.max_roles_per_match


# ---- role lookup ------------------------------------------------------------------------------


def space_for(catalog: Catalog, embeddings: Any) -> Any:
    """The :class:`~careerready.features.SkillSpace` over ``catalog`` + ``embeddings``, built once per pair."""
    from careerready.features import skill_space_for

    return skill_space_for(catalog, embeddings)


def inline_role(spec: InlineRole, catalog: Catalog, field: str = "role") -> tuple[Role, dict[str, str]]:
    """An inline (ad-hoc) role as a catalog :class:`Role`, plus the names of its skills the catalog lacks.

    Raises:
        InvalidInputError: the id is a catalog role's, or a skill id is neither a catalog id nor ``unlinked:...``.
    """
    if spec.id in catalog.roles:
        raise InvalidInputError(
            f"{field}.id {spec.id!r} is a catalog role id; use role_ids for it", field=f"{field}.id"
        )
    names: dict[str, str] = {}
    for i, s in enumerate(spec.skills):
        if s.skill_id in catalog.skills:
            continue
        if not s.skill_id.startswith(UNLINKED_PREFIX) or len(s.skill_id) == len(UNLINKED_PREFIX):
            raise InvalidInputError(
                f"{field}.skills.{i}.skill_id {s.skill_id!r} is not a catalog skill id (prefix skills the catalog "
                f"lacks with {UNLINKED_PREFIX!r})",
                field=f"{field}.skills.{i}.skill_id",
            )
        names[s.skill_id] = s.name
    role = Role(
        id=spec.id,
        title=spec.title,
        alt_titles=(),
        family="ad-hoc",
        description=spec.description,
        min_years=spec.min_years,
        skills=tuple(RoleSkill(s.skill_id, s.importance, s.critical) for s in spec.skills),
        kind="adhoc",
    )
    return role, names


def _role(catalog: Catalog, ref: str, embeddings: Any = None) -> Role:
    if ref in catalog.roles:
        return catalog.roles[ref]
    return catalog.roles[resolver_for(catalog, embeddings).resolve(ref).role_id]


# ---- stages -----------------------------------------------------------------------------------


def extractor_choice(models: Models) -> str:
    """Which extractor :func:`extract` runs with ``models``, and why (``/v1/health`` and the logs say it).

    The learned tagger (``ner``) is optional: a checkout trained without the dotin dataset has none, and the
    stage then serves the gazetteer alone (see ``careerready.services.startup.OPTIONAL``).
    """
    versions = getattr(models, "versions", {}) or {}
    gazetteer = f"extractor/{versions.get('extractor', '?')}"
    if getattr(models, "ner", None) is not None:
        return f"hybrid: learned tagger ner/{versions.get('ner', '?')} + gazetteer {gazetteer}"
    why = (getattr(models, "absent", {}) or {}).get("ner", "the registry names no learned tagger for this stage")
    return f"gazetteer {gazetteer} alone ({why})"


def extract(req: ExtractRequest, models: Models) -> ExtractResponse:
    """Extract skills and sections from resume text.

    With a learned tagger among the models (``ner``) this is the hybrid extractor (learned spans linked to
    the catalog, plus the gazetteer hits the context supports); without one, the gazetteer alone (v1):
    :func:`extractor_choice` names the one in use.

    A work date range that ends in "present" ends at ``req.as_of``, by default the day of the request (UTC): the
    response's ``as_of`` says which, so the same request with it gives the same answer later.

    Raises:
        NoExtractableTextError: blank text (no letters or digits).
        PayloadTooLargeError: text longer than ``CAREERREADY_MAX_TEXT_CHARS``.
        ArtifactNotFoundError: the extractor or catalog is not loaded.
    """
    m = models.for_extract()
    as_of = req.as_of or datetime.now(UTC).date()
    if m.ner is not None:
        from careerready.pipelines.hybrid_extraction import extract_hybrid

        # no embeddings: the extract stage does not load them, and /extract and /analyze must agree
        return extract_hybrid(req.text, m.extractor, m.ner, m.catalog, as_of=as_of, document=req.document)
    from careerready.pipelines.extraction import extract_skills

    return extract_skills(req.text, m.extractor, m.catalog, m.embeddings, as_of=as_of)


def match(req: MatchRequest, models: Models, top_n: int | None = None, gaps_top: int | None = None) -> MatchResponse:
    """Score the skills against each requested role (ids or titles), best first.

    Args:
        req: the request.
        models: the stage's models.
        top_n: return only the ``top_n`` best roles. All roles are ranked by a cheap pass (features +
            matcher score, the exact score :func:`~careerready.pipelines.matching.match_role` gives),
            and only the shortlisted ones get the full match (per-skill detail, ranked gaps,
            explanation); their output is identical to a full ``match_roles`` run. None = every role.
        gaps_top: with ``top_n``, only the best ``gaps_top`` roles carry their ranked gaps (the rest
            ``gaps: []``, everything else unchanged): an analysis without a role analyses the best role and
            lists the others by name, score and reasons, so ranking their gaps is work nobody reads. None = all.

    Raises:
        RoleNotFoundError: a role reference resolves to nothing (lists the nearest roles).
        InvalidInputError: too many roles.
    """
    from careerready.features import text_fits
    from careerready.pipelines.matching import match_role, match_roles, ranking_key, text_similarities
    from careerready.pipelines.posting import held_for_role

    m = models.for_match()
    catalog = m.catalog
    if len(req.role_ids) > MAX_ROLES_PER_MATCH:
        raise InvalidInputError(f"at most {MAX_ROLES_PER_MATCH} roles per request", field="role_ids")
    roles: list[Role] = []
    seen: set[str] = set()
    names: dict[str, str] = {}
    if req.role is not None:
        adhoc, names = inline_role(req.role, catalog)
        seen.add(adhoc.id)
        roles.append(adhoc)
    for ref in req.role_ids:
        role = _role(catalog, ref, m.embeddings)
        if role.id not in seen:
            seen.add(role.id)
            roles.append(role)
    # an inline role's unlinked skills are held when the resume mentions the same text
    held = held_for_role(req.skills, catalog, [s.skill_id for s in req.role.skills]) if req.role else None
    # the text's similarity to every role, to ORDER them (TF-IDF + the embedder's chunk term when loaded)
    rank_text = req.text if req.rank_by_text else None
    sims = text_similarities(rank_text, catalog, m.embeddings)
    # how closely the text reads like each role (TF-IDF percentile, cheap): a readiness feature whenever text is
    # sent; from the ranking's TF-IDF cosines when there are any. Each role's fit depends on that role alone (its
    # place among every catalog cosine), so it is computed for the roles that get matched in full only

    def fits_of(matched: list[Role]) -> dict[str, float] | None:
        return text_fits(req.text, matched, catalog, sims.tfidf if sims else None) if req.text is not None else None

    if top_n is None or top_n >= len(roles):
        fits = fits_of(roles)
        matches = match_roles(
            req.skills if held is None else held,
            roles,
            catalog,
            space_for(catalog, m.embeddings),
            m.matcher,
            years_experience=req.years_experience,
            gap_ranker=m.gap_ranker,
            text=rank_text,
            similarities=sims,
            skill_names=names,
            fits=fits,
        )
        if gaps_top is not None:
            matches = [m if i < gaps_top else m.model_copy(update={"gaps": []}) for i, m in enumerate(matches)]
        return MatchResponse(matches=matches)
    shortlist, held_map, space = _shortlist(req, roles, m, top_n, sims, held)
    fits = fits_of(shortlist)  # the shortlist's scores do not read text_fit (_shortlist)
    full = [
        match_role(
            held_map,
            r,
            catalog,
            space,
            m.matcher,
            req.years_experience,
            m.gap_ranker,
            0 if gaps_top is not None and i >= gaps_top else None,
            text=rank_text,
            similarities=sims,
            skill_names=names,
            text_fit=None if fits is None else fits.get(r.id),
        )
        for i, r in enumerate(shortlist)  # best first: _shortlist sorts on the same key as below
    ]
    return MatchResponse(matches=sorted(full, key=lambda m: ranking_key(m.score, m.rank_score, m.role_id)))


class _MemoSpace:
    """A per-request view of a :class:`~careerready.features.SkillSpace` that memoises its pure lookups.

    Ranking every role asks ``best_related(skill, held)`` again for each role that needs the skill,
    ``relatedness(held skill, role skills)`` once per (held skill, role) and ``centroid(held)`` once
    per role. Relatedness is a per-pair value, so each held skill's row over the union of the ranked
    roles' skills is computed once and indexed; the others are memoised by argument. Everything else
    is delegated unchanged. Used only to pick the shortlist; the shortlisted roles are then matched
    with the plain space.
    """

    def __init__(self, space: Any, universe: Any = ()) -> None:
        self._space = space
        self._universe = sorted(set(universe))
        self._rows: dict[str, dict[str, float]] = {}
        self._best: dict[tuple[str, tuple[str, ...]], tuple[str | None, float]] = {}
        self._centroid: dict[int, tuple[Any, Any]] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._space, name)

    def relatedness(self, target: str, others: Any) -> Any:
        """``SkillSpace.relatedness`` from one row per target over ``universe`` (the value is per pair)."""
        import numpy as np

        row = self._rows.get(target)
        if row is None:
            values = self._space.relatedness(target, self._universe)
            row = self._rows[target] = dict(zip(self._universe, values.tolist(), strict=True))
        missing = [o for o in others if o not in row]
        if missing:
            row.update(zip(missing, self._space.relatedness(target, missing).tolist(), strict=True))
        return np.array([row[o] for o in others], dtype=np.float64)

    def best_related(self, target: str, held_ids: Any) -> tuple[str | None, float]:
        """Memoised ``SkillSpace.best_related``."""
        key = (target, tuple(held_ids))
        hit = self._best.get(key)
        if hit is None:
            hit = self._best[key] = self._space.best_related(target, held_ids)
        return hit

    def centroid(self, held: Any) -> Any:
        """Memoised ``SkillSpace.centroid`` (keyed on the held mapping object, which lives for the request)."""
        hit = self._centroid.get(id(held))
        if hit is None or hit[0] is not held:
            vec = self._space.centroid(held)
            hit = self._centroid[id(held)] = (held, vec)
        return None if hit[1] is None else hit[1].copy()


def _shortlist(
    req: MatchRequest, roles: list[Role], models: MatchModels, top_n: int, sims: Any, held: Any = None
) -> tuple[Any, Any, Any]:
    """The ``top_n`` roles by the ranking alone (same scores and order as ``match_roles``).

    ``sims``: the request text's :class:`~careerready.pipelines.matching.TextScores` (None without text).
    Returns ``(roles, held, space)`` so the full match reuses the held skills and the skill space.
    """
    from careerready.features import SkillSpace, compute_role_features
    from careerready.pipelines.matching import as_held, ranking_key

    catalog = models.catalog
    held = as_held(req.skills if held is None else held, catalog)
    if sims is not None:
        # rank_score comes first in the ranking key: only roles tied with or above the top_n-th rank_score
        # can make the shortlist, so the skill-fit score (the costly part) is computed for those alone
        rank = {r.id: round(float(sims.rank.get(r.id, 0.0)), 6) for r in roles}
        bar = sorted(rank.values(), reverse=True)[top_n - 1]
        roles = [r for r in roles if rank[r.id] >= bar]
    space = _MemoSpace(space_for(catalog, models.embeddings), universe=(sid for r in roles for sid in r.skill_ids))
    matcher = models.matcher
    scored: list[tuple[tuple[float, float, str], Role]] = []
    for role in roles:
        rf = compute_role_features(held, role, cast("SkillSpace", space), req.years_experience)
        score = matcher.predict(rf.match) if matcher is not None else rf.values["coverage_partial"]
        rank_score = None if sims is None else round(float(sims.rank.get(role.id, 0.0)), 6)
        # match_role reports round(score, 6) / round(rank_score, 6) and match_roles sorts on them: rank on the same
        scored.append((ranking_key(round(score, 6), rank_score, role.id), role))
    scored.sort(key=lambda t: t[0])
    return [t[1] for t in scored[:top_n]], held, space._space


def readiness(req: ReadinessRequest, models: Models) -> ReadinessResponse:
    """Predict the readiness label from READINESS_FEATURES.

    Raises:
        InvalidInputError: a feature is missing (names them) or not finite.
    """
    from careerready.pipelines.readiness import predict

    bad = sorted(k for k, v in req.features.items() if v != v or v in (float("inf"), float("-inf")))
    if bad:
        raise InvalidInputError("features must be finite numbers", field="features", invalid=bad)
    return predict(req.features, models.for_readiness().readiness, facts=req.facts)


def recommend(req: RecommendRequest, models: Models) -> RecommendResponse:
    """Recommend resources for the gaps and order them into a roadmap (time to ready from the readiness model).

    Raises:
        RoleNotFoundError: unknown role.
        ArtifactNotFoundError: the catalog or the readiness model is not loaded.
    """
    from careerready.pipelines.recommendation import recommend as recommend_resources
    from careerready.pipelines.recommendation import resources_note
    from careerready.pipelines.roadmap import build_roadmap

    m = models.for_recommend()
    catalog = m.catalog
    role = inline_role(req.role, catalog)[0] if req.role is not None else _role(catalog, req.role_id, m.embeddings)
    held = sorted(set(req.held_skill_ids))
    resources = recommend_resources(role, held, req.gaps, req.years_experience, m.recommender, catalog, top_k=req.top_k)
    space = space_for(catalog, m.embeddings)
    roadmap = build_roadmap(
        req.gaps,
        held,
        catalog,
        resources,
        req.hours_per_week,
        role=role,
        space=space,
        readiness_model=m.readiness,
        years_experience=req.years_experience,
        start_features=req.readiness_features,
    )
    return RecommendResponse(resources=resources, resources_note=resources_note(req.gaps, resources), roadmap=roadmap)


StageFn = Callable[[Any, Models], BaseModel]
STAGES: dict[str, tuple[type[BaseModel], StageFn]] = {
    "extract": (ExtractRequest, extract),
    "match": (MatchRequest, match),
    "readiness": (ReadinessRequest, readiness),
    "recommend": (RecommendRequest, recommend),
}


def validation_error(exc: ValidationError, prefix: str = "") -> InvalidInputError:
    """Turn a pydantic error into a 422 that names the first offending field (and lists all)."""
    problems = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in (*([prefix] if prefix else []), *err.get("loc", ())))
        problems.append({"field": loc or prefix or "body", "message": str(err.get("msg", "invalid"))})
    first = problems[0] if problems else {"field": prefix or "body", "message": "invalid"}
    return InvalidInputError(f"{first['field']}: {first['message']}", field=first["field"], errors=problems)


def handle(stage_name: str, payload: dict[str, Any], models: Models) -> dict[str, Any]:
    """Validate ``payload``, run the stage and return JSON-ready output.

    Args:
        stage_name: ``extract``, ``match``, ``readiness`` or ``recommend``.
        payload: the request as a dict (the JSON body of a stage invocation). ``match`` also takes an
            optional ``top_n`` (positive int): return only the best ``top_n`` roles, and ``gaps_top`` (int >= 0):
            only the best ``gaps_top`` of those carry ranked gaps (see :func:`match`).
        models: :class:`careerready.services.startup.Models` for the stage.

    Returns:
        ``response.model_dump(mode="json")`` plus ``model_versions`` and ``stage_ms``.

    Raises:
        InvalidInputError: unknown stage or invalid payload (names the field).
        CareerReadyError: whatever the stage raises.
    """
    if stage_name not in STAGES:
        raise InvalidInputError(f"unknown stage {stage_name!r}; known: {sorted(STAGES)}", field="stage")
    if not isinstance(payload, dict):
        raise InvalidInputError("payload must be a JSON object", field="payload")
    request_model, fn = STAGES[stage_name]
    top_n = gaps_top = None
    if stage_name == "match" and ("top_n" in payload or "gaps_top" in payload):
        payload = dict(payload)
        top_n = payload.pop("top_n", None)
        if top_n is not None and (isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1):
            raise InvalidInputError("top_n: must be a positive integer or null", field="top_n")
        gaps_top = payload.pop("gaps_top", None)
        if gaps_top is not None and (isinstance(gaps_top, bool) or not isinstance(gaps_top, int) or gaps_top < 0):
            raise InvalidInputError("gaps_top: must be a non-negative integer or null", field="gaps_top")
    try:
        request = request_model.model_validate(payload)
    except ValidationError as exc:
        raise validation_error(exc) from exc
    t0 = time.perf_counter()
    response = (
        match(cast(MatchRequest, request), models, top_n=top_n, gaps_top=gaps_top)
        if top_n is not None
        else fn(request, models)
    )
    out = response.model_dump(mode="json")
    out["model_versions"] = dict(models.versions)
    out["stage_ms"] = round((time.perf_counter() - t0) * 1000, 3)
    return out


# ---- Lambda events ------------------------------------------------------------------------------


def _is_http_event(event: dict[str, Any]) -> bool:
    return "requestContext" in event and ("body" in event or "rawPath" in event or "httpMethod" in event)


def _http_body(event: dict[str, Any]) -> Any:
    raw = event.get("body")
    if raw is None or raw == "":
        raise InvalidInputError("the request has no JSON body", field="body")
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(raw).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise InvalidInputError("the body is not valid base64-encoded UTF-8", field="body") from exc
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise InvalidInputError(f"body: invalid JSON ({exc})", field="body") from exc


def _unwrap(stage_name: str, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InvalidInputError("the event must be a JSON object", field="payload")
    if "payload" in data:
        named = data.get("stage")
        if named is not None and named != stage_name:
            raise InvalidInputError(f"this function serves stage {stage_name!r}, not {named!r}", field="stage")
        payload = data["payload"]
        if not isinstance(payload, dict):
            raise InvalidInputError("payload must be a JSON object", field="payload")
        return payload
    # a bare stage request ({"text": ...}) is accepted as the payload itself
    return {k: v for k, v in data.items() if k != "stage"}


def _http_request_id(event: dict[str, Any], context: Any) -> str:
    headers = {str(k).lower(): v for k, v in (event.get("headers") or {}).items()}
    rid = headers.get("x-request-id") or (event.get("requestContext") or {}).get("requestId")
    return str(rid or getattr(context, "aws_request_id", "") or "")


def handle_event(stage_name: str, event: Any, models: Models, context: Any = None) -> dict[str, Any]:
    """Entry point of a stage Lambda: direct invoke or API Gateway (HTTP API v2 / REST) event.

    Direct invoke (what :class:`~careerready.services.transport.LambdaTransport` sends): the event
    is ``{"stage": ..., "payload": {...}}`` (or the bare request); the answer is :func:`handle`'s
    output, or ``{"error": {code, message, http_status, ...}}`` for a domain error. Unexpected
    exceptions propagate, so Lambda reports a FunctionError (the caller raises StageError).

    API Gateway event (``sam local invoke -e events/<fn>.json``, or a function URL): the JSON body
    is the payload; the answer is an HTTP response ``{statusCode, headers, body}``, errors as
    ``{"detail": {code, message, ...}}`` with the error's status.
    """
    if isinstance(event, dict) and _is_http_event(event):
        request_id = _http_request_id(event, context)
        headers = {"content-type": "application/json", "x-request-id": request_id}
        try:
            out = handle(stage_name, _unwrap(stage_name, _http_body(event)), models)
            return {"statusCode": 200, "headers": headers, "body": json.dumps(out)}
        except CareerReadyError as exc:
            return {"statusCode": exc.http_status, "headers": headers, "body": json.dumps(error_body(exc, request_id))}
        except Exception:
            logger.exception("stage crashed", stage=stage_name, request_id=request_id)
            error = InternalError()
            return {
                "statusCode": error.http_status,
                "headers": headers,
                "body": json.dumps(error_body(error, request_id)),
            }
    try:
        return handle(stage_name, _unwrap(stage_name, event), models)
    except CareerReadyError as exc:
        logger.info("stage rejected request", stage=stage_name, code=exc.code, status=exc.http_status)
        return error_envelope(exc)
