"""Total years of experience: explicit statements first, else merged work date ranges, else None."""

from __future__ import annotations

from datetime import date

import pytest
from careerready.pipelines.experience import MAX_YEARS, estimate_years
from careerready.schemas.extraction import ExtractResponse, SectionInfo


def _sections(text: str, *parts: tuple[str, str]) -> list[SectionInfo]:
    """Sections tiling ``text``: each (name, header) starts at the header's first occurrence."""
    starts = [(text.index(header), name, header) for name, header in parts]
    out = [SectionInfo(name="other", start=0, end=starts[0][0])] if starts[0][0] else []
    for i, (start, name, header) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        out.append(SectionInfo(name=name, start=start, end=end, header=header))  # type: ignore[arg-type]
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Analyst with 5 years of experience in retail.", 5.0),
        ("Focused person with 2 years 10 months of experience in testing.", 2 + 10 / 12),
        ("7+ yrs in IT, mostly support.", 7.0),
        ("Over ten years of professional experience.", 10.0),
        ("Marketing leader with over 20 years  experience building teams.", 20.0),
        ("Total experience: 4.5 years", 4.5),
        ("Almost 8 years in publishing work, rising through the ranks.", 8.0),
        ("I have 1 year of professional experience.", 1.0),
        ("Twelve years' experience across the industry.", 12.0),
        ("3 years and 6 months of experience as a clerk.", 3.5),
    ],
)
def test_explicit_statements(text: str, expected: float) -> None:
    years, evidence = estimate_years(text)
    assert years == pytest.approx(expected, abs=0.01)
    used = [e for e in evidence if e.used]
    assert len(used) == 1 and used[0].kind == "statement"
    assert text[used[0].start : used[0].end] == used[0].text


def test_statement_takes_max_and_beats_ranges() -> None:
    text = "SUMMARY\n6 years of experience. Earlier: 4 years of experience in QA.\nEXPERIENCE\nClerk 2022 - 2024\n"
    secs = _sections(text, ("summary", "SUMMARY"), ("experience", "EXPERIENCE"))
    years, evidence = estimate_years(text, secs)
    assert years == 6.0
    assert [e.kind for e in evidence] == ["statement", "statement", "date_range"]
    assert [e.used for e in evidence] == [True, False, False]


def test_per_skill_statements_are_not_total() -> None:
    text = "5 years of Python. 3+ years experience with Docker. Over 4 years working with SQL."
    assert estimate_years(text) == (None, [])
    # "experience in <skill mention>" is per-skill when the skill spans are known
    t2 = "10 years' hands-on experience in stakeholder relations."
    s = t2.index("stakeholder")
    assert estimate_years(t2, skill_spans=[(s, s + 22)])[0] is None
    assert estimate_years(t2)[0] == 10.0  # without spans it reads as a total
    # "years OF experience in <skill>" states the total ("5+ years of experience in social media management")
    t3 = "Marketer with 5+ years of experience in social media management."
    s3 = t3.index("social")
    assert estimate_years(t3, skill_spans=[(s3, s3 + 23)])[0] == 5.0


def test_implausible_statement_dropped_and_range_total_capped() -> None:
    assert estimate_years("Over 60 years of experience.")[0] is None
    text = "EXPERIENCE\nKeeper 1950 - 1990\nWarden 1985 - 2020\n"
    years, _ = estimate_years(text, _sections(text, ("experience", "EXPERIENCE")))
    assert years == MAX_YEARS  # 70 merged years, capped


def test_date_ranges_month_forms_and_en_dash() -> None:
    text = "EXPERIENCE\nClerk | Acme | Jan 2017 – Mar 2020\nAssistant, Beta (06/2014 - 05/2015)\n"
    years, evidence = estimate_years(text, _sections(text, ("experience", "EXPERIENCE")))
    # Jan 2017..Mar 2020 inclusive = 39 months; Jun 2014..May 2015 inclusive = 12 months
    assert years == pytest.approx((39 + 12) / 12, abs=0.01)
    assert [(e.start_date, e.end_date) for e in evidence] == [("2017-01", "2020-03"), ("2014-06", "2015-05")]
    assert all(e.used and e.kind == "date_range" for e in evidence)


def test_overlapping_jobs_are_merged() -> None:
    text = "WORK HISTORY\nDay job 2010 - 2016\nEvening job 2012 - 2014\nConsulting 2015 - 2018\n"
    years, _ = estimate_years(text, _sections(text, ("experience", "WORK HISTORY")))
    assert years == 8.0  # union 2010..2018, not 6 + 2 + 3


