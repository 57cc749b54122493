"""The page at ``/`` in headless Chromium against the real API (trained models from a loopback moto S3).

Every assertion compares what the page shows with what the API answers for the same input, so nothing
here depends on particular model outputs. Screenshots land in docs/screenshots/ (committed).
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.browser.conftest import REPO, screenshot
from tests.documents import text_pdf

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.slow]

LABEL_TEXT = {
    "needs_upskilling": "Needs upskilling",
    "almost_ready": "Almost ready",
    "industry_ready": "Industry ready",
}
RESUME_LINES = [
    "Jane Doe",
    "Backend developer",
    "Summary",
    "Backend engineer with 6 years of experience building Python services.",
    "Skills",
    "Python, Django, Flask, PostgreSQL, SQL, Docker, Git, REST APIs, Redis, AWS, Linux",
    "Experience",
    "Senior Backend Engineer, Acme (2019-2025)",
    "- Built REST APIs in Python and Django on PostgreSQL; 6 years of Python.",
    "- Containerised services with Docker and deployed them on AWS.",
]
CAREER_CHANGER = (REPO / "data" / "samples" / "sara-career-changer.txt").read_text()


def _pick_role(page: Any, typed: str, shot: str | None = None) -> str:
    """Type into the role combobox, choose the first suggestion with the keyboard; returns the chosen title."""
    page.locator("#role-input").press_sequentially(typed, delay=20)
    # the suggestions for the whole typed text, not a reply to a prefix that landed while typing went on
    page.wait_for_selector(f"#role-options[data-query={typed!r}] #role-opt-0")
    if shot:
        screenshot(page, shot)
    title = page.locator("#role-opt-0 .opt-title").inner_text()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#chosen-roles li:has-text({title!r})")
    return title


def _role_id(api_base: str, title: str) -> str:
    roles = httpx.get(f"{api_base}/v1/roles", params={"q": title, "limit": 1}, timeout=30).json()["roles"]
    assert roles and roles[0]["title"] == title
    return str(roles[0]["id"])


def test_upload_pdf_pick_role_shows_label_gaps_and_highlighted_evidence(api_base: str, new_page: Any) -> None:
    pdf = text_pdf(RESUME_LINES)
    page, log = new_page(1280)
    page.goto(f"{api_base}/")
    page.set_input_files("#resume-file", files=[{"name": "jane-doe.pdf", "mimeType": "application/pdf", "buffer": pdf}])
    title = _pick_role(page, "backend")
    page.click("#analyze-button")
    page.wait_for_selector("#results-title")

    api = httpx.post(
        f"{api_base}/v1/analyze",
        files={"file": ("jane-doe.pdf", pdf, "application/pdf")},
        data={"roles": _role_id(api_base, title), "hours_per_week": "10", "include_text": "true"},
        timeout=120,
    ).json()
    analysis = api["analyses"][0]
    detail = page.locator(".role-detail").first
    assert detail.locator("summary .role-title").inner_text().startswith(analysis["role"]["title"])

    # the readiness label and its probabilities, as the API gave them
    assert detail.locator("summary .badge").inner_text() == LABEL_TEXT[analysis["readiness"]["label"]]
    chart_label = detail.locator("svg.chart.prob").get_attribute("aria-label") or ""
    for label, p in analysis["readiness"]["probabilities"].items():
        assert f"{LABEL_TEXT[label]} {round(100 * p)}%" in chart_label

    # the years of experience the analysis used, and the resume text they were read from
    used = "; ".join(e["text"] for e in api["experience_evidence"] if e["used"])
    assert used and page.locator("#experience-note").inner_text() == (
        f"Experience read from the resume: {api['years_experience']:g} years, from {used}."
    )

    # ranked gaps in the API's order, each with its reasons
    gaps = analysis["match"]["gaps"]
    assert gaps, "the sample resume should leave gaps for a backend role"
    top = detail.locator(".block > ol.gaps > li.gap")
    shown = top.locator(".gap-head strong").all_inner_texts()
    assert shown == [g["name"] for g in gaps][: len(shown)] and len(shown) == min(6, len(gaps))
    first_reasons = top.first.locator(".reasons li").all_inner_texts()
    assert first_reasons == gaps[0]["reasons"]

    # evidence: every highlighted span in the resume view is exactly text[start:end] of an extracted skill
    text = api["text"]
    spans = {(m["start"], m["end"]) for s in api["skills"] if s["skill_id"] for m in (s["mentions"] or [s])}
    marks = page.locator("#resume-text-view mark.ev")
    assert marks.count() > 0
    for i in range(marks.count()):
        mark_text = marks.nth(i).inner_text()
        assert any(text[a:b] == mark_text for a, b in spans), mark_text
    held = next(m for m in analysis["match"]["skills"] if m["status"] in ("exact", "alias"))
    show = page.get_by_role("button", name=f"Show {held['name']} in the resume", exact=True)
    row = detail.locator("table.skills tbody tr", has=show)  # `has` is relative to each row
    assert row.locator("th").first.inner_text().startswith(held["name"])
    assert row.locator("mark.ev").count() == 1  # the evidence snippet in the table
    row.get_by_role("button", name=f"Show {held['name']} in the resume", exact=True).click()
    active = page.locator("#resume-text-view mark.ev.active")
    assert active.count() >= 1
    assert page.evaluate("document.activeElement.classList.contains('active')")

    # the roadmap timeline has one entry per step
    assert detail.locator(".timeline > li").count() == len(analysis["roadmap"]["steps"])
    assert detail.locator("svg.chart.roadmap rect.seg").count() == len(analysis["roadmap"]["steps"])
    assert log.external() == [] and log.errors == []
    screenshot(page, "page-desktop-1280", full_page=True)


def test_bad_file_shows_the_api_error_text(api_base: str, new_page: Any) -> None:
    bogus = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    api = httpx.post(f"{api_base}/v1/analyze", files={"file": ("photo.png", bogus, "image/png")}, timeout=60)
    assert api.status_code in (415, 422)
    detail = api.json()["detail"]

    page, log = new_page(1280)
    page.goto(f"{api_base}/")
    page.set_input_files("#resume-file", files=[{"name": "photo.png", "mimeType": "image/png", "buffer": bogus}])
    page.click("#analyze-button")
    error = page.locator("#error")
    error.wait_for(state="visible")
    assert error.locator(".error-message").inner_text() == detail["message"]
    assert error.locator(".error-code").inner_text() == detail["code"]
    assert f"answered {api.status_code}" in error.inner_text()
    screenshot(page, "page-error-1280")
    assert page.locator("#results").inner_text() == ""
    # a blank paste is refused by the API too, and the page says it in the API's words
    page.check("input[value=text]")
    page.click("#analyze-button")
    same_as_page = {"text": "", "roles": [], "hours_per_week": 10, "include_text": True}
    blank = httpx.post(f"{api_base}/v1/analyze", json=same_as_page, timeout=60).json()["detail"]
    page.wait_for_function(
        "m => document.querySelector('#error .error-message')?.textContent === m", arg=blank["message"]
    )
    assert log.external() == []


def test_narrow_compare_two_roles_side_by_side_keyboard_only(api_base: str, new_page: Any) -> None:
    page, log = new_page(375, 800)
    page.goto(f"{api_base}/")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # API docs link
    for _ in range(6):  # to the source radios, then arrow keys switch to "Paste text"
        if page.evaluate("document.activeElement.name") == "source":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("ArrowRight")
    assert page.locator("input[value=text]").is_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "resume-text"
    page.keyboard.insert_text(CAREER_CHANGER)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "role-input"
    first = _pick_role(page, "project manager")
    second = _pick_role(page, "product manager", shot="page-narrow-375-typeahead")
    for _ in range(12):
        if page.evaluate("document.activeElement.id") == "analyze-button":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "analyze-button"
    page.keyboard.press("Enter")
    page.wait_for_selector("#compare-title")

    cards = page.locator(".compare-card h4").all_inner_texts()
    api = httpx.post(
        f"{api_base}/v1/analyze",
        json={"text": CAREER_CHANGER, "roles": [_role_id(api_base, first), _role_id(api_base, second)]},
        timeout=120,
    ).json()
    assert cards == [a["role"]["title"] for a in api["analyses"]]
    assert page.locator(".role-detail").count() == 2
    # nothing wider than the 375 px viewport (no horizontal scrolling)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert log.external() == [] and log.errors == []
    screenshot(page, "page-narrow-375-compare", full_page=True)


def test_no_role_suggests_the_closest_roles(api_base: str, new_page: Any) -> None:
    page, log = new_page(1280)
    page.goto(f"{api_base}/")
    page.check("input[value=text]")
    page.fill("#resume-text", "\n".join(RESUME_LINES))
    page.click("#analyze-button")
    page.wait_for_selector("#suggest-title")
    api = httpx.post(f"{api_base}/v1/analyze", json={"text": "\n".join(RESUME_LINES)}, timeout=120).json()
    shown = page.locator(".suggestions > li strong").all_inner_texts()
    assert shown == [r["title"] for r in api["closest_roles"]]
    # "add to compare" puts a suggestion into the role list
    page.locator(".suggestions > li").nth(1).get_by_role("button", name="add to compare").click()
    assert page.locator("#chosen-roles li").first.inner_text().startswith(api["closest_roles"][1]["title"])
    assert log.external() == [] and log.errors == []


@pytest.mark.parametrize("path", ["/v1/docs", "/v1/redoc"])
def test_docs_render_offline_without_csp_violations(api_base: str, new_page: Any, path: str) -> None:
    page, log = new_page(1280)
    page.goto(f"{api_base}{path}")
    if path == "/v1/docs":
        page.wait_for_selector(".swagger-ui .opblock-summary-path")
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        page.locator(".opblock-summary-path", has_text="/v1/analyze").click()  # expand: parameters, schemas
        page.wait_for_selector(".opblock-body")
    else:
        page.wait_for_selector("[data-section-id]")
        paths = [page.locator("body").inner_text()]
    assert any("/v1/analyze" in p for p in paths)
    page.wait_for_load_state("networkidle")
    assert log.external() == [], log.external()
    assert not [e for e in log.errors if re.search("Content Security Policy|Refused", e)], log.errors
    screenshot(page, f"docs-{path.rsplit('/', 1)[-1]}-1280")


def test_unknown_role_shows_the_api_error_and_offers_the_nearest_roles(api_base: str, new_page: Any) -> None:
    typed = "Data Sciencist of oceans"  # near the data-science titles of either catalog, resolves to none of them
    api = httpx.post(f"{api_base}/v1/analyze", json={"text": "\n".join(RESUME_LINES), "roles": [typed]}, timeout=60)
    assert api.status_code == 404
    detail = api.json()["detail"]

    page, log = new_page(1280)
    page.goto(f"{api_base}/")
    page.check("input[value=text]")
    page.fill("#resume-text", "\n".join(RESUME_LINES))
    page.locator("#role-input").press_sequentially(typed, delay=5)
    page.wait_for_selector("#role-options .option.empty")  # no catalog title matches: Enter keeps the text
    page.keyboard.press("Enter")
    page.click("#analyze-button")
    error = page.locator("#error")
    error.wait_for(state="visible")
    assert error.locator(".error-code").inner_text() == detail["code"] == "role_not_found"
    assert error.locator(".error-message").inner_text() == detail["message"]
    offered = error.get_by_role("button").all_inner_texts()
    assert offered == [n["title"] for n in detail["nearest"]]
    error.get_by_role("button", name=offered[0]).click()  # swaps the unknown title for the suggestion
    assert page.locator("#chosen-roles li span").all_inner_texts() == [offered[0]]
    assert log.external() == []


def test_pasted_job_posting_is_analysed_beside_the_resume(api_base: str, new_page: Any) -> None:
    posting = (REPO / "data" / "samples" / "postings" / "data-engineer.txt").read_text()
    api = httpx.post(
        f"{api_base}/v1/analyze", json={"text": "\n".join(RESUME_LINES), "posting": posting}, timeout=120
    ).json()

    page, log = new_page(1280)
    page.goto(f"{api_base}/")
    page.check("input[value=text]")
    page.fill("#resume-text", "\n".join(RESUME_LINES))
    page.fill("#posting-text", posting)
    page.click("#analyze-button")
    page.wait_for_selector("#posting-title")
    assert page.locator("#posting-title").inner_text() == "The job posting: " + api["posting"]["title"]
    required = [s["name"] for s in api["posting"]["skills"] if s["level"] == "required"]
    block = page.locator("section:has(#posting-title) .block").first
    assert block.locator("h4").inner_text() == f"Required ({len(required)})"
    assert block.locator("li strong").all_inner_texts() == required
    # the posting's closest catalog roles are offered as buttons that add them to the comparison
    section = page.locator("section:has(#posting-title)")
    offered = section.get_by_role("button").all_inner_texts()
    assert offered == [r["title"] for r in api["posting"]["closest_roles"][:3]]
    first = page.locator(".role-detail").first
    assert first.locator(".role-title").inner_text().startswith(api["analyses"][0]["role"]["title"])
    assert "read as a role of its own" in first.inner_text()
    assert log.external() == [] and log.errors == []
    screenshot(page, "page-job-posting-1280", full_page=True)


def test_a_role_with_no_curated_resource_says_so(api_base: str, new_page: Any) -> None:
    """The page shows what the API says for a nurse: her first resources (Open RN, OpenStax for her knowledge-area
    gaps since session 20), or, on a catalog without them (a checkout trained without O*NET), the API's note."""
    nurse = (REPO / "data" / "samples" / "grace-registered-nurse.txt").read_text()
    page, log = new_page(1280)
    page.goto(f"{api_base}/")
    page.check("input[value=text]")
    page.fill("#resume-text", nurse)
    page.click("#analyze-button")
    page.wait_for_selector("#suggest-title")
    api = httpx.post(f"{api_base}/v1/analyze", json={"text": nurse}, timeout=120).json()
    first = api["analyses"][0]
    if first["resources"]:
        assert first["resources_note"] is None
        assert (
            page.locator(".resources > li").first.locator("a, strong").first.inner_text()
            == (first["resources"][0]["title"])
        )
    else:
        assert first["roadmap"]["steps"] and first["resources_note"]
        assert page.locator(".resources-note").first.inner_text() == first["resources_note"]
    assert log.external() == [] and log.errors == []
