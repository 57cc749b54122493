"""A title several catalog roles share ("Teacher": 22 O*NET occupations) is analysed as the role the resume reads
most like (trained artifacts; the full catalog needs ../shared's O*NET)."""

from __future__ import annotations

from pathlib import Path

import pytest
from careerready.core.errors import RoleNotFoundError
from careerready.features import text_fits
from careerready.schemas.analysis import MAX_MATCH_TEXT_CHARS
from careerready.services.roles import best_fitting, resolver_for
from fastapi.testclient import TestClient
from serving_models import needs_real_artifacts, real_api_client, real_models_for

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
pytestmark = needs_real_artifacts()


@pytest.fixture(scope="module")
def client() -> TestClient:
    return real_api_client()


@pytest.mark.parametrize(("sample", "title"), [("daniel-teacher", "Teacher"), ("jamal-sales", "Sales Associate")])
def test_a_shared_title_becomes_the_role_the_resume_reads_most_like(
    client: TestClient, sample: str, title: str
) -> None:
    catalog = real_models_for("match").catalog
    try:
        shared = resolver_for(catalog).resolve(title).shared_by
    except RoleNotFoundError:  # a catalog without O*NET occupations (no ../shared) has no such title
        shared = ()
    if len(shared) < 2:
        pytest.skip(f"{title!r} is claimed by {len(shared)} role(s) in this catalog (no O*NET occupations?)")
    text = (SAMPLES / f"{sample}.txt").read_text(encoding="utf-8")
    resp = client.post("/v1/analyze", json={"text": text, "roles": [title]})
    assert resp.status_code == 200, resp.text
    role = resp.json()["analyses"][0]["role"]
    fit = text_fits(text[:MAX_MATCH_TEXT_CHARS], [catalog.roles[r] for r in shared], catalog)
    assert role["role_id"] == best_fitting(shared, fit) and role["title"] == catalog.roles[role["role_id"]].title
    assert role["roles_sharing_title"] == len(shared) and role["query"] == title
    assert role["runner_up"]["role_id"] in shared and role["runner_up"]["role_id"] != role["role_id"]
    # the title alone (no resume) would have picked by title similarity: the resume changed the answer here
    assert fit[role["role_id"]] >= max(fit.values())


def test_a_role_id_is_never_reinterpreted(client: TestClient) -> None:
    catalog = real_models_for("match").catalog
    rid = sorted(catalog.roles)[0]
    resp = client.post("/v1/analyze", json={"text": (SAMPLES / "daniel-teacher.txt").read_text(), "roles": [rid]})
    assert resp.status_code == 200, resp.text
    role = resp.json()["analyses"][0]["role"]
    assert role["role_id"] == rid and role["roles_sharing_title"] is None
