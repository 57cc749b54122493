"""The /v1 API through FastAPI's TestClient (fixture models; real artifacts when trained) and Mangum."""

from __future__ import annotations

import base64
import io
import json
import re
from datetime import UTC, date, datetime
from typing import Any

import boto3
import pytest
from careerready.api.app import create_app
from careerready.core.config import load_settings
from careerready.services.transport import InProcessTransport
from fastapi.testclient import TestClient
from mangum import Mangum
from pypdf import PdfWriter
from serving_models import RESUME, fixture_models_for, missing_real_artifacts, real_models_for

from tests.documents import docx_bytes as make_docx
from tests.documents import text_pdf as make_text_pdf

MAX_UPLOAD = 300_000
HEX32 = re.compile(r"^[0-9a-f]{32}$")


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def settings() -> Any:
    return load_settings(max_upload_bytes=MAX_UPLOAD, artifact_source="local")


@pytest.fixture(scope="module")
def app(settings: Any) -> Any:
    return create_app(InProcessTransport(fixture_models_for), settings=settings)


@pytest.fixture(scope="module")
def client(app: Any) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


def assert_meta(resp: Any, versions: set[str] | None = None) -> dict[str, Any]:
    body = resp.json()
    rid = resp.headers["x-request-id"]
    assert rid and body["request_id"] == rid
    assert isinstance(body["model_versions"], dict)
    if versions is not None:
        assert set(body["model_versions"]) == versions
    return body


