"""The job-posting parser (sections, wording, years, title, alternatives) and the ad-hoc role built from a posting."""

from __future__ import annotations

import pytest
from careerready.core.errors import InvalidInputError
from careerready.pipelines.posting import LEVEL_WEIGHTS, OPTIONAL_WEIGHT, held_for_role, posting_role
from careerready.postings import optional_spans, parse_posting
from careerready.schemas.extraction import ExtractedSkill, SkillMention
from careerready.services.catalog import Catalog, Skill

POSTING = """Senior Data Engineer
Acme Foods | Remote

About us
We run Kubernetes clusters for 300 grocery stores.

What you'll do
- Build pipelines with Airflow.

Requirements
- 5+ years of experience in data engineering.
- Strong Python and SQL.
- A cloud warehouse (Snowflake, BigQuery or Redshift).
- Git is required, Scala preferred.
- Experience with Docker is a plus.

Nice to have
- Kafka.
- Must have Terraform.
- 8+ years of experience would be a plus.

Benefits
Health insurance and a Python course budget.
"""


def _level(p, word: str, nth: int = 0, text: str = POSTING) -> tuple[str, str]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return p.level_at(start, start + len(word))


def test_sections_tile_the_posting_and_carry_their_level() -> None:
    p = parse_posting(POSTING)
    assert [(s.header, s.level) for s in p.sections] == [
        (None, "mentioned"),
        ("About us", "context"),
        ("What you'll do", "mentioned"),
        ("Requirements", "required"),
        ("Nice to have", "preferred"),
        ("Benefits", "context"),
    ]
    assert p.sections[0].start == 0 and p.sections[-1].end == len(POSTING)
    assert all(a.end == b.start for a, b in zip(p.sections, p.sections[1:], strict=False))


def test_section_decides_without_wording() -> None:
    p = parse_posting(POSTING)
    assert _level(p, "Python") == ("required", "section 'Requirements'")
    assert _level(p, "Kafka") == ("preferred", "section 'Nice to have'")
    assert _level(p, "Airflow") == ("mentioned", "section 'What you'll do'")
    assert _level(p, "Kubernetes") == ("context", "section 'About us'")
    # context sections ignore wording: a Python course budget is not a requirement
    assert _level(p, "Python", nth=1)[0] == "context"


def test_wording_beats_section_and_the_nearest_cue_wins() -> None:
    p = parse_posting(POSTING)
    assert _level(p, "Docker") == ("preferred", "wording 'is a plus'")
    assert _level(p, "Git") == ("required", "wording 'is required'".replace("is ", ""))
    assert _level(p, "Scala") == ("preferred", "wording 'preferred'")
    assert _level(p, "Terraform") == ("required", "wording 'Must have'")


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("Familiarity with dbt.", "preferred"),
        ("dbt would be a plus.", "preferred"),
        ("dbt experience preferred.", "preferred"),
        ("Bonus: dbt.", "preferred"),
        ("dbt is required.", "required"),
        ("You must know dbt.", "required"),
        ("Work with dbt daily.", "mentioned"),
    ],
)
def test_wording_cues(line: str, level: str) -> None:
    text = f"Data Analyst\n\nResponsibilities\n{line}\n"
    start = text.index("dbt")
    assert parse_posting(text).level_at(start, start + 3)[0] == level


def test_expected_years_come_from_required_clauses_only() -> None:
    p = parse_posting(POSTING)
    assert p.min_years == 5.0
    assert [(s.years, s.level) for s in p.years_statements] == [(5.0, "required"), (8.0, "preferred")]
    assert parse_posting("Nurse\n\nQualifications\nMinimum of two years of acute care experience.").min_years == 2.0
    assert parse_posting("Dev\n\nRequirements\n3-5 years of professional experience").min_years == 3.0
    # a duration that is not experience, and no statement at all
    assert parse_posting("Dev\n\nBenefits\nA 2 year contract with a bonus.").min_years is None
    assert parse_posting("Dev\n\nRequirements\nPython.").min_years is None


def test_ideally_and_preferably_qualify_what_follows_them() -> None:
    """ "3+ years of HR experience, ideally in manufacturing": the years are asked, the manufacturing is preferred."""
    text = (
        "HR Generalist\n\nRequirements\n- 3+ years of HR generalist experience, ideally in manufacturing.\n"
        "- SQL, preferably PostgreSQL.\n- Ideally 8 years of retail experience.\n"
    )
    p = parse_posting(text)
    assert p.min_years == 3.0
    assert [(s.years, s.level) for s in p.years_statements] == [(3.0, "required"), (8.0, "preferred")]
    assert _level(p, "SQL", text=text) == ("required", "section 'Requirements'")
    assert _level(p, "PostgreSQL", text=text) == ("preferred", "wording 'preferably'")
    assert _level(p, "manufacturing", text=text) == ("preferred", "wording 'ideally'")


