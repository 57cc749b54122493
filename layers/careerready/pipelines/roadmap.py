"""Learning roadmap: gap skills in prerequisite order with hours, weeks and time to industry-ready.

"Industry-ready" is the readiness model's label, the same model and the same prediction as ``/readiness``
(:mod:`careerready.pipelines.readiness` owns the label; this module only replays it step by step).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import cast

from careerready.features import EVIDENCE_WEIGHTS, HeldSkill, SkillSpace, compute_role_features, held_skills_from_ids
from careerready.models.readiness import ReadinessModel
from careerready.schemas.analysis import GapItem, ReadinessLabel, RecommendedResource, Roadmap, RoadmapStep
from careerready.services.catalog import Catalog, Role

__all__ = ["DEFAULT_HOURS_PER_WEEK", "PARTIAL_HOURS_FACTOR", "READY_LABEL", "build_roadmap", "order_skills"]

DEFAULT_HOURS_PER_WEEK = 10.0
#: A gap already partly covered by a related skill takes this share of its learning hours.
PARTIAL_HOURS_FACTOR = 0.6
READY_LABEL = "industry_ready"


def order_skills(gaps: Sequence[GapItem], held: Iterable[str], catalog: Catalog) -> list[tuple[str, bool]]:
    """Gap skills by rank, each preceded by its not-yet-held prerequisites (topological order).

    Returns:
        ``[(skill_id, is_gap)]``; every skill appears once, after all its missing prerequisites.
    """
    held_set = set(held)
    gap_ids = {g.skill_id for g in gaps}
    scheduled: list[tuple[str, bool]] = []
    done: set[str] = set()
    for g in sorted(gaps, key=lambda g: (g.rank, g.skill_id)):
        chain = catalog.prerequisite_closure(g.skill_id) if g.skill_id in catalog.skills else []
        for sid in [*chain, g.skill_id]:
            if sid in done or (sid in held_set and sid != g.skill_id):
                continue
            done.add(sid)
            scheduled.append((sid, sid in gap_ids))
    return scheduled


def build_roadmap(
    gaps: Sequence[GapItem],
    held_skill_ids: Iterable[str],
    catalog: Catalog,
    resources: Sequence[RecommendedResource] = (),
    hours_per_week: float = DEFAULT_HOURS_PER_WEEK,
    *,
    role: Role | None = None,
    space: SkillSpace | None = None,
    readiness_model: ReadinessModel | None = None,
    years_experience: float | None = None,
    held: Mapping[str, HeldSkill] | None = None,
    start_features: Mapping[str, float] | None = None,
) -> Roadmap:
    """Order the gaps into a learning plan and estimate the time to industry-ready.

    Missing prerequisites of a gap skill are inserted before it; otherwise gaps keep their rank order.
    With ``role`` the plan is simulated step by step with ``readiness_model`` (required then): after
    each learned skill the role features are recomputed and the first step the model labels
    ``industry_ready`` marks the time to ready. With ``start_features`` (the READINESS_FEATURES that
    ``/readiness`` scored for this person and role) the simulation starts from exactly those
    features and moves them by what each learned skill changes, so the roadmap's "ready already"
    and ``/readiness`` agree. Without a role, ready means every gap is closed (no label).

    Args:
        gaps: Ranked gaps.
        held_skill_ids: Skills already held.
        catalog: Catalog (learning hours, prerequisites).
        resources: Recommended resources; each step lists the ones teaching its skill.
        hours_per_week: Study hours per week (default 10).
        role: Target role (enables the readiness simulation).
        space: Skill space for the simulation (default: catalog relations only).
        readiness_model: Readiness model for the simulation.
        years_experience: Years of experience for the simulation.
        held: Held skills with evidence (default: held_skill_ids as listed skills).
        start_features: READINESS_FEATURES of the current state, as scored by ``/readiness``.

    Raises:
        ValueError: ``hours_per_week`` <= 0, or a role without a readiness model.
    """
    if hours_per_week <= 0:
        raise ValueError("hours_per_week must be > 0")
    if role is not None and readiness_model is None:
        raise ValueError("a roadmap for a role needs the readiness model")
    held_ids = sorted(set(held_skill_ids) | set(held or {}))
    gap_by_id = {g.skill_id: g for g in gaps}
    plan = order_skills(gaps, held_ids, catalog)
    steps: list[RoadmapStep] = []
    cumulative = 0.0
    for order, (sid, is_gap) in enumerate(plan, 1):
        sk = catalog.skills.get(sid)
        g = gap_by_id.get(sid)
        hours = sk.learning_hours if sk else (g.learning_hours if g else 0.0)
        if g is not None and g.status == "partial":
            hours *= PARTIAL_HOURS_FACTOR
        cumulative += hours
        steps.append(
            RoadmapStep(
                order=order,
                skill_id=sid,
                name=sk.name if sk else (g.name if g else sid),
                kind="gap" if is_gap else "prerequisite",
                gap_rank=g.rank if g else None,
                hours=round(hours, 2),
                cumulative_hours=round(cumulative, 2),
                week_end=round(cumulative / hours_per_week, 2),
                resource_ids=[r.resource_id for r in resources if sid in r.teaches][:3],
            )
        )

    ready_idx, label_after = _ready_index(
        steps, gaps, held_ids, catalog, role, space, readiness_model, years_experience, held, start_features
    )
    if ready_idx is not None and ready_idx >= 0:  # -1 means ready already: no step reaches it
        steps[ready_idx] = steps[ready_idx].model_copy(update={"reaches_industry_ready": True})
    ready_ids = (
        [s.skill_id for s in steps[: ready_idx + 1] if s.kind == "gap"]
        if ready_idx is not None and ready_idx >= 0
        else []
    )
    hours_to_ready = None
    if ready_idx is not None:
        hours_to_ready = steps[ready_idx].cumulative_hours if ready_idx >= 0 else 0.0
    return Roadmap(
        steps=steps,
        total_hours=round(cumulative, 2),
        hours_per_week=hours_per_week,
        weeks_total=round(cumulative / hours_per_week, 2),
        ready_skill_ids=ready_ids,
        hours_to_ready=hours_to_ready,
        weeks_to_ready=None if hours_to_ready is None else round(hours_to_ready / hours_per_week, 2),
        ready_label_after=label_after,
    )


def _ready_index(
    steps: list[RoadmapStep],
    gaps: Sequence[GapItem],
    held_ids: list[str],
    catalog: Catalog,
    role: Role | None,
    space: SkillSpace | None,
    model: ReadinessModel | None,
    years: float | None,
    held: Mapping[str, HeldSkill] | None,
    start_features: Mapping[str, float] | None,
) -> tuple[int | None, ReadinessLabel | None]:
    """Index of the step after which the person is industry-ready (-1: already; None: never), and the label then."""
    if role is None or model is None:
        if not gaps:
            return -1, None
        last_gap = max((i for i, s in enumerate(steps) if s.kind == "gap"), default=None)
        return last_gap, None
    space = space or SkillSpace(catalog)
    current = dict(held) if held is not None else held_skills_from_ids(held_ids)
    course = EVIDENCE_WEIGHTS["course"]
    offset: dict[str, float] = {}
    if start_features is not None:
        recomputed = compute_role_features(current, role, space, years).readiness
        offset = {k: float(start_features[k]) - v for k, v in recomputed.items() if k in start_features}

    def label_now() -> ReadinessLabel:
        features = compute_role_features(current, role, space, years).readiness
        label, _ = model.predict({k: v + offset.get(k, 0.0) for k, v in features.items()})
        return cast(ReadinessLabel, label)

    label = label_now()
    if label == READY_LABEL:
        return -1, label
    for i, step in enumerate(steps):
        prev = current.get(step.skill_id)
        current[step.skill_id] = (
            replace(prev, evidence="course", weight=max(prev.weight, course))
            if prev
            else HeldSkill(step.skill_id, "course", course)
        )
        label = label_now()
        if label == READY_LABEL:
            return i, label
    return None, label
