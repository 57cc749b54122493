"""Latent learner/candidate profiles: the hidden truth behind every synthetic resume and user."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from training.synth.common import SynthCatalog

SENIORITIES = ("junior", "mid", "senior", "lead")
_SENIORITY_P = (0.30, 0.36, 0.24, 0.10)
_YEARS_RANGE = {"junior": (0.0, 2.5), "mid": (2.0, 6.0), "senior": (5.0, 12.0), "lead": (8.0, 20.0)}
_COMPETENCE_SHIFT = {"junior": -0.12, "mid": 0.0, "senior": 0.08, "lead": 0.12}
EVIDENCE_KINDS = ("work", "listed", "course")
MAX_SKILLS = 28


@dataclass
class ProfileSkill:
    """A skill the person truly has."""

    skill_id: str
    years: int
    evidence: str  # work | listed | course


@dataclass
class Profile:
    """Latent profile; `competence` and `neighbour_role` are never written out."""

    role_id: str
    seniority: str
    years_experience: float
    competence: float
    neighbour_role: str | None
    skills: dict[str, ProfileSkill] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        """The public part of the profile, in a stable order."""
        return {
            "skills": [
                {"skill_id": s.skill_id, "years": s.years, "evidence": s.evidence}
                for s in sorted(self.skills.values(), key=lambda x: x.skill_id)
            ]
        }


def _clip(x: float, lo: float, hi: float) -> float:
    return lo if x < lo else hi if x > hi else x


def sample_profile(rng: random.Random, cat: SynthCatalog, role_id: str) -> Profile:
    """Draw one latent profile whose home (target) role is `role_id`."""
    role = cat.roles[role_id]
    seniority = rng.choices(SENIORITIES, weights=_SENIORITY_P)[0]
    lo, hi = _YEARS_RANGE[seniority]
    years_exp = round(rng.uniform(lo, hi) * 2) / 2
    competence = _clip(rng.betavariate(2.2, 2.0) + _COMPETENCE_SHIFT[seniority], 0.0, 1.0)
    neighbours = cat.neighbours[role_id]
    neighbour = neighbours[min(len(neighbours) - 1, int(rng.expovariate(0.9)))] if rng.random() < 0.6 else None

    held: list[str] = []
    for rs in role.skills:
        p = _clip(0.08 + 0.80 * competence + 0.30 * (rs.importance - 0.5) + (0.08 if rs.critical else 0.0), 0.02, 0.97)
        if rng.random() < p:
            held.append(rs.skill_id)
    if neighbour is not None:
        home = role.importance
        for rs in cat.roles[neighbour].skills:
            if rs.skill_id not in home and rng.random() < 0.45 * competence * (0.5 + rs.importance):
                held.append(rs.skill_id)
    # prerequisites of what is held (people usually learnt them first)
    for sid in list(held):
        for pre in cat.skills[sid].prerequisites:
            if pre not in held and rng.random() < 0.7:
                held.append(pre)
    # related skills in the same category
    for sid in list(held):
        if rng.random() < 0.15:
            pool = [x for x in cat.by_category.get(cat.skills[sid].category, []) if x not in held]
            if pool:
                held.append(rng.choice(pool))
    # off-role noise skills
    all_ids = list(cat.skills)
    for _ in range(rng.randint(0, 3)):
        sid = rng.choice(all_ids)
        if sid not in held:
            held.append(sid)
    if len(held) > MAX_SKILLS:
        held = held[:MAX_SKILLS]

    prof = Profile(role_id, seniority, years_exp, round(competence, 4), neighbour)
    for sid in held:
        prof.skills[sid] = _sample_skill(rng, cat, sid, years_exp, seniority)
    return prof


def _sample_skill(rng: random.Random, cat: SynthCatalog, sid: str, years_exp: float, seniority: str) -> ProfileSkill:
    stype = cat.skills[sid].type
    if stype == "certification":
        return ProfileSkill(sid, 0, "course")
    p_work = 0.30 + 0.45 * min(1.0, years_exp / 5.0)
    p_course = 0.30 if seniority == "junior" else 0.10
    if stype == "soft":
        p_course = 0.05
    u = rng.random()
    evidence = "work" if u < p_work else "course" if u < p_work + p_course else "listed"
    if evidence == "work":
        years = max(1, round(years_exp * rng.uniform(0.3, 1.0)))
    elif evidence == "listed":
        years = max(1, round(years_exp * rng.uniform(0.1, 0.6)))
    else:
        years = rng.choice((0, 0, 1))
    return ProfileSkill(sid, int(years), evidence)