def test_title() -> None:
    assert parse_posting(POSTING).title == "Senior Data Engineer"
    assert parse_posting("Job title: Paralegal\nWe are hiring.").title == "Paralegal"
    assert parse_posting("We are hiring a great person to join our team.\nRequirements\nPython").title is None


def test_alternatives_and_examples_are_optional() -> None:
    text = "AWS (S3, Glue), Snowflake, BigQuery or Redshift; Docker and Kubernetes; CI/CD"
    words = ["AWS", "S3", "Glue", "Snowflake", "BigQuery", "Redshift", "Docker", "Kubernetes", "CI", "CD"]
    spans = [(text.index(w), text.index(w) + len(w)) for w in words]
    keys = [*words[:8], "ci-cd", "ci-cd"]
    got = optional_spans(text, spans, keys)
    assert got[1] == got[2] == "an example of AWS"
    assert got[3] == got[4] == got[5] == "one of Snowflake, BigQuery or Redshift"
    assert 0 not in got and 6 not in got and 7 not in got  # "and" lists are all required
    assert 8 not in got and 9 not in got  # "CI/CD" is one skill, not two alternatives


# ---- the ad-hoc role ------------------------------------------------------------------------------


def _skill(text: str, word: str, skill_id: str | None, nth: int = 0) -> ExtractedSkill:
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    end = start + len(word)
    mention = SkillMention(text=word, start=start, end=end, section="other")
    return ExtractedSkill(
        text=word,
        start=start,
        end=end,
        skill_id=skill_id,
        name=word if skill_id else None,
        confidence=0.9,
        section="other",
        sentence=word,
        mentions=[mention],
    )


def test_posting_role_weights_levels_and_keeps_unlinked_skills() -> None:
    skills = [
        _skill(POSTING, "Kubernetes", "kubernetes"),
        _skill(POSTING, "Airflow", "apache-airflow"),
        _skill(POSTING, "Python", "python"),
        _skill(POSTING, "SQL", "sql"),
        _skill(POSTING, "Snowflake", None),
        _skill(POSTING, "BigQuery", "google-bigquery"),
        _skill(POSTING, "Git", "git"),
        _skill(POSTING, "Scala", "scala"),
        _skill(POSTING, "Docker", "docker"),
        _skill(POSTING, "Kafka", "apache-kafka"),
    ]
    built = posting_role(POSTING, skills)
    role = {s.skill_id: (s.importance, s.critical) for s in built.role.skills}
    assert role["python"] == role["sql"] == role["git"] == LEVEL_WEIGHTS["required"] == (1.0, True)
    assert role["apache-airflow"] == LEVEL_WEIGHTS["mentioned"]
    assert role["docker"] == role["scala"] == role["apache-kafka"] == LEVEL_WEIGHTS["preferred"]
    # an alternative in the requirements: asked for, never critical on its own; unlinked kept with its text
    assert role["unlinked:snowflake"] == role["google-bigquery"] == (OPTIONAL_WEIGHT, False)
    assert "kubernetes" not in role  # only in "About us"
    profile = {s.role_skill_id: s for s in built.profile.skills}
    assert not profile["kubernetes"].used and profile["kubernetes"].level == "context"
    assert profile["unlinked:snowflake"].name == "Snowflake" and not profile["unlinked:snowflake"].linked
    assert built.role.min_years == 5.0 and built.role.title == "Senior Data Engineer"
    assert built.profile.required_count == 5 and built.profile.unlinked_count == 1
    assert built.role.id.startswith("posting-") and posting_role(POSTING, skills).role.id == built.role.id


def test_posting_with_no_usable_skill_is_422_naming_the_field() -> None:
    with pytest.raises(InvalidInputError) as exc:
        posting_role(POSTING, [])
    assert exc.value.details["field"] == "posting" and "no skill found" in exc.value.message
    with pytest.raises(InvalidInputError) as exc:
        posting_role(POSTING, [_skill(POSTING, "Kubernetes", "kubernetes")])
    assert exc.value.details["field"] == "posting" and "About us" in exc.value.message


def test_resume_holds_an_unlinked_posting_skill_by_its_text() -> None:
    catalog = Catalog(skills={"python": Skill("python", "Python", (), "language", "programming", (), 40, 0.9)})
    resume = "Python and Snowflake every day"
    skills = [_skill(resume, "Python", "python"), _skill(resume, "Snowflake", None)]
    held = held_for_role(skills, catalog, ["python", "unlinked:snowflake", "unlinked:relativity"])
    assert set(held) == {"python", "unlinked:snowflake"}
