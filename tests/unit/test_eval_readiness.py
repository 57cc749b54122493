"""make eval-readiness: pair selection, score, buckets and summaries (no models needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from careerready.services.catalog import Catalog

from training.eval import eval_readiness as ev
from training.eval.experience_gold import ExperienceCase, agreement, gold_total, summarise

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "catalog_small"


def test_score_and_buckets() -> None:
    assert ev.readiness_score({"industry_ready": 0.2, "almost_ready": 0.6, "needs_upskilling": 0.2}) == 0.5
    assert [ev.years_bucket(y) for y in (None, 0.0, 1.99, 2.0, 5.0, 5.01)] == [
        "none stated",
        "< 2",
        "< 2",
        "2-5",
        "2-5",
        "> 5",
    ]


def test_unrelated_role_is_seeded_and_of_another_family() -> None:
    cat = Catalog.load(FIXTURE)
    own = "backend_engineer"  # family "software", shared with frontend_engineer
    picks = {ev.unrelated_role(str(i), own, cat) for i in range(40)}
    assert picks == {"data_scientist", "devops_engineer"}  # never the own role, never the same family
    assert ev.unrelated_role("7", own, cat) == ev.unrelated_role("7", own, cat)
    assert len({ev.unrelated_role(str(i), own, cat, seed=s) for i in range(40) for s in (1, 2)}) > 1


def _side(role: str, label: str, score: float) -> ev.Side:
    return ev.Side(role, label, score, {}, 0.5, 1, 3, [])


def test_summary_counts_goals_per_bucket() -> None:
    pairs = [
        ev.Pair("a", 8.0, _side("x", "needs_upskilling", 0.2), _side("y", "needs_upskilling", 0.1)),
        ev.Pair("b", 9.0, _side("x", "almost_ready", 0.6), _side("y", "needs_upskilling", 0.1)),
        ev.Pair("c", 1.0, _side("x", "almost_ready", 0.3), _side("y", "almost_ready", 0.3)),
        ev.Pair("d", None, _side("x", "industry_ready", 0.9), _side("y", "almost_ready", 0.5)),
    ]
    s = ev.summarise(pairs)
    assert s["n_pairs"] == 4 and s["own_readier"] == 0.75 and s["ties"] == 0.25
    assert s["own"]["> 5"]["n"] == 2 and s["own"]["> 5"]["labels"]["needs_upskilling"] == 0.5
    assert s["senior_own_needs_upskilling"] == 0.5
    assert s["goals"] == {"own_readier_ge_95": False, "senior_needs_upskilling_le_10": False}
    assert s["own"]["none stated"]["n"] == 1 and s["own"]["all"]["n"] == 4
    m = ev.metrics(pairs)
    assert m["selection"]["n_pairs"] + m["report"]["n_pairs"] == 4
    assert "| selection |" in ev.render_report(m)


def test_evaluate_calls_the_analyser_with_own_then_other() -> None:
    seen = []

    def analyse(text: str, roles: list[str]) -> tuple[float | None, list[ev.Side]]:
        seen.append(list(roles))
        return 3.0, [_side(roles[0], "almost_ready", 0.6), _side(roles[1], "needs_upskilling", 0.1)]

    subs = [ev.Subject("1", "text", "own", "other", "Own Title")]
    (pair,) = ev.evaluate(subs, analyse)
    assert seen == [["own", "other"]] and pair.own_readier and pair.bucket == "2-5"


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        (["5+ years of experience", "2010 - 2012"], (5.0, "statement")),
        (["2 Years and 4 Months"], (2 + 4 / 12, "statement")),
        (["Less than 1 year"], (0.5, "statement")),
        (["21 months of experience"], (1.75, "statement")),
        (["2010 - 2012", "2014 - 2016"], (4.0, "ranges")),
    ],
)
def test_gold_total(spans: list[str], expected: tuple[float, str]) -> None:
    text = " ".join(spans) + " 2016"
    got = gold_total(text, [{"label": "Years of Experience", "text": t} for t in spans])
    assert got[1] == expected[1] and got[0] == pytest.approx(expected[0], abs=0.01)


def test_agreement_tolerance_and_summary() -> None:
    assert agreement(5.4, 5.0) and not agreement(5.6, 5.0) and agreement(21.0, 20.0) and not agreement(None, 1.0)
    cases = [ExperienceCase("1", "statement", 5.0, 5.0), ExperienceCase("2", "ranges", None, 3.0)]
    s = summarise(cases)
    assert s["all"] == {"n_with_span": 2, "n": 1, "agree": 1.0, "none": 0.0}
