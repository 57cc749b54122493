"""Gazetteer extractor v1 and the extraction pipeline: spans, punctuation, ambiguity, years, negation, sections."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from careerready.core.errors import InvalidInputError, NoExtractableTextError, PayloadTooLargeError
from careerready.models.extractor import GazetteerExtractor, load
from careerready.pipelines.extraction import extract_skills
from careerready.schemas.extraction import ExtractedSkill
from careerready.sections import detect_sections
from careerready.services.catalog import Catalog
from hypothesis import given, settings
from hypothesis import strategies as st

from training.models.gazetteer import compile_gazetteer

SKILLS = [
    {"id": "python", "name": "Python", "aliases": ["python3"], "type": "language", "category": "pl"},
    {"id": "go", "name": "Go", "aliases": ["golang"], "type": "language", "category": "pl", "ambiguous": True},
    {"id": "r", "name": "R", "aliases": ["r programming"], "type": "language", "category": "pl", "ambiguous": True},
    {"id": "c", "name": "C", "aliases": [], "type": "language", "category": "pl", "ambiguous": True},
    {"id": "c-plus-plus", "name": "C++", "aliases": ["cpp"], "type": "language", "category": "pl"},
    {"id": "c-sharp", "name": "C#", "aliases": ["csharp"], "type": "language", "category": "pl"},
    {"id": "dotnet", "name": ".NET", "aliases": ["dotnet"], "type": "tool", "category": "fw"},
    {"id": "asp-net", "name": "ASP.NET", "aliases": [], "type": "tool", "category": "fw"},
    {"id": "node-js", "name": "Node.js", "aliases": ["nodejs", "node"], "type": "tool", "category": "fw"},
    {"id": "ci-cd", "name": "CI/CD", "aliases": ["continuous integration"], "type": "hard", "category": "devops"},
    {"id": "kubernetes", "name": "Kubernetes", "aliases": ["k8s"], "type": "tool", "category": "containers"},
    {"id": "terraform", "name": "Terraform", "aliases": [], "type": "tool", "category": "iac"},
    {"id": "docker", "name": "Docker", "aliases": [], "type": "tool", "category": "containers"},
    {"id": "aws", "name": "AWS", "aliases": ["amazon web services"], "type": "tool", "category": "cloud"},
    {"id": "java", "name": "Java", "aliases": [], "type": "language", "category": "pl"},
    {"id": "javascript", "name": "JavaScript", "aliases": ["js"], "type": "language", "category": "pl"},
    {"id": "machine-learning", "name": "Machine Learning", "aliases": ["ml"], "type": "hard", "category": "ml"},
    {"id": "scikit-learn", "name": "scikit-learn", "aliases": ["sklearn"], "type": "tool", "category": "ml"},
    {"id": "spark", "name": "Apache Spark", "aliases": ["spark"], "type": "tool", "category": "de", "ambiguous": True},
    {"id": "sql", "name": "SQL", "aliases": [], "type": "language", "category": "db"},
    {
        "id": "communication",
        "name": "Communication",
        "aliases": ["communication skills"],
        "type": "soft",
        "category": "soft",
    },
]


@pytest.fixture(scope="module")
def extractor() -> GazetteerExtractor:
    return GazetteerExtractor.from_gazetteer(compile_gazetteer(SKILLS))


def by_id(skills: list[ExtractedSkill]) -> dict[str, ExtractedSkill]:
    return {s.skill_id: s for s in skills if s.skill_id}


def assert_spans_exact(text: str, skills: list[ExtractedSkill]) -> None:
    for s in skills:
        assert text[s.start : s.end] == s.text
        for m in s.mentions:
            assert text[m.start : m.end] == m.text


# ---- matching ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Languages: C++, C#, Java", {"c-plus-plus", "c-sharp", "java"}),
        ("Built ASP.NET apps and .NET Core services", {"asp-net", "dotnet"}),
        ("REST APIs in Node.js; set up CI/CD", {"node-js", "ci-cd"}),
        ("JavaScript developer", {"javascript"}),  # Java must not fire inside JavaScript
        ("Applied machine-learning with scikit-learn", {"machine-learning", "scikit-learn"}),
        ("Deployed to Amazon Web Services and k8s.", {"aws", "kubernetes"}),
        ("PYTHON, DOCKER", {"python", "docker"}),
    ],
)
def test_punctuation_and_longest_match(extractor: GazetteerExtractor, text: str, expected: set[str]) -> None:
    skills = extractor.extract(text)
    assert set(by_id(skills)) == expected
    assert_spans_exact(text, skills)


def test_surfaces_are_exact(extractor: GazetteerExtractor) -> None:
    text = "Tools: C++ , .NET, Node.js and CI/CD; machine\nlearning"
    got = {s.skill_id: s.text for s in extractor.extract(text)}
    assert got == {
        "c-plus-plus": "C++",
        "dotnet": ".NET",
        "node-js": "Node.js",
        "ci-cd": "CI/CD",
        "machine-learning": "machine\nlearning",
    }


def test_ambiguous_go_r_c_need_context(extractor: GazetteerExtractor) -> None:
    ids = set(by_id(extractor.extract("Let's go. Go to market plan. We go far. Plan C. R&D lab. Grade C.")))
    assert ids.isdisjoint({"go", "r", "c"})
    ids = set(by_id(extractor.extract("Senior Go developer. Statistics in R. Firmware written in C.")))
    assert {"go", "r", "c"} <= ids
    ids = set(by_id(extractor.extract("Python, R, SQL")))  # list neighbour of unambiguous skills
    assert ids == {"python", "r", "sql"}
    text = "Summary\nHello\nSkills\nGO\nR\n"  # a skills section is context enough
    assert {"go", "r"} <= set(by_id(extractor.extract(text)))
    assert "go" not in by_id(extractor.extract("in go we trust"))  # lower-case 'go' never matches


def test_ambiguous_long_word_capitalised_mid_sentence(extractor: GazetteerExtractor) -> None:
    assert "spark" in by_id(extractor.extract("Built batch jobs on Spark for reporting"))
    assert "spark" not in by_id(extractor.extract("Spark joy in every team."))  # sentence start, no cue
    assert "spark" not in by_id(extractor.extract("a spark of creativity"))


# ---- years & negation -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "skill", "years"),
    [
        ("5 years of Python", "python", 5.0),
        ("Python (3 years)", "python", 3.0),
        ("3+ yrs AWS", "aws", 3.0),
        ("over 4 years experience in Java", "java", 4.0),
        ("two years of professional experience with Docker", "docker", 2.0),
        ("C++ (Less than 1 year), SQL", "c-plus-plus", 0.5),
        ("SQL - 6 years", "sql", 6.0),
        ("18 months of Kubernetes", "kubernetes", 1.5),
    ],
)
def test_years(extractor: GazetteerExtractor, text: str, skill: str, years: float) -> None:
    assert by_id(extractor.extract(text))[skill].years == years


def test_years_do_not_leak_to_next_list_item(extractor: GazetteerExtractor) -> None:
    got = by_id(extractor.extract("Python (3 years), Docker, SQL - 6 years, Java"))
    assert (got["python"].years, got["docker"].years, got["sql"].years, got["java"].years) == (3.0, None, 6.0, None)
    got = by_id(extractor.extract("Worked 5 years at Acme. Python expert."))
    assert got["python"].years is None


@pytest.mark.parametrize(
    ("text", "negated", "positive"),
    [
        ("No Kubernetes experience.", {"kubernetes"}, set()),
        ("I am not familiar with Terraform.", {"terraform"}, set()),
        ("Shipped services without Docker, using Python.", {"docker"}, {"python"}),
        (
            "Strong Python and Java, but no experience with Kubernetes, Docker or Terraform.",
            {"kubernetes", "docker", "terraform"},
            {"python", "java"},
        ),
        ("Not only Python but also Java.", set(), {"python", "java"}),
        ("Kubernetes: none", {"kubernetes"}, set()),
        ("Not yet hands-on with Kubernetes or Terraform.", {"kubernetes", "terraform"}, set()),
    ],
)
def test_negation(extractor: GazetteerExtractor, text: str, negated: set[str], positive: set[str]) -> None:
    got = by_id(extractor.extract(text))
    assert {k for k, s in got.items() if s.negated} == negated
    assert {k for k, s in got.items() if not s.negated} == positive


def test_dedupe_keeps_every_mention(extractor: GazetteerExtractor) -> None:
    text = "No Python at school.\nExperience\nWrote Python daily; python3 (4 years) scripts."
    py = by_id(extractor.extract(text))["python"]
    assert py.mention_count == 3 and [m.text for m in py.mentions] == ["Python", "Python", "python3"]
    assert py.text == "Python" and py.start == text.index("Python daily")  # primary = first non-negated
    assert not py.negated and py.mentions[0].negated
    assert py.years == 4.0 and py.section == "experience"
    assert py.sentence == "Wrote Python daily; python3 (4 years) scripts."


def test_confidence_orders_evidence(extractor: GazetteerExtractor) -> None:
    got = by_id(extractor.extract("Skills\nPython, Python, Python, SQL\nSpark jobs in Scala, R programming"))
    assert got["python"].confidence > got["sql"].confidence > got["spark"].confidence
    assert all(0 < s.confidence <= 0.99 for s in got.values())


# ---- sections ----------------------------------------------------------------------------------------------
def test_sections_in_many_styles() -> None:
    text = (
        "Jane Doe\n## Professional Summary\nBackend dev.\nWORK EXPERIENCE\nAcme\nExperience in Oracle.\n"
        "Technical Skills: Python, SQL\nE D U C A T I O N\nB.Sc.\nLicenses & Certifications:\nAWS SA\n"
        "1. Projects\nA bot\nHOBBIES\nchess\n"
    )
    secs = detect_sections(text)
    assert [s.name for s in secs] == [
        "other",
        "summary",
        "experience",
        "skills",
        "education",
        "certifications",
        "projects",
        "other",
    ]
    assert secs[0].start == 0 and secs[-1].end == len(text)
    assert all(a.end == b.start for a, b in zip(secs, secs[1:], strict=False))
    assert secs[2].header == "WORK EXPERIENCE"


def test_mention_sections(extractor: GazetteerExtractor) -> None:
    text = "SKILLS\nPython\n\nEXPERIENCE\nUsed Docker\n\nEDUCATION\nML course\n"
    got = by_id(extractor.extract(text))
    assert (got["python"].section, got["docker"].section, got["machine-learning"].section) == (
        "skills",
        "experience",
        "education",
    )


# ---- robustness ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "\x00\x01\x02\ufffd\ud800 binary \xff\xfe Python",
        "Ｐｙｔｈｏｎ and ＳＱＬ full-width",
        "😀🚀 C++ 🐍 Python 中文 简历 العربية",
        "C" * 5000,
        "+++###...///&&&'''",
        "Python" * 200,
    ],
)
def test_never_crashes_and_spans_exact(extractor: GazetteerExtractor, text: str) -> None:
    skills = extractor.extract(text)
    assert_spans_exact(text, skills)


def test_fullwidth_is_matched(extractor: GazetteerExtractor) -> None:
    text = "Ｐｙｔｈｏｎ developer"
    got = by_id(extractor.extract(text))
    assert got["python"].text == "Ｐｙｔｈｏｎ"


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Python",
                "C++",
                "C#",
                ".NET",
                "Node.js",
                "CI/CD",
                "Go",
                "R",
                "no",
                "years",
                "5",
                "(",
                ")",
                ",",
                "\n",
                "SKILLS",
                "in",
                "developer",
                "é",
                "\x00",
                " ",
                "-",
                "Java",
                "JavaScript",
                "k8s",
                "of",
            ]
        )
        | st.text(max_size=6),
        max_size=40,
    )
)
def test_property_spans_always_index_input(words: list[str]) -> None:
    ext = _shared_extractor()
    text = " ".join(words)
    skills = ext.extract(text)
    assert_spans_exact(text, skills)
    assert len({s.skill_id for s in skills}) == len(skills)
    assert ext.extract(text) == skills  # deterministic


_CACHE: dict[str, GazetteerExtractor] = {}


def _shared_extractor() -> GazetteerExtractor:
    if "x" not in _CACHE:
        _CACHE["x"] = GazetteerExtractor.from_gazetteer(compile_gazetteer(SKILLS))
    return _CACHE["x"]


# ---- artifact + pipeline ----------------------------------------------------------------------------------
def test_load_from_artifact_dir(tmp_path: Path) -> None:
    (tmp_path / "gazetteer.json").write_text(json.dumps(compile_gazetteer(SKILLS)))
    ext = load(tmp_path)
    assert [s.skill_id for s in ext.extract("C# and Go developer")] == ["c-sharp", "go"]


def test_compile_flags_ambiguity_and_conflicts() -> None:
    gaz = compile_gazetteer(
        [*SKILLS, {"id": "golang-2", "name": "Golang", "aliases": [], "type": "tool", "category": "x"}]
    )
    entries = {e["key"]: e for e in gaz["entries"]}
    assert entries["go"]["needs_context"] and entries["go"]["case_sensitive"] and entries["go"]["forms"] == ["Go"]
    assert entries["r"]["needs_context"] and entries["c"]["needs_context"]
    assert not entries["python"]["case_sensitive"] and not entries["python"]["needs_context"]
    assert entries["c++"]["tokens"] == ["c", "+", "+"] and entries["c++"]["glue"] == [0, 1, 1]
    assert gaz["conflicts"] == {"golang": ["go", "golang-2"]}
    assert entries["golang"]["skill_id"] == "golang-2" and entries["golang"]["shared"]  # the skill named so wins


def _catalog() -> Catalog:
    from careerready.services.catalog import Skill

    skills = {
        d["id"]: Skill(
            id=d["id"],
            name=d["name"].upper(),
            aliases=tuple(d["aliases"]),
            type=d["type"],
            category="from-catalog",
            prerequisites=(),
            learning_hours=10,
            demand=0.5,
        )
        for d in SKILLS
        if d["id"] != "docker"
    }
    return Catalog(skills=skills)


def test_pipeline_response(extractor: GazetteerExtractor) -> None:
    text = "Summary\nPython and Docker engineer.\nSkills: SQL"
    resp = extract_skills(text, extractor, _catalog(), max_chars=1000)
    got = by_id(resp.skills)
    assert set(got) == {"python", "sql"}  # docker is not in this catalog: dropped
    assert got["python"].name == "PYTHON" and got["python"].category == "from-catalog"
    assert resp.word_count == 7
    assert [s.name for s in resp.sections] == ["summary", "skills"]
    json.loads(resp.model_dump_json())


def test_pipeline_validation(extractor: GazetteerExtractor) -> None:
    with pytest.raises(NoExtractableTextError):
        extract_skills("  \n ", extractor, max_chars=100)
    with pytest.raises(NoExtractableTextError):
        extract_skills("\x00\x00 ... ---", extractor, max_chars=100)
    with pytest.raises(PayloadTooLargeError, match="101 characters; the limit is 100"):
        extract_skills("a" * 101, extractor, max_chars=100)
    with pytest.raises(InvalidInputError):
        extract_skills(b"bytes", extractor, max_chars=100)  # type: ignore[arg-type]


def test_pipeline_uses_settings_limit(
    extractor: GazetteerExtractor, monkeypatch: pytest.MonkeyPatch, fresh_settings: None
) -> None:
    monkeypatch.setenv("CAREERREADY_MAX_TEXT_CHARS", "10")
    with pytest.raises(PayloadTooLargeError):
        extract_skills("Python and SQL", extractor)


def test_urls_emails_headers_and_labels_are_not_skills() -> None:
    skills = [
        *SKILLS,
        {"id": "http", "name": "HTTP", "aliases": ["https"], "type": "hard", "category": "web"},
        {"id": "operating-systems", "name": "Operating Systems", "aliases": [], "type": "hard", "category": "os"},
        {"id": "less", "name": "Less", "aliases": [], "type": "tool", "category": "css"},
    ]
    ext = GazetteerExtractor.from_gazetteer(compile_gazetteer(skills))
    text = (
        "See https://github.com/me/python-tools and mail java@sql.io\nSQL\nPython\n"
        "Operating Systems: Linux\nC++ (Less than 1 year)\nDesigned operating systems for HTTP servers."
    )
    got = {s.skill_id: s for s in ext.extract(text)}
    assert set(got) == {"sql", "python", "c-plus-plus", "operating-systems", "http"}
    assert got["python"].start == text.index("Python")  # not inside the URL
    assert got["operating-systems"].text == "operating systems"  # the prose mention, not the "Label:" one
    assert got["c-plus-plus"].years == 0.5


def test_initials_and_care_of_are_not_c(extractor: GazetteerExtractor) -> None:
    text = "SKILLS\nJava, C, Python\nReferences: F. C. Blumberg, C/o John"
    c = by_id(extractor.extract(text))["c"]
    assert c.mention_count == 1 and c.start == text.index("C,")


def test_header_line_is_not_a_mention() -> None:
    skills = [*SKILLS, {"id": "tech", "name": "Technical Skills", "aliases": [], "type": "soft", "category": "x"}]
    ext = GazetteerExtractor.from_gazetteer(compile_gazetteer(skills))
    got = by_id(ext.extract("TECHNICAL SKILLS\nPython\nTechnical Skills: SQL"))
    assert set(got) == {"python", "sql"}
