"""Analysing against a pasted job posting: the API (JSON and multipart), the match/recommend stages' inline role,
the CLI (fixture models) and the Analyze function with events/analyze-posting.json (trained artifacts)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import careerready.cli as cli
import pytest
from careerready.api.app import create_app
from careerready.core.config import LIMITS, load_settings
from careerready.services.transport import InProcessTransport
from fastapi.testclient import TestClient
from serving_models import RESUME, fixture_models_for

REPO = Path(__file__).resolve().parents[2]

# a posting over the fixture catalog's skills (tests/fixtures/catalog_small)
POSTING = """Platform Engineer
Lakeside Logistics

About us
We ship parcels. Our stack runs on Kubernetes.

What you'll do
- Run services on Linux and automate them with Bash.

Requirements
- 4+ years of experience in backend or platform engineering.
- Python and PostgreSQL.
- Terraform is required.

Nice to have
- Familiarity with Kafka.
- TypeScript would be a plus.
"""


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = create_app(InProcessTransport(fixture_models_for), settings=load_settings(artifact_source="local"))
    return TestClient(app, raise_server_exceptions=False)


def _error(resp: Any, status: int, field: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    detail = resp.json()["detail"]
    assert detail["field"] == field and detail["request_id"] == resp.headers["x-request-id"]
    return detail


def test_posting_alone_is_analysed_as_an_ad_hoc_role(client: TestClient) -> None:
    resp = client.post("/v1/analyze", json={"text": RESUME, "posting": POSTING})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    posting = body["posting"]
    assert posting["title"] == "Platform Engineer" and posting["min_years"] == 4.0
    levels = {s["role_skill_id"]: (s["level"], s["used"], s["critical"]) for s in posting["skills"]}
    assert levels["python"] == levels["postgresql"] == levels["terraform"] == ("required", True, True)
    assert levels["linux"] == levels["bash"] == ("mentioned", True, False)
    assert levels["kafka"] == levels["typescript"] == ("preferred", True, False)
    assert levels["kubernetes"] == ("context", False, False)
    (a,) = body["analyses"]
    assert a["role"] == {
        "query": "posting",
        "role_id": posting["role_id"],
        "title": "Platform Engineer",
        "confidence": 1.0,
        "method": "posting",
        "runner_up": None,
        "roles_sharing_title": None,
    }
    m = a["match"]
    status = {s["skill_id"]: s["status"] for s in m["skills"]}
    # the resume (Python, PostgreSQL, Linux...) holds some, lacks Terraform: a critical gap ranked first
    assert status["python"] == status["postgresql"] == "exact" and status["terraform"] == "missing"
    assert m["gaps"][0]["skill_id"] == "terraform" and m["gaps"][0]["critical"]
    assert m["features"]["years_experience"] == 6.0 and m["features"]["years_gap"] == 0.0
    assert "Platform Engineer" in m["explanation"]["summary"]
    assert a["readiness"]["label"] in ("needs_upskilling", "almost_ready", "industry_ready")
    assert "terraform" in {s["skill_id"] for s in a["roadmap"]["steps"]}
    assert body["best_role_id"] == posting["role_id"] and body["closest_roles"] == []
    # the posting ranked against the catalog like a resume with no role
    closest = posting["closest_roles"]
    assert closest and closest[0]["role_id"] in {"devops_engineer", "backend_engineer"}
    assert [c["rank_score"] for c in closest] == sorted((c["rank_score"] for c in closest), reverse=True)
    assert 0.0 <= posting["closest_confidence"] <= 1.0


def test_posting_beside_catalog_roles_orders_by_fit(client: TestClient) -> None:
    body = client.post(
        "/v1/analyze", json={"text": RESUME, "posting": POSTING, "roles": ["Frontend Engineer", "backend_engineer"]}
    ).json()
    ids = [a["match"]["role_id"] for a in body["analyses"]]
    assert sorted(ids) == sorted([body["posting"]["role_id"], "frontend_engineer", "backend_engineer"])
    scores = [a["match"]["score"] for a in body["analyses"]]
    assert scores == sorted(scores, reverse=True) and body["best_role_id"] == ids[0]
    assert all(a["match"]["rank_score"] is None for a in body["analyses"])
    methods = {a["match"]["role_id"]: a["role"]["method"] for a in body["analyses"]}
    assert methods[body["posting"]["role_id"]] == "posting" and methods["frontend_engineer"] == "title"


def test_posting_through_multipart(client: TestClient) -> None:
    resp = client.post(
        "/v1/analyze",
        files={"file": ("cv.txt", RESUME.encode(), "text/plain")},
        data={"posting": POSTING, "role": "devops_engineer"},
    )
    assert resp.status_code == 200, resp.text
    assert {a["role"]["method"] for a in resp.json()["analyses"]} == {"posting", "id"}


@pytest.mark.parametrize(
    ("posting", "status", "field", "words"),
    [
        ("", 422, "body.posting", "empty"),
        ("   \n ", 422, "body.posting", "empty"),
        ("We are a friendly team looking for a great colleague. Apply today!", 422, "posting", "no skill found"),
        ("About us\nWe use Python and Kubernetes.\n", 422, "posting", "none in its requirements"),
        ("x" * (LIMITS.max_posting_chars + 1), 422, "body.posting", "at most"),
    ],
)
def test_bad_posting_is_4xx_naming_the_field(
    client: TestClient, posting: str, status: int, field: str, words: str
) -> None:
    detail = _error(client.post("/v1/analyze", json={"text": RESUME, "posting": posting}), status, field)
    assert words in detail["message"]


def test_match_and_recommend_stages_take_an_inline_role(client: TestClient) -> None:
    skills = client.post("/v1/extract", json={"text": RESUME}).json()["skills"]
    role = {
        "id": "my-role",
        "title": "Data plumber",
        "min_years": 8,
        "skills": [
            {"skill_id": "python", "name": "Python", "importance": 1.0, "critical": True},
            {"skill_id": "unlinked:dagster", "name": "Dagster", "importance": 0.5},
        ],
    }
    resp = client.post("/v1/match", json={"skills": skills, "role": role, "years_experience": 6})
    assert resp.status_code == 200, resp.text
    (m,) = resp.json()["matches"]
    assert m["role_id"] == "my-role" and m["features"]["years_gap"] == 2.0
    assert {s["skill_id"]: (s["name"], s["status"]) for s in m["skills"]} == {
        "python": ("Python", "exact"),
        "unlinked:dagster": ("Dagster", "missing"),
    }
    assert [g["name"] for g in m["gaps"]] == ["Dagster"]
    rec = client.post(
        "/v1/recommend", json={"role_id": "my-role", "role": role, "held_skill_ids": ["python"], "gaps": m["gaps"]}
    )
    assert rec.status_code == 200, rec.text
    assert [s["name"] for s in rec.json()["roadmap"]["steps"]] == ["Dagster"]
    # bad inline roles: a skill id that is neither a catalog id nor unlinked:..., a catalog role id, no role at all
    bad = {**role, "skills": [{"skill_id": "no-such-skill", "name": "X", "importance": 1.0}]}
    _error(client.post("/v1/match", json={"skills": skills, "role": bad}), 422, "role.skills.0.skill_id")
    _error(
        client.post("/v1/match", json={"skills": skills, "role": {**role, "id": "backend_engineer"}}), 422, "role.id"
    )
    assert client.post("/v1/match", json={"skills": skills}).status_code == 422
    mismatch = client.post("/v1/recommend", json={"role_id": "other", "role": role})
    assert mismatch.status_code == 422


# ---- CLI ------------------------------------------------------------------------------------------


def test_cli_analyze_with_a_posting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "_client", lambda: InProcessTransport(fixture_models_for))
    cv, posting = tmp_path / "cv.txt", tmp_path / "posting.txt"
    cv.write_text(RESUME, encoding="utf-8")
    posting.write_text(POSTING, encoding="utf-8")
    assert cli.main(["analyze", str(cv), "--posting", str(posting)]) == 0
    out = capsys.readouterr().out
    assert "Job posting: Platform Engineer" in out and "experience asked: 4+ years" in out
    assert "Required (3):" in out and "Nice to have (2):" in out and "Closest catalog roles to the posting" in out
    assert "=== Platform Engineer (posting-" in out and "(the job posting, analysed as an ad-hoc role)" in out
    assert cli.main(["analyze", str(cv), "--posting", str(posting), "--role", "Frontend Engineer", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert len(body["analyses"]) == 2 and body["posting"]["title"] == "Platform Engineer"
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    assert cli.main(["analyze", str(cv), "--posting", str(empty)]) == 1
    assert "job posting is empty" in capsys.readouterr().err
    assert cli.main(["analyze", str(cv), "--posting", str(tmp_path / "missing.txt")]) == 2


# ---- the Analyze function with the event file (trained artifacts) ------------------------------------


def _missing_artifacts() -> list[str]:
    from careerready.core.paths import ARTIFACTS_DIR, REGISTRY_PATH

    registry = json.loads(REGISTRY_PATH.read_text())
    needed = {(m, v) for models in registry.values() for m, v in models.items()}
    return sorted(f"{m}/{v}" for m, v in needed if not (ARTIFACTS_DIR / m / v / "manifest.json").exists())


@pytest.mark.skipif(bool(_missing_artifacts()), reason="trained artifacts missing (make train)")
def test_invoke_analyze_with_the_posting_event() -> None:
    from infra.local.invoke import invoke

    event = json.loads((REPO / "events" / "analyze-posting.json").read_text())
    result = invoke("Analyze", event)
    assert result.ok, result.error
    assert result.payload["statusCode"] == 200, result.payload
    body = json.loads(result.payload["body"])
    posting = body["posting"]
    assert posting["title"] == "Senior Data Engineer" and posting["min_years"] == 5.0
    by_id = {s["role_skill_id"]: s for s in posting["skills"]}
    assert by_id["python"]["level"] == "required" and by_id["python"]["critical"]
    assert by_id["dbt"]["level"] == "preferred" and "Familiarity with" in by_id["dbt"]["reason"]
    assert by_id["docker"]["level"] == "preferred" and not by_id["docker"]["critical"]
    assert posting["closest_roles"][0]["role_id"] == "data-engineer"
    (a,) = body["analyses"]
    assert a["role"]["method"] == "posting" and a["match"]["role_id"] == posting["role_id"]
    held = {s["skill_id"] for s in a["match"]["skills"] if s["status"] == "exact"}
    assert {"python", "sql", "git"} <= held
    assert a["match"]["gaps"] and a["roadmap"]["steps"] and a["resources"]


@pytest.mark.skipif(bool(_missing_artifacts()), reason="trained artifacts missing (make train)")
def test_invoke_analyze_with_the_nurse_posting_event_beside_a_role() -> None:
    from infra.local.invoke import invoke

    event = json.loads((REPO / "events" / "analyze-posting-nurse.json").read_text())
    result = invoke("Analyze", event)
    assert result.ok, result.error
    assert result.payload["statusCode"] == 200, result.payload
    body = json.loads(result.payload["body"])
    assert body["posting"]["min_years"] == 2.0
    assert body["posting"]["closest_roles"][0]["title"] == "Registered Nurses"
    methods = {a["role"]["method"] for a in body["analyses"]}
    assert len(body["analyses"]) == 2 and "posting" in methods
