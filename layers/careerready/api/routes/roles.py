"""GET /v1/roles and GET /v1/roles/{role}: the target roles the catalog knows."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from careerready.api.deps import Context
from careerready.api.routes._common import errors, meta
from careerready.schemas.api import RoleDetail, RoleResponse, RoleSkillInfo, RolesResponse, RoleSummary
from careerready.services.analysis import resolution_info
from careerready.services.catalog import Role

router = APIRouter(prefix="/v1/roles", tags=["roles"])


def _summary(role: Role) -> RoleSummary:
    return RoleSummary(
        id=role.id,
        title=role.title,
        alt_titles=list(role.alt_titles),
        family=role.family,
        description=role.description,
        min_years=role.min_years,
        skill_count=len(role.skills),
    )


_WORD = re.compile(r"[^\W_]+")


def _title_rank(query_words: list[str], title: str) -> int | None:
    """0 exact, 1 prefix of the title, 2 every query word starts a title word, 3 substring; None: no match."""
    lowered = title.lower()
    if not all(q in lowered for q in query_words):  # cheap filter: every rank below needs it
        return None
    query = " ".join(query_words)
    if lowered == query:
        return 0
    if lowered.startswith(query):
        return 1
    words = _WORD.findall(lowered)
    if all(any(w.startswith(q) for w in words) for q in query_words):
        return 2
    return 3 if query in lowered else None


def _search(roles: list[Role], q: str) -> list[Role]:
    """Type-ahead order: matches on the title before matches on an alternate title, closer kinds first."""
    query_words = _WORD.findall(q.lower())
    if not query_words:
        return roles
    ranked: list[tuple[int, str, str, Role]] = []
    for role in roles:
        rank = _title_rank(query_words, role.title)
        alts = "\n".join(role.alt_titles).lower() if rank is None else ""
        if rank is None and all(q in alts for q in query_words):
            alt = [r for r in (_title_rank(query_words, t) for t in role.alt_titles) if r is not None]
            rank = 4 + min(alt) if alt else None
        if rank is not None:
            ranked.append((rank, role.title.lower(), role.id, role))
    return [r for *_, r in sorted(ranked, key=lambda t: t[:3])]


@router.get(
    "",
    response_model=RolesResponse,
    summary="List roles",
    description="Every target role in the catalog, sorted by title; with ``q``, the roles whose title or an "
    "alternate title matches it (every word of ``q`` starts a word of the title), best first, for type-ahead.",
    responses=errors(422),
)
def list_roles(
    request: Request,
    ctx: Context,
    q: Annotated[str | None, Query(max_length=200, description="Filter: words the title starts with.")] = None,
    limit: Annotated[int | None, Query(ge=1, le=5000, description="Return at most this many roles.")] = None,
) -> RolesResponse:
    roles = sorted(ctx.catalog.roles.values(), key=lambda r: (r.title.lower(), r.id))
    if q is not None:
        roles = _search(roles, q)
    roles = roles[:limit] if limit is not None else roles
    return RolesResponse(count=len(roles), roles=[_summary(r) for r in roles], **meta(request, ctx.bundle().versions))


@router.get(
    "/{role}",
    response_model=RoleResponse,
    summary="Get one role",
    description="A role by id or free-text title (``Sr. Data Scientist``, ``backend dev``), with its required "
    "skills. An unknown title answers 404 with the three nearest roles.",
    responses=errors(404, 422),
)
def get_role(
    request: Request,
    role: Annotated[str, Path(description="Role id or job title.", min_length=1, max_length=200)],
    ctx: Context,
) -> RoleResponse:
    resolution = ctx.resolver.resolve(role)
    found = ctx.catalog.roles[resolution.role_id]
    skills = []
    for rs in found.skills:
        skill = ctx.catalog.skills.get(rs.skill_id)
        skills.append(
            RoleSkillInfo(
                skill_id=rs.skill_id,
                name=skill.name if skill else rs.skill_id,
                type=skill.type if skill else None,
                importance=rs.importance,
                critical=rs.critical,
            )
        )
    detail = RoleDetail(**_summary(found).model_dump(), skills=skills)
    return RoleResponse(role=detail, resolution=resolution_info(resolution), **meta(request, ctx.bundle().versions))