def test_present_is_latest_year_in_document_not_wall_clock() -> None:
    text = "EXPERIENCE\nOperations Coordinator (2019 – present)\nAward in 2024\n"
    secs = _sections(text, ("experience", "EXPERIENCE"))
    years, evidence = estimate_years(text, secs)
    assert years == 5.0 and evidence[0].end_date == "present"
    assert estimate_years(text, secs, reference_year=2026)[0] == 7.0
    for word in ("Present", "current", "now", "till date", "to date"):
        t = f"EXPERIENCE\nClerk 2004 - {word}\nPromoted 2010\n"
        assert estimate_years(t, _sections(t, ("experience", "EXPERIENCE")))[0] == 6.0, word


def test_present_is_the_as_of_date_to_the_month_when_given() -> None:
    # a nurse whose current job's start is the latest year she writes: without as_of it counts nothing
    text = "EXPERIENCE\nCharge Nurse 2021 - Present\nStaff Nurse 2017 - 2021\nEDUCATION\nBSN 2013 - 2017\n"
    secs = _sections(text, ("experience", "EXPERIENCE"), ("education", "EDUCATION"))
    assert estimate_years(text, secs)[0] == 4.0
    years, evidence = estimate_years(text, secs, as_of=date(2026, 12, 3))
    assert years == pytest.approx(9 + 11 / 12, abs=0.01)  # 2017 to the start of December 2026
    assert [e.end_date for e in evidence] == ["present", "2021"] and all(e.used for e in evidence)
    # as_of wins over reference_year and over a later year the text names ("expected 2028")
    t2 = "EXPERIENCE\nTeaching Assistant Sep 2024 - current\nMEd expected 2028\n"
    s2 = _sections(t2, ("experience", "EXPERIENCE"))
    assert estimate_years(t2, s2)[0] == pytest.approx(4 - 8 / 12, abs=0.01)
    assert estimate_years(t2, s2, 2030, as_of=date(2026, 6, 30))[0] == pytest.approx(1 + 9 / 12, abs=0.01)
    # a job that starts after as_of is not taken (no negative or invented years)
    assert estimate_years(t2, s2, as_of=date(2024, 1, 15))[0] is None


def test_present_without_any_year_reference_is_skipped() -> None:
    # the only year is the start itself: present = 2019 -> zero length -> no evidence of duration
    assert estimate_years("EXPERIENCE\nClerk 2019 - present\n", reference_year=None)[0] is None


def test_education_ranges_do_not_count() -> None:
    text = "EXPERIENCE\nTeller, Bank 2016 - 2019\n\nEDUCATION\nB.Sc. Economics, State University 2012 - 2016\n"
    secs = _sections(text, ("experience", "EXPERIENCE"), ("education", "EDUCATION"))
    years, evidence = estimate_years(text, secs)
    assert years == 3.0 and len(evidence) == 1
    # no sections known (e.g. flattened text): school/degree words next to a range exclude it
    flat = "Teller, Bank  2016 - 2019  Education  B.Sc. Economics, State University 2012 - 2016"
    assert estimate_years(flat)[0] == 3.0
    # ranges in other sections (projects) don't count when an experience section exists
    t2 = "EXPERIENCE\nClerk 2020 - 2021\nPROJECTS\nGarden app 2010 - 2019\n"
    assert estimate_years(t2, _sections(t2, ("experience", "EXPERIENCE"), ("projects", "PROJECTS")))[0] == 1.0


def test_no_evidence_returns_none() -> None:
    assert estimate_years("Graduate looking for a first analyst role. Skills: Excel, SQL.") == (None, [])
    assert estimate_years("Cleaned up 3 years of outdated reports; grew revenue 34% in 2 years.")[0] is None


def test_deterministic_and_evidence_spans() -> None:
    text = "SUMMARY\nCoordinator.\nEXPERIENCE\nOps Coordinator, Acme (Feb 2019 – present)\nClerk 2015-2018\nSeen 2023\n"
    secs = _sections(text, ("summary", "SUMMARY"), ("experience", "EXPERIENCE"))
    first = estimate_years(text, secs)
    assert all(estimate_years(text, secs) == first for _ in range(3))
    years, evidence = first
    assert years == pytest.approx((2023 - (2019 + 1 / 12)) + 3, abs=0.01)
    for e in evidence:
        assert text[e.start : e.end] == e.text and e.section == "experience"