def assert_error(resp: Any, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    detail = resp.json()["detail"]
    assert detail["code"] == code
    assert detail["request_id"] == resp.headers["x-request-id"]
    if field is not None:
        assert detail["field"] == field
    return detail


# ---- health, request id, roles ------------------------------------------------------------------


def test_health_reports_versions_and_transport(client: TestClient) -> None:
    resp = client.get("/v1/health")
    assert resp.status_code == 200
    body = assert_meta(resp)
    assert HEX32.match(body["request_id"])
    assert body["status"] == "ok" and body["transport"] == "inprocess" and body["roles"] == 4
    # the registry's versions (what this deployment serves), overlaid with what the extract stage loaded
    assert body["model_versions"]["catalog"] == "fixture" and "readiness" in body["model_versions"]
    # the fixture extract stage has no learned tagger: health names the gazetteer and why
    assert body["extractor"].startswith("gazetteer extractor/fixture alone (")


def test_request_id_header_is_honoured_and_unsafe_ones_replaced(client: TestClient) -> None:
    resp = client.get("/v1/health", headers={"X-Request-ID": "abc-123.x"})
    assert resp.headers["x-request-id"] == "abc-123.x" and resp.json()["request_id"] == "abc-123.x"
    resp = client.get("/v1/health", headers={"X-Request-ID": "bad id\twith spaces"})
    assert HEX32.match(resp.headers["x-request-id"])


def test_list_roles(client: TestClient) -> None:
    body = assert_meta(client.get("/v1/roles"), {"catalog"})
    assert body["count"] == 4
    assert [r["title"] for r in body["roles"]] == [
        "Backend Engineer",
        "Data Scientist",
        "DevOps Engineer",
        "Frontend Engineer",
    ]
    assert body["roles"][0]["skill_count"] == 23


def test_get_role_by_title_with_resolution(client: TestClient) -> None:
    body = assert_meta(client.get("/v1/roles/Backend Developer"))
    assert body["role"]["id"] == "backend_engineer"
    assert body["resolution"]["method"] == "alt_title"
    assert len(body["role"]["skills"]) == 23 and {"skill_id", "name", "importance", "critical"} <= set(
        body["role"]["skills"][0]
    )


def test_unknown_role_is_404_with_nearest_titles(client: TestClient) -> None:
    detail = assert_error(client.get("/v1/roles/underwater basket engineer"), 404, "role_not_found", "role")
    assert len(detail["nearest"]) == 3
    assert {n["role_id"] for n in detail["nearest"]} <= {
        "backend_engineer",
        "data_scientist",
        "devops_engineer",
        "frontend_engineer",
    }


def test_unknown_route_is_404_in_the_same_shape(client: TestClient) -> None:
    assert_error(client.get("/v1/nope"), 404, "not_found")
    assert_error(client.get("/v1/analyze"), 405, "method_not_allowed")


# ---- stage endpoints ------------------------------------------------------------------------------


def test_extract_match_readiness_recommend_chain(client: TestClient) -> None:
    ext = assert_meta(client.post("/v1/extract", json={"text": RESUME}), {"catalog", "extractor"})
    ids = [s["skill_id"] for s in ext["skills"]]
    assert {"python", "django", "postgresql", "docker", "aws"} <= set(ids)
    assert ext["word_count"] == len(RESUME.split())
    first = ext["skills"][0]
    assert RESUME[first["start"] : first["end"]] == first["text"]

    match = assert_meta(
        client.post("/v1/match", json={"skills": ext["skills"], "role_ids": ["devops_engineer", "Backend Developer"]}),
        {"catalog"},
    )
    scores = [m["score"] for m in match["matches"]]
    assert [m["role_id"] for m in match["matches"]] == ["backend_engineer", "devops_engineer"]
    assert scores == sorted(scores, reverse=True) and 0 < scores[1] < scores[0] <= 1
    backend = match["matches"][0]
    assert backend["gaps"] and backend["gaps"][0]["rank"] == 1

    from careerready.features import READINESS_FEATURES

    features = {k: backend["features"][k] for k in READINESS_FEATURES}
    ready = assert_meta(client.post("/v1/readiness", json={"features": features}), {"readiness"})
    assert ready["label"] in ("needs_upskilling", "almost_ready", "industry_ready")
    # each probability is rounded to 6 decimals (pipelines.readiness): their sum is 1 within half a unit each
    assert abs(sum(ready["probabilities"].values()) - 1) <= len(ready["probabilities"]) * 0.5e-6 + 1e-12

    rec = assert_meta(
        client.post(
            "/v1/recommend",
            json={"role_id": "backend_engineer", "held_skill_ids": ids, "gaps": backend["gaps"], "top_k": 3},
        ),
        {"catalog", "readiness"},
    )
    assert 1 <= len(rec["resources"]) <= 3
    gap_ids = {g["skill_id"] for g in backend["gaps"]}
    assert all(set(r["teaches"]) for r in rec["resources"])
    assert {s["skill_id"] for s in rec["roadmap"]["steps"] if s["kind"] == "gap"} == gap_ids


def test_extract_blank_text_is_422_no_extractable_text(client: TestClient) -> None:
    assert_error(client.post("/v1/extract", json={"text": "   \n "}), 422, "no_extractable_text", "text")


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("/v1/extract", {"txt": "Python"}, "body.text"),
        ("/v1/extract", {"text": 42}, "body.text"),
        ("/v1/match", {"skills": [], "role_ids": []}, "body.role_ids"),
        ("/v1/readiness", {"features": {"coverage_exact": "high"}}, "body.features.coverage_exact"),
        ("/v1/recommend", {"role_id": "backend_engineer", "hours_per_week": 0}, "body.hours_per_week"),
    ],
)
def test_malformed_stage_requests_are_422_naming_the_field(
    client: TestClient, path: str, payload: dict[str, Any], field: str
) -> None:
    detail = assert_error(client.post(path, json=payload), 422, "invalid_input")
    assert field in [e["field"] for e in detail["errors"]]


def test_readiness_missing_features_are_named(client: TestClient) -> None:
    detail = assert_error(
        client.post("/v1/readiness", json={"features": {"coverage_exact": 0.5}}), 422, "invalid_input"
    )
    assert detail["field"] == "features" and "years_gap" in detail["missing"]


# ---- analyze ------------------------------------------------------------------------------------


def test_analyze_one_role_by_title(client: TestClient) -> None:
    resp = client.post("/v1/analyze", json={"text": RESUME, "role": "Sr. Backend Dev"}, headers={"X-Request-ID": "r-1"})
    body = assert_meta(resp, {"catalog", "extractor", "readiness"})
    assert body["request_id"] == "r-1"
    assert set(body["timings_ms"]) == {"extract", "match", "readiness", "recommend", "total"}
    assert body["timings_ms"]["total"] >= body["timings_ms"]["extract"] > 0
    (a,) = body["analyses"]
    assert a["role"]["role_id"] == "backend_engineer" and a["role"]["query"] == "Sr. Backend Dev"
    assert a["role"]["method"] == "normalized"
    assert body["best_role_id"] == "backend_engineer" and body["closest_roles"] == []
    assert a["readiness"]["label"] in ("needs_upskilling", "almost_ready", "industry_ready")
    # one role: nothing to order (no rank_score), but the text still gives the readiness feature text_fit
    assert a["match"]["rank_score"] is None and 0.0 < a["match"]["features"]["text_fit"] <= 1.0
    assert 1 <= len(a["resources"]) <= 5 and a["roadmap"]["steps"]
    assert body["text"] is None and body["source"] == {
        "kind": "text",
        "filename": None,
        "content_type": None,
        "s3_key": None,
        "chars": len(RESUME),
    }


