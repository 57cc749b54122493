"""The roadmap's "time to industry-ready" and /readiness agree on every sample resume (real trained models).

For every resume in data/samples, the closest roles are analysed. For each (resume, role):

* /v1/readiness on the match's features gives the label /v1/analyze reports;
* the roadmap says "ready already" (0 hours) exactly when that label is ``industry_ready``;
* ``ready_label_after`` is one of the three readiness labels, ``industry_ready`` exactly when the plan
  reaches it (one step flagged), and /v1/recommend with the same request returns the same roadmap.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from careerready.features import READINESS_FEATURES, READINESS_LABELS
from fastapi.testclient import TestClient
from serving_models import needs_real_artifacts, real_api_client

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "data" / "samples").glob("*.txt"))
pytestmark = needs_real_artifacts()


@pytest.fixture(scope="module")
def client() -> TestClient:
    return real_api_client()


def test_there_are_samples() -> None:
    assert len(SAMPLES) >= 4


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_roadmap_and_readiness_agree(client: TestClient, sample: Path) -> None:
    text = sample.read_text(encoding="utf-8")
    ranked = client.post("/v1/analyze", json={"text": text})
    assert ranked.status_code == 200, ranked.text
    roles = [r["role_id"] for r in ranked.json()["closest_roles"]]
    resp = client.post("/v1/analyze", json={"text": text, "roles": roles, "hours_per_week": 10})
    assert resp.status_code == 200, resp.text
    analyses = resp.json()["analyses"]
    assert len(analyses) == len(roles) >= 2
    for a in analyses:
        check_one(client, a, resp.json()["skills"])


def check_one(client: TestClient, a: dict[str, Any], skills: list[dict[str, Any]]) -> None:
    role_id = a["match"]["role_id"]
    features = {k: a["match"]["features"][k] for k in READINESS_FEATURES}
    ready = client.post("/v1/readiness", json={"features": features})
    assert ready.status_code == 200, ready.text
    label = ready.json()["label"]
    assert label == a["readiness"]["label"], role_id

    roadmap = a["roadmap"]
    assert roadmap["ready_label_after"] in READINESS_LABELS, role_id
    flagged = [s for s in roadmap["steps"] if s["reaches_industry_ready"]]
    if label == "industry_ready":
        assert roadmap["hours_to_ready"] == 0.0 and not flagged, role_id
        assert roadmap["ready_label_after"] == "industry_ready"
    elif roadmap["hours_to_ready"] is None:
        assert not flagged and roadmap["ready_label_after"] != "industry_ready", role_id
    else:
        assert roadmap["hours_to_ready"] > 0 and len(flagged) == 1, role_id
        assert flagged[0]["cumulative_hours"] == roadmap["hours_to_ready"]
        assert roadmap["ready_label_after"] == "industry_ready"

    held = sorted({s["skill_id"] for s in skills if s["skill_id"] and not s["negated"]})
    rec = client.post(
        "/v1/recommend",
        json={
            "role_id": role_id,
            "held_skill_ids": held,
            "gaps": a["match"]["gaps"],
            "years_experience": a["match"]["features"].get("years_experience"),
            "hours_per_week": 10,
            "top_k": len(a["resources"]) or 5,
            "readiness_features": features,
        },
    )
    assert rec.status_code == 200, rec.text
    assert rec.json()["roadmap"]["hours_to_ready"] == roadmap["hours_to_ready"], role_id
    assert rec.json()["roadmap"]["ready_label_after"] == roadmap["ready_label_after"], role_id
