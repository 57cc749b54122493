"""Gazetteer precision (issue 12): acronyms a name defines in place, brand names among ESCO alt labels, and the
error breakdown of ``training.extractor.errors``."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from careerready.models.extractor import acronym_expansion

from training.models.train_extractor_v1 import DEFAULT_EVAL

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts"
needs_artifacts = pytest.mark.skipif(
    not (ARTIFACTS / "extractor" / "v1").is_dir(), reason="needs the trained artifacts (make train)"
)


@pytest.mark.parametrize(
    ("text", "acronym", "expansion"),
    [
        ("Canada Pacific Railways (CPR)", "CPR", "Canada Pacific Railways"),
        ("at the Project Management Institute (PMI) chapter", "PMI", "Project Management Institute"),
        ("Department of Motor Vehicles (DMV)", "DMV", "Department of Motor Vehicles"),
        ("BLS and CPR (CPR) certified", "CPR", None),  # the words before do not spell it
        ("Canada Pacific Railways CPR", "CPR", None),  # no parentheses
        ("Canada Pacific\nRailways (CPR)", "CPR", None),  # the name must be on the acronym's line
    ],
)
def test_acronym_expansion(text: str, acronym: str, expansion: str | None) -> None:
    i = text.rindex(acronym)
    span = acronym_expansion(text, i, i + len(acronym))
    assert (text[span[0] : span[1]] if span else None) == expansion


@cache
def _gazetteer() -> Any:
    from careerready.models import extractor as gaz_mod

    return gaz_mod.load(ARTIFACTS / "extractor" / "v1")


@needs_artifacts
def test_an_acronym_of_a_company_is_not_a_skill_but_one_of_a_skill_is() -> None:
    gaz = _gazetteer()

    def ids(text: str) -> set[str]:
        return {m.skill_id for m in gaz.find_mentions(text)}

    assert "first-aid-cpr" not in ids("Signal engineer, Canada Pacific Railways (CPR), 2015-2019.")
    assert "first-aid-cpr" in ids("Certified in Cardiopulmonary Resuscitation (CPR) since 2015.")
    assert "first-aid-cpr" in ids("Certifications: BLS, CPR certified.")
    assert "psm" not in ids("Master of Arts in Public Sector Management (PSM), 2012")
    # the name is the skill's own long form: a word of its name or aliases
    assert "mcse" in ids("Passed the Microsoft Certified Systems Engineer (MCSE) exams")
    assert "etl" in ids("The goal was to extract, transform and load (ETL) data from five systems.")


def test_esco_brands_are_not_aliases_of_a_concept(tmp_path: Path) -> None:
    from training.importers.esco import aliases_from_esco, is_brand

    assert is_brand("Google") and is_brand("HyperTalk")
    assert not is_brand("SQL") and not is_brand("web search engine") and not is_brand("search")
    (tmp_path / "digitalSkillsCollection_en.csv").write_text(
        "preferredLabel,altLabels\n"
        'search engines,"Google\nYahoo\nweb search engine"\n'
        'learning management systems,"TalentLMS\nlearning platform software"\n',
        encoding="utf-8",
    )
    index = {"search engines": "full-text-search", "learning management systems": "lms"}
    found, _ = aliases_from_esco(tmp_path, index, concept_ids={"full-text-search"})
    assert found["full-text-search"] == ["web search engine"]
    assert "TalentLMS" in found["lms"]  # a product of a tool skill is a fine alias


def test_observability_no_longer_claims_bare_telemetry() -> None:
    from careerready.text import normalize_alias

    from training.catalog.compiler import load_skills

    _, index, _ = load_skills(REPO / "data")
    assert index.get(normalize_alias("telemetry")) is None  # "telemetry unit" on a nurse's resume
    assert index[normalize_alias("telemetry data")] == "observability"
    assert index[normalize_alias("cardiac telemetry")] == "telemetry-monitoring"


class _Pred:
    def __init__(self, text: str, tagged: list[str]) -> None:
        self.spans = [(text.index(t), text.index(t) + len(t), 0.9) for t in tagged]

    def span_prob(self, start: int, end: int) -> float:
        return 0.0


class _Ner:
    hybrid_params = {"link_threshold": 1.01, "gazetteer_keep_prob": 0.5, "skills_section_keep_prob": 0.5}

    def __init__(self, tagged: list[str]) -> None:
        self.tagged = tagged

    def predict(self, text: str) -> _Pred:
        return _Pred(text, self.tagged)


@needs_artifacts
@pytest.mark.skipif(not DEFAULT_EVAL.is_file(), reason="the shared extraction metric is not beside the checkout")
def test_error_kinds() -> None:
    from careerready.services.catalog import Catalog

    from training.extractor.errors import analyse_resume
    from training.extractor.metric import metric_module

    text = "Experience\nBuilt Python tools at Acme Widgets; led quality reviews and hard working teams.\n"

    def gold(surface: str, label: str = "Job Specific Skills") -> dict[str, Any]:
        i = text.index(surface)
        return {"label": label, "start": i, "end": i + len(surface), "text": surface}

    spans = [gold("Python tools"), gold("hard working", "Soft Skills"), gold("Acme Widgets", "Companies worked at")]
    row: dict[str, Any] = {"id": "1", "text": text, "spans": spans}
    ner = _Ner(["Python", "Acme Widgets", "quality reviews"])
    m = metric_module(DEFAULT_EVAL)
    res = analyse_resume(
        row, _gazetteer(), ner, Catalog.load(ARTIFACTS / "catalog" / "v1"), {m.toks("quality reviews")}, m
    )
    fn = {x["text"]: x["kind"] for x in res["fn"]}
    fp = {x["text"]: x["kind"] for x in res["fp"]}
    assert res["tp_g"] == 1 and fn == {"hard working": "not in taxonomy"}  # "Python" matches "Python tools"
    assert fp == {"Acme Widgets": "inside Companies worked at", "quality reviews": "labelled elsewhere"}
