"""Property tests: extraction and the whole analysis never crash on arbitrary text, and spans index the input."""

from __future__ import annotations

from typing import Any

import pytest
from careerready.core.errors import CareerReadyError
from careerready.pipelines.extraction import extract_skills
from careerready.services.analysis import analyze
from careerready.services.transport import InProcessTransport
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hardening._support import real_artifacts_ready, serving_models

FIXTURE = serving_models.fixture_models()
ALIASES = sorted({a for s in FIXTURE.catalog.skills.values() for a in [s.name, *s.aliases]})[:200]
HEADERS = ["Skills", "EXPERIENCE", "Education:", "Summary", "Projects", "Certifications"]
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))

# resume-like text: skill aliases, headers, years, negations and arbitrary unicode glued by odd separators
_piece = st.one_of(
    st.sampled_from(ALIASES),
    st.sampled_from(HEADERS),
    st.sampled_from(["5 years of", "no experience with", "(3+ yrs)", "C#", "C++", ".NET", "node.js", "k8s"]),
    st.text(max_size=12),
)
_sep = st.sampled_from([" ", ", ", "\n", "\n\n", "\t", " | ", "\u00a0", "\u2028", "/", "\r\n", "•"])
resume_like = st.lists(st.tuples(_piece, _sep), max_size=40).map(lambda ps: "".join(p + s for p, s in ps))
binary_looking = st.binary(max_size=300).map(lambda b: b.decode("latin-1"))
any_text = st.one_of(st.text(), resume_like, binary_looking, st.just(""), st.just(" \n\t "))


def _extractors() -> list[Any]:
    out: list[Any] = [pytest.param(FIXTURE, id="fixture")]
    if real_artifacts_ready():
        out.append(pytest.param("real", id="real"))
    return out


def _models(which: Any) -> Any:
    return serving_models.real_models_for("extract") if which == "real" else FIXTURE


def assert_spans_index_text(text: str, response: Any) -> None:
    """Every primary span and mention satisfies ``text[start:end] == surface``; sections tile the text."""
    for skill in response.skills:
        assert text[skill.start : skill.end] == skill.text, skill
        assert 0 <= skill.start < skill.end <= len(text)
        for m in skill.mentions:
            assert text[m.start : m.end] == m.text, m
    if response.sections:
        assert response.sections[0].start == 0 and response.sections[-1].end == len(text)
        for a, b in zip(response.sections, response.sections[1:], strict=False):
            assert a.end == b.start


@pytest.mark.parametrize("which", _extractors())
@SETTINGS
@given(text=any_text)
def test_extraction_never_crashes_and_spans_hold(which: Any, text: str) -> None:
    models = _models(which)
    try:
        response = extract_skills(text, models.extractor, models.catalog, max_chars=100_000)
    except CareerReadyError as exc:
        assert 400 <= exc.http_status < 500, exc  # domain rejection (empty, no letters), never a 5xx
        return
    assert_spans_index_text(text, response)


@pytest.mark.parametrize("which", _extractors())
@settings(max_examples=5, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(text=resume_like, repeat=st.integers(min_value=200, max_value=400))
def test_huge_text_spans_hold(which: Any, text: str, repeat: int) -> None:
    big = ((text or "Python") + "\n") * repeat
    big = big[:99_000]
    models = _models(which)
    try:
        response = extract_skills(big, models.extractor, models.catalog, max_chars=100_000)
    except CareerReadyError as exc:
        assert 400 <= exc.http_status < 500
        return
    assert_spans_index_text(big, response)


def test_over_limit_text_is_413_not_crash() -> None:
    with pytest.raises(CareerReadyError) as info:
        extract_skills("Python " * 20_000, FIXTURE.extractor, FIXTURE.catalog, max_chars=100_000)
    assert info.value.http_status == 413


@SETTINGS
@given(text=any_text, role=st.one_of(st.none(), st.text(max_size=30), st.sampled_from(sorted(FIXTURE.catalog.roles))))
def test_whole_analysis_never_crashes(text: str, role: str | None) -> None:
    client = InProcessTransport(serving_models.fixture_models_for)
    try:
        result = analyze(text, [role] if role is not None else None, client, catalog=FIXTURE.catalog)
    except CareerReadyError as exc:
        assert 400 <= exc.http_status < 500, exc
        return
    assert_spans_index_text(text, result)
    assert result.analyses, "a successful analysis covers at least one role"
    for a in result.analyses:
        assert 0.0 <= a.match.score <= 1.0
        assert abs(sum(a.readiness.probabilities.values()) - 1.0) < 1e-5  # rounded to 6 decimals
