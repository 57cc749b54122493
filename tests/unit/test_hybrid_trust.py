"""Trusted skills (issue 12, prose mentions): kept where the tagger is unsure, learned per skill by the folds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from careerready.pipelines.hybrid_extraction import HybridParams, extract_hybrid

from tests.unit.test_hybrid_groups import ARTIFACTS, _served, _UnsureNer
from training.extractor.trust import (
    Candidate,
    Corpus,
    candidates,
    fold_scores,
    select,
    skillspan_fold,
    trusted_skills,
)
from training.models.train_extractor_v1 import DEFAULT_EVAL

PROSE = "Manage the pipeline and forecasts in Salesforce; build sequences in HubSpot.\n"


@pytest.mark.skipif(not (ARTIFACTS / "catalog" / "v1").is_dir(), reason="needs the trained artifacts")
def test_trusted_skill_in_prose_is_kept_when_the_tagger_is_unsure() -> None:
    gaz, catalog = _served()
    ner = _UnsureNer(0.05)  # under the general 0.5, as the served tagger is on this sentence
    base = HybridParams(link_threshold=1.01, gazetteer_keep_prob=0.5, skills_section_keep_prob=0.7)
    ids = {s.skill_id for s in extract_hybrid(PROSE, gaz, ner, catalog, params=base).skills}
    assert ids == set()  # the old behaviour: prose mentions dropped
    found = {m.skill_id for m in gaz.find_mentions(PROSE)}
    assert "salesforce" in found
    trusted = HybridParams(
        link_threshold=1.01,
        gazetteer_keep_prob=0.5,
        skills_section_keep_prob=0.7,
        trusted_skills=frozenset({"salesforce"}),
        trusted_keep_prob=0.0,
    )
    ids = {s.skill_id for s in extract_hybrid(PROSE, gaz, ner, catalog, params=trusted).skills}
    assert ids == {"salesforce"}  # only the trusted one; HubSpot still needs the tagger
    floor = HybridParams(**{**trusted.__dict__, "trusted_keep_prob": 0.1})
    assert {s.skill_id for s in extract_hybrid(PROSE, gaz, ner, catalog, params=floor).skills} == set()


def test_from_dict_reads_the_trusted_list_and_ignores_it_without_a_threshold() -> None:
    p = HybridParams.from_dict({"gazetteer_keep_prob": 0.5, "trusted_skills": ["sales", "salesforce"]})
    assert p.trusted_skills == frozenset({"sales", "salesforce"})
    assert p.trusted_keep_prob is None
    q = HybridParams.from_dict({"trusted_skills": ["sales"], "trusted_keep_prob": 0.1})
    assert q.trusted_keep_prob == 0.1
    assert HybridParams.from_dict({}).trusted_skills == frozenset()


def _c(sid: str, correct: bool, category: str = "crm") -> Candidate:
    return Candidate("dotin", "d", 0, sid, category, 0.1, correct)


def test_trusted_skills_shrinks_toward_the_category() -> None:
    cands = [_c("salesforce", True)] * 3 + [_c("excel", False, "office")] * 3 + [_c("excel", True, "office")]
    cands += [_c("hubspot", False)]  # one miss in a category that is mostly right
    # crm prior (3 + 1) / (4 + 2) = 2/3: salesforce (3 + 4/3) / 5 = 0.867, hubspot (0 + 4/3) / 3 = 0.444;
    # office prior (1 + 1) / (4 + 2) = 1/3: excel (1 + 2/3) / 6 = 0.278
    assert trusted_skills(cands, a=2.0, q=0.4) == ["hubspot", "salesforce"]
    assert trusted_skills(cands, a=2.0, q=0.5) == ["salesforce"]
    assert trusted_skills(cands, a=2.0, q=0.25) == ["excel", "hubspot", "salesforce"]
    assert trusted_skills(cands, a=0.0, q=0.5) == ["salesforce"]  # no shrinkage: hubspot 0/1
    assert trusted_skills([], a=2.0, q=0.0) == []


def test_select_keeps_the_dotin_floor_and_maximises_the_combined_objective() -> None:
    base = {"dotin": [0.70, 0.72, 0.71, 0.69, 0.73], "skillspan": [0.50] * 5}
    small_cost = {"dotin": [x - 0.002 for x in base["dotin"]], "skillspan": [0.55] * 5}
    big_cost = {"dotin": [x - 0.02 for x in base["dotin"]], "skillspan": [0.60] * 5}
    assert select({"none": base, "small": small_cost, "big": big_cost}) == "small"  # sd 0.0158 -> floor -0.0032
    assert select({"none": base, "big": big_cost}) == "none"


def test_skillspan_folds_are_stable() -> None:
    ids = [f"train-{i}" for i in range(100)]
    assert [skillspan_fold(i) for i in ids] == [skillspan_fold(i) for i in ids]
    assert {skillspan_fold(i) for i in ids} == set(range(5))


@pytest.mark.skipif(not (ARTIFACTS / "ner" / "v1" / "hybrid.json").is_file(), reason="needs the trained tagger")
def test_served_hybrid_json_loads_with_its_trusted_list() -> None:
    from careerready.models import ner as ner_mod

    raw = json.loads((ARTIFACTS / "ner" / "v1" / "hybrid.json").read_text("utf-8"))
    params = HybridParams.from_dict(ner_mod.load(ARTIFACTS / "ner" / "v1").hybrid_params)
    assert params.trusted_skills == frozenset(raw.get("trusted_skills", []))


def test_selection_record_has_no_stray_trust_keys() -> None:
    sel = json.loads(
        (Path(__file__).resolve().parents[2] / "data" / "extraction" / "hybrid_selection.json").read_text()
    )
    params = sel["params"]
    assert ("trusted_skills" in params) == ("trusted_keep_prob" in params)


@pytest.mark.skipif(not (ARTIFACTS / "catalog" / "v1").is_dir(), reason="needs the trained artifacts")
@pytest.mark.skipif(
    not DEFAULT_EVAL.is_file(), reason="the shared extraction metric (../shared/eval) is not beside the checkout"
)
def test_candidates_are_the_dropped_hits_labelled_by_the_metric_rule() -> None:
    gaz, catalog = _served()
    row = {"id": "r1", "text": PROSE, "spans": [{"label": "Tech Tools", "text": "Salesforce"}]}
    corpus = Corpus("dotin", [row], {"r1": 0})
    params = HybridParams(link_threshold=1.01, gazetteer_keep_prob=0.5, skills_section_keep_prob=0.7)
    cands = {c.skill_id: c for c in candidates(corpus, gaz, _UnsureNer(0.05), catalog, params)}
    assert cands["salesforce"].correct and cands["salesforce"].prob == 0.05
    assert not cands["hubspot"].correct  # not in the gold
    scores = fold_scores([corpus], list(cands.values()), (2.0, 0.5, 0.0), gaz, _UnsureNer(0.05), catalog, params, k=1)
    assert scores["dotin"] == [0.0]  # fold 0's list is learned on the other folds: none here, so nothing is trusted
