"""GET /v1/roles and GET /v1/roles/{role}: the target roles the catalog knows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

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


@router.get(
    "",
    response_model=RolesResponse,
    summary="List roles",
    description="Every target role in the catalog, sorted by title.",
)
def list_roles(request: Request, ctx: Context) -> RolesResponse:
    roles = sorted(ctx.catalog.roles.values(), key=lambda r: (r.title.lower(), r.id))
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
