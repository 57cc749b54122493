"""The match stage's ``top_n`` shortlist gives exactly the top of a full ranking, and analyze uses it."""

from __future__ import annotations

from typing import Any

import pytest
from careerready.core.errors import InvalidInputError
from careerready.schemas.analysis import MatchRequest
from careerready.services import stages
from careerready.services.analysis import analyze
from careerready.services.transport import InProcessTransport
from serving_models import RESUME, fixture_models_for, missing_real_artifacts, real_models_for

DATA_RESUME = """Sam Lee
Data analyst

Skills
SQL, Excel, Tableau, Python, pandas, statistics, communication

Experience
Data Analyst, Initech (2021-2025)
- Built dashboards in Tableau and reports in Excel; 4 years of SQL.
"""


def _models(kind: str) -> Any:
    if kind == "real":
        missing = missing_real_artifacts()
        if missing:
            pytest.skip(f"artifacts missing: {missing}")
        return real_models_for("analyze")
    return fixture_models_for("analyze")


def _request(models: Any, text: str, with_text: bool = True) -> MatchRequest:
    """The request analyze sends (skills, years and the text); ``with_text=False``: skills only."""
    extracted = stages.extract(stages.ExtractRequest(text=text), models)
    return MatchRequest(
        skills=extracted.skills,
        role_ids=sorted(models.catalog.roles),
        years_experience=extracted.years_experience,
        text=text if with_text else None,
    )


@pytest.mark.parametrize("kind", ["fixture", "real"])
@pytest.mark.parametrize("text", [RESUME, DATA_RESUME])
@pytest.mark.parametrize("with_text", [True, False])
def test_shortlist_equals_the_head_of_the_full_ranking(kind: str, text: str, with_text: bool) -> None:
    models = _models(kind)
    req = _request(models, text, with_text)
    full = [m.model_dump(mode="json") for m in stages.match(req, models).matches]
    assert len(full) == len(models.catalog.roles) >= 2
    for n in (1, 2, 5, len(full) - 1):
        short = [m.model_dump(mode="json") for m in stages.match(req, models, top_n=n).matches]
        assert short == full[:n], n
    # top_n >= number of roles is the plain full match
    assert [m.model_dump(mode="json") for m in stages.match(req, models, top_n=len(full) + 3).matches] == full


def test_handle_accepts_top_n_and_rejects_bad_values() -> None:
    models = fixture_models_for("match")
    req = _request(fixture_models_for("analyze"), RESUME)
    payload = req.model_dump(mode="json")
    full = stages.handle("match", payload, models)["matches"]
    out = stages.handle("match", {**payload, "top_n": 2}, models)["matches"]
    assert out == full[:2]
    assert "top_n" not in payload  # the caller's dict is not modified
    for bad in (0, -1, 1.5, "3", True):
        with pytest.raises(InvalidInputError) as err:
            stages.handle("match", {**payload, "top_n": bad}, models)
        assert err.value.details["field"] == "top_n"


@pytest.mark.parametrize("kind", ["fixture", "real"])
def test_analyze_without_role_matches_the_full_ranking(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    models = _models(kind)
    client = InProcessTransport(lambda stage: models)
    sent: list[dict[str, Any]] = []
    real_call = client.call

    def spy(stage: str, payload: dict[str, Any]) -> dict[str, Any]:
        if stage == "match":
            sent.append(payload)
        return real_call(stage, payload)

    monkeypatch.setattr(client, "call", spy)
    res = analyze(DATA_RESUME, None, client, catalog=models.catalog, request_id="r1", n_closest=3)
    assert sent[0]["top_n"] == 3
    full = stages.match(_request(models, DATA_RESUME), models).matches
    assert res.best_role_id == full[0].role_id
    assert [r.role_id for r in res.closest_roles] == [m.role_id for m in full[:3]]
    assert res.analyses[0].match.model_dump() == full[0].model_dump()
    assert res.analyses[0].role.runner_up is not None and res.analyses[0].role.runner_up.role_id == full[1].role_id
    # a named role is still matched in full, without top_n
    sent.clear()
    analyze(DATA_RESUME, [full[1].role_id], client, catalog=models.catalog, request_id="r2")
    assert "top_n" not in sent[0]


@pytest.mark.parametrize("kind", ["fixture", "real"])
def test_gaps_top_leaves_out_only_the_gaps_of_the_other_roles(kind: str) -> None:
    models = _models(kind)
    req = _request(models, DATA_RESUME)
    short = [m.model_dump(mode="json") for m in stages.match(req, models, top_n=5).matches]
    lean = [m.model_dump(mode="json") for m in stages.match(req, models, top_n=5, gaps_top=1).matches]
    assert lean[0] == short[0] and short[0]["gaps"]
    assert lean[1:] == [{**m, "gaps": []} for m in short[1:]]


def test_handle_rejects_bad_gaps_top() -> None:
    models = fixture_models_for("match")
    payload = _request(fixture_models_for("analyze"), RESUME).model_dump(mode="json")
    out = stages.handle("match", {**payload, "top_n": 3, "gaps_top": 0}, models)["matches"]
    assert [m["gaps"] for m in out] == [[], [], []]
    for bad in (-1, 1.5, "1", True):
        with pytest.raises(InvalidInputError) as err:
            stages.handle("match", {**payload, "top_n": 3, "gaps_top": bad}, models)
        assert err.value.details["field"] == "gaps_top"


@pytest.mark.parametrize("kind", ["fixture", "real"])
def test_analyze_without_role_is_the_same_with_and_without_gaps_top(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the same resumes analysed with the lean match (gaps of the analysed role only) and with the full one
    models = _models(kind)
    client = InProcessTransport(lambda stage: models)
    real_call = client.call
    strip = {"on": False}

    def call(stage: str, payload: dict[str, Any]) -> dict[str, Any]:
        if strip["on"] and stage == "match":
            payload = {k: v for k, v in payload.items() if k != "gaps_top"}
        return real_call(stage, payload)

    monkeypatch.setattr(client, "call", call)
    for i, text in enumerate([RESUME, DATA_RESUME, RESUME + "\n" + DATA_RESUME]):
        lean = analyze(text, None, client, catalog=models.catalog, request_id=f"r{i}").model_dump(mode="json")
        strip["on"] = True
        full = analyze(text, None, client, catalog=models.catalog, request_id=f"r{i}").model_dump(mode="json")
        strip["on"] = False
        # Then the answers are the same (timings aside)
        lean.pop("timings_ms"), full.pop("timings_ms")
        assert lean == full
