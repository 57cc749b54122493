"""Readiness reasons: the two or three deciding facts, in words, and every figure they state matches the match."""

from __future__ import annotations

import re

import pytest
from careerready.features import READINESS_FEATURES
from careerready.models.matcher import Matcher
from careerready.models.readiness import ReadinessModel
from careerready.pipelines import matching, readiness
from careerready.schemas.analysis import ReadinessFacts, ReadinessRequest
from careerready.services.catalog import Catalog

from tests.unit.test_pipelines_analysis import _resume, catalog, matcher, readiness_model  # noqa: F401


def _numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"\d+(?:\.\d+)?", text)]


@pytest.mark.parametrize("years", [None, 1.0, 3.0, 9.0])
def test_reasons_state_the_match_numbers(
    catalog: Catalog,  # noqa: F811
    matcher: Matcher,  # noqa: F811
    readiness_model: ReadinessModel,  # noqa: F811
    years: float | None,
) -> None:
    role = catalog.roles["data_scientist"]
    m = matching.match_role(_resume(catalog), role, catalog, None, matcher, years_experience=years)
    facts = readiness.facts_from_match(m, years)
    feats = {k: m.features[k] for k in READINESS_FEATURES}
    r = readiness.predict(feats, readiness_model, facts=facts)
    assert 2 <= len(r.reasons) <= 3
    flags = [x.supports for x in r.reasons]
    assert flags == sorted(flags, reverse=True)  # what pushed toward the answer comes first
    for side in (True, False):
        w = [x.weight for x in r.reasons if x.supports is side]
        assert w == sorted(w, reverse=True)
    kinds = {x.kind: x for x in r.reasons}
    assert len(kinds) == len(r.reasons)
    # what the reasons would say for every fact, checked against the match's own numbers
    crit = [s for s in m.skills if s.critical]
    crit_missing = [s for s in crit if s.status in ("missing", "partial")]
    text, numbers = readiness._critical(feats, facts)
    assert numbers == {"missing_critical": len(crit_missing), "n_critical": len(crit)}
    assert numbers["missing_critical"] == m.features["missing_critical"]
    assert text.startswith(f"{len(crit_missing)} of {len(crit)} critical skills missing: ")
    for s in crit_missing[: readiness.MAX_NAMES]:
        assert s.name in text
    text, numbers = readiness._experience(feats, facts)
    assert numbers["min_years"] == role.min_years
    if years is None:
        assert text.startswith("no stated experience found")
    else:
        assert _numbers(text) == [years, role.min_years]
        assert ("meets" in text) == (years >= role.min_years)
    text, numbers = readiness._coverage(feats, facts)
    n_missing = sum(s.status in ("missing", "partial") for s in m.skills)
    assert _numbers(text)[:3] == [round(100 * m.features["coverage_exact"]), n_missing, len(m.skills)]
    for reason in r.reasons:  # the response carries exactly these writers' texts
        assert reason.text == readiness._WRITERS[reason.kind](feats, facts)[0]


def test_reasons_follow_the_drivers(readiness_model: ReadinessModel) -> None:  # noqa: F811
    feats = dict.fromkeys(READINESS_FEATURES, 0.0)
    contributions = [(n, 0.0) for n in READINESS_FEATURES]
    contributions[READINESS_FEATURES.index("years_gap")] = ("years_gap", -2.0)
    contributions[READINESS_FEATURES.index("coverage_exact")] = ("coverage_exact", 0.5)
    facts = ReadinessFacts(
        n_critical=6,
        missing_critical=list("ABCD"),
        n_required=10,
        missing=list("ABCDEFG"),
        years_experience=2.0,
        min_years=4.0,
    )
    out = readiness.reasons(feats, contributions, facts)
    # coverage pushed toward the answer; the experience gap weighed more, but the other way: listed second
    assert [(r.kind, r.supports, r.weight) for r in out] == [("coverage", True, 0.5), ("experience", False, 2.0)]
    assert out[1].text == "2 years of stated experience, the role expects 4+"
    assert out[0].text.endswith("7 of 10 missing, most important: A, B, C, …")
    # both toward the answer: strongest first, nothing from the other side
    contributions[READINESS_FEATURES.index("years_gap")] = ("years_gap", 2.0)
    contributions[READINESS_FEATURES.index("text_fit")] = ("text_fit", -9.0)
    out = readiness.reasons(feats, contributions, facts)
    assert [(r.kind, r.supports) for r in out] == [("experience", True), ("coverage", True)]
    assert readiness._critical(feats, facts)[0] == "4 of 6 critical skills missing: A, B, C, …"


def test_reasons_without_facts_use_feature_counts(readiness_model: ReadinessModel) -> None:  # noqa: F811
    feats = dict.fromkeys(READINESS_FEATURES, 0.0)
    feats.update(missing_critical=4.0, critical_coverage=1 / 3, years_experience=2.0, years_gap=2.0)
    assert readiness._critical(feats, None)[0] == "4 of 6 critical skills missing"
    assert readiness._experience(feats, None)[0] == "2 years of stated experience, the role expects 4+"
    r = readiness.predict(feats, readiness_model)
    assert len(r.reasons) >= 2


def test_request_accepts_facts_and_rejects_unknown_keys() -> None:
    req = ReadinessRequest.model_validate({"features": {}, "facts": {"n_critical": 1, "n_required": 2, "min_years": 3}})
    assert req.facts is not None and req.facts.missing_critical == []
    with pytest.raises(ValueError, match="extra"):
        ReadinessRequest.model_validate(
            {"features": {}, "facts": {"n_critical": 1, "n_required": 2, "min_years": 3, "x": 1}}
        )