def test_analyze_compares_several_roles_best_first(client: TestClient) -> None:
    body = client.post(
        "/v1/analyze", json={"text": RESUME, "roles": ["Frontend Engineer", "backend_engineer", "ML Scientist"]}
    ).json()
    ids = [a["match"]["role_id"] for a in body["analyses"]]
    scores = [a["match"]["score"] for a in body["analyses"]]
    # analyze sends the text: roles are ordered by rank_score (text vs role profile), then by the fit score
    keys = [(a["match"]["rank_score"], a["match"]["score"]) for a in body["analyses"]]
    assert sorted(ids) == ["backend_engineer", "data_scientist", "frontend_engineer"]
    assert keys == sorted(keys, reverse=True) and ids[0] == "backend_engineer" == body["best_role_id"]
    assert len(set(scores)) == 3
    methods = {a["match"]["role_id"]: a["role"]["method"] for a in body["analyses"]}
    assert methods == {"backend_engineer": "id", "data_scientist": "alt_title", "frontend_engineer": "title"}
    # each role carries its own readiness and roadmap
    assert all(a["roadmap"]["steps"] for a in body["analyses"])


def test_analyze_without_role_ranks_all_and_lists_closest(client: TestClient) -> None:
    body = client.post("/v1/analyze", json={"text": RESUME, "include_text": True}).json()
    closest = body["closest_roles"]
    # ordered by rank_score (resume text vs role profile), which the first reason states: "... profile (0.27), ..."
    sims = [float(c["reasons"][0].split("(")[1].split(")")[0]) for c in closest]
    assert all(c["reasons"][0].startswith("resume text close to the role profile") for c in closest)
    assert len(closest) == 4 and sims == sorted(sims, reverse=True)
    assert len(body["analyses"]) == 1 and body["analyses"][0]["role"]["method"] == "ranked"
    assert body["best_role_id"] == closest[0]["role_id"] == "backend_engineer"
    assert body["analyses"][0]["match"]["score"] == closest[0]["score"]
    assert closest[0]["reasons"] and body["text"] == RESUME


def test_analyze_without_role_gives_calibrated_confidence_and_says_no_close_match(client: TestClient) -> None:
    from careerready.pipelines.matching import NO_CLOSE_MATCH, ranking_confidence

    far = "Beekeeper and goat herder. Harvested honey, sheared goats, mended fences on a hillside farm for 20 years."
    body = client.post("/v1/analyze", json={"text": far}).json()
    best, role = body["closest_roles"][0], body["analyses"][0]["role"]
    assert role["method"] == "ranked" and role["confidence"] == ranking_confidence(best["rank_score"])
    assert role["confidence"] < NO_CLOSE_MATCH and best["reasons"][0].startswith("no close match in the catalog")
    near = client.post("/v1/analyze", json={"text": RESUME}).json()
    assert near["analyses"][0]["role"]["confidence"] >= NO_CLOSE_MATCH
    assert not near["closest_roles"][0]["reasons"][0].startswith("no close match")


def test_analyze_unknown_role_is_404_with_nearest(client: TestClient) -> None:
    body = {"text": RESUME, "role": "astronaut engineer"}
    detail = assert_error(client.post("/v1/analyze", json=body), 404, "role_not_found")
    assert len(detail["nearest"]) == 3 and "astronaut engineer" in detail["message"]
    # nothing in the catalog resembles "astronaut": no unrelated titles are offered as "nearest"
    body = {"text": RESUME, "role": "astronaut"}
    detail = assert_error(client.post("/v1/analyze", json=body), 404, "role_not_found")
    assert detail["nearest"] == [] and "no catalog title is close" in detail["message"]


