"""Per-group gazetteer trust of the hybrid (field / soft / cert / tech) and the CV harness's fold and grid helpers."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from careerready.pipelines.hybrid_extraction import HybridParams, extract_hybrid, skill_group

from training.models.train_extractor_v1 import DEFAULT_EVAL

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts"


@dataclass
class _Skill:
    type: str
    category: str


@pytest.mark.parametrize(
    ("skill", "group"),
    [
        (_Skill("hard", "healthcare"), "field"),
        (_Skill("hard", "education"), "field"),
        (_Skill("hard", "legal"), "field"),
        (_Skill("certification", "healthcare"), "cert"),
        (_Skill("soft", "soft-skills"), "soft"),
        (_Skill("hard", "human-languages"), "soft"),
        (_Skill("tool", "cloud"), "tech"),
        (None, "tech"),
    ],
)
def test_skill_group(skill: Any, group: str) -> None:
    assert skill_group(skill) == group


def test_keep_prob_inherits_general_thresholds_unless_set() -> None:
    p = HybridParams.from_dict({"gazetteer_keep_prob": 0.7, "skills_section_keep_prob": 0.5})
    assert p.keep_prob("field", "experience") == 0.7
    assert p.keep_prob("field", "skills") == 0.5
    assert p.keep_prob("tech", "skills") == 0.5
    q = HybridParams.from_dict({"gazetteer_keep_prob": 0.7, "field_keep_prob": 0.0, "cert_keep_prob": 1.01})
    assert q.keep_prob("field", "experience") == 0.0
    assert q.keep_prob("field", "skills") == 0.0
    assert q.keep_prob("cert", "certifications") == 1.01
    assert q.keep_prob("tech", "experience") == 0.7
    assert HybridParams.from_dict({"field_keep_prob": None}).field_keep_prob is None


class _Pred:
    """A tagger that tags nothing and is unsure everywhere (probability ``p`` over any range)."""

    def __init__(self, p: float) -> None:
        self.p = p
        self.spans: list[tuple[int, int, float]] = []

    def span_prob(self, start: int, end: int) -> float:
        return self.p


class _UnsureNer:
    hybrid_params: dict[str, float] = {}

    def __init__(self, p: float) -> None:
        self.p = p

    def predict(self, text: str) -> _Pred:
        return _Pred(self.p)


@cache
def _served() -> tuple[Any, Any]:
    from careerready.models import extractor as gaz_mod
    from careerready.services.catalog import Catalog

    return gaz_mod.load(ARTIFACTS / "extractor" / "v1"), Catalog.load(ARTIFACTS / "catalog" / "v1")


NURSE = (
    "Registered nurse on a medical-surgical unit.\n"
    "Experience\n"
    "Wound care, medication administration and infection control for 30 patients; Kubernetes for fun.\n"
)


@pytest.mark.skipif(not (ARTIFACTS / "catalog" / "v1").is_dir(), reason="needs the trained artifacts")
def test_field_skills_kept_when_the_tagger_is_unsure_and_tech_ones_are_not() -> None:
    gaz, catalog = _served()
    ner = _UnsureNer(0.2)
    strict = HybridParams(link_threshold=1.01, gazetteer_keep_prob=0.7, skills_section_keep_prob=0.7)
    trusted = HybridParams(
        link_threshold=1.01, gazetteer_keep_prob=0.7, skills_section_keep_prob=0.7, field_keep_prob=0.0
    )
    before = {s.skill_id for s in extract_hybrid(NURSE, gaz, ner, catalog, params=strict).skills}
    after = {s.skill_id for s in extract_hybrid(NURSE, gaz, ner, catalog, params=trusted).skills}
    assert before == set()
    assert {"wound-care", "medication-administration", "infection-control"} <= after
    assert "kubernetes" not in after  # a tech hit still needs the tagger's support


def test_folds_are_stable_and_cover_every_fold() -> None:
    from training.extractor.cv import fold_of

    ids = [str(i) for i in range(200)]
    folds = [fold_of(i, 5) for i in ids]
    assert folds == [fold_of(i, 5) for i in ids]
    assert set(folds) == set(range(5))
    assert all(folds.count(f) >= 25 for f in range(5))


@pytest.mark.skipif(
    not DEFAULT_EVAL.is_file(), reason="the shared extraction metric (../shared/eval) is not beside the checkout"
)
def test_cross_validate_picks_on_other_folds() -> None:
    from training.extractor.cv import cross_validate, fold_of

    rows = [
        {"id": str(i), "text": "x", "spans": [{"label": "Tech Tools", "text": "python", "start": 0, "end": 6}]}
        for i in range(40)
    ]
    good = {str(i): ["python"] for i in range(40)}
    bad = {str(i): ["java"] for i in range(40)}
    fields = {str(i): "tech" if i % 2 else "non-tech" for i in range(40)}
    cv = cross_validate(rows, fields, {"good": good, "bad": bad}, 4, served_key="bad")
    assert cv["nested_chosen"] == ["good"] * 4
    assert cv["nested"]["all"] == [1.0] * 4
    assert cv["per_config"]["bad"]["tech"] == [0.0] * 4
    assert sum(cv["fold_sizes"]["all"]) == 40
    assert cv["fold_sizes"]["all"] == [sum(fold_of(str(i), 4) == f for i in range(40)) for f in range(4)]


def test_not_worse_is_a_paired_one_standard_error_rule() -> None:
    from training.extractor.cv import not_worse

    best = [0.80, 0.78, 0.76, 0.79, 0.77]
    assert not_worse(best, best)
    assert not_worse([b - 0.001 + (0.004 if i % 2 else -0.004) for i, b in enumerate(best)], best)
    assert not not_worse([b - 0.006 for b in best], best)  # consistently worse on every fold


def test_coordinate_search_prefers_field_trust_unless_measurably_worse() -> None:
    from training.extractor.cv import Search

    def make(cost: float) -> Search:
        s = Search.__new__(Search)

        def fold_scores(cfg: dict[str, Any]) -> list[float]:
            base = [0.80, 0.78, 0.76, 0.79, 0.77]
            if cfg.get("field_keep_prob") is None:
                return base
            return [b - cost for b in base]

        s.fold_scores = fold_scores  # type: ignore[method-assign]
        return s

    assert make(0.0).coordinate(range(5))["field_keep_prob"] == 0.0
    assert make(0.0).coordinate(range(5))["field_doc_share"] == 0.0
    assert make(0.01).coordinate(range(5))["field_keep_prob"] is None


def test_skillspan_span_f1_strict_and_overlap() -> None:
    from training.extractor.skillspan_eval import span_f1

    gold = [[(0, 5), (10, 20)], [(3, 8)]]
    pred = [[(0, 5), (12, 15)], [(30, 35)]]
    r = span_f1(gold, pred)
    assert r["strict"] == {"precision": 0.3333, "recall": 0.3333, "f1": 0.3333}  # 1 of 3 predicted, 1 of 3 gold
    assert r["overlap"] == {"precision": 0.6667, "recall": 0.6667, "f1": 0.6667}
    assert (r["pred"], r["gold"]) == (3, 3)
