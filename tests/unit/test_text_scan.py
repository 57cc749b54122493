"""``text.finditer_at`` with the start positions the extractor and the experience estimator list gives the same
matches as ``pattern.finditer`` (spans and groups), on real resumes, the samples and generated text that mixes
the patterns' own words with digits, years, separators and case-folding characters (``ſ``, the Kelvin sign).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest
from careerready.models import extractor as ex
from careerready.pipelines import experience as xp
from careerready.text import finditer_at
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[2]
DOTIN = REPO.parent / "shared" / "data" / "dotin-resume-ner" / "train.jsonl"

_STATEMENTS = (xp._STATEMENT_A, xp._STATEMENT_B, xp._STATEMENT_D, xp._STATEMENT_E)


def _words_of(*patterns: re.Pattern[str]) -> list[str]:
    return sorted({w for p in patterns for w in re.findall(r"[a-z]{2,}", p.pattern)})


WORDS = _words_of(*_STATEMENTS, xp._RANGE, ex._URL_RE) + [
    "Over",
    "MORE",
    "Five",
    "ſix",  # long s: IGNORECASE reads it as "six"
    "\u212aey",  # Kelvin sign: IGNORECASE reads it as "k"
    "2019",
    "1999",
    "202019",
    "3",
    "10",
    "5+",
    "03/2018",
    "Sept.",
    "jan,",
    "x@y.com",
    "https://a.io/b",
    "www.site.org",
    "site.com/page",
    "Python",
    "~",
    "Ünï",
]
# whole statements and ranges, repeated so that most generated texts hold some
PHRASES = [
    "5 years of experience",
    "over ten years",
    "3+ yrs",
    "Over 7 years",
    "18 months",
    "2 years 4 months of",
    "approx. 4 years",
    "~ 6 years in the industry",
    "6 years of work",
    "10 years as an",
    "Jan 2019 - Present",
    "2004-2007",
] * 6
SEPARATORS = [" ", "  ", "\n", ", ", ". ", "\t", " - ", " – ", "/", "\u00a0", "(", ")", ":", "", "'"]


def _same(pattern: re.Pattern[str], text: str, starts: list[int]) -> None:
    want = [(m.span(), m.groups()) for m in pattern.finditer(text)]
    got = [(m.span(), m.groups()) for m in finditer_at(pattern, text, starts)]
    assert got == want, pattern.pattern[:60]


def _check(text: str) -> None:
    quantity = xp._quantity_starts(text)
    for pattern in _STATEMENTS:
        _same(pattern, text, quantity)
    _same(xp._RANGE, text, xp._range_starts(text))
    assert ex._url_spans(text) == [m.span() for m in ex._URL_RE.finditer(text)]


@cache
def _real_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "data" / "samples").glob("*.txt"))]
    if DOTIN.is_file():
        with DOTIN.open(encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for line in fh if line.strip()]
    return texts


def test_same_matches_on_real_resumes() -> None:
    texts = _real_texts()
    assert texts
    for text in texts:
        _check(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(WORDS + PHRASES), st.sampled_from(SEPARATORS)), min_size=1, max_size=60))
def test_same_matches_on_generated_text(parts: list[tuple[str, str]]) -> None:
    _check("".join(w + sep for w, sep in parts))


@pytest.mark.parametrize(
    "text",
    [
        "over 5 years of experience; ſix years in IT",
        "Jan 2019 - Present, 03/2017 – 12/2018, Sept.   2015 to 2016",
        "mail x.y+z@host.co.uk or https://example.com/a, www.site.org and site.io/x",
        "7+ yrs in IT~5 years as a Teacher, 202019 - 2020",
    ],
)
def test_same_matches_on_examples(text: str) -> None:
    _check(text)


def test_a_missing_start_is_a_missing_match() -> None:
    """The test above can fail: leaving a needed start out loses the match."""
    text = "Analyst with 5 years of experience."
    starts = [p for p in xp._quantity_starts(text) if p != text.index("5")]
    assert [m.span() for m in finditer_at(xp._STATEMENT_A, text, starts)] != [
        m.span() for m in xp._STATEMENT_A.finditer(text)
    ]
