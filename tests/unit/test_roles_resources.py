"""Authored role catalog and learning resources, checked through the compiled catalog.

The catalog is compiled from ``data/`` into a temporary folder with the real build module and
loaded with :meth:`careerready.services.catalog.Catalog.load`, so every check below runs on what
serving code actually sees (resolved skill ids, not the authored names).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlparse

import pytest
from careerready.services.catalog import Catalog
from careerready.text import normalize_alias

from training.catalog.build import build

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
SENTENCE_END = re.compile(r"[.!?](?:\s|$)")

REQUIRED_FAMILIES = {
    "software",
    "data-ml",
    "cloud-devops",
    "security",
    "qa",
    "mobile",
    "product-design",
    "analytics",
}
# Titles real resumes use; each must resolve to a role through its title or an alternative title.
REQUIRED_TITLES = [
    "Java Developer",
    ".NET Developer",
    "Python Developer",
    "Backend Developer",
    "Frontend Developer",
    "Full Stack Developer",
    "Android Developer",
    "iOS Developer",
    "Flutter Developer",
    "Mobile Developer",
    "Data Scientist",
    "ML Engineer",
    "MLOps Engineer",
    "Data Engineer",
    "ETL Developer",
    "Big Data Engineer",
    "Database Administrator",
    "BI Developer",
    "Business Analyst",
    "Data Analyst",
    "Manual Tester",
    "Test Automation Engineer",
    "DevOps Engineer",
    "SRE",
    "Cloud Engineer",
    "Cloud Architect",
    "Security Engineer",
    "Network Security Engineer",
    "Network Engineer",
    "SOC Analyst",
    "Web Designer",
    "UI Designer",
    "UX Designer",
    "Project Manager",
    "Program Manager",
    "Product Manager",
    "Scrum Master",
    "Blockchain Developer",
    "SAP FICO Consultant",
    "SAP ABAP Consultant",
    "ERP Consultant",
    "Salesforce Developer",
    "Embedded Engineer",
    "Systems Administrator",
    "Technical Support Engineer",
]
# Major skills that must offer a path from a beginner to an advanced resource.
PATH_SKILLS = [
    "Python",
    "Java",
    "JavaScript",
    "SQL",
    "Machine Learning",
    "Deep Learning",
    "Kubernetes",
    "Amazon Web Services",
    "Linux",
    "Data Structures and Algorithms",
    "Penetration Testing",
    "Cloud Architecture",
    "Statistics",
    "Networking Fundamentals",
]


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    out = tmp_path_factory.mktemp("catalog")
    manifest = build(DATA_DIR, out)  # raises CatalogBuildError on any unresolved reference
    assert manifest["counts"]["roles"] > 0
    return Catalog.load(out)


def test_roles_cover_required_families(catalog: Catalog) -> None:
    families = Counter(role.family for role in catalog.roles.values())
    assert len(catalog.roles) >= 40
    assert REQUIRED_FAMILIES <= set(families), REQUIRED_FAMILIES - set(families)
    assert all(families[f] >= 3 for f in REQUIRED_FAMILIES), families


@pytest.mark.parametrize("title", REQUIRED_TITLES)
def test_required_titles_resolve_to_a_role(catalog: Catalog, title: str) -> None:
    assert catalog.resolve_role(title) is not None, title


def test_titles_resolve_to_the_expected_role(catalog: Catalog) -> None:
    expected = {
        "Sr. SDE": "software-engineer",
        "SWE": "software-engineer",
        "DBA": "database-administrator",
        "SDET": "test-automation-engineer",
        "Site Reliability Engineer": "site-reliability-engineer",
        "React Native Developer": "cross-platform-mobile-developer",
        "Help Desk Technician": "technical-support-engineer",
        "SAP FI/CO Consultant": "sap-fico-consultant",
    }
    assert {t: catalog.resolve_role(t) for t in expected} == expected


def test_every_role_has_weighted_skills_and_critical_core(catalog: Catalog) -> None:
    for role in catalog.roles.values():
        ids = [s.skill_id for s in role.skills]
        critical = [s for s in role.skills if s.critical]
        assert 8 <= len(ids) <= 20, (role.id, len(ids))
        assert len(set(ids)) == len(ids), role.id  # two references must not collapse onto one skill
        assert 3 <= len(critical) <= 6, (role.id, len(critical))
        assert all(0.0 <= s.importance <= 1.0 for s in role.skills), role.id
        assert all(sid in catalog.skills for sid in ids), role.id
        # a critical skill weighs at least as much as the median non-critical one
        rest = sorted(s.importance for s in role.skills if not s.critical)
        assert min(s.importance for s in critical) >= rest[len(rest) // 2], role.id
        assert 5 <= len(role.alt_titles) <= 15, role.id
        assert 0 <= role.min_years <= 10, role.id
        assert 2 <= len(SENTENCE_END.findall(role.description)) <= 3, role.id


def test_roles_mix_skill_types(catalog: Catalog) -> None:
    for role in catalog.roles.values():
        types = {catalog.skills[s.skill_id].type for s in role.skills}
        assert "soft" in types, role.id
        assert types & {"tool", "language", "hard"}, role.id


def test_alt_titles_map_to_one_role(catalog: Catalog) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for role in catalog.roles.values():
        for title in (role.id, role.title, *role.alt_titles):
            owners[normalize_alias(title)].add(role.id)
    clashes = {t: sorted(r) for t, r in owners.items() if len(r) > 1}
    assert clashes == {}


def test_resources_ids_urls_and_fields(catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> None:
    resources = list(catalog.resources.values())
    assert len(resources) >= 300
    assert len({r.id for r in resources}) == len(resources)
    for r in resources:
        assert r.id.startswith("res-"), r.id
        url = urlparse(r.url)
        assert url.scheme == "https" and "." in url.netloc and " " not in r.url, (r.id, r.url)
        assert r.title and r.provider, r.id
        assert 1 <= len(r.skills) <= 5, r.id
        assert all(sid in catalog.skills for sid in r.skills), r.id
        assert r.level in {"beginner", "intermediate", "advanced"}, r.id
        assert 0 < r.hours <= 2000, r.id


def test_every_critical_skill_has_resources(catalog: Catalog) -> None:
    uncovered = {}
    for role in catalog.roles.values():
        for s in role.skills:
            n = len(catalog.resources_for(s.skill_id))
            if s.critical and n < 2:
                uncovered[(role.id, s.skill_id)] = n
    assert uncovered == {}


def test_every_role_has_a_free_resource_for_most_critical_skills(catalog: Catalog) -> None:
    for role in catalog.roles.values():
        critical = [s.skill_id for s in role.skills if s.critical]
        free = [sid for sid in critical if any(r.free for r in catalog.resources_for(sid))]
        assert len(free) >= len(critical) - 1, (role.id, sorted(set(critical) - set(free)))


@pytest.mark.parametrize("name", PATH_SKILLS)
def test_major_skills_have_beginner_to_advanced_path(catalog: Catalog, name: str) -> None:
    skill_id = catalog.resolve_skill(name)
    assert skill_id is not None, name
    levels = {r.level for r in catalog.resources_for(skill_id)}
    assert {"beginner", "advanced"} <= levels, (name, levels)


#: O*NET knowledge areas and basic skills that lead the gaps of most occupations (docs/roles-and-resources.md,
#: "Resources for every field"): each has at least one resource written for anyone.
EVERY_FIELD_SKILLS = [
    "Psychology",
    "Medicine",
    "Law",
    "Economics",
    "Administration and Management",
    "Mathematics",
    "Biology",
    "Chemistry",
    "Physics",
    "Sociology",
    "Transportation",
    "Public Safety and Security",
    "Written Communication",
    "Reading Comprehension",
    "Active Learning",
    "Decision Making",
    "Service Orientation",
    "Digital Literacy",
    "Microsoft Word",
    "Microsoft Outlook",
    "Microsoft Windows",
    "Food Safety",
    "Workplace Safety",
    "Pharmacology",
    "Patient Care",
]


@pytest.mark.parametrize("name", EVERY_FIELD_SKILLS)
def test_every_field_skills_have_a_resource_for_anyone(catalog: Catalog, name: str) -> None:
    skill_id = catalog.resolve_skill(name)
    assert skill_id is not None, name
    assert any(r.audience == "" for r in catalog.resources_for(skill_id)), name


def test_resource_mix_is_realistic(catalog: Catalog) -> None:
    resources = list(catalog.resources.values())
    levels = Counter(r.level for r in resources)
    free = sum(r.free for r in resources)
    assert min(levels.values()) >= 0.15 * len(resources), levels
    assert 0.4 * len(resources) <= free <= 0.85 * len(resources), free
    hosts = Counter(urlparse(r.url).netloc for r in resources)
    assert len(hosts) >= 150, len(hosts)
