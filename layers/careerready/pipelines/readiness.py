"""Readiness prediction: label, calibrated probabilities, the features that drove it, and reasons in words.

Reasons: each answer names the two or three facts that decided it, strongest first. A fact is one of

* ``critical_skills``: "4 of 6 critical skills missing: Kubernetes, Terraform, Helm, …" (or "all 3 critical
  skills held"), from ``critical_coverage``, ``missing_critical``, ``critical_evidence``;
* ``experience``: "2 years of stated experience, the role expects 4+" (or "no stated experience found", or
  "... meets the 3+ the role expects"), from ``years_*``;
* ``coverage``: "45% of the role's skills (by importance) held; 7 of 12 missing, most important: SQL, …", from
  ``coverage_*``, ``technical_coverage``, ``embedding_cosine``;
* ``evidence``: "skills backed by work or projects give 30% of the role's weight", from ``evidence_coverage``.

Which facts decided it: the readiness drivers (standardised coefficient x standardised value for the
predicted label, the model's own explanation) are summed by fact, WITH their sign. The facts that pushed toward
the answer come first, strongest first, at most three (``supports=True``); when fewer than two did, the
strongest facts that weighed the other way fill up to two (``supports=False``: "reads like the role" is not
listed as a reason for Needs Upskilling, it is shown as what weighed the other way). Names and counts come from the
:class:`~careerready.schemas.analysis.ReadinessFacts` the caller sends (built from the role match by
:func:`facts_from_match`); without them the reasons are written from the features alone (counts, no names).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from careerready.core.errors import InvalidInputError
from careerready.features import TEXT_FIT_UNKNOWN
from careerready.models.readiness import ReadinessModel
from careerready.schemas.analysis import Driver, ReadinessFacts, ReadinessReason, ReadinessResponse, RoleMatch

__all__ = ["FACT_FEATURES", "MAX_NAMES", "facts_from_match", "predict", "reasons"]

#: Which readiness features speak for which fact.
FACT_FEATURES: dict[str, tuple[str, ...]] = {
    "critical_skills": ("critical_coverage", "missing_critical", "critical_evidence"),
    "experience": ("years_ratio", "years_experience", "years_gap"),
    "coverage": ("coverage_exact", "coverage_partial", "technical_coverage", "embedding_cosine"),
    "evidence": ("evidence_coverage",),
    "text_fit": ("text_fit",),
}
#: Skill names spelled out in one reason (the rest is "…").
MAX_NAMES = 3
MAX_REASONS = 3
MIN_REASONS = 2


def predict(
    features: Mapping[str, float],
    model: ReadinessModel,
    top_drivers: int = 5,
    facts: ReadinessFacts | None = None,
) -> ReadinessResponse:
    """Predict readiness from READINESS_FEATURES.

    Args:
        features: Feature dict (extra keys are ignored).
        model: Loaded readiness model.
        top_drivers: Number of drivers to return.
        facts: Names and counts for the reasons (see :func:`facts_from_match`); None: from the features.

    Raises:
        InvalidInputError: a required feature is missing.
    """
    missing = [n for n in model.feature_names if n not in features]
    if missing:
        raise InvalidInputError("missing readiness features", field="features", missing=missing)
    label, probs = model.predict(features)
    all_drivers = model.drivers(features, label)
    drivers = [
        Driver(feature=n, value=round(v, 6), contribution=round(c, 6), direction="up" if c >= 0 else "down")
        for n, v, c in all_drivers[:top_drivers]
    ]
    return ReadinessResponse(
        label=label,  # type: ignore[arg-type]
        probabilities={k: round(v, 6) for k, v in probs.items()},
        drivers=drivers,
        reasons=reasons(features, [(n, c) for n, _, c in all_drivers], facts),
    )


def facts_from_match(match: RoleMatch, years_experience: float | None = None) -> ReadinessFacts:
    """The facts of one role match: critical and required skills not held exactly, stated and expected years.

    Args:
        match: The match stage's answer for the role.
        years_experience: Stated years; None: the years the features used (a per-skill figure, else none found).
    """
    by_weight = sorted(match.skills, key=lambda s: (-s.importance, s.name))
    not_held = [s for s in by_weight if s.status in ("missing", "partial")]
    feats = match.features
    years = float(feats.get("years_experience", 0.0)) if years_experience is None else years_experience
    if "min_years" in feats:
        min_years = float(feats["min_years"])
    else:  # an older match stage: years_gap = max(min_years - years, 0)
        min_years = years + float(feats.get("years_gap", 0.0))
    return ReadinessFacts(
        role_title=match.title,
        n_critical=sum(s.critical for s in match.skills),
        missing_critical=[s.name for s in not_held if s.critical],
        n_required=len(match.skills),
        missing=[s.name for s in not_held],
        years_experience=years_experience if years_experience is not None else (years or None),
        min_years=round(min(max(min_years, 0.0), 60.0), 2),
    )


def _names(names: Sequence[str]) -> str:
    shown = ", ".join(names[:MAX_NAMES])
    return shown + (", …" if len(names) > MAX_NAMES else "")


def _num(y: float) -> str:
    v = round(y, 1)
    return f"{int(v)}" if v == int(v) else f"{v:g}"


def _years(y: float) -> str:
    return f"{_num(y)} year" + ("" if round(y, 1) == 1 else "s")


def _critical(features: Mapping[str, float], facts: ReadinessFacts | None) -> tuple[str, dict[str, float]]:
    if facts is not None:
        n, names = facts.n_critical, facts.missing_critical
        k = len(names)
        if n == 0:
            return "the role names no critical skills", {"missing_critical": 0, "n_critical": 0}
        if k == 0:
            return f"all {n} critical skills held", {"missing_critical": 0, "n_critical": n}
        return f"{k} of {n} critical skills missing: {_names(names)}", {"missing_critical": k, "n_critical": n}
    k = int(round(features.get("missing_critical", 0.0)))
    cov = float(features.get("critical_coverage", 1.0))
    if k == 0:
        return "every critical skill held", {"missing_critical": 0}
    if cov < 1.0:
        n = int(round(k / (1.0 - cov)))
        return f"{k} of {n} critical skills missing", {"missing_critical": k, "n_critical": n}
    return f"{k} critical skills missing", {"missing_critical": k}


def _experience(features: Mapping[str, float], facts: ReadinessFacts | None) -> tuple[str, dict[str, float]]:
    years: float | None
    if facts is not None:
        years, need = facts.years_experience, facts.min_years
    else:
        years = float(features.get("years_experience", 0.0))
        gap = float(features.get("years_gap", 0.0))
        need = years + gap if gap > 0 else 0.0  # when met, the features alone do not say by how much
    expects = f"the role expects {_num(need)}+" if need > 0 else ""
    if not years:
        text = "no stated experience found" + (f", {expects}" if expects else "")
        return text, {"years_experience": 0.0, "min_years": need}
    numbers = {"years_experience": years, "min_years": need}
    if need > 0 and years < need:
        return f"{_years(years)} of stated experience, {expects}", numbers
    if need > 0:
        return f"{_years(years)} of stated experience meets the {_num(need)}+ the role expects", numbers
    return f"{_years(years)} of stated experience", {"years_experience": years}


def _coverage(features: Mapping[str, float], facts: ReadinessFacts | None) -> tuple[str, dict[str, float]]:
    pct = round(100 * float(features.get("coverage_exact", 0.0)))
    text = f"{pct}% of the role's skills (by importance) held"
    numbers: dict[str, float] = {"coverage_pct": float(pct)}
    if facts is not None and facts.n_required:
        k = len(facts.missing)
        numbers.update({"missing": k, "n_required": facts.n_required})
        if k:
            text += f"; {k} of {facts.n_required} missing, most important: {_names(facts.missing)}"
        else:
            text += f"; all {facts.n_required} required skills held"
    return text, numbers


def _evidence(features: Mapping[str, float], facts: ReadinessFacts | None) -> tuple[str, dict[str, float]]:
    del facts
    pct = round(100 * float(features.get("evidence_coverage", 0.0)))
    return (
        f"skills shown in work or projects carry {pct}% of the role's weight (listed or course skills count less)",
        {"evidence_pct": float(pct)},
    )


def _text_fit(features: Mapping[str, float], facts: ReadinessFacts | None) -> tuple[str, dict[str, float]]:
    del facts
    fit = float(features.get("text_fit", TEXT_FIT_UNKNOWN))
    pct = round(100 * fit)
    if fit >= 0.5:
        text = f"the resume reads more like this role than like {pct}% of the catalog's roles"
    else:
        text = f"the resume reads less like this role than like {100 - pct}% of the catalog's roles"
    return text, {"text_fit_pct": float(pct)}


_WRITERS = {
    "critical_skills": _critical,
    "experience": _experience,
    "coverage": _coverage,
    "evidence": _evidence,
    "text_fit": _text_fit,
}


def reasons(
    features: Mapping[str, float],
    contributions: Sequence[tuple[str, float]],
    facts: ReadinessFacts | None = None,
) -> list[ReadinessReason]:
    """The two or three facts that decided the answer, strongest first (see the module docstring).

    Args:
        features: READINESS_FEATURES.
        contributions: ``(feature, contribution)`` for the predicted label (all features).
        facts: Names and counts (None: counts from the features only).
    """
    contrib: dict[str, float] = dict(contributions)
    signed = {kind: sum(contrib.get(f, 0.0) for f in feats) for kind, feats in FACT_FEATURES.items()}
    rank = list(FACT_FEATURES)
    supporting = sorted((k for k in rank if signed[k] > 0), key=lambda k: (-signed[k], rank.index(k)))[:MAX_REASONS]
    others = sorted((k for k in rank if k not in supporting), key=lambda k: (-abs(signed[k]), rank.index(k)))
    chosen = supporting + others[: max(0, MIN_REASONS - len(supporting))]  # at least two facts
    out: list[ReadinessReason] = []
    for kind in chosen:
        text, numbers = _WRITERS[kind](features, facts)
        out.append(
            ReadinessReason(
                kind=kind,  # type: ignore[arg-type]
                text=text,
                numbers={k: round(float(v), 4) for k, v in numbers.items()},
                weight=round(abs(signed[kind]), 6),
                supports=kind in supporting,
            )
        )
    return out