CURRENT_JOB = """Sam Lee
Experience
Backend Developer, Acme (Mar 2020 - Present)
- Python and Django services on PostgreSQL.
Junior Developer, Beta (2018 - 2020)
- SQL reports.
"""


def test_present_in_work_dates_is_the_request_date_and_the_answer_says_so(client: TestClient) -> None:
    body = assert_meta(client.post("/v1/analyze", json={"text": CURRENT_JOB, "role": "backend_engineer"}))
    as_of = date.fromisoformat(body["as_of"])
    assert (datetime.now(UTC).date() - as_of).days in (0, 1)  # the request's day (1: the test ran over midnight)

    def expected(day: date) -> float:  # "Mar 2020 - Present" to the start of day's month, plus "2018 - 2020"
        return day.year + (day.month - 1) / 12 - (2020 + 2 / 12) + 2

    def years(b: dict[str, Any]) -> float:
        return float(b["analyses"][0]["match"]["features"]["years_experience"])

    assert body["years_experience"] == years(body) == pytest.approx(expected(as_of), abs=0.01)
    assert [(e["text"], e["end_date"], e["used"]) for e in body["experience_evidence"]] == [
        ("Mar 2020 - Present", "present", True),
        ("2018 - 2020", "2020", True),
    ]
    # an earlier as_of reproduces an earlier answer; the extract stage takes it too
    then = client.post("/v1/analyze", json={"text": CURRENT_JOB, "role": "backend_engineer", "as_of": "2023-07-01"})
    in_2023 = pytest.approx(expected(date(2023, 7, 1)), abs=0.01)  # 5.33 years
    assert then.json()["as_of"] == "2023-07-01" and then.json()["years_experience"] == in_2023
    ext = client.post("/v1/extract", json={"text": CURRENT_JOB, "as_of": "2023-07-01"}).json()
    assert ext["as_of"] == "2023-07-01" and ext["years_experience"] == in_2023
    form = client.post(
        "/v1/analyze",
        files={"file": ("cv.txt", CURRENT_JOB.encode(), "text/plain")},
        data={"role": "backend_engineer", "as_of": "2023-07-01"},
    )
    assert form.json()["years_experience"] == in_2023
    # the caller's own figure wins over the estimate
    given = client.post("/v1/analyze", json={"text": CURRENT_JOB, "role": "backend_engineer", "years_experience": 2})
    assert given.json()["years_experience"] == 2 == years(given.json())


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"text": RESUME, "as_of": "last week"}, "body.as_of"),
        ({"text": RESUME, "as_of": "2026-13-01"}, "body.as_of"),
        ({"text": RESUME, "years_experience": -1}, "body.years_experience"),
        ({"text": RESUME, "roles": "backend"}, "body.roles"),
        ({"text": RESUME, "roles": ["a", "b", "c", "d", "e", "f"]}, "body.roles"),
        ({"text": RESUME, "colour": "blue"}, "body.colour"),
        ({"role": "backend"}, "body.text"),
        ({"text": RESUME, "s3_key": "x.pdf"}, "body.text"),
    ],
)
def test_analyze_malformed_is_422_naming_the_field(client: TestClient, payload: dict[str, Any], field: str) -> None:
    assert_error(client.post("/v1/analyze", json=payload), 422, "invalid_input", field)


def test_analyze_invalid_json_and_wrong_shapes(client: TestClient) -> None:
    headers = {"content-type": "application/json"}
    assert_error(client.post("/v1/analyze", content=b"{not json", headers=headers), 422, "invalid_input", "body")
    assert_error(client.post("/v1/analyze", content=b"[1, 2]", headers=headers), 422, "invalid_input", "body")
    assert_error(client.post("/v1/analyze", json={"text": "  "}), 422, "no_extractable_text")


def test_unsupported_content_type_is_415(client: TestClient) -> None:
    assert_error(
        client.post("/v1/analyze", content=b"Python", headers={"content-type": "text/plain"}),
        415,
        "unsupported_media_type",
    )


# ---- body limits ----------------------------------------------------------------------------------