def test_schema_defaults_keep_old_payloads_valid() -> None:
    old = ExtractResponse.model_validate({"skills": [], "sections": [], "word_count": 3})
    assert old.years_experience is None and old.experience_evidence == []
    _, evidence = estimate_years("5 years of experience.")
    new = ExtractResponse(years_experience=5.0, experience_evidence=evidence)
    again = ExtractResponse.model_validate(new.model_dump(mode="json"))
    assert again.experience_evidence[0].years == 5.0 and again.experience_evidence[0].used


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # real dotin / Indeed forms (issue 16)
        ("Experience - 24 months", 2.0),
        ("Exprience - Less than 1 year months", 0.5),
        ("Years of Experience: 2 Years and 4 Months", 2 + 4 / 12),
        ("Total Experience: 12 years 6 months.", 12.5),
        ("Experience: 32 Years in India's biggest mill", 32.0),
        ("21 months of experience in ADFC as Phone Banker.", 1.75),
        ("Over 6 months hands-on experience in support", 0.5),
        ("A Dev-Test Professional with 8+ Yrs of exp looking for SDET Lead", 8.0),
        ("Having 4yrs. of solid work experience", 4.0),
        ("-Having 3+years of experience in developing Web apps", 3.0),
        ("Since March 2007, have 6 years plus of extensive hands on experience", 6.0),
        ("Almost 7 years as an art editor in a magazine", 7.0),
        ("Experiance: 3 years", 3.0),
    ],
)
def test_real_resume_statement_forms(text: str, expected: float) -> None:
    years, evidence = estimate_years(text, skill_spans=[])
    assert years == pytest.approx(expected, abs=0.01)
    used = [e for e in evidence if e.used]
    assert len(used) == 1 and text[used[0].start : used[0].end] == used[0].text


def test_free_words_before_experience_need_known_skill_spans() -> None:
    text = "Attorney with 5 years of securities law experience."
    assert estimate_years(text)[0] is None  # skill mentions unknown: could be "5 years of Python experience"
    assert estimate_years(text, skill_spans=[])[0] == 5.0
    t2 = "5 years of Python experience."
    s = t2.index("Python")
    assert estimate_years(t2, skill_spans=[(s, s + 6)])[0] is None  # a skill mention among the words: per skill


def test_indeed_skill_buckets_are_not_totals() -> None:
    text = "SKILLS\n\nAC (Less than 1 year), Allen Bradley (Less than 1 year), FANUC (Less than 1 year)\n"
    assert estimate_years(text, skill_spans=[])[0] is None
    assert estimate_years("excellence - 5 years", skill_spans=[])[0] is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a tenure stated with "for", in a sentence that says the person worked (session 15)
        ("Registered nurse. I worked as a nurse for 8 years on a busy surgical ward.", 8.0),
        ("Having worked as a paralegal for almost 5 years, I draft pleadings and manage discovery.", 5.0),
        ("I have taught English to primary pupils for more than 10 years.", 10.0),
        ("Worked as a line cook and then sous chef for six years in hotel kitchens.", 6.0),
        ("I have been a preschool teacher for the past 3 years.", 3.0),
        ("Working for 6 years with international aid organisations.", 6.0),
        ("I was for more than 10 years legal advisor to the ministry.", 10.0),
        # "<N> years worked as a <title>"
        ("June 2014 to Present  4 Years Worked as a pastry chef.", 4.0),
    ],
)
def test_tenure_statements(text: str, expected: float) -> None:
    years, evidence = estimate_years(text, skill_spans=[])
    assert years == pytest.approx(expected, abs=0.01)
    used = [e for e in evidence if e.used]
    assert len(used) == 1 and used[0].kind == "statement" and text[used[0].start : used[0].end] == used[0].text


@pytest.mark.parametrize(
    "text",
    [
        "Cared for 5 patients per shift on a surgical ward.",  # no unit of time
        "Worked night shifts for 2 weeks during the flu outbreak.",  # weeks
        "Worked for the county as a clerk for 11 months.",  # one job's months are not a total
        "Exceeded sales targets by 20% for 3 years straight.",  # no work lead in the sentence
        "Active member of the parish choir for seven years.",
        "Worked the night desk. Chaired the book club for 4 years.",  # the lead is in another sentence
        "Promoted to head chef after two years of employment.",  # a point in a career, not its length
        "Promoted to senior paralegal within 2 years of experience at the firm.",
    ],
)
def test_tenure_negatives(text: str) -> None:
    assert estimate_years(text, skill_spans=[])[0] is None


