"""The quiet-tagger rule: on a text the learned tagger barely tags, the gazetteer's work-field hits are kept."""

from __future__ import annotations

import json
from typing import Any

import pytest
from careerready.pipelines.hybrid_extraction import QUIET_KEYS, HybridParams, extract_hybrid

from tests.unit.test_hybrid_groups import ARTIFACTS, REPO, _served, _UnsureNer

HR = (
    "Megan Price\n"
    "Experience\n"
    "HR Generalist, Midwest Manufacturing, 2020 - Present\n"
    "- Run new-hire onboarding; maintain employee records in Workday.\n"
    "- Administer payroll with ADP and advise managers on policy.\n"
    "Education\n"
    "B.A. Psychology, coursework in payroll accounting\n"
)
CHEF = (  # lines of data/samples/luca-chef.txt
    "Luca Bianchi\n"
    "Summary\n"
    "Sous chef with 9 years in busy Italian and farm-to-table kitchens.\n"
    "Experience\n"
    "Line Cook, then Chef de Partie, The Larder, 2016 - 2021\n"
    "- Worked grill, saute and pastry stations; butchery of whole lambs and fish.\n"
    "- Catering for weddings and private events up to 250 guests.\n"
)
STRICT = {"link_threshold": 1.01, "gazetteer_keep_prob": 0.5, "skills_section_keep_prob": 0.7}


def _ids(text: str, ner: Any, **params: Any) -> dict[str, set[str]]:
    """Skill id -> the sections of its mentions."""
    gaz, catalog = _served()
    skills = extract_hybrid(text, gaz, ner, catalog, params=HybridParams(**{**STRICT, **params})).skills
    return {str(s.skill_id): {m.section for m in s.mentions} for s in skills}


def test_quiet_needs_few_learned_spans_against_enough_gazetteer_mentions() -> None:
    p = HybridParams(quiet_ratio=0.2, quiet_min_mentions=4)
    assert p.quiet(0, 4) and p.quiet(1, 6) and p.quiet(3, 16)
    assert not p.quiet(0, 3)  # too little to say the tagger is out of its depth
    assert not p.quiet(2, 10) and not p.quiet(29, 37)  # a tagger at work (a typical dotin resume: 29 spans / 37)
    assert not HybridParams().quiet(0, 50)  # off unless set
    q = HybridParams.from_dict({"quiet_ratio": 0.2, "quiet_keep_prob": 0.1, "quiet_min_mentions": 5})
    assert (q.quiet_ratio, q.quiet_keep_prob, q.quiet_min_mentions) == (0.2, 0.1, 5)


@pytest.mark.skipif(not (ARTIFACTS / "catalog" / "v1").is_dir(), reason="needs the trained artifacts")
def test_a_quiet_tagger_keeps_work_field_hits_in_work_sections_only() -> None:
    ner = _UnsureNer(0.05)  # no learned span, low probability everywhere: how the tagger reads an HR resume
    assert _ids(HR, ner) == {}  # without the rule every hit is dropped
    kept = _ids(HR, ner, quiet_ratio=0.2)
    assert {"onboarding", "workday", "payroll", "adp-workforce-now"} <= set(kept)
    assert kept["payroll"] == {"experience"}  # the education section's "payroll accounting" is a course, not kept
    # a tagger that is merely unsure on a text it tags elsewhere is not quiet: the usual thresholds hold
    assert _ids(HR, ner, quiet_ratio=0.2, quiet_min_mentions=50) == {}


@pytest.mark.skipif(not (ARTIFACTS / "catalog" / "v1").is_dir(), reason="needs the trained artifacts")
def test_a_quiet_tagger_does_not_turn_everyday_words_into_tech_skills_or_languages() -> None:
    gaz, _ = _served()
    found = {m.skill_id for m in gaz.find_mentions(CHEF)}
    assert {"chef", "italian", "butchery", "catering"} <= found  # the gazetteer's homographs are there
    kept = set(_ids(CHEF, _UnsureNer(0.05), quiet_ratio=0.2))
    assert {"butchery", "catering"} <= kept
    assert "chef" not in kept and "italian" not in kept  # the DevOps tool and the language are not a chef's skills


@pytest.mark.skipif(not (ARTIFACTS / "ner" / "v1" / "hybrid.json").is_file(), reason="needs the trained tagger")
def test_make_train_serves_the_committed_quiet_rule() -> None:
    chosen = json.loads((REPO / "data" / "extraction" / "hybrid_selection.json").read_text("utf-8"))["params"]
    served = json.loads((ARTIFACTS / "ner" / "v1" / "hybrid.json").read_text("utf-8"))
    assert chosen["quiet_ratio"] is not None
    assert {k: served.get(k) for k in QUIET_KEYS} == {k: chosen.get(k) for k in QUIET_KEYS}


POSTING = (  # a job posting's headers are not a resume's: detect_sections reads them as "other"
    "HR Generalist\n"
    "What you will do\n"
    "- Own recruiting and onboarding for hourly roles.\n"
    "- Run bi-weekly payroll in ADP Workforce Now.\n"
    "Requirements\n"
    "- Hands-on experience with Workday.\n"
)


def _posting_ids(document: str) -> set[str]:
    gaz, catalog = _served()
    params = HybridParams(**{**STRICT, "quiet_ratio": 0.2})
    resp = extract_hybrid(POSTING, gaz, _UnsureNer(0.05), catalog, params=params, document=document)  # type: ignore[arg-type]
    return {str(s.skill_id) for s in resp.skills}


@pytest.mark.skipif(not (ARTIFACTS / "catalog" / "v1").is_dir(), reason="needs the trained artifacts")
def test_a_quiet_tagger_keeps_a_postings_work_field_hits_in_any_section() -> None:
    assert _posting_ids("resume") == set()  # as a resume: no section is a work or skills section
    kept = _posting_ids("posting")
    assert {"recruiting", "onboarding", "payroll", "adp-workforce-now", "workday"} <= kept
    assert "business-intelligence" not in kept  # "bi-weekly": a tech category, not kept by the rule
