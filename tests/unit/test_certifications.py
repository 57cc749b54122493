"""Certifications and licences of every field are extracted and linked (issue 12 item 1), and the CV harness's
skill metric leaves them out (dotin labels them ``Degree``)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts"
needs_artifacts = pytest.mark.skipif(
    not (ARTIFACTS / "ner" / "v1" / "hybrid.json").is_file(),
    reason="needs the learned tagger (artifacts/ner/v1): make train builds it only with ../shared/data/dotin-resume-ner",
)


@cache
def _extract_models() -> Any:
    from careerready.core.config import Settings
    from careerready.services.startup import load_models

    return load_models("extract", settings=Settings.model_validate({"artifacts_dir": ARTIFACTS}))


def _certs(text: str) -> dict[str, str]:
    from careerready.schemas.extraction import ExtractRequest
    from careerready.services import stages

    resp = stages.extract(ExtractRequest(text=text), _extract_models())
    return {s.skill_id: s.text for s in resp.skills if s.type == "certification" and s.skill_id and not s.negated}


@needs_artifacts
def test_nurse_line_links_bls_acls_and_the_rn_license() -> None:
    got = _certs("BLS and ACLS certified, RN license (NY)")
    assert got == {"first-aid-cpr": "BLS", "acls": "ACLS certified", "rn-license": "RN license"}


@needs_artifacts
@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("Certifications: RN, BLS, ACLS, PALS, CPR", {"rn-license", "first-aid-cpr", "acls", "pals"}),
        ("Licensed Practical Nurse (LPN) and CNA, 2019", {"lpn-license", "cna"}),
        (
            "Certified Public Accountant (CPA), PMP, CompTIA Security+, Lean Six Sigma Green Belt",
            {"cpa", "pmp", "comptia-security-plus", "six-sigma-green-belt"},
        ),
        (
            "ServSafe Manager; forklift certification; OSHA 10",
            {"servsafe", "forklift-certification", "osha-certification"},
        ),
        ("Bar admission: New York, 2015. Notary Public.", {"bar-admission", "notary-public"}),
        ("Teaching certificate (grades 7-12), TESOL", {"teaching-license"}),
    ],
)
def test_certifications_of_every_field_are_linked(text: str, ids: set[str]) -> None:
    assert ids <= set(_certs(text))


@needs_artifacts
def test_common_words_are_not_certifications() -> None:
    assert _certs("Went hiking with my pals; the bar was closed.\nExperience\nServed drinks behind the bar.") == {}


def test_skill_metric_leaves_certifications_out_unless_asked() -> None:
    from careerready.schemas.extraction import ExtractedSkill, ExtractResponse

    from training.extractor.cv import hybrid_strings

    def skill(text: str, type_: str, negated: bool = False) -> ExtractedSkill:
        return ExtractedSkill(
            text=text,
            start=0,
            end=len(text),
            type=type_,
            confidence=0.9,
            section="other",
            sentence=text,
            negated=negated,
        )

    resp = ExtractResponse(
        skills=[skill("Python", "language"), skill("PMP", "certification"), skill("Go", "tool", True)]
    )
    assert hybrid_strings(resp) == ["Python"]
    assert hybrid_strings(resp, certifications=True) == ["Python", "PMP"]


@needs_artifacts
def test_a_credential_in_an_employers_name_is_not_held() -> None:
    """An employer named "Lakeview CPA Group" made an accountant a CPA: a certification followed on its line by an
    organisation's last word is the employer's trade; the same credential in a list ("CPA, PMP") is held."""
    assert "cpa" not in _certs("Staff Accountant, Lakeview CPA Group (2009 - 2010)\nPrepared tax returns.")
    assert "rn-license" not in _certs("Scheduler, RN Staffing Solutions Inc., 2018 - 2020")
    assert "cpa" in _certs("Certifications: CPA, PMP\nStaff Accountant, Lakeview CPA Group")


def test_organisation_name_reading() -> None:
    from careerready.models.extractor import in_organisation_name

    def at(text: str, word: str) -> bool:
        i = text.index(word)
        return in_organisation_name(text, i, i + len(word))

    assert at("Staff Accountant, Lakeview CPA Group (2009 - 2010)", "CPA")
    assert at("CPA Associates of Ohio, LLC", "CPA")
    for text, word in [
        ("Skills: CPA, PMP", "CPA"),  # a comma ends the name
        ("Licensed CPA with 10 years", "CPA"),  # not capitalised words
        ("CPA\nGroup leader", "CPA"),  # another line
        ("BLS and ACLS Certified Group Fitness Instructor", "ACLS"),  # the credential's own name
        ("CPA (Illinois), 2015", "CPA"),
    ]:
        assert not at(text, word), text