def test_tenure_followed_by_a_skill_is_per_skill() -> None:
    text = "I worked as a nurse for 8 years with Epic charting."
    s = text.index("Epic")
    assert estimate_years(text, skill_spans=[(s, s + 4)])[0] is None
    assert estimate_years(text, skill_spans=[])[0] == 8.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # no sections known (dotin's flattened text): schools employ teachers, lecturers and counsellors
        ("English Teacher, Castle View School, Sunderland  2004 - 2010  Lesson planning", 6.0),
        ("Associate Professor, Wichita State University  2007  2015  Taught counselling", 8.0),
        ("School Nurse, Lincoln High School  2012 - 2018", 6.0),
        ("Sales Director, Acme Corp, Boston, MA  2010 - 2014", 4.0),  # "MA" is a state here, not a degree
        # study: a degree, or an institution without a job title
        ("Oxford Brookes  BA English Studies and Marketing  1998 - 2001", None),
        ("Greenfield High School, Springfield  2008 - 2012", None),
        ("Nuneaton University  BSc (Hons) Sales Management  2008 - 2011", None),
        ("Coventry Central College  A levels: Maths, English  2005 - 2008", None),
    ],
)
def test_education_or_job_at_a_school(text: str, expected: float | None) -> None:
    assert estimate_years(text)[0] == expected


def test_reversed_range_gives_way_to_the_range_inside_it() -> None:
    # dotin lost the dash of "Since 2013 – Apr 2012 - Nov 2013": "2013  Apr 2012" ends before it starts
    text = "Marketing Assistant  Since 2013  Apr 2012 - Nov 2013  Promoted twice"
    years, evidence = estimate_years(text)
    assert years == pytest.approx((2013 + 11 / 12) - (2012 + 3 / 12), abs=0.01)
    assert [e.text for e in evidence] == ["Apr 2012 - Nov 2013"]
    # a range written backwards is not read from the middle of its first date ("2023 – Feb 2023")
    assert estimate_years("Engineer | Pioneerwind Ltd | Nov 2023 – Feb 2023\n") == (None, [])


def test_for_starts_find_every_match_of_the_tenure_pattern() -> None:
    from careerready.pipelines import experience as ex
    from careerready.text import finditer_at

    texts = [
        "Worked for 3 years. FOR 2 yrs. Format for 5 years; before 4 years, _for 6 years",
        "İstanbul: worked as a nurse for 8 years, ſerved For two years",  # lower() changes the length here
    ]
    for text in texts:
        fast = [m.span() for m in finditer_at(ex._STATEMENT_F, text, ex._for_starts(text))]
        assert fast == [m.span() for m in ex._STATEMENT_F.finditer(text)] and fast
    for text in [
        "Nurse with 6 years caring. WITH 2 yrs teaching; without 4 years doing, _with 3 years helping",
        "İstanbul nurse with 8 years caring, ſerved With two years working",  # lower() changes the length here
    ]:
        fast = [m.span() for m in finditer_at(ex._STATEMENT_G, text, ex._word_starts(text, "with", ex._WITH_AT))]
        assert fast == [m.span() for m in ex._STATEMENT_G.finditer(text)] and fast


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mathematics teacher with 8 years in public high schools. Mathematics Teacher, 2018 - present", 8.0),
        ("Registered nurse with 6 years in acute-care hospitals.", 6.0),
        ("Paralegal, 5 years in law firms.", 5.0),
        ("Line cook: 4 years in busy restaurants and kitchens.", 4.0),
    ],
)
def test_years_in_a_workplace_are_a_total(text: str, expected: float) -> None:
    """ "N years in <workplaces>" states a career's length, as "N years in the industry" does (the teacher sample
    read "8 years in public high schools" as nothing and fell back to 2016-2018 = 2 years)."""
    years, evidence = estimate_years(text)
    assert years == expected
    assert evidence[0].kind == "statement"


def test_years_in_a_skill_are_not_a_total() -> None:
    assert estimate_years("3 years in Python projects")[0] is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Paralegal with 5 years supporting civil litigation teams. Litigation Paralegal, 2020 - present", 5.0),
        ("Nurse with 6 years caring for cardiac patients.", 6.0),
        ("Teacher with over 10 years teaching mathematics.", 10.0),
        ("Developer with 3 years of Java.", None),  # per skill: left to the other patterns
        ("Analyst with 4 years using Excel.", None),  # "using" names a tool, not the work
        ("Graduated with 2 years remaining on the scholarship.", None),
    ],
)
def test_with_n_years_doing_is_a_total(text: str, expected: float | None) -> None:
    """ "<title> with N years <doing>" states a career's length (the paralegal sample was read as 1 year)."""
    assert estimate_years(text)[0] == expected