def test_oversized_body_is_413_by_content_length(client: TestClient) -> None:
    resp = client.post("/v1/analyze", json={"text": "python " * (MAX_UPLOAD // 4)})
    detail = assert_error(resp, 413, "payload_too_large")
    assert detail["limit"] == MAX_UPLOAD + 64 * 1024 and detail["size"] > detail["limit"]


def test_oversized_chunked_body_is_413_by_bytes_read(client: TestClient) -> None:
    def chunks() -> Any:
        for _ in range(40):
            yield b"x" * 10_000

    resp = client.post("/v1/analyze", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in {k.lower() for k in resp.request.headers}
    assert_error(resp, 413, "payload_too_large")


def test_oversized_file_inside_the_body_limit_is_413(client: TestClient) -> None:
    data = b"python sql " * (MAX_UPLOAD // 11 + 100)  # > max_upload_bytes but < body limit
    resp = client.post("/v1/analyze", files={"file": ("cv.txt", data, "text/plain")})
    detail = assert_error(resp, 413, "payload_too_large")
    assert detail["limit"] == MAX_UPLOAD


# ---- uploads -------------------------------------------------------------------------------------


def test_multipart_pdf_upload(client: TestClient) -> None:
    pdf = make_text_pdf(["Jane Doe", "Skills: Python, Django, PostgreSQL, Docker, Git", "6 years of Python"])
    resp = client.post(
        "/v1/analyze",
        files={"file": ("cv.pdf", pdf, "application/pdf")},
        data={"roles": ["Backend Engineer", "devops_engineer"], "hours_per_week": "5"},
    )
    body = assert_meta(resp)
    assert body["source"]["kind"] == "upload" and body["source"]["filename"] == "cv.pdf"
    assert {"python", "django", "postgresql", "docker", "git"} <= {s["skill_id"] for s in body["skills"]}
    assert len(body["analyses"]) == 2 and body["analyses"][0]["roadmap"]["hours_per_week"] == 5


def test_multipart_docx_upload(client: TestClient) -> None:
    data = make_docx(["John Roe", "Skills", "JavaScript, React, CSS, HTML, TypeScript"])
    resp = client.post(
        "/v1/analyze",
        files={"file": ("cv.docx", data, "application/octet-stream")},
        data={"role": "Front End Developer", "include_text": "true"},
    )
    body = assert_meta(resp)
    assert body["analyses"][0]["match"]["role_id"] == "frontend_engineer"
    assert {"javascript", "react", "css", "html", "typescript"} <= {s["skill_id"] for s in body["skills"]}
    assert body["text"].startswith("John Roe\nSkills\n")


def test_scanned_pdf_is_422_no_extractable_text(client: TestClient) -> None:
    resp = client.post("/v1/analyze", files={"file": ("scan.pdf", blank_pdf(), "application/pdf")})
    detail = assert_error(resp, 422, "no_extractable_text", "file")
    assert "no extractable text" in detail["message"]


def test_multipart_errors(client: TestClient) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    assert_error(client.post("/v1/analyze", files={"file": ("a.png", png, "image/png")}), 415, "unsupported_media_type")
    assert_error(
        client.post("/v1/analyze", files={"file": ("cv.txt", b"Python", "text/plain")}, data={"top_k_resources": "0"}),
        422,
        "invalid_input",
        "body.top_k_resources",
    )
    assert_error(
        client.post("/v1/analyze", data={"role": "x"}, files={"other": ("a.txt", b"x")}),
        422,
        "invalid_input",
        "body.other",
    )
    truncated = make_text_pdf(["Python"])[:60]
    assert_error(
        client.post("/v1/analyze", files={"file": ("cv.pdf", truncated, "application/pdf")}),
        422,
        "invalid_input",
        "file",
    )


# ---- s3 key ---------------------------------------------------------------------------------------


def test_analyze_from_s3_key(settings: Any) -> None:
    from moto import mock_aws

    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="resumes")
        s3.put_object(Bucket="resumes", Key="incoming/jane.docx", Body=make_docx(["Skills: Python, Django, Docker"]))
        app = create_app(
            InProcessTransport(fixture_models_for), settings=settings, s3_client=s3, resume_bucket="resumes"
        )
        c = TestClient(app, raise_server_exceptions=False)
        body = c.post("/v1/analyze", json={"s3_key": "incoming/jane.docx", "role": "backend_engineer"}).json()
        assert body["source"]["kind"] == "s3" and body["source"]["s3_key"] == "incoming/jane.docx"
        assert {"python", "django", "docker"} <= {s["skill_id"] for s in body["skills"]}
        assert_error(c.post("/v1/analyze", json={"s3_key": "incoming/none.pdf"}), 404, "not_found", "s3_key")
        assert_error(c.post("/v1/analyze", json={"s3_key": "../etc/passwd"}), 422, "invalid_input", "s3_key")


def test_s3_key_without_bucket_is_422(client: TestClient) -> None:
    assert_error(client.post("/v1/analyze", json={"s3_key": "a.pdf"}), 422, "invalid_input", "s3_key")


# ---- OpenAPI --------------------------------------------------------------------------------------


def test_openapi_documents_every_route_and_both_analyze_bodies(client: TestClient) -> None:
    spec = client.get("/v1/openapi.json").json()
    assert set(spec["paths"]) == {
        "/v1/analyze",
        "/v1/extract",
        "/v1/match",
        "/v1/readiness",
        "/v1/recommend",
        "/v1/roles",
        "/v1/roles/{role}",
        "/v1/health",
    }
    analyze = spec["paths"]["/v1/analyze"]["post"]
    assert set(analyze["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert analyze["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/AnalysisResponse")
    assert analyze["responses"]["413"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorResponse")
    for path, ops in spec["paths"].items():
        for op in ops.values():
            assert op.get("description"), path
            assert "$ref" in op["responses"]["200"]["content"]["application/json"]["schema"], path


# ---- Mangum (HTTP API v2 event) -----------------------------------------------------------------


class _Context:
    function_name = "careerready-analyze"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:careerready-analyze"
    aws_request_id = "lambda-req-1"

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


def http_v2_event(
    method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"host": "api.example.com", **(headers or {})},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api",
            "domainName": "api.example.com",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "t"},
            "requestId": "gw-req-42",
            "routeKey": "$default",
            "stage": "$default",
            "time": "01/Jan/2026:00:00:00 +0000",
            "timeEpoch": 0,
        },
        "body": base64.b64encode(body).decode() if body is not None else None,
        "isBase64Encoded": body is not None,
    }


def test_analyze_through_mangum_http_api_v2(app: Any) -> None:
    handler = Mangum(app, lifespan="off")
    payload = json.dumps({"text": RESUME, "role": "backend_engineer"}).encode()
    out = handler(http_v2_event("POST", "/v1/analyze", payload, {"content-type": "application/json"}), _Context())
    assert out["statusCode"] == 200
    body = json.loads(out["body"])
    assert body["request_id"] == "gw-req-42" == out["headers"]["x-request-id"]
    assert body["analyses"][0]["match"]["role_id"] == "backend_engineer"

    # multipart PDF through the gateway (base64 body)
    boundary = "b0undary"
    pdf = make_text_pdf(["Skills: Python, Django"])
    multipart = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="role"\r\n\r\nBackend Engineer\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="cv.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + pdf
        + f"\r\n--{boundary}--\r\n".encode()
    )
    out = handler(
        http_v2_event("POST", "/v1/analyze", multipart, {"content-type": f"multipart/form-data; boundary={boundary}"}),
        _Context(),
    )
    assert out["statusCode"] == 200, out["body"]
    assert {"python", "django"} <= {s["skill_id"] for s in json.loads(out["body"])["skills"]}

    out = handler(http_v2_event("GET", "/v1/roles/astronaut"), _Context())
    assert out["statusCode"] == 404 and json.loads(out["body"])["detail"]["code"] == "role_not_found"


# ---- real artifacts -------------------------------------------------------------------------------

_MISSING = missing_real_artifacts()


@pytest.mark.skipif(bool(_MISSING), reason=f"trained artifacts missing under artifacts/: {_MISSING}")
def test_real_artifacts_end_to_end(settings: Any) -> None:
    app = create_app(InProcessTransport(real_models_for), settings=settings)
    c = TestClient(app, raise_server_exceptions=False)
    roles = c.get("/v1/roles").json()["roles"]
    assert len(roles) >= 30
    body = c.post("/v1/analyze", json={"text": RESUME, "roles": ["Backend Developer", "Data Scientist"]}).json()
    assert [a["match"]["role_id"] for a in body["analyses"]][0] == "backend-developer"
    assert set(body["model_versions"]) >= {"catalog", "extractor", "matching", "readiness", "recommender"}
    ranked = c.post("/v1/analyze", json={"text": RESUME}).json()
    assert len(ranked["closest_roles"]) == 5
