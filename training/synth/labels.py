"""Latent expert processes that label (resume, role) pairs: readiness, skill-gap relevance, match fit.

Every function here reads the LATENT profile. Models never see it: their features come from the
resume text through the extractor (see docs/synthetic-data.md).
"""

from __future__ import annotations

import math
import random

from training.synth.common import Role, SynthCatalog
from training.synth.profiles import Profile

READINESS_LABELS = ("needs_upskilling", "almost_ready", "industry_ready")
# cumulative share of pairs below each cut before caps and flips (panel "calibrated" to this mix)
READINESS_CUTS = (0.45, 0.74)
READINESS_FLIP = 0.08
RATER_BIASES = (-0.10, -0.05, 0.0, 0.0, 0.04, 0.09)
EVIDENCE_STRENGTH = {"work": 1.0, "course": 0.6, "listed": 0.45}
SENIORITY_BONUS = {"junior": -0.08, "mid": 0.0, "senior": 0.05, "lead": 0.08}
GAP_CUTS = (0.30, 0.60, 0.82)  # cumulative shares of relevance 0 | 1 | 2 | 3
GAP_NOISE = 0.18
MATCH_EVIDENCE = {"work": 1.0, "listed": 0.8, "course": 0.7}


def _years_factor(years: int, min_years: float) -> float:
    return min(1.0, (years + 0.5) / max(1.0, min_years))


def readiness_score(cat: SynthCatalog, prof: Profile, role: Role, rng: random.Random) -> tuple[float, int, float]:
    """Latent expert score of a candidate for a role: (noisy score, missing critical skills, noise-free score)."""
    num = den = 0.0
    missing_critical = 0
    for rs in role.skills:
        den += rs.importance
        ps = prof.skills.get(rs.skill_id)
        if ps is None:
            missing_critical += rs.critical
            continue
        strength = EVIDENCE_STRENGTH[ps.evidence] * (0.55 + 0.45 * math.sqrt(_years_factor(ps.years, role.min_years)))
        if rs.critical and strength < 0.4:
            missing_critical += 1  # a critical skill only listed, never used, does not count
        num += rs.importance * strength
    coverage = num / den if den else 0.0
    exp = max(-1.0, min(1.0, (prof.years_experience - role.min_years) / (role.min_years + 2.0)))
    clean = 2.0 * coverage + 0.30 * exp + SENIORITY_BONUS[prof.seniority] - 0.35 * min(missing_critical, 2)
    return clean + rng.choice(RATER_BIASES) + rng.gauss(0.0, 0.08), missing_critical, clean


def readiness_labels(scores: list[tuple[float, int]], rng: random.Random | None) -> list[str]:
    """Turn latent scores into labels: calibrated cuts, hard cap for missing critical skills, then rater flips.

    With `rng=None` there are no flips (used to measure the noise-free rule's agreement).
    """
    lo, hi = _cuts([s for s, _ in scores], READINESS_CUTS)
    out = []
    for score, missing_critical in scores:
        k = 0 if score < lo else 1 if score < hi else 2
        if missing_critical >= 1:
            k = min(k, 1)  # never industry-ready without every critical skill
        if missing_critical >= 3:
            k = 0
        if rng is not None and rng.random() < READINESS_FLIP:
            k = k + rng.choice((-1, 1)) if k == 1 else 1  # disagreeing rater: one grade off
        out.append(READINESS_LABELS[k])
    return out


def _cuts(values: list[float], cum: tuple[float, ...]) -> list[float]:
    ordered = sorted(values)
    n = len(ordered)
    return [ordered[min(n - 1, int(p * n))] for p in cum]


def gap_utilities(cat: SynthCatalog, prof: Profile, role: Role, rng: random.Random) -> list[tuple[str, float, float]]:
    """Coach utility of each role skill the person lacks, in role order: (skill_id, noisy, noise-free)."""
    missing = [rs for rs in role.skills if rs.skill_id not in prof.skills]
    missing_ids = {rs.skill_id for rs in missing}
    imp = role.importance
    out = []
    for rs in missing:
        sk = cat.skills[rs.skill_id]
        prereqs = sk.prerequisites
        ready = sum(p in prof.skills for p in prereqs) / len(prereqs) if prereqs else 1.0
        # how much of the rest of the gap this skill unlocks (it is their prerequisite)
        unlock = sum(imp[o] for o in sorted(missing_ids) if rs.skill_id in cat.skills[o].prerequisites)
        hours = min(1.0, sk.learning_hours / 150.0)
        u = (
            0.9 * rs.importance
            + 0.5 * rs.critical
            + 0.4 * sk.demand
            + 1.1 * ready * (0.3 + sk.demand)  # learnable next AND wanted by the market
            + 0.45 * min(1.0, unlock)
            - 0.25 * hours
        )
        if ready < 0.5 and not rs.critical:
            u -= 0.35  # the coach sends you to the prerequisite first
        out.append((rs.skill_id, u + rng.gauss(0.0, GAP_NOISE), u))
    return out


def gap_relevance(utilities: list[float]) -> list[int]:
    """Graded relevance 0..3 from utilities via calibrated cuts."""
    c1, c2, c3 = _cuts(utilities, GAP_CUTS)
    return [0 if u < c1 else 1 if u < c2 else 2 if u < c3 else 3 for u in utilities]


def match_target(cat: SynthCatalog, prof: Profile, role: Role, rng: random.Random) -> float:
    """Latent human fit rating in [0, 1] for a (person, role) pair."""
    held_cats = {cat.skills[s].category for s in prof.skills}
    num = den = 0.0
    missing_critical = 0
    for rs in role.skills:
        den += rs.importance
        ps = prof.skills.get(rs.skill_id)
        if ps is not None:
            credit = MATCH_EVIDENCE[ps.evidence] * (0.7 + 0.3 * _years_factor(ps.years, role.min_years))
        elif cat.skills[rs.skill_id].category in held_cats:
            credit = 0.3  # a related skill in the same category transfers partly
            missing_critical += rs.critical
        else:
            credit = 0.0
            missing_critical += rs.critical
        num += rs.importance * credit
    overlap = num / den if den else 0.0
    years = min(1.0, prof.years_experience / max(1.0, role.min_years))
    n_critical = sum(rs.critical for rs in role.skills)
    critical_held = 1.0 - missing_critical / n_critical if n_critical else 1.0
    fit: float = 0.66 * overlap**0.9 + 0.14 * years + 0.20 * critical_held**2 + rng.gauss(0.0, 0.05)
    return round(min(1.0, max(0.0, fit)), 4)
